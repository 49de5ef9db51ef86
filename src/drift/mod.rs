//! Fleet drift: why OutOfSync and Unknown apps differ from Git, what changed, who changed it.
//!
//! Pure and IO-free. The Argo CD source fetches `managed-resources`, revision metadata and
//! rendered manifests and hands their raw text to [`diff`] (off the UI loop); the model keeps
//! only the results ([`AppDrift`], [`ResourceDiff`]: diff lines and changed paths, never the raw
//! states) and classifies ([`cause`]) and groups ([`group`]) apps from them.

pub mod cause;
pub mod diff;
pub mod fields;
pub mod group;
pub mod manifests;
pub mod paths;
pub mod secret;
pub mod state;
pub mod yaml;

use crate::model::app::AppKey;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Why an app is OutOfSync or Unknown, as `snapshot` and the screens name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseKind {
    /// Git moved past what is deployed (a commit).
    Git,
    /// A Helm chart version moved.
    Chart,
    /// The Application's own source changed (values, path, targetRevision edited).
    AppSpec,
    /// The cluster drifted at the deployed revision (a hand edit, a controller, a webhook).
    Live,
    /// Live but no longer in Git.
    Prune,
    /// In Git but not live.
    Missing,
    /// Not known, with the reason (comparison error, managed resources forbidden, not fetched).
    Unknown,
}

impl CauseKind {
    pub fn word(self) -> &'static str {
        match self {
            CauseKind::Git => "git",
            CauseKind::Chart => "chart",
            CauseKind::AppSpec => "app_spec",
            CauseKind::Live => "live",
            CauseKind::Prune => "prune",
            CauseKind::Missing => "missing",
            CauseKind::Unknown => "unknown",
        }
    }
}

/// A source whose revision moved: from what is deployed to what Git (or the chart repository)
/// resolved now.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RevisionMove {
    pub repo: String,
    /// Which of a multi-source app's sources (0 for a single source).
    pub source_index: usize,
    /// The chart's name when the source is a Helm chart (the revisions are then versions).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub chart: String,
    pub from: String,
    pub to: String,
}

/// One app's cause.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Cause {
    pub kind: CauseKind,
    /// `git` / `chart`: the source that moved.
    pub revision: Option<RevisionMove>,
    /// `unknown`: why (a comparison error's text, "managed resources forbidden", "not fetched
    /// yet"); `app_spec`: what changed in the spec when it can be said.
    pub reason: Option<String>,
}

/// One line of a unified diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LineKind {
    /// `@@ -a,b +c,d @@` (its text is the whole header).
    Hunk,
    Context,
    Added,
    Removed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    pub kind: LineKind,
    /// The line without its `+`/`-`/` ` marker, control characters removed.
    pub text: String,
}

/// Who last wrote a field, from `metadata.managedFields`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FieldWriter {
    /// `kubectl-scale`, `kubectl-edit`, `argocd-controller`, a controller's name.
    pub manager: String,
    /// `Apply` or `Update`.
    pub operation: String,
    /// `scale`, `status` or empty.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subresource: String,
    pub time: Option<DateTime<Utc>>,
}

/// A field that differs: `spec.replicas`, `spec.template.spec.containers[name=redis].image`,
/// `data.timeout`; for live drift, who last wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ChangedPath {
    pub path: String,
    pub writer: Option<FieldWriter>,
}

/// What kind of difference a resource has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceChange {
    /// Live and desired both exist and differ.
    Modified,
    /// Desired, not live (a sync creates it).
    Missing,
    /// Live, not desired (a sync with prune deletes it).
    Extra,
    /// A deploy's diff: in the deploy's manifests, not in the revision before.
    Added,
    /// A deploy's diff: in the revision before, not in the deploy's manifests.
    Removed,
}

/// One resource's difference, ready to show: diff lines and changed paths only (the states
/// themselves are dropped once diffed).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceDiff {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub change: ResourceChange,
    /// Unified diff of the YAML of the two states (3 lines of context), hunk headers included.
    pub lines: Vec<DiffLine>,
    /// Index in `lines` of each hunk header (for hunk navigation).
    pub hunks: Vec<usize>,
    pub added: u32,
    pub removed: u32,
    /// Changed field paths, in document order, each with its last writer when known.
    pub paths: Vec<ChangedPath>,
    /// Values were hidden (a Secret): only the changed keys are shown.
    pub masked: bool,
    /// What could not be done (a state that is not valid JSON, a state over the size cap).
    pub note: Option<String>,
}

/// One `managed-resources` item as the source hands it over: the states as the JSON *strings*
/// the server sent (`"null"` or empty = absent).
#[derive(Clone, Debug, Default)]
pub struct ManagedItem {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub live_state: String,
    pub target_state: String,
    pub normalized_live_state: String,
    pub predicted_live_state: String,
    pub modified: bool,
    pub hook: bool,
}

/// What one `managed-resources` fetch of an app found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AppDrift {
    pub key: AppKey,
    /// The app's `resourceVersion` the fetch was made for: not fetched again until it changes.
    pub resource_version: String,
    pub fetched_at: DateTime<Utc>,
    /// The modified resources (and missing or extra ones), diffed.
    pub resources: Vec<ResourceDiff>,
    /// Why it could not be fetched (forbidden, unreachable, a refused answer), in the source's
    /// words without secrets.
    pub error: Option<String>,
}

/// A commit's metadata (`…/revisions/{rev}/metadata`): outside text, cleaned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RevisionMeta {
    pub author: String,
    pub date: Option<DateTime<Utc>>,
    /// The whole message, control characters removed, capped.
    pub message: String,
    pub tags: Vec<String>,
}

impl RevisionMeta {
    /// The message's first line.
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }
}
