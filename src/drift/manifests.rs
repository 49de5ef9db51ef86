//! What a deploy changed: two revisions' rendered manifests (`…/manifests?revision=`, each one
//! JSON object as text), paired by (API group, kind, namespace, name) and diffed like live
//! drift (same noise dropped, same Secret masking; no field writers: manifests have none).

use super::diff::{Identity, diff_objects};
use super::state::{self, State};
use super::{ResourceChange, ResourceDiff};
use serde_json::{Map, Value};
use std::collections::HashMap;

type Key = (String, String, String, String);

struct Parsed {
    id: Identity,
    obj: Map<String, Value>,
}

impl Parsed {
    fn key(&self) -> Key {
        (
            self.id.group.clone(),
            self.id.kind.clone(),
            self.id.namespace.clone(),
            self.id.name.clone(),
        )
    }
}

/// Parse one side; unreadable manifests are skipped and said in `problems`.
fn parse_side(side: &str, manifests: &[String], problems: &mut Vec<String>) -> Vec<Parsed> {
    let mut out: Vec<Parsed> = Vec::with_capacity(manifests.len());
    let mut seen = std::collections::HashSet::new();
    for (i, text) in manifests.iter().enumerate() {
        let obj = match state::parse_state(text) {
            State::Object(obj) => obj,
            State::Absent => continue,
            State::Unreadable(why) => {
                problems.push(format!("{side} manifest #{} {why}", i + 1));
                continue;
            }
        };
        let id = Identity::new(
            state::api_group(state::str_field(&obj, "apiVersion")),
            state::str_field(&obj, "kind"),
            state::meta_field(&obj, "namespace"),
            state::meta_field(&obj, "name"),
        );
        let parsed = Parsed { id, obj };
        // Two manifests of one resource: Argo CD would refuse to sync; keep the first.
        if !seen.insert(parsed.key()) {
            problems.push(format!(
                "{side} manifest #{} repeats {} {}",
                i + 1,
                parsed.id.kind,
                parsed.id.name
            ));
            continue;
        }
        out.push(parsed);
    }
    out
}

/// Most problems named in the synthetic entry's note.
const MAX_PROBLEMS_NAMED: usize = 10;

/// Modified and added resources in the after-order, then removed ones in the before-order;
/// resources equal on both sides (after dropping noise) are left out. Unreadable manifests are
/// skipped and named in the note of one synthetic entry at the end.
pub fn diff_manifests(before: &[String], after: &[String]) -> Vec<ResourceDiff> {
    let mut problems = Vec::new();
    let mut before: Vec<Option<Parsed>> = parse_side("before", before, &mut problems)
        .into_iter()
        .map(Some)
        .collect();
    let after = parse_side("after", after, &mut problems);
    let index: HashMap<Key, usize> = before
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.as_ref().map(|p| (p.key(), i)))
        .collect();

    let mut out = Vec::new();
    for new in after {
        let old = index
            .get(&new.key())
            .and_then(|&i| before.get_mut(i))
            .and_then(Option::take);
        match old {
            Some(old) => {
                let (mut o, mut n) = (old.obj, new.obj);
                state::strip_noise(&mut o);
                state::strip_noise(&mut n);
                if o != n {
                    out.push(diff_objects(
                        new.id,
                        ResourceChange::Modified,
                        Some(o),
                        Some(n),
                        &[],
                    ));
                }
            }
            None => out.push(diff_objects(
                new.id,
                ResourceChange::Added,
                None,
                Some(new.obj),
                &[],
            )),
        }
    }
    for old in before.into_iter().flatten() {
        out.push(diff_objects(
            old.id,
            ResourceChange::Removed,
            Some(old.obj),
            None,
            &[],
        ));
    }
    if !problems.is_empty() {
        let mut note = problems
            .iter()
            .take(MAX_PROBLEMS_NAMED)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        if problems.len() > MAX_PROBLEMS_NAMED {
            note.push_str(&format!("; {} more", problems.len() - MAX_PROBLEMS_NAMED));
        }
        let id = Identity::new("", "", "", "(unreadable manifests)");
        out.push(id.empty(ResourceChange::Modified, Some(format!("skipped: {note}"))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::LineKind;
    use serde_json::json;

    fn m(v: Value) -> String {
        v.to_string()
    }

    fn deployment(name: &str, image: &str) -> String {
        m(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}}))
    }

    #[test]
    fn pairs_are_diffed_and_the_rest_added_or_removed() {
        let before = vec![
            deployment("web", "web:1"),
            deployment("same", "s:1"),
            deployment("gone", "g:1"),
        ];
        let after = vec![
            deployment("same", "s:1"),
            deployment("web", "web:2"),
            deployment("new", "n:1"),
        ];
        let diffs = diff_manifests(&before, &after);
        let summary: Vec<_> = diffs
            .iter()
            .map(|d| (d.name.as_str(), d.change, d.group.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("web", ResourceChange::Modified, "apps"),
                ("new", ResourceChange::Added, "apps"),
                ("gone", ResourceChange::Removed, "apps"),
            ]
        );
        assert_eq!(
            diffs[0].paths[0].path,
            "spec.template.spec.containers[name=app].image"
        );
        assert_eq!(diffs[0].paths[0].writer, None);
        assert_eq!((diffs[0].added, diffs[0].removed), (1, 1));
        assert!(
            diffs[1].lines[1..]
                .iter()
                .all(|l| l.kind == LineKind::Added)
        );
        assert!(
            diffs[2].lines[1..]
                .iter()
                .all(|l| l.kind == LineKind::Removed)
        );
    }

    #[test]
    fn the_same_name_in_another_kind_or_namespace_is_another_resource() {
        let before = vec![m(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "web", "namespace": "shop"}, "data": {"a": "1"}}))];
        let after = vec![m(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "web", "namespace": "other"}, "data": {"a": "1"}}))];
        let diffs = diff_manifests(&before, &after);
        assert_eq!(diffs.len(), 2);
        assert_eq!(diffs[0].change, ResourceChange::Added);
        assert_eq!(diffs[1].change, ResourceChange::Removed);
    }

    #[test]
    fn invalid_manifests_are_skipped_with_a_note_on_a_synthetic_entry() {
        let before = vec!["{oops".to_string(), deployment("web", "web:1")];
        let after = vec![
            "[1]".to_string(),
            "7".to_string(),
            deployment("web", "web:2"),
            deployment("web", "web:3"),
            "null".to_string(),
        ];
        let diffs = diff_manifests(&before, &after);
        assert_eq!(diffs.len(), 2);
        assert_eq!(diffs[0].name, "web");
        let last = diffs.last().unwrap();
        assert_eq!(last.name, "(unreadable manifests)");
        assert_eq!(
            last.note.as_deref(),
            Some(
                "skipped: before manifest #1 is not valid JSON; after manifest #1 is not a \
                 JSON object; after manifest #2 is not a JSON object; after manifest #4 repeats \
                 Deployment web"
            )
        );
    }

    #[test]
    fn secrets_in_manifests_are_masked() {
        let secret = |v: &str| {
            m(
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                "stringData": {"password": v, "user": "app"}}),
            )
        };
        let diffs = diff_manifests(&[secret("old-pa55word")], &[secret("new-pa55word")]);
        let shown = format!("{diffs:?}{}", serde_json::to_string(&diffs).unwrap());
        assert!(!shown.contains("pa55word"), "{shown}");
        assert!(diffs[0].masked);
        assert_eq!(diffs[0].paths[0].path, "stringData.password");
    }

    #[test]
    fn no_manifests_no_diffs() {
        assert!(diff_manifests(&[], &[]).is_empty());
    }
}
