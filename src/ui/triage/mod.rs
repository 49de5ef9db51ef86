//! The home screen: services ranked by urgency (left), the selected service's detail (right),
//! the fleet-wide change feed (bottom). The first frame answers "what is broken".

mod changes;
mod detail;
pub mod fleet;
mod workloads;

pub use changes::CHANGES_WINDOW_SECS;
pub use fleet::{FLEET_GLYPH, row_text as fleet_row_text};

use crate::action::Action;
use crate::model::Model;
use crate::model::coverage::{Coverage, Domain};
use crate::model::permissions;
use crate::model::service::ServiceRow;
use crate::model::source::SourceKind;
use crate::model::ui::{Screen, TriagePane};
use crate::model::views::TriageRow;
use crate::screens::Hints;
use crate::ui::RenderState;
use crate::ui::argocd;
use crate::ui::format::{self, NONE};
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The services table where there is room (the suspect marker spelled out: `6m SUSPECT`)…
/// Narrower, the oldest alert's age goes first (the detail pane has it), then the owner.
const SERVICE_COLS: [Col; 8] = [
    Col::fixed("SEV", 4, 0),
    Col::flex("SERVICE", 10, 28, 0),
    Col::flex("OWNER", 8, 14, 4),
    Col::flex("FIRING", 6, 9, 0),
    Col::flex("ARGO", 11, 13, 3),
    Col::flex("PODS", 12, 14, 2),
    Col::fixed("DEPLOY", 10, 2),
    Col::fixed("AGE", 4, 5).right(),
];

/// … and in a narrow pane (80 columns): the age of the oldest alert gives way to the deploy,
/// whose suspect marker shrinks to `⚑ 6m`.
const NARROW_SERVICE_COLS: [Col; 8] = [
    Col::fixed("SEV", 4, 0),
    Col::flex("SERVICE", 10, 28, 0),
    Col::flex("OWNER", 8, 14, 4),
    Col::flex("FIRING", 6, 9, 0),
    Col::flex("ARGO", 9, 13, 3),
    Col::flex("PODS", 8, 12, 2),
    Col::fixed("DEPLOY", 6, 2),
    Col::fixed("AGE", 4, 5).right(),
];

/// Index of the OWNER column, hidden while no catalog can fill it.
const OWNER_COL: usize = 2;
/// Indexes of the ARGO and DEPLOY columns, hidden without Argo CD.
const ARGO_COL: usize = 4;
/// Index of the PODS column (the workloads' state), hidden without a cluster.
const PODS_COL: usize = 5;
const DEPLOY_COL: usize = 6;

/// The status-line hints of the triage screen.
pub fn hints(model: &Model, h: &mut Hints) {
    let k = |a: Action| model.keymap.hint(a);
    // The runbook pane has the keyboard: its keys, not the triage's (`s` skips there).
    if let Some(pane) = &model.runbook_pane {
        if pane.pending.is_some() {
            h.push((9, "y run".to_string()));
            h.push((8, "esc cancel".to_string()));
            return;
        }
        h.push((9, "enter run".to_string()));
        h.push((8, "space tick".to_string()));
        h.push((7, "s skip".to_string()));
        h.push((6, "x cancel".to_string()));
        h.push((9, "esc close".to_string()));
        return;
    }
    if model.fleet_selected() && model.triage_pane == TriagePane::Services {
        h.push((4, "enter drift".to_string()));
    }
    h.push((5, format!("{} filter", k(Action::Filter))));
    h.push((3, format!("{} pane", k(Action::NextPane))));
    if permissions::can_silence(model) && !model.alerts.is_empty() {
        h.push((6, format!("{} silence", k(Action::Silence))));
    }
    if permissions::argo_writable(model)
        && model.selected_service().is_some_and(|s| !s.apps.is_empty())
    {
        h.push((4, format!("{} rollback", k(Action::Rollback))));
    }
    // The incident: declare one while none is open; its milestones while one is.
    match model.incident.active() {
        Some(_) => h.push((5, format!("{} milestone", k(Action::Milestone)))),
        None if model.incident.journal == crate::model::incident::JournalHealth::Ready
            && model.selected_service().is_some() =>
        {
            h.push((5, format!("{} incident", k(Action::Incident))))
        }
        None => {}
    }
}

pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let changes_h = if area.height >= 16 {
        (area.height / 4).clamp(5, 10)
    } else {
        0
    };
    let top = Rect {
        height: area.height - changes_h,
        ..area
    };
    let changes = Rect {
        y: top.bottom(),
        height: changes_h,
        ..area
    };
    let services = model.visible_services();
    if model.triage_view.is_empty() && model.filter(Screen::Triage).is_empty() {
        // A runbook being worked stays on screen when its service leaves the list (the alert
        // resolved: that is when the Verify steps run).
        match &model.runbook_pane {
            Some(pane) => crate::ui::runbook::draw(model, pane, top, buf),
            None => nothing_to_show(model, top, buf),
        }
    } else {
        // The ARGO and DEPLOY columns need a little more room at 80 columns.
        let min_left =
            if has_source(model, SourceKind::Argocd) || has_source(model, SourceKind::Kube) {
                42
            } else {
                34
            };
        // A runbook being worked takes more of the width; the services stay in view.
        let share = if model.runbook_pane.is_some() { 38 } else { 45 };
        let left_w = (area.width * share / 100)
            .clamp(min_left, 80)
            .min(area.width);
        let left = Rect {
            width: left_w,
            ..top
        };
        let right = Rect {
            x: left.right(),
            width: top.width - left_w,
            ..top
        };
        services_pane(model, state, &services, left, buf);
        let selected = match model.triage_row(model.triage.selected) {
            Some(TriageRow::Service(i)) => model.services.get(i),
            _ => None,
        };
        match &model.runbook_pane {
            Some(pane) => crate::ui::runbook::draw(model, pane, right, buf),
            None if model.fleet_selected() => fleet::detail(model, right, buf),
            None => detail::draw(model, state, selected, right, buf),
        }
    }
    if changes_h > 0 {
        changes::draw(model, changes, buf);
    }
}

fn services_pane(
    model: &Model,
    state: &mut RenderState,
    services: &[&ServiceRow],
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    // The runbook pane has the keyboard while it is open.
    let focused = model.triage_pane == TriagePane::Services && model.runbook_pane.is_none();
    let filter = model.filter(Screen::Triage);
    let title = if filter.is_empty() {
        Line::from(format!(" Services {} ", services.len()))
    } else {
        Line::from(format!(
            " Services /{} {}/{} ",
            format::truncate(filter, 20),
            services.len(),
            model.services.len()
        ))
    };
    let mut block = widgets::pane(theme, title, focused);
    if !model.autosync_off.is_empty() {
        // The legend of the ⊘ on rows: which apps sitrep left with auto-sync off.
        let n = model.autosync_off.len();
        block = block.title(
            Line::from(Span::styled(
                format!(
                    " {} auto-sync OFF: {n} app{} ",
                    argocd::AUTOSYNC_OFF_GLYPH,
                    if n == 1 { "" } else { "s" }
                ),
                theme.warning,
            ))
            .right_aligned(),
        );
    }
    let inner = widgets::draw_pane(buf, area, block);
    if inner.is_empty() {
        return;
    }
    let inner = super::coverage::draw_banner(model, Domain::All, inner, buf);
    // The owner column needs its room too: with a catalog, the narrow layout comes sooner.
    let has_catalog = has_source(model, SourceKind::Catalog);
    let roomy = if has_catalog { 58 } else { 50 };
    let mut cols = if inner.width >= roomy {
        SERVICE_COLS
    } else {
        NARROW_SERVICE_COLS
    };
    if !has_catalog {
        // Without a catalog every owner is unknown: the detail pane says so once.
        cols[OWNER_COL] = Col::hidden();
    }
    let has_kube = has_source(model, SourceKind::Kube);
    if !has_source(model, SourceKind::Argocd) {
        // Likewise apps without Argo CD, and deploys without Argo CD or a cluster.
        cols[ARGO_COL] = Col::hidden();
        if !has_kube {
            cols[DEPLOY_COL] = Col::hidden();
        }
    }
    if !has_kube {
        cols[PODS_COL] = Col::hidden();
    }
    let widths = columns::table_header(buf, inner, &cols, theme);
    let list = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    if model.triage_view.is_empty() {
        put(
            buf,
            list,
            list.y,
            &widgets::muted(theme, format!(" no service matches “{filter}”")),
        );
        return;
    }
    let window = state.triage_services.window(
        model.triage.selected,
        model.triage_view.len(),
        usize::from(list.height),
    );
    let not_fresh = super::coverage::not_fresh(model);
    for (row, i) in window.enumerate() {
        let selected = i == model.triage.selected;
        let line = match model.triage_row(i) {
            Some(TriageRow::Service(j)) => {
                let Some(s) = model.services.get(j) else {
                    continue;
                };
                let current = row_current(&not_fresh, s);
                service_row(model, s, &cols, &widths, selected, current)
            }
            Some(TriageRow::Fleet) => {
                let current = not_fresh.is_empty()
                    || model.drift.apps.keys().all(|k| {
                        super::coverage::is_current(
                            &not_fresh,
                            std::iter::once(k.instance.as_str()),
                        )
                    });
                fleet::row(model, usize::from(list.width), selected, current)
            }
            None => continue,
        };
        selectable_row(
            buf,
            theme,
            list,
            list.y + row as u16,
            &line,
            selected,
            focused,
        );
    }
}

fn service_row<'a>(
    model: &Model,
    s: &ServiceRow,
    cols: &'a [Col],
    widths: &'a [u16],
    selected: bool,
    current: bool,
) -> Line<'a> {
    let theme = &model.theme;
    let (badge, badge_style) = if s.firing > 0 {
        (s.worst.word(), widgets::severity_style(theme, s.worst))
    } else {
        (NONE, theme.muted)
    };
    let name_style = if s.firing > 0 {
        Style::default()
    } else {
        theme.muted
    };
    let mut firing = vec![(
        s.firing.to_string(),
        if s.firing > 0 {
            Style::default()
        } else {
            theme.muted
        },
    )];
    if s.pending > 0 {
        firing.push((format!(" +{}p", s.pending), theme.muted));
    }
    if s.suppressed > 0 {
        firing.push((format!(" +{}s", s.suppressed), theme.muted));
    }
    let (owner, owner_style) = match &s.owner {
        Some(o) => (o.as_str(), Style::default()),
        // Not known yet (no catalog answer), not "no owner".
        None if model.catalog.is_empty() && s.name != crate::model::service::NO_SERVICE => {
            ("?", theme.warning)
        }
        None => (NONE, theme.muted),
    };
    let age = s
        .oldest_firing
        .map(|t| format::age(model.now, t))
        .unwrap_or_else(|| NONE.to_string());
    let argo = argo_parts(model, s);
    let deploy_w = usize::from(widths.get(DEPLOY_COL).copied().unwrap_or(0));
    let (deploy, deploy_style) = deploy_cell(model, s, deploy_w);
    let pods_w = usize::from(widths.get(PODS_COL).copied().unwrap_or(0));
    let (pods, pods_style) = workloads::cell(model, s, pods_w);
    RowBuilder::new(cols, widths)
        .prefix(super::coverage::row_marker(model, selected, current))
        .cell(badge, badge_style)
        .cell(&s.name, name_style)
        .cell(owner, owner_style)
        .parts(&firing)
        .spans(&argo)
        .cell(&pods, pods_style)
        .cell(&deploy, deploy_style)
        .cell(
            &age,
            if s.oldest_firing.is_some() {
                Style::default()
            } else {
                theme.muted
            },
        )
        .build()
}

/// A service row is current when each of its alerts is reported by at least one fresh source
/// (HA peers count) and each of its apps comes from a fresh Argo CD instance.
pub(super) fn row_current(not_fresh: &[&str], s: &ServiceRow) -> bool {
    use super::coverage::{alert_sources, is_current};
    not_fresh.is_empty()
        || (s
            .alerts
            .iter()
            .all(|a| is_current(not_fresh, alert_sources(a)))
            && s.apps
                .iter()
                .all(|k| is_current(not_fresh, std::iter::once(k.instance.as_str()))))
}

/// The ARGO cell: `⊘` first when sitrep left one of the apps with auto-sync off, then the most
/// urgent of the apps' health and sync as a word.
fn argo_parts(model: &Model, s: &ServiceRow) -> Vec<(String, Style)> {
    let theme = &model.theme;
    let mut parts = Vec::with_capacity(2);
    if s.apps.iter().any(|k| argocd::reminder(model, k)) {
        parts.push((format!("{} ", argocd::AUTOSYNC_OFF_GLYPH), theme.warning));
    }
    if s.health.is_none() && s.sync.is_none() {
        parts.push((NONE.to_string(), theme.muted));
    } else {
        let (word, style) = argocd::worst_word(
            theme,
            s.health.unwrap_or_default(),
            s.sync.unwrap_or_default(),
        );
        parts.push((word.to_string(), style));
    }
    parts
}

/// The DEPLOY cell: the age of the last deploy, `⚑ 6m` (narrow) or `6m SUSPECT` when it is a
/// suspect, in the critical style.
fn deploy_cell(model: &Model, s: &ServiceRow, w: usize) -> (String, Style) {
    let theme = &model.theme;
    let Some(d) = &s.last_deploy else {
        return (NONE.to_string(), theme.muted);
    };
    let age = d
        .at()
        .map(|t| format::age(model.now, t))
        .unwrap_or_else(|| "?".to_string());
    // The marker speaks of the deploy this cell shows, as the detail pane does.
    if d.suspect {
        let long = format!("{age} SUSPECT");
        let text = if format::width(&long) <= w {
            long
        } else {
            format!("⚑ {age}")
        };
        (text, argocd::suspect_style(theme))
    } else {
        (age, Style::default())
    }
}

pub(crate) use crate::model::permissions::has_source;

/// Nothing needs attention among what sitrep can see. "All quiet" only when every source
/// answered recently; otherwise say plainly what is not known, source by source.
fn nothing_to_show(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, " Triage ".into(), false));
    let lines = quiet_lines(model);
    let top = inner.y + inner.height.saturating_sub(lines.len() as u16) / 2;
    for (i, line) in lines.iter().enumerate() {
        widgets::put_centered(buf, inner, top + i as u16, line);
    }
}

fn quiet_lines<'a>(model: &Model) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let coverage = Coverage::of(&model.sources, Domain::All, model.now);
    let alert_sources = Coverage::of(&model.sources, Domain::Alerts, model.now);
    let mut lines: Vec<Line> = Vec::new();
    if coverage.is_empty() {
        // A catalog or paging service alone says who owns and answers, not what is wrong.
        let headline = if model.sources.is_empty() {
            "No sources configured: nothing is being watched"
        } else {
            "No alert or Argo CD source configured: nothing is being watched"
        };
        lines.push(Line::from(Span::styled(headline, theme.warning)));
        lines.push(widgets::muted(
            theme,
            "add an [[alertmanager]], [[prometheus]] or [[argocd]] source to your config, or pass --alertmanager URL (see README)",
        ));
        return lines;
    }
    let answered = coverage.fresh.len();
    let total = coverage.total();
    if let Some(team) = &model.team {
        // Which services are the team's is the catalog's to say.
        let catalog = Coverage::of(&model.sources, Domain::Catalog, model.now);
        if !catalog.complete() || catalog.is_empty() || model.catalog.components().is_empty() {
            lines.push(Line::from(Span::styled(
                format!("⚠ Unknown for team {team}: the catalog has not answered, so which services are the team's is not known"),
                theme.warning,
            )));
            lines.push(widgets::muted(
                theme,
                "`:team` alone shows every team's services",
            ));
            return lines;
        }
        if model.team_components() == 0 {
            lines.push(Line::from(Span::styled(
                format!(
                    "⚠ No service is owned by team {team} in the catalog: everything is hidden"
                ),
                theme.warning,
            )));
            lines.push(widgets::muted(
                theme,
                format!(
                    "teams: {} · `:team` alone shows every team's services",
                    model.catalog.owners().join(", ")
                ),
            ));
            return lines;
        }
    }
    if coverage.complete() {
        let what = if alert_sources.is_empty() {
            "no degraded or out-of-sync apps"
        } else if has_source(model, SourceKind::Argocd) {
            "nothing firing, nothing degraded"
        } else {
            "no firing alerts"
        };
        let who = coverage.all_answered();
        let scope = match &model.team {
            Some(team) => format!(" for team {team}"),
            None => String::new(),
        };
        lines.push(Line::from(vec![
            Span::styled("✓ ", theme.ok),
            Span::styled(format!("All quiet{scope}: {what} ({who})"), theme.ok),
        ]));
        if model.team.is_some() {
            let hidden = model.firing_hidden_by_team();
            if hidden > 0 {
                lines.push(Line::from(Span::styled(
                    format!(
                        "⚠ {} of other teams (or of no service) hidden: `:team` alone shows them",
                        format::plural(hidden, "firing alert")
                    ),
                    theme.warning,
                )));
            } else {
                lines.push(widgets::muted(
                    theme,
                    "other teams' services are hidden: `:team` alone shows every team's",
                ));
            }
        }
        if alert_sources.is_empty() {
            lines.push(widgets::muted(
                theme,
                "no alert source configured: firing alerts are not watched",
            ));
        }
        return lines;
    }
    // Something is not known: never green, never "quiet".
    let headline = if answered == 0 {
        if coverage.stale.is_empty() {
            "Unknown: no source has answered yet".to_string()
        } else {
            "Unknown: no source is answering now".to_string()
        }
    } else {
        format!("Nothing needs attention among what answered ({answered} of {total} sources), but:")
    };
    lines.push(Line::from(Span::styled(
        format!("⚠ {headline}"),
        theme.warning,
    )));
    for problem in super::coverage::problems(model, &coverage) {
        lines.push(Line::from(Span::styled(problem, theme.warning)));
    }
    let unsure = |d: Domain| {
        coverage
            .stale
            .iter()
            .map(|(s, _)| s.kind)
            .chain(coverage.unknown.iter().map(|s| s.kind))
            .any(|k| d.includes(k))
    };
    let mut maybe = Vec::new();
    if unsure(Domain::Alerts) {
        maybe.push("alerts may be firing");
    }
    if unsure(Domain::Apps) {
        maybe.push("apps may be degraded");
    }
    lines.push(widgets::muted(
        theme,
        format!("{} where sitrep cannot see", maybe.join(", ")),
    ));
    lines
}
