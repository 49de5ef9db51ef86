//! Resolving the configuration: config file, then flags on top, then discovery of what the user
//! already has (amtool's config) only when nothing names a source. Errors name the file, the
//! line and the fix.

use super::file::{ConfigFile, SourceEntry};
use super::keymap::Keymap;
use super::settings::Settings;
use super::source::{Auth, Secret, SourceSpec, TlsOptions};
use super::theme::{self, Theme};
use crate::cli::SourceFlags;
use crate::model::source::SourceKind;
use crate::sources::registry;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

/// The process environment, captured once so loading is testable.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub vars: BTreeMap<String, String>,
}

impl Env {
    pub fn process() -> Env {
        Env {
            vars: std::env::vars().collect(),
        }
    }

    pub fn var(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn home(&self) -> Option<PathBuf> {
        self.var("HOME").map(PathBuf::from)
    }

    /// `$XDG_CONFIG_HOME`, else `~/.config`.
    pub fn config_home(&self) -> Option<PathBuf> {
        self.var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| self.home().map(|h| h.join(".config")))
    }

    /// `$XDG_DATA_HOME/sitrep`, else `~/.local/share/sitrep`.
    pub fn data_dir(&self) -> Option<PathBuf> {
        self.var("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| self.home().map(|h| h.join(".local/share")))
            .map(|d| d.join("sitrep"))
    }

    pub fn no_color(&self) -> bool {
        self.vars.get("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub sources: Vec<SourceSpec>,
    pub settings: Settings,
    pub keymap: Keymap,
    pub theme: Theme,
    pub themes: Vec<Theme>,
    /// The config file that was read, if any.
    pub path: Option<PathBuf>,
    /// Problems that did not stop us (a broken user theme…), shown at start.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Load and merge. `theme_flag` is `--theme`.
pub fn load(
    flags: &SourceFlags,
    theme_flag: Option<&str>,
    env: &Env,
) -> Result<Config, ConfigError> {
    let default_path = env
        .config_home()
        .map(|d| d.join("sitrep").join("config.toml"));
    let (path, text) = match &flags.config {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                ConfigError(format!("{}: cannot read config file: {e}", p.display()))
            })?;
            (Some(p.clone()), Some(text))
        }
        None => match default_path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok().map(|t| (p.clone(), t)))
        {
            Some((p, t)) => (Some(p), Some(t)),
            None => (None, None),
        },
    };
    let file: ConfigFile = match (&path, &text) {
        (Some(p), Some(t)) => parse_file(p, t)?,
        _ => ConfigFile::default(),
    };
    let at = |span: std::ops::Range<usize>| -> String {
        match (&path, &text) {
            (Some(p), Some(t)) => format!("{}:{}", p.display(), line_of(t, span.start)),
            _ => "config".to_string(),
        }
    };

    let amtool = read_amtool_config(env);
    let mut settings = Settings::default();
    if let Some(user) = env.var("USER") {
        settings.author = user.to_string();
    }
    if let Some(author) = amtool.as_ref().and_then(|(_, m)| m.get("author").cloned()) {
        settings.author = author;
    }
    if let Some(author) = &file.author {
        settings.author = author.clone();
    }
    if let Some(labels) = &file.service_labels {
        settings.service_labels = labels.clone();
    }
    if let Some(g) = &file.group_by {
        settings.group_by = g.clone();
    }
    settings.read_only = file.read_only || flags.read_only;
    // Shown on the tab bar: cleaned like any text from outside the program.
    settings.team = flags
        .team
        .as_deref()
        .map(|t| crate::sanitize::clean_line(t.trim(), 200))
        .filter(|t| !t.is_empty());
    if let Some(labels) = &file.apps.service_labels {
        settings.app_service_labels = labels.clone();
    }
    settings.app_services = file.apps.services.clone();
    if let Some(w) = &file.apps.suspect_window {
        settings.suspect_window_secs = duration(w, &at, "suspect_window")?.as_secs() as i64;
    }
    settings.incidents_dir = env
        .data_dir()
        .map(|d| crate::incident::incidents_dir(&d, false));
    settings.runbook_dirs = flags.runbooks.clone();
    let config_dir = path
        .as_ref()
        .and_then(|p| p.parent())
        .map(|d| d.to_path_buf());
    for dir in &file.runbooks.dirs {
        let dir = expand_home(dir, env);
        settings.runbook_dirs.push(match &config_dir {
            Some(base) if dir.is_relative() => base.join(dir),
            _ => dir,
        });
    }
    if let Some(w) = &file.incident.backfill {
        settings.backfill_minutes = ((duration(w, &at, "backfill")?.as_secs() / 60) as i64)
            .min(crate::incident::state::MAX_BACKFILL_MINUTES);
    }
    if let Some(p) = &file.apps.production_pattern {
        regex::Regex::new(p.get_ref()).map_err(|e| {
            ConfigError(format!(
                "{}: production_pattern is not a valid regex: {e}\n  fix: e.g. \"prod|production\"",
                at(p.span())
            ))
        })?;
        settings.production_pattern = p.get_ref().clone();
    }
    settings.notify = super::notify::resolve(&file.notify, &at)?;
    for (field, value, into) in [
        (
            "fleet_threshold",
            &file.drift.fleet_threshold,
            &mut settings.drift_fleet_threshold,
        ),
        (
            "wave_size",
            &file.drift.wave_size,
            &mut settings.drift_wave_size,
        ),
    ] {
        if let Some(n) = value {
            let v = *n.get_ref();
            if !(1..=1000).contains(&v) {
                return Err(ConfigError(format!(
                    "{}: [drift] {field} = {v} is out of range\n  fix: a number from 1 to 1000 (default 3)",
                    at(n.span())
                )));
            }
            *into = v as usize;
        }
    }

    let defaults_timeout = match &file.defaults.timeout {
        Some(t) => duration(t, &at, "timeout")?,
        None => Duration::from_secs(10),
    };
    let defaults_poll = match &file.defaults.poll_interval {
        Some(t) => duration(t, &at, "poll_interval")?,
        None => Duration::from_secs(10),
    };

    // Each kind reads its own flag, `[[table]]` entries and discovery (`sources::registry`).
    let mut warnings = Vec::new();
    let mut ctx = LoadCtx {
        env,
        at: &at,
        timeout: defaults_timeout,
        poll_interval: defaults_poll,
        amtool: amtool.as_ref(),
        warnings: &mut warnings,
    };
    let drivers = registry::drivers();
    // Flags name the sources: exactly those, nothing from the file or discovery.
    let mut sources = Vec::new();
    for d in drivers {
        sources.extend(d.named_by_flags(flags, &mut ctx)?);
    }
    if sources.is_empty() {
        for d in drivers {
            sources.extend(d.named_in_file(&file, &mut ctx)?);
        }
    }
    // Nothing names a source: what the user already has (amtool's, the argocd CLI's config).
    if sources.is_empty() {
        for d in drivers {
            sources.extend(d.discover(&mut ctx)?);
        }
    }
    for s in &mut sources {
        s.read_only |= settings.read_only;
    }
    let mut seen = HashSet::new();
    for s in &sources {
        if !seen.insert(s.name.clone()) {
            return Err(ConfigError(format!(
                "{}: two sources are named `{}`\n  fix: give each {} a distinct `name = \"…\"`",
                s.origin,
                s.name,
                registry::tables("/", "/")
            )));
        }
    }

    let keymap = Keymap::with_overrides(&file.keys).map_err(|e| {
        ConfigError(format!(
            "{}: {e}\n  fix: keys look like \"j\", \"G\", \"ctrl-d\", \"enter\", \"esc\", \"f5\"",
            path_or_config(&path)
        ))
    })?;

    let user_themes = env.config_home().map(|d| d.join("sitrep").join("themes"));
    let (themes, theme_warnings) = theme::available(user_themes.as_deref());
    warnings.extend(theme_warnings);
    let wanted = theme_flag
        .map(str::to_string)
        .or_else(|| file.theme.as_ref().map(|t| t.get_ref().clone()));
    let theme = if env.no_color() {
        Theme::no_color()
    } else {
        match wanted {
            None => Theme::builtin(theme::DEFAULT_THEME).expect("default theme exists"),
            Some(name) => themes
                .iter()
                .find(|t| t.name == name)
                .cloned()
                .ok_or_else(|| {
                    let names: Vec<_> = themes.iter().map(|t| t.name.as_str()).collect();
                    let origin = match (&file.theme, theme_flag) {
                        (_, Some(_)) => "--theme".to_string(),
                        (Some(t), None) => at(t.span()),
                        _ => "theme".to_string(),
                    };
                    ConfigError(format!(
                        "{origin}: no theme named `{name}`\n  fix: use one of {}",
                        names.join(", ")
                    ))
                })?,
        }
    };
    if let Some(p) = &path
        && text.is_some()
        && sources.is_empty()
    {
        warnings.push(format!(
            "{}: no {} source configured",
            p.display(),
            registry::tables(", ", " or ")
        ));
    }
    Ok(Config {
        sources,
        settings,
        keymap,
        theme,
        themes,
        path,
        warnings,
    })
}

fn path_or_config(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "config".to_string())
}

fn parse_file(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        let msg = e.message().trim().to_string();
        let fix = if msg.contains("unknown field") {
            "fix: check the spelling; the README's configuration section lists every key".into()
        } else if msg.contains("missing field") {
            format!(
                "fix: add the missing key (every {} needs `url = \"http://…\"`)",
                registry::tables("/", "/")
            )
        } else if msg.contains("unknown variant") {
            "fix: use one of the names listed above".into()
        } else {
            "fix: this must be valid TOML (strings in quotes, tables as [name], lists as [[name]])"
                .into()
        };
        ConfigError(format!("{}:{line}: {msg}\n  {fix}", path.display()))
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

pub(crate) fn duration(
    value: &Spanned<String>,
    at: &impl Fn(std::ops::Range<usize>) -> String,
    key: &str,
) -> Result<Duration, ConfigError> {
    let d = humantime::parse_duration(value.get_ref()).map_err(|e| {
        ConfigError(format!(
            "{}: {key} = {:?}: {e}\n  fix: write a duration like \"500ms\", \"10s\" or \"2m\"",
            at(value.span()),
            value.get_ref()
        ))
    })?;
    if d.is_zero() {
        return Err(ConfigError(format!(
            "{}: {key} must be more than zero\n  fix: e.g. \"10s\"",
            at(value.span())
        )));
    }
    Ok(d)
}

pub(crate) fn parse_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text.trim())
        .map_err(|e| format!("`{text}` is not a URL ({e}); write http://host:port"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("`{text}`: only http:// and https:// are supported"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials in the URL would leak into logs: use basic_auth with password_env or password_file".to_string());
    }
    Ok(url)
}

/// `name=URL` or just `URL` (named `base` after the kind, numbered when there are several).
pub(crate) fn split_name<'v>(
    value: &'v str,
    base: &str,
    index: usize,
    count: usize,
) -> (String, &'v str) {
    if let Some((name, url)) = value.split_once('=')
        && !name.contains("://")
        && !name.is_empty()
    {
        return (name.to_string(), url);
    }
    (default_name(base, index, count), value)
}

/// The name of a source that was given none: its kind's (`base`), numbered among several.
pub(crate) fn default_name(base: &str, index: usize, count: usize) -> String {
    if count > 1 {
        format!("{base}-{}", index + 1)
    } else {
        base.to_string()
    }
}

/// What each kind's driver resolves its flags, entries and discovery against.
pub struct LoadCtx<'a> {
    pub env: &'a Env,
    /// `file:line` of a span of the config file.
    pub at: &'a dyn Fn(std::ops::Range<usize>) -> String,
    /// `[defaults]`: for sources that set none of their own.
    pub timeout: Duration,
    pub poll_interval: Duration,
    /// amtool's config (already read for the author): its path and flat map.
    pub amtool: Option<&'a (PathBuf, BTreeMap<String, String>)>,
    /// Problems that do not stop loading, shown at start.
    pub warnings: &'a mut Vec<String>,
}

/// Plain HTTP sources named by a flag (`--alertmanager [NAME=]URL`, repeatable): `kind`
/// sources, named `base` unless named.
pub(crate) fn http_sources_from_flags(
    values: &[String],
    kind: SourceKind,
    base: &str,
    ctx: &LoadCtx<'_>,
) -> Result<Vec<SourceSpec>, ConfigError> {
    let flag = format!("--{base}");
    values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let (name, url) = split_name(value, base, i, values.len());
            let url = parse_url(url).map_err(|e| ConfigError(format!("{flag} {value}: {e}")))?;
            let mut spec = SourceSpec::new(&name, kind, url, &format!("flag {flag}"));
            spec.timeout = ctx.timeout;
            spec.poll_interval = ctx.poll_interval;
            Ok(spec)
        })
        .collect()
}

/// Plain HTTP sources of `[[base]]` entries in the config file (url, timeouts, TLS, bearer
/// token or basic auth).
pub(crate) fn http_sources_from_entries(
    entries: &[Spanned<SourceEntry>],
    kind: SourceKind,
    base: &str,
    ctx: &LoadCtx<'_>,
) -> Result<Vec<SourceSpec>, ConfigError> {
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let origin = (ctx.at)(entry.span());
            source_from_entry(entry.get_ref(), kind, base, i, entries.len(), &origin, ctx)
        })
        .collect()
}

fn source_from_entry(
    entry: &SourceEntry,
    kind: SourceKind,
    base: &str,
    index: usize,
    count: usize,
    origin: &str,
    ctx: &LoadCtx<'_>,
) -> Result<SourceSpec, ConfigError> {
    let (env, at) = (ctx.env, &ctx.at);
    let (default_timeout, default_poll) = (ctx.timeout, ctx.poll_interval);
    let url = parse_url(entry.url.get_ref())
        .map_err(|e| ConfigError(format!("{}: url: {e}", at(entry.url.span()))))?;
    let name = entry
        .name
        .clone()
        .unwrap_or_else(|| default_name(base, index, count));
    let mut spec = SourceSpec::new(&name, kind, url, origin);
    spec.timeout = match &entry.timeout {
        Some(t) => duration(t, at, "timeout")?,
        None => default_timeout,
    };
    spec.poll_interval = match &entry.poll_interval {
        Some(t) => duration(t, at, "poll_interval")?,
        None => default_poll,
    };
    spec.tls = TlsOptions {
        ca_file: entry.ca_file.as_ref().map(PathBuf::from),
        insecure: entry.insecure,
        ..TlsOptions::default()
    };
    spec.read_only = entry.read_only;
    let token = secret_from(
        entry.bearer_token_env.as_ref(),
        entry.bearer_token_file.as_ref(),
        env,
        at,
        "bearer token",
    )?;
    spec.auth = match (&entry.basic_auth, token) {
        (Some(_), Some(_)) => {
            return Err(ConfigError(format!(
                "{origin}: source `{name}` has both a bearer token and basic_auth\n  fix: keep one of them"
            )));
        }
        (None, Some(token)) => Auth::Bearer(token),
        (Some(basic), None) => {
            let password = secret_from(basic.password_env.as_ref(), basic.password_file.as_ref(), env, at, "password")?
                .ok_or_else(|| {
                    ConfigError(format!(
                        "{origin}: basic_auth of `{name}` has no password\n  fix: add password_env = \"VAR\" or password_file = \"/path\""
                    ))
                })?;
            Auth::Basic {
                username: basic.username.clone(),
                password,
            }
        }
        (None, None) => Auth::None,
    };
    Ok(spec)
}

/// A secret from an environment variable or a file. Errors name the variable or file, never the value.
pub(crate) fn secret_from(
    var: Option<&Spanned<String>>,
    file: Option<&Spanned<String>>,
    env: &Env,
    at: &impl Fn(std::ops::Range<usize>) -> String,
    what: &str,
) -> Result<Option<Secret>, ConfigError> {
    if let Some(var) = var {
        return env.var(var.get_ref()).map(|v| Some(Secret::new(v.trim()))).ok_or_else(|| {
            ConfigError(format!(
                "{}: the {what} comes from ${}, which is not set\n  fix: export {}=… before starting sitrep",
                at(var.span()),
                var.get_ref(),
                var.get_ref()
            ))
        });
    }
    if let Some(file) = file {
        let path = expand_home(file.get_ref(), env);
        return std::fs::read_to_string(&path).map(|t| Some(Secret::new(t.trim()))).map_err(|e| {
            ConfigError(format!(
                "{}: cannot read the {what} file {}: {e}\n  fix: check the path and its permissions",
                at(file.span()),
                path.display()
            ))
        });
    }
    Ok(None)
}

pub(crate) fn expand_home(path: &str, env: &Env) -> PathBuf {
    match (path.strip_prefix("~/"), env.home()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// Where amtool's config is looked for, in order.
pub fn amtool_candidates(env: &Env) -> Vec<PathBuf> {
    let mut candidates: Vec<PathBuf> = env
        .home()
        .map(|h| h.join(".config/amtool/config.yml"))
        .into_iter()
        .collect();
    candidates.push(PathBuf::from("/etc/amtool/config.yml"));
    candidates
}

/// amtool's config (`~/.config/amtool/config.yml`, then `/etc/amtool/config.yml`): a flat map.
fn read_amtool_config(env: &Env) -> Option<(PathBuf, BTreeMap<String, String>)> {
    for path in amtool_candidates(env) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(map) = serde_yaml_ng::from_str::<BTreeMap<String, serde_yaml_ng::Value>>(&text)
        else {
            continue;
        };
        let flat = map
            .into_iter()
            .filter_map(|(k, v)| match v {
                serde_yaml_ng::Value::String(s) => Some((k, s)),
                serde_yaml_ng::Value::Number(n) => Some((k, n.to_string())),
                serde_yaml_ng::Value::Bool(b) => Some((k, b.to_string())),
                _ => None,
            })
            .collect();
        return Some((path, flat));
    }
    None
}

#[cfg(test)]
mod tests;
