//! The Drift screen's keys (groups → apps → resources, hunks, `/`, `y`, `o`), the deploy diff
//! view (`d`), and what Esc does there. The staged sync of a group is `drift_sync`.

use super::flash;
use crate::drift::{CauseKind, ResourceDiff};
use crate::effect::Effect;
use crate::model::Model;
use crate::model::app::AppKey;
use crate::model::drift_view::{
    self, DeployDiffState, DeployDiffView, DriftFocus, DriftRow, OpenedDiff,
};
use crate::model::ui::{Cursor, FlashLevel, Screen};

/// Columns a `←`/`→` moves the diff.
const HSCROLL_STEP: usize = 8;
/// The most `y` sends to the clipboard.
const COPY_MAX_BYTES: usize = 256 * 1024;
/// Diff lines are capped by the diff engine; this only bounds the offset.
const MAX_LEFT: usize = 4096;

/// What a deploy changed (or why it could not be read).
pub(super) fn on_deploy_diff(
    model: &mut Model,
    request_id: u64,
    _key: AppKey,
    _from: Vec<String>,
    _to: Vec<String>,
    diff: Result<Vec<ResourceDiff>, String>,
) -> Vec<Effect> {
    let Some(view) = model
        .drift_screen
        .deploy
        .as_mut()
        .filter(|d| d.request_id == request_id)
    else {
        // Closed (Esc) or replaced by another `d` meanwhile: nothing waits for it.
        return Vec::new();
    };
    view.state = match diff {
        Ok(diffs) => DeployDiffState::Ready(diffs),
        Err(e) => DeployDiffState::Failed(crate::sanitize::clean_line(&e, 300)),
    };
    model.drift_screen.diff_top = Cursor::default();
    Vec::new()
}

/// `d`: what the selected deploy changed, in the diff view. Only Argo CD deploys have rendered
/// manifests to compare.
pub(super) fn open_deploy_diff(model: &mut Model) -> Vec<Effect> {
    // (app, history id, revision) of the deploy pointed at: a Deploys row, or an entry of an
    // open app's History pane (newest first there).
    let target = match model.screen {
        Screen::Deploys => match model.selected_deploy() {
            Some(d) if d.kube().is_some() => {
                flash(
                    model,
                    FlashLevel::Info,
                    "only Argo CD deploys have rendered manifests to compare: this is a Kubernetes revision",
                );
                return Vec::new();
            }
            Some(d) => Some((d.app.clone(), d.history_id, d.revision.clone())),
            None => None,
        },
        Screen::Apps if model.app_pane == crate::model::app_view::AppPane::History => model
            .app_open
            .as_ref()
            .and_then(|k| model.apps.get(k))
            .and_then(|a| {
                let e = a.history.iter().rev().nth(model.app_pane_cursor.selected)?;
                Some((a.key.clone(), Some(e.id), e.revision.clone()))
            }),
        _ => None,
    };
    let Some((key, history_id, revision)) = target else {
        flash(
            model,
            FlashLevel::Info,
            "d shows what a deploy changed: select one on the Deploys screen (4) or an app's History",
        );
        return Vec::new();
    };
    let history = model
        .apps
        .get(&key)
        .map(|a| a.history.clone())
        .unwrap_or_default();
    let revisions = |e: &crate::model::app::HistoryEntry| {
        if e.revisions.is_empty() {
            vec![e.revision.clone()]
        } else {
            e.revisions.clone()
        }
    };
    let this = history_id.and_then(|id| history.iter().find(|e| e.id == id));
    let to = this.map_or_else(|| vec![revision.clone()], revisions);
    // The deploy before it: the newest history entry older than this one.
    let from = history
        .iter()
        .filter(|e| history_id.is_none_or(|id| e.id < id))
        .filter(|e| this.is_some() || revisions(e) != to)
        .max_by_key(|e| e.id)
        .map(revisions)
        .unwrap_or_default();
    let request_id = model.next_request_id;
    model.next_request_id += 1;
    let s = &mut model.drift_screen;
    s.deploy = Some(DeployDiffView {
        request_id,
        key: key.clone(),
        from: from.clone(),
        to: to.clone(),
        state: DeployDiffState::Loading,
        back_to: model.screen,
    });
    s.focus = DriftFocus::Diff;
    s.diff_top = Cursor::default();
    s.diff_left = 0;
    model.screen = Screen::Drift;
    vec![Effect::FetchDeployDiff {
        request_id,
        key,
        from,
        to,
    }]
}

/// Enter: a group or an app opens or closes; a resource opens its diff.
pub(super) fn enter(model: &mut Model) {
    let s = &mut model.drift_screen;
    if s.deploy.is_some() || s.focus == DriftFocus::Diff {
        flash(
            model,
            FlashLevel::Info,
            "] and [ move between hunks; Tab goes back to the list",
        );
        return;
    }
    let Some(row) = s.selected().cloned() else {
        return;
    };
    match row {
        DriftRow::Group { id, .. } => {
            if !s.expanded.remove(&id) {
                s.expanded.insert(id);
            }
        }
        DriftRow::App { id, key, .. } => {
            let fetched = model
                .drift
                .apps
                .get(&key)
                .and_then(|e| e.drift.as_ref())
                .map(|d| (d.resources.len(), d.error.clone()));
            match fetched {
                None => {
                    flash(
                        model,
                        FlashLevel::Info,
                        format!("{}: its diff is not fetched yet", key.name),
                    );
                    return;
                }
                Some((_, Some(error))) => {
                    flash(
                        model,
                        FlashLevel::Error,
                        format!(
                            "{}: the diff could not be read: {}",
                            key.name,
                            crate::sanitize::clean_line(&error, 200)
                        ),
                    );
                    return;
                }
                Some((0, None)) => {
                    flash(
                        model,
                        FlashLevel::Info,
                        format!("{}: Argo CD reports no modified resource", key.name),
                    );
                    return;
                }
                Some(_) => {}
            }
            let s = &mut model.drift_screen;
            let k = (id, key);
            if !s.expanded_apps.remove(&k) {
                s.expanded_apps.insert(k);
            }
        }
        DriftRow::Resource {
            id, key, resource, ..
        } => {
            let Some(drift) = model.drift.apps.get(&key).and_then(|e| e.drift.clone()) else {
                return;
            };
            s.diffs_opened.insert(id.clone());
            s.opened = Some(OpenedDiff {
                group_id: id,
                drift,
                resource,
            });
            s.focus = DriftFocus::Diff;
            s.diff_top = Cursor::default();
            s.diff_left = 0;
            return;
        }
    }
    drift_view::rebuild(model);
}

/// Esc: out of the deploy diff (back where `d` was pressed), then out of the diff pane, then
/// the opened diff closes; `false` when there was nothing to leave (the caller goes on).
pub(super) fn back(model: &mut Model) -> bool {
    let s = &mut model.drift_screen;
    if let Some(d) = s.deploy.take() {
        s.focus = DriftFocus::List;
        model.screen = d.back_to;
        return true;
    }
    if s.focus == DriftFocus::Diff {
        s.focus = DriftFocus::List;
        return true;
    }
    if s.opened.take().is_some() {
        return true;
    }
    false
}

/// Tab: the list ↔ the diff (when one is open).
pub(super) fn next_pane(model: &mut Model) {
    let s = &mut model.drift_screen;
    if s.deploy.is_some() {
        return;
    }
    if s.opened.is_none() {
        flash(
            model,
            FlashLevel::Info,
            "no diff open: Enter on a resource opens one",
        );
        return;
    }
    s.focus = match s.focus {
        DriftFocus::List => DriftFocus::Diff,
        DriftFocus::Diff => DriftFocus::List,
    };
}

/// `]` / `[`: the next or previous hunk of the diff shown.
pub(super) fn hunk(model: &mut Model, forward: bool) {
    let s = &mut model.drift_screen;
    let starts = drift_view::hunk_starts(s.document());
    let at = s.diff_top.selected;
    let target = if forward {
        starts.iter().copied().find(|h| *h > at)
    } else {
        starts.iter().rev().copied().find(|h| *h < at)
    };
    match target {
        Some(line) => {
            s.diff_top.selected = line;
            if s.deploy.is_none() {
                s.focus = DriftFocus::Diff;
            }
        }
        None if starts.is_empty() => flash(model, FlashLevel::Info, "no diff open"),
        None if forward => flash(model, FlashLevel::Info, "last hunk"),
        None => flash(model, FlashLevel::Info, "first hunk"),
    }
}

/// `←` / `→`: long lines scroll sideways (they are cut at the pane's edge, not wrapped).
pub(super) fn hscroll(model: &mut Model, right: bool) {
    let s = &mut model.drift_screen;
    s.diff_left = if right {
        (s.diff_left + HSCROLL_STEP).min(MAX_LEFT)
    } else {
        s.diff_left.saturating_sub(HSCROLL_STEP)
    };
}

/// The group a row belongs to.
fn group_of<'a>(model: &'a Model, row: &DriftRow) -> Option<&'a crate::model::drift::DriftGroup> {
    model.drift.groups.iter().find(|g| g.id == row.group_id())
}

/// `y`: the diff shown (diff pane or a resource), a group's sha (again: `git revert <sha>`), an
/// app's name.
pub(super) fn copy(model: &mut Model) -> Vec<Effect> {
    let s = &model.drift_screen;
    let diff_focused = s.deploy.is_some() || s.focus == DriftFocus::Diff;
    let (text, said) = if diff_focused {
        let doc = s.document();
        if doc.is_empty() {
            flash(model, FlashLevel::Info, "no diff to copy");
            return Vec::new();
        }
        let lines: usize = doc.iter().map(|r| r.lines.len()).sum();
        (
            drift_view::doc_text(doc),
            format!("the diff ({lines} lines)"),
        )
    } else {
        let Some(row) = s.selected().cloned() else {
            flash(model, FlashLevel::Info, "nothing selected to copy");
            return Vec::new();
        };
        match &row {
            DriftRow::Group { .. } => {
                let Some(g) = group_of(model, &row) else {
                    return Vec::new();
                };
                match g
                    .revision
                    .as_ref()
                    .filter(|r| g.cause == CauseKind::Git && !r.to.is_empty())
                {
                    Some(rev) => {
                        let sha = crate::sanitize::clean_line(&rev.to, 80);
                        let revert = format!("git revert {sha}");
                        if model.drift_screen.last_copy.as_deref() == Some(sha.as_str()) {
                            model.drift_screen.last_copy = None;
                            (revert.clone(), format!("`{revert}`"))
                        } else {
                            model.drift_screen.last_copy = Some(sha.clone());
                            (sha.clone(), format!("{sha} (y again copies `{revert}`)"))
                        }
                    }
                    None => (g.summary.clone(), "the group's summary".to_string()),
                }
            }
            DriftRow::App { key, .. } => (key.name.clone(), key.name.clone()),
            DriftRow::Resource { key, resource, .. } => {
                let Some(r) = model
                    .drift
                    .apps
                    .get(key)
                    .and_then(|e| e.drift.as_ref())
                    .and_then(|d| d.resources.get(*resource))
                else {
                    return Vec::new();
                };
                (
                    drift_view::doc_text(std::slice::from_ref(r)),
                    format!("the diff of {}", drift_view::resource_name(r)),
                )
            }
        }
    };
    // A terminal takes only so much through OSC 52: a huge diff is copied from its start.
    let (text, said) = if text.len() > COPY_MAX_BYTES {
        let mut end = COPY_MAX_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        (
            text[..end].to_string(),
            format!("{said}, its first {} KB", COPY_MAX_BYTES / 1024),
        )
    } else {
        (text, said)
    };
    if !matches!(model.drift_screen.selected(), Some(DriftRow::Group { .. })) || diff_focused {
        model.drift_screen.last_copy = None;
    }
    flash(
        model,
        FlashLevel::Success,
        format!("sent to the terminal's clipboard (OSC 52): {said}"),
    );
    vec![Effect::Copy(text)]
}

/// The commit's page for a repository on an https Git host, or why there is none.
pub fn commit_url(repo: &str, sha: &str) -> Result<String, String> {
    if sha.is_empty() || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("`{sha}` is not a commit sha"));
    }
    let Some(rest) = repo.strip_prefix("https://") else {
        return Err(format!(
            "the repository is not an https URL ({}): no web page to open",
            crate::sanitize::clean_line(repo, 80)
        ));
    };
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the repository URL is malformed".to_string());
    }
    let base = repo.trim_end_matches('/').trim_end_matches(".git");
    let host = rest.split('/').next().unwrap_or("").to_lowercase();
    if host == "github.com" || host.starts_with("github.") {
        Ok(format!("{base}/commit/{sha}"))
    } else if host == "gitlab.com" || host.starts_with("gitlab.") {
        Ok(format!("{base}/-/commit/{sha}"))
    } else {
        Err(format!(
            "{host} is not a known Git host (GitHub, GitLab): y copies the sha instead"
        ))
    }
}

/// `o`: the selected group's commit in the browser, when its repository is on GitHub/GitLab.
pub(super) fn open_commit(model: &mut Model) -> Vec<Effect> {
    let found = model
        .drift_screen
        .selected()
        .and_then(|r| group_of(model, r))
        .and_then(|g| g.revision.as_ref().filter(|_| g.cause == CauseKind::Git))
        .map(|r| commit_url(&r.repo, &r.to));
    match found {
        Some(Ok(url)) => {
            flash(
                model,
                FlashLevel::Info,
                format!("opening the commit: {url}"),
            );
            vec![Effect::OpenUrl(url)]
        }
        Some(Err(why)) => {
            flash(model, FlashLevel::Info, why);
            Vec::new()
        }
        None => {
            flash(
                model,
                FlashLevel::Info,
                "nothing to open: only a git group has a commit",
            );
            Vec::new()
        }
    }
}
