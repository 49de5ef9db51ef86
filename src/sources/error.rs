//! One error type for every source failure: a kind (for `check`, backoff and tests) and one
//! clean line a tired human can act on. Messages are sanitised and scrubbed of secrets where they
//! are made (`http::HttpClient`), so they can go straight to the status line, logs and exports.

use std::fmt;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The source's own settings are unusable (unreadable `ca_file`, unsupported kind).
    Config,
    /// Nothing listens on the port.
    Refused,
    /// The host name does not resolve.
    Dns,
    /// No (complete) answer within the source's timeout.
    Timeout,
    /// TLS handshake or certificate failure.
    Tls,
    /// Any other failure to connect or to keep the connection (reset, unreachable).
    Connect,
    /// HTTP 401.
    Unauthorized,
    /// HTTP 403.
    Forbidden,
    /// HTTP 404: usually the wrong URL or the wrong kind of server.
    NotFound,
    /// Another 4xx; the message is the server's own text.
    Rejected,
    /// HTTP 5xx.
    Server,
    /// The server redirects somewhere we will not follow (http → https): fix the URL.
    Redirect,
    /// The body passed the size cap.
    TooLarge,
    /// The body is not JSON at all (HTML login page, plain text).
    NotJson,
    /// The body is JSON-like but broken or of an unexpected shape.
    InvalidJson,
    /// A well-formed error answer inside a 200 (Prometheus `"status":"error"`).
    Api,
    Other,
}

/// A failed request to a source. `Display` is the message; it never holds a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub kind: ErrorKind,
    /// HTTP status, when the server answered.
    pub status: Option<u16>,
    pub message: String,
}

impl SourceError {
    /// Build an error from text that is already clean. Prefer `HttpClient::error`, which
    /// sanitises and scrubs.
    pub fn new(kind: ErrorKind, status: Option<u16>, message: impl Into<String>) -> SourceError {
        SourceError {
            kind,
            status,
            message: message.into(),
        }
    }

    /// Did an HTTP server answer at all (even with an error status or garbage)?
    pub fn reached_server(&self) -> bool {
        !matches!(
            self.kind,
            ErrorKind::Config
                | ErrorKind::Refused
                | ErrorKind::Dns
                | ErrorKind::Timeout
                | ErrorKind::Tls
                | ErrorKind::Connect
                | ErrorKind::Other
        )
    }

    /// Did the server refuse our credentials?
    pub fn is_auth(&self) -> bool {
        matches!(self.kind, ErrorKind::Unauthorized | ErrorKind::Forbidden)
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SourceError {}

/// `10s`, `300ms`, `1.5s`, `5m`: how people say timeouts.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// `64 MB`, `512 KB`: the size cap as people read it.
pub fn human_size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MB", bytes as f64 / MIB as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(human_duration(Duration::from_secs(10)), "10s");
        assert_eq!(human_duration(Duration::from_millis(300)), "300ms");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(human_duration(Duration::from_secs(300)), "5m");
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_size(64 * 1024 * 1024), "64 MB");
        assert_eq!(human_size(512 * 1024), "512 KB");
        assert_eq!(human_size(1536 * 1024), "1.5 MB");
    }
}
