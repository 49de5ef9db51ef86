//! Argo CD's JSON, as far as sitrep reads it (`assets/swagger.json`: `v1alpha1Application`,
//! `v1alpha1ApplicationTree`, `eventsEventList`, the watch stream's `{"result"|"error"}`).
//!
//! Servers from v2.4 to v3.x are in the field, behind proxies that re-encode JSON: every field
//! may be missing or `null`, int64s may come as numbers or strings, a string may come as a
//! number. Unknown fields are ignored. One odd value costs that value, never the whole list.

use crate::sources::lenient_time;
use chrono::{DateTime, Utc};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Fleet drift's answers: managed resources, revision metadata, rendered manifests.
pub mod drift;
pub use drift::{ManagedResourcesResponse, ManifestResponse, ResourceDiff, RevisionMetadata};

/// A string that tolerates `null` (empty), numbers and booleans (their text), and ignores
/// arrays and objects (empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text(pub String);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text, E> {
                Ok(Text(s.to_string()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text, E> {
                Ok(Text(s))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Text, E> {
                Ok(Text(n.to_string()))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Text, E> {
                Ok(Text(n.to_string()))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Text, E> {
                Ok(Text(n.to_string()))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Text, E> {
                Ok(Text(b.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text::default())
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Text, D2::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Text, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Text, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// An int64: a JSON number (Go's `encoding/json`) or a decimal string (proto3 JSON). Anything
/// else is `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Int(pub Option<i64>);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Int, D::Error> {
        let text = Text::deserialize(d)?;
        let s = text.as_str().trim();
        Ok(Int(s.parse::<i64>().ok().or_else(|| {
            // "5.0", "5e0": a number that went through a float somewhere.
            s.parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })))
    }
}

/// An array that tolerates `null` (empty) and `null` elements (skipped).
#[derive(Clone, Debug, PartialEq)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<T> std::ops::Deref for List<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<List<T>, D::Error> {
        let items = Option::<Vec<Option<T>>>::deserialize(d)?.unwrap_or_default();
        Ok(List(items.into_iter().flatten().collect()))
    }
}

/// String maps (labels, annotations): `null` is empty, odd values become text.
pub type Map = Option<BTreeMap<String, Text>>;

/// `null` for an object field is the same as a missing one.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

pub type Time = Option<DateTime<Utc>>;

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ApplicationList {
    #[serde(deserialize_with = "nullable")]
    pub metadata: ListMeta,
    pub items: List<Application>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ListMeta {
    pub resource_version: Text,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct Application {
    #[serde(deserialize_with = "nullable")]
    pub metadata: ObjectMeta,
    #[serde(deserialize_with = "nullable")]
    pub spec: AppSpec,
    #[serde(deserialize_with = "nullable")]
    pub status: AppStatus,
    /// An operation requested and not yet picked up by the controller.
    pub operation: Option<Operation>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ObjectMeta {
    pub name: Text,
    pub namespace: Text,
    pub resource_version: Text,
    pub labels: Map,
    pub annotations: Map,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct AppSpec {
    pub project: Text,
    pub source: Option<AppSource>,
    pub sources: List<AppSource>,
    #[serde(deserialize_with = "nullable")]
    pub destination: Destination,
    pub sync_policy: Option<SyncPolicy>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct AppSource {
    #[serde(rename = "repoURL")]
    pub repo_url: Text,
    pub path: Text,
    pub target_revision: Text,
    pub chart: Text,
    #[serde(rename = "ref")]
    pub reference: Text,
    pub name: Text,
    /// The rest of a source, kept only to tell whether the Application's own spec changed
    /// (Helm values and parameters, Kustomize images, plugin env): fingerprinted, never shown.
    pub helm: Option<serde_json::Value>,
    pub kustomize: Option<serde_json::Value>,
    pub directory: Option<serde_json::Value>,
    pub plugin: Option<serde_json::Value>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct Destination {
    pub server: Text,
    pub namespace: Text,
    pub name: Text,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncPolicy {
    pub automated: Option<Automated>,
}

/// `spec.syncPolicy.automated`. Auto-sync is on when this is present and `enabled` is absent
/// or true (`enabled` arrived in v3; older servers only have presence).
#[derive(Deserialize, Serialize, Default, Debug, Clone, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct Automated {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_heal: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_empty: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

impl Automated {
    pub fn is_on(&self) -> bool {
        self.enabled != Some(false)
    }
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct AppStatus {
    #[serde(deserialize_with = "nullable")]
    pub sync: SyncState,
    #[serde(deserialize_with = "nullable")]
    pub health: Health,
    pub operation_state: Option<OperationState>,
    pub history: List<RevisionHistory>,
    #[serde(deserialize_with = "lenient_time")]
    pub reconciled_at: Time,
    #[serde(deserialize_with = "nullable")]
    pub summary: Summary,
    pub resources: List<ResourceStatus>,
    /// `ComparisonError`, `SyncError`, `InvalidSpecError`, … (why an app is Unknown).
    pub conditions: List<Condition>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub kind: Text,
    pub message: Text,
    #[serde(deserialize_with = "lenient_time")]
    pub last_transition_time: Time,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncState {
    pub status: Text,
    pub revision: Text,
    pub revisions: List<Text>,
    /// The Application's source(s) and destination as they were when Argo CD compared.
    pub compared_to: Option<ComparedTo>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ComparedTo {
    pub source: Option<AppSource>,
    pub sources: List<AppSource>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct Health {
    pub status: Text,
    pub message: Text,
    /// Since when (app-level health, Argo CD v2.11+).
    #[serde(deserialize_with = "lenient_time")]
    pub last_transition_time: Time,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct Summary {
    pub images: List<Text>,
    #[serde(rename = "externalURLs")]
    pub external_urls: List<Text>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct OperationState {
    pub phase: Text,
    pub message: Text,
    #[serde(deserialize_with = "lenient_time")]
    pub started_at: Time,
    #[serde(deserialize_with = "lenient_time")]
    pub finished_at: Time,
    pub operation: Option<Operation>,
    pub sync_result: Option<SyncResult>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct Operation {
    pub sync: Option<SyncOperation>,
    #[serde(deserialize_with = "nullable")]
    pub initiated_by: Initiator,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncOperation {
    pub revision: Text,
    pub revisions: List<Text>,
    pub dry_run: Option<bool>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct Initiator {
    pub username: Text,
    pub automated: Option<bool>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncResult {
    pub revision: Text,
    pub revisions: List<Text>,
    pub resources: List<ResourceResult>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceResult {
    pub group: Text,
    pub kind: Text,
    pub namespace: Text,
    pub name: Text,
    pub status: Text,
    pub message: Text,
    pub hook_phase: Text,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct RevisionHistory {
    pub id: Int,
    pub revision: Text,
    pub revisions: List<Text>,
    #[serde(deserialize_with = "lenient_time")]
    pub deployed_at: Time,
    #[serde(deserialize_with = "lenient_time")]
    pub deploy_started_at: Time,
    #[serde(deserialize_with = "nullable")]
    pub initiated_by: Initiator,
    /// The source(s) this deploy was made from (the Application's spec at that time).
    pub source: Option<AppSource>,
    pub sources: List<AppSource>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceStatus {
    pub group: Text,
    pub kind: Text,
    pub namespace: Text,
    pub name: Text,
    pub status: Text,
    pub health: Option<Health>,
    /// Live but no longer in Git: a sync with prune deletes it.
    pub requires_pruning: Option<bool>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ApplicationTree {
    pub nodes: List<ResourceNode>,
    pub orphaned_nodes: List<ResourceNode>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceNode {
    pub group: Text,
    pub kind: Text,
    pub namespace: Text,
    pub name: Text,
    pub uid: Text,
    pub parent_refs: List<ResourceRef>,
    pub info: List<InfoItem>,
    pub images: List<Text>,
    pub health: Option<Health>,
    #[serde(deserialize_with = "lenient_time")]
    pub created_at: Time,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceRef {
    pub kind: Text,
    pub namespace: Text,
    pub name: Text,
    pub uid: Text,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct InfoItem {
    pub name: Text,
    pub value: Text,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct EventList {
    pub items: List<Event>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct Event {
    #[serde(deserialize_with = "nullable")]
    pub involved_object: ObjectRef,
    pub reason: Text,
    pub message: Text,
    #[serde(rename = "type")]
    pub event_type: Text,
    pub count: Int,
    #[serde(deserialize_with = "lenient_time")]
    pub first_timestamp: Time,
    #[serde(deserialize_with = "lenient_time")]
    pub last_timestamp: Time,
    #[serde(deserialize_with = "lenient_time")]
    pub event_time: Time,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct ObjectRef {
    pub kind: Text,
    pub namespace: Text,
    pub name: Text,
}

/// One line of `GET /api/v1/stream/applications`.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct WatchLine {
    pub result: Option<WatchEvent>,
    pub error: Option<StreamError>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct WatchEvent {
    #[serde(rename = "type")]
    pub event_type: Text,
    pub application: Option<Application>,
}

/// `runtimeStreamError`.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct StreamError {
    pub grpc_code: Int,
    pub http_code: Int,
    pub message: Text,
    pub http_status: Text,
}

/// `runtimeError`: the body of every non-2xx answer.
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct ApiError {
    pub error: Text,
    pub code: Int,
    pub message: Text,
}

/// `versionVersionMessage` (Go field names, capitalised).
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct VersionMessage {
    #[serde(rename = "Version")]
    pub version: Text,
}

/// What sitrep reads of an app to disable auto-sync and restore it later: the whole
/// `automated` object as the server holds it (unknown fields included).
#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct AutomatedOnly {
    #[serde(deserialize_with = "nullable")]
    pub spec: SpecAutomated,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct SpecAutomated {
    #[serde(deserialize_with = "nullable")]
    pub sync_policy: PolicyAutomated,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default, rename_all = "camelCase")]
pub struct PolicyAutomated {
    pub automated: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Only the project of an app (to name it in a permission error).
#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct ProjectOnly {
    #[serde(deserialize_with = "nullable")]
    pub spec: SpecProject,
}

#[derive(Deserialize, Default, Debug)]
#[serde(default)]
pub struct SpecProject {
    pub project: Text,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_nulls_strings_for_numbers_and_odd_types() {
        let app: Application = serde_json::from_str(
            r#"{"metadata":{"name":"a","labels":{"x":1,"y":null},"annotations":null},
                "spec":null,
                "status":{"history":[{"id":"7"},null,{"id":3},{"id":4.0},{"id":"x"}],
                          "sync":{"revisions":null,"status":["odd"]},
                          "summary":null,"resources":null,"reconciledAt":5}}"#,
        )
        .unwrap();
        let ids: Vec<_> = app.status.history.iter().map(|h| h.id.0).collect();
        assert_eq!(ids, [Some(7), Some(3), Some(4), None]);
        let labels = app.metadata.labels.unwrap();
        assert_eq!(labels["x"].as_str(), "1");
        assert_eq!(labels["y"].as_str(), "");
        assert!(app.status.sync.status.is_empty());
        assert!(app.status.reconciled_at.is_none());
    }

    #[test]
    fn automated_presence_and_enabled() {
        let policy = |s: &str| serde_json::from_str::<SyncPolicy>(s).unwrap().automated;
        assert!(policy(r#"{"automated":{}}"#).unwrap().is_on());
        assert!(policy(r#"{"automated":{"enabled":true}}"#).unwrap().is_on());
        assert!(
            !policy(r#"{"automated":{"enabled":false}}"#)
                .unwrap()
                .is_on()
        );
        assert!(policy(r#"{"automated":null}"#).is_none());
        assert!(policy(r#"{}"#).is_none());
    }
}
