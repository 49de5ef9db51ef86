//! The HTTP face of the emulated API server: paths parsed the way the API server routes them
//! (`/api/v1/…`, `/apis/apps/v1/…`, namespaced or across namespaces), Bearer token auth,
//! list (selectors, `limit`/`continue`), get, watch, patch, pod logs, discovery.

use super::discovery;
use super::logs::{LogQuery, pod_log};
use super::patch::PatchType;
use super::scenario::{PatchRequest, Scenario};
use super::selector::Selector;
use super::status::{ApiError, json_ok, json_text};
use super::store::{Filter, Kind, Store};
use super::watch::{self, Start, WatchRequest};
use crate::demo::clock::ScenarioClock;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch as signal;

/// Request bodies larger than this are refused (a patch is small).
const MAX_BODY: usize = 3 * 1024 * 1024;

pub struct Api {
    pub store: Arc<Store>,
    pub token: String,
    pub scenario: Option<Arc<Scenario>>,
    /// For pod logs of the synthetic cluster (which has no scenario).
    pub clock: ScenarioClock,
    pub stopped: signal::Receiver<bool>,
    pub bookmark_every: Duration,
    /// Requests without credentials are allowed (see [`authorized`]).
    pub anonymous: bool,
}

pub fn router(api: Arc<Api>) -> Router {
    Router::new().fallback(handle).with_state(api)
}

/// A wrong or malformed token is refused (401). No `Authorization` at all is let in as
/// `system:anonymous` (`--anonymous-auth` with RBAC granting it, on loopback only): kubectl
/// never sends credentials to a plain-http server, and the demo serves no TLS.
fn authorized(api: &Api, headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return api.anonymous;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let Some(token) = value.strip_prefix("Bearer ") else {
        return false;
    };
    // Compare every byte: no early exit on the first difference.
    token.len() == api.token.len()
        && token
            .bytes()
            .zip(api.token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

async fn handle(
    State(api): State<Arc<Api>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let path = uri.path().trim_end_matches('/').to_string();
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    if matches!(path.as_str(), "/healthz" | "/livez" | "/readyz") {
        return (StatusCode::OK, "ok").into_response();
    }
    if !authorized(&api, &headers) {
        return ApiError::new(401, "Unauthorized", "Unauthorized").into_response();
    }
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(
                413,
                "RequestEntityTooLarge",
                "the request body is too large",
            )
            .into_response();
        }
    };
    match route(&api, &method, &path, &query, &headers, body) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn route(
    api: &Api,
    method: &Method,
    path: &str,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let not_found = || {
        ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    };
    match segs.as_slice() {
        ["version"] => return Ok(json_ok(&discovery::version())),
        ["api"] => return Ok(json_ok(&discovery::api_versions())),
        ["apis"] => return Ok(json_ok(&discovery::api_groups())),
        ["api", "v1"] => return Ok(json_ok(&discovery::resources(""))),
        ["apis", "apps", "v1"] => return Ok(json_ok(&discovery::resources("apps"))),
        ["apis", "authorization.k8s.io", "v1"] => {
            return Ok(json_ok(&discovery::resources("authorization.k8s.io")));
        }
        [
            "apis",
            "authorization.k8s.io",
            "v1",
            "selfsubjectaccessreviews",
        ] if method == Method::POST => {
            let request: Value = serde_json::from_slice(&body).map_err(|e| {
                ApiError::new(
                    400,
                    "BadRequest",
                    format!("invalid SelfSubjectAccessReview: {e}"),
                )
            })?;
            return Ok(json_text(
                StatusCode::CREATED,
                discovery::access_review(&request).to_string(),
            ));
        }
        _ => {}
    }
    let (group, rest) = match segs.as_slice() {
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", "apps", "v1", rest @ ..] => ("apps", rest),
        _ => return Err(not_found()),
    };
    let kind_of = |plural: &str| Kind::from_plural(group, plural).ok_or_else(not_found);
    match (rest, method) {
        ([plural], &Method::GET) => {
            let kind = kind_of(plural)?;
            collection(api, kind, None, q)
        }
        (["namespaces", ns], &Method::GET) if group.is_empty() => {
            object(api, Kind::Namespace, "", ns)
        }
        (["namespaces", ns, plural], &Method::GET) => {
            let kind = kind_of(plural)?;
            if !kind.namespaced() {
                return Err(not_found());
            }
            collection(api, kind, Some(ns), q)
        }
        (["namespaces", ns, plural, name], &Method::GET) => object(api, kind_of(plural)?, ns, name),
        (["namespaces", ns, "pods", name, "log"], &Method::GET) if group.is_empty() => {
            logs(api, ns, name, q)
        }
        (["namespaces", ns, "deployments", name, "scale"], &Method::GET) if group == "apps" => {
            let text = api.store.get(Kind::Deployment, ns, name).ok_or_else(|| {
                ApiError::not_found("deployments.apps", "apps", "deployments", name)
            })?;
            let v: Value = serde_json::from_str(&text).unwrap_or_default();
            Ok(json_ok(&super::patch::scale_object(&v)))
        }
        (["namespaces", ns, "deployments", name, sub @ ..], &Method::PATCH)
            if group == "apps" && sub.len() <= 1 =>
        {
            let scale = match sub {
                [] => false,
                ["scale"] => true,
                _ => return Err(not_found()),
            };
            let Some(scenario) = &api.scenario else {
                return Err(ApiError::new(
                    405,
                    "MethodNotAllowed",
                    "this cluster is read-only",
                ));
            };
            let ct = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let kind = PatchType::from_content_type(ct)?;
            let patch: Value = serde_json::from_slice(&body).map_err(|e| {
                ApiError::new(400, "BadRequest", format!("error decoding patch: {e}"))
            })?;
            let dry_run = match q.get("dryRun").map(String::as_str) {
                None | Some("") => false,
                Some("All") => true,
                Some(other) => {
                    return Err(ApiError::new(
                        400,
                        "BadRequest",
                        format!(
                            "Invalid dry run value: supported values are \"All\", got {other:?}"
                        ),
                    ));
                }
            };
            let v = scenario.patch(
                &api.store,
                PatchRequest {
                    namespace: ns,
                    name,
                    scale,
                    kind,
                    body: &patch,
                    dry_run,
                },
            )?;
            Ok(json_ok(&v))
        }
        (_, m) if m != Method::GET && m != Method::PATCH => Err(ApiError::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({m})"),
        )),
        _ => Err(not_found()),
    }
}

fn object(api: &Api, kind: Kind, ns: &str, name: &str) -> Result<Response, ApiError> {
    let text = api
        .store
        .get(kind, ns, name)
        .ok_or_else(|| ApiError::not_found(&kind.resource(), kind.group(), kind.plural(), name))?;
    Ok(json_text(StatusCode::OK, text.to_string()))
}

fn flag(q: &HashMap<String, String>, name: &str) -> bool {
    matches!(q.get(name).map(String::as_str), Some("1" | "true" | "True"))
}

fn filter(kind: Kind, ns: Option<&str>, q: &HashMap<String, String>) -> Result<Filter, ApiError> {
    let bad = |m: String| ApiError::new(400, "BadRequest", m);
    Ok(Filter {
        namespace: ns.map(str::to_string),
        labels: Selector::labels(q.get("labelSelector").map(String::as_str).unwrap_or(""))
            .map_err(bad)?,
        fields: Selector::fields(
            q.get("fieldSelector").map(String::as_str).unwrap_or(""),
            &kind.field_names(),
        )
        .map_err(|m| ApiError::new(400, "BadRequest", m))?,
    })
}

fn collection(
    api: &Api,
    kind: Kind,
    ns: Option<&str>,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let filter = filter(kind, ns, q)?;
    if flag(q, "watch") {
        return watch_response(api, kind, filter, q);
    }
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(0);
    let after = match q.get("continue").filter(|c| !c.is_empty()) {
        None => None,
        Some(token) => Some(decode_continue(token).ok_or_else(|| {
            ApiError::new(400, "BadRequest", "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        })?),
    };
    let page = api.store.list(kind, &filter, limit, after.as_ref());
    let mut meta = json!({"resourceVersion": page.resource_version.to_string()});
    if let Some(next) = &page.next {
        meta["continue"] = json!(encode_continue(next, page.resource_version));
        meta["remainingItemCount"] = json!(page.remaining);
    }
    let mut body =
        String::with_capacity(page.items.iter().map(|i| i.len() + 1).sum::<usize>() + 200);
    body.push_str(&format!(
        "{{\"kind\":\"{}List\",\"apiVersion\":\"{}\",\"metadata\":{meta},\"items\":[",
        kind.name(),
        kind.api_version()
    ));
    for (i, item) in page.items.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(item);
    }
    body.push_str("]}");
    Ok(json_text(StatusCode::OK, body))
}

fn encode_continue(next: &(String, String), rv: u64) -> String {
    let raw = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": format!("{}/{}", next.0, next.1)});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.to_string())
}

fn decode_continue(token: &str) -> Option<(String, String)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .ok()?;
    let v: Value = serde_json::from_slice(&raw).ok()?;
    let (ns, name) = v["start"].as_str()?.split_once('/')?;
    Some((ns.to_string(), name.to_string()))
}

fn watch_response(
    api: &Api,
    kind: Kind,
    filter: Filter,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let rv = q.get("resourceVersion").map(String::as_str).unwrap_or("");
    let start = if flag(q, "sendInitialEvents") {
        if q.get("resourceVersionMatch").map(String::as_str) != Some("NotOlderThan") {
            return Err(ApiError::invalid("ListOptions", "meta.k8s.io", "", &[(
                "resourceVersionMatch",
                "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan".to_string(),
            )]));
        }
        Start::InitialEvents
    } else if rv.is_empty() || rv == "0" {
        Start::Everything
    } else {
        Start::From(rv.parse::<u64>().map_err(|_| {
            ApiError::new(
                400,
                "BadRequest",
                format!("invalid resource version: {rv:?}"),
            )
        })?)
    };
    // Without timeoutSeconds the API server picks 30–60 minutes.
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or(1800);
    let req = WatchRequest {
        kind,
        filter,
        start,
        bookmarks: flag(q, "allowWatchBookmarks"),
        timeout: Duration::from_secs(timeout),
        bookmark_every: api.bookmark_every,
    };
    let body = watch::stream(api.store.clone(), req, api.stopped.clone());
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

fn logs(
    api: &Api,
    ns: &str,
    name: &str,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let text = api
        .store
        .get(Kind::Pod, ns, name)
        .ok_or_else(|| ApiError::not_found("pods", "", "pods", name))?;
    let pod: Value = serde_json::from_str(&text).unwrap_or_default();
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
    let query = LogQuery {
        container: q.get("container").filter(|c| !c.is_empty()).cloned(),
        previous: flag(q, "previous"),
        tail_lines: num("tailLines").map(|n| n.max(0) as usize),
        limit_bytes: num("limitBytes").map(|n| n.max(1) as usize),
        timestamps: flag(q, "timestamps"),
        since_seconds: num("sinceSeconds"),
    };
    let clock = api
        .scenario
        .as_ref()
        .map(|s| &s.shared.clock)
        .unwrap_or(&api.clock);
    let text = pod_log(&pod, clock, &query)?;
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], text).into_response())
}
