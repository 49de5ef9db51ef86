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
    /// One app's managed-resources, diffed (`Effect::FetchDrift`); `drift.error` says why not.
    Drift { drift: Box<crate::drift::AppDrift> },
    /// A commit's metadata (`Effect::FetchRevisionMeta`), or why it could not be read.
    RevisionMeta {
        repo: String,
        revision: String,
        meta: Result<crate::drift::RevisionMeta, String>,
    },
    /// What a deploy changed (`Effect::FetchDeployDiff`), or why it could not be read.
    DeployDiff {
        request_id: u64,
        key: AppKey,
        from: Vec<String>,
        to: Vec<String>,
        diff: Result<Vec<crate::drift::ResourceDiff>, String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchChange {
    Added,
    Modified,
    Deleted,
}
