//! What to do: `update` returns these; the executor (`exec`) performs them and reports back
//! with `Msg::Done`. Tests assert on them without any network.

use crate::exec::command::CommandSpec;
use crate::model::app::AppKey;
use crate::model::silence::NewSilence;
use crate::notify::Notification;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// `POST /api/v2/silences` on one Alertmanager. Never retried by itself.
    CreateSilence {
        request_id: u64,
        source: String,
        silence: NewSilence,
    },
    /// `DELETE /api/v2/silence/{id}` on one Alertmanager. Never retried by itself.
    ExpireSilence {
        request_id: u64,
        source: String,
        silence_id: String,
    },
    /// Argo CD rollback to a history id (`POST …/rollback`). With `disable_auto_sync` the
    /// executor first PATCHes `spec.syncPolicy.automated` to null and rolls back only if that
    /// worked: the one confirmed step of the safety rules. Never retried.
    Rollback {
        request_id: u64,
        key: AppKey,
        id: i64,
        dry_run: bool,
        prune: bool,
        disable_auto_sync: bool,
    },
    /// Argo CD sync (`POST …/sync`). Never retried.
    Sync {
        request_id: u64,
        key: AppKey,
        revision: Option<String>,
        prune: bool,
        dry_run: bool,
    },
    /// Argo CD: turn auto-sync on (PATCH), e.g. after a rollback has healed the app, or off.
    /// Turning it on restores `restore` (the `spec.syncPolicy.automated` sitrep removed, as
    /// the outcome of turning it off reported it) when known.
    SetAutoSync {
        request_id: u64,
        key: AppKey,
        enabled: bool,
        restore: Option<serde_json::Value>,
    },
    /// Argo CD: terminate the running operation (`DELETE …/operation`).
    Terminate {
        request_id: u64,
        key: AppKey,
    },
    /// Argo CD: fetch the app, its resource tree and events (detail view); `refresh` asks Argo CD
    /// to re-read git (`normal`) or also the manifests cache (`hard`).
    FetchAppDetail {
        key: AppKey,
        refresh: Option<RefreshKind>,
    },
    /// Argo CD: one OutOfSync or Unknown app's `managed-resources`, diffed off the UI loop
    /// (`drift::diff::diff_app`); the answer comes back as `ArgocdPayload::Drift`. Asked for
    /// `resource_version` and not again until the app changes.
    FetchDrift {
        key: AppKey,
        resource_version: String,
    },
    /// Argo CD: a commit's metadata (`…/revisions/{revision}/metadata?sourceIndex=`), asked
    /// through `key` (any app with that source), once per (repo, revision); the answer comes
    /// back as `ArgocdPayload::RevisionMeta`.
    FetchRevisionMeta {
        key: AppKey,
        repo: String,
        revision: String,
        /// Multi-source apps: which source (`sourceIndex`); None for a single source.
        source_index: Option<usize>,
    },
    /// Argo CD: what a deploy changed: the app's rendered manifests at `from` and at `to`
    /// (`…/manifests?revision=`; multi-source: `revisions=` with `sourcePositions=`, one
    /// revision per source), diffed (`drift::diff::diff_manifests`) off the UI loop; the answer
    /// comes back as `ArgocdPayload::DeployDiff`. `from` empty: the deploy had none before it.
    FetchDeployDiff {
        request_id: u64,
        key: AppKey,
        from: Vec<String>,
        to: Vec<String>,
    },
    /// A Kubernetes action on one workload (undo, restart, scale, Argo Rollouts abort/retry/
    /// promote), server-side dry run when asked. Never retried.
    Kube(crate::kube::KubeRequest),
    /// Read a pod's log tail (not a mutation; the log view asks again to follow).
    FetchLogs(crate::kube::LogRequest),
    /// Ask a source to fetch now (after a mutation, or the user pressed refresh).
    Refresh {
        source: String,
    },
    /// Run a runbook block's command (`sh -c`, values only in its environment, its own process
    /// group, a timeout); the result comes back as `EffectOutcome::CommandFinished`.
    RunCommand(CommandSpec),
    /// Stop a running command (its whole process group); its result then says `cancelled`.
    CancelCommand {
        request_id: u64,
    },
    /// Open a URL in the user's browser.
    OpenUrl(String),
    /// Put text on the clipboard (OSC 52, works over SSH).
    Copy(String),
    /// Ask the incident journal to declare, record or export (its own thread; the result
    /// comes back as `Msg::Journal`).
    Journal(crate::incident::worker::JournalRequest),
    /// Tell the user even when they look elsewhere: desktop or terminal notification, through
    /// the rate limit (`notify::Outbox`, in the app loop).
    Notify(Notification),
    /// Stop the terminal, suspend the process (Ctrl-Z), restore on resume.
    Suspend,
    Quit,
}

impl Effect {
    /// The source whose client performs this effect (the executor keeps one per source);
    /// `None` for effects the executor or the app loop perform themselves.
    pub fn source(&self) -> Option<&str> {
        match self {
            Effect::CreateSilence { source, .. } | Effect::ExpireSilence { source, .. } => {
                Some(source)
            }
            Effect::Rollback { key, .. }
            | Effect::Sync { key, .. }
            | Effect::SetAutoSync { key, .. }
            | Effect::Terminate { key, .. }
            | Effect::FetchAppDetail { key, .. }
            | Effect::FetchDrift { key, .. }
            | Effect::FetchRevisionMeta { key, .. }
            | Effect::FetchDeployDiff { key, .. } => Some(&key.instance),
            Effect::Kube(req) => Some(&req.target.cluster),
            Effect::FetchLogs(req) => Some(&req.pod.cluster),
            Effect::Refresh { .. }
            | Effect::RunCommand(_)
            | Effect::CancelCommand { .. }
            | Effect::Journal(_)
            | Effect::OpenUrl(_)
            | Effect::Copy(_)
            | Effect::Notify(_)
            | Effect::Suspend
            | Effect::Quit => None,
        }
    }

    /// The request this effect answers (its outcome carries it back); 0 for effects that are
    /// not requests of the user.
    pub fn request_id(&self) -> u64 {
        match self {
            Effect::CreateSilence { request_id, .. }
            | Effect::ExpireSilence { request_id, .. }
            | Effect::Rollback { request_id, .. }
            | Effect::Sync { request_id, .. }
            | Effect::SetAutoSync { request_id, .. }
            | Effect::Terminate { request_id, .. }
            | Effect::CancelCommand { request_id }
            | Effect::FetchDeployDiff { request_id, .. } => *request_id,
            Effect::Kube(req) => req.request_id,
            Effect::FetchLogs(req) => req.request_id,
            Effect::RunCommand(spec) => spec.request_id,
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshKind {
    Normal,
    Hard,
}
