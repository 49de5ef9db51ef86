//! Every object the demo's emulated Kubernetes API serves, checked against the Kubernetes
//! OpenAPI definitions (tests/fixtures/kubernetes-openapi-v2-trimmed.json, source noted in
//! tests/fixtures/kubernetes-openapi-README.md): each field exists in the schema with the
//! right JSON type (recursively, through $ref and allOf), required fields present.

use chrono::Utc;
use serde_json::{Value, json};
use sitrep::demo::ScenarioClock;
use sitrep::demo::kube::DEMO_KUBE_TOKEN;

fn defs() -> Value {
    let text = include_str!("fixtures/kubernetes-openapi-v2-trimmed.json");
    serde_json::from_str::<Value>(text).unwrap()["definitions"].clone()
}

fn resolve<'a>(defs: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => &defs[r.rsplit('/').next().unwrap()],
        None => schema,
    }
}

fn check(defs: &Value, schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    let schema = resolve(defs, schema);
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            check(defs, s, v, path, errors);
        }
    }
    let format = schema["format"].as_str().unwrap_or("");
    let ok = match schema["type"].as_str() {
        None => true,
        Some("object") => v.is_object(),
        Some("array") => v.is_array(),
        Some("string") if format == "int-or-string" => v.is_string() || v.is_i64(),
        Some("string") if format == "date-time" => v.is_string() || v.is_null(),
        Some("string") => v.is_string(),
        Some("integer") => v.is_i64() || v.is_u64(),
        Some("number") => v.is_number(),
        Some("boolean") => v.is_boolean(),
        Some(other) => {
            errors.push(format!("{path}: schema type {other}"));
            true
        }
    };
    if !ok {
        errors.push(format!("{path}: {v} is not {}", schema["type"]));
        return;
    }
    if let Some(obj) = v.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, child) in obj {
            let p = format!("{path}.{k}");
            match (
                props.and_then(|m| m.get(k)),
                schema.get("additionalProperties"),
            ) {
                (Some(s), _) => check(defs, s, child, &p, errors),
                (None, Some(a)) if a.is_object() => check(defs, a, child, &p, errors),
                (None, _) if props.is_some() => errors.push(format!("{p}: not in the schema")),
                _ => {}
            }
        }
        for r in schema["required"].as_array().into_iter().flatten() {
            if let Some(name) = r.as_str()
                && !obj.contains_key(name)
            {
                errors.push(format!("{path}: required {name} missing"));
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), v.as_array()) {
        for (i, item) in list.iter().enumerate() {
            check(defs, items, item, &format!("{path}[{i}]"), errors);
        }
    }
}

fn assert_valid(defs: &Value, def: &str, v: &Value, what: &str) {
    let mut errors = Vec::new();
    check(defs, &defs[def], v, what, &mut errors);
    assert!(
        errors.is_empty(),
        "{what} against {def}:\n{}",
        errors.join("\n")
    );
}

async fn call(
    method: reqwest::Method,
    url: &str,
    ct: Option<&str>,
    body: Option<Value>,
) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(DEMO_KUBE_TOKEN);
    if let Some(ct) = ct {
        req = req.header("content-type", ct);
    }
    if let Some(b) = body {
        req = req.body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

const KINDS: [(&str, &str, &str); 7] = [
    (
        "/api/v1/namespaces",
        "io.k8s.api.core.v1.NamespaceList",
        "io.k8s.api.core.v1.Namespace",
    ),
    (
        "/api/v1/pods",
        "io.k8s.api.core.v1.PodList",
        "io.k8s.api.core.v1.Pod",
    ),
    (
        "/api/v1/events",
        "io.k8s.api.core.v1.EventList",
        "io.k8s.api.core.v1.Event",
    ),
    (
        "/apis/apps/v1/deployments",
        "io.k8s.api.apps.v1.DeploymentList",
        "io.k8s.api.apps.v1.Deployment",
    ),
    (
        "/apis/apps/v1/replicasets",
        "io.k8s.api.apps.v1.ReplicaSetList",
        "io.k8s.api.apps.v1.ReplicaSet",
    ),
    (
        "/apis/apps/v1/statefulsets",
        "io.k8s.api.apps.v1.StatefulSetList",
        "io.k8s.api.apps.v1.StatefulSet",
    ),
    (
        "/apis/apps/v1/daemonsets",
        "io.k8s.api.apps.v1.DaemonSetList",
        "io.k8s.api.apps.v1.DaemonSet",
    ),
];

#[tokio::test]
async fn every_served_object_matches_the_kubernetes_openapi() {
    let defs = defs();
    let d = sitrep::demo::start_with(ScenarioClock::frozen(Utc::now(), 1.0))
        .await
        .unwrap();
    let base = d.kube_url.clone();
    let get = reqwest::Method::GET;
    for (path, list_def, item_def) in KINDS {
        let (code, text) = call(get.clone(), &format!("{base}{path}"), None, None).await;
        assert_eq!(code, 200, "{path}: {text}");
        let list: Value = serde_json::from_str(&text).unwrap();
        assert_valid(&defs, list_def, &list, path);
        let items = list["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{path} serves something");
        for item in items {
            assert_valid(&defs, item_def, item, &format!("{path} item"));
        }
        // A single GET answers the same object.
        let first = &items[0];
        let ns = first["metadata"]["namespace"].as_str();
        let name = first["metadata"]["name"].as_str().unwrap();
        let one = match ns {
            Some(ns) => path
                .replacen("/namespaces", "", 1)
                .rsplit_once('/')
                .map(|(g, plural)| format!("{g}/namespaces/{ns}/{plural}/{name}"))
                .unwrap(),
            None => format!("{path}/{name}"),
        };
        let (code, text) = call(get.clone(), &format!("{base}{one}"), None, None).await;
        assert_eq!(code, 200, "{one}: {text}");
        assert_valid(&defs, item_def, &serde_json::from_str(&text).unwrap(), &one);
    }
    // Watch events: the envelope and what it carries; a too-old resourceVersion's ERROR.
    let (code, text) = call(get.clone(), &format!("{base}/apis/apps/v1/namespaces/checkout/deployments?watch=1&resourceVersion=0&timeoutSeconds=1&allowWatchBookmarks=true"), None, None).await;
    assert_eq!(code, 200);
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_valid(
        &defs,
        "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
        &first,
        "watch event",
    );
    assert_valid(
        &defs,
        "io.k8s.api.apps.v1.Deployment",
        &first["object"],
        "watched Deployment",
    );
    let (_, text) = call(
        get.clone(),
        &format!("{base}/api/v1/pods?watch=1&resourceVersion=3&timeoutSeconds=5"),
        None,
        None,
    )
    .await;
    let gone: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        (gone["type"].as_str(), gone["object"]["code"].as_i64()),
        (Some("ERROR"), Some(410))
    );
    assert_valid(
        &defs,
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
        &gone["object"],
        "410 Status",
    );
    // Errors, scale, access reviews, discovery.
    let (code, text) = call(
        get.clone(),
        &format!("{base}/apis/apps/v1/namespaces/checkout/deployments/nope"),
        None,
        None,
    )
    .await;
    assert_eq!(code, 404);
    assert_valid(
        &defs,
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
        &serde_json::from_str(&text).unwrap(),
        "404",
    );
    let (code, text) = call(
        reqwest::Method::PATCH,
        &format!("{base}/apis/apps/v1/namespaces/checkout/deployments/checkout/scale?dryRun=All"),
        Some("application/merge-patch+json"),
        Some(json!({"spec": {"replicas": 6}})),
    )
    .await;
    assert_eq!(code, 200, "{text}");
    let scale: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(scale["spec"]["replicas"], 6);
    assert_valid(&defs, "io.k8s.api.autoscaling.v1.Scale", &scale, "scale");
    let (code, text) = call(reqwest::Method::POST, &format!("{base}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"), Some("application/json"),
        Some(json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                    "spec": {"resourceAttributes": {"verb": "watch", "resource": "pods", "namespace": "checkout"}}}))).await;
    assert_eq!(code, 201);
    let review: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(review["status"]["allowed"], true);
    assert_valid(
        &defs,
        "io.k8s.api.authorization.v1.SelfSubjectAccessReview",
        &review,
        "review",
    );
    for (path, def) in [
        ("/version", "io.k8s.apimachinery.pkg.version.Info"),
        ("/api", "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions"),
        ("/apis", "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList"),
        (
            "/api/v1",
            "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
        ),
        (
            "/apis/apps/v1",
            "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
        ),
    ] {
        let (code, text) = call(get.clone(), &format!("{base}{path}"), None, None).await;
        assert_eq!(code, 200);
        assert_valid(&defs, def, &serde_json::from_str(&text).unwrap(), path);
    }
    // A wrong token is refused.
    let resp = reqwest::Client::new()
        .get(format!("{base}/api/v1/pods"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    d.shutdown().await;
}

#[test]
fn the_checker_catches_unknown_fields_wrong_types_and_missing_required() {
    let defs = defs();
    let mut errors = Vec::new();
    let bad = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": 3},
                     "spec": {"selector": {}, "template": {}, "replicaz": 1}});
    check(
        &defs,
        &defs["io.k8s.api.apps.v1.Deployment"],
        &bad,
        "d",
        &mut errors,
    );
    let text = errors.join("\n");
    assert!(text.contains("d.metadata.name"), "{text}");
    assert!(
        text.contains("d.spec.replicaz: not in the schema"),
        "{text}"
    );
    let mut errors = Vec::new();
    check(
        &defs,
        &defs["io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent"],
        &json!({"type": "ADDED"}),
        "w",
        &mut errors,
    );
    assert!(
        errors.iter().any(|e| e.contains("required object missing")),
        "{errors:?}"
    );
}
