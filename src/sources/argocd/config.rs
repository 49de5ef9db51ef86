//! Argo CD sources: `[[argocd]]` entries, `--argocd` flags, and the argocd CLI's current context
//! (discovered only when nothing names a source).
//!
//! Token, first found: the entry's `token_env`/`token_file`, `$ARGOCD_AUTH_TOKEN`, the CLI
//! config's user for the same server. The CLI config also lends that server's CA and client
//! certificate.

use crate::config::argocd_cli::{CliConfig, CliContext, server_url, with_path_prefix};
use crate::config::load::{
    ConfigError, Env, LoadCtx, default_name, duration, parse_url, secret_from, split_name,
};
use crate::config::source::{Auth, Secret, SourceSpec, TlsOptions};
use crate::model::source::SourceKind;
use crate::sanitize;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;
use toml::Spanned;

/// `[[argocd]]`: one Argo CD API server. The token comes from `token_env`/`token_file`, else
/// `$ARGOCD_AUTH_TOKEN`, else the argocd CLI's config entry for the same server.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ArgocdEntry {
    pub name: Option<String>,
    pub url: Spanned<String>,
    pub timeout: Option<Spanned<String>>,
    /// How long to wait before reconnecting the watch stream after a failure (the base of its
    /// backoff); the stream itself is live.
    pub poll_interval: Option<Spanned<String>>,
    /// PEM bundle of extra CAs to trust.
    pub ca_file: Option<String>,
    #[serde(default)]
    pub insecure: bool,
    #[serde(default)]
    pub read_only: bool,
    /// Name of an environment variable holding the Argo CD token.
    pub token_env: Option<Spanned<String>>,
    /// File holding the Argo CD token (trailing newline ignored).
    pub token_file: Option<Spanned<String>>,
    /// Only apps of these projects (empty: all the token may see).
    #[serde(default)]
    pub projects: Vec<String>,
    /// Only apps matching this label selector (`team=payments,tier!=batch`).
    pub selector: Option<String>,
    /// Only apps in this namespace (apps-in-any-namespace).
    pub app_namespace: Option<String>,
    /// Path prefix when Argo CD is served under a sub-path (the CLI's `--grpc-web-root-path`).
    pub grpc_web_root_path: Option<String>,
}

/// Argo CD specifics of a source (from the config or the argocd CLI's own config).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ArgocdOptions {
    /// Only these projects (empty = all).
    pub projects: Vec<String>,
    /// Only apps matching this label selector.
    pub selector: Option<String>,
    /// Only apps in this namespace (apps-in-any-namespace); empty = the server's default.
    pub app_namespace: Option<String>,
}

const NAME: &str = "argocd";

/// What every Argo CD source is resolved against.
pub(super) struct Ctx<'a> {
    pub env: &'a Env,
    pub cli: Option<&'a CliConfig>,
    pub timeout: Duration,
    pub poll_interval: Duration,
}

impl<'a> Ctx<'a> {
    pub fn new(load: &'a LoadCtx<'_>, cli: Option<&'a CliConfig>) -> Ctx<'a> {
        Ctx {
            env: load.env,
            cli,
            timeout: load.timeout,
            poll_interval: load.poll_interval,
        }
    }
}

/// The argocd CLI's config, which lends tokens to named Argo CD sources or is discovered
/// itself: read only when an Argo CD source is named or discovery runs.
pub(super) fn read_cli(load: &mut LoadCtx<'_>) -> Option<CliConfig> {
    crate::config::argocd_cli::read(load.env, load.warnings)
}

pub(super) fn from_entry(
    ctx: &Ctx<'_>,
    entry: &ArgocdEntry,
    index: usize,
    count: usize,
    origin: &str,
    at: &impl Fn(std::ops::Range<usize>) -> String,
) -> Result<SourceSpec, ConfigError> {
    let url = parse_url(entry.url.get_ref())
        .map_err(|e| ConfigError(format!("{}: url: {e}", at(entry.url.span()))))?;
    let url = with_path_prefix(url, entry.grpc_web_root_path.as_deref().unwrap_or(""));
    let name = entry
        .name
        .clone()
        .unwrap_or_else(|| default_name(NAME, index, count));
    let mut spec = SourceSpec::new(&name, SourceKind::Argocd, url, origin);
    spec.timeout = match &entry.timeout {
        Some(t) => duration(t, at, "timeout")?,
        None => ctx.timeout,
    };
    spec.poll_interval = match &entry.poll_interval {
        Some(t) => duration(t, at, "poll_interval")?,
        None => ctx.poll_interval,
    };
    spec.tls = TlsOptions {
        ca_file: entry.ca_file.as_ref().map(PathBuf::from),
        insecure: entry.insecure,
        ..TlsOptions::default()
    };
    spec.read_only = entry.read_only;
    spec.argocd = ArgocdOptions {
        projects: entry
            .projects
            .iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        selector: non_empty(entry.selector.as_deref()),
        app_namespace: non_empty(entry.app_namespace.as_deref()),
    };
    let token = secret_from(
        entry.token_env.as_ref(),
        entry.token_file.as_ref(),
        ctx.env,
        at,
        "Argo CD token",
    )?;
    borrow(ctx, &mut spec, token);
    Ok(spec)
}

pub(super) fn from_flag(
    ctx: &Ctx<'_>,
    value: &str,
    index: usize,
    count: usize,
) -> Result<SourceSpec, ConfigError> {
    let (name, url) = split_name(value, NAME, index, count);
    let url = parse_url(url).map_err(|e| ConfigError(format!("--argocd {value}: {e}")))?;
    let mut spec = SourceSpec::new(&name, SourceKind::Argocd, url, "flag --argocd");
    spec.timeout = ctx.timeout;
    spec.poll_interval = ctx.poll_interval;
    borrow(ctx, &mut spec, None);
    Ok(spec)
}

/// Token (unless given), CA and client certificate from the environment and the CLI config.
fn borrow(ctx: &Ctx<'_>, spec: &mut SourceSpec, explicit: Option<Secret>) {
    let cli = ctx.cli.and_then(|c| c.for_url(&spec.url));
    let token = explicit
        .or_else(|| env_token(ctx.env))
        .or_else(|| cli.and_then(|c| c.token.clone()));
    if let Some(token) = token {
        spec.auth = Auth::Bearer(token);
    }
    if let Some(c) = cli {
        if spec.tls.ca_pem.is_none() {
            spec.tls.ca_pem = c.ca_pem.clone();
        }
        if spec.tls.client_identity_pem.is_none() {
            spec.tls.client_identity_pem = c.client_identity_pem.clone();
        }
    }
}

fn env_token(env: &Env) -> Option<Secret> {
    env.var("ARGOCD_AUTH_TOKEN")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(Secret::new)
}

/// The argocd CLI's current context (its server replaced by `$ARGOCD_SERVER` when set, as the
/// CLI does), as a source named `argocd`.
pub(super) fn discovered(ctx: &Ctx<'_>, warnings: &mut Vec<String>) -> Option<SourceSpec> {
    let server_env = ctx.env.var("ARGOCD_SERVER").map(str::trim);
    let current: Option<&CliContext> = ctx.cli.and_then(|cli| {
        let found = cli.current();
        if found.is_none()
            && let Some(name) = &cli.current_context
        {
            warnings.push(format!(
                "{}: current-context `{}` is not among its contexts; not used",
                cli.path.display(),
                sanitize::clean_line(name, 100)
            ));
        }
        found
    });
    let path = ctx.cli.map(|c| c.path.display().to_string());
    let context_origin = |c: &CliContext| {
        format!(
            "{} (context {})",
            path.as_deref().unwrap_or("argocd config"),
            sanitize::clean_line(&c.name, 100)
        )
    };
    let (url, origin) = match (server_env, current) {
        (Some(server), cur) => {
            let url = server_url(
                server,
                cur.is_some_and(|c| c.plain_text),
                cur.map(|c| c.grpc_web_root_path.as_str()).unwrap_or(""),
            );
            let origin = match cur {
                Some(c) => format!("$ARGOCD_SERVER with {}", context_origin(c)),
                None => "$ARGOCD_SERVER".to_string(),
            };
            (url, origin)
        }
        (None, Some(c)) if c.core => {
            warnings.push(format!(
                "{}: uses --core mode (no Argo CD API server to ask); not added as a source\n  fix: add an [[argocd]] entry with the API server's URL",
                context_origin(c)
            ));
            return None;
        }
        (None, Some(c)) => (c.url.clone(), context_origin(c)),
        (None, None) => return None,
    };
    let Some(url) = url else {
        let server = server_env
            .or(current.map(|c| c.server.as_str()))
            .unwrap_or("");
        warnings.push(format!(
            "{origin}: server `{}` is not host[:port]; not added as a source",
            sanitize::clean_line(server, 200)
        ));
        return None;
    };
    let mut spec = SourceSpec::new(NAME, SourceKind::Argocd, url, &origin);
    spec.timeout = ctx.timeout;
    spec.poll_interval = ctx.poll_interval;
    if let Some(c) = current {
        spec.tls.insecure = c.insecure;
        spec.tls.ca_pem = c.ca_pem.clone();
        spec.tls.client_identity_pem = c.client_identity_pem.clone();
    }
    if let Some(token) = env_token(ctx.env).or_else(|| current.and_then(|c| c.token.clone())) {
        spec.auth = Auth::Bearer(token);
    }
    Some(spec)
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}
