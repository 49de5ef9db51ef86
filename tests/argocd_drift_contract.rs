//! The emulated Argo CD's fleet-drift reads (managed-resources, revision metadata, manifests) and
//! the Application fields drift classification reads (`comparedTo`, history sources,
//! `conditions`, `requiresPruning`), against Argo CD's own swagger, and the demo story's drift:
//! a shared chart commit moves six apps, two are hand-scaled, search's Secret was edited by
//! hand, translations cannot be compared. Clocks are frozen and moved by hand.

use serde_json::Value;

#[path = "support/argo_http.rs"]
mod argo_http;
#[path = "support/argocd_swagger.rs"]
mod argocd_swagger;

use argo_http::{Argo, app, frozen, history, s, sync_status};
use argocd_swagger::assert_valid;

const CHART_REPO: &str = "https://github.com/example-org/platform-charts";
const CHART_BUMP: &str = "4f2a1c9e7b3d58a06c1e2f9d4b7a3c8e5f1d2a6b";
const CHART_BEFORE: &str = "b81d0e3f5c7a92e4d6f8a1c3e5b7d9f0a2c4e6b8";
const CHART_APPS: [&str; 6] = [
    "sessions-prod",
    "rate-limiter-prod",
    "feature-store-prod",
    "wishlist-prod",
    "promotions-prod",
    "loyalty-prod",
];
const HAND_SCALED: [&str; 2] = ["catalog-prod", "reviews-prod"];

/// `GET …/managed-resources`, checked against the swagger; every state string is JSON.
async fn managed(argo: &Argo, name: &str) -> Vec<Value> {
    let (code, v) = argo
        .get(&format!("/api/v1/applications/{name}/managed-resources"))
        .await;
    assert_eq!(code, 200, "{name}: {v}");
    assert_valid("applicationManagedResourcesResponse", &v);
    let items = v["items"].as_array().cloned().unwrap_or_default();
    for item in &items {
        for key in [
            "liveState",
            "targetState",
            "normalizedLiveState",
            "predictedLiveState",
        ] {
            let text = item[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key}: {item}"));
            serde_json::from_str::<Value>(text).unwrap_or_else(|e| panic!("{key} {e}: {text}"));
        }
    }
    items
}

fn state(item: &Value, key: &str) -> Value {
    serde_json::from_str(item[key].as_str().unwrap()).unwrap()
}

fn modified(items: &[Value]) -> Vec<(String, String)> {
    items
        .iter()
        .filter(|i| i["modified"] == true)
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn find<'a>(items: &'a [Value], kind: &str, name: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["kind"] == kind && i["name"] == name)
        .unwrap_or_else(|| panic!("{kind}/{name} in {items:?}"))
}

fn managers(live: &Value) -> Vec<Value> {
    live["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn metadata(argo: &Argo, name: &str, revision: &str, source: Option<usize>) -> Value {
    let q = source
        .map(|i| format!("?sourceIndex={i}"))
        .unwrap_or_default();
    let (code, v) = argo
        .get(&format!(
            "/api/v1/applications/{name}/revisions/{revision}/metadata{q}"
        ))
        .await;
    assert_eq!(code, 200, "{name} {revision}: {v}");
    assert_valid("v1alpha1RevisionMetadata", &v);
    assert!(!v["author"].as_str().unwrap_or("").is_empty(), "{v}");
    assert!(!v["message"].as_str().unwrap_or("").is_empty(), "{v}");
    v
}

async fn manifests(argo: &Argo, name: &str, query: &str) -> Vec<Value> {
    let (code, v) = argo
        .get(&format!("/api/v1/applications/{name}/manifests?{query}"))
        .await;
    assert_eq!(code, 200, "{name} {query}: {v}");
    assert_valid("repositoryManifestResponse", &v);
    v["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| serde_json::from_str(m.as_str().unwrap()).unwrap())
        .collect()
}

#[tokio::test]
async fn every_app_answers_the_drift_reads_by_the_swagger_and_consistently() {
    let (_d, argo) = frozen().await;
    let (_, list) = argo.get("/api/v1/applications").await;
    let apps = list["items"].as_array().unwrap().clone();
    let mut out_of_sync = 0;
    for a in &apps {
        assert_valid("v1alpha1Application", a);
        let name = a["metadata"]["name"].as_str().unwrap();
        let ns = a["metadata"]["namespace"].as_str().unwrap();
        let q = format!("?appNamespace={ns}");
        let (code, v) = argo
            .get(&format!("/api/v1/applications/{name}/managed-resources{q}"))
            .await;
        assert_eq!(code, 200, "{name}: {v}");
        assert_valid("applicationManagedResourcesResponse", &v);
        let items = v["items"].as_array().unwrap();
        let any_modified = items.iter().any(|i| i["modified"] == true);
        let status = a["status"]["sync"]["status"].as_str().unwrap();
        // The sync status and the diff tell one story.
        match status {
            "OutOfSync" => {
                out_of_sync += 1;
                assert!(any_modified, "{name} OutOfSync without a modified resource");
            }
            "Synced" => assert!(!any_modified, "{name} Synced with modified resources"),
            _ => {}
        }
        // Every resource status names a managed resource, OutOfSync exactly when modified.
        for r in a["status"]["resources"].as_array().unwrap() {
            let item = items
                .iter()
                .find(|i| i["kind"] == r["kind"] && i["name"] == r["name"])
                .unwrap_or_else(|| panic!("{name}: {r} not in managed-resources"));
            if status != "Unknown" {
                assert_eq!(
                    r["status"] == "OutOfSync",
                    item["modified"] == true,
                    "{name}: {r}"
                );
            }
        }
        // Metadata for every revision the app mentions (its own sources; Helm versions aside).
        let multi = a["spec"]["sources"].is_array();
        let mut revisions: Vec<(String, Option<usize>)> = Vec::new();
        let mut note = |sync: &Value| {
            if let Some(r) = sync["revision"].as_str() {
                revisions.push((r.to_string(), None));
            }
            for (i, r) in sync["revisions"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                revisions.push((r.as_str().unwrap().to_string(), Some(i)));
            }
        };
        note(&a["status"]["sync"]);
        for h in a["status"]["history"].as_array().into_iter().flatten() {
            note(h);
        }
        for (rev, index) in revisions {
            let helm = multi && a["spec"]["sources"][index.unwrap_or(0)]["chart"].is_string();
            if helm {
                continue;
            }
            let path = format!(
                "/api/v1/applications/{name}/revisions/{rev}/metadata?appNamespace={ns}{}",
                index
                    .map(|i| format!("&sourceIndex={i}"))
                    .unwrap_or_default()
            );
            let (code, m) = argo.get(&path).await;
            assert_eq!(code, 200, "{path}: {m}");
            assert_valid("v1alpha1RevisionMetadata", &m);
        }
    }
    // search, six on the shared chart, two hand-scaled (translations is Unknown).
    assert!(out_of_sync >= 9, "{out_of_sync}");
}

#[tokio::test]
async fn the_shared_chart_commit_moves_six_apps() {
    let (_d, argo) = frozen().await;
    for name in CHART_APPS {
        let a = app(&argo, name).await;
        assert_eq!(sync_status(&a), "OutOfSync", "{name}");
        let sync = &a["status"]["sync"];
        assert_eq!(sync["revisions"][1], CHART_BUMP, "{name}");
        assert_eq!(sync["comparedTo"]["sources"][1]["repoURL"], CHART_REPO);
        let last = history(&a).pop().unwrap();
        assert_eq!(last["revisions"][1], CHART_BEFORE, "{name}");
        assert_eq!(last["revisions"][0], sync["revisions"][0], "{name}");
        assert_eq!(last["sources"], sync["comparedTo"]["sources"]);
        // The old chart's metrics Service waits to be pruned.
        let pruned: Vec<&Value> = a["status"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["requiresPruning"] == true)
            .collect();
        assert_eq!(pruned.len(), 1, "{name}");
        assert_eq!(pruned[0]["status"], "OutOfSync");

        let items = managed(&argo, name).await;
        let w = name.trim_end_matches("-prod");
        let mut changed = modified(&items);
        changed.sort();
        assert_eq!(
            changed,
            [
                ("ConfigMap".to_string(), format!("{w}-redis-configuration")),
                ("Service".to_string(), format!("{w}-redis-metrics")),
                ("StatefulSet".to_string(), format!("{w}-redis-master")),
            ],
            "{name}"
        );
        let cm = find(&items, "ConfigMap", &format!("{w}-redis-configuration"));
        assert_eq!(
            state(cm, "normalizedLiveState")["data"]["maxmemory-policy"],
            "volatile-lru"
        );
        assert_eq!(
            state(cm, "predictedLiveState")["data"]["maxmemory-policy"],
            "allkeys-lru"
        );
        let sts = find(&items, "StatefulSet", &format!("{w}-redis-master"));
        let image = |v: Value| v["spec"]["template"]["spec"]["containers"][0]["image"].clone();
        assert_eq!(
            image(state(sts, "normalizedLiveState")),
            "docker.io/bitnami/redis:7.2.4-debian-12-r9"
        );
        assert_eq!(
            image(state(sts, "predictedLiveState")),
            "docker.io/bitnami/redis:7.2.5-debian-12-r4"
        );
        let metrics = find(&items, "Service", &format!("{w}-redis-metrics"));
        assert_eq!(metrics["targetState"], "null");
        assert_eq!(metrics["predictedLiveState"], "null");
    }
    let m = metadata(&argo, "sessions-prod", CHART_BUMP, Some(1)).await;
    assert!(
        m["message"]
            .as_str()
            .unwrap()
            .starts_with("bump shared redis chart to 18.1.0 (maxmemory-policy allkeys-lru)")
    );
    assert_eq!(m["author"], "Alice Martin <alice.martin@example.com>");
    metadata(&argo, "loyalty-prod", CHART_BEFORE, Some(1)).await;
    // The manifests at the deployed and at the new chart commit differ in exactly that.
    let a = app(&argo, "sessions-prod").await;
    let own = a["status"]["sync"]["revisions"][0].as_str().unwrap();
    let at = |chart: &str| {
        format!("revisions={own}&sourcePositions=1&revisions={chart}&sourcePositions=2")
    };
    let before = manifests(&argo, "sessions-prod", &at(CHART_BEFORE)).await;
    let after = manifests(&argo, "sessions-prod", &at(CHART_BUMP)).await;
    assert_eq!(before.len(), after.len() + 1, "the metrics Service is gone");
}

#[tokio::test]
async fn hand_scaled_apps_drift_live_at_the_deployed_revision() {
    let (d, argo) = frozen().await;
    for name in HAND_SCALED {
        let a = app(&argo, name).await;
        assert_eq!(sync_status(&a), "OutOfSync", "{name}");
        let last = history(&a).pop().unwrap();
        assert_eq!(last["revision"], a["status"]["sync"]["revision"], "{name}");
        let items = managed(&argo, name).await;
        let w = name.trim_end_matches("-prod");
        assert_eq!(
            modified(&items),
            [("Deployment".to_string(), w.to_string())],
            "{name}"
        );
        let dep = find(&items, "Deployment", w);
        assert_eq!(state(dep, "normalizedLiveState")["spec"]["replicas"], 6);
        assert_eq!(state(dep, "predictedLiveState")["spec"]["replicas"], 3);
        let live = state(dep, "liveState");
        let fields = managers(&live);
        let scale = fields
            .iter()
            .find(|f| f["manager"] == "kubectl-scale")
            .unwrap();
        assert_eq!(scale["operation"], "Update");
        assert_eq!(scale["subresource"], "scale");
        assert_eq!(scale["fieldsType"], "FieldsV1");
        assert_eq!(
            scale["fieldsV1"],
            serde_json::json!({"f:spec": {"f:replicas": {}}})
        );
        let when = chrono::DateTime::parse_from_rfc3339(scale["time"].as_str().unwrap()).unwrap();
        let ago = d.clock().now() - when.to_utc();
        assert_eq!(ago.num_minutes(), 9, "{name}");
        let argocd = fields
            .iter()
            .find(|f| f["manager"] == "argocd-controller")
            .unwrap();
        assert_eq!(argocd["operation"], "Apply");
        let spec = &argocd["fieldsV1"]["f:spec"];
        assert!(
            spec.get("f:replicas").is_none(),
            "kubectl-scale owns it now"
        );
        assert!(spec["f:template"]["f:spec"]["f:containers"].is_object());
    }
    // A sync re-applies Git: the drift is gone, and stays gone.
    let (code, v) = argo
        .post(
            "/api/v1/applications/catalog-prod/sync",
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(code, 200, "{v}");
    d.clock().advance(s(10));
    let a = app(&argo, "catalog-prod").await;
    assert_eq!(sync_status(&a), "Synced");
    assert!(modified(&managed(&argo, "catalog-prod").await).is_empty());
    assert_eq!(sync_status(&app(&argo, "reviews-prod").await), "OutOfSync");
}

#[tokio::test]
async fn search_has_a_git_move_and_a_hand_edited_secret_sent_unmasked() {
    let (_d, argo) = frozen().await;
    let a = app(&argo, "search-prod").await;
    assert_eq!(sync_status(&a), "OutOfSync");
    let items = managed(&argo, "search-prod").await;
    let mut changed = modified(&items);
    changed.sort();
    assert_eq!(
        changed,
        [
            ("ConfigMap".to_string(), "search-config".to_string()),
            ("Deployment".to_string(), "search".to_string()),
            ("Secret".to_string(), "search-es-credentials".to_string()),
        ]
    );
    let cm = find(&items, "ConfigMap", "search-config");
    assert_eq!(state(cm, "normalizedLiveState")["data"]["timeout"], "5s");
    assert_eq!(state(cm, "predictedLiveState")["data"]["timeout"], "10s");
    let secret = find(&items, "Secret", "search-es-credentials");
    let (live, want) = (
        state(secret, "normalizedLiveState"),
        state(secret, "predictedLiveState"),
    );
    // Unmasked on purpose: sitrep's own masking is what keeps these off the screen.
    let value = live["data"]["ES_PASSWORD"].as_str().unwrap();
    assert!(!value.contains('+') && value.len() > 8);
    assert_ne!(live["data"]["ES_PASSWORD"], want["data"]["ES_PASSWORD"]);
    assert_eq!(live["data"]["ES_USERNAME"], want["data"]["ES_USERNAME"]);
    let fields = managers(&state(secret, "liveState"));
    let edit = fields
        .iter()
        .find(|f| f["manager"] == "kubectl-edit")
        .unwrap();
    assert_eq!(
        edit["fieldsV1"],
        serde_json::json!({"f:data": {"f:ES_PASSWORD": {}}})
    );
    // The metadata of the commit git moved to; the manifests mask the Secret as Argo CD does.
    let git = a["status"]["sync"]["revision"].as_str().unwrap();
    let m = metadata(&argo, "search-prod", git, None).await;
    assert!(
        m["message"]
            .as_str()
            .unwrap()
            .starts_with("search: release v4.2.0")
    );
    let rendered = manifests(&argo, "search-prod", &format!("revision={git}")).await;
    let secret = rendered.iter().find(|o| o["kind"] == "Secret").unwrap();
    for v in secret["data"].as_object().unwrap().values() {
        assert!(v.as_str().unwrap().chars().all(|c| c == '+'), "{secret}");
    }
}

#[tokio::test]
async fn checkouts_suspect_deploy_changed_the_image_and_one_config_value() {
    let (_d, argo) = frozen().await;
    let a = app(&argo, "checkout-prod").await;
    assert_eq!(sync_status(&a), "Synced");
    assert!(modified(&managed(&argo, "checkout-prod").await).is_empty());
    let h = history(&a);
    let (before, suspect) = (&h[h.len() - 2], &h[h.len() - 1]);
    let rev = |e: &Value| e["revision"].as_str().unwrap().to_string();
    let old = manifests(&argo, "checkout-prod", &format!("revision={}", rev(before))).await;
    let new = manifests(
        &argo,
        "checkout-prod",
        &format!("revision={}", rev(suspect)),
    )
    .await;
    assert_eq!(old.len(), new.len());
    let differing: Vec<String> = old
        .iter()
        .zip(&new)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(differing, ["ConfigMap", "Deployment"]);
    let cm = |set: &[Value]| set[0]["data"]["PAYMENTS_TIMEOUT_MS"].clone();
    assert_eq!((cm(&old), cm(&new)), ("2000".into(), "800".into()));
    let m = metadata(&argo, "checkout-prod", &rev(suspect), None).await;
    assert!(
        m["message"]
            .as_str()
            .unwrap()
            .contains("PAYMENTS_TIMEOUT_MS")
    );
    metadata(&argo, "checkout-prod", &rev(before), None).await;
    // Unknown revisions are the server's error, not a crash.
    let (code, e) = argo
        .get("/api/v1/applications/checkout-prod/manifests?revision=deadbeef")
        .await;
    assert_eq!(code, 500, "{e}");
    assert_valid("runtimeError", &e);
}

#[tokio::test]
async fn translations_cannot_be_compared() {
    let (_d, argo) = frozen().await;
    let a = app(&argo, "translations-prod").await;
    assert_eq!(sync_status(&a), "Unknown");
    let c = &a["status"]["conditions"][0];
    assert_valid("v1alpha1ApplicationCondition", c);
    assert_eq!(c["type"], "ComparisonError");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("Could not resolve host")
    );
    assert!(modified(&managed(&argo, "translations-prod").await).is_empty());
    let (code, e) = argo
        .get("/api/v1/applications/translations-prod/manifests")
        .await;
    assert_eq!(code, 500, "{e}");
}

#[tokio::test]
async fn unknown_apps_are_refused_like_the_rest_of_the_api() {
    let (_d, argo) = frozen().await;
    let (code, e) = argo
        .get("/api/v1/applications/nope/managed-resources")
        .await;
    assert_eq!(code, 403, "{e}");
    let (code, _) = argo
        .get("/api/v1/applications/nope/managed-resources?project=payments")
        .await;
    assert_eq!(code, 404);
}

#[tokio::test]
async fn the_resource_tree_names_what_status_resources_names() {
    let (_d, argo) = frozen().await;
    for name in ["sessions-prod", "search-prod", "catalog-prod"] {
        let a = app(&argo, name).await;
        let (code, tree) = argo
            .get(&format!("/api/v1/applications/{name}/resource-tree"))
            .await;
        assert_eq!(code, 200);
        assert_valid("v1alpha1ApplicationTree", &tree);
        let nodes = tree["nodes"].as_array().unwrap();
        let items = managed(&argo, name).await;
        for r in a["status"]["resources"].as_array().unwrap() {
            let node = nodes
                .iter()
                .find(|n| n["kind"] == r["kind"] && n["name"] == r["name"])
                .unwrap_or_else(|| panic!("{name}: {r} not in the tree"));
            let live = state(
                find(
                    &items,
                    r["kind"].as_str().unwrap(),
                    r["name"].as_str().unwrap(),
                ),
                "liveState",
            );
            assert_eq!(node["uid"], live["metadata"]["uid"], "{name}: {r}");
        }
    }
}
