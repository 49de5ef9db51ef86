//! The Timeline screen: every recorded event, oldest at the top, newest at the bottom. With the
//! cursor on the last event the view follows new events as they arrive.

use crate::action::Action;
use crate::model::Model;
use crate::model::timeline::TimelineEvent;
use crate::model::ui::Screen;
use crate::screens::Hints;
use crate::ui::RenderState;
use crate::ui::format::{self, NONE};
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

const COLS: [Col; 6] = [
    Col::fixed("TIME (UTC)", 10, 0),
    Col::fixed("SOURCE", 12, 3),
    Col::flex("KIND", 12, KIND_W, 2),
    Col::flex("SERVICE", 8, 16, 4),
    Col::flex("ACTOR", 6, 12, 5),
    Col::flex("SUMMARY", 16, u16::MAX, 0),
];

pub use crate::model::timeline::source_word;

/// Room for the longest event kind (`change.autosync_toggled`).
const KIND_W: u16 = 23;

/// The status-line hints of the Timeline screen.
pub fn hints(model: &Model, h: &mut Hints) {
    let k = |a: Action| model.keymap.hint(a);
    h.push((5, format!("{} filter", k(Action::Filter))));
    if model.timeline_len() > 0 {
        h.push((4, format!("{} details", k(Action::Enter))));
    }
    match model.incident.active() {
        Some(_) => {
            h.push((6, format!("{} milestone", k(Action::Milestone))));
            if model.timeline_len() > 0 {
                h.push((3, format!("{} star", k(Action::Star))));
                h.push((2, format!("{} fix time", k(Action::CorrectTime))));
            }
            h.push((3, format!("{} export", k(Action::Export))));
        }
        None if model.incident.journal == crate::model::incident::JournalHealth::Ready => {
            h.push((6, format!("{} declare", k(Action::Incident))));
        }
        None => {}
    }
}

pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let n = model.timeline_len();
    let selected = model.timeline_cursor.selected;
    let following = n > 0 && selected + 1 >= n;
    let filter = model.filter(Screen::Timeline);
    let mut title = vec![Span::raw(if filter.is_empty() {
        format!(" Timeline {} ", format::plural(n, "event"))
    } else {
        format!(" Timeline {n}/{} events ", model.timeline.len())
    })];
    if !filter.is_empty() {
        title.push(Span::styled(
            format!("/{} ", format::truncate(filter, 24)),
            theme.accent,
        ));
    }
    title.push(Span::styled("· oldest first ", theme.muted));
    if following {
        title.push(Span::styled("· following ", theme.muted));
    }
    let mut inner = widgets::draw_pane(buf, area, widgets::pane(theme, Line::from(title), true));
    if inner.is_empty() {
        return;
    }
    let header = incident_header(model);
    for line in header.iter().take(usize::from(inner.height / 2)) {
        put(buf, inner, inner.y, line);
        inner.y += 1;
        inner.height -= 1;
    }
    // Across several days, a separator row starts each day and times are times of day.
    let cols = COLS;
    let days = model
        .timeline
        .first()
        .is_some_and(|e| e.occurred_at.date_naive() != model.now.date_naive());
    let widths = columns::table_header(buf, inner, &cols, theme);
    let list = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    if n == 0 {
        let text = if filter.is_empty() {
            " No events yet: alerts firing and resolving, silences and your actions land here."
                .to_string()
        } else {
            format!(" No event matches “{filter}”.")
        };
        put(buf, list, list.y, &widgets::muted(theme, text));
        return;
    }
    let height = usize::from(list.height);
    let day = |i: usize| model.timeline_row(i).map(|e| e.occurred_at.date_naive());
    // Separators take rows: size the window so the selected event stays visible with them.
    let separators = |w: &std::ops::Range<usize>| {
        if !days {
            return 0;
        }
        w.clone()
            .filter(|&i| i == w.start || day(i) != day(i - 1))
            .count()
    };
    let mut window = state.timeline.window(selected, n, height);
    for _ in 0..2 {
        let k = separators(&window);
        if window.len() + k <= height {
            break;
        }
        window = state
            .timeline
            .window(selected, n, height.saturating_sub(k).max(1));
    }
    let mut y = list.y;
    for i in window.clone() {
        let Some(e) = model.timeline_row(i) else {
            continue;
        };
        if days && (i == window.start || day(i) != day(i - 1)) && y < list.bottom() {
            let label = e.occurred_at.format(" %A %Y-%m-%d ").to_string();
            let rule =
                "─".repeat(usize::from(list.width).saturating_sub(label.chars().count() + 2));
            put(
                buf,
                list,
                y,
                &Line::from(vec![
                    Span::styled("──", theme.muted),
                    Span::styled(label, theme.header),
                    Span::styled(rule, theme.muted),
                ]),
            );
            y += 1;
        }
        if y >= list.bottom() {
            break;
        }
        let line = event_row(model, e, &cols, &widths, i == selected);
        selectable_row(buf, theme, list, y, &line, i == selected, true);
        y += 1;
    }
}

/// The summary with the event's standing in the incident: ● recorded, ○ being written,
/// ✗ lost to a failed journal; ★ starred.
fn summary_text(model: &Model, e: &TimelineEvent) -> String {
    use crate::model::incident::RecordState;
    let mark = match model.incident.record_state(&e.id) {
        RecordState::Recorded => "● ",
        RecordState::Pending => "○ ",
        RecordState::Lost => "✗ ",
        RecordState::NotInIncident => "",
    };
    let star = if model.incident.starred.contains(&e.id) {
        "★ "
    } else {
        ""
    };
    format!("{mark}{star}{}", e.summary)
}

/// The open incident above the events: what it is, how long, which milestones, and whether
/// the journal is recording.
fn incident_header(model: &Model) -> Vec<Line<'static>> {
    use crate::incident::state::{Milestone, human_duration};
    use crate::model::incident::JournalHealth;
    let theme = &model.theme;
    let mut lines = Vec::new();
    if let JournalHealth::Failed(e) = &model.incident.journal {
        lines.push(Line::from(Span::styled(
            format!(
                " ✗ The journal failed: events are NOT recorded (✗ marks the lost ones). {}",
                format::one_line(e)
            ),
            theme.critical.add_modifier(Modifier::BOLD),
        )));
    }
    let Some(m) = model.incident.active() else {
        if model.incident.journal == JournalHealth::Ready {
            lines.push(widgets::muted(
                theme,
                " No incident open: i declares one (events from then on are recorded durably).",
            ));
        }
        return lines;
    };
    let from_impact = m.milestones.contains_key(&Milestone::ImpactStarted);
    // What matters at a glance first; the title (long) on its own line.
    let spans = vec![
        Span::styled(
            format!(" {} ", m.id),
            theme.accent.add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!("{} ", m.severity), theme.critical),
        Span::raw(format!("{} · ", m.status.as_str())),
        Span::raw(format!(
            "{} since {}",
            human_duration(model.now - m.impact_start()),
            if from_impact { "impact" } else { "declared" }
        )),
        Span::styled(
            format!(
                " · IC {} · {}",
                format::one_line(&m.commander),
                if m.services.is_empty() {
                    "no service named".to_string()
                } else {
                    format::one_line(&m.services.join(", "))
                },
            ),
            theme.muted,
        ),
    ];
    lines.push(Line::from(spans));
    lines.push(Line::from(Span::styled(
        format!(" {}", format::one_line(&m.title)),
        Style::default().add_modifier(Modifier::BOLD),
    )));
    let mut marks = Vec::new();
    for ms in Milestone::ALL.iter().skip(1) {
        if let Some(t) = m.milestones.get(ms) {
            marks.push(format!(
                "{} +{}",
                ms.title().to_lowercase(),
                human_duration(*t - m.impact_start())
            ));
        }
    }
    let mut second = vec![Span::styled(
        if marks.is_empty() {
            " no milestone marked yet (m)".to_string()
        } else {
            format!(" {}", marks.join(" · "))
        },
        theme.muted,
    )];
    second.push(Span::styled(
        "  · ● recorded ○ writing ★ starred",
        theme.muted,
    ));
    lines.push(Line::from(second));
    for w in model.incident.warnings.iter().take(2) {
        lines.push(Line::from(Span::styled(
            format!(" ⚠ journal: {}", format::one_line(w)),
            theme.warning,
        )));
    }
    lines
}

fn event_row<'a>(
    model: &Model,
    e: &'a TimelineEvent,
    cols: &'a [Col],
    widths: &'a [u16],
    selected: bool,
) -> Line<'a> {
    let theme = &model.theme;
    let summary_style = if e.highlight {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    };
    RowBuilder::new(cols, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(&e.occurred_at.format("%H:%M:%S").to_string(), theme.muted)
        .cell(source_word(e.source), theme.muted)
        .cell(e.kind.as_str(), widgets::event_style(theme, e.kind))
        .cell(e.refs.service.as_deref().unwrap_or(NONE), Style::default())
        .cell(
            if e.actor.is_empty() { NONE } else { &e.actor },
            theme.muted,
        )
        .cell(&summary_text(model, e), summary_style)
        .build()
}
