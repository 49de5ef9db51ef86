//! `kubectl rollout undo` and `kubectl rollout restart` on the wire objects (JSON as the API
//! returns them), so the patch sitrep sends is the one kubectl would send. The effect client
//! (`sources::kube::actions`) reads the Deployment and its ReplicaSets fresh, plans here, then
//! dry-runs and applies the plan.
//!
//! Semantics (kubectl `pkg/polymorphichelpers/rollback.go`): to revision 0 = the ReplicaSet
//! with the second-highest revision; "no rollout history found" without one; refuse a paused
//! Deployment; "skipped rollback" when the templates already match (ignoring
//! `pod-template-hash`); the target's template without the `pod-template-hash` label; the
//! Deployment keeps only kubectl's annotations (`last-applied-configuration`, the revision
//! annotations…) and takes the ReplicaSet's others; one JSON patch replacing `/spec/template`
//! and `/metadata/annotations`. The checks run in kubectl's order (history first, then paused).
//!
//! Objects are outside data: a missing or odd field is an `Err` with a readable reason, never
//! a panic.

use serde_json::{Map, Value, json};

/// The label the Deployment controller adds to a ReplicaSet's template (never in the
/// Deployment's own template).
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";
/// A ReplicaSet's (and its Deployment's) revision.
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
/// The annotation `kubectl rollout restart` sets on the pod template.
pub const RESTARTED_AT_ANNOTATION: &str = "kubectl.kubernetes.io/restartedAt";

/// kubectl's `annotationsToSkip`: kept from the Deployment, never copied from the ReplicaSet.
pub const ANNOTATIONS_KEPT_FROM_DEPLOYMENT: [&str; 6] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION_ANNOTATION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// What an undo will do.
#[derive(Clone, Debug, PartialEq)]
pub enum UndoPlan {
    /// Send `patch` (a JSON patch) to the Deployment.
    Patch {
        patch: Value,
        from_revision: Option<i64>,
        to_revision: i64,
        /// The images the target revision runs.
        images: Vec<String>,
    },
    /// The current template already is the target's: nothing to send
    /// ("skipped rollback (current template already matches revision N)").
    Skipped {
        from_revision: Option<i64>,
        to_revision: i64,
        images: Vec<String>,
    },
}

impl UndoPlan {
    /// The Deployment's revision when planned.
    pub fn from_revision(&self) -> Option<i64> {
        match self {
            UndoPlan::Patch { from_revision, .. } | UndoPlan::Skipped { from_revision, .. } => {
                *from_revision
            }
        }
    }
}

/// kubectl's words for a skipped undo (with the revision actually chosen, where kubectl
/// prints the `--to-revision` argument, 0 for "previous").
pub fn skipped_message(to_revision: i64) -> String {
    format!("skipped rollback (current template already matches revision {to_revision})")
}

/// Plan `kubectl rollout undo --to-revision=to_revision` (0 = previous) of `deployment` given
/// the namespace's ReplicaSets. `Err` carries kubectl's words ("you cannot rollback a paused
/// deployment…", "no rollout history found…", "unable to find specified revision N in
/// history") or says which field of which object is unusable.
pub fn plan_undo(
    deployment: &Value,
    replica_sets: &[Value],
    to_revision: i64,
) -> Result<UndoPlan, String> {
    if to_revision < 0 {
        return Err(revision_not_found(to_revision));
    }
    let name = str_at(deployment, "/metadata/name")
        .filter(|n| !n.is_empty())
        .ok_or("the Deployment has no metadata.name")?;
    let name = crate::sanitize::value(name);
    let uid = str_at(deployment, "/metadata/uid")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| format!("deployment {name:?} has no metadata.uid"))?;
    let selector = deployment.pointer("/spec/selector");

    let target = choose_revision(replica_sets, uid, selector, to_revision, &name)?;
    let (target_revision, rs) = target;

    if deployment.pointer("/spec/paused") == Some(&Value::Bool(true)) {
        return Err(format!(
            "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/{name}' and try again"
        ));
    }

    let rs_name = crate::sanitize::value(str_at(rs, "/metadata/name").unwrap_or("?"));
    let mut template = match rs.pointer("/spec/template") {
        Some(t @ Value::Object(_)) => t.clone(),
        _ => {
            return Err(format!(
                "replicaset {rs_name:?} (revision {target_revision}) has no pod template"
            ));
        }
    };
    let from_revision = revision_of(deployment).ok().flatten();
    let images = template_images(&template);
    let current = deployment.pointer("/spec/template").unwrap_or(&Value::Null);
    if equal_ignore_hash(&template, current) {
        return Ok(UndoPlan::Skipped {
            from_revision,
            to_revision: target_revision,
            images,
        });
    }

    // Remove the hash label before patching the template back into the Deployment.
    if let Some(Value::Object(labels)) = template.pointer_mut("/metadata/labels") {
        labels.remove(POD_TEMPLATE_HASH);
    }
    let annotations = undo_annotations(deployment, rs, &rs_name)?;
    let patch = json!([
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]);
    Ok(UndoPlan::Patch {
        patch,
        from_revision,
        to_revision: target_revision,
        images,
    })
}

/// kubectl's `deploymentRevision`: among the ReplicaSets the Deployment controls and selects,
/// the one with `to_revision`, or (0) the second-highest. Ties and order follow kubectl's loop.
fn choose_revision<'a>(
    replica_sets: &'a [Value],
    uid: &str,
    selector: Option<&Value>,
    to_revision: i64,
    name: &str,
) -> Result<(i64, &'a Value), String> {
    let mut latest: Option<(i64, &Value)> = None;
    let mut previous: Option<(i64, &Value)> = None;
    for rs in replica_sets {
        if !is_controlled_by(rs, uid) || !selector_matches(selector, rs.pointer("/metadata/labels"))
        {
            continue;
        }
        // kubectl skips a ReplicaSet whose revision does not parse; a missing one is 0.
        let Ok(revision) = revision_of(rs).map(|r| r.unwrap_or(0)) else {
            continue;
        };
        if to_revision == 0 {
            let latest_rev = latest.map_or(-1, |(r, _)| r);
            let previous_rev = previous.map_or(-1, |(r, _)| r);
            if latest_rev < revision {
                previous = latest;
                latest = Some((revision, rs));
            } else if previous_rev < revision {
                previous = Some((revision, rs));
            }
        } else if revision == to_revision {
            return Ok((revision, rs));
        }
    }
    if to_revision > 0 {
        return Err(revision_not_found(to_revision));
    }
    previous.ok_or_else(|| format!("no rollout history found for deployment {name:?}"))
}

fn revision_not_found(revision: i64) -> String {
    format!("unable to find specified revision {revision} in history")
}

/// `deployment.kubernetes.io/revision` of an object: `Ok(None)` when absent, `Err` when it
/// is not a number.
pub fn revision_of(object: &Value) -> Result<Option<i64>, String> {
    let not_a_number = || format!("{REVISION_ANNOTATION} is not a number");
    match object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION_ANNOTATION))
    {
        None => Ok(None),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| not_a_number()),
        Some(_) => Err(not_a_number()),
    }
}

/// `metav1.IsControlledBy`: the ReplicaSet's controller ownerReference has the Deployment's uid.
fn is_controlled_by(rs: &Value, uid: &str) -> bool {
    let Some(Value::Array(owners)) = rs.pointer("/metadata/ownerReferences") else {
        return false;
    };
    owners
        .iter()
        .find(|o| o.get("controller") == Some(&Value::Bool(true)))
        .and_then(|o| o.get("uid"))
        .and_then(Value::as_str)
        == Some(uid)
}

/// Does a wire `LabelSelector` select `labels`? A missing, empty or malformed selector
/// selects nothing: sitrep never undoes from ReplicaSets it cannot tie to the Deployment.
pub fn selector_matches(selector: Option<&Value>, labels: Option<&Value>) -> bool {
    let Some(Value::Object(selector)) = selector else {
        return false;
    };
    let empty = Map::new();
    let labels = match labels {
        Some(Value::Object(l)) => l,
        _ => &empty,
    };
    let label = |k: &str| labels.get(k).and_then(Value::as_str);
    let match_labels = match selector.get("matchLabels") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return false,
    };
    let expressions: &[Value] = match selector.get("matchExpressions") {
        None | Some(Value::Null) => &[],
        Some(Value::Array(e)) => e,
        Some(_) => return false,
    };
    if match_labels.is_empty() && expressions.is_empty() {
        return false;
    }
    let labels_ok = match_labels
        .iter()
        .all(|(k, v)| v.as_str().is_some_and(|v| label(k) == Some(v)));
    let expressions_ok = expressions.iter().all(|e| {
        let Some(key) = e.get("key").and_then(Value::as_str) else {
            return false;
        };
        let values: Vec<&str> = match e.get("values") {
            Some(Value::Array(v)) => v.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let have = label(key);
        match e.get("operator").and_then(Value::as_str) {
            Some("In") => have.is_some_and(|h| values.contains(&h)),
            Some("NotIn") => have.is_none_or(|h| !values.contains(&h)),
            Some("Exists") => have.is_some(),
            Some("DoesNotExist") => have.is_none(),
            _ => false,
        }
    });
    labels_ok && expressions_ok
}

/// The selector as a `labelSelector` query value (`app=checkout,tier in (web,api)`), for
/// listing the ReplicaSets; `None` when it has nothing usable (the list is then not sent).
pub fn selector_query(selector: Option<&Value>) -> Option<String> {
    let Some(Value::Object(selector)) = selector else {
        return None;
    };
    let mut parts = Vec::new();
    if let Some(Value::Object(m)) = selector.get("matchLabels") {
        for (k, v) in m {
            parts.push(format!("{k}={}", v.as_str()?));
        }
    }
    if let Some(Value::Array(expressions)) = selector.get("matchExpressions") {
        for e in expressions {
            let key = e.get("key")?.as_str()?;
            let values = || -> Option<String> {
                let v: Option<Vec<&str>> = e
                    .get("values")?
                    .as_array()?
                    .iter()
                    .map(Value::as_str)
                    .collect();
                Some(v?.join(","))
            };
            parts.push(match e.get("operator")?.as_str()? {
                "In" => format!("{key} in ({})", values()?),
                "NotIn" => format!("{key} notin ({})", values()?),
                "Exists" => key.to_string(),
                "DoesNotExist" => format!("!{key}"),
                _ => return None,
            });
        }
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

/// The annotations the Deployment ends with: kubectl's kept ones from the Deployment, then
/// every other annotation of the ReplicaSet.
fn undo_annotations(deployment: &Value, rs: &Value, rs_name: &str) -> Result<Value, String> {
    let mut out = Map::new();
    if let Some(Value::Object(current)) = deployment.pointer("/metadata/annotations") {
        for key in ANNOTATIONS_KEPT_FROM_DEPLOYMENT {
            if let Some(v @ Value::String(_)) = current.get(key) {
                out.insert(key.to_string(), v.clone());
            }
        }
    }
    match rs.pointer("/metadata/annotations") {
        None | Some(Value::Null) => {}
        Some(Value::Object(theirs)) => {
            for (k, v) in theirs {
                if ANNOTATIONS_KEPT_FROM_DEPLOYMENT.contains(&k.as_str()) {
                    continue;
                }
                if !v.is_string() {
                    return Err(format!(
                        "replicaset {rs_name:?} has an annotation that is not a string: {:?}",
                        crate::sanitize::clean_line(k, 200)
                    ));
                }
                out.insert(k.clone(), v.clone());
            }
        }
        Some(_) => {
            return Err(format!(
                "replicaset {rs_name:?} has annotations that are not a map"
            ));
        }
    }
    Ok(Value::Object(out))
}

/// kubectl's `equalIgnoreHash`: the templates are semantically equal once the
/// `pod-template-hash` label is gone. Like apimachinery's semantic equality, a missing field,
/// `null`, `""`, `{}` and `[]` are all the same (the typed objects cannot tell them apart).
pub fn equal_ignore_hash(a: &Value, b: &Value) -> bool {
    let strip = |t: &Value| {
        let mut t = t.clone();
        if let Some(Value::Object(labels)) = t.pointer_mut("/metadata/labels") {
            labels.remove(POD_TEMPLATE_HASH);
        }
        normalize(&t)
    };
    strip(a) == strip(b)
}

/// Drop the zero-ish values Go's typed decoding could not tell from absent ones.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// The images of a pod template's containers, in order (init containers excluded), cleaned.
pub fn template_images(template: &Value) -> Vec<String> {
    match template.pointer("/spec/containers") {
        Some(Value::Array(containers)) => containers
            .iter()
            .filter_map(|c| c.get("image").and_then(Value::as_str))
            .map(|i| crate::sanitize::clean_line(i, 512))
            .collect(),
        _ => Vec::new(),
    }
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The strategic-merge patch of `kubectl rollout restart` at `now` (RFC 3339).
pub fn restart_patch(now: &str) -> Value {
    json!({
        "spec": {"template": {"metadata": {"annotations": {
            RESTARTED_AT_ANNOTATION: now
        }}}}
    })
}

/// The merge patch of `kubectl scale --replicas=N`, sent to the `/scale` subresource.
pub fn scale_patch(replicas: i32) -> Value {
    json!({"spec": {"replicas": replicas}})
}

#[cfg(test)]
mod tests;
