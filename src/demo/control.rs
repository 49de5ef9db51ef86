//! Demo-only control endpoints, served beside the emulated Alertmanager API. Nothing real has
//! them; they roll back out of band (turning the app's Argo CD auto-sync off first, as a person
//! would) and let tests and recordings move the scenario clock.
//!
//! - `POST /-/demo/rollback?app=checkout-prod[&to=v2.13.2][&by=alice]` — roll an app (or
//!   service) back to `to`, or to its previous version; its alerts resolve a scenario-minute
//!   later. 200 with the new history entry; 404 unknown app/version; 409 nothing to roll back.
//! - `GET /-/demo/clock` — scenario offset, speed, launch and "now".
//! - `POST /-/demo/advance?by=90s` — jump the scenario forward.
//!
//! Errors are JSON strings, like Alertmanager's own.

use super::Shared;
use super::scenario::ScenarioError;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{SecondsFormat, TimeDelta};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/-/demo/rollback", post(rollback))
        .route("/-/demo/clock", get(clock))
        .route("/-/demo/advance", post(advance))
        .with_state(shared)
}

fn params(raw: Option<String>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(message.into())).into_response()
}

async fn rollback(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw);
    let Some(app) = p.get("app").filter(|a| !a.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "query parameter app is required");
    };
    let by = p.get("by").map(String::as_str).unwrap_or("demo");
    let clock = &shared.clock;
    let at = clock.offset();
    // Like `argocd app set --sync-policy none` before `argocd app rollback`: otherwise the
    // emulated Argo CD would sync the app straight back to git.
    if shared.world().service_by_app(app).is_some() {
        shared.argocd.disable_auto_sync(app, at, by);
    }
    let mut world = shared.world();
    let from = world
        .service_by_app(app)
        .and_then(|s| world.running(&s.app, at))
        .map(|d| d.version.clone());
    match world.rollback(app, p.get("to").map(String::as_str), at, by) {
        Ok(d) => {
            let stamp = |t| clock.to_utc(t).to_rfc3339_opts(SecondsFormat::Millis, true);
            Json(json!({
                "app": d.app,
                "service": d.service,
                "fromVersion": from,
                "toVersion": d.version,
                "revision": d.revision,
                "historyId": d.id,
                "at": stamp(d.at),
                "healsAt": stamp(d.at + super::scenario::HEAL_DELAY),
            }))
            .into_response()
        }
        Err(e) => {
            let status = match e {
                ScenarioError::UnknownApp(_)
                | ScenarioError::UnknownVersion { .. }
                | ScenarioError::UnknownRevision { .. } => StatusCode::NOT_FOUND,
                ScenarioError::NoPrevious(_) | ScenarioError::AlreadyRunning { .. } => {
                    StatusCode::CONFLICT
                }
            };
            error(status, e.to_string())
        }
    }
}

fn clock_json(shared: &Shared) -> serde_json::Value {
    let clock = &shared.clock;
    let offset = clock.offset();
    json!({
        "offsetSeconds": offset.num_milliseconds() as f64 / 1000.0,
        "speed": clock.speed(),
        "launch": clock.launch().to_rfc3339_opts(SecondsFormat::Millis, true),
        "now": clock.to_utc(offset).to_rfc3339_opts(SecondsFormat::Millis, true),
    })
}

async fn clock(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    Json(clock_json(&shared))
}

async fn advance(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw);
    let by = p.get("by").map(String::as_str).unwrap_or("");
    match humantime::parse_duration(by) {
        Ok(d) => match TimeDelta::from_std(d) {
            Ok(d) => {
                shared.clock.advance(d);
                Json(clock_json(&shared)).into_response()
            }
            Err(_) => error(StatusCode::BAD_REQUEST, "by is too large"),
        },
        Err(e) => error(
            StatusCode::BAD_REQUEST,
            format!("by must be a duration like 90s or 5m: {e}"),
        ),
    }
}
