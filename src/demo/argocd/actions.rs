//! The mutations: sync, rollback, patch, terminate operation, with Argo CD's checks in Argo
//! CD's order and its error codes and messages.

use super::select::{json_patch, merge_patch};
use super::state::{self, State as Store, op_time, published, world_of};
use super::view::{self, OpRecord};
use super::{ApiError, Query, USER, resolve};
use crate::demo::Shared;
use crate::demo::clock::Offset;
use crate::demo::scenario::{ScenarioError, World, commit_for};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

fn body(bytes: &Bytes) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::new(3, "request body must be a JSON object")),
        Err(e) => Err(ApiError::new(3, e.to_string())),
    }
}

fn flag(v: &Value) -> bool {
    v.as_bool().unwrap_or(false)
}

/// An int64 as Go's encoding/json or protojson sends it: a number or a decimal string.
fn int64(v: &Value) -> Result<u64, ApiError> {
    match v {
        Value::Null => Ok(0),
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| ApiError::new(3, format!("invalid value for int64 field id: {n}"))),
        Value::String(s) => s
            .parse()
            .map_err(|_| ApiError::new(3, format!("invalid value for int64 field id: {s:?}"))),
        other => Err(ApiError::new(
            3,
            format!("invalid value for int64 field id: {other}"),
        )),
    }
}

fn in_progress() -> ApiError {
    ApiError::new(9, "another operation is already in progress")
}

/// Run a mutation on app `name` and answer the app as it stands afterwards.
fn act(
    shared: &Shared,
    name: &str,
    req: &Value,
    f: impl FnOnce(&mut Store, usize, &mut World, Offset) -> Result<(), ApiError>,
) -> Response {
    let (ns, project) = (req["appNamespace"].as_str(), req["project"].as_str());
    state::with_then(
        shared,
        |st, world, at| -> Result<usize, ApiError> {
            let i = resolve(st, name, ns, project)?;
            f(st, i, world, at)?;
            Ok(i)
        },
        |st, done| match done {
            Ok(i) => Json(published(&st.apps[i])).into_response(),
            Err(e) => e.into_response(),
        },
    )
}

fn not_resolvable(revision: &str) -> ApiError {
    ApiError::new(
        2,
        format!(
            "error resolving repo revision: rpc error: code = Unknown desc = Unable to resolve '{revision}' to a commit SHA"
        ),
    )
}

pub async fn sync(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Response {
    let req = match body(&bytes) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    act(&shared, &name, &req, |st, i, world, at| {
        let Store { apps, addons, .. } = st;
        let app = &mut apps[i];
        let w = world_of(app, addons, world);
        let name = app.def.name.clone();
        let dry_run = flag(&req["dryRun"]);
        // Resolve the revision: HEAD (or the app's target) is what git asks for; a commit is
        // whichever version it built.
        let revision = req["revision"].as_str().unwrap_or("");
        let git = w.git_version(&name, at).unwrap_or_default();
        let version = if revision.is_empty() || revision == "HEAD" {
            git
        } else {
            let mut known: Vec<String> = w
                .history(&name, at)
                .iter()
                .map(|d| d.version.clone())
                .collect();
            known.push(git);
            known
                .into_iter()
                .find(|v| commit_for(&name, v) == revision || *v == revision)
                .ok_or_else(|| not_resolvable(revision))?
        };
        if view::current_op(app, w, at).is_some_and(|op| op.in_progress(at)) {
            return Err(in_progress());
        }
        let mut op = OpRecord {
            started: at,
            duration: op_time(dry_run),
            username: Some(USER.to_string()),
            automated: false,
            revision: commit_for(&name, &version),
            version: Some(version.clone()),
            dry_run,
            prune: flag(&req["prune"]),
            rollback_id: None,
            deploy_id: None,
            resources: req["resources"].as_array().cloned().unwrap_or_default(),
            strategy: req.get("strategy").filter(|s| s.is_object()).cloned(),
            terminated: None,
        };
        if !dry_run {
            let d = w
                .sync_to(&name, &version, at, USER, false)
                .map_err(|e| ApiError::new(2, e.to_string()))?;
            op.deploy_id = Some(d.id);
        }
        app.ops.push(op);
        Ok(())
    })
}

pub async fn rollback(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Response {
    let req = match body(&bytes) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let id = match int64(&req["id"]) {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    act(&shared, &name, &req, |st, i, world, at| {
        let Store { apps, addons, .. } = st;
        let app = &mut apps[i];
        let w = world_of(app, addons, world);
        let name = app.def.name.clone();
        if app.automated() {
            return Err(ApiError::new(
                9,
                "rollback cannot be initiated when auto-sync is enabled",
            ));
        }
        let target = view::history(app, w, at)
            .into_iter()
            .find(|d| d.id == id)
            .cloned()
            .ok_or_else(|| {
                ApiError::new(
                    3,
                    format!(
                        "application {} does not have deployment with id {id}",
                        app.def.qualified()
                    ),
                )
            })?;
        if view::current_op(app, w, at).is_some_and(|op| op.in_progress(at)) {
            return Err(in_progress());
        }
        let dry_run = flag(&req["dryRun"]);
        let mut op = OpRecord {
            started: at,
            duration: op_time(dry_run),
            username: Some(USER.to_string()),
            automated: false,
            revision: target.revision.clone(),
            version: Some(target.version.clone()),
            dry_run,
            prune: flag(&req["prune"]),
            rollback_id: Some(id),
            deploy_id: None,
            resources: Vec::new(),
            strategy: None,
            terminated: None,
        };
        if !dry_run {
            let d = match w.rollback(&name, Some(&target.version), at, USER) {
                // Rolling back to what runs re-applies it.
                Err(ScenarioError::AlreadyRunning { .. }) => {
                    w.sync_to(&name, &target.version, at, USER, false)
                }
                other => other,
            }
            .map_err(|e| ApiError::new(2, e.to_string()))?;
            op.deploy_id = Some(d.id);
        }
        app.ops.push(op);
        Ok(())
    })
}

pub async fn patch(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> Response {
    let req = match body(&bytes) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    act(&shared, &name, &req, |st, i, _, at| {
        let app = &mut st.apps[i];
        let text = req["patch"].as_str().unwrap_or("");
        let patch: Value = serde_json::from_str(text)
            .map_err(|e| ApiError::new(3, format!("error decoding patch: {e}")))?;
        let mut doc = published(app);
        match req["patchType"].as_str().unwrap_or("") {
            "merge" => merge_patch(&mut doc, &patch),
            "json" | "" => json_patch(&mut doc, &patch)
                .map_err(|e| ApiError::new(3, format!("error applying patch: {e}")))?,
            other => {
                return Err(ApiError::new(
                    3,
                    format!("Patch type '{other}' is not supported"),
                ));
            }
        }
        let spec = doc.get("spec").cloned().unwrap_or_default();
        match spec.pointer("/syncPolicy/automated") {
            None | Some(Value::Object(_)) => {}
            Some(other) => {
                return Err(ApiError::new(
                    3,
                    format!(
                        "error unmarshaling patched app: spec.syncPolicy.automated: cannot unmarshal {other} into Go value of type v1alpha1.SyncPolicyAutomated"
                    ),
                ));
            }
        }
        if !spec.is_object() || spec["destination"].is_null() {
            return Err(ApiError::new(3, "application destination spec is required"));
        }
        let strings = |v: &Value| -> std::collections::BTreeMap<String, String> {
            v.as_object()
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                        .collect()
                })
                .unwrap_or_default()
        };
        if spec != app.spec {
            app.generation += 1;
        }
        app.spec = spec;
        app.labels = strings(&doc["metadata"]["labels"]);
        app.annotations = strings(&doc["metadata"]["annotations"]);
        app.updates.push((at, USER.to_string()));
        Ok(())
    })
}

pub async fn terminate(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw);
    let req = json!({"appNamespace": q.one("appNamespace"), "project": q.one("project")});
    let (ns, project) = (req["appNamespace"].as_str(), req["project"].as_str());
    state::with(&shared, |st, world, at| {
        let i = resolve(st, &name, ns, project)?;
        let Store { apps, addons, .. } = st;
        let app = &mut apps[i];
        let w = world_of(app, addons, world);
        let Some(current) = view::current_op(app, w, at).filter(|op| op.in_progress(at)) else {
            return Err(ApiError::new(
                3,
                "Unable to terminate operation. No operation is in progress",
            ));
        };
        match app
            .ops
            .iter_mut()
            .rev()
            .find(|o| o.started == current.started)
        {
            Some(op) => {
                op.terminated.get_or_insert(at);
            }
            // An operation nobody started through this API (a scripted deploy's).
            None => app.ops.push(OpRecord {
                terminated: Some(at),
                ..current
            }),
        }
        Ok(Json(json!({})))
    })
    .into_response()
}
