//! The effect executor: performs what `update` asked for, off the UI loop, and reports each
//! result back as a `Msg`. Mutations run exactly once: no retries here, ever.
//!
//! Effects aimed at a source go to that source's client, which its kind's driver builds once
//! (HTTP client, TLS setup) on the first effect and which then serves every later one; a client
//! that could not be built is tried again on the next effect.

pub mod command;
mod open;

use crate::config::source::SourceSpec;
use crate::effect::Effect;
use crate::msg::{EffectOutcome, Msg};
use crate::sources::registry;
use crate::sources::{EffectClient, SourceHandles};
use command::CommandRunner;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::OnceCell;
use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

/// One configured source and its client, built on first use.
struct Source {
    spec: SourceSpec,
    client: Arc<OnceCell<Arc<dyn EffectClient>>>,
}

pub struct Executor {
    sources: HashMap<String, Source>,
    tx: Sender<Msg>,
    handles: SourceHandles,
    /// The incident journal's thread, when there is a data directory.
    journal: Option<crate::incident::worker::JournalHandle>,
    /// Runbook commands running now, to cancel one or end them all when sitrep quits.
    commands: CommandRunner,
}

impl Executor {
    pub fn new(specs: &[SourceSpec], tx: Sender<Msg>, handles: SourceHandles) -> Executor {
        Executor {
            sources: specs
                .iter()
                .map(|s| {
                    let source = Source {
                        spec: s.clone(),
                        client: Arc::new(OnceCell::new()),
                    };
                    (s.name.clone(), source)
                })
                .collect(),
            tx,
            handles,
            journal: None,
            commands: CommandRunner::new(),
        }
    }

    /// On exit: let the journal thread write what is queued (bounded wait). False when it
    /// could not finish in time.
    pub fn finish_journal(&mut self, within: std::time::Duration) -> bool {
        match self.journal.take() {
            Some(j) => j.finish(within),
            None => true,
        }
    }

    /// On exit: end every runbook command still running (its whole process group). Blocks
    /// for a second at most.
    pub fn kill_commands(&self) {
        self.commands.kill_all();
    }

    /// Journal requests go to this thread.
    pub fn with_journal(mut self, journal: Option<crate::incident::worker::JournalHandle>) -> Self {
        self.journal = journal;
        self
    }

    /// Start an effect. Returns at once; results arrive as `Msg::Done` (or `Msg::Source` for a
    /// detail fetch). Terminal effects (quit, suspend, clipboard, notifications) belong to the
    /// app loop and are not handled here.
    pub fn run(&self, effect: Effect) {
        match effect {
            Effect::Refresh { source } => {
                self.handles.refresh(&source);
            }
            Effect::OpenUrl(url) => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let outcome = open::open_url(url).await;
                    let _ = tx.send(Msg::Done(outcome)).await;
                });
            }
            Effect::Journal(request) => match &self.journal {
                Some(j) => j.send(request),
                None => {
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        let why = "incidents need a data directory: set XDG_DATA_HOME or HOME";
                        let report = crate::incident::worker::JournalReport::Refused(why.into());
                        let _ = tx.send(Msg::Journal(report)).await;
                    });
                }
            },
            Effect::RunCommand(spec) => {
                let tx = self.tx.clone();
                self.commands.start(spec, move |result| {
                    let msg = Msg::Done(EffectOutcome::CommandFinished(Box::new(result)));
                    report(tx, msg);
                });
            }
            Effect::CancelCommand { request_id } => {
                // False when it had already ended: its result is on its way regardless.
                self.commands.cancel(request_id);
            }
            Effect::Copy(_) | Effect::Notify(_) | Effect::Suspend | Effect::Quit => {}
            effect => {
                let Some(name) = effect.source().map(str::to_string) else {
                    return;
                };
                let source = self
                    .sources
                    .get(&name)
                    .map(|s| (s.spec.clone(), s.client.clone()));
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let msg = match source {
                        Some((spec, cell)) => match client(&spec, &cell).await {
                            Ok(client) => client.run(effect).await,
                            Err(error) => failed(&effect, name, error),
                        },
                        // Cannot happen from the UI, which only acts on what sources sent.
                        None => failed(&effect, name.clone(), format!("unknown source {name}")),
                    };
                    let _ = tx.send(msg).await;
                });
            }
        }
    }
}

/// Send a result to the loop from a callback that cannot wait: at once when the queue has room,
/// else from a task, so a full queue delays the result but never loses it.
fn report(tx: Sender<Msg>, msg: Msg) {
    match tx.try_send(msg) {
        Ok(()) | Err(TrySendError::Closed(_)) => {}
        Err(TrySendError::Full(msg)) => {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = tx.send(msg).await;
                });
            }
        }
    }
}

/// The source's client: the one built before, or a new one from its kind's driver.
async fn client(
    spec: &SourceSpec,
    cell: &OnceCell<Arc<dyn EffectClient>>,
) -> Result<Arc<dyn EffectClient>, String> {
    cell.get_or_try_init(|| async {
        match registry::driver_for(spec.kind) {
            Some(driver) => driver.connect(spec).map_err(|e| e.to_string()),
            None => Err(format!("source {} takes no actions", spec.name)),
        }
    })
    .await
    .cloned()
}

fn failed(effect: &Effect, source: String, error: String) -> Msg {
    if let Some(answer) = drift_read_failed(effect, &source, &error) {
        return answer;
    }
    Msg::Done(EffectOutcome::MutationFailed {
        request_id: effect.request_id(),
        source,
        error,
        autosync_before: None,
    })
}

/// A drift read (`FetchDrift`, `FetchRevisionMeta`) that could not be performed, answered with
/// its own payload carrying the error: those reads have no request id, and only their own
/// answer frees the app's fetch slot (or the commit's `Fetching` mark). None for other effects.
pub(crate) fn drift_read_failed(effect: &Effect, source: &str, error: &str) -> Option<Msg> {
    use crate::msg::{ArgocdPayload, SourcePayload, SourceUpdate};
    let error = crate::sanitize::clean_line(error, 300);
    let payload = match effect {
        Effect::FetchDrift {
            key,
            resource_version,
        } => ArgocdPayload::Drift {
            drift: Box::new(crate::drift::AppDrift {
                key: key.clone(),
                resource_version: resource_version.clone(),
                fetched_at: chrono::Utc::now(),
                resources: Vec::new(),
                error: Some(error),
            }),
        },
        Effect::FetchRevisionMeta { repo, revision, .. } => ArgocdPayload::RevisionMeta {
            repo: repo.clone(),
            revision: revision.clone(),
            meta: Err(error),
        },
        _ => return None,
    };
    Some(Msg::Source(SourceUpdate {
        source: source.to_string(),
        at: chrono::Utc::now(),
        payload: SourcePayload::Argocd(payload),
    }))
}
