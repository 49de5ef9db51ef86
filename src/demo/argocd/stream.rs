//! `GET /api/v1/stream/applications`: Argo CD's watch. One JSON object per line
//! (`{"result":{"type","application"}}`, grpc-gateway's stream framing) or, with
//! `Accept: text/event-stream`, Server-Sent Events (`data: {…}\n\n`, `:\n` keepalives).
//!
//! As in Argo CD's `Watch`: without `resourceVersion` (or with `name`) every matching app comes
//! first as ADDED, sorted by qualified name; then MODIFIED whenever an app changes. An app whose
//! resourceVersion is below the requested one is never sent. `appNamespace` scopes `name`.
//! Errors are a `{"error":{grpc_code,http_code,message,http_status}}` chunk.

use super::apps::CONTROL_NS;
use super::select::{Fields, Selector};
use super::state::{self, Event, published};
use super::{ApiError, Query};
use crate::demo::Shared;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// SSE keepalive period (wall time).
const KEEPALIVE: Duration = Duration::from_secs(15);
const UNSELECTABLE: [&str; 3] = [
    "result.application.status.history",
    "result.application.status.reconciledAt",
    "result.application.status.operationState.message",
];

pub fn is_sse(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/event-stream"))
}

fn frame(value: &Value, sse: bool) -> Bytes {
    let json = value.to_string();
    Bytes::from(if sse {
        format!("data: {json}\n\n")
    } else {
        format!("{json}\n")
    })
}

fn content_type(sse: bool) -> HeaderValue {
    HeaderValue::from_static(if sse {
        "text/event-stream"
    } else {
        "application/json"
    })
}

/// A stream that fails before its first message: the error chunk, with the error's status.
pub fn error_response(e: &ApiError, sse: bool) -> Response {
    let status = e.status();
    let chunk = json!({"error": {
        "grpc_code": e.code, "http_code": status.as_u16(), "message": e.message,
        "http_status": status.canonical_reason().unwrap_or(""),
    }});
    let mut resp = (status, frame(&chunk, sse)).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, content_type(sse));
    resp
}

/// Argo CD's `isApplicationPermitted` for one watch.
struct Filter {
    name: Option<String>,
    namespace: String,
    projects: Vec<String>,
    selector: Selector,
    min_rv: u64,
}

impl Filter {
    fn keeps(&self, app: &Value) -> bool {
        let meta = &app["metadata"];
        let rv: u64 = meta["resourceVersion"]
            .as_str()
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        let project = app["spec"]["project"].as_str().unwrap_or("default");
        let labels: BTreeMap<String, String> =
            serde_json::from_value(meta["labels"].clone()).unwrap_or_default();
        rv >= self.min_rv
            && (self.projects.is_empty() || self.projects.iter().any(|p| p == project))
            && self
                .name
                .as_ref()
                .is_none_or(|n| meta["name"] == **n && meta["namespace"] == *self.namespace)
            && self.selector.matches(&labels)
    }
}

pub async fn watch(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let sse = is_sse(&headers);
    let q = Query::parse(raw);
    let selector = match Selector::parse(q.one("selector").unwrap_or("")) {
        Ok(s) => s,
        Err(e) => {
            let e = ApiError::new(2, format!("error parsing labels with selectors: {e}"));
            return error_response(&e, sse);
        }
    };
    let resume = q.one("resourceVersion");
    let filter = Filter {
        name: q.one("name").map(str::to_string),
        namespace: q.one("appNamespace").unwrap_or(CONTROL_NS).to_string(),
        projects: q.projects(),
        selector,
        // Argo CD: an unparsable resourceVersion means 0.
        min_rv: resume.and_then(|r| r.parse().ok()).unwrap_or(0),
    };
    let fields = Fields::parse(&q.all("fields"), &UNSELECTABLE);
    let added = resume.is_none() || filter.name.is_some();
    // Snapshot and subscribe under one lock: nothing is missed, nothing comes twice.
    let (initial, events) = state::read(&shared, |st, _, _| {
        let events = shared.argocd.subscribe();
        let mut apps: Vec<&_> = if added {
            st.apps.iter().collect()
        } else {
            Vec::new()
        };
        apps.sort_by_key(|a| a.def.qualified());
        let initial: Vec<Value> = apps.into_iter().map(published).collect();
        (initial, events)
    });
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    let stopped = shared.stopped.clone();
    tokio::spawn(pump(initial, events, tx, filter, fields, sse, stopped));
    let body = Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
    }));
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type(sse));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        "X-Content-Type-Options",
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// Feed one watcher until it goes away, lags behind, or the demo stops.
async fn pump(
    initial: Vec<Value>,
    mut events: broadcast::Receiver<Event>,
    tx: mpsc::Sender<Bytes>,
    filter: Filter,
    fields: Option<Fields>,
    sse: bool,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let line = |kind: &str, app: &Value| {
        let v = json!({"result": {"type": kind, "application": app}});
        frame(&fields.as_ref().map_or(v.clone(), |f| f.apply(&v)), sse)
    };
    for app in initial.iter().filter(|a| filter.keeps(a)) {
        if tx.send(line("ADDED", app)).await.is_err() {
            return;
        }
    }
    let mut keepalive =
        tokio::time::interval_at(tokio::time::Instant::now() + KEEPALIVE, KEEPALIVE);
    loop {
        let out = tokio::select! {
            ev = events.recv() => match ev {
                Ok(ev) if filter.keeps(&ev.app) => line(ev.kind, &ev.app),
                Ok(_) => continue,
                // Too slow to keep up (or the store is gone): end the stream; the client
                // reconnects and lists again, as with a real server.
                Err(_) => return,
            },
            _ = keepalive.tick(), if sse => Bytes::from_static(b":\n"),
            _ = stopped.wait_for(|s| *s) => return,
            _ = tx.closed() => return,
        };
        if tx.send(out).await.is_err() {
            return;
        }
    }
}
