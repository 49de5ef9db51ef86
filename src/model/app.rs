//! Argo CD applications as sitrep sees them: keyed by (instance, namespace, name), normalised
//! from the wire so the rest of the code never touches Argo CD JSON.

use super::alert::Labels;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A git SHA cut to 7 characters as people read it; tags, branches and versions unchanged.
pub fn short_sha(rev: &str) -> &str {
    if rev.len() >= 12 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        &rev[..7]
    } else {
        rev
    }
}

/// An application's identity across several Argo CD instances and app namespaces.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AppKey {
    /// The configured Argo CD source name.
    pub instance: String,
    /// `metadata.namespace` (usually `argocd`; apps-in-any-namespace use others).
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for AppKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace == "argocd" || self.namespace.is_empty() {
            write!(f, "{}/{}", self.instance, self.name)
        } else {
            write!(f, "{}/{}/{}", self.instance, self.namespace, self.name)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
pub enum SyncStatus {
    OutOfSync,
    #[default]
    Unknown,
    Synced,
}

impl SyncStatus {
    pub fn parse(s: &str) -> SyncStatus {
        match s {
            "Synced" => SyncStatus::Synced,
            "OutOfSync" => SyncStatus::OutOfSync,
            _ => SyncStatus::Unknown,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            SyncStatus::Synced => "Synced",
            SyncStatus::OutOfSync => "OutOfSync",
            SyncStatus::Unknown => "Unknown",
        }
    }
}

/// Ordered worst first, so `min()` over apps gives a service's health.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
pub enum HealthStatus {
    Degraded,
    Missing,
    #[default]
    Unknown,
    Progressing,
    Suspended,
    Healthy,
}

impl HealthStatus {
    pub fn parse(s: &str) -> HealthStatus {
        match s {
            "Healthy" => HealthStatus::Healthy,
            "Progressing" => HealthStatus::Progressing,
            "Degraded" => HealthStatus::Degraded,
            "Suspended" => HealthStatus::Suspended,
            "Missing" => HealthStatus::Missing,
            _ => HealthStatus::Unknown,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            HealthStatus::Healthy => "Healthy",
            HealthStatus::Progressing => "Progressing",
            HealthStatus::Degraded => "Degraded",
            HealthStatus::Suspended => "Suspended",
            HealthStatus::Missing => "Missing",
            HealthStatus::Unknown => "Unknown",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum OperationPhase {
    Running,
    Terminating,
    Failed,
    Error,
    Succeeded,
}

impl OperationPhase {
    pub fn parse(s: &str) -> Option<OperationPhase> {
        Some(match s {
            "Running" => OperationPhase::Running,
            "Terminating" => OperationPhase::Terminating,
            "Failed" => OperationPhase::Failed,
            "Error" => OperationPhase::Error,
            "Succeeded" => OperationPhase::Succeeded,
            _ => return None,
        })
    }
    pub fn is_running(self) -> bool {
        matches!(self, OperationPhase::Running | OperationPhase::Terminating)
    }
}

/// `status.operationState`: the last or current sync/rollback.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Operation {
    pub phase: OperationPhase,
    pub message: String,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `initiatedBy.username` (empty for automated syncs).
    pub initiated_by: String,
    pub automated: bool,
    /// The revision being synced (`operation.sync.revision` or `syncResult.revision`).
    pub revision: String,
    /// Resources that failed to sync, with their messages.
    pub failed_resources: Vec<String>,
    /// `operation.sync.dryRun`: it only asked what would change.
    pub dry_run: bool,
    /// `syncResult.resources`: what it did (or, for a dry run, would do) to each resource.
    pub results: Vec<ResourceResult>,
}

/// One `syncResult.resources[]` entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceResult {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// `Synced`, `SyncFailed`, `Pruned`, `PruneSkipped` (empty while pending).
    pub status: String,
    /// kubectl's words: `deployment.apps/api configured (dry run)`.
    pub message: String,
}

impl ResourceResult {
    /// Did (or would) the operation change this resource? kubectl says `unchanged` otherwise.
    pub fn changes(&self) -> bool {
        !self.message.contains("unchanged")
    }
}

/// One source of an Application (its spec now, what Argo CD compared against, or what a deploy
/// was made from), reduced to what names the Git repository or chart, plus a fingerprint of the
/// whole source (Helm values, parameters, Kustomize images) to tell whether the spec changed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Default)]
pub struct SourceRef {
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    pub path: String,
    /// A Helm chart's name (`targetRevision` is then the chart version).
    pub chart: String,
    pub target_revision: String,
    /// `ref` of a multi-source values source.
    pub reference: String,
    /// FNV-1a over every field of the source as the server sent it; equal sources, equal
    /// fingerprints. Not shown anywhere.
    #[serde(skip)]
    pub fingerprint: u64,
}

impl SourceRef {
    pub fn is_chart(&self) -> bool {
        !self.chart.is_empty()
    }
}

/// One `status.conditions[]` entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Condition {
    /// `ComparisonError`, `SyncError`, `InvalidSpecError`, `OrphanedResourceWarning`, …
    pub kind: String,
    pub message: String,
    pub since: Option<DateTime<Utc>>,
}

impl Condition {
    /// An error condition (its type ends in `Error`): the comparison or sync could not be done.
    pub fn is_error(&self) -> bool {
        self.kind.ends_with("Error")
    }
}

/// One `status.history` entry: a deploy that happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// The id a rollback targets (JSON number on the wire).
    pub id: i64,
    pub revision: String,
    /// Multi-source apps: one revision per source.
    pub revisions: Vec<String>,
    pub deployed_at: Option<DateTime<Utc>>,
    pub deploy_started_at: Option<DateTime<Utc>>,
    pub initiated_by: String,
    pub automated: bool,
    /// The source(s) this deploy was made from (empty when the server did not say).
    pub sources: Vec<SourceRef>,
}

/// `status.resources[]`: a managed resource's sync and health.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceStatus {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub sync: SyncStatus,
    pub health: Option<HealthStatus>,
    pub health_message: String,
    /// `requiresPruning`: live but no longer in Git.
    pub requires_pruning: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct App {
    pub key: AppKey,
    pub project: String,
    pub labels: Labels,
    pub annotations: Labels,
    pub sync: SyncStatus,
    pub health: HealthStatus,
    pub health_message: String,
    /// `status.health.lastTransitionTime`: since when the app has had this health, when Argo
    /// CD says (v2.11+; older servers leave it out).
    pub health_since: Option<DateTime<Utc>>,
    /// `status.sync.revision` (single source) or the first of `revisions`: the revision Git
    /// resolved to and the cluster was *compared* against. Not what runs: after a rollback it
    /// stays at Git's head while the app is OutOfSync. What runs is [`App::deployed_revision`].
    pub git_revision: String,
    pub git_revisions: Vec<String>,
    /// `spec.source.targetRevision` (or of each source).
    pub target_revisions: Vec<String>,
    pub repo_urls: Vec<String>,
    pub multi_source: bool,
    /// `spec.source` or `spec.sources`: what the Application asks for now.
    pub sources: Vec<SourceRef>,
    /// `status.sync.comparedTo.source(s)`: the spec Argo CD compared the cluster against
    /// (empty when the server did not say).
    pub compared_to: Vec<SourceRef>,
    /// `status.conditions[]`.
    pub conditions: Vec<Condition>,
    pub destination_server: String,
    pub destination_namespace: String,
    /// `spec.syncPolicy.automated` present and not `enabled: false`.
    pub auto_sync: bool,
    /// `spec.syncPolicy.automated.selfHeal` with auto-sync on: Argo CD reverts changes made
    /// in the cluster (a kubectl undo) on its own.
    pub self_heal: bool,
    pub operation: Option<Operation>,
    /// Oldest first, as Argo CD keeps it.
    pub history: Vec<HistoryEntry>,
    pub images: Vec<String>,
    pub reconciled_at: Option<DateTime<Utc>>,
    pub resources: Vec<ResourceStatus>,
    pub resource_version: String,
    /// sitrep's own observation, not Argo CD's (its history keeps no health): the health this
    /// app last settled at (Healthy or Degraded, no operation running) while each revision
    /// was deployed. Carried from one state of the app to the next ([`App::observe`]).
    pub seen_health: std::collections::BTreeMap<String, HealthStatus>,
}

impl App {
    /// Carry what sitrep saw of the app's earlier states into this one, and note the health it
    /// has settled at now under what runs. Only revisions still in the history are kept.
    pub fn observe(&mut self, old: Option<&App>) {
        if let Some(old) = old {
            for (rev, health) in &old.seen_health {
                self.seen_health.entry(rev.clone()).or_insert(*health);
            }
        }
        let settled = matches!(self.health, HealthStatus::Healthy | HealthStatus::Degraded)
            && !self.operation_running();
        if settled && let Some(rev) = self.deployed_revision().map(str::to_string) {
            self.seen_health.insert(rev, self.health);
        }
        if !self.history.is_empty() {
            let history = &self.history;
            self.seen_health
                .retain(|rev, _| history.iter().any(|h| h.revision == *rev));
        }
    }

    /// A deploy is running right now.
    pub fn operation_running(&self) -> bool {
        self.operation
            .as_ref()
            .is_some_and(|o| o.phase.is_running())
    }

    /// The history entry that runs now: Argo CD appends one per successful sync or rollback,
    /// oldest first, so it is the newest.
    pub fn current_history(&self) -> Option<&HistoryEntry> {
        self.history.last()
    }

    /// The revision that runs now, the one notion of "current" every screen uses: the newest
    /// history entry's (= the last successful sync's `syncResult.revision`). Without history an
    /// app that is Synced runs what Git was compared at; otherwise nobody knows.
    pub fn deployed_revision(&self) -> Option<&str> {
        match self.current_history() {
            Some(h) => Some(h.revision.as_str()).filter(|r| !r.is_empty()),
            None if self.sync == SyncStatus::Synced && !self.git_revision.is_empty() => {
                Some(self.git_revision.as_str())
            }
            None => None,
        }
    }

    /// Git's revision when it differs from what runs (Git moved on, or a rollback went back):
    /// the screens show it beside the deployed one. Multi-source: the first source whose Git
    /// revision differs from the deployed one.
    pub fn git_differs(&self) -> Option<&str> {
        let git = self.git_revision.as_str();
        if git.is_empty() {
            return None;
        }
        match self.current_history() {
            Some(h) if !h.revisions.is_empty() && !self.git_revisions.is_empty() => self
                .git_revisions
                .iter()
                .enumerate()
                .find(|(i, g)| h.revisions.get(*i) != Some(*g))
                .map(|(_, g)| g.as_str()),
            _ => (self.deployed_revision() != Some(git)).then_some(git),
        }
    }
}

/// `GET …/resource-tree` node, reduced to what the detail view shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TreeNode {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub parent_uids: Vec<String>,
    pub health: Option<HealthStatus>,
    pub health_message: String,
    pub images: Vec<String>,
    /// `info[]` pairs (e.g. `Status: CrashLoopBackOff`, `Revision: Rev:4`).
    pub info: Vec<(String, String)>,
    pub created_at: Option<DateTime<Utc>>,
}

/// A Kubernetes event about one of the app's resources.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KubeEvent {
    pub kind: String,
    pub name: String,
    pub reason: String,
    pub message: String,
    /// `Normal` or `Warning`.
    pub event_type: String,
    pub count: u32,
    pub last_seen: Option<DateTime<Utc>>,
}

/// What the app detail view shows beyond the list: fetched for the apps that matter now
/// (affected, selected), cached, refreshed on change.
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
pub struct AppDetail {
    pub tree: Vec<TreeNode>,
    pub events: Vec<KubeEvent>,
    /// `resourceVersion` of the app when this was fetched (stale when the app moved on).
    pub resource_version: String,
    pub fetched_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, revision: &str) -> HistoryEntry {
        HistoryEntry {
            id,
            revision: revision.into(),
            revisions: Vec::new(),
            deployed_at: None,
            deploy_started_at: None,
            initiated_by: String::new(),
            automated: false,
            sources: Vec::new(),
        }
    }

    fn app(sync: SyncStatus, git: &str, history: Vec<HistoryEntry>) -> App {
        App {
            key: AppKey {
                instance: "argocd".into(),
                namespace: "argocd".into(),
                name: "checkout-prod".into(),
            },
            project: "default".into(),
            labels: Labels::new(),
            annotations: Labels::new(),
            sync,
            health: HealthStatus::Healthy,
            health_message: String::new(),
            health_since: None,
            git_revision: git.into(),
            git_revisions: Vec::new(),
            target_revisions: vec!["HEAD".into()],
            repo_urls: Vec::new(),
            multi_source: false,
            sources: Vec::new(),
            compared_to: Vec::new(),
            conditions: Vec::new(),
            destination_server: String::new(),
            destination_namespace: String::new(),
            auto_sync: false,
            self_heal: false,
            operation: None,
            history,
            images: Vec::new(),
            reconciled_at: None,
            resources: Vec::new(),
            resource_version: String::new(),
            seen_health: Default::default(),
        }
    }

    #[test]
    fn after_a_rollback_what_runs_is_the_newest_history_entry_not_git() {
        // Argo CD after rolling back from 74dd23a to 0765b95: sync.revision stays at Git's
        // head (OutOfSync), history gained the rollback's entry.
        let a = app(
            SyncStatus::OutOfSync,
            "74dd23a",
            vec![
                entry(2, "0765b95"),
                entry(3, "74dd23a"),
                entry(4, "0765b95"),
            ],
        );
        assert_eq!(a.deployed_revision(), Some("0765b95"));
        assert_eq!(a.git_differs(), Some("74dd23a"));
    }

    #[test]
    fn in_sync_git_is_not_repeated_and_no_history_is_honest() {
        let a = app(SyncStatus::Synced, "abc", vec![entry(1, "abc")]);
        assert_eq!(
            (a.deployed_revision(), a.git_differs()),
            (Some("abc"), None)
        );
        // Never synced by Argo CD: Synced means the cluster matches Git; otherwise unknown.
        let a = app(SyncStatus::Synced, "abc", vec![]);
        assert_eq!(
            (a.deployed_revision(), a.git_differs()),
            (Some("abc"), None)
        );
        let a = app(SyncStatus::OutOfSync, "abc", vec![]);
        assert_eq!(a.deployed_revision(), None);
        assert_eq!(a.git_differs(), Some("abc"));
    }

    #[test]
    fn sitrep_remembers_the_health_each_revision_settled_at() {
        let mut bad = app(
            SyncStatus::Synced,
            "74dd23a",
            vec![entry(2, "0765b95"), entry(3, "74dd23a")],
        );
        bad.health = HealthStatus::Degraded;
        bad.observe(None);
        let mut healed = app(
            SyncStatus::OutOfSync,
            "74dd23a",
            vec![
                entry(2, "0765b95"),
                entry(3, "74dd23a"),
                entry(4, "0765b95"),
            ],
        );
        healed.observe(Some(&bad));
        assert_eq!(healed.seen_health["74dd23a"], HealthStatus::Degraded);
        assert_eq!(healed.seen_health["0765b95"], HealthStatus::Healthy);
        // Progressing is no verdict; an operation running neither.
        let mut rolling = healed.clone();
        rolling.history.push(entry(5, "74dd23a"));
        rolling.health = HealthStatus::Progressing;
        rolling.observe(Some(&healed));
        assert_eq!(rolling.seen_health["74dd23a"], HealthStatus::Degraded);
    }

    #[test]
    fn multi_source_compares_every_source() {
        let mut h = entry(1, "1.2.3");
        h.revisions = vec!["1.2.3".into(), "aaa".into()];
        let mut a = app(SyncStatus::OutOfSync, "1.2.3", vec![h]);
        a.git_revisions = vec!["1.2.3".into(), "bbb".into()];
        assert_eq!(a.git_differs(), Some("bbb"));
        a.git_revisions = vec!["1.2.3".into(), "aaa".into()];
        assert_eq!(a.git_differs(), None);
    }
}
