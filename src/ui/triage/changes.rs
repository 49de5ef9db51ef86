//! The triage change feed: deploys (from Argo CD) merged with alert and change events of the
//! last two hours, newest first.

use super::has_source;
use crate::model::Model;
use crate::model::coverage::{Coverage, Domain};
use crate::model::deploy::Deploy;
use crate::model::source::SourceKind;
use crate::model::timeline::{EventKind, TimelineEvent};
use crate::model::ui::TriagePane;
use crate::ui::argocd;
use crate::ui::format::{self, NONE};
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put};
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// How far back the change feed looks.
pub const CHANGES_WINDOW_SECS: i64 = 2 * 3600;

const CHANGE_COLS: [Col; 5] = [
    Col::fixed("TIME", 8, 0),
    Col::fixed("AGE", 4, 3).right(),
    Col::fixed("EVENT", 11, 2),
    Col::flex("SERVICE", 8, 16, 4),
    Col::flex("SUMMARY", 10, u16::MAX, 0),
];

/// One row of the feed: a deploy from Argo CD or an event from the timeline.
enum Change<'a> {
    Deploy(&'a Deploy),
    Event(&'a TimelineEvent),
}

pub(super) fn draw(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let focused = model.triage_pane == TriagePane::Changes;
    let has_argocd = has_source(model, SourceKind::Argocd);
    // Deploys come from Argo CD's history or a cluster's ReplicaSet revisions.
    let has_deploys = has_argocd || has_source(model, SourceKind::Kube);
    let cutoff = model.now - chrono::Duration::seconds(CHANGES_WINDOW_SECS);
    let rows = usize::from(area.height.saturating_sub(2));
    // Newest first; the timeline is kept in time order, so stop at the first event before the
    // window: this never walks the whole timeline. Deploys come from the deploy feed (newest
    // first too), so the timeline's own deploy events are left out.
    let recent = model
        .timeline
        .iter()
        .rev()
        .take_while(|e| e.occurred_at >= cutoff)
        .filter(|e| is_change(e.kind, has_argocd))
        // `:team`: other teams' services' changes are hidden (sitrep's own events stay).
        .filter(|e| e.refs.service.as_deref().is_none_or(|s| model.in_team(s)));
    let mut events = recent.peekable();
    let mut deploys = model
        .deploys
        .iter()
        .map(|d| &**d)
        .take_while(|d| d.at().is_none_or(|t| t >= cutoff))
        .filter(|d| d.at().is_some())
        .filter(|d| model.team.is_none() || d.service.as_deref().is_some_and(|s| model.in_team(s)))
        .peekable();
    // Merge the two newest-first streams, only as far as the pane shows.
    let mut changes: Vec<Change> = Vec::with_capacity(rows);
    while changes.len() < rows {
        let next = match (deploys.peek(), events.peek()) {
            (Some(d), Some(e)) => {
                if d.at().unwrap_or(DateTime::<Utc>::MIN_UTC) >= e.occurred_at {
                    deploys.next().map(Change::Deploy)
                } else {
                    events.next().map(Change::Event)
                }
            }
            (Some(_), None) => deploys.next().map(Change::Deploy),
            (None, Some(_)) => events.next().map(Change::Event),
            (None, None) => None,
        };
        match next {
            Some(c) => changes.push(c),
            None => break,
        }
    }
    let mut block = widgets::pane(theme, " Changes (last 2h) ".into(), focused);
    if !has_deploys && !changes.is_empty() {
        block = block.title(
            Line::from(Span::styled(
                " no Argo CD or cluster configured: alert changes only ",
                theme.muted,
            ))
            .right_aligned(),
        );
    }
    let inner = widgets::draw_pane(buf, area, block);
    if inner.is_empty() {
        return;
    }
    let widths = columns::layout(&CHANGE_COLS, inner.width.saturating_sub(1));
    for (i, c) in changes.iter().enumerate() {
        let line = match c {
            Change::Deploy(d) => deploy_row(model, d, &widths),
            Change::Event(e) => change_row(model, e, &widths),
        };
        put(buf, inner, inner.y + i as u16, &line);
    }
    if changes.is_empty() {
        let coverage = Coverage::of(&model.sources, Domain::All, model.now);
        let text = if coverage.fresh.is_empty() && !coverage.is_empty() {
            "Changes unknown: no source is answering"
        } else if !coverage.complete() {
            "No changes in the last 2h from the sources that answered"
        } else if has_deploys {
            "No changes in the last 2h"
        } else {
            "No Argo CD or cluster configured: no deploys to show"
        };
        put(
            buf,
            inner,
            inner.y,
            &widgets::muted(theme, format!(" {text}")),
        );
    }
}

/// Alert events and changes; with Argo CD configured, deploys and rollbacks come from the
/// deploy feed instead of the timeline.
fn is_change(kind: EventKind, has_argocd: bool) -> bool {
    if has_argocd && matches!(kind, EventKind::Deploy | EventKind::Rollback) {
        return false;
    }
    kind.as_str().starts_with("change.") || kind.as_str().starts_with("alert.")
}

/// The feed's short word for an event kind (the Timeline shows the full kind).
fn feed_word(kind: EventKind) -> &'static str {
    match kind {
        EventKind::AlertFiring => "firing",
        EventKind::AlertResolved => "resolved",
        EventKind::AlertSilenced => "silenced",
        EventKind::AlertUnsilenced => "unsilenced",
        EventKind::Deploy => "deploy",
        EventKind::Rollback => "rollback",
        EventKind::HealthChanged => "health",
        EventKind::SyncFailed => "sync failed",
        EventKind::AutosyncToggled => "auto-sync",
        other => other.as_str(),
    }
}

fn deploy_row<'a>(model: &Model, d: &'a Deploy, widths: &'a [u16]) -> Line<'a> {
    let theme = &model.theme;
    let at = d.at().unwrap_or(model.now);
    let kind = if d.rollback {
        EventKind::Rollback
    } else {
        EventKind::Deploy
    };
    let mut summary: Vec<(String, Style)> = Vec::with_capacity(6);
    if d.suspect {
        summary.push(("SUSPECT ".to_string(), argocd::suspect_style(theme)));
    }
    summary.push((argocd::app_label(model, &d.app), Style::default()));
    summary.push((format!(" {}", argocd::short_rev(&d.revision)), theme.accent));
    summary.push((format!(" by {}", argocd::deploy_initiator(d)), theme.muted));
    summary.push((" · ".to_string(), theme.muted));
    summary.push((
        argocd::result_word(d.result).to_string(),
        argocd::result_style(theme, d.result),
    ));
    RowBuilder::new(&CHANGE_COLS, widths)
        .prefix(Span::raw(" "))
        .cell(&format::hms(at), theme.muted)
        .cell(&format::age(model.now, at), theme.muted)
        .cell(feed_word(kind), widgets::event_style(theme, kind))
        .cell(d.service.as_deref().unwrap_or(NONE), Style::default())
        .spans(&summary)
        .build()
}
fn change_row<'a>(model: &Model, e: &'a TimelineEvent, widths: &'a [u16]) -> Line<'a> {
    let theme = &model.theme;
    let service = e.refs.service.as_deref().unwrap_or(NONE);
    RowBuilder::new(&CHANGE_COLS, widths)
        .prefix(Span::raw(" "))
        .cell(&format::hms(e.occurred_at), theme.muted)
        .cell(&format::age(model.now, e.occurred_at), theme.muted)
        .cell(feed_word(e.kind), widgets::event_style(theme, e.kind))
        .cell(service, Style::default())
        .cell(&e.summary, Style::default())
        .build()
}
