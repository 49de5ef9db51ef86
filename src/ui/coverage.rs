//! Saying what sitrep does not know. Every pane whose data comes from a source that is stale or
//! has never answered shows a warning line naming it, with the age of its last answer; rows
//! that only such sources report carry a `?` marker. Absence is never drawn as health.

use crate::model::Model;
use crate::model::coverage::{Coverage, Domain};
use crate::model::source::{SourceState, SourceStatus};
use crate::ui::chrome::source_label;
use crate::ui::format;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The marker drawn in a row's first cell when its data is only from stale or unknown sources.
pub const STALE_MARK: &str = "?";

/// One clause per source that is not fresh: `AM stale 42s (refused)`, `prom unknown (bad
/// response)`, `argocd unknown (no answer yet)`.
pub fn problems(model: &Model, coverage: &Coverage) -> Vec<String> {
    let why = |s: &SourceStatus| {
        s.last_error
            .as_deref()
            .map(|e| format!(" ({})", format::short_error(e)))
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (s, since) in &coverage.stale {
        out.push(format!(
            "{} last answered {} ago{}",
            source_label(s),
            format::age(model.now, *since),
            why(s)
        ));
    }
    for s in &coverage.unknown {
        let what = if s.state == SourceState::Connecting {
            " (no answer yet)".to_string()
        } else {
            why(s)
        };
        out.push(format!("{} unknown{what}", source_label(s)));
    }
    out
}

/// A warning line for the top of a pane showing `domain`'s data, or None when every source of
/// it is fresh (or none is configured: the pane says that itself).
pub fn banner<'a>(model: &Model, domain: Domain) -> Option<Line<'a>> {
    let coverage = Coverage::of(&model.sources, domain, model.now);
    if coverage.stale.is_empty() && coverage.unknown.is_empty() {
        return None;
    }
    let theme = &model.theme;
    let mut spans = vec![
        Span::styled("⚠ ", theme.warning),
        Span::styled(problems(model, &coverage).join(" · "), theme.warning),
    ];
    if !coverage.stale.is_empty() {
        spans.push(Span::styled(
            format!(" · {STALE_MARK} = last known state"),
            theme.muted,
        ));
    }
    Some(Line::from(spans))
}

/// The selection marker, or `?` on a row whose data only stale or unknown sources report.
pub fn row_marker<'a>(model: &Model, selected: bool, current: bool) -> Span<'a> {
    if !selected && !current {
        Span::styled(STALE_MARK, model.theme.warning)
    } else {
        crate::ui::widgets::marker(&model.theme, selected)
    }
}

/// Names of the sources that are stale or unknown now (empty in the common case, so row checks
/// cost nothing while everything is fresh).
pub fn not_fresh(model: &Model) -> Vec<&str> {
    model
        .sources
        .iter()
        .filter(|s| !s.is_fresh(model.now))
        .map(|s| s.name.as_str())
        .collect()
}

/// Whether a row reported by `sources` is current: at least one of them is fresh.
pub fn is_current<'s>(not_fresh: &[&str], mut sources: impl Iterator<Item = &'s str>) -> bool {
    not_fresh.is_empty() || sources.any(|s| !not_fresh.contains(&s))
}

/// Style for text that states a fact from a source that is not current.
pub fn stale_style(model: &Model) -> Style {
    model.theme.warning
}

/// Draw `domain`'s banner (if any) on the first row of `area`; returns the rows left below it.
pub fn draw_banner(model: &Model, domain: Domain, area: Rect, buf: &mut Buffer) -> Rect {
    match banner(model, domain) {
        Some(line) if area.height > 1 => {
            crate::ui::widgets::put(buf, area, area.y, &line);
            Rect {
                y: area.y + 1,
                height: area.height - 1,
                ..area
            }
        }
        _ => area,
    }
}

/// The sources that report one alert: where it came from and the HA peers that also have it.
pub fn alert_sources(alert: &crate::model::alert::Alert) -> impl Iterator<Item = &str> {
    std::iter::once(alert.source.as_str()).chain(alert.also_from.iter().map(String::as_str))
}
