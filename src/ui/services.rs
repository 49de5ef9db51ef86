//! The Services screen: every service — each catalog component, and each service alerts and
//! apps name — with its owner, state, system and how it was matched.

use crate::action::Action;
use crate::model::Model;
use crate::model::coverage::{Coverage, Domain};
use crate::model::service::{ServiceRow, Urgency};
use crate::model::ui::Screen;
use crate::model::views::ServicesEntry;
use crate::screens::Hints;
use crate::ui::RenderState;
use crate::ui::coverage;
use crate::ui::format::{self, NONE};
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const COLS: [Col; 9] = [
    Col::fixed("SEV", 4, 0),
    Col::flex("SERVICE", 12, 22, 0),
    Col::flex("OWNER", 6, 14, 1),
    Col::flex("STATE", 8, 11, 2),
    Col::fixed("FIRING", 6, 3).right(),
    Col::flex("APPS", 6, 10, 4),
    Col::flex("SYSTEM", 6, 18, 6),
    Col::fixed("LIFECYCLE", 10, 7),
    Col::flex("MATCHED BY", 24, 64, 5),
];

/// A word for the ranking bucket, so the order explains itself.
fn urgency_word(u: Urgency) -> &'static str {
    match u {
        Urgency::CriticalFiring => "critical",
        Urgency::DegradedApp => "degraded",
        Urgency::FailedSync => "sync failed",
        Urgency::WarningFiring => "warning",
        Urgency::OutOfSync => "out of sync",
        Urgency::Progressing => "progressing",
        Urgency::Quiet => "quiet",
    }
}

/// The status-line hints of the Services screen.
pub fn hints(model: &Model, h: &mut Hints) {
    let k = |a: Action| model.keymap.hint(a);
    h.push((5, format!("{} filter", k(Action::Filter))));
    if !model.services_view.is_empty() {
        h.push((4, format!("{} triage", k(Action::Enter))));
    }
}

pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let view = &model.services_view;
    let filter = model.filter(Screen::Services);
    // Every service there is: rows of services with alerts or apps, and catalog components
    // without either.
    let total = model.services_total;
    let narrowed = !filter.is_empty() || model.team.is_some();
    let mut title = vec![Span::raw(if narrowed {
        format!(" Services {}/{} ", view.len(), total)
    } else {
        format!(" Services {} ", view.len())
    })];
    if let Some(team) = &model.team {
        title.push(Span::styled(
            format!("team {} ", format::truncate(team, 20)),
            theme.accent,
        ));
    }
    if !filter.is_empty() {
        title.push(Span::styled(
            format!("/{} ", format::truncate(filter, 24)),
            theme.accent,
        ));
    }
    title.push(Span::styled("· most urgent first ", theme.muted));
    let title = Line::from(title);
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, title, true));
    if inner.is_empty() {
        return;
    }
    let inner = coverage::draw_banner(model, Domain::All, inner, buf);
    // The catalog is this screen's own source: say when it is not current.
    let mut inner = coverage::draw_banner(model, Domain::Catalog, inner, buf);
    // Catalog documents that could not be read: said once, above the rows.
    let problems: Vec<&String> = model.catalogs.values().flat_map(|c| &c.problems).collect();
    if let Some(first) = problems.first()
        && inner.height > 2
    {
        let text =
            format!(" ⚠ catalog problems (the rest loaded; `sitrep check` lists them): {first}");
        put(
            buf,
            inner,
            inner.y,
            &Line::from(Span::styled(text, theme.warning)),
        );
        inner.y += 1;
        inner.height -= 1;
    }
    let widths = columns::table_header(buf, inner, &COLS, theme);
    let list = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    if view.is_empty() && total > 0 {
        let text = match (&model.team, filter.is_empty()) {
            (Some(team), true) => format!(" No service of team {team} (`:team` alone shows all)."),
            (Some(team), false) => format!(" No service of team {team} matches “{filter}”."),
            (None, _) => format!(" No service matches “{filter}”."),
        };
        put(buf, list, list.y, &widgets::muted(theme, text));
        return;
    }
    if total == 0 {
        put(
            buf,
            list,
            list.y,
            &widgets::muted(
                theme,
                if Coverage::of(&model.sources, Domain::All, model.now)
                    .fresh
                    .is_empty()
                {
                    " No services known: no source has answered (see above)."
                } else if model.catalog.is_empty() {
                    " No services yet: services appear as alerts and Argo CD apps name them (no catalog configured)."
                } else {
                    " No services: the catalog has no components, and no alert or app names one."
                },
            ),
        );
        return;
    }
    let selected = model.services_cursor.selected;
    let window = state
        .services
        .window(selected, view.len(), usize::from(list.height));
    for (row, i) in window.enumerate() {
        let quiet;
        let service = match view.get(i) {
            Some(ServicesEntry::Row(r)) => match model.services.get(*r) {
                Some(s) => s,
                None => continue,
            },
            // A component with no alerts or apps: drawn as the quiet row it would have.
            Some(ServicesEntry::Component(j)) => {
                let Some(c) = model.catalog.components().get(*j) else {
                    continue;
                };
                let mut row = ServiceRow::empty(c.service.clone());
                row.owner = model.catalog.owner_label(&c.service);
                quiet = row;
                &quiet
            }
            None => continue,
        };
        let line = service_row(model, service, &widths, i == selected);
        selectable_row(
            buf,
            theme,
            list,
            list.y + row as u16,
            &line,
            i == selected,
            true,
        );
    }
}

fn service_row<'a>(
    model: &Model,
    s: &'a ServiceRow,
    widths: &'a [u16],
    selected: bool,
) -> Line<'a> {
    let theme = &model.theme;
    let firing = s.firing > 0;
    let (badge, badge_style) = if firing {
        (s.worst.word(), widgets::severity_style(theme, s.worst))
    } else {
        (NONE, theme.muted)
    };
    let apps = if s.health.is_none() && s.sync.is_none() {
        (NONE.to_string(), theme.muted)
    } else {
        let (word, style) = crate::ui::argocd::worst_word(
            theme,
            s.health.unwrap_or_default(),
            s.sync.unwrap_or_default(),
        );
        (word.to_string(), style)
    };
    let catalog = &model.catalog;
    let has_catalog =
        crate::model::permissions::has_source(model, crate::model::source::SourceKind::Catalog);
    let matched = model.matched_by(&s.name).join("; ");
    RowBuilder::new(&COLS, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(badge, badge_style)
        .cell(&s.name, if firing { Style::default() } else { theme.text })
        .cell(
            match (&s.owner, model.catalog.is_empty()) {
                (Some(o), _) => o.as_str(),
                // Not known yet (no catalog answer), not "no owner".
                (None, true) if has_catalog && s.name != crate::model::service::NO_SERVICE => "?",
                (None, _) => NONE,
            },
            theme.text,
        )
        .cell(
            urgency_word(s.urgency),
            if firing {
                badge_style
            } else if s.urgency == Urgency::Quiet {
                theme.muted
            } else {
                theme.warning
            },
        )
        .cell(
            &s.firing.to_string(),
            if firing {
                Style::default()
            } else {
                theme.muted
            },
        )
        .cell(&apps.0, apps.1)
        .cell(
            catalog.system(&s.name).as_deref().unwrap_or(NONE),
            theme.muted,
        )
        .cell(catalog.lifecycle(&s.name).unwrap_or(NONE), theme.muted)
        .cell(
            if matched.is_empty() { NONE } else { &matched },
            theme.muted,
        )
        .build()
}
