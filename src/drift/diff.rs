//! Diffing resources the way Argo CD compares them: normalized live vs predicted live state,
//! rendered as YAML, unified diff, changed field paths attributed from `managedFields`, Secret
//! values masked whatever the server sent.
//!
//! The pieces: [`super::state`] reads a state string, [`super::secret`] masks, [`super::yaml`]
//! renders and diffs lines, [`super::paths`] finds changed paths, [`super::fields`] attributes
//! them, [`super::manifests`] pairs a deploy's manifests. Only the result is kept: the parsed
//! states are dropped when a diff returns.

use super::fields::{self, Manager};
use super::state::{self, State};
use super::yaml::{self, Lines};
use super::{
    AppDrift, ChangedPath, DiffLine, LineKind, ManagedItem, ResourceChange, ResourceDiff, paths,
    secret,
};
use crate::model::app::AppKey;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// Changed paths kept per resource.
pub const MAX_PATHS: usize = 200;
/// Kubernetes names are at most 253 characters; anything longer is hostile.
const MAX_NAME_CHARS: usize = 253;

/// Which resource a diff is about, cleaned.
#[derive(Clone, Debug, Default)]
pub(super) struct Identity {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl Identity {
    pub(super) fn new(group: &str, kind: &str, namespace: &str, name: &str) -> Self {
        let clean = |s: &str| crate::sanitize::clean_line(s, MAX_NAME_CHARS);
        Identity {
            group: clean(group),
            kind: clean(kind),
            namespace: clean(namespace),
            name: clean(name),
        }
    }

    /// A diff with nothing in it yet.
    pub(super) fn empty(self, change: ResourceChange, note: Option<String>) -> ResourceDiff {
        ResourceDiff {
            group: self.group,
            kind: self.kind,
            namespace: self.namespace,
            name: self.name,
            change,
            lines: Vec::new(),
            hunks: Vec::new(),
            added: 0,
            removed: 0,
            paths: Vec::new(),
            masked: false,
            note,
        }
    }
}

/// The preferred state unless it is absent.
fn prefer<'a>(preferred: &'a str, fallback: &'a str) -> &'a str {
    if state::is_absent(preferred) {
        fallback
    } else {
        preferred
    }
}

/// Diff one `managed-resources` item. Never panics on any input; a state that cannot be read
/// is said in `note`.
pub fn diff_managed_item(item: &ManagedItem) -> ResourceDiff {
    let id = Identity::new(&item.group, &item.kind, &item.namespace, &item.name);
    let live_text = prefer(&item.normalized_live_state, &item.live_state);
    let desired_text = prefer(&item.predicted_live_state, &item.target_state);
    let live = state::parse_state(live_text);
    let desired = state::parse_state(desired_text);
    let change = match (&live, &desired) {
        (State::Absent, State::Absent) => {
            return id.empty(
                ResourceChange::Modified,
                Some("both states are absent".into()),
            );
        }
        (State::Absent, _) => ResourceChange::Missing,
        (_, State::Absent) => ResourceChange::Extra,
        _ => ResourceChange::Modified,
    };
    let unreadable: Vec<String> = [("live", &live), ("desired", &desired)]
        .into_iter()
        .filter_map(|(side, s)| match s {
            State::Unreadable(why) => Some(format!("{side} state {why}")),
            _ => None,
        })
        .collect();
    if !unreadable.is_empty() {
        return id.empty(change, Some(unreadable.join("; ")));
    }
    let as_object = |s: State| match s {
        State::Object(map) => Some(map),
        _ => None,
    };
    let (mut live, desired) = (as_object(live), as_object(desired));

    // Who wrote what: the live object's managedFields, read before they are dropped. The
    // normalized state may come without them; the raw live state has them.
    let mut managers = live.as_mut().map(fields::take_managers).unwrap_or_default();
    if managers.is_empty()
        && change == ResourceChange::Modified
        && !std::ptr::eq(live_text, item.live_state.as_str())
        && let State::Object(mut raw) = state::parse_state(&item.live_state)
    {
        managers = fields::take_managers(&mut raw);
    }

    let mut diff = diff_objects(id, change, live, desired, &managers);
    if change == ResourceChange::Modified && diff.lines.is_empty() && diff.paths.is_empty() {
        push_note(
            &mut diff,
            "no difference outside the fields Argo CD ignores (status, managedFields, \
             resourceVersion, last-applied-configuration)"
                .into(),
        );
    }
    diff
}

/// Diff two objects (either may be absent, by `change`): noise dropped, Secrets masked, YAML
/// lines, changed paths attributed to `managers` (read from `old`, the live side).
pub(super) fn diff_objects(
    id: Identity,
    change: ResourceChange,
    mut old: Option<Map<String, Value>>,
    mut new: Option<Map<String, Value>>,
    managers: &[Manager],
) -> ResourceDiff {
    for obj in [old.as_mut(), new.as_mut()].into_iter().flatten() {
        state::strip_noise(obj);
    }
    let masked = secret::is_secret(&id.kind, old.as_ref(), new.as_ref());
    if masked {
        // Before any text exists: nothing below ever sees a Secret's value.
        secret::mask_pair(old.as_mut(), new.as_mut());
    }
    let old = old.map(Value::Object);
    let new = new.map(Value::Object);

    let mut notes = Vec::new();
    let mut render = |side: &str, v: &Option<Value>| {
        v.as_ref().map(|v| {
            yaml::render(v).unwrap_or_else(|| {
                notes.push(format!("the {side} state could not be rendered as YAML"));
                String::new()
            })
        })
    };
    let old_text = render("old", &old);
    let new_text = render("new", &new);
    let lines = match (&old_text, &new_text) {
        (Some(o), Some(n)) => yaml::unified(o, n),
        (None, Some(n)) => yaml::whole(n, LineKind::Added),
        (Some(o), None) => yaml::whole(o, LineKind::Removed),
        (None, None) => Lines::default(),
    };
    drop((old_text, new_text));
    notes.extend(lines.note());

    let mut changed = Vec::new();
    if let (Some(o), Some(n)) = (&old, &new) {
        let (found, truncated) = paths::changed_paths(o, n, MAX_PATHS);
        changed = found
            .iter()
            .map(|p| ChangedPath {
                path: paths::render(p),
                writer: fields::writer_of(managers, o, p),
            })
            .collect();
        if truncated {
            notes.push(format!(
                "more than {MAX_PATHS} fields changed; the first {MAX_PATHS} are listed"
            ));
        }
    }

    let Lines {
        mut lines,
        mut hunks,
        added,
        removed,
        ..
    } = lines;
    lines.shrink_to_fit();
    hunks.shrink_to_fit();
    let mut diff = id.empty(change, None);
    diff.lines = lines;
    diff.hunks = hunks;
    diff.added = added;
    diff.removed = removed;
    diff.paths = changed;
    diff.masked = masked;
    for note in notes {
        push_note(&mut diff, note);
    }
    diff
}

fn push_note(diff: &mut ResourceDiff, note: String) {
    diff.note = Some(match diff.note.take() {
        Some(before) => format!("{before}; {note}"),
        None => note,
    });
}

/// Diff an app's managed-resources answer: only modified items (Argo CD marks missing and extra
/// ones modified too), hooks skipped.
pub fn diff_app(
    key: AppKey,
    resource_version: String,
    items: &[ManagedItem],
    now: DateTime<Utc>,
) -> AppDrift {
    let mut resources: Vec<ResourceDiff> = items
        .iter()
        .filter(|i| i.modified && !i.hook)
        .map(diff_managed_item)
        .collect();
    resources.shrink_to_fit();
    AppDrift {
        key,
        // Echoed exactly as asked (never shown): the app's freshness check compares it with
        // the resourceVersion it holds, so any rewriting here would make it never fresh.
        resource_version,
        fetched_at: now,
        resources,
        error: None,
    }
}

/// What a deploy changed: the rendered manifests (each a JSON object as text) at the revision
/// before and at the deploy's revision, paired by (group, kind, namespace, name).
pub fn diff_manifests(before: &[String], after: &[String]) -> Vec<ResourceDiff> {
    super::manifests::diff_manifests(before, after)
}

impl ResourceDiff {
    /// Roughly the heap this diff holds (strings and vectors; allocator overhead not counted).
    pub fn heap_bytes(&self) -> usize {
        let strings = [&self.group, &self.kind, &self.namespace, &self.name]
            .iter()
            .map(|s| s.capacity())
            .sum::<usize>();
        let lines = self.lines.capacity() * std::mem::size_of::<DiffLine>()
            + self.lines.iter().map(|l| l.text.capacity()).sum::<usize>();
        let hunks = self.hunks.capacity() * std::mem::size_of::<usize>();
        let paths = self.paths.capacity() * std::mem::size_of::<ChangedPath>()
            + self
                .paths
                .iter()
                .map(|p| {
                    p.path.capacity()
                        + p.writer.as_ref().map_or(0, |w| {
                            w.manager.capacity() + w.operation.capacity() + w.subresource.capacity()
                        })
                })
                .sum::<usize>();
        strings + lines + hunks + paths + self.note.as_ref().map_or(0, String::capacity)
    }
}

impl AppDrift {
    /// Roughly the heap this app's drift holds.
    pub fn heap_bytes(&self) -> usize {
        self.key.instance.capacity()
            + self.key.namespace.capacity()
            + self.key.name.capacity()
            + self.resource_version.capacity()
            + self.resources.capacity() * std::mem::size_of::<ResourceDiff>()
            + self
                .resources
                .iter()
                .map(ResourceDiff::heap_bytes)
                .sum::<usize>()
            + self.error.as_ref().map_or(0, String::capacity)
    }
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
