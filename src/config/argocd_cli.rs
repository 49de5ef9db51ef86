//! The argocd CLI's own config (`argocd login` writes it): reused for its token, CA and client
//! certificate, and discovered as a source when nothing else names one.
//!
//! Location, as the CLI resolves it (first file that exists): `$ARGOCD_CONFIG_DIR/config`,
//! `~/.argocd/config` (legacy, only when that directory exists), `$XDG_CONFIG_HOME/argocd/config`,
//! `~/.config/argocd/config`. YAML:
//!
//! ```yaml
//! current-context: prod
//! contexts: [{name: prod, server: argocd.example.com, user: prod}]
//! servers: [{server: argocd.example.com, insecure: false, grpc-web: false, grpc-web-root-path: "",
//!            plain-text: false, core: false, certificate-authority-data: <base64 PEM>,
//!            client-certificate-data: <base64 PEM>, client-certificate-key-data: <base64 PEM>}]
//! users: [{name: prod, auth-token: <jwt>, refresh-token: <jwt>}]
//! ```
//!
//! Nothing here fails loading: a broken or half-written CLI config only costs the things it
//! would have lent, and says so in a warning.

use super::load::Env;
use super::source::Secret;
use base64::Engine;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use url::Url;

/// One context of the CLI config, resolved against its server and user entries.
#[derive(Clone, Debug, PartialEq)]
pub struct CliContext {
    pub name: String,
    /// `host[:port]` as the CLI stores it (no scheme).
    pub server: String,
    /// `https://server/root-path` (`http://` with `plain-text`).
    pub url: Option<Url>,
    pub insecure: bool,
    pub plain_text: bool,
    pub grpc_web: bool,
    pub grpc_web_root_path: String,
    /// `--core` mode: the CLI talks to Kubernetes, there is no API server to ask.
    pub core: bool,
    /// Decoded `certificate-authority-data`.
    pub ca_pem: Option<String>,
    /// Decoded `client-certificate-data` + `client-certificate-key-data`, concatenated.
    pub client_identity_pem: Option<Secret>,
    pub token: Option<Secret>,
    /// The user has a refresh token (SSO): an expired token can be renewed by `argocd login`.
    pub has_refresh_token: bool,
}

impl CliContext {
    /// Does this context's server answer at `url` (same host, same port)?
    pub fn serves(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let Some(port) = url.port_or_known_default() else {
            return false;
        };
        let (h, p) = split_host_port(&self.server);
        let p = p.unwrap_or(if self.plain_text { 80 } else { 443 });
        h.eq_ignore_ascii_case(host.trim_start_matches('[').trim_end_matches(']')) && p == port
    }
}

/// The CLI config that was found, and what could be made of it.
#[derive(Clone, Debug, PartialEq)]
pub struct CliConfig {
    pub path: PathBuf,
    pub current_context: Option<String>,
    pub contexts: Vec<CliContext>,
}

impl CliConfig {
    /// The current context, if it names one that exists.
    pub fn current(&self) -> Option<&CliContext> {
        let name = self.current_context.as_deref()?;
        self.contexts.iter().find(|c| c.name == name)
    }

    /// The context whose server answers at `url`: the current one first, then the others in
    /// file order.
    pub fn for_url(&self, url: &Url) -> Option<&CliContext> {
        self.current()
            .filter(|c| c.serves(url))
            .or_else(|| self.contexts.iter().find(|c| c.serves(url)))
    }
}

/// Candidate paths of the CLI config, in the CLI's order of preference.
pub fn candidates(env: &Env) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(dir) = env.var("ARGOCD_CONFIG_DIR") {
        out.push(Path::new(dir).join("config"));
    }
    if let Some(home) = env.home() {
        let legacy = home.join(".argocd");
        if legacy.is_dir() {
            out.push(legacy.join("config"));
        }
    }
    if let Some(xdg) = env.var("XDG_CONFIG_HOME") {
        out.push(Path::new(xdg).join("argocd/config"));
    }
    if let Some(home) = env.home() {
        out.push(home.join(".config/argocd/config"));
    }
    out
}

/// Read the first CLI config that exists. `None` when there is none (or it cannot be used);
/// problems go to `warnings`.
pub fn read(env: &Env, warnings: &mut Vec<String>) -> Option<CliConfig> {
    let path = candidates(env).into_iter().find(|p| p.is_file())?;
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            warnings.push(format!("{shown}: cannot read the argocd CLI config: {e}"));
            return None;
        }
    };
    check_mode(&path, warnings);
    match parse(&path, &text, warnings) {
        Ok(cfg) => Some(cfg),
        Err(e) => {
            warnings.push(format!(
                "{shown}: the argocd CLI config is not valid YAML ({e}); its tokens are not used"
            ));
            None
        }
    }
}

/// The CLI refuses configs others can read; we only warn (the token is already exposed, and
/// refusing would not protect it).
fn check_mode(path: &Path, warnings: &mut Vec<String>) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            warnings.push(format!(
                "{}: the argocd CLI config holds tokens but has mode {mode:04o}\n  fix: chmod 600 {}",
                path.display(),
                path.display()
            ));
        }
    }
}

// The wire shape. No `Debug`: these hold tokens in plain strings until they become `Secret`s.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawConfig {
    #[serde(rename = "current-context")]
    current_context: Option<String>,
    contexts: Option<Vec<RawContext>>,
    servers: Option<Vec<RawServer>>,
    users: Option<Vec<RawUser>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawContext {
    name: String,
    server: String,
    user: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawServer {
    server: String,
    insecure: bool,
    #[serde(rename = "grpc-web")]
    grpc_web: bool,
    #[serde(rename = "grpc-web-root-path")]
    grpc_web_root_path: Option<String>,
    #[serde(rename = "plain-text")]
    plain_text: bool,
    core: bool,
    #[serde(rename = "certificate-authority-data")]
    ca_data: Option<String>,
    #[serde(rename = "client-certificate-data")]
    client_cert_data: Option<String>,
    #[serde(rename = "client-certificate-key-data")]
    client_key_data: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUser {
    name: String,
    #[serde(rename = "auth-token")]
    auth_token: Option<String>,
    #[serde(rename = "refresh-token")]
    refresh_token: Option<String>,
}

/// Parse the CLI config text. Errors are serde's (they name a line, never a value).
pub fn parse(path: &Path, text: &str, warnings: &mut Vec<String>) -> Result<CliConfig, String> {
    let raw: RawConfig = if text.trim().is_empty() {
        RawConfig::default()
    } else {
        serde_yaml_ng::from_str(text).map_err(|e| scrub_yaml_error(&e))?
    };
    let servers = raw.servers.unwrap_or_default();
    let users = raw.users.unwrap_or_default();
    let shown = path.display();
    let contexts = raw
        .contexts
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            let server = servers.iter().find(|s| s.server == c.server);
            let user = users.iter().find(|u| u.name == c.user);
            let mut ctx = CliContext {
                name: c.name.clone(),
                server: c.server.clone(),
                url: None,
                insecure: false,
                plain_text: false,
                grpc_web: false,
                grpc_web_root_path: String::new(),
                core: false,
                ca_pem: None,
                client_identity_pem: None,
                token: user
                    .and_then(|u| u.auth_token.as_deref())
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(Secret::new),
                has_refresh_token: user
                    .and_then(|u| u.refresh_token.as_deref())
                    .is_some_and(|t| !t.trim().is_empty()),
            };
            if let Some(s) = server {
                ctx.insecure = s.insecure;
                ctx.plain_text = s.plain_text;
                ctx.grpc_web = s.grpc_web;
                ctx.grpc_web_root_path = s.grpc_web_root_path.clone().unwrap_or_default();
                ctx.core = s.core;
                let what = |field: &str| format!("{shown}: context {}: {field}", c.name);
                ctx.ca_pem = decode_pem(s.ca_data.as_deref(), || what("certificate-authority-data"), warnings);
                let cert = decode_pem(s.client_cert_data.as_deref(), || what("client-certificate-data"), warnings);
                let key = decode_pem(s.client_key_data.as_deref(), || what("client-certificate-key-data"), warnings);
                ctx.client_identity_pem = match (cert, key) {
                    (Some(cert), Some(key)) => Some(Secret::new(format!("{cert}\n{key}"))),
                    (None, None) => None,
                    _ => {
                        warnings.push(format!(
                            "{}: a client certificate needs both client-certificate-data and client-certificate-key-data; neither is used",
                            what("server")
                        ));
                        None
                    }
                };
            }
            ctx.url = server_url(&c.server, ctx.plain_text, &ctx.grpc_web_root_path);
            ctx
        })
        .collect();
    Ok(CliConfig {
        path: path.to_path_buf(),
        current_context: raw.current_context.filter(|c| !c.is_empty()),
        contexts,
    })
}

/// `host[:port]` + plain-text + root path → the base URL of the REST API.
pub fn server_url(server: &str, plain_text: bool, root_path: &str) -> Option<Url> {
    let server = server.trim();
    if server.is_empty() {
        return None;
    }
    // Some configs carry a scheme anyway: take it as written.
    let text = if server.contains("://") {
        server.to_string()
    } else {
        let scheme = if plain_text { "http" } else { "https" };
        format!("{scheme}://{server}")
    };
    let url = Url::parse(&text).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    Some(with_path_prefix(url, root_path))
}

/// Append a path prefix (`grpc-web-root-path`, `grpc_web_root_path`) to a base URL.
pub fn with_path_prefix(mut url: Url, prefix: &str) -> Url {
    let segments: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return url;
    }
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

fn split_host_port(server: &str) -> (&str, Option<u16>) {
    let s = server
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(server);
    let s = s.split('/').next().unwrap_or(s);
    if let Some(rest) = s.strip_prefix('[') {
        // [::1]:8080
        return match rest.split_once(']') {
            Some((h, tail)) => (h, tail.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (rest, None),
        };
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, p.parse().ok()),
        _ => (s, None),
    }
}

/// Base64 (standard alphabet, as Go's `base64.StdEncoding`) of a PEM text.
fn decode_pem(
    data: Option<&str>,
    what: impl Fn() -> String,
    warnings: &mut Vec<String>,
) -> Option<String> {
    let data: String = data?.chars().filter(|c| !c.is_whitespace()).collect();
    if data.is_empty() {
        return None;
    }
    let bytes = match base64::engine::general_purpose::STANDARD.decode(data.as_bytes()) {
        Ok(b) => b,
        Err(_) => {
            warnings.push(format!("{}: not valid base64; ignored", what()));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(pem) if pem.contains("-----BEGIN ") => Some(pem),
        _ => {
            warnings.push(format!("{}: does not hold a PEM block; ignored", what()));
            None
        }
    }
}

/// serde_yaml errors can quote the offending text (a token): keep only where it happened.
fn scrub_yaml_error(e: &serde_yaml_ng::Error) -> String {
    match e.location() {
        Some(l) => format!("line {} column {}", l.line(), l.column()),
        None => "unreadable".to_string(),
    }
}

#[cfg(test)]
mod tests;
