//! `[[oncall]]` entries, and discovery of a paging service's key in the environment
//! (`PAGERDUTY_TOKEN`, `SITREP_PAGERDUTY_TOKEN`, `OPSGENIE_API_KEY`), asked only when nothing
//! names any source.
//!
//! The key is required: an entry without one, or whose variable or file is missing, is a config
//! error that names the variable or file (never the value).

use crate::config::load::{ConfigError, Env, LoadCtx, default_name, duration, parse_url};
use crate::config::source::{Auth, Secret, SourceSpec, TlsOptions};
use crate::model::oncall::Provider;
use crate::model::source::SourceKind;
use crate::sanitize;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;
use toml::Spanned;

/// `[[oncall]]`: one paging service account.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct OnCallEntry {
    /// `pagerduty` or `opsgenie`.
    pub provider: Spanned<String>,
    /// Default: the provider's name (`pagerduty`), numbered when there are several.
    pub name: Option<String>,
    /// Default: `https://api.pagerduty.com` / `https://api.opsgenie.com` (EU:
    /// `https://api.eu.opsgenie.com`).
    pub url: Option<Spanned<String>>,
    /// Name of an environment variable holding the API key.
    pub token_env: Option<Spanned<String>>,
    /// File holding the API key (trailing newline ignored).
    pub token_file: Option<Spanned<String>>,
    /// How long an answer is trusted before it is fetched again (default 3m).
    pub refresh: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    /// PEM bundle of extra CAs to trust.
    pub ca_file: Option<String>,
    #[serde(default)]
    pub insecure: bool,
}

/// On-call specifics of a source: which paging service it is and where its key came from (for
/// the message when the key is refused).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnCallOptions {
    pub provider: Provider,
    /// `token_env PAGERDUTY_TOKEN`, `token_file /run/secrets/pd`, `$OPSGENIE_API_KEY`.
    pub key_from: String,
}

/// An on-call snapshot changes when shifts change: every few minutes is plenty, and keeps far
/// below the APIs' rate limits.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(180);
pub const PAGERDUTY_URL: &str = "https://api.pagerduty.com";
pub const OPSGENIE_URL: &str = "https://api.opsgenie.com";

/// `Authorization: Token token=KEY` (PagerDuty), `Authorization: GenieKey KEY` (Opsgenie).
pub fn auth_for(provider: Provider, key: Secret) -> Auth {
    let prefix = match provider {
        Provider::PagerDuty => "Token token=",
        Provider::Opsgenie => "GenieKey ",
    };
    Auth::Scheme {
        prefix: prefix.to_string(),
        secret: key,
    }
}

pub fn default_url(provider: Provider) -> &'static str {
    match provider {
        Provider::PagerDuty => PAGERDUTY_URL,
        Provider::Opsgenie => OPSGENIE_URL,
    }
}

fn parse_provider(
    value: &Spanned<String>,
    at: &impl Fn(std::ops::Range<usize>) -> String,
) -> Result<Provider, ConfigError> {
    match value.get_ref().trim().to_ascii_lowercase().as_str() {
        "pagerduty" => Ok(Provider::PagerDuty),
        "opsgenie" => Ok(Provider::Opsgenie),
        _ => Err(ConfigError(format!(
            "{}: provider = {:?} is not a paging service sitrep knows\n  fix: use \"pagerduty\" or \"opsgenie\"",
            at(value.span()),
            sanitize::clean_line(value.get_ref(), 60)
        ))),
    }
}

/// Every `[[oncall]]` entry as a source. Unnamed entries are named after their provider,
/// numbered among the entries of the same provider.
pub(super) fn from_entries(
    entries: &[Spanned<OnCallEntry>],
    ctx: &LoadCtx<'_>,
) -> Result<Vec<SourceSpec>, ConfigError> {
    let providers = entries
        .iter()
        .map(|e| parse_provider(&e.get_ref().provider, &ctx.at))
        .collect::<Result<Vec<_>, _>>()?;
    entries
        .iter()
        .zip(&providers)
        .enumerate()
        .map(|(i, (entry, &provider))| {
            let same = |p: &&Provider| **p == provider;
            let count = providers.iter().filter(same).count();
            let index = providers[..i].iter().filter(same).count();
            let origin = (ctx.at)(entry.span());
            from_entry(entry.get_ref(), provider, index, count, &origin, ctx)
        })
        .collect()
}

fn from_entry(
    entry: &OnCallEntry,
    provider: Provider,
    index: usize,
    count: usize,
    origin: &str,
    ctx: &LoadCtx<'_>,
) -> Result<SourceSpec, ConfigError> {
    let at = &ctx.at;
    let url = match &entry.url {
        Some(u) => parse_url(u.get_ref())
            .map_err(|e| ConfigError(format!("{}: url: {e}", at(u.span()))))?,
        None => parse_url(default_url(provider)).map_err(ConfigError)?,
    };
    let name = entry
        .name
        .clone()
        .unwrap_or_else(|| default_name(provider.word(), index, count));
    let mut spec = SourceSpec::new(&name, SourceKind::OnCall, url, origin);
    spec.timeout = match &entry.timeout {
        Some(t) => duration(t, at, "timeout")?,
        None => ctx.timeout,
    };
    spec.poll_interval = match &entry.refresh {
        Some(t) => duration(t, at, "refresh")?,
        None => DEFAULT_REFRESH,
    };
    spec.tls = TlsOptions {
        ca_file: entry.ca_file.as_ref().map(PathBuf::from),
        insecure: entry.insecure,
        ..TlsOptions::default()
    };
    let (key, key_from) = match (&entry.token_env, &entry.token_file) {
        (Some(_), Some(_)) => {
            return Err(ConfigError(format!(
                "{origin}: [[oncall]] `{name}` has both token_env and token_file\n  fix: keep one of them"
            )));
        }
        (Some(var), None) => (
            key_from_env(var, ctx.env, at)?,
            format!("token_env {}", sanitize::clean_line(var.get_ref(), 100)),
        ),
        (None, Some(file)) => (
            key_from_file(file, ctx.env, at)?,
            format!("token_file {}", sanitize::clean_line(file.get_ref(), 200)),
        ),
        (None, None) => {
            let var = match provider {
                Provider::PagerDuty => "PAGERDUTY_TOKEN",
                Provider::Opsgenie => "OPSGENIE_API_KEY",
            };
            return Err(ConfigError(format!(
                "{origin}: [[oncall]] `{name}` has no API key\n  fix: add token_env = \"{var}\" or token_file = \"/path/to/key\""
            )));
        }
    };
    spec.auth = auth_for(provider, key);
    spec.oncall = Some(OnCallOptions { provider, key_from });
    Ok(spec)
}

fn key_from_env(
    var: &Spanned<String>,
    env: &Env,
    at: &impl Fn(std::ops::Range<usize>) -> String,
) -> Result<Secret, ConfigError> {
    let name = var.get_ref();
    env.var(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(Secret::new)
        .ok_or_else(|| {
            ConfigError(format!(
                "{}: the API key comes from ${name}, which is not set\n  fix: export {name}=… before starting sitrep",
                at(var.span()),
            ))
        })
}

fn key_from_file(
    file: &Spanned<String>,
    env: &Env,
    at: &impl Fn(std::ops::Range<usize>) -> String,
) -> Result<Secret, ConfigError> {
    let raw = file.get_ref();
    let path = match (raw.strip_prefix("~/"), env.home()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(raw),
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        ConfigError(format!(
            "{}: cannot read the API key file {}: {e}\n  fix: check the path and its permissions",
            at(file.span()),
            path.display()
        ))
    })?;
    let key = text.trim();
    if key.is_empty() {
        return Err(ConfigError(format!(
            "{}: the API key file {} is empty\n  fix: put the key in it",
            at(file.span()),
            path.display()
        )));
    }
    Ok(Secret::new(key))
}

/// A key in the environment: PagerDuty's (`SITREP_PAGERDUTY_TOKEN`, then `PAGERDUTY_TOKEN`)
/// first, else Opsgenie's (`OPSGENIE_API_KEY`). Discovery finds one source per kind; when both
/// services have keys, the Opsgenie one is named in a warning.
pub(super) fn discovered(ctx: &mut LoadCtx<'_>) -> Option<SourceSpec> {
    let env = ctx.env;
    let key = |var: &'static str| {
        env.var(var)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| (var, Secret::new(v)))
    };
    let pagerduty = key("SITREP_PAGERDUTY_TOKEN").or_else(|| key("PAGERDUTY_TOKEN"));
    let opsgenie = key("OPSGENIE_API_KEY");
    let (provider, (var, secret)) = match (pagerduty, opsgenie) {
        (Some(pd), og) => {
            if og.is_some() {
                ctx.warnings.push(format!(
                    "both ${} and $OPSGENIE_API_KEY are set; on call comes from PagerDuty\n  fix: add an [[oncall]] entry per provider to use both",
                    pd.0
                ));
            }
            (Provider::PagerDuty, pd)
        }
        (None, Some(og)) => (Provider::Opsgenie, og),
        (None, None) => return None,
    };
    let url = url::Url::parse(default_url(provider)).ok()?;
    let origin = format!("${var}");
    let mut spec = SourceSpec::new(provider.word(), SourceKind::OnCall, url, &origin);
    spec.timeout = ctx.timeout;
    spec.poll_interval = DEFAULT_REFRESH;
    spec.auth = auth_for(provider, secret);
    spec.oncall = Some(OnCallOptions {
        provider,
        key_from: origin,
    });
    Some(spec)
}

/// The demo world's emulated PagerDuty (`DemoWorld::pagerduty_url`, `DEMO_PAGERDUTY_TOKEN`)
/// as a source: the demo names its sources itself, so nothing of the user's (config,
/// environment) is read.
pub fn demo_source(pagerduty_url: &str, key: &str) -> Result<SourceSpec, ConfigError> {
    let url = parse_url(pagerduty_url).map_err(ConfigError)?;
    let mut spec = SourceSpec::new(
        Provider::PagerDuty.word(),
        SourceKind::OnCall,
        url,
        "demo world",
    );
    spec.poll_interval = DEFAULT_REFRESH;
    spec.auth = auth_for(Provider::PagerDuty, Secret::new(key));
    spec.oncall = Some(OnCallOptions {
        provider: Provider::PagerDuty,
        key_from: "the demo world".to_string(),
    });
    Ok(spec)
}
