use super::*;
use serde_json::json;

fn convert(v: serde_json::Value) -> App {
    app("prod", serde_json::from_value(v).unwrap())
}

fn checkout() -> serde_json::Value {
    json!({
      "metadata": {"name": "checkout-prod", "namespace": "argocd", "resourceVersion": "1234",
                   "labels": {"team": "payments"}, "annotations": {"x": "y"}, "uid": "u-1",
                   "managedFields": [{"manager": "argocd"}]},
      "spec": {"project": "payments",
               "source": {"repoURL": "https://git/checkout", "path": "deploy", "targetRevision": "main"},
               "destination": {"server": "https://kubernetes.default.svc", "namespace": "checkout"},
               "syncPolicy": {"automated": {"prune": true, "selfHeal": true}, "syncOptions": ["X=1"]}},
      "status": {
        "sync": {"status": "Synced", "revision": "abc123", "comparedTo": {"source": {}}},
        "health": {"status": "Degraded", "message": "Deployment has 0 available replicas",
                   "lastTransitionTime": "2024-05-01T10:00:00Z"},
        "operationState": {
          "phase": "Failed", "message": "one or more objects failed to apply",
          "startedAt": "2024-05-01T09:54:00Z", "finishedAt": "2024-05-01T09:55:00Z",
          "operation": {"sync": {"revision": "abc123"}, "initiatedBy": {"username": "ci-bot"}},
          "syncResult": {"revision": "abc123", "resources": [
            {"kind": "Deployment", "namespace": "checkout", "name": "api", "status": "SyncFailed", "message": "bad image"},
            {"kind": "Job", "name": "migrate", "status": "Synced", "hookPhase": "Failed"},
            {"kind": "Service", "name": "api", "status": "Synced"}]}},
        "history": [
          {"id": 40, "revision": "old111", "deployedAt": "2024-04-30T10:00:00Z",
           "initiatedBy": {"automated": true}},
          {"id": 41, "revision": "abc123", "deployedAt": "2024-05-01T09:55:00Z",
           "deployStartedAt": "2024-05-01T09:54:00Z", "initiatedBy": {"username": "ci-bot"}}],
        "reconciledAt": "2024-05-01T10:01:00Z",
        "summary": {"images": ["registry/checkout:v2.14.0"], "externalURLs": ["https://shop"]},
        "resources": [
          {"kind": "Deployment", "namespace": "checkout", "name": "api", "status": "Synced",
           "health": {"status": "Degraded", "message": "crash"}},
          {"kind": "ConfigMap", "name": "cfg", "status": "OutOfSync"}],
        "someFutureField": {"a": 1}
      }
    })
}

#[test]
fn a_single_source_app() {
    let a = convert(checkout());
    assert_eq!(
        a.key,
        AppKey {
            instance: "prod".into(),
            namespace: "argocd".into(),
            name: "checkout-prod".into()
        }
    );
    assert_eq!(a.project, "payments");
    assert_eq!(a.labels["team"], "payments");
    assert_eq!(
        (a.sync, a.health),
        (SyncStatus::Synced, HealthStatus::Degraded)
    );
    assert_eq!(a.health_message, "Deployment has 0 available replicas");
    assert_eq!(
        a.health_since,
        Some("2024-05-01T10:00:00Z".parse().unwrap()),
        "lastTransitionTime dates the health"
    );
    assert_eq!(a.git_revision, "abc123");
    assert!(a.git_revisions.is_empty() && !a.multi_source);
    assert_eq!(a.target_revisions, ["main"]);
    assert_eq!(a.repo_urls, ["https://git/checkout"]);
    assert_eq!(a.destination_server, "https://kubernetes.default.svc");
    assert_eq!(a.destination_namespace, "checkout");
    assert!(a.auto_sync);
    let op = a.operation.as_ref().unwrap();
    assert_eq!(op.phase, OperationPhase::Failed);
    assert_eq!(op.initiated_by, "ci-bot");
    assert_eq!(op.revision, "abc123");
    assert_eq!(
        op.failed_resources,
        ["Deployment/checkout/api: bad image", "Job/migrate"]
    );
    assert_eq!(a.history.len(), 2);
    assert_eq!(a.history[0].id, 40);
    assert!(a.history[0].automated);
    assert_eq!(a.current_history().unwrap().id, 41);
    assert_eq!(a.history[1].initiated_by, "ci-bot");
    assert!(a.history[1].deploy_started_at.is_some());
    assert_eq!(a.images, ["registry/checkout:v2.14.0"]);
    assert!(a.reconciled_at.is_some());
    assert_eq!(a.resources.len(), 2);
    assert_eq!(a.resources[0].health, Some(HealthStatus::Degraded));
    assert_eq!(a.resources[1].sync, SyncStatus::OutOfSync);
    assert_eq!(a.resources[1].health, None);
    assert_eq!(a.resource_version, "1234");
}

#[test]
fn a_multi_source_app() {
    let a = convert(json!({
      "metadata": {"name": "search", "namespace": "apps"},
      "spec": {"project": "search", "sources": [
          {"repoURL": "https://charts", "chart": "search", "targetRevision": "1.2.3"},
          {"repoURL": "https://git/values", "targetRevision": "main", "ref": "values"}],
        "destination": {"name": "in-cluster", "namespace": "search"}},
      "status": {
        "sync": {"status": "OutOfSync", "revisions": ["1.2.3", "def456"]},
        "health": {"status": "Healthy"},
        "operationState": {"phase": "Succeeded", "operation": {"sync": {"revisions": ["1.2.3", "def456"]},
                           "initiatedBy": {"automated": true}}},
        "history": [{"id": "7", "revisions": ["1.2.2", "ccc"], "deployedAt": "2024-05-01T09:00:00Z"}]}
    }));
    assert!(a.multi_source);
    assert_eq!(a.key.namespace, "apps");
    assert_eq!(a.git_revision, "1.2.3");
    assert_eq!(a.git_revisions, ["1.2.3", "def456"]);
    assert_eq!(a.health_since, None, "older servers say nothing");
    assert_eq!(a.deployed_revision(), Some("1.2.2"));
    assert_eq!(a.git_differs(), Some("1.2.3"));
    assert_eq!(a.target_revisions, ["1.2.3", "main"]);
    assert_eq!(a.repo_urls, ["https://charts", "https://git/values"]);
    assert_eq!(a.destination_server, "in-cluster");
    assert!(!a.auto_sync);
    let op = a.operation.unwrap();
    assert!(op.automated && op.revision == "1.2.3");
    assert_eq!(a.history[0].id, 7);
    assert_eq!(a.history[0].revision, "1.2.2");
    assert_eq!(a.history[0].revisions, ["1.2.2", "ccc"]);
}

#[test]
fn auto_sync_is_presence_unless_disabled() {
    let with = |policy: serde_json::Value| {
        let mut v = checkout();
        v["spec"]["syncPolicy"] = policy;
        convert(v).auto_sync
    };
    assert!(with(json!({"automated": {}})));
    assert!(with(
        json!({"automated": {"enabled": true, "prune": false}})
    ));
    assert!(!with(
        json!({"automated": {"enabled": false, "prune": true}})
    ));
    assert!(!with(json!({"automated": null})));
    assert!(!with(json!({"syncOptions": ["CreateNamespace=true"]})));
    assert!(!with(json!(null)));
}

#[test]
fn a_requested_operation_shows_as_running() {
    let mut v = checkout();
    v["operation"] = json!({"sync": {"revision": "fff"}, "initiatedBy": {"username": "alice"}});
    let op = convert(v).operation.unwrap();
    assert!(op.phase.is_running());
    assert_eq!(
        (op.initiated_by.as_str(), op.revision.as_str()),
        ("alice", "fff")
    );
    // An unknown phase is not "done".
    let mut v = checkout();
    v["status"]["operationState"]["phase"] = json!("Exploded");
    assert_eq!(convert(v).operation.unwrap().phase, OperationPhase::Error);
}

#[test]
fn hostile_text_is_cleaned_everywhere() {
    let evil = "pwn\x1b]0;title\x07ed\x1b[2J\u{202e}";
    let a = convert(json!({
        "metadata": {"name": evil, "namespace": evil, "labels": {evil: evil}, "annotations": {"description": evil}},
        "spec": {"project": evil, "source": {"repoURL": evil, "targetRevision": evil},
                 "destination": {"server": evil, "namespace": evil}},
        "status": {"sync": {"revision": evil}, "health": {"status": "Healthy", "message": evil},
                   "operationState": {"phase": "Running", "message": "x".repeat(100_000),
                      "operation": {"initiatedBy": {"username": evil}}},
                   "history": [{"id": 1, "revision": evil, "initiatedBy": {"username": evil}}],
                   "summary": {"images": [evil]},
                   "resources": [{"kind": evil, "name": evil, "health": {"status": "Degraded", "message": evil}}]}
    }));
    let text = serde_json::to_string(&a).unwrap();
    assert!(
        !text.contains("\\u001b") && !text.contains('\u{202e}'),
        "{text}"
    );
    assert_eq!(a.key.name, "pwned");
    assert_eq!(a.labels["pwned"], "pwned");
    assert!(a.operation.unwrap().message.chars().count() < 2100);
}

#[test]
fn tree_and_events() {
    let tree = tree(
        serde_json::from_value(json!({
            "nodes": [
                {"kind": "Deployment", "namespace": "checkout", "name": "api", "uid": "d1",
                 "health": {"status": "Degraded", "message": "x"}, "createdAt": "2024-05-01T09:00:00Z"},
                {"kind": "Pod", "namespace": "checkout", "name": "api-1", "uid": "p1",
                 "parentRefs": [{"kind": "ReplicaSet", "uid": "r1"}], "images": ["img:1"],
                 "info": [{"name": "Status Reason", "value": "CrashLoopBackOff"}],
                 "networkingInfo": {"labels": {"a": "b"}}}],
            "orphanedNodes": [{"kind": "ConfigMap", "name": "stale", "uid": "o1"}],
            "hosts": [{"name": "node-1"}]
        }))
        .unwrap(),
    );
    assert_eq!(tree.len(), 3);
    assert_eq!(tree[0].health, Some(HealthStatus::Degraded));
    assert_eq!(tree[1].parent_uids, ["r1"]);
    assert_eq!(
        tree[1].info,
        [("Status Reason".into(), "CrashLoopBackOff".into())]
    );
    assert_eq!(tree[1].images, ["img:1"]);
    assert_eq!(tree[2].name, "stale");
    let events = events(
        serde_json::from_value(json!({"metadata": {}, "items": [
            {"involvedObject": {"kind": "Pod", "name": "api-1"}, "reason": "BackOff", "message": "restarting",
             "type": "Warning", "count": 12, "lastTimestamp": "2024-05-01T09:59:00Z"},
            {"involvedObject": {"kind": "Deployment", "name": "api"}, "reason": "ScalingReplicaSet",
             "type": "Normal", "eventTime": "2024-05-01T10:00:00.000000Z", "lastTimestamp": null},
            {"involvedObject": null, "reason": "Old", "count": "3", "firstTimestamp": "2024-04-01T00:00:00Z"}]}))
        .unwrap(),
    );
    let reasons: Vec<_> = events.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons, ["ScalingReplicaSet", "BackOff", "Old"]);
    assert_eq!(events[1].count, 12);
    assert_eq!(events[0].count, 1);
    assert_eq!(events[2].count, 3);
}

#[test]
fn repository_urls_lose_their_credentials() {
    use super::without_credentials as w;
    assert_eq!(
        w("https://bot:ghp_secret@github.com/acme/charts.git"),
        "https://github.com/acme/charts.git"
    );
    assert_eq!(w("https://github.com/a@b/c"), "https://github.com/a@b/c");
    assert_eq!(
        w("git@github.com:acme/charts.git"),
        "git@github.com:acme/charts.git"
    );
    assert_eq!(w("ssh://git@host/repo"), "ssh://host/repo");
    assert_eq!(w("oci://registry/charts"), "oci://registry/charts");
}
