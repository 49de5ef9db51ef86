//! Secret values never leave this module: every value under a Secret's `data` and `stringData`
//! is replaced before any text is produced, whatever the server sent (Argo CD's `++++` masks or,
//! from a misconfigured or hostile server, the plaintext). Only which keys changed survives.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// A value that is the same on both sides, and the old (live, before) side of a changed one.
pub const HIDDEN: &str = "<hidden>";
/// The new (desired, after) side of a value that differs: the masks differ, so the line diff
/// and the changed paths show the key, never the value.
pub const HIDDEN_CHANGED: &str = "<hidden, changed>";

const SECRET_FIELDS: [&str; 2] = ["data", "stringData"];

/// Is this a Secret? The item's own kind, or either object's. Any group: masking a
/// look-alike kind costs nothing, missing a Secret leaks it.
pub fn is_secret(
    kind_hint: &str,
    live: Option<&Map<String, Value>>,
    desired: Option<&Map<String, Value>>,
) -> bool {
    kind_hint == "Secret"
        || [live, desired]
            .into_iter()
            .flatten()
            .any(|o| o.get("kind").and_then(Value::as_str) == Some("Secret"))
}

/// Replace every value under `data` and `stringData` on both sides: equal values get the same
/// mask, different ones masks that differ, so the diff and the paths show which keys changed
/// and never a value. `old` is the live (or before) side, `new` the desired (or after) side.
pub fn mask_pair(old: Option<&mut Map<String, Value>>, new: Option<&mut Map<String, Value>>) {
    let (mut old, mut new) = (old, new);
    for field in SECRET_FIELDS {
        let l = old.as_deref().and_then(|o| o.get(field));
        let r = new.as_deref().and_then(|o| o.get(field));
        let plan = plan(l, r);
        if let Some(o) = old.as_deref_mut() {
            apply(o, field, &plan, false);
        }
        if let Some(o) = new.as_deref_mut() {
            apply(o, field, &plan, true);
        }
    }
}

/// Which keys (or the whole field) changed; decided before anything is overwritten.
enum Plan {
    /// The field is a map on every side where it exists: these keys differ.
    Keys(BTreeSet<String>),
    /// The field is something else (hostile): mask it whole; did it differ?
    Whole(bool),
}

/// `Some(None)` for an absent field, `Some(Some(map))` for a map, `None` for anything else.
fn as_map(v: Option<&Value>) -> Option<Option<&Map<String, Value>>> {
    match v {
        None => Some(None),
        Some(Value::Object(m)) => Some(Some(m)),
        Some(_) => None,
    }
}

fn plan(l: Option<&Value>, r: Option<&Value>) -> Plan {
    match (as_map(l), as_map(r)) {
        (Some(lm), Some(rm)) => {
            let mut changed = BTreeSet::new();
            for (key, value) in lm.into_iter().flatten() {
                if rm.and_then(|rm| rm.get(key)) != Some(value) {
                    changed.insert(key.clone());
                }
            }
            for (key, value) in rm.into_iter().flatten() {
                if lm.and_then(|lm| lm.get(key)) != Some(value) {
                    changed.insert(key.clone());
                }
            }
            Plan::Keys(changed)
        }
        _ => Plan::Whole(l != r),
    }
}

fn apply(obj: &mut Map<String, Value>, field: &str, plan: &Plan, new_side: bool) {
    let mask = |changed: bool| {
        Value::String(
            if changed && new_side {
                HIDDEN_CHANGED
            } else {
                HIDDEN
            }
            .to_string(),
        )
    };
    let Some(value) = obj.get_mut(field) else {
        return;
    };
    match (plan, value) {
        (Plan::Keys(changed), Value::Object(map)) => {
            for (key, v) in map.iter_mut() {
                *v = mask(changed.contains(key));
            }
        }
        (Plan::Whole(changed), v) => *v = mask(*changed),
        // A plan of keys is only made when both sides are maps or absent.
        (Plan::Keys(_), v) => *v = mask(true),
    }
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

    #[test]
    fn equal_values_share_a_mask_and_changed_ones_differ() {
        let mut live = object(
            json!({"kind": "Secret", "data": {"a": "c2VjcmV0", "b": "eA==", "gone": "x"},
            "stringData": {"s": "plain"}}),
        );
        let mut desired = object(
            json!({"kind": "Secret", "data": {"a": "c2VjcmV0", "b": "eQ==", "new": "y"},
            "stringData": {"s": "plain"}}),
        );
        mask_pair(Some(&mut live), Some(&mut desired));
        assert_eq!(
            live["data"],
            json!({"a": HIDDEN, "b": HIDDEN, "gone": HIDDEN})
        );
        assert_eq!(
            desired["data"],
            json!({"a": HIDDEN, "b": HIDDEN_CHANGED, "new": HIDDEN_CHANGED})
        );
        assert_eq!(live["stringData"], json!({"s": HIDDEN}));
    }

    #[test]
    fn argo_cd_plus_masks_of_different_lengths_are_masked_as_changed() {
        let mut live = object(json!({"data": {"p": "++++++++"}}));
        let mut desired = object(json!({"data": {"p": "+++++++++++"}}));
        mask_pair(Some(&mut live), Some(&mut desired));
        assert_eq!(live["data"]["p"], json!(HIDDEN));
        assert_eq!(desired["data"]["p"], json!(HIDDEN_CHANGED));
        // Equal masks stay equal.
        let mut live = object(json!({"data": {"p": "++++"}}));
        let mut desired = object(json!({"data": {"p": "++++"}}));
        mask_pair(Some(&mut live), Some(&mut desired));
        assert_eq!(live, desired);
    }

    #[test]
    fn a_hostile_non_map_data_field_is_masked_whole() {
        let mut live = object(json!({"data": "hunter2", "stringData": ["hunter2"]}));
        let mut desired = object(json!({"data": "hunter3", "stringData": ["hunter2"]}));
        mask_pair(Some(&mut live), Some(&mut desired));
        assert_eq!(live["data"], json!(HIDDEN));
        assert_eq!(desired["data"], json!(HIDDEN_CHANGED));
        assert_eq!(desired["stringData"], json!(HIDDEN));
        let mut desired = object(json!({"data": {"k": {"nested": "hunter2"}}}));
        mask_pair(None, Some(&mut desired));
        assert_eq!(desired["data"], json!({"k": HIDDEN_CHANGED}));
    }

    #[test]
    fn secrets_are_recognised_by_hint_or_by_either_side() {
        let s = object(json!({"kind": "Secret"}));
        let d = object(json!({"kind": "Deployment"}));
        assert!(is_secret("Secret", None, None));
        assert!(is_secret("", Some(&d), Some(&s)));
        assert!(!is_secret("ConfigMap", Some(&d), None));
    }
}
