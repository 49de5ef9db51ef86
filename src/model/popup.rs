//! Modal popups. At most one is open; it takes every key until closed.

use super::silence::{Matcher, Silence};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

/// The longest name a confirmation takes (Kubernetes names stop at 253).
const TYPED_MAX: usize = 253;

/// How a mutation is confirmed, the same everywhere (rollback, sync, terminate, auto-sync):
/// a production target's name must be typed (echoed, ✓ when it matches, Enter proceeds only
/// then); any other target takes `y` or Enter. State and keys here; drawn by
/// `ui::popups::argocd::confirmation_lines`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Confirmation {
    /// The name to type (a production target); `None`: `y` or Enter confirms.
    pub name: Option<String>,
    pub typed: String,
    /// Enter was pressed while the typed text did not match (cleared by the next edit).
    pub mismatch: bool,
}

/// What a key did to a [`Confirmation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmStep {
    /// Go ahead.
    Confirmed,
    /// Esc: back to the previous stage (or close).
    Back,
    /// Typed, deleted, refused or ignored: still waiting.
    Waiting,
}

impl Confirmation {
    /// `production` targets need `name` typed; others take `y`/Enter.
    pub fn new(production: bool, name: &str) -> Confirmation {
        Confirmation {
            name: production.then(|| name.to_string()),
            typed: String::new(),
            mismatch: false,
        }
    }

    /// Pasted text is typed text (a name copied from a ticket is still typed on purpose).
    pub fn on_paste(&mut self, text: &str) {
        if self.name.is_some() {
            self.typed.push_str(text.trim());
            self.mismatch = false;
        }
    }

    /// Would Enter proceed now?
    pub fn matches(&self) -> bool {
        self.name.as_ref().is_none_or(|n| *n == self.typed)
    }

    pub fn on_key(&mut self, key: KeyEvent) -> ConfirmStep {
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match (&self.name, key.code) {
            (_, KeyCode::Esc) => ConfirmStep::Back,
            (None, KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('Y')) => {
                ConfirmStep::Confirmed
            }
            (None, _) => ConfirmStep::Waiting,
            (Some(name), KeyCode::Enter) => {
                if self.typed == *name {
                    ConfirmStep::Confirmed
                } else {
                    self.mismatch = true;
                    ConfirmStep::Waiting
                }
            }
            (Some(_), KeyCode::Backspace) => {
                self.typed.pop();
                self.mismatch = false;
                ConfirmStep::Waiting
            }
            (Some(_), KeyCode::Char(c))
                if plain && !c.is_control() && self.typed.chars().count() < TYPED_MAX =>
            {
                self.typed.push(c);
                self.mismatch = false;
                ConfirmStep::Waiting
            }
            (Some(_), _) => ConfirmStep::Waiting,
        }
    }
}

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
    /// Declaring an incident (`i`).
    Declare(Box<DeclareForm>),
    /// Marking a milestone of the open incident (`m`); the cursor is on a milestone.
    Milestone {
        cursor: usize,
    },
    /// A service's links (`o` on a service): its owner card's runbook, dashboard, docs, repo,
    /// chat, email and on-call pages; Enter opens, `y` copies.
    Links {
        service: String,
        /// As shown when the popup opened: a refresh meanwhile never changes what a number
        /// opens.
        links: Vec<crate::model::owner::CardLink>,
        cursor: usize,
    },
    /// A Kubernetes action (undo, restart, scale, Argo Rollouts) by the safety rules.
    KubeAction(Box<super::kube_view::KubeActionForm>),
    /// A pod's log tail (`l`).
    KubeLogs(Box<super::kube_view::LogView>),
    /// A drift group's staged sync plan to confirm (the plan is `drift_screen.plan`).
    DriftSync,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclareField {
    Title,
    Severity,
    Commander,
    Services,
}

/// The declare form: title prefilled from the selected service's top alert, severity from its
/// severity, commander the author, affected services the selection.
#[derive(Debug, Clone)]
pub struct DeclareForm {
    pub title: TextArea<'static>,
    /// Index into `SEVERITIES` (0 = SEV1).
    pub severity: usize,
    pub commander: TextArea<'static>,
    pub services: TextArea<'static>,
    pub field: DeclareField,
    /// Why Enter did not declare.
    pub problem: Option<String>,
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
    /// The last output of a runbook command in the open pane, by its key.
    RunOutput(String),
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

/// A dry run Argo CD was asked for: it runs as an operation on the app, and its result
/// (`syncResult.resources`) shows on the app when it finishes.
#[derive(Debug, Clone, PartialEq)]
pub struct DryRunWatch {
    pub request_id: u64,
    /// When the app's operation before it started: the dry run is the next one.
    pub before: Option<chrono::DateTime<chrono::Utc>>,
    /// Argo CD accepted the request.
    pub accepted: bool,
    /// The finished dry-run operation, once seen on the app.
    pub result: Option<crate::model::app::Operation>,
}

impl DryRunWatch {
    pub fn new(request_id: u64, app: Option<&crate::model::app::App>) -> DryRunWatch {
        DryRunWatch {
            request_id,
            before: app
                .and_then(|a| a.operation.as_ref())
                .and_then(|o| o.started_at),
            accepted: false,
            result: None,
        }
    }

    /// Argo CD is still running it (no result yet, the app's operation running): a real
    /// request now would be refused ("another operation is already in progress").
    pub fn running(&self, app: Option<&crate::model::app::App>) -> bool {
        self.result.is_none() && app.is_some_and(crate::model::app::App::operation_running)
    }

    /// The app's operation, if it is this dry run, finished.
    pub fn finished<'a>(
        &self,
        app: &'a crate::model::app::App,
    ) -> Option<&'a crate::model::app::Operation> {
        app.operation.as_ref().filter(|o| {
            o.dry_run
                && !o.phase.is_running()
                && o.started_at.is_some()
                && o.started_at != self.before
        })
    }
}

#[derive(Debug, Clone)]
pub struct RollbackForm {
    pub key: crate::model::app::AppKey,
    /// The app's history, newest first, as shown; `selected` indexes it.
    pub entries: Vec<crate::model::app::HistoryEntry>,
    pub selected: usize,
    /// Index in `entries` of the newest earlier entry, of another revision than the one that
    /// runs, that sitrep saw the app Healthy at (`App::seen_health`); `None` when it saw none.
    pub last_healthy: Option<usize>,
    pub current_revision: String,
    pub auto_sync: bool,
    /// With auto-sync on: the user accepted "disable auto-sync, then roll back" (toggle with `a`).
    pub disable_auto_sync: bool,
    pub prune: bool,
    pub production: bool,
    /// How the Confirm stage is confirmed (the app's name typed on production).
    pub confirm: Confirmation,
    pub stage: RollbackStage,
    /// The server's words when something was refused, or why confirm is not possible yet.
    pub problem: Option<String>,
    /// No dry run: Argo CD refuses one while auto-sync is on, and the real request turns
    /// auto-sync off first.
    pub dry_run_skipped: bool,
    /// The dry run sent, and its result once Argo CD has run it.
    pub dry_run: Option<DryRunWatch>,
}

impl RollbackForm {
    /// Why the selected entry can not be rolled back to, if so (one message, shown in the
    /// picker; Enter does nothing then).
    pub fn target_refusal(&self) -> Option<&'static str> {
        let Some(entry) = self.entries.get(self.selected) else {
            return Some("no history entry chosen: nothing to roll back to");
        };
        if self.selected == 0 {
            Some("that is what runs now: choose an older entry")
        } else if !entry.revision.is_empty() && entry.revision == self.current_revision {
            Some("that revision is what runs now: choose another")
        } else {
            None
        }
    }
}

#[derive(Debug, Clone)]
pub struct SyncForm {
    pub key: crate::model::app::AppKey,
    pub revision: String,
    pub prune: bool,
    pub dry_run: bool,
    pub production: bool,
    /// How the Confirm stage is confirmed: set on entering it (a dry run changes nothing, so
    /// it needs no typed name even on production).
    pub confirm: Confirmation,
    pub stage: FormStage,
    pub problem: Option<String>,
    /// The last dry run sent from this form, and what Argo CD said it would change.
    pub last_dry_run: Option<DryRunWatch>,
}

impl SyncForm {
    /// A fresh form: no revision (the app's target revision), no prune, no dry run.
    pub fn new(key: crate::model::app::AppKey, production: bool) -> SyncForm {
        SyncForm {
            confirm: Confirmation::new(production, &key.name),
            key,
            revision: String::new(),
            prune: false,
            dry_run: false,
            production,
            stage: FormStage::Edit,
            problem: None,
            last_dry_run: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConfirmAction {
    pub key: crate::model::app::AppKey,
    pub what: ConfirmKind,
    /// The app's name typed on production, else `y`/Enter.
    pub confirm: Confirmation,
    pub stage: FormStage,
}

impl ConfirmAction {
    /// Waiting for confirmation; `production` targets need their name typed.
    pub fn new(
        key: crate::model::app::AppKey,
        what: ConfirmKind,
        production: bool,
    ) -> ConfirmAction {
        ConfirmAction {
            confirm: Confirmation::new(production, &key.name),
            key,
            what,
            stage: FormStage::Confirm,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmKind {
    Terminate,
    EnableAutoSync,
    DisableAutoSync,
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
