//! Turning failures into one line a human can act on: transport errors, error statuses, bodies
//! that are not the JSON we asked for. Every message goes through `HttpClient::error`.

use super::{Body, HttpClient, SNIPPET_CHARS};
use crate::sanitize;
use crate::sources::error::{ErrorKind, SourceError, human_duration};
use reqwest::StatusCode;

impl HttpClient {
    pub(super) fn json_error(&self, err: &serde_json::Error, body: &Body) -> SourceError {
        let first = body.bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_none() {
            return self.error(
                ErrorKind::NotJson,
                None,
                "expected JSON but got an empty response",
            );
        }
        let ct = body.content_type.as_deref().unwrap_or("");
        let json_like = matches!(first, Some(b'{' | b'[' | b'"'));
        if !json_like || ct.contains("html") {
            let shown = if ct.is_empty() {
                "a response without content type"
            } else {
                ct.split(';').next().unwrap_or(ct).trim()
            };
            let head = &body.bytes[..body.bytes.len().min(4096)];
            let text = sanitize::clean_line(&self.scrub(&String::from_utf8_lossy(head)), 80);
            return self.error(
                ErrorKind::NotJson,
                None,
                &format!("expected JSON but got {shown}: {text}"),
            );
        }
        let at = format!("line {} col {}", err.line(), err.column());
        let msg = match err.classify() {
            serde_json::error::Category::Eof => {
                format!("invalid JSON at {at} (response cut short)")
            }
            serde_json::error::Category::Data => {
                format!("unexpected JSON at {at}: {}", serde_reason(err))
            }
            _ => format!("invalid JSON at {at}"),
        };
        self.error(ErrorKind::InvalidJson, None, &msg)
    }

    /// A non-2xx answer as one line.
    pub(super) fn status_error(
        &self,
        status: StatusCode,
        what: &str,
        body: &[u8],
        content_type: Option<&str>,
    ) -> SourceError {
        let code = status.as_u16();
        let raw = String::from_utf8_lossy(body);
        let text = server_text(self.scrub(&raw).as_bytes(), content_type);
        let (kind, msg) = match code {
            401 => (
                ErrorKind::Unauthorized,
                format!(
                    "unauthorized: check the token/credentials for source {}",
                    self.source
                ),
            ),
            403 => (
                ErrorKind::Forbidden,
                format!(
                    "forbidden: the credentials for source {} may not {what}",
                    self.source
                ),
            ),
            404 => (
                ErrorKind::NotFound,
                format!("not found: is this {}? {what} returned 404", self.noun),
            ),
            500..=599 => (
                ErrorKind::Server,
                match text.is_empty() {
                    true => format!("server error {code} on {what}"),
                    false => format!("server error {code}: {text}"),
                },
            ),
            // The server's own words are the most useful thing we can show (Alertmanager's 400
            // bodies say exactly what is wrong with a silence).
            _ => (
                ErrorKind::Rejected,
                match text.is_empty() {
                    true => format!("HTTP {code} on {what}"),
                    false => text,
                },
            ),
        };
        self.error(kind, Some(code), &msg)
    }

    /// A transport failure as one line. The URL is dropped from reqwest's error first: it is
    /// ours to show (without userinfo), not reqwest's.
    pub(super) fn classify(&self, err: reqwest::Error) -> SourceError {
        let err = err.without_url();
        let chain = chain_text(&err);
        let lower = chain.to_ascii_lowercase();
        let host = self.host();
        let cause = root_cause(&err);
        if err.is_redirect() {
            return self.error(ErrorKind::Redirect, None, &cause);
        }
        if err.is_timeout() || has_io_kind(&err, std::io::ErrorKind::TimedOut) {
            let msg = format!("no answer within {}", human_duration(self.timeout));
            return self.error(ErrorKind::Timeout, None, &msg);
        }
        if lower.contains("dns error") || lower.contains("failed to lookup address") {
            let name = self.base.host_str().unwrap_or("").to_string();
            return self.error(ErrorKind::Dns, None, &format!("cannot resolve host {name}"));
        }
        if has_io_kind(&err, std::io::ErrorKind::ConnectionRefused) {
            let msg = format!("connection refused by {host}");
            return self.error(ErrorKind::Refused, None, &msg);
        }
        if lower.contains("certificate") || lower.contains("unknownissuer") {
            let msg = if lower.contains("notvalidforname") || lower.contains("not valid for name") {
                format!(
                    "certificate is not valid for {host}: fix the URL, or set insecure = true for this source"
                )
            } else if lower.contains("expired") {
                "certificate expired: renew it, or set insecure = true for this source".to_string()
            } else {
                "certificate not trusted: set ca_file or insecure = true for this source"
                    .to_string()
            };
            return self.error(ErrorKind::Tls, None, &msg);
        }
        if lower.contains("invalidcontenttype") {
            let msg = format!(
                "TLS handshake with {host} failed: the server does not speak TLS (try http://)"
            );
            return self.error(ErrorKind::Tls, None, &msg);
        }
        if lower.contains("tls") || lower.contains("handshake") || lower.contains("corrupt message")
        {
            let msg = format!("TLS handshake with {host} failed: {cause}");
            return self.error(ErrorKind::Tls, None, &msg);
        }
        if err.is_connect() {
            return self.error(
                ErrorKind::Connect,
                None,
                &format!("cannot connect to {host}: {cause}"),
            );
        }
        if err.is_body() || err.is_decode() {
            let msg = format!("connection broken while reading the answer: {cause}");
            return self.error(ErrorKind::Connect, None, &msg);
        }
        self.error(ErrorKind::Other, None, &format!("request failed: {chain}"))
    }
}

/// The server's own explanation in an error body: a JSON string (Alertmanager), a JSON object's
/// `error`/`message` (Prometheus, Argo CD), an HTML page's text, or plain text. Clean and short.
pub fn server_text(body: &[u8], content_type: Option<&str>) -> String {
    if body.is_empty() {
        return String::new();
    }
    let raw = String::from_utf8_lossy(body);
    let text = match serde_json::from_str::<serde_json::Value>(&raw) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(o)) => {
            let field = |k: &str| o.get(k).and_then(|v| v.as_str()).filter(|s| !s.is_empty());
            // A stream's error chunk (grpc-gateway): `{"error":{"message":…,"http_code":…}}`.
            let nested = o
                .get("error")
                .and_then(|e| e.get("message"))
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty());
            match (
                field("errorType"),
                field("error").or_else(|| field("message")).or(nested),
            ) {
                (Some(t), Some(e)) => format!("{t}: {e}"),
                (None, Some(e)) => e.to_string(),
                _ => raw.to_string(),
            }
        }
        _ if content_type.is_some_and(|c| c.contains("html"))
            || raw.trim_start().starts_with('<') =>
        {
            strip_tags(&raw)
        }
        _ => raw.to_string(),
    };
    sanitize::clean_line(text.trim(), SNIPPET_CHARS)
}

/// Crude but safe: the text of an HTML error page, whitespace folded.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len().min(4096));
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
        if out.len() > 4096 {
            break;
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// serde's message without its own " at line L column C" suffix (we say that ourselves).
fn serde_reason(err: &serde_json::Error) -> String {
    let s = err.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// An error and its causes as one line, without repeats ("a: b: c").
pub(super) fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let s = e.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// The innermost error: the one that says what actually happened.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn has_io_kind(err: &(dyn std::error::Error + 'static), kind: std::io::ErrorKind) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == kind
        {
            return true;
        }
        cur = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_prefers_the_servers_words() {
        assert_eq!(server_text(br#""bad matcher""#, None), "bad matcher");
        assert_eq!(
            server_text(
                br#"{"status":"error","errorType":"bad_data","error":"x"}"#,
                None
            ),
            "bad_data: x"
        );
        assert_eq!(
            server_text(
                b"<html><title>502 Bad Gateway</title></html>",
                Some("text/html")
            ),
            "502 Bad Gateway"
        );
        assert_eq!(server_text(b"plain \x1b[31mred", None), "plain red");
        assert_eq!(
            server_text(
                br#"{"error":{"grpc_code":16,"http_code":401,"message":"no session information"}}"#,
                None
            ),
            "no session information"
        );
    }
}
