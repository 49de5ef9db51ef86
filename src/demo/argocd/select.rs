//! Query helpers: Kubernetes label selectors (`crate::selector`), Argo CD's `fields` allow-list, and the two patch
//! types `PATCH /api/v1/applications/{name}` takes (RFC 7386 merge, RFC 6902 json).

use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub use crate::selector::Selector;

/// A `fields` allow-list: dotted paths from the response root, arrays crossed transparently,
/// unknown paths ignored.
#[derive(Debug, Default)]
pub struct Fields {
    tree: BTreeMap<String, Fields>,
    never: Vec<String>,
}

impl Fields {
    /// From the `fields` query values (each comma-separated); None when none was given.
    /// `never`: paths that can not be selected (left out even under a selected parent).
    pub fn parse(values: &[String], never: &[&str]) -> Option<Fields> {
        let paths: Vec<&str> = values
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if paths.is_empty() {
            return None;
        }
        let mut root = Fields {
            never: never.iter().map(|n| n.to_string()).collect(),
            ..Fields::default()
        };
        let hidden = |p: &str| {
            never
                .iter()
                .any(|n| p == *n || p.starts_with(&format!("{n}.")))
        };
        for path in paths.into_iter().filter(|p| !hidden(p)) {
            let mut node = &mut root.tree;
            for seg in path.split('.') {
                node = &mut node.entry(seg.to_string()).or_default().tree;
            }
        }
        Some(root)
    }

    pub fn apply(&self, v: &Value) -> Value {
        let mut out = self.pick(v);
        for n in &self.never {
            remove_path(&mut out, n);
        }
        out
    }

    fn pick(&self, v: &Value) -> Value {
        match v {
            Value::Array(items) => Value::Array(items.iter().map(|i| self.pick(i)).collect()),
            Value::Object(map) if !self.tree.is_empty() => Value::Object(
                map.iter()
                    .filter_map(|(k, x)| self.tree.get(k).map(|sub| (k.clone(), sub.pick(x))))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

fn remove_path(v: &mut Value, path: &str) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| remove_path(i, path)),
        Value::Object(map) => match path.split_once('.') {
            Some((first, rest)) => {
                if let Some(x) = map.get_mut(first) {
                    remove_path(x, rest);
                }
            }
            None => {
                map.remove(path);
            }
        },
        _ => {}
    }
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(t) = target else { return };
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// RFC 6902 JSON patch: `add`, `remove`, `replace`, `test` (enough for `argocd app patch`).
pub fn json_patch(target: &mut Value, ops: &Value) -> Result<(), String> {
    let ops = ops
        .as_array()
        .ok_or("a json patch is a list of operations")?;
    for op in ops {
        let kind = op["op"].as_str().unwrap_or_default();
        let path = op["path"].as_str().ok_or("operation has no path")?;
        let (parent, last) = path
            .rsplit_once('/')
            .ok_or_else(|| format!("invalid path {path:?}"))?;
        let last = last.replace("~1", "/").replace("~0", "~");
        if kind == "test" {
            if target.pointer(path) != Some(&op["value"]) {
                return Err(format!("testing value {path} failed"));
            }
            continue;
        }
        let holder = target
            .pointer_mut(parent)
            .ok_or_else(|| format!("doc is missing path: {path:?}"))?;
        match (kind, holder) {
            ("add" | "replace", Value::Object(map)) => {
                if kind == "replace" && !map.contains_key(&last) {
                    return Err(format!(
                        "replace operation does not apply: doc is missing key: {path}"
                    ));
                }
                map.insert(last, op["value"].clone());
            }
            ("remove", Value::Object(map)) => {
                map.remove(&last).ok_or_else(|| {
                    format!("remove operation does not apply: doc is missing key: {path}")
                })?;
            }
            ("add", Value::Array(items)) => {
                let i = if last == "-" {
                    items.len()
                } else {
                    last.parse()
                        .map_err(|_| format!("invalid index {last:?}"))?
                };
                if i > items.len() {
                    return Err(format!("index out of range: {path}"));
                }
                items.insert(i, op["value"].clone());
            }
            (_, _) => return Err(format!("unsupported operation {kind:?} at {path:?}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_keep_what_is_asked_and_never_the_unselectable() {
        let v = json!({"metadata": {"resourceVersion": "3"}, "items": [
            {"metadata": {"name": "a", "labels": {"x": "1"}},
             "status": {"health": {"status": "Healthy"}, "history": [1], "reconciledAt": "t",
                        "operationState": {"phase": "Succeeded", "message": "m"}}}]});
        let never = [
            "items.status.history",
            "items.status.reconciledAt",
            "items.status.operationState.message",
        ];
        let f = Fields::parse(
            &[
                "metadata.resourceVersion,items.metadata.name".to_string(),
                "items.status.history".to_string(),
            ],
            &never,
        )
        .unwrap();
        assert_eq!(
            f.apply(&v),
            json!({"metadata": {"resourceVersion": "3"}, "items": [{"metadata": {"name": "a"}}]})
        );
        let f = Fields::parse(&["items.status".to_string()], &never).unwrap();
        assert_eq!(
            f.apply(&v)["items"][0]["status"],
            json!({"health": {"status": "Healthy"}, "operationState": {"phase": "Succeeded"}})
        );
        assert!(Fields::parse(&[], &never).is_none());
    }

    #[test]
    fn patches() {
        let mut app =
            json!({"spec": {"syncPolicy": {"automated": {"prune": true}, "syncOptions": ["A"]}}});
        merge_patch(
            &mut app,
            &json!({"spec": {"syncPolicy": {"automated": null}}}),
        );
        assert_eq!(app, json!({"spec": {"syncPolicy": {"syncOptions": ["A"]}}}));
        json_patch(&mut app, &json!([{"op": "add", "path": "/spec/syncPolicy/automated", "value": {"selfHeal": true}}])).unwrap();
        assert_eq!(
            app["spec"]["syncPolicy"]["automated"],
            json!({"selfHeal": true})
        );
        json_patch(
            &mut app,
            &json!([{"op": "remove", "path": "/spec/syncPolicy/automated"}]),
        )
        .unwrap();
        assert!(json_patch(&mut app, &json!([{"op": "remove", "path": "/spec/nope"}])).is_err());
        json_patch(
            &mut app,
            &json!([{"op": "add", "path": "/spec/syncPolicy/syncOptions/-", "value": "B"}]),
        )
        .unwrap();
        assert_eq!(app["spec"]["syncPolicy"]["syncOptions"], json!(["A", "B"]));
    }
}
