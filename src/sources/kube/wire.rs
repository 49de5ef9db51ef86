//! The wire objects the watchers decode into: only the fields sitrep shows, so managed fields,
//! `last-applied-configuration`, pod specs, volumes and the rest are skipped by the parser and
//! never held. Strings here are still raw; `decode` cleans them into the compact objects.
//!
//! Every field is optional (`null` and absent read the same); a type that is plainly wrong
//! fails that one object. Each type implements `::kube::Resource` so kube-runtime's watcher can
//! list and watch it; its `ObjectMeta` carries only name, namespace and resourceVersion.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use std::borrow::Cow;
use std::marker::PhantomData;

/// The annotations sitrep reads; every other annotation is skipped while parsing.
pub const KEPT_ANNOTATIONS: [&str; 4] = [
    "deployment.kubernetes.io/revision",
    "kubernetes.io/change-cause",
    "rollout.argoproj.io/revision",
    "argocd.argoproj.io/tracking-id",
];

/// Labels past this many on one object are dropped (Kubernetes has no limit; a hostile
/// object could carry thousands).
pub const MAX_LABELS: usize = 64;

/// `metadata`: what sitrep reads of it, and the `ObjectMeta` kube-runtime asks for.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    /// name, namespace, resourceVersion only.
    pub k8s: ObjectMeta,
    pub uid: String,
    pub generation: i64,
    pub created: Option<String>,
    pub deleting: bool,
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
    /// The controller's owner reference (or the first one).
    pub owner: Option<WireOwnerRef>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    generation: Option<i64>,
    creation_timestamp: Option<String>,
    deletion_timestamp: Option<IgnoredAny>,
    labels: Option<Labels>,
    annotations: Option<KeptAnnotations>,
    owner_references: Option<Vec<WireOwnerRef>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireOwnerRef {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub uid: Option<String>,
    pub controller: Option<bool>,
}

impl<'de> Deserialize<'de> for Meta {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Option::<RawMeta>::deserialize(d)?.unwrap_or_default();
        let mut owners = raw.owner_references.unwrap_or_default();
        let controller = owners.iter().position(|o| o.controller == Some(true));
        let owner = match controller {
            Some(i) => Some(owners.swap_remove(i)),
            None => owners.into_iter().next(),
        };
        Ok(Meta {
            k8s: ObjectMeta {
                name: raw.name,
                namespace: raw.namespace,
                resource_version: raw.resource_version,
                ..ObjectMeta::default()
            },
            uid: raw.uid.unwrap_or_default(),
            generation: raw.generation.unwrap_or_default(),
            created: raw.creation_timestamp,
            deleting: raw.deletion_timestamp.is_some(),
            labels: raw.labels.map(|l| l.0).unwrap_or_default(),
            annotations: raw.annotations.map(|a| a.0).unwrap_or_default(),
            owner,
        })
    }
}

/// `metadata.labels`, at most `MAX_LABELS` of them, values that are not strings skipped.
struct Labels(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor(|_: &str| true, MAX_LABELS))
            .map(Labels)
    }
}

/// `metadata.annotations`, only the `KEPT_ANNOTATIONS`: the values of the others (1 MB of
/// `last-applied-configuration`) are skipped without being stored.
struct KeptAnnotations(Vec<(String, String)>);

impl<'de> Deserialize<'de> for KeptAnnotations {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor(
            |k: &str| KEPT_ANNOTATIONS.contains(&k),
            KEPT_ANNOTATIONS.len(),
        ))
        .map(KeptAnnotations)
    }
}

struct PairsVisitor<F>(F, usize);

impl<'de, F: Fn(&str) -> bool> Visitor<'de> for PairsVisitor<F> {
    type Value = Vec<(String, String)>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a map of strings")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if out.len() < self.1 && (self.0)(&key) {
                if let Some(value) = map.next_value::<Option<StringOrOther>>()?
                    && let StringOrOther::String(v) = value
                {
                    out.push((key.into_owned(), v));
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }
}

/// A map value that should be a string; anything else is skipped rather than failing the object.
enum StringOrOther {
    String(String),
    Other,
}

impl<'de> Deserialize<'de> for StringOrOther {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringOrOther;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<StringOrOther, E> {
                Ok(StringOrOther::String(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<StringOrOther, E> {
                Ok(StringOrOther::String(v))
            }
            fn visit_bool<E>(self, _: bool) -> Result<StringOrOther, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<StringOrOther, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<StringOrOther, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<StringOrOther, E> {
                Ok(StringOrOther::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<StringOrOther, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(StringOrOther::Other)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<StringOrOther, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(StringOrOther::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// A number Argo Rollouts may send as a string (`observedGeneration`).
#[derive(Clone, Debug, Default)]
pub struct LooseInt(pub i64);

impl<'de> Deserialize<'de> for LooseInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Int(i64),
            Text(String),
        }
        Ok(match Option::<Either>::deserialize(d)? {
            Some(Either::Int(i)) => LooseInt(i),
            Some(Either::Text(t)) => LooseInt(t.trim().parse().unwrap_or(0)),
            None => LooseInt(0),
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSelector {
    pub match_labels: Option<Labels2>,
    pub match_expressions: Option<Vec<WireRequirement>>,
}

/// `matchLabels`: like labels, capped.
#[derive(Clone, Debug, Default)]
pub struct Labels2(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Labels2 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor(|_: &str| true, MAX_LABELS))
            .map(Labels2)
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireRequirement {
    pub key: Option<String>,
    pub operator: Option<String>,
    pub values: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireTemplate {
    pub spec: Option<WirePodSpec>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WirePodSpec {
    pub containers: Option<Vec<WireContainer>>,
    pub node_name: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireContainer {
    pub name: Option<String>,
    pub image: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireCondition {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub status: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_transition_time: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireStrategy {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Argo Rollouts: which of the two is set is the strategy.
    pub canary: Option<IgnoredAny>,
    #[serde(rename = "blueGreen")]
    pub blue_green: Option<IgnoredAny>,
}

/// The spec of any workload kind (each reads its own fields).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireWorkloadSpec {
    pub replicas: Option<i32>,
    pub paused: Option<bool>,
    pub selector: Option<WireSelector>,
    pub strategy: Option<WireStrategy>,
    pub update_strategy: Option<WireStrategy>,
    pub template: Option<WireTemplate>,
}

/// The status of any workload kind.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireWorkloadStatus {
    pub observed_generation: Option<LooseInt>,
    pub replicas: Option<i32>,
    pub updated_replicas: Option<i32>,
    pub ready_replicas: Option<i32>,
    pub available_replicas: Option<i32>,
    pub unavailable_replicas: Option<i32>,
    pub conditions: Option<Vec<WireCondition>>,
    // StatefulSet
    pub current_revision: Option<String>,
    pub update_revision: Option<String>,
    // DaemonSet
    pub desired_number_scheduled: Option<i32>,
    pub current_number_scheduled: Option<i32>,
    pub updated_number_scheduled: Option<i32>,
    pub number_ready: Option<i32>,
    pub number_available: Option<i32>,
    pub number_unavailable: Option<i32>,
    // Argo Rollouts
    pub phase: Option<String>,
    pub message: Option<String>,
    pub abort: Option<bool>,
}

/// Deployment, StatefulSet, DaemonSet or Rollout (`K` says which, for the API path).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireWorkload<K> {
    #[serde(default)]
    pub metadata: Meta,
    pub spec: Option<WireWorkloadSpec>,
    pub status: Option<WireWorkloadStatus>,
    #[serde(skip)]
    pub kind: PhantomData<K>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireReplicaSetSpec {
    pub replicas: Option<i32>,
    pub template: Option<WireTemplate>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireReplicaSetStatus {
    pub ready_replicas: Option<i32>,
    pub available_replicas: Option<i32>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireReplicaSet {
    #[serde(default)]
    pub metadata: Meta,
    pub spec: Option<WireReplicaSetSpec>,
    pub status: Option<WireReplicaSetStatus>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireWaiting {
    pub reason: Option<String>,
    pub message: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireRunning {
    pub started_at: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireTerminated {
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    pub message: Option<String>,
    pub finished_at: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireContainerState {
    pub waiting: Option<WireWaiting>,
    pub running: Option<WireRunning>,
    pub terminated: Option<WireTerminated>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireContainerStatus {
    pub name: Option<String>,
    pub image: Option<String>,
    pub ready: Option<bool>,
    pub restart_count: Option<i32>,
    pub state: Option<WireContainerState>,
    pub last_state: Option<WireContainerState>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WirePodStatus {
    pub phase: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub conditions: Option<Vec<WireCondition>>,
    pub container_statuses: Option<Vec<WireContainerStatus>>,
    pub init_container_statuses: Option<Vec<WireContainerStatus>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WirePod {
    #[serde(default)]
    pub metadata: Meta,
    pub spec: Option<WirePodSpec>,
    pub status: Option<WirePodStatus>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct WireInvolved {
    pub kind: Option<String>,
    pub name: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSeries {
    pub count: Option<i32>,
    pub last_observed_time: Option<String>,
}

/// A core v1 Event.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireEvent {
    #[serde(default)]
    pub metadata: Meta,
    pub involved_object: Option<WireInvolved>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub count: Option<i32>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub first_timestamp: Option<String>,
    pub last_timestamp: Option<String>,
    pub event_time: Option<String>,
    pub series: Option<WireSeries>,
}

/// Markers for the workload kinds.
#[derive(Clone, Copy, Debug, Default)]
pub struct DeploymentKind;
#[derive(Clone, Copy, Debug, Default)]
pub struct StatefulSetKind;
#[derive(Clone, Copy, Debug, Default)]
pub struct DaemonSetKind;
#[derive(Clone, Copy, Debug, Default)]
pub struct RolloutKind;

pub type WireDeployment = WireWorkload<DeploymentKind>;
pub type WireStatefulSet = WireWorkload<StatefulSetKind>;
pub type WireDaemonSet = WireWorkload<DaemonSetKind>;
pub type WireRollout = WireWorkload<RolloutKind>;

macro_rules! resource {
    ($ty:ty, $kind:literal, $group:literal, $version:literal, $plural:literal) => {
        impl ::kube::Resource for $ty {
            type DynamicType = ();
            type Scope = k8s_openapi::NamespaceResourceScope;
            fn kind(_: &()) -> Cow<'_, str> {
                Cow::Borrowed($kind)
            }
            fn group(_: &()) -> Cow<'_, str> {
                Cow::Borrowed($group)
            }
            fn version(_: &()) -> Cow<'_, str> {
                Cow::Borrowed($version)
            }
            fn plural(_: &()) -> Cow<'_, str> {
                Cow::Borrowed($plural)
            }
            fn meta(&self) -> &ObjectMeta {
                &self.metadata.k8s
            }
            fn meta_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata.k8s
            }
        }
    };
}

resource!(WireDeployment, "Deployment", "apps", "v1", "deployments");
resource!(WireStatefulSet, "StatefulSet", "apps", "v1", "statefulsets");
resource!(WireDaemonSet, "DaemonSet", "apps", "v1", "daemonsets");
resource!(
    WireRollout,
    "Rollout",
    "argoproj.io",
    "v1alpha1",
    "rollouts"
);
resource!(WireReplicaSet, "ReplicaSet", "apps", "v1", "replicasets");
resource!(WirePod, "Pod", "", "v1", "pods");
resource!(WireEvent, "Event", "", "v1", "events");
