//! The Argo CD client against a scripted server: queries, conversions, errors, request bodies
//! (held against the swagger), mutations sent exactly once, the detail fetch and the effects.

#[path = "support/argocd_stub.rs"]
mod argocd_stub;
#[path = "support/argocd_swagger.rs"]
mod argocd_swagger;

use argocd_stub::{Stub, TOKEN, api_error, app};
use serde_json::{Value, json};
use sitrep::config::source::{Auth, Secret, SourceSpec};
use sitrep::effect::{Effect, RefreshKind};
use sitrep::model::app::{AppKey, HealthStatus};
use sitrep::model::source::SourceKind;
use sitrep::msg::{ArgocdPayload, EffectOutcome, Msg, SourcePayload};
use sitrep::sources::argocd::client::{patch_body, rollback_body, sync_body};
use sitrep::sources::argocd::{ArgocdClient, AutoSyncSet, fetch_detail, run_argocd_effect};
use sitrep::sources::{ErrorKind, check_source, fetch_all_once};
use std::time::Duration;

fn spec(stub: &Stub) -> SourceSpec {
    let mut s = SourceSpec::new("prod", SourceKind::Argocd, stub.url.clone(), "test");
    s.timeout = Duration::from_secs(10);
    s.auth = Auth::Bearer(Secret::new(TOKEN));
    s
}

fn key(name: &str, ns: &str) -> AppKey {
    AppKey {
        instance: "prod".into(),
        namespace: ns.into(),
        name: name.into(),
    }
}

#[tokio::test]
async fn list_sends_the_filters_and_reads_every_kind_of_app() {
    let stub = Stub::start().await;
    let mut multi = app("search", "argocd", 90);
    multi["spec"]["source"] = Value::Null;
    multi["spec"]["sources"] = json!([
        {"repoURL": "https://charts", "chart": "search", "targetRevision": "1.2.3"},
        {"repoURL": "https://git/values", "targetRevision": "main", "ref": "values"}]);
    multi["status"]["sync"] = json!({"status": "OutOfSync", "revisions": ["1.2.3", "def"]});
    multi["status"]["history"] = json!([{"id": 9, "revisions": ["1.2.2", "ccc"]}]);
    let mut odd = app("inventory", "team-apps", 91);
    odd["status"]["newInV9"] = json!({"whatever": [1, 2]});
    odd["metadata"]["annotations"] = Value::Null;
    odd["status"]["history"] = json!([{"id": "12", "revision": "x"}]);
    odd["status"]["health"] = json!({"status": "Degraded", "message": "\x1b[31mboom"});
    stub.set_apps(vec![app("checkout-prod", "argocd", 88), multi, odd]);

    let mut s = spec(&stub);
    s.argocd.projects = vec!["payments".into(), "search".into()];
    s.argocd.selector = Some("team=payments".into());
    s.argocd.app_namespace = Some("team-apps".into());
    let client = ArgocdClient::new(&s).unwrap();
    let (apps, rv) = client.list().await.unwrap();
    assert_eq!(rv, "100");
    assert_eq!(apps.len(), 3);
    assert_eq!(apps[0].key, key("checkout-prod", "argocd"));
    assert!(apps[0].auto_sync);
    assert_eq!(apps[0].history.last().unwrap().id, 5);
    assert!(apps[1].multi_source);
    assert_eq!(apps[1].git_revisions, ["1.2.3", "def"]);
    assert_eq!(apps[1].history[0].revision, "1.2.2");
    assert_eq!(apps[2].key.namespace, "team-apps");
    assert_eq!(apps[2].history[0].id, 12);
    assert_eq!(apps[2].health, HealthStatus::Degraded);
    assert_eq!(apps[2].health_message, "boom");

    let req = &stub.requests_to("GET", "/api/v1/applications")[0];
    assert_eq!(req.params("projects"), ["payments", "search"]);
    assert_eq!(req.param("selector"), Some("team=payments"));
    assert_eq!(req.param("appNamespace"), Some("team-apps"));
    assert_eq!(
        req.authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn apps_outside_the_argocd_namespace_are_addressed_with_app_namespace() {
    let stub = Stub::start().await;
    stub.set_apps(vec![app("billing", "team-apps", 7)]);
    let client = ArgocdClient::new(&spec(&stub)).unwrap();
    let k = key("billing", "team-apps");
    let a = client.get(&k).await.unwrap();
    assert_eq!(a.key, k);
    assert_eq!(a.history.len(), 2);
    let tree = client.resource_tree(&k).await.unwrap();
    assert_eq!(tree[1].parent_uids, ["r1"]);
    let events = client.events(&k).await.unwrap();
    assert_eq!(events[0].reason, "BackOff");
    client.refresh(&k, true).await.unwrap();
    client.terminate(&k).await.unwrap();
    for r in stub.requests() {
        assert_eq!(r.param("appNamespace"), Some("team-apps"), "{r:?}");
    }
    let refresh = &stub.requests_to("GET", "/api/v1/applications/billing")[1];
    assert_eq!(refresh.param("refresh"), Some("hard"));
    assert_eq!(client.version().await.unwrap(), "v2.13.1+stub");
    // The same name in the default namespace is another app (the stub says 403, as Argo CD does).
    let e = client.get(&key("billing", "argocd")).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert!(
        e.message.contains("permission denied for app billing"),
        "{e}"
    );
}

#[tokio::test]
async fn errors_say_what_to_do_and_never_show_the_token() {
    let stub = Stub::start().await;
    stub.set_apps(vec![app("checkout-prod", "argocd", 1)]);
    let k = key("checkout-prod", "argocd");

    // 401 with a token: log in again. The server echoes the token; it is scrubbed.
    let mut s = spec(&stub);
    s.auth = Auth::Bearer(Secret::new("expired-token-zzzz"));
    let e = ArgocdClient::new(&s).unwrap().list().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    let port = stub.url.port().unwrap();
    assert_eq!(
        e.message,
        format!("token expired or invalid: run `argocd login 127.0.0.1:{port} --plaintext`")
    );
    // 401 without a token: say where a token comes from.
    s.auth = Auth::None;
    let e = ArgocdClient::new(&s).unwrap().list().await.unwrap_err();
    assert!(
        e.message.starts_with("no Argo CD token for source prod"),
        "{e}"
    );
    assert!(e.message.contains("ARGOCD_AUTH_TOKEN"), "{e}");

    let client = ArgocdClient::new(&spec(&stub)).unwrap();
    // 403 on a mutation: the app, the permission and the project.
    stub.reply(
        "POST",
        "/api/v1/applications/checkout-prod/rollback",
        403,
        api_error(7, "permission denied"),
    );
    let e = client.rollback(&k, 4, false, false).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert_eq!(
        e.message,
        "permission denied for app checkout-prod: your account lacks `applications, sync` on project payments"
    );
    stub.reply(
        "PATCH",
        "/api/v1/applications/checkout-prod",
        403,
        api_error(7, "permission denied"),
    );
    let e = client.set_auto_sync(&k, false, None).await.unwrap_err();
    assert!(
        e.message
            .contains("`applications, update` on project payments"),
        "{e}"
    );

    // 400 (FailedPrecondition) and 409: the server's words, verbatim.
    stub.reply(
        "POST",
        "/api/v1/applications/checkout-prod/rollback",
        400,
        api_error(9, "rollback cannot be initiated when auto-sync is enabled"),
    );
    let e = client.rollback(&k, 4, false, false).await.unwrap_err();
    assert_eq!(e.status, Some(400));
    assert_eq!(
        e.message,
        "rollback cannot be initiated when auto-sync is enabled"
    );
    stub.reply(
        "POST",
        "/api/v1/applications/checkout-prod/sync",
        409,
        api_error(10, "another operation is already in progress"),
    );
    let e = client.sync(&k, None, false, false).await.unwrap_err();
    assert_eq!(e.message, "another operation is already in progress");
    stub.reply(
        "DELETE",
        "/api/v1/applications/checkout-prod/operation",
        400,
        api_error(
            9,
            "Unable to terminate operation. No operation is in progress",
        ),
    );
    let e = client.terminate(&k).await.unwrap_err();
    assert_eq!(
        e.message,
        "Unable to terminate operation. No operation is in progress"
    );
    // A server that echoes our token in an error body never gets it shown.
    stub.reply(
        "POST",
        "/api/v1/applications/checkout-prod/sync",
        400,
        api_error(3, &format!("bad request from Bearer {TOKEN}")),
    );
    let e = client.sync(&k, None, false, false).await.unwrap_err();
    assert!(
        !e.message.contains(TOKEN) && e.message.contains("***"),
        "{e}"
    );

    // Never retried: one POST per attempt.
    assert_eq!(
        stub.requests_to("POST", "/api/v1/applications/checkout-prod/rollback")
            .len(),
        2
    );
    assert_eq!(
        stub.requests_to("POST", "/api/v1/applications/checkout-prod/sync")
            .len(),
        2
    );
    for r in stub.requests() {
        assert!(!format!("{:?}", r.body).contains(TOKEN));
    }
}

#[tokio::test]
async fn request_bodies_match_the_swagger() {
    let k = key("checkout-prod", "argocd");
    let rollback = rollback_body(&k, 5, false, true);
    assert_eq!(
        rollback,
        json!({"id": 5, "dryRun": false, "prune": true, "appNamespace": "argocd"})
    );
    assert!(rollback["id"].is_i64(), "id is a JSON number");
    argocd_swagger::assert_valid("applicationApplicationRollbackRequest", &rollback);

    let sync = sync_body(&k, Some("v2.13.0"), false, true);
    assert_eq!(
        sync,
        json!({"revision": "v2.13.0", "prune": false, "dryRun": true, "appNamespace": "argocd"})
    );
    argocd_swagger::assert_valid("applicationApplicationSyncRequest", &sync);
    let sync = sync_body(&key("a", ""), None, false, false);
    assert_eq!(sync, json!({"prune": false, "dryRun": false}));

    let patch = patch_body(&k, &Value::Null);
    argocd_swagger::assert_valid("applicationApplicationPatchRequest", &patch);
    assert_eq!(patch["patchType"], "merge");
    assert_eq!(patch["name"], "checkout-prod");
    let inner: Value = serde_json::from_str(patch["patch"].as_str().unwrap()).unwrap();
    assert_eq!(inner, json!({"spec": {"syncPolicy": {"automated": null}}}));
    // Also the bodies the effects send for other apps and namespaces.
    let other = key("billing", "team-apps");
    argocd_swagger::assert_valid(
        "applicationApplicationRollbackRequest",
        &rollback_body(&other, i64::MAX, true, false),
    );
    argocd_swagger::assert_valid(
        "applicationApplicationPatchRequest",
        &patch_body(
            &other,
            &json!({"prune": true, "selfHeal": true, "enabled": true}),
        ),
    );
}

#[test]
fn the_stub_speaks_argo_cds_shapes() {
    argocd_swagger::assert_valid("v1alpha1Application", &app("checkout-prod", "argocd", 1));
    argocd_swagger::assert_valid("runtimeError", &api_error(9, "x"));
}

#[tokio::test]
async fn the_client_sends_those_bodies_and_restores_the_auto_sync_settings_it_reported() {
    let stub = Stub::start().await;
    let mut a = app("checkout-prod", "argocd", 1);
    a["spec"]["syncPolicy"]["automated"] =
        json!({"prune": true, "selfHeal": false, "allowEmpty": true});
    stub.set_apps(vec![a]);
    let client = ArgocdClient::new(&spec(&stub)).unwrap();
    let k = key("checkout-prod", "argocd");

    client.rollback(&k, 5, true, false).await.unwrap();
    let sent = stub.requests_to("POST", "/api/v1/applications/checkout-prod/rollback");
    assert_eq!(
        sent[0].body,
        Some(json!({"id": 5, "dryRun": true, "prune": false, "appNamespace": "argocd"}))
    );
    client.sync(&k, Some("abc123"), true, false).await.unwrap();
    let sent = stub.requests_to("POST", "/api/v1/applications/checkout-prod/sync");
    assert_eq!(sent[0].body.as_ref().unwrap()["revision"], "abc123");

    // Off: automated null; the settings it had are reported, and come back when they are
    // handed back to turn it on again.
    let AutoSyncSet {
        app: off,
        changed,
        before,
    } = client.set_auto_sync(&k, false, None).await.unwrap();
    assert!(changed && !off.auto_sync);
    let policy = json!({"prune": true, "selfHeal": false, "allowEmpty": true});
    assert_eq!(before.as_ref(), Some(&policy));
    let AutoSyncSet {
        app: again,
        changed,
        before: nothing,
    } = client.set_auto_sync(&k, false, None).await.unwrap();
    assert!(!changed && !again.auto_sync, "nothing to do twice");
    assert_eq!(nothing, None, "nothing was removed the second time");
    let AutoSyncSet {
        app: on, changed, ..
    } = client
        .set_auto_sync(&k, true, before.as_ref())
        .await
        .unwrap();
    assert!(changed && on.auto_sync);
    let patches = stub.requests_to("PATCH", "/api/v1/applications/checkout-prod");
    assert_eq!(patches.len(), 2);
    for p in &patches {
        argocd_swagger::assert_valid(
            "applicationApplicationPatchRequest",
            p.body.as_ref().unwrap(),
        );
    }
    let restore: Value =
        serde_json::from_str(patches[1].body.as_ref().unwrap()["patch"].as_str().unwrap()).unwrap();
    assert_eq!(
        restore,
        json!({"spec": {"syncPolicy": {"automated": {"prune": true, "selfHeal": false, "allowEmpty": true}}}})
    );
    // Nothing is kept in the process: another client (a restarted sitrep) handed the same
    // policy restores the same settings.
    client.set_auto_sync(&k, false, None).await.unwrap();
    let other_client = ArgocdClient::new(&spec(&stub)).unwrap();
    other_client
        .set_auto_sync(&k, true, Some(&policy))
        .await
        .unwrap();
    let patches = stub.requests_to("PATCH", "/api/v1/applications/checkout-prod");
    let again: Value =
        serde_json::from_str(patches[3].body.as_ref().unwrap()["patch"].as_str().unwrap()).unwrap();
    assert_eq!(again, restore);
    // Never seen before: a conservative automated policy.
    let mut b = app("other", "argocd", 1);
    b["spec"]["syncPolicy"] = json!({});
    stub.set_apps(vec![b]);
    client
        .set_auto_sync(&key("other", "argocd"), true, None)
        .await
        .unwrap();
    let p = &stub.requests_to("PATCH", "/api/v1/applications/other")[0];
    let patch: Value =
        serde_json::from_str(p.body.as_ref().unwrap()["patch"].as_str().unwrap()).unwrap();
    assert_eq!(
        patch["spec"]["syncPolicy"]["automated"],
        json!({"prune": false, "selfHeal": false})
    );
}

#[tokio::test]
async fn rollback_with_auto_sync_off_first_is_one_careful_step() {
    let stub = Stub::start().await;
    stub.set_apps(vec![app("checkout-prod", "argocd", 1)]);
    let s = spec(&stub);
    let k = key("checkout-prod", "argocd");
    let rollback = |dry_run| Effect::Rollback {
        request_id: 7,
        key: k.clone(),
        id: 4,
        dry_run,
        prune: false,
        disable_auto_sync: true,
    };
    match run_argocd_effect(&s, rollback(false)).await {
        Msg::Done(EffectOutcome::AppActionDone {
            request_id,
            source,
            key: done_key,
            dry_run,
            app,
            autosync_before,
        }) => {
            assert_eq!((request_id, source.as_str(), dry_run), (7, "prod", false));
            assert_eq!(done_key, k);
            // The server's answer: the app, auto-sync now off.
            assert!(!app.unwrap().auto_sync);
            // What was removed travels back, to be restored later.
            assert_eq!(
                autosync_before,
                Some(json!({"prune": true, "selfHeal": true}))
            );
        }
        other => panic!("{other:?}"),
    }
    let order: Vec<String> = stub
        .requests()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        order,
        [
            "PATCH /api/v1/applications/checkout-prod",
            "POST /api/v1/applications/checkout-prod/rollback"
        ]
    );

    // The rollback fails after auto-sync went off: say so plainly.
    stub.set_apps(vec![app("checkout-prod", "argocd", 2)]);
    stub.reply(
        "POST",
        "/api/v1/applications/checkout-prod/rollback",
        400,
        api_error(
            3,
            "application checkout-prod does not have deployment with id 4",
        ),
    );
    match run_argocd_effect(&s, rollback(false)).await {
        Msg::Done(EffectOutcome::MutationFailed {
            error,
            source,
            autosync_before,
            ..
        }) => {
            assert_eq!(source, "prod");
            assert!(
                error.starts_with("auto-sync is now OFF for checkout-prod"),
                "{error}"
            );
            // Auto-sync is off even so: what it was must not be lost.
            assert_eq!(
                autosync_before,
                Some(json!({"prune": true, "selfHeal": true}))
            );
            assert!(
                error.contains("does not have deployment with id 4"),
                "{error}"
            );
        }
        other => panic!("{other:?}"),
    }

    // The PATCH fails: nothing is rolled back.
    let before = stub
        .requests_to("POST", "/api/v1/applications/checkout-prod/rollback")
        .len();
    stub.set_apps(vec![app("checkout-prod", "argocd", 3)]);
    stub.reply(
        "PATCH",
        "/api/v1/applications/checkout-prod",
        403,
        api_error(7, "permission denied"),
    );
    match run_argocd_effect(&s, rollback(false)).await {
        Msg::Done(EffectOutcome::MutationFailed { error, .. }) => {
            assert!(error.contains("nothing was rolled back"), "{error}");
            assert!(error.contains("`applications, update`"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        stub.requests_to("POST", "/api/v1/applications/checkout-prod/rollback")
            .len(),
        before
    );
    // A dry run changes nothing, auto-sync included.
    let patches = stub
        .requests_to("PATCH", "/api/v1/applications/checkout-prod")
        .len();
    let _ = run_argocd_effect(&s, rollback(true)).await;
    assert_eq!(
        stub.requests_to("PATCH", "/api/v1/applications/checkout-prod")
            .len(),
        patches
    );
}

#[tokio::test]
async fn other_effects_and_read_only_sources() {
    let stub = Stub::start().await;
    stub.set_apps(vec![app("checkout-prod", "argocd", 1)]);
    let mut s = spec(&stub);
    let k = key("checkout-prod", "argocd");
    let sync = Effect::Sync {
        request_id: 1,
        key: k.clone(),
        revision: None,
        prune: false,
        dry_run: false,
    };
    match run_argocd_effect(&s, sync.clone()).await {
        Msg::Done(EffectOutcome::AppActionDone {
            request_id,
            dry_run,
            app,
            ..
        }) => {
            assert_eq!((request_id, dry_run), (1, false));
            assert!(app.is_some());
        }
        other => panic!("{other:?}"),
    }
    let terminate = Effect::Terminate {
        request_id: 2,
        key: k.clone(),
    };
    assert!(matches!(
        run_argocd_effect(&s, terminate).await,
        Msg::Done(EffectOutcome::AppActionDone { request_id: 2, .. })
    ));
    let enable = Effect::SetAutoSync {
        request_id: 3,
        key: k.clone(),
        enabled: true,
        restore: None,
    };
    match run_argocd_effect(&s, enable).await {
        // Already on: nothing to patch, and said so by the app in the answer.
        Msg::Done(EffectOutcome::AppActionDone { app, .. }) => {
            assert!(app.unwrap().auto_sync);
            assert!(
                stub.requests_to("PATCH", "/api/v1/applications/checkout-prod")
                    .is_empty()
            );
        }
        other => panic!("{other:?}"),
    }
    // Read-only: refused before any request.
    s.read_only = true;
    let n = stub.requests().len();
    match run_argocd_effect(&s, sync).await {
        Msg::Done(EffectOutcome::MutationFailed {
            request_id, error, ..
        }) => {
            assert_eq!(request_id, 1);
            assert!(error.contains("read-only"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(stub.requests().len(), n);
    // Reading detail is fine on a read-only source.
    let detail = Effect::FetchAppDetail {
        key: k.clone(),
        refresh: Some(RefreshKind::Normal),
    };
    assert!(matches!(
        run_argocd_effect(&s, detail).await,
        Msg::Source(_)
    ));
    assert_eq!(
        stub.requests_to("GET", "/api/v1/applications/checkout-prod")
            .last()
            .unwrap()
            .param("refresh"),
        Some("normal")
    );
}

#[tokio::test]
async fn detail_fetches_three_things_and_keeps_what_worked() {
    let stub = Stub::start().await;
    stub.set_apps(vec![app("checkout-prod", "argocd", 42)]);
    let client = ArgocdClient::new(&spec(&stub)).unwrap();
    let k = key("checkout-prod", "argocd");
    let msg = fetch_detail(&client, k.clone(), None).await;
    let Msg::Source(u) = msg else { panic!() };
    assert_eq!(u.source, "prod");
    match u.payload {
        SourcePayload::Argocd(ArgocdPayload::AppDetail { app, key, detail }) => {
            assert_eq!(key, k);
            assert_eq!(app.as_ref().as_ref().unwrap().resource_version, "42");
            assert_eq!(detail.tree.len(), 2);
            assert_eq!(detail.events.len(), 1);
            assert_eq!(detail.resource_version, "42");
            assert!(detail.fetched_at.is_some() && detail.error.is_none());
        }
        other => panic!("{other:?}"),
    }
    stub.reply(
        "GET",
        "/api/v1/applications/checkout-prod/events",
        500,
        api_error(13, "etcd is on fire"),
    );
    let Msg::Source(u) = fetch_detail(&client, k.clone(), None).await else {
        panic!()
    };
    match u.payload {
        SourcePayload::Argocd(ArgocdPayload::AppDetail { app, detail, .. }) => {
            assert!(app.is_some());
            assert_eq!(detail.tree.len(), 2);
            assert!(detail.events.is_empty());
            assert_eq!(
                detail.error.as_deref(),
                Some("events: server error 500: etcd is on fire")
            );
        }
        other => panic!("{other:?}"),
    }
    // Everything failing for one reason says it once.
    stub.clear_replies();
    let mut s = spec(&stub);
    s.auth = Auth::Bearer(Secret::new("nope-nope"));
    let client = ArgocdClient::new(&s).unwrap();
    let Msg::Source(u) = fetch_detail(&client, k, None).await else {
        panic!()
    };
    match u.payload {
        SourcePayload::Argocd(ArgocdPayload::AppDetail { app, detail, .. }) => {
            assert!(app.is_none());
            assert!(
                detail
                    .error
                    .as_deref()
                    .unwrap()
                    .starts_with("token expired or invalid"),
                "{:?}",
                detail.error
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn check_and_snapshot_cover_argocd() {
    let stub = Stub::start().await;
    stub.set_apps(vec![app("a", "argocd", 1), app("b", "argocd", 2)]);
    let report = check_source(&spec(&stub)).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.authenticated, Some(true));
    assert_eq!(report.version.as_deref(), Some("v2.13.1+stub"));
    assert_eq!(report.detail.as_deref(), Some("2 apps"));
    let listed = stub.requests_to("GET", "/api/v1/applications");
    assert_eq!(listed[0].param("fields"), Some("items.metadata.name"));

    let mut bad = spec(&stub);
    bad.auth = Auth::None;
    let report = check_source(&bad).await;
    assert_eq!(report.authenticated, Some(false));
    assert!(report.reachable);
    assert!(report.error.unwrap().contains("no Argo CD token"));

    let results = fetch_all_once(vec![spec(&stub), bad]).await;
    assert_eq!(results.len(), 2);
    assert!(results[0].ok());
    assert_eq!(results[0].apps().len(), 2);
    assert_eq!(results[0].kind, SourceKind::Argocd);
    assert!(!results[1].ok());
}
