//! Argo CD fixtures: one live instance, as its watch reports it from when sitrep started ten
//! hours ago. checkout-prod turned Degraded after ci-bot synced v2.14.0 six minutes ago
//! (auto-sync on); search-prod is Healthy but OutOfSync; frontend-prod is syncing; ledger-prod's
//! last sync failed; alice rolled payments-prod back with sitrep 90 minutes ago, which turned
//! its auto-sync off; a healthy fleet; one app in another app namespace. The apps are written
//! as Argo CD's JSON and decoded by the client's own converter; the deploy feed and the service
//! rows are what `update` derives from them.

use super::*;
use sitrep::model::app::{App, AppKey};
use sitrep::msg::ArgocdPayload;
use sitrep::msg::WatchChange;

pub const CHECKOUT_APP: &str = "checkout-prod";

pub fn app_key(name: &str) -> AppKey {
    AppKey {
        instance: "argocd".to_string(),
        namespace: "argocd".to_string(),
        name: name.to_string(),
    }
}

pub fn argocd_source() -> SourceStatus {
    SourceStatus::new(
        "argocd",
        SourceKind::Argocd,
        "https://argocd.example.com",
        "config.toml:19",
    )
}

/// `status.history[]` item: deployed `secs_ago`, started 30 s before.
pub fn history(id: i64, revision: &str, secs_ago: i64, by: &str, automated: bool) -> Value {
    let mut initiator = json!({"username": by});
    if automated {
        initiator["automated"] = json!(true);
    }
    json!({
        "id": id,
        "revision": revision,
        "deployedAt": rfc3339(ago(secs_ago)),
        "deployStartedAt": rfc3339(ago(secs_ago + 30)),
        "source": {"repoURL": REPO, "targetRevision": "main"},
        "initiatedBy": initiator,
    })
}

/// `status.operationState`.
pub fn operation(
    phase: &str,
    message: &str,
    revision: &str,
    started: i64,
    finished: Option<i64>,
    by: &str,
    automated: bool,
) -> Value {
    let mut op = json!({
        "operation": {
            "sync": {"revision": revision},
            "initiatedBy": if automated { json!({"automated": true}) } else { json!({"username": by}) },
        },
        "phase": phase,
        "message": message,
        "startedAt": rfc3339(ago(started)),
    });
    if let Some(f) = finished {
        op["finishedAt"] = json!(rfc3339(ago(f)));
        op["syncResult"] = json!({"revision": revision, "resources": []});
    }
    op
}

const REPO: &str = "https://github.com/example/shop-deploy.git";

/// A healthy, synced Application as `GET /api/v1/applications` lists it, one history entry.
pub fn app_wire(name: &str, revision: &str, deployed_secs_ago: i64, auto_sync: bool) -> Value {
    let mut spec = json!({
        "project": "shop",
        "source": {"repoURL": REPO, "path": format!("apps/{name}"), "targetRevision": "main"},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "shop"},
        "syncPolicy": {},
    });
    if auto_sync {
        spec["syncPolicy"]["automated"] = json!({"prune": true, "selfHeal": true});
    }
    json!({
        "metadata": {"name": name, "namespace": "argocd", "resourceVersion": "1000"},
        "spec": spec,
        "status": {
            "sync": {"status": "Synced", "revision": revision},
            "health": {"status": "Healthy"},
            "history": [history(1, revision, deployed_secs_ago, "", true)],
            "reconciledAt": rfc3339(ago(STARTED_SECS_AGO)),
            "summary": {},
        },
    })
}

fn set(app: &mut Value, path: &[&str], value: Value) {
    let mut at = app;
    for p in &path[..path.len() - 1] {
        at = &mut at[*p];
    }
    at[path[path.len() - 1]] = value;
}

fn with(mut app: Value, changes: &[(&[&str], Value)]) -> Value {
    for (path, value) in changes {
        set(&mut app, path, value.clone());
    }
    app
}

fn rv(app: Value, version: u32) -> Value {
    with(
        app,
        &[(&["metadata", "resourceVersion"], json!(version.to_string()))],
    )
}

/// The client's converter: `convert::app` of the JSON.
pub fn decode_app(app: Value) -> App {
    let wire: sitrep::sources::argocd::wire::Application = serde_json::from_value(app).unwrap();
    sitrep::sources::argocd::convert::app("argocd", wire)
}

const SHA_SEARCH_OLD: &str = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
const SHA_SEARCH: &str = "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d";
/// What Git moved search-prod to (nobody synced it yet).
const SHA_SEARCH_GIT: &str = "ad2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e";
const SHA_FRONTEND: &str = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f";
const SHA_FRONTEND_NEXT: &str = "6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a";
const SHA_PAYMENTS: &str = "7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b";
const SHA_PAYMENTS_BAD: &str = "8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c";
const SHA_LEDGER: &str = "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e";
const SHA_LEDGER_NEXT: &str = "1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f";
const CHECKOUT_DEGRADED: &str = "Deployment \"checkout\" exceeded its progress deadline";

/// checkout-prod as sitrep first listed it: v2.13.2 (ci-bot, yesterday), Healthy.
fn checkout_v2_13_2() -> Value {
    let app = app_wire(CHECKOUT_APP, "v2.13.2", 86_400 + 7200, true);
    with(
        app,
        &[
            (&["spec", "source", "targetRevision"], json!("v2.13.2")),
            (
                &["status", "history"],
                json!([
                    history(3, "v2.13.1", 3 * 86_400, "alice", false),
                    history(4, "v2.13.2", 86_400 + 7200, "ci-bot", false),
                ]),
            ),
            (
                &["status", "operationState"],
                operation(
                    "Succeeded",
                    "successfully synced (all tasks run)",
                    "v2.13.2",
                    86_400 + 7230,
                    Some(86_400 + 7200),
                    "ci-bot",
                    false,
                ),
            ),
            (
                &["status", "summary", "images"],
                json!(["ghcr.io/example/checkout:v2.13.2"]),
            ),
            (&["metadata", "resourceVersion"], json!("4600")),
        ],
    )
}

/// checkout-prod's states as the watch reports them: ci-bot syncs v2.14.0 (6.5 to 6 minutes
/// ago), it rolls out, then turns Degraded.
fn checkout_changes() -> Vec<(i64, Value)> {
    let syncing = with(
        checkout_v2_13_2(),
        &[
            (&["spec", "source", "targetRevision"], json!("v2.14.0")),
            (
                &["status", "sync"],
                json!({"status": "OutOfSync", "revision": "v2.14.0"}),
            ),
            (
                &["status", "operationState"],
                operation(
                    "Running",
                    "waiting for completion of hook batch/Job/checkout-migrate",
                    "v2.14.0",
                    390,
                    None,
                    "ci-bot",
                    false,
                ),
            ),
            (&["status", "reconciledAt"], json!(rfc3339(ago(390)))),
        ],
    );
    let rolled_out = with(
        syncing.clone(),
        &[
            (&["status", "sync", "status"], json!("Synced")),
            (&["status", "health"], json!({"status": "Progressing"})),
            (
                &["status", "history"],
                json!([
                    history(3, "v2.13.1", 3 * 86_400, "alice", false),
                    history(4, "v2.13.2", 86_400 + 7200, "ci-bot", false),
                    history(5, "v2.14.0", 360, "ci-bot", false),
                ]),
            ),
            (
                &["status", "operationState"],
                operation(
                    "Succeeded",
                    "successfully synced (all tasks run)",
                    "v2.14.0",
                    390,
                    Some(360),
                    "ci-bot",
                    false,
                ),
            ),
            (
                &["status", "summary", "images"],
                json!(["ghcr.io/example/checkout:v2.14.0"]),
            ),
            (&["status", "reconciledAt"], json!(rfc3339(ago(360)))),
        ],
    );
    let degraded = with(
        rolled_out.clone(),
        &[
            (
                &["status", "health"],
                json!({"status": "Degraded", "message": CHECKOUT_DEGRADED}),
            ),
            (&["status", "reconciledAt"], json!(rfc3339(ago(250)))),
        ],
    );
    vec![
        (390, rv(syncing, 4700)),
        (360, rv(rolled_out, 4705)),
        (250, rv(degraded, 4710)),
    ]
}

fn search_at_start() -> Value {
    with(
        app_wire("search-prod", SHA_SEARCH_OLD, 2 * 86_400, false),
        &[(
            &["status", "history"],
            json!([history(11, SHA_SEARCH_OLD, 2 * 86_400, "bob", false)]),
        )],
    )
}

/// bob syncs search-prod three hours ago; then Git moves on and nobody syncs (auto-sync off).
fn search_changes() -> Vec<(i64, Value)> {
    let synced = with(
        search_at_start(),
        &[
            (&["status", "sync", "revision"], json!(SHA_SEARCH)),
            (
                &["status", "history"],
                json!([
                    history(11, SHA_SEARCH_OLD, 2 * 86_400, "bob", false),
                    history(12, SHA_SEARCH, 3 * 3600, "bob", false),
                ]),
            ),
        ],
    );
    let out_of_sync = with(
        synced.clone(),
        &[(
            &["status", "sync"],
            json!({"status": "OutOfSync", "revision": SHA_SEARCH_GIT}),
        )],
    );
    vec![
        (3 * 3600, rv(synced, 2001)),
        (40 * 60, rv(out_of_sync, 2002)),
    ]
}

fn frontend_at_start() -> Value {
    app_wire("frontend-prod", SHA_FRONTEND, 86_400, true)
}

/// An automated sync of frontend-prod, running since two minutes ago.
fn frontend_changes() -> Vec<(i64, Value)> {
    let running = with(
        frontend_at_start(),
        &[
            (&["status", "health"], json!({"status": "Progressing"})),
            (
                &["status", "operationState"],
                operation(
                    "Running",
                    "waiting for healthy state of apps/Deployment/frontend",
                    SHA_FRONTEND_NEXT,
                    120,
                    None,
                    "",
                    true,
                ),
            ),
        ],
    );
    vec![(120, rv(running, 3001))]
}

fn payments_at_start() -> Value {
    with(
        app_wire("payments-prod", SHA_PAYMENTS, 3 * 86_400, true),
        &[(
            &["status", "history"],
            json!([history(20, SHA_PAYMENTS, 3 * 86_400, "ci-bot", false)]),
        )],
    )
}

/// ci-bot deploys a bad payments build two hours ago (alice rolls it back: see the story).
fn payments_deployed() -> Value {
    with(
        payments_at_start(),
        &[
            (&["status", "sync", "revision"], json!(SHA_PAYMENTS_BAD)),
            (
                &["status", "history"],
                json!([
                    history(20, SHA_PAYMENTS, 3 * 86_400, "ci-bot", false),
                    history(21, SHA_PAYMENTS_BAD, 7200, "ci-bot", false),
                ]),
            ),
        ],
    )
}

/// payments-prod as Argo CD answers alice's rollback (auto-sync off, the rollback running),
/// then as the watch reports it done.
fn payments_rolling_back() -> Value {
    with(
        payments_deployed(),
        &[
            (&["spec", "syncPolicy"], json!({})),
            (
                &["status", "operationState"],
                operation(
                    "Running",
                    "rollback to history id 20",
                    SHA_PAYMENTS,
                    5430,
                    None,
                    "alice",
                    false,
                ),
            ),
        ],
    )
}

fn payments_rolled_back() -> Value {
    with(
        payments_rolling_back(),
        &[
            (
                &["status", "sync"],
                json!({"status": "Synced", "revision": SHA_PAYMENTS}),
            ),
            (
                &["status", "history"],
                json!([
                    history(20, SHA_PAYMENTS, 3 * 86_400, "ci-bot", false),
                    history(21, SHA_PAYMENTS_BAD, 7200, "ci-bot", false),
                    history(22, SHA_PAYMENTS, 5400, "alice", false),
                ]),
            ),
            (&["status", "operationState"], Value::Null),
        ],
    )
}

fn ledger_at_start() -> Value {
    app_wire("ledger-prod", SHA_LEDGER, 2 * 86_400, true)
}

/// ledger-prod's automated sync to the next revision fails (it stays Healthy on the old one).
fn ledger_changes() -> Vec<(i64, Value)> {
    let running = with(
        ledger_at_start(),
        &[(
            &["status", "operationState"],
            operation("Running", "", SHA_LEDGER_NEXT, 6700, None, "", true),
        )],
    );
    let mut failed = operation(
        "Failed",
        "one or more objects failed to apply: admission webhook denied the request",
        SHA_LEDGER_NEXT,
        6700,
        Some(6600),
        "",
        true,
    );
    failed["syncResult"]["resources"] = json!([
        {"kind": "CronJob", "name": "ledger-close", "status": "SyncFailed"},
    ]);
    let failed = with(running.clone(), &[(&["status", "operationState"], failed)]);
    vec![(6700, rv(running, 5001)), (6600, rv(failed, 5002))]
}

/// The healthy rest of the fleet, and one app in another app namespace.
fn steady_apps() -> Vec<Value> {
    let mut out = Vec::new();
    for (i, name) in [
        "ads-prod",
        "auth-prod",
        "cart-prod",
        "catalog-prod",
        "email-prod",
        "inventory-prod",
        "shipping-prod",
    ]
    .iter()
    .enumerate()
    {
        let rev = format!("{:x}{}", 0xa0 + i, "3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1");
        out.push(app_wire(
            name,
            &rev,
            (i as i64 + 1) * 86_400 / 2 + 3000,
            i % 2 == 0,
        ));
    }
    out.push(with(
        app_wire(
            "reporting",
            "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0",
            5 * 86_400,
            true,
        ),
        &[
            (&["metadata", "namespace"], json!("argocd-apps")),
            (&["spec", "project"], json!("analytics")),
        ],
    ));
    out
}

/// checkout-prod's resource tree (`GET …/resource-tree`) and events (`GET …/events`) as
/// Argo CD answered sitrep's detail fetch 3 s ago.
pub fn checkout_detail_wire() -> (Value, Value) {
    let node =
        |kind: &str, name: &str, uid: &str, parent: &str, health: Option<&str>, message: &str| {
            let mut n = json!({
                "group": "", "version": "v1", "kind": kind, "namespace": "shop", "name": name,
                "uid": uid, "resourceVersion": "1",
            });
            if !parent.is_empty() {
                n["parentRefs"] =
                    json!([{"kind": "", "namespace": "shop", "name": "", "uid": parent}]);
            }
            if let Some(h) = health {
                n["health"] = json!({"status": h, "message": message});
            }
            n
        };
    let info = |n: &mut Value, name: &str, value: &str| {
        n["info"] = json!([{"name": name, "value": value}]);
    };
    let mut bad_pod = node(
        "Pod",
        "checkout-7d9f8b6c4-x2k4q",
        "p1",
        "rs-new",
        Some("Degraded"),
        "back-off 5m0s restarting failed container=api",
    );
    info(&mut bad_pod, "Status Reason", "CrashLoopBackOff");
    bad_pod["images"] = json!(["ghcr.io/example/checkout:v2.14.0"]);
    let mut starting = node(
        "Pod",
        "checkout-7d9f8b6c4-p9s7d",
        "p2",
        "rs-new",
        Some("Progressing"),
        "",
    );
    info(&mut starting, "Containers", "0/1");
    starting["images"] = json!(["ghcr.io/example/checkout:v2.14.0"]);
    let mut rs_new = node(
        "ReplicaSet",
        "checkout-7d9f8b6c4",
        "rs-new",
        "dep",
        Some("Degraded"),
        "",
    );
    info(&mut rs_new, "Revision", "Rev:5");
    let mut rs_old = node(
        "ReplicaSet",
        "checkout-6c8b7a5d3",
        "rs-old",
        "dep",
        Some("Healthy"),
        "",
    );
    info(&mut rs_old, "Revision", "Rev:4");
    let mut old_pod = node(
        "Pod",
        "checkout-6c8b7a5d3-7hq2n",
        "p3",
        "rs-old",
        Some("Healthy"),
        "",
    );
    old_pod["images"] = json!(["ghcr.io/example/checkout:v2.13.2"]);
    let tree = json!({"nodes": [
        node("Service", "checkout", "svc", "", Some("Healthy"), ""),
        node("ConfigMap", "checkout-config", "cm", "", None, ""),
        rs_old,
        old_pod,
        node("Deployment", "checkout", "dep", "", Some("Degraded"), CHECKOUT_DEGRADED),
        rs_new,
        bad_pod,
        starting,
        node("HorizontalPodAutoscaler", "checkout", "hpa", "", Some("Healthy"), ""),
    ]});
    let event = |kind: &str,
                 name: &str,
                 reason: &str,
                 message: &str,
                 warning: bool,
                 count: u32,
                 secs: i64| {
        json!({
            "metadata": {"name": format!("{name}.{secs}"), "namespace": "shop"},
            "involvedObject": {"kind": kind, "namespace": "shop", "name": name},
            "reason": reason,
            "message": message,
            "type": if warning { "Warning" } else { "Normal" },
            "count": count,
            "firstTimestamp": rfc3339(ago(370)),
            "lastTimestamp": rfc3339(ago(secs)),
        })
    };
    let events = json!({"items": [
        event("Deployment", "checkout", "ScalingReplicaSet",
            "Scaled up replica set checkout-7d9f8b6c4 to 1", false, 1, 370),
        event("Pod", "checkout-7d9f8b6c4-x2k4q", "BackOff",
            "Back-off restarting failed container api in pod checkout-7d9f8b6c4-x2k4q", true, 14, 20),
        event("Pod", "checkout-7d9f8b6c4-p9s7d", "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 500", true, 31, 5),
        event("Pod", "checkout-7d9f8b6c4-x2k4q", "Pulled",
            "Container image \"ghcr.io/example/checkout:v2.14.0\" already present on machine", false, 7, 60),
    ]});
    (tree, events)
}

/// What `fetch_detail` reports for checkout-prod: the app (Get), its tree and events.
pub fn checkout_detail_msg(app: Value, at: DateTime<Utc>) -> Msg {
    use sitrep::sources::argocd::{convert, wire};
    let (tree, events) = checkout_detail_wire();
    let app = decode_app(app);
    let tree: wire::ApplicationTree = serde_json::from_value(tree).unwrap();
    let events: wire::EventList = serde_json::from_value(events).unwrap();
    let detail = sitrep::model::app::AppDetail {
        tree: convert::tree(tree),
        events: convert::events(events),
        resource_version: app.resource_version.clone(),
        fetched_at: Some(at),
        error: None,
    };
    source_msg(
        "argocd",
        at,
        SourcePayload::Argocd(ArgocdPayload::AppDetail {
            key: app.key.clone(),
            app: Box::new(Some(app)),
            detail,
        }),
    )
}

fn changed(story: &mut Story, secs_ago: i64, app: Value) {
    let app = decode_app(app);
    story.source(
        ago(secs_ago),
        "argocd",
        SourcePayload::Argocd(ArgocdPayload::AppChanged {
            change: WatchChange::Modified,
            app: Box::new(app),
        }),
    );
}

/// Every app's final state, as the controller's last reconcile (20 s ago) reports it.
fn final_apps() -> Vec<Value> {
    let mut out = vec![
        checkout_changes().pop().unwrap().1,
        search_changes().pop().unwrap().1,
        frontend_changes().pop().unwrap().1,
        rv(payments_rolled_back(), 6003),
        ledger_changes().pop().unwrap().1,
    ];
    out.extend(steady_apps());
    out
}

/// The final checkout-prod (resourceVersion 4711).
pub fn checkout_final() -> Value {
    rv(
        with(
            checkout_changes().pop().unwrap().1,
            &[(&["status", "reconciledAt"], json!(rfc3339(ago(20))))],
        ),
        4711,
    )
}

/// The Argo CD watch from sitrep's start to the frozen now: version, the list, live; every
/// change; alice's rollback of payments-prod with sitrep; checkout's detail fetched 3 s ago.
/// `checkout_now` is checkout-prod as Argo CD answers the detail fetch's Get 3 s ago.
pub fn argo_story(story: &mut Story, checkout_now: Value) {
    let start = ago(STARTED_SECS_AGO);
    story.source(
        start,
        "argocd",
        SourcePayload::Version("v2.13.1+af54ef8".into()),
    );
    let mut listed = vec![
        checkout_v2_13_2(),
        search_at_start(),
        frontend_at_start(),
        payments_at_start(),
        ledger_at_start(),
    ];
    listed.extend(steady_apps());
    let apps: Vec<App> = listed.into_iter().map(decode_app).collect();
    story.source(
        start,
        "argocd",
        SourcePayload::Argocd(ArgocdPayload::Apps { apps }),
    );
    story.source(start, "argocd", SourcePayload::Live(true));

    for (t, app) in checkout_changes()
        .into_iter()
        .chain(search_changes())
        .chain(frontend_changes())
        .chain(ledger_changes())
    {
        changed(story, t, app);
    }
    changed(story, 7200, rv(payments_deployed(), 6001));
    story.at(ago(5430), alice_rolls_back_payments);
    changed(story, 5400, rv(payments_rolled_back(), 6002));

    // The controller reconciles every app (only reconciledAt moves).
    let mut version = 7000;
    for app in final_apps() {
        let name = app["metadata"]["name"].as_str().unwrap().to_string();
        let app = if name == CHECKOUT_APP {
            checkout_final()
        } else {
            version += 1;
            rv(
                with(
                    app,
                    &[(&["status", "reconciledAt"], json!(rfc3339(ago(20))))],
                ),
                version,
            )
        };
        changed(story, 20, app);
    }
    story.at(ago(3), move |m| {
        send(m, checkout_detail_msg(checkout_now, ago(3)));
    });
}

/// Roll `app` back to history `id` from the Apps screen as a user does: `R`, turn auto-sync
/// off first (`a`), review, type the production app's name, Enter. Returns the request id of
/// the rollback `update` asked for; the popup stays open, watching.
pub fn roll_back_with_keys(m: &mut Model, app: &str, id: i64) -> u64 {
    use crossterm::event::KeyCode;
    use sitrep::model::ui::Screen;
    show(m, Screen::Apps);
    filter(m, app);
    assert_eq!(
        m.apps_view
            .get(m.apps_cursor.selected)
            .map(|k| k.name.as_str()),
        Some(app)
    );
    press(m, KeyCode::Char('R'));
    press(m, KeyCode::Char('a'));
    press(m, KeyCode::Enter);
    type_text(m, app);
    let effects = press(m, KeyCode::Enter);
    effects
        .iter()
        .find_map(|e| match e {
            sitrep::effect::Effect::Rollback {
                request_id, id: to, ..
            } => {
                assert_eq!(*to, id, "the entry sitrep preselected");
                Some(*request_id)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no rollback effect: {effects:?}"))
}

/// Argo CD accepted request `request_id` on `app`; its answer is the app's state `answer`.
pub fn accepted(m: &mut Model, request_id: u64, app: &str, answer: Value) {
    send(
        m,
        Msg::Done(sitrep::msg::EffectOutcome::AppActionDone {
            request_id,
            source: "argocd".to_string(),
            key: app_key(app),
            dry_run: false,
            app: Box::new(Some(decode_app(answer))),
            autosync_before: Some(json!({"prune": true, "selfHeal": true})),
        }),
    );
}

/// Close the popup, clear the Apps filter, back to triage.
fn done_on_apps(m: &mut Model) {
    use crossterm::event::KeyCode;
    press(m, KeyCode::Esc);
    filter(m, "");
    show(m, sitrep::model::ui::Screen::Triage);
}

/// alice rolls payments-prod back to the entry sitrep saw Healthy, with auto-sync turned off
/// first; Argo CD accepts it.
fn alice_rolls_back_payments(m: &mut Model) {
    let request = roll_back_with_keys(m, "payments-prod", 20);
    accepted(
        m,
        request,
        "payments-prod",
        rv(payments_rolling_back(), 6002),
    );
    done_on_apps(m);
}

/// checkout-prod as Argo CD answers alice's rollback to v2.13.2 (history 4): auto-sync off,
/// the rollback's operation running since `started` s ago. Git still says v2.14.0.
pub fn checkout_rolling_back(started: i64) -> Value {
    with(
        checkout_final(),
        &[
            (&["spec", "syncPolicy"], json!({})),
            (&["status", "sync", "status"], json!("OutOfSync")),
            (
                &["status", "health"],
                json!({"status": "Progressing",
                       "message": "Waiting for rollout to finish: 1 old replicas are pending termination"}),
            ),
            (
                &["status", "operationState"],
                operation(
                    "Running",
                    "waiting for healthy state of apps/Deployment/checkout",
                    "v2.13.2",
                    started,
                    None,
                    "alice",
                    false,
                ),
            ),
            (&["metadata", "resourceVersion"], json!("4720")),
        ],
    )
}

/// checkout-prod `secs_ago` after the rollback finished: the new history entry (6) runs
/// v2.13.2, Healthy; `sync.revision` still says Git's v2.14.0 (OutOfSync).
pub fn checkout_rolled_back(started: i64, secs_ago: i64) -> Value {
    let mut app = with(
        checkout_rolling_back(started),
        &[
            (&["status", "health"], json!({"status": "Healthy"})),
            (
                &["status", "operationState"],
                operation(
                    "Succeeded",
                    "successfully synced (all tasks run)",
                    "v2.13.2",
                    started,
                    Some(secs_ago),
                    "alice",
                    false,
                ),
            ),
            (&["metadata", "resourceVersion"], json!("4730")),
        ],
    );
    app["status"]["history"]
        .as_array_mut()
        .unwrap()
        .push(history(6, "v2.13.2", secs_ago, "alice", false));
    app
}

/// The demo-incident model with Argo CD configured and live, plus whatever `more` adds to
/// the story.
pub fn argo_model_with(checkout_now: Value, more: impl FnOnce(&mut Story)) -> Model {
    let mut sources = configured_alert_sources();
    sources.push(argocd_source());
    let mut m = started(sources, ago(STARTED_SECS_AGO));
    let mut story = Story::default();
    alert_story(&mut story, true);
    argo_story(&mut story, checkout_now);
    alice_notes(&mut story);
    more(&mut story);
    story.play(&mut m, now());
    m
}

/// The demo-incident model with Argo CD configured and live.
pub fn argo_model() -> Model {
    argo_model_with(checkout_final(), |_| {})
}

/// checkout-prod nine seconds after alice rolled it back from v2.14.0 to v2.13.2 (history 6)
/// with sitrep, which turned auto-sync off: as Argo CD reports it, `sync.revision` still
/// says Git's v2.14.0 (OutOfSync) and the newest history entry is what runs.
pub fn rolled_back_model() -> Model {
    argo_model_with(checkout_rolled_back(13, 9), |story| {
        story.at(ago(13), |m| {
            let request = roll_back_with_keys(m, CHECKOUT_APP, 4);
            accepted(m, request, CHECKOUT_APP, checkout_rolling_back(13));
        });
        story.at(ago(9), |m| {
            let app = decode_app(checkout_rolled_back(13, 9));
            send(
                m,
                source_msg(
                    "argocd",
                    ago(9),
                    SourcePayload::Argocd(ArgocdPayload::AppChanged {
                        change: WatchChange::Modified,
                        app: Box::new(app),
                    }),
                ),
            );
            done_on_apps(m);
        });
    })
}
