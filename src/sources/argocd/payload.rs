//! What an Argo CD source reports to `update` (inside `SourcePayload::Argocd`).

use crate::model::app::{App, AppDetail, AppKey};

#[derive(Debug, Clone)]
pub enum ArgocdPayload {
    /// The complete list of apps (initial load, or after a reconnect).
    Apps { apps: Vec<App> },
    /// A watch event for one app.
    AppChanged { change: WatchChange, app: Box<App> },
    /// The full app (Get), its resource tree and events, for the detail view.
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
