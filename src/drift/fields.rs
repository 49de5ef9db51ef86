//! Who last wrote a field, from the live object's `metadata.managedFields`: each entry's
//! `fieldsV1` is a tree of `f:<field>`, `k:{json}` (the list item whose key fields equal that
//! JSON), `v:<json>` (a set item by value), `i:<index>` and `.` (the node itself). A changed
//! path is walked against each tree alongside the live value, so `containers[name=redis]` meets
//! `k:{"name":"redis"}` and `args[2]` meets `i:2` or the `k:`/`v:` of the item at index 2.

use super::FieldWriter;
use super::paths::Seg;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};

/// More managers than this on one object is hostile; the rest are ignored.
const MAX_MANAGERS: usize = 256;
const MAX_MANAGER_CHARS: usize = 128;

/// One managedFields entry: who, and the tree of what it owns.
#[derive(Debug)]
pub struct Manager {
    pub writer: FieldWriter,
    tree: Value,
}

/// Take `metadata.managedFields` out of a live object (it is dropped from the diff anyway) and
/// read its entries. Entries without a manager or a tree are skipped.
pub fn take_managers(live: &mut Map<String, Value>) -> Vec<Manager> {
    let Some(Value::Object(meta)) = live.get_mut("metadata") else {
        return Vec::new();
    };
    let Some(Value::Array(entries)) = meta.remove("managedFields") else {
        return Vec::new();
    };
    entries
        .into_iter()
        .take(MAX_MANAGERS)
        .filter_map(|entry| {
            let Value::Object(mut entry) = entry else {
                return None;
            };
            let text = |e: &Map<String, Value>, f: &str| {
                crate::sanitize::clean_line(
                    e.get(f).and_then(Value::as_str).unwrap_or(""),
                    MAX_MANAGER_CHARS,
                )
            };
            let manager = text(&entry, "manager");
            let tree = entry.remove("fieldsV1")?;
            if manager.is_empty() || !tree.is_object() {
                return None;
            }
            Some(Manager {
                writer: FieldWriter {
                    operation: text(&entry, "operation"),
                    subresource: text(&entry, "subresource"),
                    time: entry
                        .get("time")
                        .and_then(Value::as_str)
                        .and_then(parse_time),
                    manager,
                },
                tree,
            })
        })
        .collect()
}

/// RFC 3339, or the same without a zone (taken as UTC), or a bare date; anything else is no time.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(t, format) {
            return Some(at.and_utc());
        }
    }
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

/// The last writer of `path` in `live`: among the managers whose tree contains the path (or a
/// leaf node on its way: an atomic field owned whole), the one with the newest time; a tie goes
/// to the deeper match, then to the earlier entry.
pub fn writer_of(managers: &[Manager], live: &Value, path: &[Seg]) -> Option<FieldWriter> {
    let mut best: Option<(&Manager, usize)> = None;
    for m in managers {
        let Some(depth) = owned_depth(&m.tree, live, path) else {
            continue;
        };
        let better = match best {
            None => true,
            Some((b, bd)) => (m.writer.time, depth) > (b.writer.time, bd),
        };
        if better {
            best = Some((m, depth));
        }
    }
    best.map(|(m, _)| m.writer.clone())
}

/// How deep `path` goes into `tree` when the tree owns it: the whole path, or up to a leaf (an
/// empty node: the field is owned as a whole). `None` when the tree does not own it.
fn owned_depth(tree: &Value, live: &Value, path: &[Seg]) -> Option<usize> {
    let mut node = tree;
    let mut here = Some(live);
    for (depth, seg) in path.iter().enumerate() {
        let child = match seg {
            Seg::Key(key) => {
                here = here.and_then(|v| v.get(key));
                node.get(format!("f:{key}"))
            }
            Seg::Item { field, value } => {
                let items = here.and_then(Value::as_array);
                let found = items.and_then(|items| {
                    items
                        .iter()
                        .enumerate()
                        .find(|(_, item)| item.get(*field) == Some(value))
                });
                here = found.map(|(_, item)| item);
                found.and_then(|(index, item)| item_node(node, item, index))
            }
            Seg::Index(index) => {
                let item = here.and_then(|v| v.get(*index));
                here = item;
                item.and_then(|item| item_node(node, item, *index))
            }
        };
        match child {
            Some(child) => node = child,
            None if depth > 0 && is_leaf(node) => return Some(depth),
            None => return None,
        }
    }
    (!path.is_empty()).then_some(path.len())
}

/// An empty node owns its field whole (`"f:args": {}`).
fn is_leaf(node: &Value) -> bool {
    node.as_object().is_some_and(Map::is_empty)
}

/// The child of a list node that stands for the live item at `index`: `k:{…}` whose fields all
/// equal the item's, `v:<json>` equal to the item, or `i:<index>`.
fn item_node<'t>(node: &'t Value, item: &Value, index: usize) -> Option<&'t Value> {
    let children = node.as_object()?;
    children.iter().find_map(|(name, child)| {
        let hit = if let Some(json) = name.strip_prefix("k:") {
            match serde_json::from_str::<Value>(json) {
                Ok(Value::Object(keys)) => {
                    !keys.is_empty() && keys.iter().all(|(f, v)| item.get(f) == Some(v))
                }
                _ => false,
            }
        } else if let Some(json) = name.strip_prefix("v:") {
            serde_json::from_str::<Value>(json).is_ok_and(|v| &v == item)
        } else if let Some(i) = name.strip_prefix("i:") {
            i.parse::<usize>() == Ok(index)
        } else {
            false
        };
        hit.then_some(child)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }

    /// A live Deployment with the given managedFields; returns the object without them and the
    /// managers read from them.
    fn live_with(entries: Value) -> (Value, Vec<Manager>) {
        let mut live = object(json!({
            "metadata": {"name": "web", "managedFields": entries},
            "spec": {
                "replicas": 5,
                "template": {"spec": {
                    "containers": [
                        {"name": "app", "image": "app:1", "args": ["--a", "--b", "--c"]},
                        {"name": "redis", "image": "redis:7.4"}
                    ],
                    "finalizersish": ["x", "y"]
                }}
            }
        }));
        let managers = take_managers(&mut live);
        assert!(live["metadata"].get("managedFields").is_none());
        (Value::Object(live), managers)
    }

    fn manager_of(managers: &[Manager], live: &Value, path: &[Seg]) -> Option<String> {
        writer_of(managers, live, path).map(|w| w.manager)
    }

    #[test]
    fn f_fields_name_the_owner() {
        let (live, managers) = live_with(json!([
            {"manager": "argocd-controller", "operation": "Apply", "time": "2024-05-01T10:00:00Z",
             "fieldsV1": {"f:spec": {"f:template": {}}}},
            {"manager": "kubectl-edit", "operation": "Update", "time": "2024-05-01T11:00:00Z",
             "fieldsV1": {"f:metadata": {"f:labels": {"f:x": {}}}}}
        ]));
        let path = [key("spec"), key("template"), key("spec"), key("containers")];
        // `f:template: {}` is a leaf: argocd-controller owns the template whole.
        assert_eq!(
            manager_of(&managers, &live, &path).as_deref(),
            Some("argocd-controller")
        );
        assert_eq!(manager_of(&managers, &live, &[key("data")]), None);
    }

    #[test]
    fn k_keys_match_list_items_by_their_key_fields() {
        let (live, managers) = live_with(json!([
            {"manager": "argocd-controller", "operation": "Apply", "time": "2024-05-01T10:00:00Z",
             "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                 "k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}}},
            {"manager": "kubectl-set", "operation": "Update", "time": "2024-05-01T09:00:00Z",
             "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                 "k:{\"name\":\"redis\"}": {"f:image": {}}}}}}}}
        ]));
        let containers = [key("spec"), key("template"), key("spec"), key("containers")];
        let redis_image = [
            &containers[..],
            &[
                Seg::Item {
                    field: "name",
                    value: json!("redis"),
                },
                key("image"),
            ],
        ]
        .concat();
        assert_eq!(
            manager_of(&managers, &live, &redis_image).as_deref(),
            Some("kubectl-set")
        );
        // The same item reached by index (no key field in the path).
        let by_index = [&containers[..], &[Seg::Index(1), key("image")]].concat();
        assert_eq!(
            manager_of(&managers, &live, &by_index).as_deref(),
            Some("kubectl-set")
        );
        let app_image = [&containers[..], &[Seg::Index(0), key("image")]].concat();
        assert_eq!(
            manager_of(&managers, &live, &app_image).as_deref(),
            Some("argocd-controller")
        );
    }

    #[test]
    fn v_and_i_keys_match_set_items_and_indices() {
        let (live, managers) = live_with(json!([
            {"manager": "set-writer", "operation": "Apply", "time": "2024-05-01T10:00:00Z",
             "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:finalizersish": {"v:\"y\"": {}}}}}}},
            {"manager": "index-writer", "operation": "Update", "time": "2024-05-01T10:00:00Z",
             "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                 "i:0": {"f:args": {"i:2": {}}}}}}}}}
        ]));
        let fin = |i| {
            vec![
                key("spec"),
                key("template"),
                key("spec"),
                key("finalizersish"),
                Seg::Index(i),
            ]
        };
        assert_eq!(
            manager_of(&managers, &live, &fin(1)).as_deref(),
            Some("set-writer")
        );
        assert_eq!(manager_of(&managers, &live, &fin(0)), None);
        let arg = |i| {
            vec![
                key("spec"),
                key("template"),
                key("spec"),
                key("containers"),
                Seg::Item {
                    field: "name",
                    value: json!("app"),
                },
                key("args"),
                Seg::Index(i),
            ]
        };
        assert_eq!(
            manager_of(&managers, &live, &arg(2)).as_deref(),
            Some("index-writer")
        );
        assert_eq!(manager_of(&managers, &live, &arg(1)), None);
    }

    #[test]
    fn kubectl_scale_on_the_scale_subresource_owns_replicas_over_an_older_apply() {
        let (live, managers) = live_with(json!([
            {"manager": "argocd-controller", "operation": "Apply", "time": "2024-05-01T10:00:00Z",
             "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {}}}},
            {"manager": "kubectl-scale", "operation": "Update", "subresource": "scale",
             "time": "2024-05-01T12:30:00Z", "fieldsV1": {"f:spec": {"f:replicas": {}}}},
            {"manager": "no-time", "operation": "Update", "fieldsV1": {"f:spec": {"f:replicas": {}}}}
        ]));
        let w = writer_of(&managers, &live, &[key("spec"), key("replicas")]).unwrap();
        assert_eq!(w.manager, "kubectl-scale");
        assert_eq!(w.operation, "Update");
        assert_eq!(w.subresource, "scale");
        assert_eq!(w.time, parse_time("2024-05-01T12:30:00Z"));
    }

    #[test]
    fn a_hostile_manager_name_is_cleaned_and_bad_entries_are_skipped() {
        let (live, managers) = live_with(json!([
            {"manager": "\u{1b}]52;c;ZXZpbA==\u{7}evil\u{1b}[2J\u{202e}", "operation": "Up\ndate",
             "time": "not a time", "fieldsV1": {"f:spec": {"f:replicas": {}}}},
            {"manager": "no-tree", "time": "2030-01-01T00:00:00Z"},
            {"manager": "", "fieldsV1": {"f:spec": {}}},
            {"manager": "tree-not-object", "fieldsV1": "f:spec"},
            "not an object",
            {"manager": "bad-keys", "time": "2030-01-01T00:00:00Z",
             "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                 "k:{not json": {}, "k:[1]": {}, "k:{}": {}, "v:": {}, "i:-1": {}, "i:99999999999999999999999": {}}}}}}}
        ]));
        assert_eq!(managers.len(), 2);
        let w = writer_of(&managers, &live, &[key("spec"), key("replicas")]).unwrap();
        assert_eq!(w.manager, "evil");
        assert_eq!(w.operation, "Up date");
        assert_eq!(w.time, None);
        let container = [
            key("spec"),
            key("template"),
            key("spec"),
            key("containers"),
            Seg::Index(0),
        ];
        assert_eq!(manager_of(&managers, &live, &container), None);
    }

    #[test]
    fn a_path_missing_from_the_live_object_has_no_writer() {
        let (live, managers) = live_with(json!([
            {"manager": "m", "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                 "k:{\"name\":\"ghost\"}": {}}}}}}}
        ]));
        let ghost = [
            key("spec"),
            key("template"),
            key("spec"),
            key("containers"),
            Seg::Item {
                field: "name",
                value: json!("ghost"),
            },
        ];
        assert_eq!(manager_of(&managers, &live, &ghost), None);
        assert_eq!(manager_of(&managers, &live, &[]), None);
    }

    #[test]
    fn times_are_parsed_leniently() {
        assert!(parse_time("2024-05-01T12:30:00Z").is_some());
        assert!(parse_time("2024-05-01T12:30:00.123+02:00").is_some());
        assert!(parse_time("2024-05-01T12:30:00").is_some());
        assert!(parse_time("2024-05-01").is_some());
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time(""), None);
    }
}
