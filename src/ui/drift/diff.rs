//! The diff pane: the group's cause on top (for a `git` group the commit and how to revert
//! it), then the diff document — each resource's title, note, changed paths with their writer,
//! and its unified diff (`+` lines in the ok colour, `-` in the critical one, hunk headers in
//! info, context muted). Long lines are cut at the pane's edge and scroll with ←/→. Only the
//! visible lines are formatted.

use crate::config::theme::Theme;
use crate::drift::{CauseKind, LineKind};
use crate::model::Model;
use crate::model::app::short_sha;
use crate::model::drift::DriftGroup;
use crate::model::drift_view::{self, DeployDiffState, DocLine, DriftFocus};
use crate::ui::format;
use crate::ui::widgets::{self, put, put_right};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// The style of a diff line of this kind.
pub fn diff_line_style(theme: &Theme, kind: LineKind) -> Style {
    match kind {
        LineKind::Added => theme.ok,
        LineKind::Removed => theme.critical,
        LineKind::Hunk => theme.info,
        LineKind::Context => theme.muted,
    }
}

/// The group's cause, above its diffs: for `git`, the commit and the revert sentence.
pub fn group_header_lines<'a>(model: &Model, g: &DriftGroup, width: usize) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let mut out = Vec::new();
    match (g.cause, &g.revision) {
        (CauseKind::Git, Some(rev)) => {
            let sha = short_sha(&rev.to).to_string();
            let mut head = vec![Span::styled(
                format!("commit {sha}"),
                theme.info.add_modifier(Modifier::BOLD),
            )];
            match &g.meta {
                Some(meta) => {
                    let mut who = format!(" · {}", format::truncate(&meta.author, 40));
                    if let Some(date) = meta.date {
                        who.push_str(&format!(" · {} ago", format::age(model.now, date)));
                    }
                    head.push(Span::styled(who, theme.text));
                    out.push(Line::from(head));
                    out.push(Line::from(Span::styled(
                        format!(
                            "“{}”",
                            format::truncate(&format::one_line(meta.subject()), width.max(8) - 4)
                        ),
                        theme.text,
                    )));
                }
                None => {
                    head.push(Span::styled(
                        " · author and message not fetched yet",
                        theme.muted,
                    ));
                    out.push(Line::from(head));
                }
            }
            // One line when it fits, else the command on a line of its own (never cut).
            let advice = "If this change was not intended, revert the commit:";
            let command = format!("git revert {sha} (y copies)");
            if format::width(advice) + 1 + format::width(&command) <= width {
                out.push(Line::from(Span::styled(
                    format!("{advice} {command}"),
                    theme.warning,
                )));
            } else {
                out.push(Line::from(Span::styled(
                    format::truncate(advice, width),
                    theme.warning,
                )));
                out.push(Line::from(Span::styled(
                    format!("  {command}"),
                    theme.warning,
                )));
            }
        }
        _ => {
            out.push(Line::from(Span::styled(
                format::truncate(&format::one_line(&g.summary), width),
                super::list::cause_style(theme, g.cause),
            )));
            if let Some(error) = &g.error {
                out.push(Line::from(Span::styled(
                    format::truncate(&format::one_line(error), width),
                    theme.warning,
                )));
            }
        }
    }
    out
}

/// The Drift screen's right (or lower) pane.
pub fn pane(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let s = &model.drift_screen;
    let focused = s.focus == DriftFocus::Diff;
    let inner = widgets::draw_pane(
        buf,
        area,
        widgets::pane(theme, Line::from(" Diff "), focused),
    );
    if inner.height == 0 {
        return;
    }
    // The group of the opened diff, else of the selection.
    let group_id = s
        .opened
        .as_ref()
        .map(|o| o.group_id.as_str())
        .or_else(|| s.selected().map(|r| r.group_id()));
    let mut body = inner;
    if let Some(g) = group_id.and_then(|id| model.drift.groups.iter().find(|g| g.id == id)) {
        for line in group_header_lines(model, g, usize::from(inner.width)) {
            if body.height < 2 {
                break;
            }
            put(buf, body, body.y, &line);
            body.y += 1;
            body.height -= 1;
        }
        // A blank line before the diff where there is room for it.
        if body.height >= 12 {
            body.y += 1;
            body.height -= 1;
        }
    }
    if s.opened.is_none() {
        put(
            buf,
            body,
            body.y,
            &widgets::muted(theme, "Enter on a resource opens its diff here."),
        );
        return;
    }
    document(model, area, body, buf);
}

/// Deploy diff mode: `what checkout-prod 74dd23a changed since 0765b95`, then its diffs.
pub fn deploy(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let Some(d) = &model.drift_screen.deploy else {
        return;
    };
    let revs = |r: &[String]| {
        r.iter()
            .map(|r| short_sha(r).to_string())
            .collect::<Vec<_>>()
            .join("+")
    };
    let title = if d.from.is_empty() {
        format!(
            " what {} {} changed (no deploy before it) ",
            d.key.name,
            revs(&d.to)
        )
    } else {
        format!(
            " what {} {} changed since {} ",
            d.key.name,
            revs(&d.to),
            revs(&d.from)
        )
    };
    let inner = widgets::draw_pane(
        buf,
        area,
        widgets::pane(theme, Line::from(format::truncate(&title, 100)), true),
    );
    if inner.height == 0 {
        return;
    }
    match &d.state {
        DeployDiffState::Loading => put(
            buf,
            inner,
            inner.y,
            &widgets::muted(
                theme,
                "Loading: asking Argo CD for the rendered manifests of both revisions…",
            ),
        ),
        DeployDiffState::Failed(why) => put(
            buf,
            inner,
            inner.y,
            &Line::from(Span::styled(
                format!("Could not read what it changed: {}", format::one_line(why)),
                theme.critical,
            )),
        ),
        DeployDiffState::Ready(diffs) if diffs.is_empty() => put(
            buf,
            inner,
            inner.y,
            &widgets::muted(
                theme,
                "The rendered manifests of the two revisions are the same.",
            ),
        ),
        DeployDiffState::Ready(_) => document(model, area, inner, buf),
    }
}

/// The visible lines of the document from `diff_top`, and the footer on the pane's border.
fn document(model: &Model, outer: Rect, body: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let s = &model.drift_screen;
    let doc = s.document();
    let total = drift_view::doc_len(doc);
    let top = s.diff_top.selected.min(total.saturating_sub(1));
    let lines = drift_view::doc_lines(doc, top, usize::from(body.height));
    let width = usize::from(body.width);
    for (n, l) in lines.iter().enumerate() {
        let line = doc_line(model, l, s.diff_left, width);
        put(buf, body, body.y + n as u16, &line);
    }
    // Footer: where we are, and that long lines are cut (not wrapped).
    if outer.height >= 2 && outer.width > 4 {
        let border = Rect::new(outer.x + 1, outer.bottom() - 1, outer.width - 2, 1);
        let left = if s.diff_left > 0 {
            format!(" long lines cut: ←/→ scroll (col {}) ", s.diff_left + 1)
        } else {
            " long lines cut: ←/→ scroll ".to_string()
        };
        put(
            buf,
            border,
            border.y,
            &Line::from(Span::styled(left, theme.muted)),
        );
        let end = (top + lines.len()).min(total);
        let note = format!(" {}–{end} of {total} ", top + 1);
        put_right(
            buf,
            border,
            border.y,
            &Line::from(Span::styled(note, theme.muted)),
        );
    }
}

/// Characters `left` on of `text` (horizontal scroll), at most `width`.
fn window(text: &str, left: usize, width: usize) -> String {
    text.chars().skip(left).take(width).collect()
}

fn doc_line<'a>(model: &Model, l: &DocLine<'_>, left: usize, width: usize) -> Line<'a> {
    let theme = &model.theme;
    match l {
        DocLine::Title(r) => {
            let change = match r.change {
                crate::drift::ResourceChange::Modified => "modified",
                crate::drift::ResourceChange::Missing => "missing (a sync creates it)",
                crate::drift::ResourceChange::Extra => "extra (not in Git)",
                crate::drift::ResourceChange::Added => "added by this deploy",
                crate::drift::ResourceChange::Removed => "removed by this deploy",
            };
            Line::from(vec![
                Span::styled(
                    // Room for the change word, the counts and the sides after it.
                    format::truncate(
                        &drift_view::resource_name(r),
                        width.saturating_sub(42).max(16),
                    ),
                    theme.header.add_modifier(Modifier::BOLD),
                ),
                Span::styled(format!("  {change}  "), theme.muted),
                Span::styled(format!("+{}", r.added), theme.ok),
                Span::styled(format!(" −{}", r.removed), theme.critical),
                // Which side is which: Argo CD's diff reads live → desired.
                Span::styled(
                    if model.drift_screen.deploy.is_some() {
                        "   (− before, + after)"
                    } else {
                        "   (− live, + Git)"
                    },
                    theme.muted,
                ),
            ])
        }
        DocLine::Note(note) => Line::from(Span::styled(
            format!("⚠ {}", format::one_line(note)),
            theme.warning,
        )),
        DocLine::Masked => Line::from(Span::styled(
            "Secret: values hidden; changed keys only",
            theme.warning,
        )),
        DocLine::Path(p) => {
            let mut spans = vec![Span::styled(
                format!("  {}", format::truncate(&p.path, 80)),
                theme.text,
            )];
            // Who last wrote a field answers "who changed it" for live drift. Under a Git,
            // chart or spec change a field Argo CD itself wrote is just the last sync (noise);
            // anyone else (a kubectl edit beside the commit) is still worth naming.
            let live = model.drift_screen.opened.as_ref().is_some_and(|o| {
                model
                    .drift
                    .apps
                    .get(&o.drift.key)
                    .is_some_and(|e| e.cause.kind == crate::drift::CauseKind::Live)
            });
            let shown = p
                .writer
                .as_ref()
                .filter(|w| live || !w.manager.starts_with("argocd"));
            if let Some(w) = shown {
                let mut who = format!(" ← {}", format::truncate(&w.manager, 40));
                let sub = if w.subresource.is_empty() {
                    String::new()
                } else {
                    format!(", {}", w.subresource)
                };
                who.push_str(&format!(" ({}{sub})", w.operation));
                if let Some(t) = w.time {
                    who.push_str(&format!(" {} ago", format::age(model.now, t)));
                }
                spans.push(Span::styled(who, theme.muted));
            }
            Line::from(spans)
        }
        DocLine::MorePaths(n) => Line::from(Span::styled(
            format!("  … and {n} more changed paths"),
            theme.muted,
        )),
        DocLine::Diff(d) => {
            let style = diff_line_style(theme, d.kind);
            let marker = match d.kind {
                LineKind::Hunk => "",
                LineKind::Context => " ",
                LineKind::Added => "+",
                LineKind::Removed => "-",
            };
            let text = window(&d.text, left, width.saturating_sub(1));
            Line::from(vec![Span::styled(marker, style), Span::styled(text, style)])
        }
    }
}
