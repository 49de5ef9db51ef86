//! The emulated Argo CD's reads over real HTTP: auth, the launch state, list filters, the watch
//! and its resume, errors for unknown apps. (Mutations: `argocd_actions.rs`.) Clocks are
//! frozen and moved by hand: no sleeps, no wall-clock assertions.

use chrono::TimeDelta;
use serde_json::{Value, json};
use sitrep::demo::{DEMO_ARGOCD_PASSWORD, DEMO_ARGOCD_TOKEN};

#[path = "support/argo_http.rs"]
mod argo_http;

use argo_http::*;

#[tokio::test]
async fn auth_is_required() {
    let (d, argo) = frozen().await;
    let get = reqwest::Method::GET;
    let (code, body) = argo
        .call(get.clone(), "/api/v1/applications", None, None)
        .await;
    assert_eq!(code, 401);
    assert_eq!(
        body,
        json!({"error": "no session information", "code": 16, "message": "no session information", "details": []})
    );
    let (code, body) = argo
        .call(get.clone(), "/api/v1/applications", None, Some("a.b.c"))
        .await;
    assert_eq!((code, body["code"].as_u64()), (401, Some(16)));
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid session: ")
    );
    // The cookie the UI uses works too.
    let resp = reqwest::Client::new()
        .get(format!("{}/api/v1/applications", d.argocd_url))
        .header("Cookie", format!("argocd.token={DEMO_ARGOCD_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Login hands out the token; the version is public but says little without a session.
    let (code, login) = argo
        .call(
            reqwest::Method::POST,
            "/api/v1/session",
            Some(&json!({"username": "admin", "password": DEMO_ARGOCD_PASSWORD})),
            None,
        )
        .await;
    assert_eq!(
        (code, login["token"].as_str()),
        (200, Some(DEMO_ARGOCD_TOKEN))
    );
    let (code, _) = argo
        .call(
            reqwest::Method::POST,
            "/api/v1/session",
            Some(&json!({"username": "admin", "password": "guess"})),
            None,
        )
        .await;
    assert_eq!(code, 401);
    let (_, anon) = argo.call(get.clone(), "/api/version", None, None).await;
    assert_eq!(anon, json!({"Version": "v2.13.1+sitrep-demo"}));
    let (_, full) = argo.get("/api/version").await;
    assert_eq!(full["Version"], "v2.13.1+sitrep-demo");
    assert!(full["GoVersion"].is_string());
    d.shutdown().await;
}

#[tokio::test]
async fn launch_state_tells_the_story() {
    let (d, argo) = frozen().await;
    let checkout = app(&argo, "checkout-prod").await;
    assert_eq!(health(&checkout), "Degraded");
    assert_eq!(sync_status(&checkout), "Synced");
    assert_eq!(
        checkout["spec"]["syncPolicy"]["automated"],
        json!({"prune": true, "selfHeal": false}),
        "auto-sync without self-heal: a kubectl rollout undo holds"
    );
    let h = history(&checkout);
    let last = h.last().unwrap();
    assert_eq!(last["id"], 3, "history ids are JSON numbers");
    assert_eq!(
        last["initiatedBy"],
        json!({"username": "ci-bot", "automated": true})
    );
    assert_eq!(h[1]["id"], 2);
    assert!(
        h[0]["deployedAt"].as_str() < last["deployedAt"].as_str(),
        "oldest first"
    );
    assert_eq!(last["revision"].as_str().unwrap().len(), 40);
    assert!(
        checkout["status"]["summary"]["images"]
            .as_array()
            .unwrap()
            .contains(&json!("registry.example.com/acme/checkout:v2.14.0"))
    );
    assert_eq!(checkout["spec"]["project"], "payments");
    assert_eq!(checkout["metadata"]["labels"]["team"], "payments");
    let search = app(&argo, "search-prod").await;
    assert_eq!(
        (health(&search), sync_status(&search)),
        ("Healthy", "OutOfSync")
    );
    assert!(search["spec"]["syncPolicy"]["automated"].is_null());

    // Multi-source and other-namespace apps.
    let gw = app(&argo, "api-gateway-prod").await;
    assert_eq!(gw["spec"]["sources"].as_array().unwrap().len(), 2);
    assert_eq!(
        gw["status"]["sync"]["revisions"].as_array().unwrap().len(),
        2
    );
    assert!(gw["status"]["history"][0]["revisions"].is_array());
    assert!(gw["status"]["sync"]["revision"].is_null());
    let (code, _) = argo.get("/api/v1/applications/kube-prometheus-stack").await;
    assert_eq!(code, 403, "not in the argocd namespace");
    let (code, kps) = argo
        .get("/api/v1/applications/kube-prometheus-stack?appNamespace=argocd-apps")
        .await;
    assert_eq!(code, 200);
    assert_eq!(kps["metadata"]["namespace"], "argocd-apps");
    assert!(kps["spec"]["sources"].is_array());

    // The tree: crash-looping pods of v2.14.0 beside the old ReplicaSet's.
    let (_, tree) = argo
        .get("/api/v1/applications/checkout-prod/resource-tree")
        .await;
    let nodes = tree["nodes"].as_array().unwrap();
    let pod = nodes
        .iter()
        .find(|n| n["name"] == "checkout-7d9f8b6c4-x2k9p")
        .expect("the pod the alert names");
    assert_eq!(pod["health"]["status"], "Degraded");
    assert!(
        pod["health"]["message"]
            .as_str()
            .unwrap()
            .contains("back-off")
    );
    assert_eq!(
        pod["images"],
        json!(["registry.example.com/acme/checkout:v2.14.0"])
    );
    assert!(
        pod["info"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "Status Reason", "value": "CrashLoopBackOff"}))
    );
    assert!(nodes.iter().any(|n| n["kind"] == "Service"));
    assert!(
        nodes.iter().any(|n| n["kind"] == "Pod"
            && n["images"][0] == "registry.example.com/acme/checkout:v2.13.2")
    );
    d.shutdown().await;
}

#[tokio::test]
async fn list_filters() {
    let (d, argo) = frozen().await;
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = argo.get("/api/v1/applications").await;
    assert_eq!(names(&all).len(), 51);
    assert!(all["metadata"]["resourceVersion"].is_string());
    let (_, payments) = argo.get("/api/v1/applications?projects=payments").await;
    assert_eq!(names(&payments).len(), 7);
    let (_, two) = argo
        .get("/api/v1/applications?selector=team%20in%20(search,comms),app.kubernetes.io/part-of!=autocomplete")
        .await;
    let two = names(&two);
    assert!(
        two.contains(&"search-prod".to_string()) && !two.contains(&"autocomplete-prod".to_string())
    );
    assert_eq!(two.len(), 6, "{two:?}");
    let (_, addons) = argo
        .get("/api/v1/applications?appNamespace=argocd-apps")
        .await;
    assert_eq!(
        names(&addons),
        ["cert-manager", "ingress-nginx", "kube-prometheus-stack"]
    );
    let (_, slim) = argo
        .get("/api/v1/applications?selector=team%3Dpayments&fields=items.metadata.name,items.status.sync.status,items.status.history")
        .await;
    assert_eq!(
        slim["items"][0],
        json!({"metadata": {"name": "billing-prod"}, "status": {"sync": {"status": "Synced"}}})
    );
    let (code, e) = argo
        .get("/api/v1/applications?selector=team%20in%20payments")
        .await;
    assert_eq!((code, e["code"].as_u64()), (500, Some(2)));
    d.shutdown().await;
}

#[tokio::test]
async fn the_watch_adds_everything_then_follows_changes() {
    let (d, argo) = frozen().await;
    let mut watch = argo.watch("", false).await;
    let mut seen = Vec::new();
    let mut last_rv = 0;
    while seen.len() < 51 {
        let line = watch.next().await.unwrap();
        assert_eq!(line["result"]["type"], "ADDED");
        let app = &line["result"]["application"];
        seen.push(format!(
            "{}/{}",
            app["metadata"]["namespace"].as_str().unwrap(),
            app["metadata"]["name"].as_str().unwrap()
        ));
        last_rv = last_rv.max(
            app["metadata"]["resourceVersion"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .unwrap(),
        );
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 51);
    assert!(seen.contains(&"argocd-apps/ingress-nginx".to_string()));
    // recommendations' deploy at +2 min: an operation starts, the rollout runs.
    d.clock().advance(TimeDelta::minutes(2));
    let line = watch.next_for("recommendations-prod").await;
    assert_eq!(line["result"]["type"], "MODIFIED");
    let app = &line["result"]["application"];
    assert_eq!(app["status"]["operationState"]["phase"], "Running");
    assert_eq!(app["status"]["health"]["status"], "Progressing");
    assert!(
        app["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > last_rv
    );

    // A filtered watch, in SSE framing.
    let mut only = argo.watch("name=checkout-prod", true).await;
    let first = only.next().await.unwrap();
    assert_eq!(
        first["result"]["application"]["metadata"]["name"],
        "checkout-prod"
    );
    let (code, _) = argo
        .patch(
            "/api/v1/applications/checkout-prod",
            &json!({"patchType": "merge", "patch": "{\"metadata\":{\"labels\":{\"tier\":\"1\"}}}"}),
        )
        .await;
    assert_eq!(code, 200);
    let next = only.next().await.unwrap();
    assert_eq!(next["result"]["type"], "MODIFIED");
    assert_eq!(
        next["result"]["application"]["metadata"]["labels"]["tier"],
        "1"
    );
    let mut by_selector = argo
        .watch("selector=team%3Dsearch&projects=search", false)
        .await;
    for _ in 0..3 {
        let l = by_selector.next().await.unwrap();
        assert_eq!(l["result"]["application"]["spec"]["project"], "search");
    }
    d.shutdown().await;
}

#[tokio::test]
async fn a_watch_resumes_from_a_resource_version() {
    let (d, argo) = frozen().await;
    let (_, list) = argo.get("/api/v1/applications").await;
    let rv: u64 = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // Resumed: no ADDED replay; the first message is the next change.
    let mut watch = argo.watch(&format!("resourceVersion={rv}"), false).await;
    let (code, _) = argo
        .post(
            "/api/v1/applications/search-prod/sync",
            &json!({"dryRun": true}),
        )
        .await;
    assert_eq!(code, 200);
    let line = watch.next().await.unwrap();
    assert_eq!(line["result"]["type"], "MODIFIED");
    let app = &line["result"]["application"];
    assert_eq!(app["metadata"]["name"], "search-prod");
    let new_rv: u64 = app["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(new_rv > rv);
    // With a name, the app comes as ADDED if it is at or above the version asked for (Argo
    // CD sends the single-app watch's current state so an operation's end is never missed).
    let mut one = argo
        .watch(&format!("name=search-prod&resourceVersion={new_rv}"), false)
        .await;
    let first = one.next().await.unwrap();
    assert_eq!(first["result"]["type"], "ADDED");
    assert_eq!(
        first["result"]["application"]["metadata"]["resourceVersion"],
        new_rv.to_string()
    );
    let mut later = argo
        .watch(
            &format!("name=checkout-prod&resourceVersion={}", new_rv + 1),
            false,
        )
        .await;
    d.clock().advance(TimeDelta::minutes(4));
    let line = later.next().await.unwrap();
    assert_eq!(
        line["result"]["type"], "MODIFIED",
        "nothing older than asked for: {line}"
    );
    d.shutdown().await;
}

#[tokio::test]
async fn unknown_apps_and_projects() {
    let (d, argo) = frozen().await;
    let (code, e) = argo.get("/api/v1/applications/nope").await;
    assert_eq!(
        (code, e["code"].as_u64(), e["message"].as_str()),
        (403, Some(7), Some("permission denied"))
    );
    let (code, e) = argo.get("/api/v1/applications/nope?project=payments").await;
    assert_eq!((code, e["code"].as_u64()), (404, Some(5)));
    let (code, _) = argo
        .get("/api/v1/applications/checkout-prod?project=search")
        .await;
    assert_eq!(code, 404, "exists, but not in that project");
    let (code, _) = argo
        .get("/api/v1/applications/checkout-prod?project=payments")
        .await;
    assert_eq!(code, 200);
    for (path, body) in [
        ("nope/sync", json!({})),
        ("nope/rollback", json!({"id": 1})),
    ] {
        let (code, _) = argo
            .post(&format!("/api/v1/applications/{path}"), &body)
            .await;
        assert_eq!(code, 403, "{path}");
    }
    let (code, _) = argo.get("/api/v1/applications/nope/resource-tree").await;
    assert_eq!(code, 403);
    let (code, e) = argo
        .get("/api/v1/applications/checkout-prod/events?resourceName=checkout&resourceNamespace=checkout")
        .await;
    assert_eq!(
        (code, e["code"].as_u64()),
        (400, Some(3)),
        "events need the resource's uid"
    );
    d.shutdown().await;
}

/// `status.health.lastTransitionTime` as RFC3339 text (whole seconds: compares as time).
fn health_since(app: &Value) -> String {
    app["status"]["health"]["lastTransitionTime"]
        .as_str()
        .expect("lastTransitionTime, as Argo CD v2.11+ sends it")
        .to_string()
}

#[tokio::test]
async fn health_says_since_when_it_holds() {
    let (d, argo) = frozen().await;
    let path = "/api/v1/applications/checkout-prod";
    let checkout = app(&argo, "checkout-prod").await;
    // Degraded since the bad deploy finished rolling out: after it started, before now, and
    // long before sitrep (or this test) looked.
    let bad = history(&checkout).last().unwrap().clone();
    let since = health_since(&checkout);
    assert!(
        since.as_str() > bad["deployStartedAt"].as_str().unwrap(),
        "{since}"
    );
    let now = d
        .clock()
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert!(since < now, "{since} vs {now}");
    // Asking again later changes nothing: the state did not change.
    d.clock().advance(s(30));
    assert_eq!(health_since(&app(&argo, "checkout-prod").await), since);

    // A rollback: Progressing from when its rollout started, then Healthy from when it ended.
    let set =
        json!({"patchType": "merge", "patch": "{\"spec\":{\"syncPolicy\":{\"automated\":null}}}"});
    argo.patch(path, &set).await;
    argo.post(&format!("{path}/rollback"), &json!({"id": 2}))
        .await;
    d.clock().advance(s(5));
    let rolling = app(&argo, "checkout-prod").await;
    assert_eq!(health(&rolling), "Progressing");
    let started = history(&rolling).last().unwrap()["deployStartedAt"].clone();
    assert_eq!(health_since(&rolling), started.as_str().unwrap());
    d.clock().advance(TimeDelta::minutes(2));
    let healed = app(&argo, "checkout-prod").await;
    assert_eq!(health(&healed), "Healthy");
    assert!(health_since(&healed).as_str() > started.as_str().unwrap());
    d.shutdown().await;
}
