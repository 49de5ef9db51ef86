//! Catalog sources: the Backstage catalog API (`backstage`) and local `catalog-info.yaml`
//! files (`crate::catalog::local`). Read in full every `refresh` (default 5 min); a failed
//! read keeps the last complete catalog (the model keeps it; the status line says it is
//! failing). No actions.
//!
//! - `config`: `[[catalog]]` and `--catalog`.
//! - `backstage`: the API client (cursor paging).
//! - `fetch`: one complete read of either kind.

pub mod backstage;
pub mod config;
pub mod fetch;

use super::check::{CheckReport, apply_error};
use super::driver::{BoxFuture, SourceDriver};
use super::oneshot::{FetchResult, OneshotOptions};
use super::poller::{MIN_INTERVAL, backoff_delay};
use crate::catalog::CatalogIndex;
use crate::cli::SourceFlags;
use crate::config::file::ConfigFile;
use crate::config::load::{ConfigError, LoadCtx};
use crate::config::source::SourceSpec;
use crate::model::source::SourceKind;
use crate::msg::{CatalogPayload, Msg, SourcePayload, SourceUpdate};
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The catalog driver.
pub struct Catalog;

impl SourceDriver for Catalog {
    fn kind(&self) -> SourceKind {
        SourceKind::Catalog
    }
    fn name(&self) -> &'static str {
        "catalog"
    }
    fn tag(&self) -> &'static str {
        "catalog"
    }
    fn noun(&self) -> &'static str {
        "a Backstage backend"
    }

    fn named_by_flags(
        &self,
        flags: &SourceFlags,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        config::from_flags(&flags.catalog, ctx)
    }

    fn named_in_file(
        &self,
        file: &ConfigFile,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        config::from_entries(&file.catalog, ctx)
    }

    fn spawn_live(
        &self,
        spec: SourceSpec,
        tx: mpsc::Sender<Msg>,
        wake: Arc<Notify>,
    ) -> JoinHandle<()> {
        tokio::spawn(run(spec, tx, wake))
    }

    fn fetch_once<'a>(
        &'a self,
        spec: &'a SourceSpec,
        _options: &'a OneshotOptions,
        out: &'a mut FetchResult,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let read = fetch::read(spec, None).await;
            out.fetched_at = Utc::now();
            match read {
                Ok(r) => {
                    out.payload = Some(SourcePayload::Catalog(CatalogPayload {
                        entities: Arc::new(r.entities.into_iter().map(Arc::new).collect()),
                        problems: r.problems,
                        index: None,
                    }))
                }
                Err(e) => out.error = Some(e.message),
            }
        })
    }

    fn check<'a>(&'a self, spec: &'a SourceSpec, report: &'a mut CheckReport) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            match fetch::read(spec, None).await {
                Ok(r) => {
                    report.reachable = true;
                    report.authenticated = Some(true);
                    let mut detail = r.summary;
                    if !r.problems.is_empty() {
                        // Every problem, one per line: the place to read them all.
                        detail.push_str("; problems (the rest loaded):");
                        for p in r.problems.iter().take(50) {
                            detail.push_str(&format!("\n        {p}"));
                        }
                    }
                    report.detail = Some(detail);
                }
                Err(e) => apply_error(report, &e),
            }
        })
    }
}

type Entities = Arc<Vec<Arc<crate::catalog::Entity>>>;

/// Index a catalog on a blocking thread: 10,000 components take milliseconds the UI loop
/// should not spend.
async fn index_off_loop(entities: &Entities) -> Arc<CatalogIndex> {
    let entities = Arc::clone(entities);
    let build = move || Arc::new(CatalogIndex::build(entities.iter().cloned()));
    match tokio::task::spawn_blocking(build.clone()).await {
        Ok(index) => index,
        Err(_) => build(),
    }
}

/// The live task: read, report, wait `refresh` (or back off after a failure), again.
async fn run(spec: SourceSpec, tx: mpsc::Sender<Msg>, wake: Arc<Notify>) {
    let mut client = None;
    let mut last: Option<(Entities, Arc<CatalogIndex>)> = None;
    let mut failures = 0u32;
    loop {
        let started = Instant::now();
        if client.is_none() && spec.catalog.path.is_none() {
            client = backstage::BackstageClient::new(&spec, &Default::default()).ok();
        }
        let payload = match fetch::read(&spec, client.as_ref()).await {
            Ok(r) => {
                failures = 0;
                // An unchanged catalog goes out as the same allocation: the model sees that
                // at a glance and re-joins nothing.
                let same = last.as_ref().is_some_and(|(prev, _)| {
                    prev.len() == r.entities.len()
                        && prev.iter().zip(&r.entities).all(|(a, b)| **a == *b)
                });
                let (entities, index) = match &last {
                    Some((prev, index)) if same => (Arc::clone(prev), Arc::clone(index)),
                    _ => {
                        let entities: Arc<Vec<_>> =
                            Arc::new(r.entities.into_iter().map(Arc::new).collect());
                        (Arc::clone(&entities), index_off_loop(&entities).await)
                    }
                };
                last = Some((Arc::clone(&entities), Arc::clone(&index)));
                SourcePayload::Catalog(CatalogPayload {
                    entities,
                    problems: r.problems,
                    index: Some(index),
                })
            }
            Err(e) => {
                failures += 1;
                tracing::debug!(source = %spec.name, error = %e, "catalog read failed");
                SourcePayload::Error(e.message)
            }
        };
        let msg = Msg::Source(SourceUpdate {
            source: spec.name.clone(),
            at: Utc::now(),
            payload,
        });
        if tx.send(msg).await.is_err() {
            return;
        }
        let delay = if failures > 0 {
            backoff_delay(
                spec.poll_interval.min(std::time::Duration::from_secs(30)),
                failures,
            )
            .min(spec.poll_interval)
        } else {
            spec.poll_interval.max(MIN_INTERVAL)
        };
        tokio::select! {
            _ = tokio::time::sleep_until(started + delay) => {}
            _ = wake.notified() => {}
        }
    }
}
