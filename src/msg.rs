//! What happened: the only input `update` accepts.

use crate::model::alert::Alert;
use crate::model::app::{App, AppDetail, AppKey};
use crate::model::silence::Silence;
use chrono::{DateTime, Utc};

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
}

#[derive(Debug, Clone)]
pub struct SourceUpdate {
    /// Source name (as configured).
    pub source: String,
    /// When the data was fetched.
    pub at: DateTime<Utc>,
    pub payload: SourcePayload,
}

#[derive(Debug, Clone)]
pub enum SourcePayload {
    /// A complete snapshot of the source's alerts (and, for Alertmanager, its silences).
    Alerts {
        alerts: Vec<Alert>,
        silences: Option<Vec<Silence>>,
    },
    /// The server's version, learnt once per connection.
    Version(String),
    /// The fetch failed; the message is already sanitised and free of secrets.
    Error(String),
    /// Argo CD: the complete list of apps (initial load, or after a reconnect).
    Apps { apps: Vec<App> },
    /// Argo CD watch event for one app.
    AppChanged { change: WatchChange, app: Box<App> },
    /// Argo CD: the watch stream is connected (`true`) or lost and reconnecting (`false`).
    Live(bool),
    /// Argo CD: the full app (Get), its resource tree and events, for the detail view.
    AppDetail {
        app: Box<Option<App>>,
        key: AppKey,
        detail: AppDetail,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchChange {
    Added,
    Modified,
    Deleted,
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
    },
}
