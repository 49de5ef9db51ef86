//! sitrep's Argo CD client and watch task against the demo world's emulated Argo CD: the same
//! code paths as production, on loopback. Clocks are frozen; nothing asserts on wall time.

use chrono::Utc;
use sitrep::config::source::{Auth, Secret, SourceSpec};
use sitrep::demo::{self, DEMO_ARGOCD_TOKEN, DemoWorld, ScenarioClock};
use sitrep::effect::Effect;
use sitrep::model::app::{AppKey, HealthStatus};
use sitrep::model::source::SourceKind;
use sitrep::msg::{ArgocdPayload, EffectOutcome, Msg, SourcePayload, WatchChange};
use sitrep::sources::argocd::{ArgocdClient, fetch_detail, run_argocd_effect};
use sitrep::sources::{ErrorKind, check_source, fetch_all_once, spawn_sources};
use std::time::Duration;
use tokio::sync::mpsc;

async fn demo() -> (DemoWorld, SourceSpec) {
    let d = demo::start_with(ScenarioClock::frozen(Utc::now(), 1.0))
        .await
        .expect("demo starts");
    let mut spec = SourceSpec::new(
        "demo-argocd",
        SourceKind::Argocd,
        url::Url::parse(&d.argocd_url).unwrap(),
        "demo world",
    );
    spec.poll_interval = Duration::from_millis(200);
    spec.auth = Auth::Bearer(Secret::new(DEMO_ARGOCD_TOKEN));
    (d, spec)
}

fn key(name: &str) -> AppKey {
    AppKey {
        instance: "demo-argocd".into(),
        namespace: "argocd".into(),
        name: name.into(),
    }
}

async fn next(rx: &mut mpsc::Receiver<Msg>) -> SourcePayload {
    match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
        Ok(Some(Msg::Source(u))) => u.payload,
        other => panic!("expected a source update, got {other:?}"),
    }
}

#[tokio::test]
async fn lists_the_demo_estate_and_reads_an_apps_detail() {
    let (d, spec) = demo().await;
    let client = ArgocdClient::new(&spec).unwrap();
    assert_eq!(client.version().await.unwrap(), "v2.13.1+sitrep-demo");
    let (apps, rv) = client.list().await.unwrap();
    assert!(!rv.is_empty());
    assert!(apps.len() > 20, "{} apps", apps.len());
    let checkout = apps
        .iter()
        .find(|a| a.key == key("checkout-prod"))
        .expect("checkout-prod");
    assert_eq!(checkout.health, HealthStatus::Degraded);
    assert!(checkout.auto_sync);
    assert!(apps.iter().any(|a| a.multi_source), "a multi-source app");

    // The list leaves out the history (as Argo CD's may): Get has it.
    let full = client.get(&key("checkout-prod")).await.unwrap();
    assert!(full.history.len() >= 2, "{:?}", full.history);
    let Msg::Source(u) = fetch_detail(&client, key("checkout-prod"), None).await else {
        panic!()
    };
    match u.payload {
        SourcePayload::Argocd(ArgocdPayload::AppDetail { app, detail, .. }) => {
            assert!(app.is_some());
            assert!(detail.error.is_none(), "{:?}", detail.error);
            assert!(!detail.tree.is_empty());
            assert!(detail.tree.iter().any(|n| n.kind == "Pod"));
        }
        other => panic!("{other:?}"),
    }

    let report = check_source(&spec).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.authenticated, Some(true));
    let results = fetch_all_once(vec![spec.clone()]).await;
    assert_eq!(results[0].apps().len(), apps.len());

    // A wrong token: the advice, not the token.
    let mut bad = spec.clone();
    bad.auth = Auth::Bearer(Secret::new("a.b.c-not-the-token"));
    let e = ArgocdClient::new(&bad).unwrap().list().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert!(
        e.message
            .starts_with("token expired or invalid: run `argocd login"),
        "{e}"
    );
    assert!(!e.message.contains("not-the-token"));
    // An unknown app: Argo CD says 403; we name the app.
    let e = client.get(&key("no-such-app")).await.unwrap_err();
    assert!(
        e.message.contains("permission denied for app no-such-app"),
        "{e}"
    );
    d.shutdown().await;
}

#[tokio::test]
async fn rollback_with_auto_sync_is_refused_then_done_in_one_step_and_the_watch_sees_it() {
    let (d, spec) = demo().await;
    let (tx, mut rx) = mpsc::channel(64);
    let handles = spawn_sources(vec![spec.clone()], tx);
    assert!(matches!(next(&mut rx).await, SourcePayload::Version(_)));
    let apps = match next(&mut rx).await {
        SourcePayload::Argocd(ArgocdPayload::Apps { apps }) => apps,
        other => panic!("{other:?}"),
    };
    assert!(apps.iter().any(|a| a.key == key("checkout-prod")));
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(true)));

    let client = ArgocdClient::new(&spec).unwrap();
    let checkout = client.get(&key("checkout-prod")).await.unwrap();
    let previous = checkout.history[checkout.history.len() - 2].id;

    // Plain rollback while auto-sync is on: the server's words.
    let e = client
        .rollback(&key("checkout-prod"), previous, false, false)
        .await
        .unwrap_err();
    assert_eq!(
        e.message,
        "rollback cannot be initiated when auto-sync is enabled"
    );

    // The one confirmed step: auto-sync off, then the rollback.
    let effect = Effect::Rollback {
        request_id: 1,
        key: key("checkout-prod"),
        id: previous,
        dry_run: false,
        prune: false,
        disable_auto_sync: true,
    };
    let before = match run_argocd_effect(&spec, effect).await {
        Msg::Done(EffectOutcome::AppActionDone {
            dry_run,
            app,
            autosync_before,
            ..
        }) => {
            assert!(!dry_run);
            assert!(!app.unwrap().auto_sync);
            // The settings sitrep removed come back with the outcome.
            autosync_before.expect("the automated policy that was removed")
        }
        other => panic!("{other:?}"),
    };
    // The watch shows checkout-prod with auto-sync off and an operation under way (or done).
    let mut saw_off = false;
    let mut saw_operation = false;
    while !(saw_off && saw_operation) {
        match next(&mut rx).await {
            SourcePayload::Argocd(ArgocdPayload::AppChanged { change, app })
                if app.key == key("checkout-prod") =>
            {
                assert_eq!(change, WatchChange::Modified);
                saw_off |= !app.auto_sync;
                saw_operation |= app.operation.is_some() && !app.auto_sync;
            }
            SourcePayload::Argocd(ArgocdPayload::AppChanged { .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    // Auto-sync back on: the settings checkout-prod had come back.
    match run_argocd_effect(
        &spec,
        Effect::SetAutoSync {
            request_id: 2,
            key: key("checkout-prod"),
            enabled: true,
            restore: Some(before.clone()),
        },
    )
    .await
    {
        Msg::Done(EffectOutcome::AppActionDone { app, .. }) => {
            assert!(app.unwrap().auto_sync);
        }
        other => panic!("{other:?}"),
    }
    // The same settings: turned off again, it reports exactly what it had the first time.
    let again = client
        .set_auto_sync(&key("checkout-prod"), false, None)
        .await
        .unwrap();
    assert_eq!(again.before, Some(before));
    handles.shutdown();
    d.shutdown().await;
}

#[tokio::test]
async fn after_a_rollback_what_runs_is_the_rolled_back_revision_and_git_stays() {
    let (d, spec) = demo().await;
    let client = ArgocdClient::new(&spec).unwrap();
    let before = client.get(&key("checkout-prod")).await.unwrap();
    let bad = before.deployed_revision().unwrap().to_string();
    assert_eq!(before.git_differs(), None, "in sync at launch");
    let previous = before.history[before.history.len() - 2].clone();
    assert_ne!(previous.revision, bad);
    let effect = Effect::Rollback {
        request_id: 1,
        key: key("checkout-prod"),
        id: previous.id,
        dry_run: false,
        prune: false,
        disable_auto_sync: true,
    };
    assert!(matches!(
        run_argocd_effect(&spec, effect).await,
        Msg::Done(EffectOutcome::AppActionDone { .. })
    ));
    d.clock().advance(chrono::TimeDelta::seconds(5));
    let after = client.get(&key("checkout-prod")).await.unwrap();
    // As in Argo CD: sync.revision is what Git was compared at (still the bad head, so
    // OutOfSync); the rollback appended a history entry, and that is what runs.
    assert_eq!(after.git_revision, bad);
    assert_eq!(after.sync, sitrep::model::app::SyncStatus::OutOfSync);
    assert_eq!(after.history.len(), before.history.len() + 1);
    assert_eq!(after.deployed_revision(), Some(previous.revision.as_str()));
    assert_eq!(after.git_differs(), Some(bad.as_str()));
    d.shutdown().await;
}

#[tokio::test]
async fn a_sync_dry_run_result_reads_as_what_would_change() {
    let (d, spec) = demo().await;
    let client = ArgocdClient::new(&spec).unwrap();
    let effect = Effect::Sync {
        request_id: 1,
        key: key("search-prod"),
        revision: None,
        prune: false,
        dry_run: true,
    };
    match run_argocd_effect(&spec, effect).await {
        Msg::Done(EffectOutcome::AppActionDone { dry_run, app, .. }) => {
            assert!(dry_run);
            let op = app.unwrap().operation.unwrap();
            assert!(op.dry_run && op.phase.is_running(), "{op:?}");
        }
        other => panic!("{other:?}"),
    }
    d.clock().advance(chrono::TimeDelta::seconds(3));
    let search = client.get(&key("search-prod")).await.unwrap();
    let op = search.operation.unwrap();
    assert!(op.dry_run && !op.phase.is_running(), "{op:?}");
    let changes: Vec<_> = op.results.iter().filter(|r| r.changes()).collect();
    assert_eq!(changes.len(), 1, "{:?}", op.results);
    assert_eq!(
        (changes[0].kind.as_str(), changes[0].status.as_str()),
        ("Deployment", "Synced")
    );
    assert!(changes[0].message.ends_with("configured (dry run)"));
    d.shutdown().await;
}
