//! The one interface every kind of source provides. The config loader, the poller, `check`,
//! `snapshot`, the status line and the executor call it (through `registry`) and never ask
//! which kind a source is; everything a kind knows lives in its own folder.

use super::check::CheckReport;
use super::error::{ErrorKind, SourceError};
use super::oneshot::{FetchResult, OneshotOptions};
use crate::cli::SourceFlags;
use crate::config::file::ConfigFile;
use crate::config::load::{ConfigError, LoadCtx};
use crate::config::source::SourceSpec;
use crate::effect::Effect;
use crate::model::source::SourceKind;
use crate::msg::Msg;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

/// A future a driver hands back; boxed so that the trait stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One kind of source: its config entry, its live task, its one-shot fetch, its check and the
/// client that performs its effects. Implementations are unit structs registered once in
/// `registry::DRIVERS`.
pub trait SourceDriver: Send + Sync {
    /// The kind it serves.
    fn kind(&self) -> SourceKind;
    /// Its config table (`[[alertmanager]]`), its flag (`--alertmanager`), and the name of a
    /// source that was given none.
    fn name(&self) -> &'static str;
    /// Its short tag on the status line (`AM`).
    fn tag(&self) -> &'static str;
    /// What such a server is called in errors: "not found: is this *an Alertmanager*?".
    fn noun(&self) -> &'static str;

    /// The sources its command-line flag names (none when the flag is not given).
    fn named_by_flags(
        &self,
        flags: &SourceFlags,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError>;
    /// The sources of its `[[table]]` entries in the config file.
    fn named_in_file(
        &self,
        file: &ConfigFile,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError>;
    /// A source found in what the user already has (amtool's or the argocd CLI's config);
    /// asked only when neither flags nor the file name any source.
    fn discover(&self, _ctx: &mut LoadCtx<'_>) -> Result<Option<SourceSpec>, ConfigError> {
        Ok(None)
    }

    /// Start the live task (a poll loop or a watch) that reports `Msg::Source` for `spec` until
    /// the receiver is gone or the task is aborted; `wake` asks it to fetch now.
    fn spawn_live(
        &self,
        spec: SourceSpec,
        tx: mpsc::Sender<Msg>,
        wake: Arc<Notify>,
    ) -> JoinHandle<()>;

    /// Fetch everything once (`sitrep snapshot`) into `out`: its payload, or its error.
    fn fetch_once<'a>(
        &'a self,
        spec: &'a SourceSpec,
        options: &'a OneshotOptions,
        out: &'a mut FetchResult,
    ) -> BoxFuture<'a, ()>;

    /// Reach and authenticate the source (`sitrep check`), filling in `report`.
    fn check<'a>(&'a self, spec: &'a SourceSpec, report: &'a mut CheckReport) -> BoxFuture<'a, ()>;

    /// The client the executor keeps for this source (built once, reused for every effect).
    /// Kinds without actions keep the default: every effect is refused with this error.
    fn connect(&self, spec: &SourceSpec) -> Result<Arc<dyn EffectClient>, SourceError> {
        Err(SourceError::new(
            ErrorKind::Config,
            None,
            format!("{} takes no actions (source {})", self.noun(), spec.name),
        ))
    }
}

/// One source's client as the executor uses it: performs an effect aimed at that source,
/// exactly once, and reports it as the `Msg` that goes back to `update`.
pub trait EffectClient: Send + Sync {
    fn run(&self, effect: Effect) -> BoxFuture<'static, Msg>;
}
