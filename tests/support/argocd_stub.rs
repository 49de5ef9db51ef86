//! A small scripted Argo CD API server (axum on 127.0.0.1:0) for the client's tests: apps in
//! memory, every request recorded, any answer overridable, and watch streams the test feeds
//! line by line and closes when it likes.
#![allow(dead_code)]

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use url::Url;

pub const TOKEN: &str = "stub-token-0123456789abcdef";

/// One request as the stub saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub authorization: Option<String>,
    pub accept: Option<String>,
}

impl Seen {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn params(&self, key: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

type Chunk = Result<Bytes, std::io::Error>;

#[derive(Default)]
pub struct StubState {
    pub apps: Mutex<Vec<Value>>,
    pub list_rv: Mutex<String>,
    pub requests: Mutex<Vec<Seen>>,
    /// (method, path) → (status, body), answered instead of the built-in behaviour.
    pub overrides: Mutex<HashMap<(String, String), (u16, Value)>>,
    /// Prepared watch connections, used in order; without one, a stream stays open and silent.
    streams: Mutex<VecDeque<(mpsc::Receiver<Chunk>, &'static str)>>,
}

pub struct Stub {
    pub url: Url,
    pub state: Arc<StubState>,
}

/// Feeds one watch connection; dropping it (or `close`) ends that stream.
pub struct Feed(mpsc::Sender<Chunk>);

impl Feed {
    pub async fn line(&self, v: &Value) {
        self.raw(format!("{v}\n").into_bytes()).await;
    }
    pub async fn event(&self, kind: &str, app: &Value) {
        self.line(&json!({"result": {"type": kind, "application": app}}))
            .await;
    }
    pub async fn raw(&self, bytes: Vec<u8>) {
        self.0
            .send(Ok(Bytes::from(bytes)))
            .await
            .expect("stream open");
    }
    /// The connection breaks mid-stream (not a clean end).
    pub async fn fail(&self) {
        let _ = self
            .0
            .send(Err(std::io::Error::other("connection reset")))
            .await;
    }
    pub fn close(self) {}
}

impl Stub {
    pub async fn start() -> Stub {
        let state = Arc::new(StubState::default());
        *state.list_rv.lock().unwrap() = "100".to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let shared = state.clone();
        let router = Router::new().fallback(move |method, uri, headers, body| {
            handle(shared.clone(), method, uri, headers, body)
        });
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Stub { url, state }
    }

    pub fn set_apps(&self, apps: Vec<Value>) {
        *self.state.apps.lock().unwrap() = apps;
    }

    /// Prepare the next watch connection (newline-delimited JSON).
    pub fn stream(&self) -> Feed {
        self.stream_as("application/json")
    }

    /// Prepare the next watch connection with this content type (`text/event-stream`).
    pub fn stream_as(&self, content_type: &'static str) -> Feed {
        let (tx, rx) = mpsc::channel(16);
        self.state
            .streams
            .lock()
            .unwrap()
            .push_back((rx, content_type));
        Feed(tx)
    }

    pub fn reply(&self, method: &str, path: &str, status: u16, body: Value) {
        self.state
            .overrides
            .lock()
            .unwrap()
            .insert((method.to_string(), path.to_string()), (status, body));
    }

    pub fn clear_replies(&self) {
        self.state.overrides.lock().unwrap().clear();
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.state.requests.lock().unwrap().clone()
    }

    pub fn requests_to(&self, method: &str, path: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path == path)
            .collect()
    }
}

/// An Argo CD error body (`runtimeError`).
pub fn api_error(code: u16, message: &str) -> Value {
    json!({"error": message, "code": code, "message": message, "details": []})
}

/// A plausible app in namespace `ns`.
pub fn app(name: &str, ns: &str, rv: u64) -> Value {
    json!({
        "metadata": {"name": name, "namespace": ns, "resourceVersion": rv.to_string(),
                     "labels": {"team": "payments"}, "uid": format!("uid-{name}")},
        "spec": {"project": "payments",
                 "source": {"repoURL": "https://git.example/deploy", "path": name, "targetRevision": "main"},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": name},
                 "syncPolicy": {"automated": {"prune": true, "selfHeal": true}}},
        "status": {"sync": {"status": "Synced", "revision": "abc123"},
                   "health": {"status": "Healthy"},
                   "history": [{"id": 4, "revision": "old000", "deployedAt": "2024-05-01T09:00:00Z"},
                               {"id": 5, "revision": "abc123", "deployedAt": "2024-05-01T10:00:00Z"}],
                   "reconciledAt": "2024-05-01T10:01:00Z"}
    })
}

fn json_response(status: u16, body: &Value) -> Response {
    let mut resp = (
        StatusCode::from_u16(status).unwrap(),
        serde_json::to_vec(body).unwrap(),
    )
        .into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
    resp
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

async fn handle(
    state: Arc<StubState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let header_str = |h| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let seen = Seen {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        body: serde_json::from_slice(&body).ok(),
        authorization: header_str(header::AUTHORIZATION),
        accept: header_str(header::ACCEPT),
    };
    state.requests.lock().unwrap().push(seen.clone());

    if let Some((status, body)) = state
        .overrides
        .lock()
        .unwrap()
        .get(&(method.to_string(), path.clone()))
        .cloned()
    {
        return json_response(status, &body);
    }
    if path != "/api/version" && seen.authorization.as_deref() != Some(&format!("Bearer {TOKEN}")) {
        let msg = match &seen.authorization {
            // Some servers echo what they got: the client must scrub it.
            Some(a) => format!("invalid session: token {a} has expired"),
            None => "no session information".to_string(),
        };
        return json_response(401, &api_error(16, &msg));
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let app_ns = seen.param("appNamespace").unwrap_or("argocd").to_string();
    let find =
        |name: &str| {
            state.apps.lock().unwrap().iter().position(|a| {
                a["metadata"]["name"] == name && a["metadata"]["namespace"] == *app_ns
            })
        };
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["api", "version"]) => json_response(
            200,
            &json!({"Version": "v2.13.1+stub", "GoVersion": "go1.22"}),
        ),
        ("GET", ["api", "v1", "applications"]) => {
            let apps = state.apps.lock().unwrap().clone();
            let items: Vec<Value> = if seen.param("fields").is_some() {
                apps.iter()
                    .map(|a| json!({"metadata": {"name": a["metadata"]["name"]}}))
                    .collect()
            } else {
                apps
            };
            let rv = state.list_rv.lock().unwrap().clone();
            json_response(
                200,
                &json!({"metadata": {"resourceVersion": rv}, "items": items}),
            )
        }
        ("GET", ["api", "v1", "stream", "applications"]) => {
            let next = state.streams.lock().unwrap().pop_front();
            let (body, content_type) = match next {
                Some((rx, ct)) => (
                    Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
                        rx.recv().await.map(|c| (c, rx))
                    })),
                    ct,
                ),
                None => (
                    Body::from_stream(futures::stream::pending::<Chunk>()),
                    "application/json",
                ),
            };
            let mut resp = Response::new(body);
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, content_type.parse().unwrap());
            resp
        }
        (m, ["api", "v1", "applications", name, rest @ ..]) => {
            let Some(i) = find(name) else {
                return json_response(403, &api_error(7, "permission denied"));
            };
            let current = state.apps.lock().unwrap()[i].clone();
            match (m, rest) {
                ("GET", []) => json_response(200, &current),
                ("PATCH", []) => {
                    let patch: Value = seen
                        .body
                        .as_ref()
                        .and_then(|b| b["patch"].as_str())
                        .and_then(|p| serde_json::from_str(p).ok())
                        .unwrap_or(Value::Null);
                    let mut apps = state.apps.lock().unwrap();
                    merge(&mut apps[i], &patch);
                    json_response(200, &apps[i])
                }
                ("POST", ["rollback"]) | ("POST", ["sync"]) => json_response(200, &current),
                ("DELETE", ["operation"]) => json_response(200, &json!({})),
                ("GET", ["resource-tree"]) => json_response(
                    200,
                    &json!({"nodes": [
                        {"kind": "Deployment", "namespace": name, "name": name, "uid": "d1",
                         "health": {"status": "Healthy"}},
                        {"kind": "Pod", "namespace": name, "name": format!("{name}-1"), "uid": "p1",
                         "parentRefs": [{"kind": "ReplicaSet", "uid": "r1"}]}]}),
                ),
                ("GET", ["events"]) => json_response(
                    200,
                    &json!({"metadata": {}, "items": [
                        {"involvedObject": {"kind": "Pod", "name": format!("{name}-1")},
                         "reason": "BackOff", "message": "restarting", "type": "Warning", "count": 3,
                         "lastTimestamp": "2024-05-01T10:00:00Z"}]}),
                ),
                _ => json_response(404, &api_error(5, "Not Found")),
            }
        }
        _ => json_response(404, &api_error(5, "Not Found")),
    }
}
