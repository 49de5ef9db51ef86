//! The answers fleet drift reads (swagger `applicationManagedResourcesResponse` /
//! `v1alpha1ResourceDiff`, `v1alpha1RevisionMetadata`, `repositoryManifestResponse`), as leniently
//! as the rest of `wire`: every field may be missing or `null`, one odd value costs that value.

use super::{List, Text, Time};
use crate::sources::lenient_time;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// A resource state: Argo CD sends each one as a JSON document *inside a string*. Only a string
/// counts; `null`, a number, a boolean, an array or an object is an absent state (empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateText(pub String);

impl<'de> Deserialize<'de> for StateText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StateText, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StateText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a state as a JSON string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<StateText, E> {
                Ok(StateText(s.to_string()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<StateText, E> {
                Ok(StateText(s))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<StateText, E> {
                Ok(StateText::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<StateText, E> {
                Ok(StateText::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<StateText, E> {
                Ok(StateText::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<StateText, E> {
                Ok(StateText::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<StateText, E> {
                Ok(StateText::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<StateText, E> {
                Ok(StateText::default())
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<StateText, D2::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<StateText, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(StateText::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<StateText, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(StateText::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// A boolean that tolerates `null` and odd types (false) and the strings `"true"`/`"false"`
/// (proxies that re-encode JSON).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Flag, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Flag, E> {
                Ok(Flag(b))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Flag, E> {
                Ok(Flag(s.trim().eq_ignore_ascii_case("true")))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_none<E: de::Error>(self) -> Result<Flag, E> {
                Ok(Flag(false))
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Flag, D2::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Flag, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Flag(false))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Flag, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Flag(false))
            }
        }
        d.deserialize_any(V)
    }
}

/// `GET /api/v1/applications/{name}/managed-resources`.
#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ManagedResourcesResponse {
    pub items: List<ResourceDiff>,
}

/// `v1alpha1ResourceDiff`: one managed resource, its states as JSON strings.
#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceDiff {
    pub group: Text,
    pub kind: Text,
    pub namespace: Text,
    pub name: Text,
    pub live_state: StateText,
    pub target_state: StateText,
    pub normalized_live_state: StateText,
    pub predicted_live_state: StateText,
    pub modified: Flag,
    pub hook: Flag,
    pub resource_version: Text,
    /// Deprecated (Argo CD < 1.x); read for nothing, listed for completeness.
    pub diff: StateText,
}

/// `GET …/revisions/{revision}/metadata` (`v1alpha1RevisionMetadata`).
#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct RevisionMetadata {
    pub author: Text,
    #[serde(deserialize_with = "lenient_time")]
    pub date: Time,
    pub tags: List<Text>,
    pub message: Text,
    pub signature_info: Text,
}

/// `GET …/manifests` (`repositoryManifestResponse`): each manifest a JSON object as text.
#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ManifestResponse {
    pub manifests: List<Text>,
    pub revision: Text,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_strings_or_absent() {
        let r: ManagedResourcesResponse = serde_json::from_str(
            r#"{"items":[{"kind":"ConfigMap","liveState":"{\"a\":1}","targetState":5,
                 "normalizedLiveState":null,"predictedLiveState":{"x":1},"modified":"true",
                 "hook":null},null,{"kind":7,"modified":3}]}"#,
        )
        .unwrap();
        assert_eq!(r.items.len(), 2);
        let a = &r.items[0];
        assert_eq!(a.live_state.0, r#"{"a":1}"#);
        assert!(a.target_state.0.is_empty() && a.normalized_live_state.0.is_empty());
        assert!(a.predicted_live_state.0.is_empty());
        assert!(a.modified.0 && !a.hook.0);
        assert_eq!(r.items[1].kind.as_str(), "7");
        assert!(!r.items[1].modified.0);
    }

    #[test]
    fn metadata_and_manifests_tolerate_odd_values() {
        let m: RevisionMetadata =
            serde_json::from_str(r#"{"author":null,"date":"x","tags":null,"message":3}"#).unwrap();
        assert!(m.author.is_empty() && m.date.is_none() && m.tags.is_empty());
        assert_eq!(m.message.as_str(), "3");
        let r: ManifestResponse =
            serde_json::from_str(r#"{"manifests":["{}",null,"{\"kind\":\"A\"}"]}"#).unwrap();
        assert_eq!(r.manifests.len(), 2);
    }
}
