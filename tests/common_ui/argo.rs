//! Argo CD fixtures: one live instance, checkout-prod Degraded after ci-bot's v2.14.0 six
//! minutes ago (auto-sync on), search-prod Healthy but OutOfSync, a running sync, a failed one,
//! a rollback that left auto-sync off, a healthy fleet, one app in another app namespace; the
//! deploy feed and the service rows' Argo CD fields filled by hand as the correlation will.

use super::*;
use sitrep::model::app::{
    App, AppDetail, AppKey, HealthStatus, HistoryEntry, KubeEvent, Operation, OperationPhase,
    SyncStatus, TreeNode,
};
use sitrep::model::deploy::{Deploy, DeployResult};
use sitrep::model::popup::{RollbackForm, RollbackStage};

pub const CHECKOUT_APP: &str = "checkout-prod";

pub fn app_key(name: &str) -> AppKey {
    AppKey {
        instance: "argocd".to_string(),
        namespace: "argocd".to_string(),
        name: name.to_string(),
    }
}

pub fn argocd_source() -> SourceStatus {
    let mut s = SourceStatus::new(
        "argocd",
        SourceKind::Argocd,
        "https://argocd.example.com",
        "config.toml:19",
    );
    s.state = SourceState::Ok;
    s.last_ok = Some(ago(2));
    s.live = Some(true);
    s
}

pub fn history(id: i64, revision: &str, secs_ago: i64, by: &str, automated: bool) -> HistoryEntry {
    HistoryEntry {
        id,
        revision: revision.to_string(),
        revisions: Vec::new(),
        deployed_at: Some(ago(secs_ago)),
        deploy_started_at: Some(ago(secs_ago + 30)),
        initiated_by: by.to_string(),
        automated,
    }
}

/// A healthy, synced app with one history entry.
pub fn app(name: &str, revision: &str, deployed_secs_ago: i64, auto_sync: bool) -> App {
    App {
        key: app_key(name),
        project: "shop".to_string(),
        labels: Labels::new(),
        annotations: Labels::new(),
        sync: SyncStatus::Synced,
        health: HealthStatus::Healthy,
        health_message: String::new(),
        health_since: None,
        git_revision: revision.to_string(),
        git_revisions: Vec::new(),
        target_revisions: vec!["main".to_string()],
        repo_urls: vec!["https://github.com/example/shop-deploy.git".to_string()],
        multi_source: false,
        destination_server: "https://kubernetes.default.svc".to_string(),
        destination_namespace: "shop".to_string(),
        auto_sync,
        operation: None,
        history: vec![history(1, revision, deployed_secs_ago, "", true)],
        images: Vec::new(),
        reconciled_at: Some(ago(20)),
        resources: Vec::new(),
        resource_version: "1000".to_string(),
        seen_health: Default::default(),
    }
}

/// checkout-prod: Degraded after ci-bot deployed v2.14.0 six minutes ago (auto-sync on).
pub fn checkout_app() -> App {
    let mut a = app(CHECKOUT_APP, "v2.14.0", 360, true);
    a.health = HealthStatus::Degraded;
    a.health_message = "Deployment \"checkout\" exceeded its progress deadline".to_string();
    a.target_revisions = vec!["v2.14.0".to_string()];
    a.history = vec![
        history(3, "v2.13.1", 3 * 86_400, "alice", false),
        history(4, "v2.13.2", 86_400 + 7200, "ci-bot", false),
        history(5, "v2.14.0", 360, "ci-bot", false),
    ];
    a.operation = Some(Operation {
        phase: OperationPhase::Succeeded,
        message: "successfully synced (all tasks run)".to_string(),
        started_at: Some(ago(390)),
        finished_at: Some(ago(360)),
        initiated_by: "ci-bot".to_string(),
        automated: false,
        revision: "v2.14.0".to_string(),
        failed_resources: Vec::new(),
        dry_run: false,
        results: Vec::new(),
    });
    a.images = vec!["ghcr.io/example/checkout:v2.14.0".to_string()];
    a.resource_version = "4711".to_string();
    // sitrep has run for days: it saw v2.13.2 Healthy, and v2.14.0 turn Degraded.
    a.seen_health = [
        ("v2.13.2".to_string(), HealthStatus::Healthy),
        ("v2.14.0".to_string(), HealthStatus::Degraded),
    ]
    .into();
    a
}

const SHA_SEARCH: &str = "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d";
/// What Git moved search-prod to (nobody synced it yet).
const SHA_SEARCH_GIT: &str = "ad2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e";

/// Every app of the fixture, by key.
pub fn apps() -> Vec<App> {
    let mut out = vec![checkout_app()];
    // search-prod: Healthy but OutOfSync (someone changed git; auto-sync off): noise.
    let mut search = app("search-prod", SHA_SEARCH, 3 * 3600, false);
    search.sync = SyncStatus::OutOfSync;
    search.git_revision = SHA_SEARCH_GIT.to_string();
    search.history = vec![
        history(
            11,
            "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
            2 * 86_400,
            "bob",
            false,
        ),
        history(12, SHA_SEARCH, 3 * 3600, "bob", false),
    ];
    out.push(search);
    // frontend-prod: an automated sync running right now.
    let mut frontend = app(
        "frontend-prod",
        "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f",
        86_400,
        true,
    );
    frontend.health = HealthStatus::Progressing;
    frontend.operation = Some(Operation {
        phase: OperationPhase::Running,
        message: "waiting for healthy state of apps/Deployment/frontend".to_string(),
        started_at: Some(ago(120)),
        finished_at: None,
        initiated_by: String::new(),
        automated: true,
        revision: "6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a".to_string(),
        failed_resources: Vec::new(),
        dry_run: false,
        results: Vec::new(),
    });
    out.push(frontend);
    // payments-prod: rolled back by bob through sitrep, which turned its auto-sync off.
    let mut payments = app(
        "payments-prod",
        "7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b",
        5400,
        false,
    );
    payments.history = vec![
        history(
            20,
            "7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b",
            3 * 86_400,
            "ci-bot",
            false,
        ),
        history(
            21,
            "8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c",
            7200,
            "ci-bot",
            false,
        ),
        history(
            22,
            "7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b",
            5400,
            "bob",
            false,
        ),
    ];
    out.push(payments);
    // ledger-prod: its last sync failed (and it stays Healthy on the old revision).
    let mut ledger = app(
        "ledger-prod",
        "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e",
        2 * 86_400,
        true,
    );
    ledger.operation = Some(Operation {
        phase: OperationPhase::Failed,
        message: "one or more objects failed to apply: admission webhook denied the request"
            .to_string(),
        started_at: Some(ago(6700)),
        finished_at: Some(ago(6600)),
        initiated_by: String::new(),
        automated: true,
        revision: "1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f".to_string(),
        failed_resources: vec!["CronJob/ledger-close".to_string()],
        dry_run: false,
        results: Vec::new(),
    });
    out.push(ledger);
    // The healthy rest of the fleet.
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
        out.push(app(
            name,
            &rev,
            (i as i64 + 1) * 86_400 / 2 + 3000,
            i % 2 == 0,
        ));
    }
    // One app in another app namespace (apps-in-any-namespace).
    let mut reporting = app(
        "reporting",
        "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0",
        5 * 86_400,
        true,
    );
    reporting.key.namespace = "argocd-apps".to_string();
    reporting.project = "analytics".to_string();
    out.push(reporting);
    out
}

/// The deploy feed, derived by hand as the lead's correlation will: newest first.
pub fn deploys() -> Vec<Deploy> {
    let d = |app: &str,
             service: &str,
             revision: &str,
             history_id: Option<i64>,
             started: i64,
             finished: Option<i64>,
             by: &str,
             automated: bool,
             result: DeployResult| Deploy {
        app: app_key(app),
        service: Some(service.to_string()),
        revision: revision.to_string(),
        history_id,
        started_at: Some(ago(started)),
        finished_at: finished.map(ago),
        initiator: by.to_string(),
        automated,
        result,
        rollback: false,
        suspect: false,
    };
    let mut checkout = d(
        CHECKOUT_APP,
        "checkout",
        "v2.14.0",
        Some(5),
        390,
        Some(360),
        "ci-bot",
        false,
        DeployResult::Succeeded,
    );
    checkout.suspect = true;
    let mut payments_back = d(
        "payments-prod",
        "payments",
        "7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b",
        Some(22),
        5430,
        Some(5400),
        "bob",
        false,
        DeployResult::Succeeded,
    );
    payments_back.rollback = true;
    let mut reporting = d(
        "reporting",
        "reporting",
        "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0",
        Some(1),
        5 * 86_400 + 30,
        Some(5 * 86_400),
        "",
        true,
        DeployResult::Succeeded,
    );
    reporting.app.namespace = "argocd-apps".to_string();
    vec![
        d(
            "frontend-prod",
            "frontend",
            "6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a",
            None,
            120,
            None,
            "",
            true,
            DeployResult::Running,
        ),
        checkout,
        payments_back,
        d(
            "ledger-prod",
            "ledger",
            "1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f",
            None,
            6700,
            Some(6600),
            "",
            true,
            DeployResult::Failed,
        ),
        d(
            "payments-prod",
            "payments",
            "8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c",
            Some(21),
            7230,
            Some(7200),
            "ci-bot",
            false,
            DeployResult::Succeeded,
        ),
        d(
            "search-prod",
            "search",
            SHA_SEARCH,
            Some(12),
            3 * 3600 + 30,
            Some(3 * 3600),
            "bob",
            false,
            DeployResult::Succeeded,
        ),
        d(
            "checkout-prod",
            "checkout",
            "v2.13.2",
            Some(4),
            86_400 + 7230,
            Some(86_400 + 7200),
            "ci-bot",
            false,
            DeployResult::Succeeded,
        ),
        reporting,
    ]
}

pub fn checkout_detail() -> AppDetail {
    let node = |kind: &str,
                name: &str,
                uid: &str,
                parent: &str,
                health: Option<HealthStatus>,
                message: &str| TreeNode {
        kind: kind.to_string(),
        namespace: "shop".to_string(),
        name: name.to_string(),
        uid: uid.to_string(),
        parent_uids: if parent.is_empty() {
            Vec::new()
        } else {
            vec![parent.to_string()]
        },
        health,
        health_message: message.to_string(),
        images: Vec::new(),
        info: Vec::new(),
        created_at: None,
    };
    use HealthStatus::{Degraded, Healthy, Progressing};
    let mut bad_pod = node(
        "Pod",
        "checkout-7d9f8b6c4-x2k4q",
        "p1",
        "rs-new",
        Some(Degraded),
        "back-off 5m0s restarting failed container=api",
    );
    bad_pod.info = vec![("Status Reason".into(), "CrashLoopBackOff".into())];
    bad_pod.images = vec!["ghcr.io/example/checkout:v2.14.0".into()];
    let mut starting = node(
        "Pod",
        "checkout-7d9f8b6c4-p9s7d",
        "p2",
        "rs-new",
        Some(Progressing),
        "",
    );
    starting.info = vec![("Containers".into(), "0/1".into())];
    starting.images = vec!["ghcr.io/example/checkout:v2.14.0".into()];
    let mut rs_new = node(
        "ReplicaSet",
        "checkout-7d9f8b6c4",
        "rs-new",
        "dep",
        Some(Degraded),
        "",
    );
    rs_new.info = vec![("Revision".into(), "Rev:5".into())];
    let mut rs_old = node(
        "ReplicaSet",
        "checkout-6c8b7a5d3",
        "rs-old",
        "dep",
        Some(Healthy),
        "",
    );
    rs_old.info = vec![("Revision".into(), "Rev:4".into())];
    let mut old_pod = node(
        "Pod",
        "checkout-6c8b7a5d3-7hq2n",
        "p3",
        "rs-old",
        Some(Healthy),
        "",
    );
    old_pod.images = vec!["ghcr.io/example/checkout:v2.13.2".into()];
    let event = |kind: &str,
                 name: &str,
                 reason: &str,
                 message: &str,
                 warning: bool,
                 count: u32,
                 secs: i64| KubeEvent {
        kind: kind.to_string(),
        name: name.to_string(),
        reason: reason.to_string(),
        message: message.to_string(),
        event_type: if warning { "Warning" } else { "Normal" }.to_string(),
        count,
        last_seen: Some(ago(secs)),
    };
    AppDetail {
        tree: vec![
            node("Service", "checkout", "svc", "", Some(Healthy), ""),
            node("ConfigMap", "checkout-config", "cm", "", None, ""),
            rs_old,
            old_pod,
            node(
                "Deployment",
                "checkout",
                "dep",
                "",
                Some(Degraded),
                "Deployment \"checkout\" exceeded its progress deadline",
            ),
            rs_new,
            bad_pod,
            starting,
            node(
                "HorizontalPodAutoscaler",
                "checkout",
                "hpa",
                "",
                Some(Healthy),
                "",
            ),
        ],
        events: vec![
            event(
                "Deployment",
                "checkout",
                "ScalingReplicaSet",
                "Scaled up replica set checkout-7d9f8b6c4 to 1",
                false,
                1,
                370,
            ),
            event(
                "Pod",
                "checkout-7d9f8b6c4-x2k4q",
                "BackOff",
                "Back-off restarting failed container api in pod checkout-7d9f8b6c4-x2k4q",
                true,
                14,
                20,
            ),
            event(
                "Pod",
                "checkout-7d9f8b6c4-p9s7d",
                "Unhealthy",
                "Readiness probe failed: HTTP probe failed with statuscode: 500",
                true,
                31,
                5,
            ),
            event(
                "Pod",
                "checkout-7d9f8b6c4-x2k4q",
                "Pulled",
                "Container image \"ghcr.io/example/checkout:v2.14.0\" already present on machine",
                false,
                7,
                60,
            ),
        ],
        resource_version: "4711".to_string(),
        fetched_at: Some(ago(3)),
        error: None,
    }
}

/// Fill the service rows' Argo CD fields as the lead's correlation does (call after `rederive`).
pub fn correlate_argo(m: &mut Model) {
    let deploys = m.deploys.clone();
    for row in &mut m.services {
        let keys: Vec<AppKey> = m
            .apps
            .keys()
            .filter(|k| {
                k.name == row.name || k.name.strip_suffix("-prod") == Some(row.name.as_str())
            })
            .cloned()
            .collect();
        row.health = keys
            .iter()
            .filter_map(|k| m.apps.get(k))
            .map(|a| a.health)
            .min();
        row.sync = keys
            .iter()
            .filter_map(|k| m.apps.get(k))
            .map(|a| a.sync)
            .min();
        row.last_deploy = deploys
            .iter()
            .find(|d| keys.contains(&d.app))
            .map(|d| Deploy::clone(d));
        row.suspect = row.last_deploy.as_ref().is_some_and(|d| d.suspect);
        row.apps = keys;
    }
}

/// The Apps screen's rows: worst health first, then out of sync first, then by name.
pub fn apps_view(m: &Model) -> Vec<AppKey> {
    let mut keys: Vec<&App> = m.apps.values().collect();
    keys.sort_by(|a, b| {
        a.health
            .cmp(&b.health)
            .then(a.sync.cmp(&b.sync))
            .then(a.key.name.cmp(&b.key.name))
    });
    keys.into_iter().map(|a| a.key.clone()).collect()
}

/// The demo-incident model with Argo CD configured and live: apps, details, deploys, and the
/// service rows' Argo CD fields filled.
pub fn argo_model() -> Model {
    let mut m = model();
    m.sources.push(argocd_source());
    for a in apps() {
        m.apps.insert(a.key.clone(), a);
    }
    m.app_details
        .insert(app_key(CHECKOUT_APP), checkout_detail());
    m.deploys = deploys().into_iter().map(std::sync::Arc::new).collect();
    m.autosync_off.insert(app_key("payments-prod"));
    m.apps_view = apps_view(&m);
    m.rederive();
    correlate_argo(&mut m);
    m
}

/// A rollback form for checkout-prod as the update logic opens it: entries newest first, the
/// entry sitrep saw Healthy (v2.13.2, before the current one) selected and marked last healthy.
pub fn rollback_form(stage: RollbackStage) -> RollbackForm {
    let mut entries = checkout_app().history;
    entries.reverse();
    RollbackForm {
        key: app_key(CHECKOUT_APP),
        entries,
        selected: 1,
        last_healthy: Some(1),
        current_revision: "v2.14.0".to_string(),
        auto_sync: true,
        disable_auto_sync: false,
        prune: false,
        production: true,
        confirm: sitrep::model::popup::Confirmation::new(true, CHECKOUT_APP),
        stage,
        problem: None,
        dry_run_skipped: false,
        dry_run: None,
    }
}

/// Press one key through `update`, as the app loop does (capitals with Shift).
pub fn press(m: &mut Model, code: crossterm::event::KeyCode) -> Vec<sitrep::effect::Effect> {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    sitrep::update::update(
        m,
        sitrep::msg::Msg::Input(Event::Key(KeyEvent::new(code, mods))),
    )
}

/// Type text, key by key.
pub fn type_text(m: &mut Model, text: &str) {
    for c in text.chars() {
        press(m, crossterm::event::KeyCode::Char(c));
    }
}

/// checkout-prod nine seconds after alice rolled it back from v2.14.0 to v2.13.2 (history 6)
/// with sitrep, which turned auto-sync off: as Argo CD reports it, `sync.revision` still
/// says Git's v2.14.0 (OutOfSync) and the newest history entry is what runs.
pub fn rolled_back_model() -> Model {
    let mut m = argo_model();
    let key = app_key(CHECKOUT_APP);
    let before = m.apps[&key].clone();
    let app = m.apps.get_mut(&key).unwrap();
    app.auto_sync = false;
    app.sync = SyncStatus::OutOfSync;
    app.health = HealthStatus::Healthy;
    app.health_message = String::new();
    app.history.push(history(6, "v2.13.2", 9, "alice", false));
    app.operation = Some(Operation {
        phase: OperationPhase::Succeeded,
        message: "successfully synced (all tasks run)".to_string(),
        started_at: Some(ago(13)),
        finished_at: Some(ago(9)),
        initiated_by: "alice".to_string(),
        automated: false,
        revision: "v2.13.2".to_string(),
        failed_resources: Vec::new(),
        dry_run: false,
        results: Vec::new(),
    });
    app.observe(Some(&before));
    m.autosync_off.insert(key);
    m.apps_view = apps_view(&m);
    // The real correlation (not `correlate_argo`): the suspect marks are what is under test.
    m.rederive();
    m
}
