//! Changed field paths from a structural walk of the two JSON values (not of the YAML text):
//! `spec.replicas`, `spec.template.spec.containers[name=redis].image`,
//! `metadata.annotations["example.com/x"]`.

use serde_json::{Map, Value};
use std::collections::HashMap;

/// One step of a path. List items are named by a key field when every item on both sides has
/// a unique one (Kubernetes' merge keys), else by index.
#[derive(Clone, Debug, PartialEq)]
pub enum Seg {
    Key(String),
    /// `[name=redis]`: the item whose `field` equals `value`.
    Item {
        field: &'static str,
        value: Value,
    },
    Index(usize),
}

/// The fields Kubernetes lists are keyed by, in the order tried.
const LIST_KEYS: [&str; 6] = ["name", "containerPort", "port", "key", "mountPath", "ip"];

/// Longest path text kept (hostile keys can be long).
const MAX_PATH_CHARS: usize = 512;

/// The paths where `left` and `right` differ, in document order (keys sorted), at most `cap`;
/// the flag says more were found.
pub fn changed_paths(left: &Value, right: &Value, cap: usize) -> (Vec<Vec<Seg>>, bool) {
    let mut walk = Walk {
        out: Vec::new(),
        cap,
        truncated: false,
        prefix: Vec::new(),
    };
    walk.value(left, right);
    (walk.out, walk.truncated)
}

struct Walk {
    out: Vec<Vec<Seg>>,
    cap: usize,
    truncated: bool,
    prefix: Vec<Seg>,
}

impl Walk {
    fn full(&self) -> bool {
        self.truncated
    }

    fn emit(&mut self) {
        if self.out.len() >= self.cap {
            self.truncated = true;
        } else {
            self.out.push(self.prefix.clone());
        }
    }

    fn with<F: FnOnce(&mut Self)>(&mut self, seg: Seg, f: F) {
        self.prefix.push(seg);
        f(self);
        self.prefix.pop();
    }

    /// Recursion is bounded: serde_json refuses input nested deeper than 128.
    fn value(&mut self, l: &Value, r: &Value) {
        if self.full() {
            return;
        }
        match (l, r) {
            (Value::Object(lm), Value::Object(rm)) => self.object(lm, rm),
            (Value::Array(la), Value::Array(ra)) => self.array(la, ra),
            // Same type and equal, or a scalar that differs, or the type differs: stop here.
            _ if l == r => {}
            _ => self.emit(),
        }
    }

    fn object(&mut self, lm: &Map<String, Value>, rm: &Map<String, Value>) {
        // Sorted union of the keys (serde_json's map is sorted: a merge walk).
        let mut keys: Vec<&String> = lm.keys().chain(rm.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            if self.full() {
                return;
            }
            match (lm.get(key), rm.get(key)) {
                (Some(lv), Some(rv)) => self.with(Seg::Key(key.clone()), |w| w.value(lv, rv)),
                _ => self.with(Seg::Key(key.clone()), Walk::emit),
            }
        }
    }

    fn array(&mut self, la: &[Value], ra: &[Value]) {
        if la == ra {
            return;
        }
        let Some(field) = list_key(la, ra) else {
            for i in 0..la.len().max(ra.len()) {
                if self.full() {
                    return;
                }
                match (la.get(i), ra.get(i)) {
                    (Some(lv), Some(rv)) => self.with(Seg::Index(i), |w| w.value(lv, rv)),
                    _ => self.with(Seg::Index(i), Walk::emit),
                }
            }
            return;
        };
        let key_of = |v: &Value| v.get(field).cloned().unwrap_or(Value::Null);
        let right_by_key: HashMap<String, &Value> =
            ra.iter().map(|v| (key_of(v).to_string(), v)).collect();
        let left_keys: std::collections::HashSet<String> =
            la.iter().map(|v| key_of(v).to_string()).collect();
        for lv in la {
            if self.full() {
                return;
            }
            let value = key_of(lv);
            let seg = Seg::Item {
                field,
                value: value.clone(),
            };
            match right_by_key.get(&value.to_string()) {
                Some(rv) => self.with(seg, |w| w.value(lv, rv)),
                None => self.with(seg, Walk::emit),
            }
        }
        for rv in ra {
            if self.full() {
                return;
            }
            let value = key_of(rv);
            if !left_keys.contains(&value.to_string()) {
                self.with(Seg::Item { field, value }, Walk::emit);
            }
        }
    }
}

/// The key field every item on both sides has (a scalar), unique on each side; `None` when no
/// field qualifies (then items are compared by index).
fn list_key(la: &[Value], ra: &[Value]) -> Option<&'static str> {
    LIST_KEYS.into_iter().find(|field| {
        [la, ra].iter().all(|side| {
            let mut seen = std::collections::HashSet::new();
            side.iter().all(|item| match item.get(field) {
                Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => {
                    seen.insert(v.to_string())
                }
                _ => false,
            })
        })
    })
}

/// A key is written bare when it is a plain word, else quoted: `["example.com/x"]`.
fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The path as text, cleaned of control characters and capped.
pub fn render(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) if is_plain(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Seg::Key(key) => {
                out.push_str("[\"");
                for c in key.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push_str("\"]");
            }
            Seg::Item { field, value } => {
                out.push('[');
                out.push_str(field);
                out.push('=');
                match value {
                    Value::String(s) if !s.contains(['[', ']']) => out.push_str(s),
                    other => out.push_str(&other.to_string()),
                }
                out.push(']');
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
        if out.len() > MAX_PATH_CHARS * 4 {
            break;
        }
    }
    crate::sanitize::clean_line(&out, MAX_PATH_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(l: Value, r: Value) -> Vec<String> {
        changed_paths(&l, &r, 200)
            .0
            .iter()
            .map(|p| render(p))
            .collect()
    }

    #[test]
    fn scalars_maps_and_one_sided_keys() {
        let l =
            json!({"spec": {"replicas": 3, "paused": false, "old": 1}, "data": {"timeout": "5s"}});
        let r =
            json!({"spec": {"replicas": 1, "paused": false, "new": 1}, "data": {"timeout": "10s"}});
        assert_eq!(
            paths(l, r),
            ["data.timeout", "spec.new", "spec.old", "spec.replicas"]
        );
    }

    #[test]
    fn containers_are_keyed_by_name() {
        let l = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "app:1"}, {"name": "redis", "image": "redis:7.2"}]}}}});
        let r = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "redis", "image": "redis:7.4"}, {"name": "app", "image": "app:1"},
            {"name": "sidecar", "image": "s"}]}}}});
        assert_eq!(
            paths(l, r),
            [
                "spec.template.spec.containers[name=redis].image",
                "spec.template.spec.containers[name=sidecar]"
            ]
        );
    }

    #[test]
    fn ports_without_names_are_keyed_by_container_port_and_others_by_index() {
        let l =
            json!({"ports": [{"containerPort": 80, "protocol": "TCP"}], "args": ["a", "b", "c"]});
        let r = json!({"ports": [{"containerPort": 80, "protocol": "UDP"}], "args": ["a", "x"]});
        assert_eq!(
            paths(l, r),
            ["args[1]", "args[2]", "ports[containerPort=80].protocol"]
        );
    }

    #[test]
    fn duplicate_names_fall_back_to_indices() {
        let l = json!({"l": [{"name": "a", "v": 1}, {"name": "a", "v": 2}]});
        let r = json!({"l": [{"name": "a", "v": 1}, {"name": "a", "v": 3}]});
        assert_eq!(paths(l, r), ["l[1].v"]);
    }

    #[test]
    fn a_type_change_stops_the_descent() {
        let l = json!({"a": {"b": 1}});
        let r = json!({"a": [1]});
        assert_eq!(paths(l, r), ["a"]);
    }

    #[test]
    fn keys_with_dots_or_brackets_are_quoted() {
        let l =
            json!({"metadata": {"annotations": {"example.com/x": "1", "a[0]": "1", "q\"": "1"}}});
        let r =
            json!({"metadata": {"annotations": {"example.com/x": "2", "a[0]": "2", "q\"": "2"}}});
        assert_eq!(
            paths(l, r),
            [
                "metadata.annotations[\"a[0]\"]",
                "metadata.annotations[\"example.com/x\"]",
                "metadata.annotations[\"q\\\"\"]"
            ]
        );
    }

    #[test]
    fn escape_sequences_in_keys_are_cleaned() {
        let l = json!({"data": {"\u{1b}[31mred\u{7}": "1"}});
        let r = json!({"data": {}});
        let p = paths(l, r);
        assert_eq!(p.len(), 1);
        assert!(!p[0].chars().any(|c| c.is_control()), "{p:?}");
    }

    #[test]
    fn paths_are_capped_with_a_flag() {
        let l = json!(
            (0..500)
                .map(|i| (format!("k{i:03}"), json!(i)))
                .collect::<Map<_, _>>()
        );
        let r = json!({});
        let (found, truncated) = changed_paths(&l, &r, 200);
        assert_eq!(found.len(), 200);
        assert!(truncated);
        let (found, truncated) = changed_paths(&l, &r, 500);
        assert_eq!(found.len(), 500);
        assert!(!truncated);
    }

    #[test]
    fn equal_values_have_no_paths() {
        let v = json!({"a": [1, {"b": null}], "c": "d"});
        assert!(paths(v.clone(), v).is_empty());
    }
}
