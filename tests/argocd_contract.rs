//! The emulated Argo CD against Argo CD's own swagger: every kind of response (and the request
//! bodies these tests send) is held against its definition, strictly except for the wire
//! dialect documented in `support/argocd_swagger.rs`. Clocks are frozen and moved by hand.

use chrono::TimeDelta;
use serde_json::{Value, json};

#[path = "support/argo_http.rs"]
mod argo_http;
#[path = "support/argocd_swagger.rs"]
mod argocd_swagger;

use argo_http::frozen;
use argocd_swagger::{assert_valid, validate, validate_stream_line};

fn assert_error(value: &Value, code: u64, message: &str) {
    assert_valid("runtimeError", value);
    assert_eq!(value["code"], code, "{value}");
    assert_eq!(value["message"], message, "{value}");
    assert_eq!(value["error"], message, "{value}");
    assert_eq!(value["details"], json!([]), "{value}");
}

#[tokio::test]
async fn reads_match_the_swagger() {
    let (d, argo) = frozen().await;
    let (code, list) = argo.get("/api/v1/applications").await;
    assert_eq!(code, 200);
    assert_valid("v1alpha1ApplicationList", &list);
    let items = list["items"].as_array().unwrap();
    assert!(items.len() >= 48, "{}", items.len());
    for app in items {
        assert_valid("v1alpha1Application", app);
    }
    let (_, some) = argo
        .get("/api/v1/applications?fields=metadata.resourceVersion,items.metadata.name,items.status.health")
        .await;
    assert_valid("v1alpha1ApplicationList", &some);

    for path in [
        "/api/v1/applications/checkout-prod",
        "/api/v1/applications/search-prod",
        "/api/v1/applications/api-gateway-prod",
        "/api/v1/applications/kube-prometheus-stack?appNamespace=argocd-apps",
    ] {
        let (code, app) = argo.get(path).await;
        assert_eq!(code, 200, "{path}: {app}");
        assert_valid("v1alpha1Application", &app);
    }
    for path in [
        "/api/v1/applications/checkout-prod/resource-tree",
        "/api/v1/applications/cart-prod/resource-tree",
        "/api/v1/applications/ingress-nginx/resource-tree?appNamespace=argocd-apps",
    ] {
        let (code, tree) = argo.get(path).await;
        assert_eq!(code, 200, "{path}: {tree}");
        assert_valid("v1alpha1ApplicationTree", &tree);
    }
    let (_, events) = argo.get("/api/v1/applications/checkout-prod/events").await;
    assert_valid("eventsEventList", &events);
    assert!(!events["items"].as_array().unwrap().is_empty());
    let (_, tree) = argo
        .get("/api/v1/applications/checkout-prod/resource-tree")
        .await;
    for kind in ["Pod", "ReplicaSet", "Deployment"] {
        let node = tree["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == kind)
            .unwrap();
        let q = format!(
            "resourceNamespace={}&resourceName={}&resourceUID={}",
            node["namespace"].as_str().unwrap(),
            node["name"].as_str().unwrap(),
            node["uid"].as_str().unwrap()
        );
        let (code, events) = argo
            .get(&format!("/api/v1/applications/checkout-prod/events?{q}"))
            .await;
        assert_eq!(code, 200, "{kind}: {events}");
        assert_valid("eventsEventList", &events);
        assert!(!events["items"].as_array().unwrap().is_empty(), "{kind}");
    }

    let (_, version) = argo.get("/api/version").await;
    assert_valid("versionVersionMessage", &version);
    d.shutdown().await;
}

#[tokio::test]
async fn watch_lines_match_the_swagger() {
    let (d, argo) = frozen().await;
    for sse in [false, true] {
        let mut watch = argo.watch("", sse).await;
        let mut added = 0;
        while added < 51 {
            let line = watch.next().await.expect("open");
            assert_eq!(validate_stream_line(&line), Ok(()));
            assert_eq!(line["result"]["type"], "ADDED");
            added += 1;
        }
        // recommendations deploys at +2 min (and is Healthy again 45 s later).
        d.clock().advance(TimeDelta::minutes(2));
        let line = watch.next_for("recommendations-prod").await;
        assert_eq!(validate_stream_line(&line), Ok(()));
        assert_eq!(line["result"]["type"], "MODIFIED");
        assert_valid("v1alpha1ApplicationWatchEvent", &line["result"]);
    }
    // An error chunk: a watch without a session.
    let (code, line) = argo
        .call(
            reqwest::Method::GET,
            "/api/v1/stream/applications",
            None,
            None,
        )
        .await;
    assert_eq!(code, 401);
    assert_eq!(validate_stream_line(&line), Ok(()));
    assert_valid("runtimeStreamError", &line["error"]);
    assert_eq!(line["error"]["grpc_code"], 16);
    d.shutdown().await;
}

#[tokio::test]
async fn mutations_and_errors_match_the_swagger() {
    let (d, argo) = frozen().await;
    // Sync (dry run, then for real), with every request body checked too.
    let sync = json!({"name": "search-prod", "revision": "HEAD", "prune": true, "dryRun": true,
                      "strategy": {"hook": {"force": false}},
                      "resources": [{"group": "apps", "kind": "Deployment", "namespace": "search", "name": "search"}],
                      "appNamespace": "argocd", "project": "search"});
    assert_eq!(validate("applicationApplicationSyncRequest", &sync), Ok(()));
    let (code, app) = argo
        .post("/api/v1/applications/search-prod/sync", &sync)
        .await;
    assert_eq!(code, 200, "{app}");
    assert_valid("v1alpha1Application", &app);
    assert!(app["operation"].is_object(), "{app}");
    d.clock().advance(TimeDelta::seconds(5));
    let (_, app) = argo.get("/api/v1/applications/search-prod").await;
    assert_valid("v1alpha1Application", &app);
    assert_eq!(app["status"]["operationState"]["phase"], "Succeeded");

    // Patch, rollback, terminate.
    let patch = json!({"name": "checkout-prod", "patchType": "merge",
                       "patch": "{\"spec\":{\"syncPolicy\":{\"automated\":null}}}",
                       "appNamespace": "argocd", "project": "payments"});
    assert_eq!(
        validate("applicationApplicationPatchRequest", &patch),
        Ok(())
    );
    let (code, app) = argo
        .patch("/api/v1/applications/checkout-prod", &patch)
        .await;
    assert_eq!(code, 200, "{app}");
    assert_valid("v1alpha1Application", &app);
    let rollback = json!({"name": "checkout-prod", "id": 2, "dryRun": false, "prune": false,
                          "appNamespace": "argocd", "project": "payments"});
    assert_eq!(
        validate("applicationApplicationRollbackRequest", &rollback),
        Ok(())
    );
    let (code, app) = argo
        .post("/api/v1/applications/checkout-prod/rollback", &rollback)
        .await;
    assert_eq!(code, 200, "{app}");
    assert_valid("v1alpha1Application", &app);
    let (code, done) = argo
        .delete("/api/v1/applications/checkout-prod/operation")
        .await;
    assert_eq!(code, 200, "{done}");
    assert_valid("applicationOperationTerminateResponse", &done);
    d.clock().advance(TimeDelta::seconds(5));
    let (_, app) = argo.get("/api/v1/applications/checkout-prod").await;
    assert_valid("v1alpha1Application", &app);
    assert_eq!(app["status"]["operationState"]["phase"], "Failed");

    // A multi-source app rolls back to a history entry's sources and revisions.
    let off = json!({"patchType": "json", "patch": "[{\"op\":\"remove\",\"path\":\"/spec/syncPolicy/automated\"}]"});
    assert_eq!(validate("applicationApplicationPatchRequest", &off), Ok(()));
    let (code, gw) = argo
        .patch("/api/v1/applications/api-gateway-prod", &off)
        .await;
    assert_eq!(code, 200, "{gw}");
    let first = gw["status"]["history"][0]["id"].clone();
    let (code, gw) = argo
        .post(
            "/api/v1/applications/api-gateway-prod/rollback",
            &json!({"id": first}),
        )
        .await;
    assert_eq!(code, 200, "{gw}");
    assert_valid("v1alpha1Application", &gw);
    let sync = &gw["operation"]["sync"];
    assert_eq!(sync["revisions"], gw["status"]["history"][0]["revisions"]);
    assert_eq!(sync["sources"].as_array().map(Vec::len), Some(2));

    // Error bodies.
    let (code, e) = argo
        .call(reqwest::Method::GET, "/api/v1/applications", None, None)
        .await;
    assert_eq!(code, 401);
    assert_error(&e, 16, "no session information");
    let (code, e) = argo.get("/api/v1/applications/nope").await;
    assert_eq!(code, 403);
    assert_error(&e, 7, "permission denied");
    let (code, e) = argo.get("/api/v1/applications/nope?project=payments").await;
    assert_eq!(code, 404);
    assert_error(&e, 5, "applications.argoproj.io \"nope\" not found");
    let (code, e) = argo
        .post(
            "/api/v1/applications/checkout-prod/rollback",
            &json!({"id": 99}),
        )
        .await;
    assert_eq!(code, 400);
    assert_error(
        &e,
        3,
        "application checkout-prod does not have deployment with id 99",
    );
    let (code, e) = argo
        .post("/api/v1/applications/cart-prod/rollback", &json!({"id": 1}))
        .await;
    assert_eq!(code, 400);
    assert_error(
        &e,
        9,
        "rollback cannot be initiated when auto-sync is enabled",
    );
    let (code, e) = argo
        .delete("/api/v1/applications/cart-prod/operation")
        .await;
    assert_eq!(code, 400);
    assert_error(
        &e,
        3,
        "Unable to terminate operation. No operation is in progress",
    );
    d.shutdown().await;
}
