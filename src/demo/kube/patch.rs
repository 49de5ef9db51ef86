//! PATCH on Deployments and their `/scale`, as the API server and the deployment controller
//! answer it: JSON patch (kubectl's undo), strategic merge (restart's `restartedAt`), merge
//! patch; validation; `dryRun=All` answers the would-be object and keeps nothing. A template
//! change rolls a new (or re-used) ReplicaSet; a change of image to a version the scenario
//! knows is told to the world as a rollback by kubectl, so alerts and Argo CD follow.

use super::cluster::{API_ROLLOUT, Deployment, REVISION, version_of};
use super::status::ApiError;
use crate::demo::argocd::{json_patch, merge_patch};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    StrategicMerge,
}

impl PatchType {
    pub fn from_content_type(ct: &str) -> Result<PatchType, ApiError> {
        let base = ct.split(';').next().unwrap_or("").trim();
        match base {
            "application/json-patch+json" => Ok(PatchType::Json),
            "application/merge-patch+json" => Ok(PatchType::Merge),
            "application/strategic-merge-patch+json" => Ok(PatchType::StrategicMerge),
            other => Err(ApiError::new(
                415,
                "UnsupportedMediaType",
                format!(
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got {other:?})"
                ),
            )),
        }
    }
}

/// Lists merged by `name` under a strategic merge patch (the pod template's).
const MERGE_BY_NAME: [&str; 5] = ["containers", "initContainers", "env", "ports", "volumes"];

/// A strategic merge patch, enough for pod templates: maps merge, `null` deletes, the lists
/// above merge by `name`, other lists are replaced.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(t) = target else { return };
    for (k, v) in p {
        if k.starts_with("$") {
            continue;
        }
        if v.is_null() {
            t.remove(k);
        } else if let (true, Some(items), Some(Value::Array(existing))) = (
            MERGE_BY_NAME.contains(&k.as_str()),
            v.as_array(),
            t.get_mut(k),
        ) {
            for item in items {
                match existing
                    .iter_mut()
                    .find(|e| e.get("name").is_some() && e.get("name") == item.get("name"))
                {
                    Some(e) => strategic_merge(e, item),
                    None => existing.push(item.clone()),
                }
            }
        } else {
            strategic_merge(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

pub fn apply(kind: PatchType, target: &mut Value, patch: &Value) -> Result<(), ApiError> {
    match kind {
        PatchType::Json => json_patch(target, patch).map_err(|e| ApiError::new(422, "Invalid", e)),
        PatchType::Merge => {
            merge_patch(target, patch);
            Ok(())
        }
        PatchType::StrategicMerge => {
            strategic_merge(target, patch);
            Ok(())
        }
    }
}

fn string_map(v: &Value, field: &str, name: &str) -> Result<BTreeMap<String, String>, ApiError> {
    match v {
        Value::Null => Ok(BTreeMap::new()),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v.as_str() {
                Some(s) => Ok((k.clone(), s.to_string())),
                None => Err(ApiError::new(
                    400,
                    "BadRequest",
                    format!("Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal {} into Go struct field ObjectMeta.{field} of type string", json_type(v)),
                )),
            })
            .collect(),
        other => Err(ApiError::invalid("Deployment", "apps", name, &[(field, format!("Invalid value: {}", json_type(other)))])),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Check a patched Deployment the way the API server's validation does.
pub fn validate(before: &Deployment, after: &Value) -> Result<(), ApiError> {
    let name = before.name.as_str();
    let mut causes: Vec<(&str, String)> = Vec::new();
    match after.pointer("/spec/replicas") {
        Some(Value::Number(n)) if n.as_i64().is_some_and(|r| r >= 0) => {}
        Some(v) => causes.push((
            "spec.replicas",
            format!("Invalid value: {v}: must be greater than or equal to 0"),
        )),
        None => {}
    }
    if after.pointer("/spec/selector") != before.spec.get("selector") {
        causes.push((
            "spec.selector",
            format!(
                "Invalid value: {}: field is immutable",
                after.pointer("/spec/selector").unwrap_or(&Value::Null)
            ),
        ));
    }
    let containers = after
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array);
    match containers {
        Some(cs) if !cs.is_empty() => {
            for c in cs {
                if c["name"].as_str().is_none_or(str::is_empty) {
                    causes.push((
                        "spec.template.spec.containers[0].name",
                        "Required value".to_string(),
                    ));
                }
                if c["image"].as_str().is_none_or(str::is_empty) {
                    causes.push((
                        "spec.template.spec.containers[0].image",
                        "Required value".to_string(),
                    ));
                }
            }
        }
        _ => causes.push((
            "spec.template.spec.containers",
            "Required value".to_string(),
        )),
    }
    let wanted = after
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object);
    let labels = after.pointer("/spec/template/metadata/labels");
    if let Some(wanted) = wanted
        && !wanted
            .iter()
            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
    {
        causes.push((
            "spec.template.metadata.labels",
            format!(
                "Invalid value: {}: `selector` does not match template `labels`",
                labels.unwrap_or(&Value::Null)
            ),
        ));
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid("Deployment", "apps", name, &causes))
    }
}

/// Apply a patched object to a Deployment as the API server stores it and the controller
/// reacts. Returns whether a new revision rolled.
pub fn update(
    dep: &mut Deployment,
    after: &Value,
    at: crate::demo::clock::Offset,
) -> Result<bool, ApiError> {
    validate(dep, after)?;
    let revision = dep.annotations.get(REVISION).cloned();
    let labels = string_map(&after["metadata"]["labels"], "labels", &dep.name)?;
    let annotations = string_map(&after["metadata"]["annotations"], "annotations", &dep.name)?;
    let mut spec = after["spec"].clone();
    let template = spec["template"].take();
    spec["template"] = dep.spec["template"].clone();
    let spec_changed = spec != dep.spec || template != dep.spec["template"];
    dep.labels = labels;
    dep.annotations = annotations;
    // The revision annotation is the controller's.
    match revision {
        Some(r) => dep.annotations.insert(REVISION.to_string(), r),
        None => dep.annotations.remove(REVISION),
    };
    dep.spec = spec;
    let rolled = dep.roll(&template, at, API_ROLLOUT, 0);
    if spec_changed {
        dep.generation += 1;
    }
    Ok(rolled)
}

/// The image version a roll moved to, when it changed.
pub fn new_version(before: &Deployment, after: &Deployment) -> Option<String> {
    let old = version_of(&before.spec["template"]);
    let new = version_of(&after.spec["template"]);
    (new != old).then_some(new).flatten()
}

/// `deployments/{name}/scale` as `autoscaling/v1` `Scale`.
pub fn scale_object(deployment: &Value) -> Value {
    let meta = &deployment["metadata"];
    let selector = deployment
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
                     "resourceVersion": meta["resourceVersion"], "creationTimestamp": meta["creationTimestamp"]},
        "spec": {"replicas": deployment.pointer("/spec/replicas").cloned().unwrap_or(json!(0))},
        "status": {"replicas": deployment.pointer("/status/replicas").cloned().unwrap_or(json!(0)), "selector": selector},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let mut t = json!({"spec": {"containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}]}});
        strategic_merge(
            &mut t,
            &json!({"spec": {"containers": [{"name": "b", "image": "y:2"}]}}),
        );
        assert_eq!(t["spec"]["containers"][0]["image"], "x:1");
        assert_eq!(t["spec"]["containers"][1]["image"], "y:2");
    }
}
