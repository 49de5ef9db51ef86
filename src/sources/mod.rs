//! The outside world. Each kind of source is one folder behind one interface
//! (`driver::SourceDriver`), registered in `registry`; nothing outside a kind's folder asks
//! which kind a source is.
//!
//! - `driver`: the interface (config entry, live task, one-shot fetch, check, effects).
//! - `registry`: every kind, one line each.
//! - `alertmanager/`, `prometheus/`, `argocd/`: the kinds (client, wire types, driver).
//! - `alerts`: what the alert kinds share (payload, poll task, fetch, check).
//! - `http`: the shared HTTP layer (TLS, auth, bounded bodies, error classification).
//! - `poller`: one live task per source (through its driver); `oneshot`: fetch everything once,
//!   concurrently (`sitrep snapshot`); `check`: reach and authenticate each source.

pub mod alertmanager;
pub mod alerts;
pub mod argocd;
pub mod catalog;
pub mod check;
pub mod driver;
pub mod error;
pub mod http;
pub mod kube;
pub mod oncall;
pub mod oneshot;
pub mod poller;
pub mod prometheus;
pub mod registry;

#[cfg(test)]
pub(crate) mod proptests;

pub use alertmanager::AlertmanagerClient;
pub use check::{CheckReport, check_all, check_source};
pub use driver::{EffectClient, SourceDriver};
pub use error::{ErrorKind, SourceError};
pub use http::{DEFAULT_BODY_CAP, HttpOptions};
pub use oneshot::{FetchResult, fetch_all_once};
pub use poller::{SourceHandles, spawn_sources};
pub use prometheus::PrometheusClient;

use crate::model::alert::Labels;
use crate::sanitize;
use chrono::{DateTime, Utc};
use error::human_duration;
use std::time::Duration;

/// Belt and braces over reqwest's own timeout: whatever hangs (DNS, a body that trickles),
/// the poll ends shortly after the source's timeout.
pub(crate) async fn bounded<T>(
    timeout: Duration,
    fut: impl Future<Output = Result<T, SourceError>>,
) -> Result<T, SourceError> {
    match tokio::time::timeout(timeout + Duration::from_millis(500), fut).await {
        Ok(r) => r,
        Err(_) => Err(SourceError::new(
            ErrorKind::Timeout,
            None,
            format!("no answer within {}", human_duration(timeout)),
        )),
    }
}

/// Is this text safe to keep as it is (printable ASCII, under the cap)? Most labels are, and
/// skipping the copy matters at 10,000 alerts.
fn is_plain(s: &str) -> bool {
    s.len() <= sanitize::MAX_VALUE_CHARS && s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// `sanitize::value`, without a copy when there is nothing to clean.
pub(crate) fn clean_value(s: String) -> String {
    if is_plain(&s) { s } else { sanitize::value(&s) }
}

/// Every name and value through `sanitize::value`. Names almost never need it, so values are
/// cleaned in place and the map is only rebuilt when a name does.
pub(crate) fn clean_labels(labels: Labels) -> Labels {
    clean_map(labels, |_| false)
}

/// Like [`clean_labels`], but `description` keeps its line breaks (`sanitize::clean_text`).
pub(crate) fn clean_annotations(annotations: Labels) -> Labels {
    clean_map(annotations, |k| k == "description")
}

fn clean_map(mut map: Labels, multiline: impl Fn(&str) -> bool) -> Labels {
    if !map.keys().all(|k| is_plain(k)) {
        return map
            .into_iter()
            .map(|(k, v)| {
                let k = clean_value(k);
                let v = clean_one(&k, v, &multiline);
                (k, v)
            })
            .collect();
    }
    for (k, v) in map.iter_mut() {
        if !is_plain(v) {
            *v = clean_one(k, std::mem::take(v), &multiline);
        }
    }
    map
}

fn clean_one(key: &str, value: String, multiline: &impl Fn(&str) -> bool) -> String {
    if !multiline(key) {
        return clean_value(value);
    }
    let plain_text = value.len() <= sanitize::MAX_VALUE_CHARS
        && value
            .bytes()
            .all(|b| b == b'\n' || (0x20..0x7f).contains(&b));
    if plain_text {
        value
    } else {
        sanitize::clean_text(&value, sanitize::MAX_VALUE_CHARS)
    }
}

/// A timestamp that may be missing, null, or malformed: all of those become `None` instead of
/// failing the whole response.
pub(crate) fn lenient_time<'de, D>(d: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<DateTime<Utc>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an RFC 3339 timestamp")
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc)))
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: serde::Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(V)
        }
        // Numbers, booleans, objects: not a time we understand.
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            while a
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_are_kept_and_hostile_ones_cleaned() {
        assert_eq!(clean_value("checkout".into()), "checkout");
        assert_eq!(clean_value("a\x1b[31mb".into()), "ab");
        assert_eq!(clean_value("café".into()), "café");
        let long = "x".repeat(sanitize::MAX_VALUE_CHARS + 10);
        assert!(clean_value(long).ends_with("…[cut]"));
    }

    #[test]
    fn lenient_times() {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "lenient_time")]
            t: Option<DateTime<Utc>>,
        }
        let parse = |s: &str| serde_json::from_str::<T>(s).unwrap().t;
        assert!(parse(r#"{"t":"2024-05-01T10:00:00.123456789Z"}"#).is_some());
        assert!(parse(r#"{"t":"2024-05-01T12:00:00+02:00"}"#).is_some());
        assert!(parse(r#"{"t":"yesterday"}"#).is_none());
        assert!(parse(r#"{"t":null}"#).is_none());
        assert!(parse(r#"{"t":5}"#).is_none());
        assert!(parse(r#"{"t":{"a":[1]}}"#).is_none());
        assert!(parse(r#"{}"#).is_none());
    }
}
