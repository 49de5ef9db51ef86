//! Kubernetes sources: `[[kubernetes]]` entries, `--kube-context NAME` flags, and the
//! kubeconfig's current context (discovered only when nothing names a source).
//!
//! The kubeconfig files are resolved when the config is loaded, as kubectl resolves them: the
//! entry's `kubeconfig`, else `$KUBECONFIG` (a list, missing files skipped), else
//! `~/.kube/config`. The context must exist there; the source's URL is its cluster's server.

use super::client::read_kubeconfig_files;
use crate::config::load::{ConfigError, Env, LoadCtx, duration, expand_home};
use crate::config::source::{KubeOptions, SourceSpec};
use crate::model::source::SourceKind;
use crate::sanitize;
use ::kube::config::Kubeconfig;
use serde::Deserialize;
use std::path::PathBuf;

use toml::Spanned;

/// `[[kubernetes]]`: one context of the user's kubeconfig.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct KubernetesEntry {
    /// The cluster's name on every row (default: the context).
    pub name: Option<String>,
    /// The kubeconfig context.
    pub context: Spanned<String>,
    /// A kubeconfig file instead of `$KUBECONFIG` / `~/.kube/config` (`~` expanded).
    pub kubeconfig: Option<Spanned<String>>,
    /// Namespaces to watch (empty: all).
    #[serde(default)]
    pub namespaces: Vec<String>,
    pub timeout: Option<Spanned<String>>,
    #[serde(default)]
    pub read_only: bool,
}

/// How many context names an error lists before it says how many more there are.
const LISTED_CONTEXTS: usize = 20;

/// `--kube-context NAME`, repeatable: one source per context, named by it.
pub fn from_flags(values: &[String], ctx: &LoadCtx<'_>) -> Result<Vec<SourceSpec>, ConfigError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let paths =
        kubeconfig_paths(None, ctx.env).map_err(|e| ConfigError(format!("--kube-context: {e}")))?;
    let kubeconfig =
        read_kubeconfig_files(&paths).map_err(|e| ConfigError(format!("--kube-context: {e}")))?;
    values
        .iter()
        .map(|context| {
            let origin = format!("flag --kube-context {}", sanitize::clean_line(context, 200));
            let mut spec = spec_for(context, context, &paths, &kubeconfig, &origin)?;
            spec.timeout = ctx.timeout;
            spec.poll_interval = ctx.poll_interval;
            Ok(spec)
        })
        .collect()
}

/// `[[kubernetes]]` entries.
pub fn from_entries(
    entries: &[Spanned<KubernetesEntry>],
    ctx: &LoadCtx<'_>,
) -> Result<Vec<SourceSpec>, ConfigError> {
    let at = ctx.at;
    entries
        .iter()
        .map(|entry| {
            let e = entry.get_ref();
            let origin = at(entry.span());
            let context = e.context.get_ref().trim();
            if context.is_empty() {
                return Err(ConfigError(format!(
                    "{}: context is empty\n  fix: context = \"NAME\" (see `kubectl config get-contexts`)",
                    at(e.context.span())
                )));
            }
            let explicit = e.kubeconfig.as_ref().map(|k| k.get_ref().as_str());
            let where_ = match &e.kubeconfig {
                Some(k) => at(k.span()),
                None => origin.clone(),
            };
            let paths = kubeconfig_paths(explicit, ctx.env)
                .map_err(|m| ConfigError(format!("{where_}: {m}")))?;
            let kubeconfig =
                read_kubeconfig_files(&paths).map_err(|m| ConfigError(format!("{where_}: {m}")))?;
            let name = e
                .name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or(context);
            let mut spec = spec_for(name, context, &paths, &kubeconfig, &origin)?;
            spec.timeout = match &e.timeout {
                Some(t) => duration(t, &at, "timeout")?,
                None => ctx.timeout,
            };
            spec.poll_interval = ctx.poll_interval;
            spec.read_only = e.read_only;
            spec.kube.namespaces = e
                .namespaces
                .iter()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect();
            Ok(spec)
        })
        .collect()
}

/// The kubeconfig's current context, as a source named by it. Nothing (and at most a warning)
/// when there is no kubeconfig or it names no usable current context: discovery never stops
/// sitrep from starting.
pub fn discovered(ctx: &mut LoadCtx<'_>) -> Option<SourceSpec> {
    let paths = kubeconfig_paths(None, ctx.env).ok()?;
    if paths.iter().all(|p| !p.exists()) {
        return None;
    }
    let kubeconfig = match read_kubeconfig_files(&paths) {
        Ok(k) => k,
        Err(e) => {
            ctx.warnings
                .push(format!("{e}; no Kubernetes cluster added"));
            return None;
        }
    };
    let current = kubeconfig.current_context.clone()?;
    let files = files_text(&paths);
    let origin = format!(
        "{files} (current-context {})",
        sanitize::clean_line(&current, 200)
    );
    match spec_for(&current, &current, &paths, &kubeconfig, &origin) {
        Ok(mut spec) => {
            spec.timeout = ctx.timeout;
            spec.poll_interval = ctx.poll_interval;
            Some(spec)
        }
        Err(e) => {
            ctx.warnings
                .push(format!("{}; no Kubernetes cluster added", e.0));
            None
        }
    }
}

/// The kubeconfig files a source reads, in merge order.
pub fn kubeconfig_paths(explicit: Option<&str>, env: &Env) -> Result<Vec<PathBuf>, String> {
    if let Some(path) = explicit {
        return Ok(vec![expand_home(path.trim(), env)]);
    }
    if let Some(list) = env.var("KUBECONFIG") {
        let listed: Vec<PathBuf> = std::env::split_paths(list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !listed.is_empty() {
            // kubectl skips files of the list that do not exist.
            let existing: Vec<PathBuf> = listed.iter().filter(|p| p.exists()).cloned().collect();
            if existing.is_empty() {
                return Err(format!(
                    "none of $KUBECONFIG's files exist ({})\n  fix: point $KUBECONFIG at your kubeconfig, or set kubeconfig = \"…\"",
                    files_text(&listed)
                ));
            }
            return Ok(existing);
        }
    }
    match env.home() {
        Some(home) => Ok(vec![home.join(".kube").join("config")]),
        None => Err("no kubeconfig: neither $KUBECONFIG nor $HOME is set\n  fix: set kubeconfig = \"/path/to/kubeconfig\"".into()),
    }
}

/// A source for `context` of `kubeconfig` (read from `paths`), named `name`.
fn spec_for(
    name: &str,
    context: &str,
    paths: &[PathBuf],
    kubeconfig: &Kubeconfig,
    origin: &str,
) -> Result<SourceSpec, ConfigError> {
    let shown = sanitize::clean_line(context, 200);
    let Some(found) = kubeconfig.contexts.iter().find(|c| c.name == context) else {
        return Err(ConfigError(format!(
            "{origin}: context `{shown}` is not in the kubeconfig ({})\n  fix: use one of: {}",
            files_text(paths),
            context_names(kubeconfig)
        )));
    };
    let cluster_name = found.context.as_ref().map(|c| c.cluster.as_str());
    let server = cluster_name.and_then(|n| {
        kubeconfig
            .clusters
            .iter()
            .find(|c| c.name == n)
            .and_then(|c| c.cluster.as_ref())
            .and_then(|c| c.server.clone())
    });
    let Some(server) = server else {
        return Err(ConfigError(format!(
            "{origin}: context `{shown}`: its cluster has no server in the kubeconfig ({})\n  fix: check `kubectl config view --minify --context {shown}`",
            files_text(paths)
        )));
    };
    let mut url = url::Url::parse(server.trim()).map_err(|_| {
        ConfigError(format!(
            "{origin}: context `{shown}`: its cluster's server is not a URL ({})",
            files_text(paths)
        ))
    })?;
    // Never carry credentials in the URL shown on the status line and in `check`.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let clean_name = sanitize::clean_line(name, 200);
    let mut spec = SourceSpec::new(&clean_name, SourceKind::Kube, url, origin);
    spec.kube = KubeOptions {
        context: context.to_string(),
        kubeconfigs: paths.to_vec(),
        namespaces: Vec::new(),
    };
    Ok(spec)
}

/// `a, b, c (and 12 more)`, for an error that lists what exists.
fn context_names(kubeconfig: &Kubeconfig) -> String {
    if kubeconfig.contexts.is_empty() {
        return "(the kubeconfig has no contexts)".into();
    }
    let mut names: Vec<String> = kubeconfig
        .contexts
        .iter()
        .take(LISTED_CONTEXTS)
        .map(|c| sanitize::clean_line(&c.name, 100))
        .collect();
    if kubeconfig.contexts.len() > LISTED_CONTEXTS {
        names.push(format!(
            "(and {} more)",
            kubeconfig.contexts.len() - LISTED_CONTEXTS
        ));
    }
    names.join(", ")
}

fn files_text(paths: &[PathBuf]) -> String {
    let joined = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    sanitize::clean_line(&joined, 1000)
}
