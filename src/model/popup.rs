//! Modal popups. At most one is open; it takes every key until closed.

use super::silence::{Matcher, Silence};
use ratatui_textarea::TextArea;

/// Durations offered when silencing, shortest first. The default is the first.
pub const SILENCE_PRESETS: [(&str, i64); 7] = [
    ("1h", 3600),
    ("2h", 2 * 3600),
    ("4h", 4 * 3600),
    ("8h", 8 * 3600),
    ("1d", 24 * 3600),
    ("3d", 3 * 24 * 3600),
    ("7d", 7 * 24 * 3600),
];

#[derive(Debug, Clone)]
pub enum Popup {
    Help {
        scroll: u16,
    },
    Silence(Box<SilenceForm>),
    Expire(ExpireForm),
    Rollback(Box<RollbackForm>),
    Sync(Box<SyncForm>),
    Confirm(ConfirmAction),
    /// Everything about one thing, wrapped and scrollable: long text is always readable here.
    Inspect(Inspect),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inspect {
    pub target: InspectTarget,
    pub scroll: u16,
}

/// What the reading popup shows: found again in the model on every frame, so it stays live.
#[derive(Debug, Clone, PartialEq)]
pub enum InspectTarget {
    /// A timeline event, by id.
    Event(String),
    /// An alert, by fingerprint.
    Alert(String),
    /// A node of an app's resource tree, by uid.
    Resource {
        app: crate::model::app::AppKey,
        uid: String,
    },
    /// A history entry of an app, by id.
    History {
        app: crate::model::app::AppKey,
        id: i64,
    },
    /// A Kubernetes event of an app (events have no id: the one shown when it was opened).
    KubeEvent {
        app: crate::model::app::AppKey,
        event: Box<crate::model::app::KubeEvent>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollbackStage {
    /// Choosing the history entry (cursor).
    Pick,
    /// Dry run sent; waiting for the server to accept it (request id).
    DryRun(u64),
    /// Dry run accepted: showing exactly what will happen, waiting for confirmation (typed name if production).
    Confirm,
    /// Sent for real; waiting (request id). Further presses do nothing.
    InFlight(u64),
    /// Accepted: watching the app heal (until Healthy or failed).
    Watching,
}

#[derive(Debug, Clone)]
pub struct RollbackForm {
    pub key: crate::model::app::AppKey,
    /// The app's history, newest first, as shown; `selected` indexes it.
    pub entries: Vec<crate::model::app::HistoryEntry>,
    pub selected: usize,
    /// Index in `entries` of the newest entry that was deployed while the app was Healthy (best guess: the entry before the current one), marked "last healthy".
    pub last_healthy: Option<usize>,
    pub current_revision: String,
    pub auto_sync: bool,
    /// With auto-sync on: the user accepted "disable auto-sync, then roll back" (toggle with `a`).
    pub disable_auto_sync: bool,
    pub prune: bool,
    pub production: bool,
    /// What the user typed to confirm a production target (must equal the app name).
    pub typed: String,
    pub stage: RollbackStage,
    /// The server's words when something was refused, or why confirm is not possible yet.
    pub problem: Option<String>,
    /// Argo CD refused the dry run only because auto-sync is on (it can't dry-run then); the
    /// real request disables auto-sync first.
    pub dry_run_skipped: bool,
}

#[derive(Debug, Clone)]
pub struct SyncForm {
    pub key: crate::model::app::AppKey,
    pub revision: String,
    pub prune: bool,
    pub dry_run: bool,
    pub production: bool,
    pub typed: String,
    pub stage: FormStage,
    pub problem: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ConfirmAction {
    pub key: crate::model::app::AppKey,
    pub what: ConfirmKind,
    pub stage: FormStage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmKind {
    Terminate,
    EnableAutoSync,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilenceField {
    /// Which Alertmanager (only offered when there are several).
    Target,
    Matchers,
    Duration,
    Comment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormStage {
    /// The user is filling the form.
    Edit,
    /// The form is complete; shown back as exactly what will be sent, waiting for `y`.
    Confirm,
    /// Sent; waiting for the server. Further presses do nothing.
    InFlight(u64),
}

#[derive(Debug, Clone)]
pub struct SilenceForm {
    /// The Alertmanager the silence will be created on.
    pub source: String,
    /// Every writable Alertmanager, for cycling the target with ←/→ on the first field.
    pub targets: Vec<String>,
    /// One line of matchers, Alertmanager syntax, comma-separated.
    pub matchers: TextArea<'static>,
    /// The matchers as parsed from the line, or why they don't parse.
    pub parsed: Result<Vec<Matcher>, String>,
    /// How many known alerts the matchers select.
    pub affected: usize,
    pub duration: usize,
    pub comment: TextArea<'static>,
    pub author: String,
    pub field: SilenceField,
    pub stage: FormStage,
    /// Why the form can't be submitted yet.
    pub problem: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ExpireForm {
    pub silence: Silence,
    /// Alerts this silence currently suppresses.
    pub affected: usize,
    pub stage: FormStage,
}
