use super::*;
use serde_json::{Value, json};

const UID: &str = "d-uid-1";

fn template(image: &str, hash: Option<&str>) -> Value {
    let mut labels = json!({"app": "checkout"});
    if let Some(h) = hash {
        labels[POD_TEMPLATE_HASH] = json!(h);
    }
    json!({
        "metadata": {"labels": labels, "creationTimestamp": null},
        "spec": {"containers": [{"name": "app", "image": image, "resources": {}}],
                 "restartPolicy": "Always"}
    })
}

fn deployment(image: &str, revision: i64) -> Value {
    json!({
        "metadata": {
            "name": "checkout", "namespace": "shop", "uid": UID,
            "annotations": {
                REVISION_ANNOTATION: revision.to_string(),
                "kubectl.kubernetes.io/last-applied-configuration": "{\"applied\":true}",
                "deployment.kubernetes.io/revision-history": "2,4",
                "team": "payments",
            }
        },
        "spec": {
            "selector": {"matchLabels": {"app": "checkout"}},
            "template": template(image, None),
        }
    })
}

fn replica_set(name: &str, revision: i64, image: &str) -> Value {
    json!({
        "metadata": {
            "name": name, "namespace": "shop",
            "labels": {"app": "checkout", POD_TEMPLATE_HASH: format!("h{revision}")},
            "annotations": {
                REVISION_ANNOTATION: revision.to_string(),
                "deployment.kubernetes.io/desired-replicas": "3",
                "deployment.kubernetes.io/max-replicas": "4",
                "kubernetes.io/change-cause": format!("deploy {image}"),
            },
            "ownerReferences": [{"kind": "Deployment", "name": "checkout", "uid": UID, "controller": true}],
        },
        "spec": {"template": template(image, Some(&format!("h{revision}")))}
    })
}

fn history() -> Vec<Value> {
    vec![
        replica_set("checkout-5", 5, "checkout:v2.12.0"),
        replica_set("checkout-7", 7, "checkout:v2.14.0"),
        replica_set("checkout-6", 6, "checkout:v2.13.1"),
    ]
}

fn patch_of(plan: UndoPlan) -> (Value, Option<i64>, i64, Vec<String>) {
    match plan {
        UndoPlan::Patch {
            patch,
            from_revision,
            to_revision,
            images,
        } => (patch, from_revision, to_revision, images),
        other => panic!("expected a patch, got {other:?}"),
    }
}

#[test]
fn previous_revision_is_the_second_highest() {
    let plan = plan_undo(&deployment("checkout:v2.14.0", 7), &history(), 0).unwrap();
    let (patch, from, to, images) = patch_of(plan);
    assert_eq!((from, to), (Some(7), 6));
    assert_eq!(images, vec!["checkout:v2.13.1".to_string()]);
    let ops = patch.as_array().unwrap();
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[0]["op"], "replace");
    assert_eq!(ops[0]["path"], "/spec/template");
    assert_eq!(ops[1]["op"], "replace");
    assert_eq!(ops[1]["path"], "/metadata/annotations");
}

#[test]
fn the_template_is_the_replica_sets_without_its_hash_label() {
    let (patch, ..) =
        patch_of(plan_undo(&deployment("checkout:v2.14.0", 7), &history(), 6).unwrap());
    assert_eq!(patch[0]["value"], template("checkout:v2.13.1", None));
    assert!(patch[0]["value"]["metadata"]["labels"][POD_TEMPLATE_HASH].is_null());
}

#[test]
fn annotations_keep_kubectls_from_the_deployment_and_take_the_replica_sets_others() {
    let (patch, ..) =
        patch_of(plan_undo(&deployment("checkout:v2.14.0", 7), &history(), 5).unwrap());
    assert_eq!(
        patch[1]["value"],
        json!({
            // kept from the Deployment
            REVISION_ANNOTATION: "7",
            "kubectl.kubernetes.io/last-applied-configuration": "{\"applied\":true}",
            "deployment.kubernetes.io/revision-history": "2,4",
            // the ReplicaSet's, except the skipped keys (desired/max replicas, revision)
            "kubernetes.io/change-cause": "deploy checkout:v2.12.0",
        })
    );
    // The Deployment's own other annotations ("team") are not kept: kubectl replaces them.
    assert!(patch[1]["value"].get("team").is_none());
}

#[test]
fn a_chosen_revision_is_found_or_named_missing() {
    let d = deployment("checkout:v2.14.0", 7);
    let (.., to, _) = patch_of(plan_undo(&d, &history(), 5).unwrap());
    assert_eq!(to, 5);
    assert_eq!(
        plan_undo(&d, &history(), 3).unwrap_err(),
        "unable to find specified revision 3 in history"
    );
    assert_eq!(
        plan_undo(&d, &history(), -1).unwrap_err(),
        "unable to find specified revision -1 in history"
    );
}

#[test]
fn no_history_without_a_previous_revision() {
    let d = deployment("checkout:v2.14.0", 7);
    let only = vec![replica_set("checkout-7", 7, "checkout:v2.14.0")];
    let expected = "no rollout history found for deployment \"checkout\"";
    assert_eq!(plan_undo(&d, &only, 0).unwrap_err(), expected);
    assert_eq!(plan_undo(&d, &[], 0).unwrap_err(), expected);
}

#[test]
fn a_paused_deployment_is_refused() {
    let mut d = deployment("checkout:v2.14.0", 7);
    d["spec"]["paused"] = json!(true);
    assert_eq!(
        plan_undo(&d, &history(), 0).unwrap_err(),
        "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/checkout' and try again"
    );
}

#[test]
fn skipped_when_the_template_already_matches_ignoring_the_hash() {
    // The Deployment already runs revision 6's template (e.g. undone before).
    let d = deployment("checkout:v2.13.1", 8);
    let plan = plan_undo(&d, &history(), 6).unwrap();
    assert_eq!(
        plan,
        UndoPlan::Skipped {
            from_revision: Some(8),
            to_revision: 6,
            images: vec!["checkout:v2.13.1".into()],
        }
    );
    assert_eq!(
        skipped_message(6),
        "skipped rollback (current template already matches revision 6)"
    );
}

#[test]
fn template_equality_ignores_the_hash_and_empty_fields_only() {
    let a = template("x:1", Some("abc"));
    let mut b = template("x:1", None);
    assert!(equal_ignore_hash(&a, &b));
    // `null`, `{}`, `[]`, `""` and missing are the same to the typed comparison.
    b["spec"]["volumes"] = json!([]);
    b["metadata"]["annotations"] = json!({});
    b["spec"]["serviceAccountName"] = json!("");
    assert!(equal_ignore_hash(&a, &b));
    // Any other label, annotation or field is a difference.
    b["metadata"]["labels"]["version"] = json!("v1");
    assert!(!equal_ignore_hash(&a, &b));
    let mut c = template("x:1", None);
    c["metadata"]["annotations"] = json!({RESTARTED_AT_ANNOTATION: "2026-01-01T00:00:00Z"});
    assert!(!equal_ignore_hash(&a, &c));
    assert!(!equal_ignore_hash(&a, &template("x:2", None)));
}

#[test]
fn only_replica_sets_the_deployment_controls_and_selects_are_history() {
    let d = deployment("checkout:v2.14.0", 7);
    let mut foreign_owner = replica_set("other-9", 9, "evil:1");
    foreign_owner["metadata"]["ownerReferences"][0]["uid"] = json!("someone-else");
    let mut not_controller = replica_set("adopted-8", 8, "evil:2");
    not_controller["metadata"]["ownerReferences"][0]["controller"] = json!(false);
    let mut unselected = replica_set("unselected-10", 10, "evil:3");
    unselected["metadata"]["labels"]["app"] = json!("other");
    let mut set = vec![
        replica_set("checkout-7", 7, "checkout:v2.14.0"),
        foreign_owner,
        not_controller,
        unselected,
    ];
    assert!(
        plan_undo(&d, &set, 0)
            .unwrap_err()
            .starts_with("no rollout history found")
    );
    assert!(plan_undo(&d, &set, 9).is_err());
    set.push(replica_set("checkout-6", 6, "checkout:v2.13.1"));
    let (.., to, images) = patch_of(plan_undo(&d, &set, 0).unwrap());
    assert_eq!((to, images), (6, vec!["checkout:v2.13.1".to_string()]));
}

#[test]
fn match_expressions_are_honoured() {
    let sel = json!({"matchLabels": {"app": "a"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]},
                             {"key": "canary", "operator": "DoesNotExist"}]});
    assert!(selector_matches(
        Some(&sel),
        Some(&json!({"app": "a", "tier": "web"}))
    ));
    assert!(!selector_matches(
        Some(&sel),
        Some(&json!({"app": "a", "tier": "db"}))
    ));
    assert!(!selector_matches(
        Some(&sel),
        Some(&json!({"app": "a", "tier": "web", "canary": "1"}))
    ));
    assert!(!selector_matches(
        Some(&json!({})),
        Some(&json!({"app": "a"}))
    ));
    assert!(!selector_matches(None, Some(&json!({"app": "a"}))));
    assert_eq!(
        selector_query(Some(&sel)).as_deref(),
        Some("app=a,tier in (web,api),!canary")
    );
    assert_eq!(selector_query(Some(&json!({}))), None);
}

#[test]
fn unparsable_revisions_are_skipped_and_missing_ones_are_zero() {
    let d = deployment("checkout:v2.14.0", 7);
    let mut garbage = replica_set("garbage", 0, "evil:1");
    garbage["metadata"]["annotations"][REVISION_ANNOTATION] = json!("seven");
    let mut missing = replica_set("missing", 0, "old:0");
    missing["metadata"]["annotations"]
        .as_object_mut()
        .unwrap()
        .remove(REVISION_ANNOTATION);
    let set = vec![
        replica_set("checkout-7", 7, "checkout:v2.14.0"),
        garbage,
        missing,
    ];
    let (.., to, images) = patch_of(plan_undo(&d, &set, 0).unwrap());
    assert_eq!((to, images), (0, vec!["old:0".to_string()]));
}

#[test]
fn hostile_objects_are_errors_not_panics() {
    let d = deployment("checkout:v2.14.0", 7);
    // Not even objects.
    for junk in [json!(null), json!(42), json!("x"), json!([]), json!({})] {
        assert!(plan_undo(&junk, &history(), 0).is_err());
        assert!(plan_undo(&d, std::slice::from_ref(&junk), 0).is_err());
    }
    // No uid: nothing can be tied to it.
    let mut no_uid = d.clone();
    no_uid["metadata"]["uid"] = json!(null);
    assert!(
        plan_undo(&no_uid, &history(), 0)
            .unwrap_err()
            .contains("uid")
    );
    // The target has no template.
    let mut set = history();
    set[2]["spec"] = json!({"template": "nope"});
    assert!(
        plan_undo(&d, &set, 6)
            .unwrap_err()
            .contains("has no pod template")
    );
    // Annotations of the wrong shape.
    let mut set = history();
    set[2]["metadata"]["annotations"]["evil"] = json!({"nested": true});
    assert!(plan_undo(&d, &set, 6).is_err());
    // Odd selector / owner shapes: just not history.
    let mut odd = d.clone();
    odd["spec"]["selector"] = json!({"matchLabels": "app=checkout"});
    assert!(plan_undo(&odd, &history(), 0).is_err());
    let mut set = history();
    set[0]["metadata"]["ownerReferences"] = json!("me");
    set[2]["metadata"]["labels"] = json!(7);
    assert!(plan_undo(&d, &set, 0).is_err());
    // Escape sequences in a name come back cleaned.
    let mut escaped = d.clone();
    escaped["metadata"]["name"] = json!("check\u{1b}[31mout");
    let err = plan_undo(&escaped, &[], 0).unwrap_err();
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn restart_and_scale_patches() {
    assert_eq!(
        restart_patch("2026-03-01T10:00:00Z"),
        json!({"spec": {"template": {"metadata": {"annotations": {
            "kubectl.kubernetes.io/restartedAt": "2026-03-01T10:00:00Z"}}}}})
    );
    assert_eq!(scale_patch(3), json!({"spec": {"replicas": 3}}));
}
