//! The staged sync's plan, shown once to confirm: what happens in which order, each app with
//! its diff stat, and how it is confirmed (the number of apps typed when production is in it).

use crate::model::Model;
use crate::model::drift_sync::wave_word;
use crate::ui::format;
use crate::ui::widgets::put;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let Some(plan) = &model.drift_screen.plan else {
        return;
    };
    let width = area.width.saturating_sub(4).min(96);
    let inner_w = usize::from(width.saturating_sub(2));
    let key = model.keymap.hint(crate::action::Action::Terminate);
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        format::truncate(
            &format!("Staged sync of {}", format::one_line(&plan.summary)),
            inner_w,
        ),
        theme.header,
    ))];
    // The rules, wrapped (never cut: they are what is being agreed to).
    for (text, style) in [
        (
            "1. A dry run of every app; nothing changes unless all pass.".to_string(),
            theme.text,
        ),
        (
            "2. The canary (Healthy for 30 s), then each wave once every app before it is Synced and Healthy."
                .to_string(),
            theme.text,
        ),
        (
            format!(
                "3. The first failure or a Degraded app stops it; {key} cancels before the next wave."
            ),
            theme.text,
        ),
        (
            "Without prune; nothing is retried; nothing starts by itself.".to_string(),
            theme.muted,
        ),
    ] {
        for l in format::wrap(&text, inner_w, 3) {
            lines.push(Line::from(Span::styled(l, style)));
        }
    }
    lines.push(Line::from(""));
    // Room for the apps: the box's height less the text around them.
    let room = usize::from(area.height.saturating_sub(lines.len() as u16 + 6)).max(2);
    let total = plan.app_count();
    let name_w = (inner_w / 3).clamp(12, 32);
    let mut listed = 0;
    'waves: for (i, wave) in plan.waves.iter().enumerate() {
        for (j, app) in wave.iter().enumerate() {
            if listed + 1 >= room && listed + 1 < total {
                lines.push(Line::from(Span::styled(
                    format!("  … and {} more apps", total - listed),
                    theme.muted,
                )));
                break 'waves;
            }
            let label = if j == 0 {
                wave_word(i, plan.waves.len())
            } else {
                String::new()
            };
            let mut spans = vec![
                Span::styled(format!("  {}", format::fit(&label, 12)), theme.accent),
                Span::styled(format::fit(&app.key.name, name_w), theme.text),
            ];
            spans.push(if app.production {
                Span::styled("PROD ", theme.critical)
            } else {
                Span::raw("     ")
            });
            spans.push(Span::styled(app.stat.clone(), theme.muted));
            if app.needs_prune {
                spans.push(Span::styled("  needs prune", theme.warning));
            }
            if let Some(rev) = &app.revision {
                spans.push(Span::styled(
                    format!("  → {}", crate::model::app::short_sha(rev)),
                    theme.muted,
                ));
            }
            lines.push(Line::from(spans));
            listed += 1;
        }
    }
    lines.push(Line::from(""));
    let prune = plan.apps().filter(|a| a.needs_prune).count();
    if prune > 0 {
        let text = format!(
            "{prune} app(s) need prune, which this plan does not do: they stay OutOfSync and the plan stops there."
        );
        for l in format::wrap(&text, inner_w, 2) {
            lines.push(Line::from(Span::styled(l, theme.warning)));
        }
    }
    if plan.production > 0 {
        lines.push(Line::from(Span::styled(
            format!(
                "{} production app(s) in it: type {} (the number of apps) and Enter.",
                plan.production, total
            ),
            theme.warning,
        )));
    }
    lines.extend(super::argocd::confirmation_lines(
        model,
        &plan.confirm,
        "start the dry runs",
        "cancel",
    ));
    let height = (lines.len() as u16 + 2).min(area.height);
    let inner = super::open(
        model,
        buf,
        area,
        (width, height),
        super::frame(model, Line::from(" Staged sync ")),
    );
    for (i, line) in lines.iter().enumerate() {
        if (i as u16) < inner.height {
            put(buf, inner, inner.y + i as u16, line);
        }
    }
}
