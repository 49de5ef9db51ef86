//! One HTTP exchange with the API server for the effect client: sent once (kube's default
//! retry layer is off for this client), bounded by the source's timeout, the body read up to
//! a cap, an error answer turned into one clean line that says what it means.

use crate::config::source::SourceSpec;
use crate::sources::error::{ErrorKind, SourceError};
use axum::http::{Method, Request, header};
use futures::StreamExt;
use serde_json::Value;
use std::time::Duration;

/// Largest JSON answer read (a Deployment, a ReplicaSet list of one namespace).
pub const JSON_BODY_CAP: usize = 32 * 1024 * 1024;
/// Longest server message kept in an error.
const MESSAGE_CAP: usize = 600;

/// A client for the effect client: like `client::connect`, but with kube's retry layer off,
/// because a mutation answered 429/503/504 must not be sent again behind the user's back.
pub async fn connect_once_only(spec: &SourceSpec) -> Result<::kube::Client, SourceError> {
    let client = super::super::client::client_config(spec, Some(spec.timeout)).await;
    let mut config = client?;
    config.default_retry = false;
    super::super::client::client_from(spec, config)
}

/// A body as sent.
pub struct Payload {
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Payload {
    pub fn json_patch(v: &Value) -> Payload {
        Payload::of("application/json-patch+json", v)
    }
    pub fn merge_patch(v: &Value) -> Payload {
        Payload::of("application/merge-patch+json", v)
    }
    pub fn strategic_merge_patch(v: &Value) -> Payload {
        Payload::of("application/strategic-merge-patch+json", v)
    }
    fn of(content_type: &'static str, v: &Value) -> Payload {
        Payload {
            content_type,
            body: v.to_string().into_bytes(),
        }
    }
}

/// Which end of a body over the cap is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The first `cap` bytes (a JSON answer: over the cap it is refused anyway).
    Head,
    /// The last `cap` bytes (a log tail: the newest lines matter most).
    Tail,
}

/// What came back: the body (at most the cap) and whether more was there (after it with
/// `Keep::Head`, before it with `Keep::Tail`).
pub struct Answer {
    pub body: Vec<u8>,
    pub cut: bool,
}

/// The effect client's connection to one cluster.
#[derive(Clone)]
pub struct Wire {
    pub client: ::kube::Client,
    pub timeout: Duration,
}

impl Wire {
    /// GET `path_and_query` and decode JSON.
    pub async fn get_json(&self, path_and_query: &str) -> Result<Value, SourceError> {
        let answer = self
            .exchange(Method::GET, path_and_query, None, JSON_BODY_CAP)
            .await?;
        if answer.cut {
            return Err(SourceError::new(
                ErrorKind::TooLarge,
                None,
                format!(
                    "the answer passed {} MiB; not read",
                    JSON_BODY_CAP / 1024 / 1024
                ),
            ));
        }
        serde_json::from_slice(&answer.body).map_err(|e| {
            SourceError::new(
                ErrorKind::InvalidJson,
                None,
                format!("the API server's answer is not the JSON expected: {e}"),
            )
        })
    }

    /// PATCH once. The answer's body is not needed (only that it was accepted).
    pub async fn patch(&self, path_and_query: &str, payload: Payload) -> Result<(), SourceError> {
        self.exchange(Method::PATCH, path_and_query, Some(payload), 64 * 1024)
            .await
            .map(|_| ())
            .map_err(|e| match e.kind {
                // A patch without an answer may still have been applied.
                ErrorKind::Timeout => SourceError::new(
                    ErrorKind::Timeout,
                    None,
                    format!(
                        "{}; the change may or may not have been made: look before trying again",
                        e.message
                    ),
                ),
                _ => e,
            })
    }

    /// One request, the whole of it (headers and body) within the timeout. The body is read
    /// up to `cap` bytes; `cut` says more was there.
    pub async fn exchange(
        &self,
        method: Method,
        path_and_query: &str,
        payload: Option<Payload>,
        cap: usize,
    ) -> Result<Answer, SourceError> {
        self.exchange_keeping(method, path_and_query, payload, cap, Keep::Head)
            .await
    }

    /// Like [`Wire::exchange`], keeping `keep`'s end of a body over the cap.
    pub async fn exchange_keeping(
        &self,
        method: Method,
        path_and_query: &str,
        payload: Option<Payload>,
        cap: usize,
        keep: Keep,
    ) -> Result<Answer, SourceError> {
        let seconds = self.timeout.as_secs_f64();
        match tokio::time::timeout(
            self.timeout,
            self.exchange_unbounded(method, path_and_query, payload, cap, keep),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(SourceError::new(
                ErrorKind::Timeout,
                None,
                format!("no answer from the API server within {seconds:.0}s"),
            )),
        }
    }

    async fn exchange_unbounded(
        &self,
        method: Method,
        path_and_query: &str,
        payload: Option<Payload>,
        cap: usize,
        keep: Keep,
    ) -> Result<Answer, SourceError> {
        let mut builder = Request::builder()
            .method(method)
            .uri(path_and_query)
            .header(header::ACCEPT, "application/json, */*");
        let body = match payload {
            Some(p) => {
                builder = builder.header(header::CONTENT_TYPE, p.content_type);
                ::kube::client::Body::from(p.body)
            }
            None => ::kube::client::Body::empty(),
        };
        let request = builder
            .body(body)
            .map_err(|e| SourceError::new(ErrorKind::Other, None, format!("bad request: {e}")))?;
        let response = self
            .client
            .send(request)
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status();
        let body = axum::body::Body::new(response.into_body());
        let answer = if status.is_success() {
            read_capped(body, cap, keep).await?
        } else {
            read_capped(body, 64 * 1024, Keep::Head).await?
        };
        if status.is_success() {
            Ok(answer)
        } else {
            Err(status_error(status.as_u16(), &answer.body))
        }
    }
}

/// Read `body`, keeping at most `cap` bytes of it (`keep` says which end); `cut` when some
/// were dropped.
async fn read_capped(
    body: axum::body::Body,
    cap: usize,
    keep: Keep,
) -> Result<Answer, SourceError> {
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    let mut cut = false;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            SourceError::new(
                ErrorKind::Connect,
                None,
                crate::sanitize::clean_line(&format!("the answer broke off: {e}"), MESSAGE_CAP),
            )
        })?;
        match keep {
            Keep::Head => {
                let room = cap - out.len();
                if chunk.len() > room {
                    out.extend_from_slice(&chunk[..room]);
                    return Ok(Answer {
                        body: out,
                        cut: true,
                    });
                }
                out.extend_from_slice(&chunk);
            }
            Keep::Tail => {
                out.extend_from_slice(&chunk);
                // Drop the oldest bytes now and then, not per chunk: memory stays under
                // twice the cap and the copying stays linear.
                if out.len() > cap.saturating_mul(2) {
                    out.drain(..out.len() - cap);
                    cut = true;
                }
            }
        }
    }
    if out.len() > cap {
        out.drain(..out.len() - cap);
        cut = true;
    }
    Ok(Answer { body: out, cut })
}

/// A failure before any answer (connect, TLS, credentials plugin): a fixed phrase, never the
/// plugin's output.
fn transport_error(e: &::kube::Error) -> SourceError {
    let described = crate::sources::kube::client::describe_error(e);
    let text = described.message;
    let text = if text.starts_with("cannot reach the API server") {
        text
    } else {
        format!("cannot reach the API server: {text}")
    };
    SourceError::new(described.kind, described.status, text)
}

/// The server's `Status` (or whatever text it sent) as one line that says what it means.
pub fn status_error(code: u16, body: &[u8]) -> SourceError {
    let message = server_message(body);
    let (kind, what) = match code {
        401 => (
            ErrorKind::Unauthorized,
            "unauthorized (credentials expired or refused)",
        ),
        403 => (ErrorKind::Forbidden, "forbidden by RBAC"),
        404 => (ErrorKind::NotFound, "not found"),
        409 => (
            ErrorKind::Rejected,
            "conflict (the object changed meanwhile)",
        ),
        422 => (ErrorKind::Rejected, "rejected as invalid"),
        429 => (
            ErrorKind::Rejected,
            "throttled by the API server (not retried)",
        ),
        400..=499 => (ErrorKind::Rejected, "rejected"),
        _ => (ErrorKind::Server, "API server error"),
    };
    let line = if message.is_empty() {
        format!("{what} (HTTP {code})")
    } else {
        format!("{what} (HTTP {code}): {message}")
    };
    SourceError::new(kind, Some(code), line)
}

/// A `Status` answer's `message`, else the start of the body; clean and capped.
pub fn server_message(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(v) => match v.get("message").and_then(Value::as_str) {
            Some(m) => m.to_string(),
            None => String::from_utf8_lossy(body).into_owned(),
        },
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    crate::sanitize::clean_line(text.trim(), MESSAGE_CAP)
}

/// A name that can go into a path as is (Kubernetes names are DNS subdomains or labels);
/// anything else is refused rather than encoded.
pub fn checked_name<'a>(what: &str, name: &'a str) -> Result<&'a str, SourceError> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if ok {
        Ok(name)
    } else {
        Err(SourceError::new(
            ErrorKind::Config,
            None,
            format!(
                "{what} {:?} is not a valid Kubernetes name",
                crate::sanitize::clean_line(name, 80)
            ),
        ))
    }
}

/// A query value, percent-encoded.
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
