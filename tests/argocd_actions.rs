//! The emulated Argo CD's mutations over real HTTP: the rollback story with auto-sync (and the
//! emulated Alertmanager agreeing), re-enabled auto-sync, sync and dry runs, terminate, the
//! demo's out-of-band rollback. Clocks are frozen and moved by hand: no sleeps, no wall-clock
//! assertions.

use chrono::TimeDelta;
use serde_json::json;

#[path = "support/argo_http.rs"]
mod argo_http;

use argo_http::*;

#[tokio::test]
async fn rollback_needs_auto_sync_off_then_heals_checkout() {
    let (d, argo) = frozen().await;
    let path = "/api/v1/applications/checkout-prod";
    let rollback = format!("{path}/rollback");
    // Refused while auto-sync is on: the real error.
    let (code, e) = argo.post(&rollback, &json!({"id": 2})).await;
    assert_eq!(code, 400);
    assert_eq!(e["code"], 9);
    assert_eq!(
        e["message"],
        "rollback cannot be initiated when auto-sync is enabled"
    );
    // `automated.enabled: false` counts as off; a present `automated` without it as on.
    let (_, off) = argo
        .patch(path, &json!({"patchType": "merge", "patch": "{\"spec\":{\"syncPolicy\":{\"automated\":{\"enabled\":false}}}}"}))
        .await;
    assert_eq!(off["spec"]["syncPolicy"]["automated"]["enabled"], false);
    let (code, _) = argo.post(&rollback, &json!({"id": 99})).await;
    assert_eq!(code, 400, "past the auto-sync check");
    // Disable auto-sync the way sitrep does.
    let (code, patched) = argo
        .patch(path, &json!({"name": "checkout-prod", "patchType": "merge", "patch": "{\"spec\":{\"syncPolicy\":{\"automated\":null}}}"}))
        .await;
    assert_eq!(code, 200, "{patched}");
    assert!(patched["spec"]["syncPolicy"]["automated"].is_null());
    assert_eq!(
        patched["spec"]["syncPolicy"]["syncOptions"],
        json!(["CreateNamespace=true"])
    );
    assert!(patched["metadata"]["generation"].as_u64().unwrap() > 1);
    let (code, e) = argo.post(&rollback, &json!({"id": 99})).await;
    assert_eq!(code, 400);
    assert_eq!(
        (e["code"].as_u64(), e["message"].as_str()),
        (
            Some(3),
            Some("application checkout-prod does not have deployment with id 99")
        )
    );

    // Dry run first: an operation runs, nothing else changes.
    let before = app(&argo, "checkout-prod").await;
    let deploys = d.world().deploys.len();
    let (code, dry) = argo
        .post(&rollback, &json!({"id": 2, "dryRun": true}))
        .await;
    assert_eq!(code, 200);
    assert_eq!(
        dry["status"]["operationState"]["operation"]["sync"]["dryRun"],
        true
    );
    let (code, e) = argo.post(&rollback, &json!({"id": 2})).await;
    assert_eq!((code, e["code"].as_u64()), (400, Some(9)));
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("another operation is already in progress")
    );
    d.clock().advance(s(2));
    let after_dry = app(&argo, "checkout-prod").await;
    assert_eq!(phase(&after_dry), "Succeeded");
    assert_eq!(history(&after_dry), history(&before));
    assert_eq!(health(&after_dry), "Degraded");
    assert_eq!(d.world().deploys.len(), deploys);

    // The real rollback: operation, then history, Progressing, Healthy; git still wants v2.14.0.
    let (code, rolled) = argo
        .post(&rollback, &json!({"id": 2, "prune": false}))
        .await;
    assert_eq!(code, 200, "{rolled}");
    assert_eq!(phase(&rolled), "Running");
    assert_eq!(rolled["operation"]["initiatedBy"]["username"], "admin");
    let target = history(&before)[1]["revision"].clone();
    assert_eq!(rolled["operation"]["sync"]["revision"], target);
    d.clock().advance(s(4));
    let done = app(&argo, "checkout-prod").await;
    assert_eq!(phase(&done), "Succeeded");
    assert!(done["operation"].is_null(), "operation cleared when done");
    let h = history(&done);
    assert_eq!(h.len(), 4);
    assert_eq!((h[3]["id"].as_u64(), &h[3]["revision"]), (Some(4), &target));
    assert_eq!(health(&done), "Progressing");
    assert_eq!(
        sync_status(&done),
        "OutOfSync",
        "git still asks for v2.14.0"
    );
    // The world agrees: Alertmanager resolves checkout's alerts a scenario-minute after.
    assert_eq!(firing_for(&d, "checkout").await, 2);
    d.clock().advance(s(55));
    assert_eq!(
        firing_for(&d, "checkout").await,
        2,
        "59 s after the rollback"
    );
    assert_eq!(health(&app(&argo, "checkout-prod").await), "Healthy");
    d.clock().advance(s(1));
    assert_eq!(
        firing_for(&d, "checkout").await,
        0,
        "60 s after the rollback"
    );
    let (_, tree) = argo.get(&format!("{path}/resource-tree")).await;
    assert!(
        tree["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["health"]["status"] != "Degraded")
    );
    let (_, events) = argo.get(&format!("{path}/events")).await;
    let messages: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"admin initiated rollback to 2"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"admin updated application spec"),
        "{messages:?}"
    );
    d.shutdown().await;
}

#[tokio::test]
async fn re_enabling_auto_sync_returns_to_git_and_the_alerts_come_back() {
    let (d, argo) = frozen().await;
    let path = "/api/v1/applications/checkout-prod";
    let set = |automated: &str| json!({"patchType": "merge", "patch": format!("{{\"spec\":{{\"syncPolicy\":{{\"automated\":{automated}}}}}}}")});
    argo.patch(path, &set("null")).await;
    argo.post(&format!("{path}/rollback"), &json!({"id": 2}))
        .await;
    d.clock().advance(TimeDelta::minutes(2));
    assert_eq!(firing_for(&d, "checkout").await, 0);
    let (code, back) = argo
        .patch(path, &set("{\"prune\":true,\"selfHeal\":true}"))
        .await;
    assert_eq!(code, 200);
    // The controller syncs to git at once: v2.14.0 again.
    assert_eq!(phase(&back), "Running");
    assert_eq!(
        back["status"]["operationState"]["operation"]["initiatedBy"],
        json!({"automated": true})
    );
    d.clock().advance(TimeDelta::minutes(2));
    let again = app(&argo, "checkout-prod").await;
    assert_eq!(
        (health(&again), sync_status(&again)),
        ("Degraded", "Synced")
    );
    assert_eq!(
        history(&again).last().unwrap()["initiatedBy"],
        json!({"automated": true})
    );
    assert!(
        firing_for(&d, "checkout").await >= 1,
        "the bad version's alerts return"
    );
    d.shutdown().await;
}

#[tokio::test]
async fn syncing_search_brings_it_in_sync_and_dry_runs_change_nothing() {
    let (d, argo) = frozen().await;
    let path = "/api/v1/applications/search-prod";
    let before = app(&argo, "search-prod").await;
    let (code, dry) = argo
        .post(
            &format!("{path}/sync"),
            &json!({"dryRun": true, "prune": true}),
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(phase(&dry), "Running");
    d.clock().advance(s(3));
    let after = app(&argo, "search-prod").await;
    assert_eq!(phase(&after), "Succeeded");
    assert_eq!(
        (sync_status(&after), history(&after)),
        ("OutOfSync", history(&before))
    );
    assert!(
        after["status"]["operationState"]["syncResult"]["resources"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("(dry run)")
    );
    // It says what the real sync would do: search runs an older version than Git asks for.
    let results = after["status"]["operationState"]["syncResult"]["resources"]
        .as_array()
        .unwrap()
        .clone();
    let deployment = results.iter().find(|r| r["kind"] == "Deployment").unwrap();
    assert!(
        deployment["message"]
            .as_str()
            .unwrap()
            .ends_with("configured (dry run)"),
        "{deployment}"
    );
    assert!(
        results
            .iter()
            .filter(|r| r["kind"] != "Deployment")
            .all(|r| r["message"]
                .as_str()
                .unwrap()
                .ends_with("unchanged (dry run)"))
    );

    let (code, e) = argo
        .post(
            &format!("{path}/sync"),
            &json!({"revision": "no-such-branch"}),
        )
        .await;
    assert_eq!((code, e["code"].as_u64()), (500, Some(2)));
    let (code, synced) = argo
        .post(&format!("{path}/sync"), &json!({"revision": "HEAD"}))
        .await;
    assert_eq!(code, 200, "{synced}");
    assert_eq!(
        synced["operation"]["sync"]["revision"],
        before["status"]["sync"]["revision"]
    );
    let (code, _) = argo.post(&format!("{path}/sync"), &json!({})).await;
    assert_eq!(code, 400, "an operation is in progress");
    d.clock().advance(s(4));
    let now = app(&argo, "search-prod").await;
    assert_eq!(
        (sync_status(&now), health(&now), phase(&now)),
        ("Synced", "Progressing", "Succeeded")
    );
    assert_eq!(history(&now).len(), history(&before).len() + 1);
    assert!(
        now["status"]["summary"]["images"]
            .as_array()
            .unwrap()
            .contains(&json!("registry.example.com/acme/search:v4.2.0"))
    );
    d.clock().advance(TimeDelta::minutes(1));
    assert_eq!(health(&app(&argo, "search-prod").await), "Healthy");
    d.shutdown().await;
}

#[tokio::test]
async fn terminating_an_operation() {
    let (d, argo) = frozen().await;
    let op = "/api/v1/applications/search-prod/operation";
    let (code, e) = argo.delete(op).await;
    assert_eq!(code, 400);
    assert_eq!(
        e["message"],
        "Unable to terminate operation. No operation is in progress"
    );
    let before = app(&argo, "search-prod").await;
    argo.post("/api/v1/applications/search-prod/sync", &json!({}))
        .await;
    let (code, body) = argo.delete(op).await;
    assert_eq!((code, body), (200, json!({})));
    assert_eq!(phase(&app(&argo, "search-prod").await), "Terminating");
    d.clock().advance(s(5));
    let after = app(&argo, "search-prod").await;
    assert_eq!(phase(&after), "Failed");
    assert_eq!(
        after["status"]["operationState"]["message"],
        "Operation terminated"
    );
    assert_eq!(
        history(&after),
        history(&before),
        "no history for a failed sync"
    );
    let (code, _) = argo.delete(op).await;
    assert_eq!(code, 400);
    d.shutdown().await;
}

#[tokio::test]
async fn the_control_rollback_turns_auto_sync_off_first() {
    let (d, argo) = frozen().await;
    d.rollback("checkout-prod", None, "alice").unwrap();
    d.clock().advance(TimeDelta::minutes(2));
    let checkout = app(&argo, "checkout-prod").await;
    assert!(checkout["spec"]["syncPolicy"]["automated"].is_null());
    assert_eq!(
        (health(&checkout), sync_status(&checkout)),
        ("Healthy", "OutOfSync")
    );
    assert_eq!(
        history(&checkout).last().unwrap()["initiatedBy"],
        json!({"username": "alice"})
    );
    d.shutdown().await;
}
