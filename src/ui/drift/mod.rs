//! The Drift screen: groups → apps → resources on the left (on top when narrow), the selected
//! group's cause and the opened resource's coloured diff on the right (below). In deploy diff
//! mode (`d`), the whole screen is that deploy's diff. Rows come from `model.drift_screen`,
//! built when the store or the filter changed; only the visible lines are formatted.

mod diff;
mod list;

use crate::action::Action;
use crate::model::Model;
use crate::model::drift_sync::PlanStage;
use crate::model::drift_view::DriftFocus;
use crate::model::source::{SourceKind, SourceState};
use crate::model::ui::Screen;
use crate::screens::Hints;
use crate::ui::RenderState;
use crate::ui::format;
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub use diff::{diff_line_style, group_header_lines};

/// From this width the diff is beside the list; below it, under it.
const SIDE_BY_SIDE: u16 = 110;

/// The status-line hints: what applies to the selection and the pane with the keyboard.
pub fn hints(model: &Model, h: &mut Hints) {
    let k = |a: Action| model.keymap.hint(a);
    let s = &model.drift_screen;
    let running = s.plan.as_ref().is_some_and(|p| p.stage.running());
    if running {
        h.push((7, format!("{} cancel staged sync", k(Action::Terminate))));
    }
    if s.deploy.is_some() || s.focus == DriftFocus::Diff {
        h.push((
            7,
            format!("{}/{} hunk", k(Action::NextHunk), k(Action::PrevHunk)),
        ));
        h.push((6, "←/→ scroll".to_string()));
        h.push((5, format!("{} copy diff", k(Action::Copy))));
        h.push((6, format!("{} back", k(Action::Back))));
        if s.deploy.is_none() {
            h.push((4, format!("{} list", k(Action::NextPane))));
        }
        return;
    }
    h.push((5, format!("{} filter", k(Action::Filter))));
    let Some(row) = s.selected() else {
        return;
    };
    let group = model.drift.groups.iter().find(|g| g.id == row.group_id());
    use crate::model::drift_view::DriftRow;
    match row {
        DriftRow::Group { .. } => {
            h.push((8, format!("{} expand", k(Action::Enter))));
            if group.is_some_and(|g| g.cause == crate::drift::CauseKind::Git) {
                h.push((
                    5,
                    format!("{} copy sha (twice: git revert)", k(Action::Copy)),
                ));
                h.push((4, format!("{} open commit", k(Action::Open))));
            }
        }
        DriftRow::App { .. } => h.push((8, format!("{} resources", k(Action::Enter)))),
        DriftRow::Resource { .. } => {
            h.push((8, format!("{} diff", k(Action::Enter))));
            h.push((5, format!("{} copy diff", k(Action::Copy))));
        }
    }
    if s.opened.is_some() {
        h.push((4, format!("{} diff pane", k(Action::NextPane))));
    }
    if !running && crate::model::drift_sync::offered(model) {
        h.push((3, format!("{} staged sync", k(Action::Sync))));
    }
}

pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    if model.drift_screen.deploy.is_some() {
        diff::deploy(model, area, buf);
        return;
    }
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, title(model), true));
    if inner.height < 3 {
        return;
    }
    let mut body = inner;
    if let Some(line) = plan_line(model) {
        put(buf, body, body.y, &line);
        body.y += 1;
        body.height -= 1;
    }
    if model.drift.groups.is_empty() {
        for (i, line) in empty_lines(model).into_iter().enumerate() {
            if (i as u16) < body.height {
                put(buf, body, body.y + i as u16, &line);
            }
        }
        return;
    }
    let (list_area, diff_area) = if body.width >= SIDE_BY_SIDE {
        let w = (body.width * 2 / 5).max(40);
        (
            Rect { width: w, ..body },
            Rect {
                x: body.x + w,
                width: body.width - w,
                ..body
            },
        )
    } else {
        let h = (body.height * 2 / 5).max(4).min(body.height);
        (
            Rect { height: h, ..body },
            Rect {
                y: body.y + h,
                height: body.height - h,
                ..body
            },
        )
    };
    list::draw(model, state, list_area, buf);
    diff::pane(model, diff_area, buf);
}

/// ` Drift · 17 apps OutOfSync · 4 causes · /filter `.
fn title<'a>(model: &Model) -> Line<'a> {
    let theme = &model.theme;
    let d = &model.drift;
    let mut spans = vec![Span::raw(" Drift ")];
    if !d.groups.is_empty() {
        spans.push(Span::styled(
            format!(
                "· {} · {} ",
                crate::ui::triage::fleet::count_text(model),
                format::plural(d.groups.len(), "cause")
            ),
            theme.warning,
        ));
    }
    let filter = model.filter(Screen::Drift);
    if !filter.is_empty() {
        spans.push(Span::styled(
            format!("· /{} ", format::truncate(filter, 24)),
            theme.accent,
        ));
    }
    Line::from(spans)
}

/// The staged sync's progress, on the screen's first line while there is one.
fn plan_line<'a>(model: &Model) -> Option<Line<'a>> {
    let theme = &model.theme;
    let plan = model.drift_screen.plan.as_ref()?;
    let waves = plan.waves.len();
    let key = model.keymap.hint(Action::Terminate);
    let (text, style) = match &plan.stage {
        PlanStage::Confirming => return None,
        PlanStage::DryRun => {
            let passed = plan
                .dry_runs
                .values()
                .filter(|w| {
                    w.result
                        .as_ref()
                        .is_some_and(|o| o.phase == crate::model::app::OperationPhase::Succeeded)
                })
                .count();
            (
                format!(
                    "⟳ staged sync: dry runs {passed}/{} passed; nothing changed yet · {key} cancels",
                    plan.dry_runs.len()
                ),
                theme.info,
            )
        }
        PlanStage::Wave(_) if let Some(waiting) = &plan.waiting => (
            format!(
                "⟳ staged sync: {waiting} · {}/{waves} waves done · {key} cancels before the next",
                plan.finished_waves,
            ),
            theme.info,
        ),
        PlanStage::Wave(i) => {
            let names: Vec<&str> = plan
                .waves
                .get(*i)
                .map(|w| w.iter().map(|a| a.key.name.as_str()).collect())
                .unwrap_or_default();
            (
                format!(
                    "⟳ staged sync: {} syncing ({}) · {}/{waves} waves done · {key} cancels before the next",
                    crate::model::drift_sync::wave_word(*i, waves),
                    format::truncate(&names.join(", "), 40),
                    plan.finished_waves,
                ),
                theme.info,
            )
        }
        PlanStage::Done => (
            format!(
                "✓ staged sync done: {} Synced and Healthy",
                format::plural(plan.app_count(), "app")
            ),
            theme.ok,
        ),
        PlanStage::Stopped(why) => (
            format!("✗ staged sync STOPPED: {}", format::one_line(why)),
            theme.critical,
        ),
        PlanStage::Cancelled => (
            format!(
                "staged sync cancelled after {}/{waves} waves",
                plan.finished_waves
            ),
            theme.warning,
        ),
    };
    Some(Line::from(Span::styled(text, style)))
}

/// Nothing drifted — said only when every Argo CD source is answering; otherwise why it is
/// unknown.
fn empty_lines<'a>(model: &Model) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let argo: Vec<_> = model
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Argocd)
        .collect();
    if argo.is_empty() {
        return vec![widgets::muted(
            theme,
            " No Argo CD source configured: drift is read from Argo CD (add [[argocd]] or --argocd URL).",
        )];
    }
    let mut out = Vec::new();
    for s in &argo {
        match s.state {
            SourceState::Failing => out.push(Line::from(Span::styled(
                format!(
                    " Unknown: {} is failing: {}",
                    s.name,
                    format::one_line(s.last_error.as_deref().unwrap_or("no answer"))
                ),
                theme.critical,
            ))),
            SourceState::Connecting => out.push(widgets::muted(
                theme,
                format!(" Unknown: connecting to {}; nothing known yet", s.name),
            )),
            SourceState::Ok => {}
        }
    }
    if !out.is_empty() {
        return out;
    }
    let filter = model.filter(Screen::Drift);
    if !filter.is_empty() {
        return vec![widgets::muted(
            theme,
            format!(" No drift matches “{}”.", format::truncate(filter, 40)),
        )];
    }
    vec![Line::from(Span::styled(" No app is OutOfSync.", theme.ok))]
}
