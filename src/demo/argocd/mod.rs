//! An emulated Argo CD API server (REST as served by grpc-gateway, shapes of Argo CD's
//! `assets/swagger.json`, JSON as Go's `encoding/json` writes it) over the demo world.
//!
//! Apps' health, sync and history come from the scenario [`World`](super::World), so Argo CD,
//! Alertmanager and Prometheus tell one story: a rollback here is a rollback in the world, and
//! the alerts it heals resolve there. Every call needs `Authorization: Bearer`
//! [`DEMO_ARGOCD_TOKEN`] (or the `argocd.token` cookie), like a real server's API.
//!
//! - `GET /api/version`, `POST /api/v1/session`, `GET /api/v1/session/userinfo`
//! - `GET /api/v1/applications`, `GET|PATCH /api/v1/applications/{name}`
//! - `GET /api/v1/applications/{name}/resource-tree`, `…/events`
//! - `GET …/managed-resources`, `…/revisions/{revision}/metadata`, `…/manifests` (fleet drift)
//! - `POST /api/v1/applications/{name}/sync`, `…/rollback`, `DELETE …/operation`
//! - `GET /api/v1/stream/applications` (newline-delimited JSON, or SSE)

mod actions;
mod apps;
mod drift;
mod drift_api;
mod events;
mod objects;
mod select;
mod state;
mod stream;
mod tree;
mod view;
mod wire;

pub(crate) use state::Store;
// The emulated Kubernetes API names its objects as this resource tree does (one story).
pub(crate) use apps::{hash, replicas_for, uid};
pub(crate) use select::{json_patch, merge_patch};
pub(crate) use tree::{NODES, pod_name, restarts, template_hash};

use super::Shared;
use apps::CONTROL_NS;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use select::{Fields, Selector};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The demo server's API token: a JWT for `admin` (the demo checks it byte for byte; it signs
/// nothing and guards nothing but loopback).
pub const DEMO_ARGOCD_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJhcmdvY2QiLCJzdWIiOiJhZG1pbiIsIm5iZiI6MTczNTY4OTYwMCwiaWF0IjoxNzM1Njg5NjAwLCJqdGkiOiJzaXRyZXAtZGVtbyJ9.c2l0cmVwIGRlbW8gdG9rZW4sIG5vdCBhIHNlY3JldCE";
/// `POST /api/v1/session` with `admin` and this password answers [`DEMO_ARGOCD_TOKEN`].
pub const DEMO_ARGOCD_PASSWORD: &str = "sitrep-demo";
pub const VERSION: &str = "v2.13.1+sitrep-demo";
/// The user every API call acts as (the token's `sub`).
const USER: &str = "admin";
/// Paths `fields` can not select (APIS.md): get them from `GET /api/v1/applications/{name}`.
const UNSELECTABLE: [&str; 3] = [
    "items.status.history",
    "items.status.reconciledAt",
    "items.status.operationState.message",
];

/// A gRPC status as grpc-gateway writes it: `{"error","code","message","details"}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub code: u16,
    pub message: String,
}

impl ApiError {
    pub fn new(code: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// grpc-gateway's `HTTPStatusFromCode`.
    pub fn status(&self) -> StatusCode {
        match self.code {
            3 | 9 | 11 => StatusCode::BAD_REQUEST,
            16 => StatusCode::UNAUTHORIZED,
            7 => StatusCode::FORBIDDEN,
            5 => StatusCode::NOT_FOUND,
            6 | 10 => StatusCode::CONFLICT,
            8 => StatusCode::TOO_MANY_REQUESTS,
            12 => StatusCode::NOT_IMPLEMENTED,
            14 => StatusCode::SERVICE_UNAVAILABLE,
            4 => StatusCode::GATEWAY_TIMEOUT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn permission_denied() -> ApiError {
        ApiError::new(7, "permission denied")
    }

    fn not_found(name: &str) -> ApiError {
        ApiError::new(5, format!("applications.argoproj.io \"{name}\" not found"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.message, "code": self.code, "message": self.message, "details": []});
        (self.status(), Json(body)).into_response()
    }
}

/// Query parameters, repeatable ones included.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: Option<String>) -> Query {
        Query(
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// `projects` and its newer spelling `project`.
    fn projects(&self) -> Vec<String> {
        let mut p = self.all("projects");
        p.extend(self.all("project"));
        p
    }
}

/// Argo CD's `getAppEnforceRBAC`: an unknown app is "permission denied" (so names can not be
/// probed) unless the caller named a project, which makes it a plain 404; an app in another
/// project than the one named is a 404 too.
fn resolve(
    st: &state::State,
    name: &str,
    app_namespace: Option<&str>,
    project: Option<&str>,
) -> Result<usize, ApiError> {
    let ns = app_namespace
        .filter(|n| !n.is_empty())
        .unwrap_or(CONTROL_NS);
    let project = project.filter(|p| !p.is_empty());
    match (st.find(name, ns), project) {
        (None, None) => Err(ApiError::permission_denied()),
        (None, Some(_)) => Err(ApiError::not_found(name)),
        (Some(i), Some(p)) if st.apps[i].project() != p => Err(ApiError::not_found(name)),
        (Some(i), _) => Ok(i),
    }
}

#[derive(Clone, Copy)]
struct Authed(bool);

fn token(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return Some(v.strip_prefix("Bearer ").unwrap_or(v).trim().to_string());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("argocd.token=").map(str::to_string))
}

async fn auth(mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let verdict = match token(req.headers()) {
        Some(t) if t == DEMO_ARGOCD_TOKEN => Ok(()),
        Some(t) if t.split('.').count() == 3 => {
            Err("invalid session: token signature is invalid".to_string())
        }
        Some(_) => Err("invalid session: token contains an invalid number of segments".to_string()),
        None => Err("no session information".to_string()),
    };
    let open = [
        "/api/version",
        "/api/v1/session",
        "/api/v1/session/userinfo",
    ];
    req.extensions_mut().insert(Authed(verdict.is_ok()));
    match verdict {
        Err(message) if !open.contains(&path.as_str()) => {
            let e = ApiError::new(16, message);
            if path.starts_with("/api/v1/stream/") {
                stream::error_response(&e, stream::is_sse(req.headers()))
            } else {
                e.into_response()
            }
        }
        _ => next.run(req).await,
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/version", get(version))
        .route("/api/v1/session", post(login))
        .route("/api/v1/session/userinfo", get(userinfo))
        .route("/api/v1/applications", get(list))
        .route(
            "/api/v1/applications/{name}",
            get(get_app).patch(actions::patch),
        )
        .route(
            "/api/v1/applications/{name}/resource-tree",
            get(resource_tree),
        )
        .route("/api/v1/applications/{name}/events", get(events))
        .route(
            "/api/v1/applications/{name}/managed-resources",
            get(drift_api::managed_resources),
        )
        .route(
            "/api/v1/applications/{name}/revisions/{revision}/metadata",
            get(drift_api::revision_metadata),
        )
        .route(
            "/api/v1/applications/{name}/manifests",
            get(drift_api::manifests),
        )
        .route("/api/v1/applications/{name}/sync", post(actions::sync))
        .route(
            "/api/v1/applications/{name}/rollback",
            post(actions::rollback),
        )
        .route(
            "/api/v1/applications/{name}/operation",
            delete(actions::terminate),
        )
        .route("/api/v1/stream/applications", get(stream::watch))
        .fallback(|| async { ApiError::new(5, "Not Found") })
        .layer(middleware::from_fn(auth))
        .with_state(shared)
}

/// While anyone watches, publish what the passing of time changes every 250 ms of wall time.
pub(crate) fn ticker(shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(250));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {
                    if shared.argocd.watchers() > 0 {
                        state::tick(&shared);
                    }
                }
                _ = stopped.wait_for(|stop| *stop) => break,
            }
        }
    })
}

async fn version(axum::Extension(Authed(authed)): axum::Extension<Authed>) -> Json<Value> {
    if !authed {
        return Json(json!({"Version": VERSION}));
    }
    Json(json!({
        "Version": VERSION,
        "BuildDate": "2024-11-20T21:43:48Z",
        "GitCommit": "5f41d0efaf6e1a6b0a56f7c40ab7e96bf4a7f8e4",
        "GitTag": "v2.13.1",
        "GitTreeState": "clean",
        "GoVersion": "go1.22.9",
        "Compiler": "gc",
        "Platform": "linux/amd64",
        "KustomizeVersion": "v5.4.3 2024-07-19T16:40:33Z",
        "HelmVersion": "v3.15.4+gfa9efb0",
        "KubectlVersion": "v0.31.0",
        "JsonnetVersion": "v0.20.0",
    }))
}

async fn login(body: Bytes) -> Response {
    let creds: Value = serde_json::from_slice(&body).unwrap_or_default();
    if creds["username"] == USER && creds["password"] == DEMO_ARGOCD_PASSWORD {
        Json(json!({"token": DEMO_ARGOCD_TOKEN})).into_response()
    } else {
        ApiError::new(16, "Invalid username or password").into_response()
    }
}

async fn userinfo(axum::Extension(Authed(authed)): axum::Extension<Authed>) -> Json<Value> {
    if authed {
        Json(json!({"loggedIn": true, "username": USER, "iss": "argocd"}))
    } else {
        Json(json!({"loggedIn": false}))
    }
}

async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Query::parse(raw);
    let selector = match Selector::parse(q.one("selector").unwrap_or("")) {
        Ok(s) => s,
        Err(e) => {
            return ApiError::new(2, format!("error parsing labels with selectors: {e}"))
                .into_response();
        }
    };
    let projects = q.projects();
    let (rv, mut items) = state::read(&shared, |st, _, _| {
        let items: Vec<(String, String, Value)> = st
            .apps
            .iter()
            .filter(|a| q.one("appNamespace").is_none_or(|ns| a.def.namespace == ns))
            .filter(|a| q.one("name").is_none_or(|n| a.def.name == n))
            .filter(|a| projects.is_empty() || projects.iter().any(|p| p == a.project()))
            .filter(|a| selector.matches(&a.labels))
            .filter(|a| {
                q.one("repo").is_none_or(|repo| {
                    let spec = &a.spec;
                    spec["source"]["repoURL"] == repo
                        || spec["sources"]
                            .as_array()
                            .is_some_and(|s| s.iter().any(|s| s["repoURL"] == repo))
                })
            })
            .map(|a| {
                (
                    a.def.name.clone(),
                    a.def.namespace.clone(),
                    state::published(a),
                )
            })
            .collect();
        (st.rv, items)
    });
    items.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let items: Vec<Value> = items.into_iter().map(|(_, _, v)| v).collect();
    let body = json!({"metadata": {"resourceVersion": rv.to_string()}, "items": items});
    match Fields::parse(&q.all("fields"), &UNSELECTABLE) {
        Some(fields) => Json(fields.apply(&body)).into_response(),
        None => Json(body).into_response(),
    }
}

async fn get_app(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw);
    let project = q.projects().into_iter().next();
    state::read(&shared, |st, _, _| {
        resolve(st, &name, q.one("appNamespace"), project.as_deref())
            .map(|i| Json(state::published(&st.apps[i])))
    })
    .into_response()
}

async fn resource_tree(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw);
    state::read(&shared, |st, world, at| {
        let i = resolve(st, &name, q.one("appNamespace"), q.one("project"))?;
        let app = &st.apps[i];
        let w = if app.def.addon { &st.addons } else { world };
        let live = tree::Live::of(app, w, at);
        let mut answer = tree::resource_tree(app, &live, &shared.clock);
        objects::add_tree_nodes(&mut answer, &objects::managed(app, w, &shared.clock, at));
        Ok::<_, ApiError>(Json(answer))
    })
    .into_response()
}

async fn events(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw);
    state::read(&shared, |st, world, at| {
        let i = resolve(st, &name, q.one("appNamespace"), q.one("project"))?;
        let app = &st.apps[i];
        let w = if app.def.addon { &st.addons } else { world };
        let clock = &shared.clock;
        let (res_name, res_uid) = (q.one("resourceName"), q.one("resourceUID"));
        if res_name.is_none() && res_uid.is_none() {
            return Ok(Json(events::app_events(app, w, clock, at)));
        }
        let live = tree::Live::of(app, w, at);
        let wanted = (
            q.one("resourceNamespace").unwrap_or(""),
            res_name.unwrap_or(""),
            res_uid.unwrap_or(""),
        );
        events::resource_events(app, &live, w, clock, at, wanted)
            .map(Json)
            .ok_or_else(|| {
                ApiError::new(
                    3,
                    format!("{} not found as part of application {name}", wanted.1),
                )
            })
    })
    .into_response()
}
