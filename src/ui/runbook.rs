//! The runbook pane, beside the triage view: the runbook's sections and steps with each item's
//! state, the variables the next command gets and where each came from, the selected command's
//! last output, and the confirmation of a command that needs one.

use crate::model::Model;
use crate::model::runbook_pane::{ItemState, RunbookPane};
use crate::runbook::{CommandKind, ItemBody};
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// Lines of the selected command's output shown under the steps.
const OUTPUT_LINES: usize = 8;

pub fn draw(model: &Model, pane: &RunbookPane, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let title = Line::from(vec![
        Span::raw(format!(" Runbook: {} ", shown(&pane.book.title))),
        Span::styled(format!("· {} ", shown(&pane.why)), theme.muted),
    ]);
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, title, true));
    if inner.is_empty() {
        return;
    }
    let mut head: Vec<Line> = Vec::new();
    for v in crate::update::runbook_vars(model, pane) {
        let (value, style) = match &v.value {
            Ok(value) => (format!("= {value}"), theme.text),
            Err(why) => (format!("✗ {why}"), theme.critical),
        };
        head.push(Line::from(vec![
            Span::styled(format!(" {} ", v.name), theme.accent),
            Span::styled(value, style),
            Span::styled(
                if v.origin.is_empty() || v.value.is_err() {
                    String::new()
                } else {
                    format!("  ({})", v.origin)
                },
                theme.muted,
            ),
        ]));
    }
    if !pane.others.is_empty() {
        head.push(widgets::muted(
            theme,
            format!(" also matched: {}", pane.others.join(", ")),
        ));
    }

    // The body: sections, steps, items; the cursor's item remembered to keep it in view.
    let actionable: Vec<String> = pane
        .actionable()
        .iter()
        .map(|(k, _)| k.to_string())
        .collect();
    let selected_key = actionable.get(pane.cursor).cloned();
    let mut body: Vec<Line> = Vec::new();
    let mut cursor_line = 0;
    for section in &pane.book.sections {
        body.push(Line::from(Span::styled(
            format!(" {}", shown(&section.title)),
            theme.header.add_modifier(Modifier::BOLD),
        )));
        for step in &section.steps {
            if !step.is_implicit() {
                body.push(Line::from(Span::styled(
                    format!(
                        "  {}{}",
                        step.number.map(|n| format!("{n}. ")).unwrap_or_default(),
                        shown(&step.title)
                    ),
                    theme.text.add_modifier(Modifier::BOLD),
                )));
            }
            for item in &step.items {
                let is_cursor = selected_key.as_deref() == Some(item.key.as_str());
                if is_cursor {
                    cursor_line = body.len();
                }
                let marker = if is_cursor { "›" } else { " " };
                let line = match &item.body {
                    ItemBody::Command(c) => {
                        let (glyph, style) = glyph(model, &pane.state(&item.key));
                        let kind = match c.kind {
                            CommandKind::Diagnose => "diagnose",
                            CommandKind::Check => "check",
                            CommandKind::Action => "action",
                        };
                        let first = c.text.lines().next().unwrap_or("");
                        let mut spans = vec![
                            Span::raw(format!("  {marker} ")),
                            Span::styled(format!("{glyph} "), style),
                            Span::styled(format!("{kind} "), theme.accent),
                            Span::raw(format!("{} ", c.name.as_deref().unwrap_or(""))),
                            Span::styled(format!("$ {}", shown(first)), theme.muted),
                        ];
                        if let Some(out) = pane.outputs.get(&item.key) {
                            spans.push(Span::styled(
                                format!("  {} · {} ms", out.exit, out.duration_ms),
                                style,
                            ));
                        }
                        Line::from(spans)
                    }
                    ItemBody::Task { text, .. } => {
                        let state = pane.state(&item.key);
                        let (glyph, style) = match state {
                            ItemState::Done => ("[x]", theme.ok),
                            ItemState::Skipped(_) => ("[-]", theme.muted),
                            _ => ("[ ]", theme.text),
                        };
                        Line::from(vec![
                            Span::raw(format!("  {marker} ")),
                            Span::styled(format!("{glyph} "), style),
                            Span::raw(shown(text)),
                        ])
                    }
                    ItemBody::Prose(text) | ItemBody::Code { text, .. } => {
                        let first = text.lines().next().unwrap_or("");
                        Line::from(Span::styled(format!("      {}", shown(first)), theme.muted))
                    }
                };
                let line = if is_cursor {
                    line.style(theme.selection)
                } else {
                    line
                };
                body.push(line);
            }
        }
    }

    // The selected command in full, or its confirmation, and its last output.
    let mut foot: Vec<Line> = Vec::new();
    if let Some(key) = &selected_key
        && let Some(cmd) = pane.command(key)
    {
        if let Some(pending) = pane.pending.as_ref().filter(|p| &p.key == key) {
            foot.push(Line::from(Span::styled(
                " This will run, exactly (sh -c), with these variables in its environment:",
                theme.warning.add_modifier(Modifier::BOLD),
            )));
            // Exactly: every line, as written (the body gives way to it below).
            for l in cmd.text.lines() {
                foot.push(Line::from(Span::raw(format!(
                    "   {}",
                    crate::sanitize::clean_line(l, 1000)
                ))));
            }
            if let Ok(env) = crate::update::runbook_environment(model, pane, &cmd.text) {
                for (k, v) in env.iter().filter(|(k, _)| !k.starts_with("SITREP_")) {
                    foot.push(Line::from(vec![
                        Span::styled(format!("   {k}="), theme.accent),
                        Span::raw(shown(v)),
                    ]));
                }
            }
            foot.extend(crate::ui::popups::argocd::confirmation_lines(
                model,
                &pending.confirm,
                "run it",
                "cancel",
            ));
        } else if let Some(out) = pane.outputs.get(key) {
            foot.push(widgets::muted(
                theme,
                format!(
                    " last run: {} · {} ms · o shows all of it",
                    out.exit, out.duration_ms
                ),
            ));
            let lines: Vec<&str> = out.output.lines().collect();
            for l in &lines[lines.len().saturating_sub(OUTPUT_LINES)..] {
                foot.push(Line::from(Span::raw(format!("   {}", shown(l)))));
            }
        } else if cmd.text.lines().count() > 1 {
            foot.push(widgets::muted(
                theme,
                format!(
                    " {} (not run yet):",
                    cmd.name.as_deref().unwrap_or("the command")
                ),
            ));
            for l in cmd.text.lines().take(4) {
                foot.push(widgets::muted(theme, format!("   {}", shown(l))));
            }
        }
    }

    // Head on top, foot at the bottom, the body scrolled so the cursor's item shows.
    let h = usize::from(inner.height);
    let head_h = head.len().min(h / 3);
    // A confirmation is shown whole, the steps give way; otherwise at most half.
    let foot_room = if pane.pending.is_some() {
        h.saturating_sub(head_h + 1)
    } else {
        h.saturating_sub(head_h) / 2
    };
    let foot_h = foot.len().min(foot_room);
    if pane.pending.is_some() && foot.len() > foot_room {
        // Not all of it fits: say so rather than confirm something not shown.
        foot.truncate(foot_room.saturating_sub(1));
        foot.push(Line::from(Span::styled(
            " the command does not fit: make the terminal taller to see it all before y",
            theme.critical,
        )));
    }
    let body_h = h.saturating_sub(head_h + foot_h + 1);
    let mut y = inner.y;
    for l in head.iter().take(head_h) {
        put(buf, inner, y, l);
        y += 1;
    }
    let start = cursor_line.saturating_sub(body_h.saturating_sub(2).max(1) / 2);
    let start = start.min(body.len().saturating_sub(body_h));
    for l in body.iter().skip(start).take(body_h) {
        put(buf, inner, y, l);
        y += 1;
    }
    let foot_y = inner.bottom().saturating_sub((foot_h + 1) as u16);
    for (i, l) in foot.iter().take(foot_h).enumerate() {
        put(buf, inner, foot_y + i as u16, l);
    }
    put(
        buf,
        inner,
        inner.bottom().saturating_sub(1),
        &widgets::muted(
            theme,
            " j/k step · enter run · o output · space tick · s skip · x cancel · esc close",
        ),
    );
}

fn glyph(model: &Model, state: &ItemState) -> (&'static str, ratatui::style::Style) {
    let theme = &model.theme;
    match state {
        ItemState::Pending => ("○", theme.muted),
        ItemState::Done => ("✓", theme.ok),
        ItemState::Passed => ("✓", theme.ok),
        ItemState::Skipped(_) => ("–", theme.muted),
        ItemState::Running(_) => ("…", theme.warning),
        ItemState::Failed(_) => ("✗", theme.critical),
    }
}

/// Runbook text (titles, prose, commands) and command output on one line, cleaned: a runbook
/// from a user's directory is outside text like any other.
fn shown(s: &str) -> String {
    crate::sanitize::clean_line(s, 500)
}
