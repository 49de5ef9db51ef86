//! The effect executor: performs what `update` asked for, off the UI loop, and reports each
//! result back as a `Msg`. Mutations run exactly once: no retries here, ever.

mod open;

use crate::config::source::SourceSpec;
use crate::effect::Effect;
use crate::msg::{EffectOutcome, Msg};
use crate::sources::SourceHandles;
use crate::sources::alertmanager::AlertmanagerClient;
use crate::sources::argocd::run_argocd_effect;
use std::collections::HashMap;
use tokio::sync::mpsc::Sender;

pub struct Executor {
    specs: HashMap<String, SourceSpec>,
    tx: Sender<Msg>,
    handles: SourceHandles,
}

impl Executor {
    pub fn new(specs: &[SourceSpec], tx: Sender<Msg>, handles: SourceHandles) -> Executor {
        Executor {
            specs: specs.iter().map(|s| (s.name.clone(), s.clone())).collect(),
            tx,
            handles,
        }
    }

    /// Start an effect. Returns at once; results arrive as `Msg::Done`. Terminal effects (quit,
    /// suspend, clipboard) belong to the app loop and are not handled here.
    pub fn run(&self, effect: Effect) {
        match effect {
            Effect::CreateSilence {
                request_id,
                source,
                silence,
            } => {
                self.silence_call(request_id, source, move |client, source| async move {
                    let silence_id = client.create_silence(&silence).await?;
                    Ok(EffectOutcome::SilenceCreated {
                        request_id,
                        source,
                        silence_id,
                    })
                });
            }
            Effect::ExpireSilence {
                request_id,
                source,
                silence_id,
            } => {
                self.silence_call(request_id, source, move |client, source| async move {
                    client.expire_silence(&silence_id).await?;
                    Ok(EffectOutcome::SilenceExpired {
                        request_id,
                        source,
                        silence_id,
                    })
                });
            }
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
            Effect::Rollback { ref key, .. }
            | Effect::Sync { ref key, .. }
            | Effect::SetAutoSync { ref key, .. }
            | Effect::Terminate { ref key, .. }
            | Effect::FetchAppDetail { ref key, .. } => {
                let spec = self.specs.get(&key.instance).cloned();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let msg = match spec {
                        Some(spec) => run_argocd_effect(&spec, effect).await,
                        None => unknown_argocd_source(effect),
                    };
                    let _ = tx.send(msg).await;
                });
            }
            Effect::Copy(_) | Effect::Suspend | Effect::Quit => {}
        }
    }
}

impl Executor {
    /// Run one Alertmanager mutation off the loop, once; any failure (no such source, bad
    /// client setup, the server's refusal) becomes `MutationFailed` with its words.
    fn silence_call<F, Fut>(&self, request_id: u64, source: String, call: F)
    where
        F: FnOnce(AlertmanagerClient, String) -> Fut + Send + 'static,
        Fut:
            std::future::Future<Output = Result<EffectOutcome, crate::sources::SourceError>> + Send,
    {
        let spec = self.specs.get(&source).cloned();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let client = match spec.map(|s| AlertmanagerClient::new(&s)) {
                Some(Ok(client)) => Ok(client),
                Some(Err(e)) => Err(e.to_string()),
                None => Err(format!("unknown source {source}")),
            };
            let outcome = match client {
                Ok(client) => call(client, source.clone())
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            let outcome = outcome.unwrap_or_else(|error| EffectOutcome::MutationFailed {
                request_id,
                source,
                error,
            });
            let _ = tx.send(Msg::Done(outcome)).await;
        });
    }
}

/// An Argo CD effect for an instance that is not configured (cannot happen from the UI, which
/// only acts on apps it was sent): report it like any failed mutation.
fn unknown_argocd_source(effect: Effect) -> Msg {
    let (request_id, source) = match effect {
        Effect::Rollback {
            request_id, key, ..
        }
        | Effect::Sync {
            request_id, key, ..
        }
        | Effect::SetAutoSync {
            request_id, key, ..
        }
        | Effect::Terminate { request_id, key } => (request_id, key.instance),
        Effect::FetchAppDetail { key, .. } => (0, key.instance),
        _ => (0, String::new()),
    };
    Msg::Done(EffectOutcome::MutationFailed {
        request_id,
        error: format!("unknown Argo CD source {source}"),
        source,
    })
}
