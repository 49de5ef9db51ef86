//! The reads fleet drift asks of Argo CD, over the demo world:
//!
//! - `GET /api/v1/applications/{name}/managed-resources` (`applicationManagedResourcesResponse`)
//! - `GET /api/v1/applications/{name}/revisions/{revision}/metadata` (`v1alpha1RevisionMetadata`)
//! - `GET /api/v1/applications/{name}/manifests` (`repositoryManifestResponse`)
//!
//! Real Argo CD masks Secret data in managed-resources; this one deliberately does not (like an
//! old server or a proxy that re-encodes): sitrep must mask Secrets itself, whatever it gets.

use super::apps::{App, IN_CLUSTER};
use super::objects::{self, Managed};
use super::tree::stamp;
use super::wire::prune;
use super::{ApiError, Query, drift, resolve, state};
use crate::demo::Shared;
use crate::demo::clock::{Offset, ScenarioClock};
use crate::demo::scenario::{Deploy, World, commit_for};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::TimeDelta;
use serde_json::{Value, json};
use std::sync::Arc;

fn state_text(v: Option<Value>) -> String {
    // Go marshals a nil object as "null".
    v.map(|v| v.to_string())
        .unwrap_or_else(|| "null".to_string())
}

fn item(m: &Managed) -> Value {
    let rv = m
        .live
        .as_ref()
        .map(|l| l["metadata"]["resourceVersion"].clone())
        .unwrap_or(Value::Null);
    let mut v = json!({
        "group": m.group, "kind": m.kind, "namespace": m.namespace, "name": m.name,
        "liveState": state_text(m.live.clone()),
        "targetState": state_text(m.target.clone()),
        "normalizedLiveState": state_text(m.normalized()),
        "predictedLiveState": state_text(m.predicted()),
        "modified": m.modified(),
        "resourceVersion": rv,
    });
    prune(&mut v);
    v
}

pub async fn managed_resources(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw);
    state::read(&shared, |st, world, at| {
        let i = resolve(st, &name, q.one("appNamespace"), q.one("project"))?;
        let app = &st.apps[i];
        let w = if app.def.addon { &st.addons } else { world };
        let wanted = |field: Option<&str>, value: &str| field.is_none_or(|f| f == value);
        let items: Vec<Value> = objects::managed(app, w, &shared.clock, at)
            .iter()
            .filter(|m| wanted(q.one("namespace"), &m.namespace))
            .filter(|m| wanted(q.one("name"), &m.name))
            .filter(|m| wanted(q.one("group"), m.group))
            .filter(|m| wanted(q.one("kind"), &m.kind))
            .map(item)
            .collect();
        Ok::<_, ApiError>(Json(json!({"items": items})))
    })
    .into_response()
}

/// The version of `app` a commit built (any deploy's, or what git asks for now).
fn version_of(app: &App, world: &World, at: Offset, commit: &str) -> Option<String> {
    let name = &app.def.name;
    let mut known: Vec<String> = world
        .history(name, at)
        .iter()
        .map(|d| d.version.clone())
        .collect();
    known.extend(world.git_version(name, at));
    known
        .into_iter()
        .find(|v| commit_for(name, v) == commit || v == commit)
}

/// `maria` → `Maria Garcia <maria.garcia@example.com>`; bots and unknown logins as they are.
fn person(login: &str) -> String {
    let full = match login {
        "maria" => "Maria Garcia",
        "priya" => "Priya Shah",
        "sam" => "Sam Okafor",
        "tom" => "Tom Nguyen",
        "lee" => "Lee Chen",
        "dana" => "Dana Levi",
        "alice" => "Alice Martin",
        "ravi" => "Ravi Iyer",
        "yuki" => "Yuki Tanaka",
        other => return format!("{other} <{other}@{}>", crate::demo::people::MAIL_DOMAIN),
    };
    let email = full.to_lowercase().replace(' ', ".");
    format!("{full} <{email}@{}>", crate::demo::people::MAIL_DOMAIN)
}

/// What the commit says: the story's words for the commits it is about, a release line else.
fn message(service: &str, version: &str) -> String {
    match (service, version) {
        ("checkout", "v2.14.0") => "checkout: release v2.14.0\n\nPayments client: PAYMENTS_TIMEOUT_MS 2000 -> 800 (the payments API answers in 600ms at p99)\nNew retry policy: 3 attempts, no backoff".to_string(),
        ("checkout", "v2.13.2") => "checkout: release v2.13.2\n\nFix rounding of multi-currency totals".to_string(),
        ("search", "v4.2.0") => "search: release v4.2.0\n\nElasticsearch client 8.15; raise the query timeout to 10s for facet-heavy queries".to_string(),
        _ => format!("{service}: release {version}"),
    }
}

/// The first deploy of a version made by a person or CI (not a sync or rollback of it later).
fn first_deploy<'w>(world: &'w World, app: &str, version: &str) -> Option<&'w Deploy> {
    world
        .history(app, TimeDelta::MAX)
        .into_iter()
        .find(|d| d.version == version)
}

fn app_commit_meta(app: &App, world: &World, clock: &ScenarioClock, version: &str) -> Value {
    let name = &app.def.name;
    let service = &app.def.workload;
    let (login, when) = match first_deploy(world, name, version) {
        Some(d) => (d.author.clone(), d.at),
        // A commit nobody deployed yet: search's v4.2.0, waiting for a sync.
        None => {
            let since = world
                .service_by_app(name)
                .and_then(|s| s.drift.as_ref())
                .map(|d| d.since)
                .unwrap_or_default();
            let author = crate::demo::people::staff(&app.def.team).primary.1;
            (
                author.split('.').next().unwrap_or(author).to_string(),
                since,
            )
        }
    };
    let login = match login.as_str() {
        "auto-sync" | "admin" => "ci-bot".to_string(),
        _ => login,
    };
    let mut v = json!({
        "author": person(&login),
        "date": stamp(clock, when - TimeDelta::minutes(20)),
        "message": message(service, version),
    });
    prune(&mut v);
    v
}

fn chart_commit_meta(clock: &ScenarioClock, commit: &str) -> Value {
    if commit == drift::CHART_BUMP {
        json!({
            "author": person("alice"),
            "date": stamp(clock, drift::chart_bump_at() - TimeDelta::minutes(1)),
            "message": "bump shared redis chart to 18.1.0 (maxmemory-policy allkeys-lru)\n\nRedis 7.2.5. Evict any key under memory pressure, not only keys with a TTL:\nthe session stores were filling up.",
        })
    } else {
        json!({
            "author": person("ravi"),
            "date": stamp(clock, drift::chart_before_at()),
            "message": "redis chart: pin 18.0.4 (redis 7.2.4), metrics exporter on",
        })
    }
}

fn unknown_revision(revision: &str, repo: &str) -> ApiError {
    ApiError::new(
        2,
        format!(
            "failed to get revision metadata for {repo}: unable to resolve '{revision}' to a commit SHA"
        ),
    )
}

pub async fn revision_metadata(
    State(shared): State<Arc<Shared>>,
    Path((name, revision)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw);
    state::read(&shared, |st, world, at| {
        let i = resolve(st, &name, q.one("appNamespace"), q.one("project"))?;
        let app = &st.apps[i];
        let w = if app.def.addon { &st.addons } else { world };
        let source = q.one("sourceIndex").and_then(|s| s.parse::<usize>().ok());
        let clock = &shared.clock;
        let chart_commit = revision == drift::CHART_BUMP || revision == drift::CHART_BEFORE;
        if drift::uses_shared_chart(app) && chart_commit && source != Some(0) {
            return Ok(Json(chart_commit_meta(clock, &revision)));
        }
        // A Helm repository has versions, not commits.
        if app.def.chart.is_some() && source == Some(0) {
            return Err(ApiError::new(
                3,
                "revision metadata is only available for git sources".to_string(),
            ));
        }
        match version_of(app, w, at, &revision) {
            Some(version) if source.is_none_or(|s| s <= 1) => {
                Ok(Json(app_commit_meta(app, w, clock, &version)))
            }
            _ => Err(unknown_revision(&revision, &app.def.repo)),
        }
    })
    .into_response()
}

pub async fn manifests(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = Query::parse(raw);
    state::read(&shared, |st, world, at| {
        let i = resolve(st, &name, q.one("appNamespace"), q.one("project"))?;
        let app = &st.apps[i];
        let w = if app.def.addon { &st.addons } else { world };
        if let Some((_, message)) = drift::comparison_error(app, at) {
            return Err(ApiError::new(2, message));
        }
        // (source position, revision): `revisions` with `sourcePositions`, or one `revision`.
        let revisions = q.all("revisions");
        let positions: Vec<usize> = q
            .all("sourcePositions")
            .iter()
            .filter_map(|p| p.parse().ok())
            .collect();
        let mut asked: Vec<(usize, String)> = revisions
            .into_iter()
            .enumerate()
            .map(|(i, r)| (positions.get(i).copied().unwrap_or(i + 1), r))
            .collect();
        // The app's own commits are source 1, except behind a Helm chart (source 2).
        let app_position = if app.def.chart.is_some() { 2 } else { 1 };
        if let Some(r) = q.one("revision") {
            asked.push((app_position, r.to_string()));
        }
        let pick = |pos: usize| {
            asked
                .iter()
                .find(|(p, _)| *p == pos)
                .map(|(_, r)| r.clone())
        };
        let version = match pick(app_position).filter(|r| r != "HEAD") {
            Some(r) => {
                version_of(app, w, at, &r).ok_or_else(|| unknown_revision(&r, &app.def.repo))?
            }
            None => w
                .git_version(&app.def.name, at)
                .ok_or_else(|| ApiError::new(2, "nothing to render"))?,
        };
        let chart = if drift::uses_shared_chart(app) {
            match pick(2).filter(|r| r != drift::SHARED_CHARTS_BRANCH) {
                Some(r) if r == drift::CHART_BUMP => Some(drift::CHART_BUMP),
                Some(r) if r == drift::CHART_BEFORE => Some(drift::CHART_BEFORE),
                Some(r) => return Err(unknown_revision(&r, drift::SHARED_CHARTS_REPO)),
                None => Some(drift::chart_commit_at(at)),
            }
        } else {
            None
        };
        let manifests: Vec<String> = objects::desired(app, &version, chart)
            .into_iter()
            .map(|mut o| {
                objects::mask_secret(&mut o);
                o.to_string()
            })
            .collect();
        Ok(Json(json!({
            "manifests": manifests,
            "namespace": app.def.dest_namespace,
            "server": IN_CLUSTER,
            "revision": commit_for(&app.def.name, &version),
            "sourceType": if app.def.chart.is_some() { "Helm" } else { "Kustomize" },
        })))
    })
    .into_response()
}
