//! The JSON bodies of Argo CD mutations, as `assets/swagger.json` names them.

use crate::model::app::AppKey;
use serde_json::{Value, json};

fn with_namespace(mut body: Value, key: &AppKey) -> Value {
    if !key.namespace.is_empty() {
        body["appNamespace"] = Value::String(key.namespace.clone());
    }
    body
}

/// `applicationApplicationRollbackRequest`: `id` is a JSON number.
pub fn rollback_body(key: &AppKey, id: i64, dry_run: bool, prune: bool) -> Value {
    with_namespace(json!({"id": id, "dryRun": dry_run, "prune": prune}), key)
}

/// `applicationApplicationSyncRequest`: no revision means the app's target revision.
pub fn sync_body(key: &AppKey, revision: Option<&str>, prune: bool, dry_run: bool) -> Value {
    let mut body = json!({"prune": prune, "dryRun": dry_run});
    if let Some(r) = revision.filter(|r| !r.is_empty()) {
        body["revision"] = Value::String(r.to_string());
    }
    with_namespace(body, key)
}

/// `applicationApplicationPatchRequest`: a JSON merge patch of `spec.syncPolicy.automated`,
/// itself sent as a string.
pub fn patch_body(key: &AppKey, automated: &Value) -> Value {
    let patch = json!({"spec": {"syncPolicy": {"automated": automated}}});
    with_namespace(
        json!({"name": key.name, "patchType": "merge", "patch": patch.to_string()}),
        key,
    )
}
