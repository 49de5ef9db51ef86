//! The silence form: fill in (Edit), see exactly what will be sent (Confirm), wait (InFlight).

use crate::model::Model;
use crate::model::popup::{FormStage, SILENCE_PRESETS, SilenceField, SilenceForm};
use crate::ui::format;
use crate::ui::popups;
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use ratatui_textarea::TextArea;

const LABEL_W: usize = 15;
/// Rows given to the comment editor.
const COMMENT_H: u16 = 2;

/// Seconds of the selected duration preset (the first one if the index is out of range).
fn preset(form: &SilenceForm) -> (&'static str, i64) {
    SILENCE_PRESETS
        .get(form.duration)
        .copied()
        .unwrap_or(SILENCE_PRESETS[0])
}

pub fn draw(model: &Model, form: &SilenceForm, area: Rect, buf: &mut Buffer) {
    match form.stage {
        FormStage::Edit => edit(model, form, area, buf),
        FormStage::Confirm | FormStage::InFlight(_) => confirm(model, form, area, buf),
    }
}

fn label<'a>(model: &Model, text: &str, focused: bool) -> Span<'a> {
    let theme = &model.theme;
    if focused {
        Span::styled(format::fit(&format!("› {text}"), LABEL_W), theme.accent)
    } else {
        Span::styled(format::fit(&format!("  {text}"), LABEL_W), theme.header)
    }
}

fn edit(model: &Model, form: &SilenceForm, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let w = area.width.saturating_sub(2).min(96);
    let h = area.height.min(15);
    let block = popups::frame(model, Line::from(" New silence "));
    let inner = popups::open(model, buf, area, (w, h), block);
    if inner.is_empty() {
        return;
    }
    let value_x = inner.x + LABEL_W as u16;
    let value_w = inner.width.saturating_sub(LABEL_W as u16);
    let value_rect = |y: u16, h: u16| Rect::new(value_x, y, value_w, h).intersection(inner);
    let mut y = inner.y;

    // Target Alertmanager.
    let mut target = vec![
        label(model, "Alertmanager", form.field == SilenceField::Target),
        Span::styled(form.source.clone(), theme.text),
    ];
    if form.targets.len() > 1 {
        target.push(Span::styled(
            if form.field == SilenceField::Target {
                format!("  ←/→ to change ({} Alertmanagers)", form.targets.len())
            } else {
                format!(
                    "  (1 of {}: tab to this field, then ←/→)",
                    form.targets.len()
                )
            },
            theme.muted,
        ));
    }
    put(buf, inner, y, &Line::from(target));
    y += 1;

    // Matchers: the editor, then what they parse to.
    let focused = form.field == SilenceField::Matchers;
    put(
        buf,
        inner,
        y,
        &Line::from(label(model, "Matchers", focused)),
    );
    textarea(model, &form.matchers, focused, value_rect(y, 1), buf);
    y += 1;
    let parsed = match &form.parsed {
        Ok(m) if m.is_empty() => Span::styled("add at least one matcher", theme.warning),
        Ok(_) => Span::styled(
            format!(
                "✓ matches {} alert{}",
                form.affected,
                if form.affected == 1 { "" } else { "s" }
            ),
            if form.affected == 0 {
                theme.warning
            } else {
                theme.ok
            },
        ),
        Err(e) => Span::styled(format!("✗ {}", format::one_line(e)), theme.critical),
    };
    put(
        buf,
        inner,
        y,
        &Line::from(vec![Span::raw(" ".repeat(LABEL_W)), parsed]),
    );
    y += 1;

    // Duration presets, the chosen one highlighted, and the resulting end time.
    let focused = form.field == SilenceField::Duration;
    let mut spans = vec![label(model, "Duration", focused)];
    for (i, (name, _)) in SILENCE_PRESETS.iter().enumerate() {
        let chosen = i == form.duration;
        spans.push(Span::styled(
            if chosen {
                format!("[{name}]")
            } else {
                format!(" {name} ")
            },
            if chosen { theme.selection } else { theme.muted },
        ));
    }
    put(buf, inner, y, &Line::from(spans));
    y += 1;
    let (name, secs) = preset(form);
    let ends = model.now + chrono::Duration::seconds(secs);
    put(
        buf,
        inner,
        y,
        &Line::from(vec![
            Span::raw(" ".repeat(LABEL_W)),
            Span::styled(
                format!("ends {} ({name} from now)", format::utc(ends)),
                theme.muted,
            ),
        ]),
    );
    y += 1;

    // Comment editor.
    let focused = form.field == SilenceField::Comment;
    put(buf, inner, y, &Line::from(label(model, "Comment", focused)));
    textarea(model, &form.comment, focused, value_rect(y, COMMENT_H), buf);
    y += COMMENT_H;

    put(
        buf,
        inner,
        y,
        &Line::from(vec![
            label(model, "Author", false),
            Span::raw(form.author.clone()),
        ]),
    );
    y += 2;

    if let Some(problem) = &form.problem {
        put(
            buf,
            inner,
            y,
            &Line::from(Span::styled(format!("✗ {problem}"), theme.critical)),
        );
    }
    let hints = "tab next field · ←/→ change · enter review · esc cancel";
    put(
        buf,
        inner,
        inner.bottom().saturating_sub(1),
        &widgets::muted(theme, hints),
    );
}

/// The focused editor is the textarea widget itself (with its cursor); the others show their
/// text plainly, so only one cursor is ever on screen.
pub(super) fn textarea(
    model: &Model,
    ta: &TextArea<'static>,
    focused: bool,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    if area.is_empty() {
        return;
    }
    if focused {
        ta.render(area, buf);
        return;
    }
    if ta.is_empty() {
        put(buf, area, area.y, &widgets::muted(theme, "(empty)"));
        return;
    }
    for (i, l) in ta.lines().iter().take(usize::from(area.height)).enumerate() {
        put(buf, area, area.y + i as u16, &Line::raw(l.clone()));
    }
}

fn confirm(model: &Model, form: &SilenceForm, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let in_flight = matches!(form.stage, FormStage::InFlight(_));
    let (_, secs) = preset(form);
    let starts = model.now;
    let ends = starts + chrono::Duration::seconds(secs);
    let field = |l: &str, v: Vec<Span<'static>>| widgets::field(theme, l, LABEL_W, v);

    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::from(Span::styled(
        "This silence will be created:",
        theme.header,
    )));
    let url = model
        .source(&form.source)
        .map(|s| format!("  {}", s.url))
        .unwrap_or_default();
    lines.push(field(
        "  Alertmanager",
        vec![
            Span::styled(form.source.clone(), theme.accent),
            Span::styled(url, theme.muted),
        ],
    ));
    match &form.parsed {
        Ok(matchers) => {
            for (i, m) in matchers.iter().enumerate() {
                let l = if i == 0 { "  Matchers" } else { "" };
                lines.push(field(l, vec![Span::raw(m.to_string())]));
            }
            if matchers.is_empty() {
                lines.push(field(
                    "  Matchers",
                    vec![Span::styled("none", theme.critical)],
                ));
            }
        }
        Err(e) => lines.push(field(
            "  Matchers",
            vec![Span::styled(
                format!("✗ {}", format::one_line(e)),
                theme.critical,
            )],
        )),
    }
    lines.push(field(
        "  Starts",
        vec![
            Span::raw(format::utc(starts)),
            Span::styled("  (now)", theme.muted),
        ],
    ));
    lines.push(field(
        "  Ends",
        vec![
            Span::raw(format::utc(ends)),
            Span::styled(
                format!("  (in {})", format::duration_exact(secs)),
                theme.muted,
            ),
        ],
    ));
    lines.push(field("  Created by", vec![Span::raw(form.author.clone())]));
    let comment: Vec<&String> = form.comment.lines().iter().collect();
    if comment.iter().all(|l| l.is_empty()) {
        lines.push(field(
            "  Comment",
            vec![Span::styled("(empty)", theme.warning)],
        ));
    } else {
        for (i, l) in comment.iter().enumerate() {
            let label = if i == 0 { "  Comment" } else { "" };
            lines.push(field(label, vec![Span::raw((*l).clone())]));
        }
    }
    lines.push(field(
        "  Affects",
        vec![Span::raw(format!(
            "{} alert{} currently matching",
            form.affected,
            if form.affected == 1 { "" } else { "s" }
        ))],
    ));
    lines.push(Line::default());
    if let Some(problem) = &form.problem {
        lines.push(Line::from(Span::styled(
            format!("✗ {problem}"),
            theme.critical,
        )));
    }
    popups::confirm_box(
        model,
        area,
        buf,
        &lines,
        in_flight,
        96,
        popups::ConfirmWords {
            title: " Confirm silence ",
            title_sent: " Creating silence… ",
            verb: "create",
            back: "edit",
            waiting: format!("creating… waiting for {}", form.source),
        },
    );
}
