//! Alertmanager (API v2): alerts and silences, polled; silences created and expired.
//!
//! - `wire`: serde types of its JSON and their translation into model values.
//! - `client`: `AlertmanagerClient` (alerts, silences, status, the silence mutations).
//! - here: the driver (`[[alertmanager]]` / `--alertmanager` / amtool's config, the shared
//!   alert poll task, fetch and check) and the executor's client.

pub mod client;
pub mod wire;

pub use client::{AlertmanagerClient, AmStatus};

use super::alerts::{self, AlertClient, AlertsFetch};
use super::check::CheckReport;
use super::driver::{BoxFuture, EffectClient, SourceDriver};
use super::error::{ErrorKind, SourceError};
use super::http::HttpOptions;
use super::oneshot::{FetchResult, OneshotOptions};
use crate::cli::SourceFlags;
use crate::config::file::ConfigFile;
use crate::config::load::{self, ConfigError, LoadCtx};
use crate::config::source::SourceSpec;
use crate::effect::Effect;
use crate::model::source::SourceKind;
use crate::msg::{EffectOutcome, Msg};
use std::sync::Arc;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

/// The Alertmanager driver.
pub struct Alertmanager;

impl SourceDriver for Alertmanager {
    fn kind(&self) -> SourceKind {
        SourceKind::Alertmanager
    }
    fn name(&self) -> &'static str {
        "alertmanager"
    }
    fn tag(&self) -> &'static str {
        "AM"
    }
    fn noun(&self) -> &'static str {
        "an Alertmanager"
    }

    fn named_by_flags(
        &self,
        flags: &SourceFlags,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        load::http_sources_from_flags(&flags.alertmanager, self.kind(), self.name(), ctx)
    }

    fn named_in_file(
        &self,
        file: &ConfigFile,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        load::http_sources_from_entries(&file.alertmanager, self.kind(), self.name(), ctx)
    }

    /// amtool's `alertmanager.url`.
    fn discover(&self, ctx: &mut LoadCtx<'_>) -> Result<Option<SourceSpec>, ConfigError> {
        let Some((path, map)) = ctx.amtool else {
            return Ok(None);
        };
        let Some(url) = map.get("alertmanager.url") else {
            return Ok(None);
        };
        let url = load::parse_url(url)
            .map_err(|e| ConfigError(format!("{}: alertmanager.url: {e}", path.display())))?;
        let mut spec = SourceSpec::new(self.name(), self.kind(), url, &path.display().to_string());
        spec.timeout = ctx.timeout;
        spec.poll_interval = ctx.poll_interval;
        Ok(Some(spec))
    }

    fn spawn_live(
        &self,
        spec: SourceSpec,
        tx: mpsc::Sender<Msg>,
        wake: Arc<Notify>,
    ) -> JoinHandle<()> {
        alerts::spawn_poll::<AlertmanagerClient>(spec, tx, wake)
    }

    fn fetch_once<'a>(
        &'a self,
        spec: &'a SourceSpec,
        options: &'a OneshotOptions,
        out: &'a mut FetchResult,
    ) -> BoxFuture<'a, ()> {
        Box::pin(alerts::fetch_once::<AlertmanagerClient>(spec, options, out))
    }

    fn check<'a>(&'a self, spec: &'a SourceSpec, report: &'a mut CheckReport) -> BoxFuture<'a, ()> {
        Box::pin(alerts::check::<AlertmanagerClient>(spec, report))
    }

    fn connect(&self, spec: &SourceSpec) -> Result<Arc<dyn EffectClient>, SourceError> {
        Ok(Arc::new(AlertmanagerClient::new(spec)?))
    }
}

impl AlertClient for AlertmanagerClient {
    fn connect(spec: &SourceSpec, options: &HttpOptions) -> Result<Self, SourceError> {
        AlertmanagerClient::with_options(spec, options)
    }

    async fn fetch(&self, with_silences: bool) -> Result<AlertsFetch, SourceError> {
        if !with_silences {
            return Ok(AlertsFetch {
                alerts: self.alerts().await?,
                ..AlertsFetch::default()
            });
        }
        let (alerts, silences) = tokio::join!(self.alerts(), self.silences());
        let alerts = alerts?;
        Ok(match silences {
            Ok(s) => AlertsFetch {
                alerts,
                silences: Some(s),
                silences_error: None,
            },
            Err(e) => AlertsFetch {
                alerts,
                silences: None,
                silences_error: Some(e),
            },
        })
    }

    async fn version(&self) -> Result<String, SourceError> {
        Ok(self.status().await?.version)
    }
}

/// Silences, created and expired once each; any failure is `MutationFailed` with the server's
/// words.
impl EffectClient for AlertmanagerClient {
    fn run(&self, effect: Effect) -> BoxFuture<'static, Msg> {
        let client = self.clone();
        Box::pin(async move {
            let request_id = effect.request_id();
            let source = client.source().to_string();
            let outcome = match effect {
                Effect::CreateSilence { silence, .. } => {
                    client.create_silence(&silence).await.map(|silence_id| {
                        EffectOutcome::SilenceCreated {
                            request_id,
                            source: source.clone(),
                            silence_id,
                        }
                    })
                }
                Effect::ExpireSilence { silence_id, .. } => client
                    .expire_silence(&silence_id)
                    .await
                    .map(|()| EffectOutcome::SilenceExpired {
                        request_id,
                        source: source.clone(),
                        silence_id,
                    }),
                _ => Err(SourceError::new(
                    ErrorKind::Config,
                    None,
                    "that is not an Alertmanager action",
                )),
            };
            Msg::Done(outcome.unwrap_or_else(|e| EffectOutcome::MutationFailed {
                request_id,
                source,
                error: e.to_string(),
                autosync_before: None,
            }))
        })
    }
}
