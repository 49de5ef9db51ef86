//! The Drift screen's state: what is selected and opened, which diffs were opened (a group's
//! sync is offered only after that), the deploy diff view, and a staged sync's plan.
//!
//! The rows (groups → apps → resources) are derived from `model.drift` when it or the filter
//! changes, never while drawing. The diff pane shows a "document": one or more resource diffs,
//! each a few preamble lines (title, note, changed paths) then its diff lines, addressed by line
//! number so only the visible lines are ever looked at.

use super::Model;
use super::app::AppKey;
use super::drift_sync::SyncPlan;
use super::text_match::TextQuery;
use super::ui::{Cursor, Screen};
use crate::drift::{AppDrift, ChangedPath, DiffLine, LineKind, ResourceDiff};
use std::collections::BTreeSet;
use std::sync::Arc;

/// At most this many changed paths are listed above a diff (the rest are counted).
pub const PATHS_SHOWN: usize = 12;

/// One row of the tree list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DriftRow {
    /// `group` indexes `model.drift.groups` (checked against `id` when read).
    Group { group: usize, id: String },
    App {
        group: usize,
        id: String,
        key: AppKey,
    },
    /// `resource` indexes the app's `AppDrift::resources`.
    Resource {
        group: usize,
        id: String,
        key: AppKey,
        resource: usize,
    },
}

impl DriftRow {
    pub fn group_id(&self) -> &str {
        match self {
            DriftRow::Group { id, .. }
            | DriftRow::App { id, .. }
            | DriftRow::Resource { id, .. } => id,
        }
    }
}

/// Which side has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DriftFocus {
    #[default]
    List,
    Diff,
}

/// The resource diff shown on the right: a copy of the app's diff as it was when opened (a
/// refetch meanwhile does not move the text under the reader).
#[derive(Clone, Debug, PartialEq)]
pub struct OpenedDiff {
    pub group_id: String,
    pub drift: Arc<AppDrift>,
    pub resource: usize,
}

/// A deploy's diff, asked with `d`.
#[derive(Clone, Debug, PartialEq)]
pub enum DeployDiffState {
    Loading,
    Failed(String),
    Ready(Vec<ResourceDiff>),
}

/// The deploy diff mode: what was asked, its answer, where Esc goes back to.
#[derive(Clone, Debug, PartialEq)]
pub struct DeployDiffView {
    pub request_id: u64,
    pub key: AppKey,
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub state: DeployDiffState,
    pub back_to: Screen,
}

/// The Drift screen.
#[derive(Clone, Debug, Default)]
pub struct DriftScreen {
    pub rows: Vec<DriftRow>,
    pub cursor: Cursor,
    /// Group ids expanded (apps shown).
    pub expanded: BTreeSet<String>,
    /// (group id, app) expanded (resources shown).
    pub expanded_apps: BTreeSet<(String, AppKey)>,
    pub focus: DriftFocus,
    pub opened: Option<OpenedDiff>,
    /// The diff pane's first line shown (its "cursor": the movement keys scroll it).
    pub diff_top: Cursor,
    /// Horizontal scroll of the diff pane, in columns (long lines are cut, not wrapped).
    pub diff_left: usize,
    /// Groups whose diff was opened (any resource of them): their sync may be offered.
    pub diffs_opened: BTreeSet<String>,
    /// `d`: a deploy's diff shown instead of the groups.
    pub deploy: Option<DeployDiffView>,
    /// The last text `y` copied on a group (the sha): a second `y` copies `git revert <sha>`.
    pub last_copy: Option<String>,
    /// A group's staged sync (confirming, running or finished).
    pub plan: Option<SyncPlan>,
}

impl DriftScreen {
    /// The list the movement keys move now: the tree, or the diff's lines (scrolling).
    pub fn list(&mut self) -> (&mut Cursor, usize) {
        match self.focus {
            DriftFocus::List if self.deploy.is_none() => (&mut self.cursor, self.rows.len()),
            _ => {
                let len = doc_len(self.document());
                (&mut self.diff_top, len)
            }
        }
    }

    pub fn selected(&self) -> Option<&DriftRow> {
        self.rows.get(self.cursor.selected)
    }

    /// What the diff pane shows: the deploy's diffs, or the opened resource's.
    pub fn document(&self) -> &[ResourceDiff] {
        if let Some(d) = &self.deploy {
            return match &d.state {
                DeployDiffState::Ready(diffs) => diffs,
                _ => &[],
            };
        }
        match &self.opened {
            Some(o) => o
                .drift
                .resources
                .get(o.resource)
                .map(std::slice::from_ref)
                .unwrap_or(&[]),
            None => &[],
        }
    }
}

/// One line of the diff document.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DocLine<'a> {
    /// `Deployment payments/checkout  +1 −1`.
    Title(&'a ResourceDiff),
    /// What could not be done (invalid JSON, too big).
    Note(&'a str),
    /// A Secret: values hidden.
    Masked,
    Path(&'a ChangedPath),
    /// `… and 4 more paths`.
    MorePaths(usize),
    Diff(&'a DiffLine),
}

/// The lines shown before a resource's diff lines.
fn preamble_len(r: &ResourceDiff) -> usize {
    1 + usize::from(r.note.is_some())
        + usize::from(r.masked)
        + r.paths.len().min(PATHS_SHOWN)
        + usize::from(r.paths.len() > PATHS_SHOWN)
}

fn resource_len(r: &ResourceDiff) -> usize {
    preamble_len(r) + r.lines.len()
}

/// Lines in the whole document.
pub fn doc_len(doc: &[ResourceDiff]) -> usize {
    doc.iter().map(resource_len).sum()
}

/// The `i`th line of a resource's part of the document.
fn resource_line(r: &ResourceDiff, mut i: usize) -> Option<DocLine<'_>> {
    if i == 0 {
        return Some(DocLine::Title(r));
    }
    i -= 1;
    if let Some(note) = &r.note {
        if i == 0 {
            return Some(DocLine::Note(note));
        }
        i -= 1;
    }
    if r.masked {
        if i == 0 {
            return Some(DocLine::Masked);
        }
        i -= 1;
    }
    let shown = r.paths.len().min(PATHS_SHOWN);
    if i < shown {
        return r.paths.get(i).map(DocLine::Path);
    }
    i -= shown;
    if r.paths.len() > PATHS_SHOWN {
        if i == 0 {
            return Some(DocLine::MorePaths(r.paths.len() - PATHS_SHOWN));
        }
        i -= 1;
    }
    r.lines.get(i).map(DocLine::Diff)
}

/// Up to `count` lines from line `start`: walks resources, not lines, to find the start.
pub fn doc_lines(doc: &[ResourceDiff], start: usize, count: usize) -> Vec<DocLine<'_>> {
    let mut out = Vec::with_capacity(count);
    let mut at = 0;
    for r in doc {
        let len = resource_len(r);
        if at + len <= start {
            at += len;
            continue;
        }
        let mut i = start.saturating_sub(at);
        while i < len && out.len() < count {
            if let Some(l) = resource_line(r, i) {
                out.push(l);
            }
            i += 1;
        }
        at += len;
        if out.len() >= count {
            break;
        }
    }
    out
}

/// The document line of every hunk header, in order.
pub fn hunk_starts(doc: &[ResourceDiff]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = 0;
    for r in doc {
        let base = at + preamble_len(r);
        out.extend(
            r.hunks
                .iter()
                .filter(|h| r.lines.get(**h).is_some_and(|l| l.kind == LineKind::Hunk))
                .map(|h| base + h),
        );
        at += resource_len(r);
    }
    out
}

/// The document as unified diff text (what `y` copies): a `--- / +++` header per resource.
pub fn doc_text(doc: &[ResourceDiff]) -> String {
    let mut out = String::new();
    for r in doc {
        let name = resource_name(r);
        out.push_str(&format!("--- {name} (live)\n+++ {name} (desired)\n"));
        if r.masked {
            out.push_str("# Secret: values hidden; changed keys only\n");
        }
        if let Some(note) = &r.note {
            out.push_str(&format!("# {note}\n"));
        }
        for l in &r.lines {
            let marker = match l.kind {
                LineKind::Hunk => "",
                LineKind::Context => " ",
                LineKind::Added => "+",
                LineKind::Removed => "-",
            };
            out.push_str(marker);
            out.push_str(&l.text);
            out.push('\n');
        }
    }
    out
}

/// `Deployment payments/checkout` (cluster-scoped: `ClusterRole admin`).
pub fn resource_name(r: &ResourceDiff) -> String {
    if r.namespace.is_empty() {
        format!("{} {}", r.kind, r.name)
    } else {
        format!("{} {}/{}", r.kind, r.namespace, r.name)
    }
}

/// `+12 −3, 2 resources` of an app's drift.
pub fn diff_stat(drift: &AppDrift) -> String {
    let added: u64 = drift.resources.iter().map(|r| u64::from(r.added)).sum();
    let removed: u64 = drift.resources.iter().map(|r| u64::from(r.removed)).sum();
    let n = drift.resources.len();
    format!(
        "+{added} −{removed}, {n} resource{}",
        if n == 1 { "" } else { "s" }
    )
}

/// The words an app row answers `/` to: its group's cause and summary, its name, namespace and
/// instance, its resources' kinds and names, and who wrote their changed fields.
fn app_matches(model: &Model, query: &mut TextQuery, group: usize, key: &AppKey) -> bool {
    let Some(g) = model.drift.groups.get(group) else {
        return false;
    };
    let mut fields: Vec<&str> = vec![
        g.cause.word(),
        &g.summary,
        &key.name,
        &key.namespace,
        &key.instance,
    ];
    for c in &g.changes {
        fields.push(&c.kind);
        if let Some(w) = &c.writer {
            fields.push(&w.manager);
        }
    }
    if let Some(drift) = model.drift.apps.get(key).and_then(|e| e.drift.as_ref()) {
        for r in &drift.resources {
            fields.push(&r.kind);
            fields.push(&r.name);
            fields.extend(
                r.paths
                    .iter()
                    .filter_map(|p| p.writer.as_ref().map(|w| w.manager.as_str())),
            );
        }
    }
    query.matches(fields.into_iter())
}

/// Rebuild the Drift screen's rows from `model.drift.groups` and its filter, keeping the
/// selection on its thing.
pub fn rebuild(model: &mut Model) {
    let before = model.drift_screen.selected().cloned();
    let mut query = TextQuery::new(model.filter(Screen::Drift));
    let filtering = !query.is_empty();
    let mut rows = Vec::new();
    for (gi, g) in model.drift.groups.iter().enumerate() {
        let apps: Vec<&AppKey> = g
            .apps
            .iter()
            .filter(|k| !filtering || app_matches(model, &mut query, gi, k))
            .collect();
        if filtering && apps.is_empty() {
            continue;
        }
        rows.push(DriftRow::Group {
            group: gi,
            id: g.id.clone(),
        });
        // A filter shows where it matched: its groups open.
        if !(filtering || model.drift_screen.expanded.contains(&g.id)) {
            continue;
        }
        for key in apps {
            rows.push(DriftRow::App {
                group: gi,
                id: g.id.clone(),
                key: key.clone(),
            });
            if !model
                .drift_screen
                .expanded_apps
                .contains(&(g.id.clone(), key.clone()))
            {
                continue;
            }
            let n = model
                .drift
                .apps
                .get(key)
                .and_then(|e| e.drift.as_ref())
                .map_or(0, |d| d.resources.len());
            rows.extend((0..n).map(|resource| DriftRow::Resource {
                group: gi,
                id: g.id.clone(),
                key: key.clone(),
                resource,
            }));
        }
    }
    let s = &mut model.drift_screen;
    s.rows = rows;
    // The same thing selected again (its index moved), else its group, else where it was.
    if let Some(before) = before {
        let same = |r: &DriftRow| match (r, &before) {
            (DriftRow::Group { id: a, .. }, DriftRow::Group { id: b, .. }) => a == b,
            (DriftRow::App { id: a, key: k, .. }, DriftRow::App { id: b, key: l, .. }) => {
                a == b && k == l
            }
            (
                DriftRow::Resource {
                    id: a,
                    key: k,
                    resource: i,
                    ..
                },
                DriftRow::Resource {
                    id: b,
                    key: l,
                    resource: j,
                    ..
                },
            ) => a == b && k == l && i == j,
            _ => false,
        };
        if let Some(i) = s.rows.iter().position(same).or_else(|| {
            s.rows.iter().position(|r| {
                matches!(r, DriftRow::Group { .. }) && r.group_id() == before.group_id()
            })
        }) {
            s.cursor.selected = i;
        }
    }
    s.cursor.clamp(s.rows.len());
}
