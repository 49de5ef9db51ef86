//! What happened: the only input `update` accepts.

use crate::exec::command::CommandResult;
use crate::model::app::{App, AppKey};
use chrono::{DateTime, Utc};
use serde_json::Value;

pub use crate::sources::alerts::AlertsPayload;
pub use crate::sources::argocd::payload::{ArgocdPayload, WatchChange};

#[derive(Debug, Clone)]
pub enum Msg {
    /// A terminal event (key, resize, paste).
    Input(crossterm::event::Event),
    /// Once a second: relative ages move on, flash messages expire.
    Tick(DateTime<Utc>),
    /// A source reported.
    Source(SourceUpdate),
    /// An effect finished; its result.
    Done(EffectOutcome),
    /// The incident journal reported (recorded, failed, another process wrote).
    Journal(crate::incident::worker::JournalReport),
}

#[derive(Debug, Clone)]
pub struct SourceUpdate {
    /// Source name (as configured).
    pub source: String,
    /// When the data was fetched.
    pub at: DateTime<Utc>,
    pub payload: SourcePayload,
}

/// What a source reports: what every kind can say (its version, a failure, whether its live
/// stream is up), and one variant per domain whose payload type lives with the kinds that send
/// it. A new kind adds its own variant; the others stay as they are.
#[derive(Debug, Clone)]
pub enum SourcePayload {
    /// The server's version, learnt once per connection.
    Version(String),
    /// The fetch failed; the message is already sanitised and free of secrets.
    Error(String),
    /// A watched source's stream is connected (`true`) or lost and reconnecting (`false`).
    Live(bool),
    /// Something worth a line in the timeline that is not an outage (a Kubernetes watcher
    /// holding its cap of objects): the source's state does not change. Already sanitised.
    Note(String),
    /// Alertmanager, Prometheus: a complete snapshot of the source's alerts (and silences).
    Alerts(AlertsPayload),
    /// Argo CD: apps listed, one app changed, one app's detail.
    Argocd(ArgocdPayload),
    /// A catalog (Backstage API or local files): every entity it holds, complete.
    Catalog(CatalogPayload),
    /// A paging service: who is on call now, whole account.
    OnCall(std::sync::Arc<crate::model::oncall::OnCallSnapshot>),
    /// A Kubernetes cluster (one context): lists, watch changes, what RBAC refuses.
    Kube(crate::kube::KubePayload),
}

/// A catalog's complete contents. `problems` are the documents that could not be read
/// (`catalog-info.yaml:12: …`), shown on the Services screen and by `sitrep check`; the
/// entities that could be read are all here.
#[derive(Debug, Clone, Default)]
pub struct CatalogPayload {
    pub entities: std::sync::Arc<Vec<std::sync::Arc<crate::catalog::Entity>>>,
    pub problems: Vec<String>,
    /// The entities already indexed, by the source's task (off the UI loop); used as is
    /// while this is the only catalog. `None`: the model indexes them itself.
    pub index: Option<std::sync::Arc<crate::catalog::CatalogIndex>>,
}

impl From<AlertsPayload> for SourcePayload {
    fn from(p: AlertsPayload) -> Self {
        SourcePayload::Alerts(p)
    }
}

impl From<ArgocdPayload> for SourcePayload {
    fn from(p: ArgocdPayload) -> Self {
        SourcePayload::Argocd(p)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum EffectOutcome {
    SilenceCreated {
        request_id: u64,
        source: String,
        silence_id: String,
    },
    SilenceExpired {
        request_id: u64,
        source: String,
        silence_id: String,
    },
    /// The mutation failed; `error` is the server's text (sanitised).
    MutationFailed {
        request_id: u64,
        source: String,
        error: String,
        /// Argo CD: the `spec.syncPolicy.automated` sitrep removed before the failure (a
        /// rollback that turned auto-sync off, then failed), to restore later.
        autosync_before: Option<Value>,
    },
    /// What became of opening `url` in a browser (`Effect::OpenUrl`): `Ok` names the program
    /// that took it (`xdg-open`, `open`, `$BROWSER`'s), `Err` says why nothing opened.
    UrlOpen {
        url: String,
        result: Result<String, String>,
    },
    /// An Argo CD action was accepted; `app` is the server's answer (the Application) if any.
    AppActionDone {
        request_id: u64,
        source: String,
        key: AppKey,
        dry_run: bool,
        app: Box<Option<App>>,
        /// The `spec.syncPolicy.automated` this action removed (sitrep turned auto-sync off,
        /// for a rollback or on request), so turning it back on restores those settings.
        autosync_before: Option<Value>,
    },
    /// A Kubernetes action (`Effect::Kube`) was accepted (or, dry run, would be): what it did.
    KubeActionDone {
        request_id: u64,
        source: String,
        target: crate::kube::WorkloadKey,
        action: crate::kube::KubeAction,
        dry_run: bool,
        report: crate::kube::KubeActionReport,
    },
    /// A pod's log tail (`Effect::FetchLogs`), or why it could not be read.
    Logs {
        request_id: u64,
        source: String,
        request: crate::kube::LogRequest,
        result: Result<crate::kube::LogTail, String>,
    },
    /// A runbook command (`Effect::RunCommand`) ended, could not start, timed out or was
    /// cancelled. Boxed: its output makes it the largest outcome by far.
    CommandFinished(Box<CommandResult>),
}
