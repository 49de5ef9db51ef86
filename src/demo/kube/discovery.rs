//! Discovery, as kubectl walks it before anything else: `/version`, `/api`, `/api/v1`,
//! `/apis`, `/apis/apps/v1`, `/apis/authorization.k8s.io/v1`. Only the legacy (unaggregated)
//! documents: kubectl asks for aggregated discovery first and falls back to these.

use super::store::Kind;
use serde_json::{Value, json};

pub fn version() -> Value {
    json!({
        "major": "1", "minor": "33", "gitVersion": "v1.33.4-sitrep-demo",
        "gitCommit": "74cdb426ab8f4c3a8e7f1f8d1e8c2f5a6b7c8d9e", "gitTreeState": "clean",
        "buildDate": "2025-08-12T10:00:00Z", "goVersion": "go1.24.5", "compiler": "gc",
        "platform": "linux/amd64",
    })
}

pub fn api_versions() -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"],
           "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]})
}

pub fn api_groups() -> Value {
    let group = |name: &str, version: &str| {
        let gv = format!("{name}/{version}");
        json!({"name": name, "versions": [{"groupVersion": gv, "version": version}],
               "preferredVersion": {"groupVersion": gv, "version": version}})
    };
    json!({"kind": "APIGroupList", "apiVersion": "v1",
           "groups": [group("apps", "v1"), group("authorization.k8s.io", "v1")]})
}

fn resource(kind: Kind) -> Value {
    let short: &[&str] = match kind {
        Kind::Namespace => &["ns"],
        Kind::Pod => &["po"],
        Kind::Event => &["ev"],
        Kind::Deployment => &["deploy"],
        Kind::ReplicaSet => &["rs"],
        Kind::StatefulSet => &["sts"],
        Kind::DaemonSet => &["ds"],
    };
    let mut verbs = vec!["get", "list", "watch"];
    if kind == Kind::Deployment {
        verbs.push("patch");
    }
    let mut r = json!({
        "name": kind.plural(), "singularName": kind.name().to_lowercase(),
        "namespaced": kind.namespaced(), "kind": kind.name(), "verbs": verbs,
        "shortNames": short, "storageVersionHash": format!("{:x}", crate::demo::scenario::fnv64(kind.plural()) >> 20),
    });
    if matches!(
        kind,
        Kind::Pod | Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet
    ) {
        r["categories"] = json!(["all"]);
    }
    r
}

/// `/api/v1` or `/apis/apps/v1`.
pub fn resources(group: &str) -> Value {
    let gv = if group.is_empty() {
        "v1".to_string()
    } else {
        format!("{group}/v1")
    };
    let mut list: Vec<Value> = Kind::ALL
        .iter()
        .filter(|k| k.group() == group)
        .map(|k| resource(*k))
        .collect();
    match group {
        "" => {
            list.push(json!({"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]}));
            list.push(json!({"name": "pods/status", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]}));
        }
        "apps" => {
            list.push(json!({"name": "deployments/scale", "singularName": "", "namespaced": true,
                             "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch"]}));
            list.push(
                json!({"name": "deployments/status", "singularName": "", "namespaced": true,
                             "kind": "Deployment", "verbs": ["get"]}),
            );
        }
        "authorization.k8s.io" => {
            list.push(json!({"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview",
                             "namespaced": false, "kind": "SelfSubjectAccessReview", "verbs": ["create"]}));
        }
        _ => {}
    }
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list})
}

/// `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`: the demo user may do
/// anything except read secrets in `payments-api` (so `sitrep check` has something to say).
pub fn access_review(request: &Value) -> Value {
    let attrs = &request["spec"]["resourceAttributes"];
    let denied = attrs["resource"] == "secrets" && attrs["namespace"] == "payments-api";
    let mut status = json!({"allowed": !denied});
    if denied {
        status["denied"] = json!(true);
        status["reason"] = json!("RBAC: secrets are not readable by demo-admin in payments-api");
    } else {
        status["reason"] = json!(
            "RBAC: allowed by ClusterRoleBinding \"demo-admin\" of ClusterRole \"cluster-admin\" to User \"demo-admin\""
        );
    }
    json!({
        "kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": null},
        "spec": request.get("spec").cloned().unwrap_or_else(|| json!({})),
        "status": status,
    })
}
