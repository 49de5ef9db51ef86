//! The HTTP layer every source client shares: one `reqwest::Client` per source (timeout, TLS,
//! auth), bounded body reads, tolerant JSON decoding, and the classification of every failure
//! into one clean line (`SourceError`). Secrets go on the wire and nowhere else.

use super::error::{ErrorKind, SourceError, human_size};
use crate::config::source::{Auth, Secret, SourceSpec};
use crate::sanitize;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

mod classify;
mod stream;
use classify::chain_text;
pub use classify::server_text;
pub use stream::LineStream;

/// Default cap on a response body: far above any sane alert list, far below running out of memory.
pub const DEFAULT_BODY_CAP: usize = 64 * 1024 * 1024;
/// Error bodies are only read for a snippet.
const ERROR_BODY_CAP: usize = 64 * 1024;
/// Longest server text quoted in an error message.
const SNIPPET_CHARS: usize = 200;
/// Secrets shorter than this are not scrubbed from messages (it would mangle ordinary words).
const MIN_SCRUB_LEN: usize = 4;

#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Responses larger than this many bytes are abandoned with an error.
    pub body_cap: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            body_cap: DEFAULT_BODY_CAP,
        }
    }
}

/// A successful response's body.
pub struct Body {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
}

/// One source's HTTP client. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    /// Base URL without userinfo, query or fragment.
    base: Url,
    source: String,
    /// What the server should be ("an Alertmanager"), for 404s.
    noun: &'static str,
    timeout: Duration,
    body_cap: usize,
    auth: Auth,
    /// Values scrubbed from every message we build.
    secrets: Arc<Vec<String>>,
    /// The `Accept` header of JSON requests (PagerDuty wants its own media type).
    accept: &'static str,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("source", &self.source)
            .field("base", &self.base.as_str())
            .field("timeout", &self.timeout)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    pub fn new(spec: &SourceSpec, options: &HttpOptions) -> Result<HttpClient, SourceError> {
        HttpClient::build(spec, options, false)
    }

    /// A client for long-lived streams (watches): the source's timeout bounds connecting, not
    /// the whole answer, and TCP keepalives notice a peer that vanished. Use `bounded` around
    /// the wait for the response head.
    pub fn new_streaming(
        spec: &SourceSpec,
        options: &HttpOptions,
    ) -> Result<HttpClient, SourceError> {
        HttpClient::build(spec, options, true)
    }

    fn build(
        spec: &SourceSpec,
        options: &HttpOptions,
        streaming: bool,
    ) -> Result<HttpClient, SourceError> {
        let mut base = spec.url.clone();
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            let msg = format!(
                "unsupported URL scheme {} for source {} (use http:// or https://)",
                sanitize::clean_line(base.scheme(), 20),
                spec.name
            );
            return Err(SourceError::new(ErrorKind::Config, None, msg));
        }
        // Credentials in the URL become basic auth (as curl does) and never stay in the URL.
        let mut auth = spec.auth.clone();
        let url_password = base.password().map(percent_decode);
        if !base.username().is_empty() && auth == Auth::None {
            auth = Auth::Basic {
                username: percent_decode(base.username()),
                password: Secret::new(url_password.clone().unwrap_or_default()),
            };
        }
        let _ = base.set_username("");
        let _ = base.set_password(None);
        base.set_query(None);
        base.set_fragment(None);

        let mut secrets: Vec<String> = Vec::new();
        match &auth {
            Auth::None => {}
            Auth::Bearer(t) => secrets.push(t.expose().to_string()),
            Auth::Basic { password, .. } => secrets.push(password.expose().to_string()),
            Auth::Scheme { secret, .. } => secrets.push(secret.expose().to_string()),
        }
        secrets.extend(url_password);
        secrets.retain(|s| s.len() >= MIN_SCRUB_LEN);

        let mut builder = reqwest::Client::builder()
            .connect_timeout(spec.timeout)
            .user_agent(concat!("sitrep/", env!("CARGO_PKG_VERSION")));
        builder = if streaming {
            builder
                .tcp_keepalive(Duration::from_secs(30))
                .tcp_keepalive_interval(Duration::from_secs(10))
                .tcp_keepalive_retries(3)
        } else {
            builder.timeout(spec.timeout)
        };
        if base.scheme() == "http" {
            // Plain HTTP never needs the root certificates (loading them costs milliseconds per
            // client, which `sitrep snapshot` feels); an https redirect would, so name the URL
            // to configure instead of following it.
            builder = builder
                .tls_built_in_root_certs(false)
                .redirect(plain_http_redirects());
        }
        if let Some(path) = &spec.tls.ca_file {
            let shown = path.display();
            let pem = std::fs::read(path).map_err(|e| {
                SourceError::new(
                    ErrorKind::Config,
                    None,
                    format!("cannot read ca_file {shown}: {}", io_reason(&e)),
                )
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    SourceError::new(
                        ErrorKind::Config,
                        None,
                        format!("ca_file {shown} holds no PEM certificate"),
                    )
                })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(pem) = &spec.tls.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    SourceError::new(
                        ErrorKind::Config,
                        None,
                        format!(
                            "the CA certificate for source {} ({}) is not PEM",
                            spec.name, spec.origin
                        ),
                    )
                })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let Some(pem) = &spec.tls.client_identity_pem {
            let identity = reqwest::Identity::from_pem(pem.expose().as_bytes()).map_err(|_| {
                SourceError::new(
                    ErrorKind::Config,
                    None,
                    format!(
                        "the client certificate for source {} ({}) is not a PEM certificate with its private key",
                        spec.name, spec.origin
                    ),
                )
            })?;
            builder = builder.identity(identity);
        }
        if spec.tls.insecure {
            builder = builder.danger_accept_invalid_certs(true);
        }
        let client = builder.build().map_err(|e| {
            let why = match &spec.tls.ca_file {
                Some(p) => format!("ca_file {} holds no usable certificate", p.display()),
                None => format!("cannot set up the HTTP client: {}", chain_text(&e)),
            };
            SourceError::new(ErrorKind::Config, None, sanitize::value(&why))
        })?;
        Ok(HttpClient {
            client,
            base,
            source: spec.name.clone(),
            noun: super::registry::noun(spec.kind),
            timeout: spec.timeout,
            body_cap: options.body_cap,
            auth,
            secrets: Arc::new(secrets),
            accept: "application/json",
        })
    }

    /// The same client asking for `accept` instead of `application/json`.
    pub fn with_accept(mut self, accept: &'static str) -> HttpClient {
        self.accept = accept;
        self
    }

    /// The same client with another cap on successful bodies (one kind of answer may be
    /// allowed more, or less, than the source's lists).
    pub fn with_body_cap(mut self, cap: usize) -> HttpClient {
        self.body_cap = cap;
        self
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The base URL joined with path segments: `http://h/prefix` + `["api","v2","alerts"]` →
    /// `http://h/prefix/api/v2/alerts`. Segments are percent-encoded, so an ID cannot climb paths.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// GET a JSON document.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<T, SourceError> {
        let body = self
            .request(Method::GET, segments, query, None::<&()>)
            .await?;
        self.decode(&body)
    }

    /// Send a request (with an optional JSON body) and return the body of a 2xx answer.
    pub async fn request<B: Serialize + ?Sized>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        json: Option<&B>,
    ) -> Result<Body, SourceError> {
        let mut url = self.url(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let what = format!("{method} {}", url.path());
        let mut req = self.client.request(method, url).header(ACCEPT, self.accept);
        if let Some(body) = json {
            req = req.json(body);
        }
        req = self.authorize(req);
        let resp = req.send().await.map_err(|e| self.classify(e))?;
        let status = resp.status();
        let content_type = content_type(&resp);
        if status.is_success() {
            let bytes = self.read_body(resp, self.body_cap, true).await?;
            Ok(Body {
                bytes,
                content_type,
            })
        } else {
            // A broken error body still leaves us the status to report.
            let bytes = self
                .read_body(resp, ERROR_BODY_CAP, false)
                .await
                .unwrap_or_default();
            Err(self.status_error(status, &what, &bytes, content_type.as_deref()))
        }
    }

    fn authorize(&self, req: RequestBuilder) -> RequestBuilder {
        // reqwest marks these headers sensitive, so they stay out of its Debug output too.
        match &self.auth {
            Auth::None => req,
            Auth::Bearer(token) => req.bearer_auth(token.expose()),
            Auth::Basic { username, password } => req.basic_auth(username, Some(password.expose())),
            Auth::Scheme { prefix, secret } => {
                let mut value =
                    reqwest::header::HeaderValue::from_str(&format!("{prefix}{}", secret.expose()))
                        .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static(""));
                value.set_sensitive(true);
                req.header(reqwest::header::AUTHORIZATION, value)
            }
        }
    }

    /// Read a body chunk by chunk, never holding more than `cap` bytes. With `strict`, passing
    /// the cap is an error; otherwise the body is cut there (error snippets).
    async fn read_body(
        &self,
        mut resp: Response,
        cap: usize,
        strict: bool,
    ) -> Result<Vec<u8>, SourceError> {
        let declared = resp.content_length().unwrap_or(0);
        if strict && declared > cap as u64 {
            return Err(self.too_large(cap));
        }
        let mut buf = Vec::with_capacity(declared.min(cap as u64) as usize);
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(e))? {
            if buf.len() + chunk.len() > cap {
                if strict {
                    return Err(self.too_large(cap));
                }
                buf.extend_from_slice(&chunk[..cap - buf.len()]);
                break;
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf)
    }

    fn too_large(&self, cap: usize) -> SourceError {
        self.error(
            ErrorKind::TooLarge,
            None,
            &format!("response larger than {}", human_size(cap)),
        )
    }

    /// Decode JSON from bytes; bytes that are not UTF-8 are decoded lossily and parsed again, so
    /// one bad label value does not cost the whole snapshot.
    pub fn decode<T: DeserializeOwned>(&self, body: &Body) -> Result<T, SourceError> {
        match serde_json::from_slice::<T>(&body.bytes) {
            Ok(v) => Ok(v),
            Err(first) => {
                if std::str::from_utf8(&body.bytes).is_err() {
                    let text = String::from_utf8_lossy(&body.bytes);
                    return serde_json::from_str::<T>(&text).map_err(|e| self.json_error(&e, body));
                }
                Err(self.json_error(&first, body))
            }
        }
    }

    /// `host:port` for messages (never userinfo).
    fn host(&self) -> String {
        match (self.base.host_str(), self.base.port_or_known_default()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => self.base.to_string(),
        }
    }

    /// The one way to make an error: one line, sanitised, secrets scrubbed.
    /// Scrubbing comes before cutting (a cut must not leave half a token) and again after
    /// cleaning (which could join a token split by control characters).
    pub fn error(&self, kind: ErrorKind, status: Option<u16>, msg: &str) -> SourceError {
        let line = sanitize::clean_line(&self.scrub(msg), 400);
        SourceError::new(kind, status, self.scrub(&line).into_owned())
    }

    /// Replace every secret this client holds with `***`.
    pub fn scrub<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        let mut out = std::borrow::Cow::Borrowed(text);
        for secret in self.secrets.iter() {
            if out.contains(secret.as_str()) {
                out = std::borrow::Cow::Owned(out.replace(secret.as_str(), "***"));
            }
        }
        out
    }
}

fn content_type(resp: &Response) -> Option<String> {
    resp.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.to_ascii_lowercase())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Follow plain-HTTP redirects as usual, but refuse an upgrade to https (see `HttpClient::new`).
fn plain_http_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.url().scheme() == "https" {
            let to = match (attempt.url().host_str(), attempt.url().port()) {
                (Some(h), Some(p)) => format!("https://{h}:{p}"),
                (Some(h), None) => format!("https://{h}"),
                _ => "https".to_string(),
            };
            attempt.error(format!(
                "the server redirects to {to}: use https:// in this source's URL"
            ))
        } else if attempt.previous().len() >= 10 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

/// `%XX` escapes of URL userinfo (`+` stays `+`: this is not a form).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::source::SourceKind;

    fn spec(url: &str) -> SourceSpec {
        SourceSpec::new(
            "am",
            SourceKind::Alertmanager,
            Url::parse(url).unwrap(),
            "test",
        )
    }

    #[test]
    fn joins_paths_under_a_prefix() {
        let c = HttpClient::new(&spec("http://h:1/alertmanager"), &HttpOptions::default()).unwrap();
        assert_eq!(
            c.url(&["api", "v2", "alerts"]).as_str(),
            "http://h:1/alertmanager/api/v2/alerts"
        );
        let c = HttpClient::new(&spec("http://h:1/am/"), &HttpOptions::default()).unwrap();
        assert_eq!(c.url(&["api", "v2"]).as_str(), "http://h:1/am/api/v2");
        let c = HttpClient::new(&spec("http://h:1"), &HttpOptions::default()).unwrap();
        assert_eq!(
            c.url(&["api", "v2", "silence", "../x"]).as_str(),
            "http://h:1/api/v2/silence/..%2Fx"
        );
    }

    #[test]
    fn userinfo_becomes_basic_auth_and_leaves_the_url() {
        let c =
            HttpClient::new(&spec("http://bob:hunter22@h:1/"), &HttpOptions::default()).unwrap();
        assert_eq!(c.url(&["x"]).as_str(), "http://h:1/x");
        assert!(matches!(c.auth, Auth::Basic { ref username, .. } if username == "bob"));
        assert_eq!(percent_decode("a%2Bb+c%zz%4"), "a+b+c%zz%4");
        let e = c.error(ErrorKind::Other, None, "echo hunter22");
        assert_eq!(e.message, "echo ***");
        assert!(!format!("{c:?}").contains("hunter22"));
    }

    #[test]
    fn only_http_and_https() {
        let e = HttpClient::new(&spec("ftp://h/x"), &HttpOptions::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(e.message.starts_with("unsupported URL scheme ftp"), "{e}");
    }

    #[test]
    fn missing_ca_file_is_named() {
        let mut s = spec("https://h:1");
        s.tls.ca_file = Some("/nonexistent/ca.pem".into());
        let e = HttpClient::new(&s, &HttpOptions::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(e.message.contains("/nonexistent/ca.pem"), "{}", e.message);
    }
}
