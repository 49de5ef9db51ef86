//! Catalog sources: `[[catalog]]` entries and `--catalog PATH|URL` flags. A URL is a Backstage
//! backend (its catalog API under `/api/catalog`); anything else is a path to
//! `catalog-info.yaml` files (a file, or a directory searched recursively).

use crate::config::load::{
    ConfigError, LoadCtx, default_name, duration, expand_home, parse_url, secret_from, split_name,
};
use crate::config::source::{Auth, CatalogOptions, SourceSpec, TlsOptions};
use crate::model::source::SourceKind;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

/// How often a catalog is read again: catalogs change by commits, not by the second.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(300);

const NAME: &str = "catalog";

/// `[[catalog]]`: a Backstage backend (`url`) or local files (`path`).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    pub name: Option<String>,
    /// The Backstage backend, e.g. `https://backstage.example.com`.
    pub url: Option<Spanned<String>>,
    /// A `catalog-info.yaml`, or a directory searched for them.
    pub path: Option<Spanned<String>>,
    /// Name of an environment variable holding a Backstage token.
    pub token_env: Option<Spanned<String>>,
    /// File holding a Backstage token (trailing newline ignored).
    pub token_file: Option<Spanned<String>>,
    pub ca_file: Option<String>,
    #[serde(default)]
    pub insecure: bool,
    pub timeout: Option<Spanned<String>>,
    /// How often to read it again (default 5m); a failed refresh keeps the last catalog.
    pub refresh: Option<Spanned<String>>,
    /// Backstage `filter`s, OR-ed (default: components, groups, users and systems).
    #[serde(default)]
    pub filters: Vec<String>,
}

/// A path as a `file:` URL (for the status line and `check`), made absolute.
fn path_source(name: &str, path: PathBuf, origin: &str) -> Result<SourceSpec, String> {
    let absolute = if path.is_absolute() {
        path
    } else {
        std::env::current_dir()
            .map_err(|e| format!("no current directory: {e}"))?
            .join(path)
    };
    let url = url::Url::from_file_path(&absolute)
        .map_err(|_| format!("{} is not a usable path", absolute.display()))?;
    let mut spec = SourceSpec::new(name, SourceKind::Catalog, url, origin);
    spec.catalog = CatalogOptions {
        path: Some(absolute),
        filters: Vec::new(),
    };
    Ok(spec)
}

fn is_url(value: &str) -> bool {
    value.starts_with("http://") || value.starts_with("https://")
}

/// `--catalog [NAME=]PATH|URL`, repeatable.
pub fn from_flags(values: &[String], ctx: &LoadCtx<'_>) -> Result<Vec<SourceSpec>, ConfigError> {
    values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let (name, target) = split_name(value, NAME, i, values.len());
            // `name=` only splits off a name before a URL; a path may contain `=`.
            let (name, target) = if is_url(target) || is_url(value) {
                (name, target)
            } else if Path::new(value).exists() {
                (default_name(NAME, i, values.len()), value.as_str())
            } else {
                (name, target)
            };
            let mut spec = if is_url(target) {
                let url = parse_url(target)
                    .map_err(|e| ConfigError(format!("--catalog {value}: {e}")))?;
                SourceSpec::new(&name, SourceKind::Catalog, url, "flag --catalog")
            } else {
                path_source(&name, expand_home(target, ctx.env), "flag --catalog")
                    .map_err(|e| ConfigError(format!("--catalog {value}: {e}")))?
            };
            spec.timeout = ctx.timeout.max(Duration::from_secs(30));
            spec.poll_interval = DEFAULT_REFRESH;
            if spec.catalog.path.is_none() {
                // The flag has nowhere to put a token: the usual variable, if set.
                if let Some(t) = ctx
                    .env
                    .var("BACKSTAGE_TOKEN")
                    .filter(|t| !t.trim().is_empty())
                {
                    spec.auth = Auth::Bearer(crate::config::source::Secret::new(t.trim()));
                }
            }
            Ok(spec)
        })
        .collect()
}

/// `[[catalog]]` entries.
pub fn from_entries(
    entries: &[Spanned<CatalogEntry>],
    ctx: &LoadCtx<'_>,
) -> Result<Vec<SourceSpec>, ConfigError> {
    let at = ctx.at;
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let e = entry.get_ref();
            let name = e
                .name
                .clone()
                .unwrap_or_else(|| default_name(NAME, i, entries.len()));
            let origin = at(entry.span());
            let mut spec = match (&e.url, &e.path) {
                (Some(url), None) => {
                    let parsed = parse_url(url.get_ref())
                        .map_err(|m| ConfigError(format!("{}: url: {m}", at(url.span()))))?;
                    SourceSpec::new(&name, SourceKind::Catalog, parsed, &origin)
                }
                (None, Some(path)) => {
                    path_source(&name, expand_home(path.get_ref(), ctx.env), &origin)
                        .map_err(|m| ConfigError(format!("{}: path: {m}", at(path.span()))))?
                }
                _ => {
                    return Err(ConfigError(format!(
                        "{origin}: [[catalog]] needs exactly one of url (a Backstage backend) or path (catalog-info.yaml files)\n  fix: url = \"https://backstage.example.com\" or path = \"~/src/catalog\""
                    )));
                }
            };
            spec.timeout = match &e.timeout {
                Some(t) => duration(t, &at, "timeout")?,
                None => ctx.timeout.max(Duration::from_secs(30)),
            };
            spec.poll_interval = match &e.refresh {
                Some(r) => duration(r, &at, "refresh")?,
                None => DEFAULT_REFRESH,
            };
            spec.catalog.filters = e.filters.clone();
            spec.tls = TlsOptions {
                ca_file: e.ca_file.as_deref().map(|p| expand_home(p, ctx.env)),
                insecure: e.insecure,
                ..TlsOptions::default()
            };
            if let Some(token) = secret_from(
                e.token_env.as_ref(),
                e.token_file.as_ref(),
                ctx.env,
                &at,
                "Backstage token",
            )? {
                spec.auth = Auth::Bearer(token);
            }
            Ok(spec)
        })
        .collect()
}
