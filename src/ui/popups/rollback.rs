//! The rollback form, stage by stage: pick the history entry (the last healthy one marked, the
//! auto-sync situation explained), dry run, see exactly what will happen and confirm (typing the
//! app's name on production), wait, then watch the app heal.

use crate::model::Model;
use crate::model::app::{HealthStatus, HistoryEntry, OperationPhase, SyncStatus};
use crate::model::popup::{RollbackForm, RollbackStage};
use crate::ui::argocd;
use crate::ui::format::{self, NONE};
use crate::ui::popups;
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

const LABEL_W: usize = 14;

/// What Argo CD does with auto-sync on, in the words the form shows.
pub const AUTOSYNC_EXPLAINED: &str = "Auto-sync is ON: Argo CD refuses rollbacks (and their dry runs) while it is on, and would re-sync to git right after. Press `a` to disable auto-sync, then roll back (one confirmed step). sitrep keeps an 'auto-sync OFF' reminder on the app until you re-enable it.";

const PICK_COLS: [Col; 6] = [
    Col::fixed("ID", 4, 0).right(),
    Col::flex("REVISION", 8, 20, 0),
    Col::fixed("DEPLOYED (UTC)", 14, 2),
    Col::flex("AGE", 4, 4, 3).right(),
    Col::flex("BY", 8, 18, 1),
    Col::flex("", 15, 15, 0),
];

pub fn draw(model: &Model, form: &RollbackForm, area: Rect, buf: &mut Buffer) {
    match form.stage {
        RollbackStage::Pick => pick(model, form, area, buf),
        RollbackStage::Watching => watching(model, form, area, buf),
        RollbackStage::DryRun(_) | RollbackStage::Confirm | RollbackStage::InFlight(_) => {
            summary(model, form, area, buf)
        }
    }
}

fn target(form: &RollbackForm) -> Option<&HistoryEntry> {
    form.entries.get(form.selected)
}

fn title<'a>(form: &RollbackForm, what: &str) -> Line<'a> {
    Line::from(format!(
        " {what} {} ",
        format::truncate(&form.key.to_string(), 60)
    ))
}

// --- Pick ---------------------------------------------------------------------------------

fn pick(model: &Model, form: &RollbackForm, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let app = model.apps.get(&form.key);
    let field = |l: &str, v: Vec<Span<'static>>| widgets::field(theme, l, LABEL_W, v);
    let w = popups::inner_width(area);

    let mut head: Vec<Line> = Vec::new();
    let mut now_at = match app {
        Some(app) => argocd::revision_spans(theme, app),
        None => vec![Span::styled(
            argocd::short_rev(&form.current_revision),
            theme.accent,
        )],
    };
    if let Some(app) = app {
        now_at.push(Span::raw("  "));
        now_at.push(Span::styled(
            app.health.word(),
            argocd::health_style(theme, app.health),
        ));
        now_at.push(Span::raw(" "));
        now_at.push(Span::styled(
            app.sync.word(),
            argocd::sync_style(theme, app.sync),
        ));
    }
    head.push(field("Now at", now_at));
    head.push(Line::from(Span::styled(
        "Roll back to (newest first):",
        theme.header,
    )));

    // Below the list: each fact once, the most pressing first (the rest may not fit).
    let mut tail: Vec<Line> = Vec::new();
    if let Some(problem) = &form.problem {
        tail.push(Line::from(Span::styled(
            format!("✗ {}", argocd::one_line(problem)),
            theme.critical,
        )));
    }
    let refusal = form.target_refusal();
    if let Some(why) = refusal {
        tail.push(Line::from(Span::styled(why, theme.warning)));
    }
    if form.auto_sync {
        tail.extend(autosync_box(model, form, w));
    }
    if form.last_healthy.is_none() && !form.entries.is_empty() {
        tail.push(widgets::muted(
            theme,
            "no earlier entry was seen Healthy by sitrep (Argo CD's history keeps no health)",
        ));
    }
    // The keys that work now, and only those.
    let blocked = form.auto_sync && !form.disable_auto_sync;
    let prune = if form.prune {
        " prune: yes · "
    } else {
        " prune: no · "
    };
    let mut hint = vec![("j/k", true), (" choose · ", false)];
    if refusal.is_none() && !blocked {
        hint.push(("Enter", true));
        hint.push((
            if form.auto_sync {
                " review (no dry run) · "
            } else {
                " dry run · "
            },
            false,
        ));
    }
    if blocked {
        hint.push(("a", true));
        hint.push((" disable auto-sync first · ", false));
    } else if form.auto_sync {
        hint.push(("a", true));
        hint.push((" keep auto-sync · ", false));
    }
    hint.push(("p", true));
    hint.push((prune, false));
    hint.push(("Esc", true));
    hint.push((" cancel", false));
    let last = [popups::key_hint(model, &hint)];

    let list_want = form.entries.len().max(1) + 1;
    let want = head.len() + list_want + tail.len() + last.len();
    let inner = popups::open_box(model, area, want as u16, title(form, "Roll back"), buf);
    if inner.is_empty() {
        return;
    }
    // Head, then the list in whatever room is left (at least the header and one row), then tail.
    let fixed = head.len() + tail.len() + last.len();
    let list_h = usize::from(inner.height).saturating_sub(fixed).max(2);
    let mut y = inner.y;
    for line in &head {
        put(buf, inner, y, line);
        y += 1;
    }
    let widths = columns::layout(&PICK_COLS, inner.width.saturating_sub(1));
    put(
        buf,
        inner,
        y,
        &columns::header(&PICK_COLS, &widths, 1, theme.header),
    );
    y += 1;
    let rows = list_h - 1;
    if form.entries.is_empty() {
        put(
            buf,
            inner,
            y,
            &widgets::muted(theme, " no history: nothing to roll back to"),
        );
    }
    // Keep the selection in view without state: scroll only as far as needed.
    let offset = form.selected.saturating_sub(rows.saturating_sub(1));
    for (row, (i, e)) in form
        .entries
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .enumerate()
    {
        let selected = i == form.selected;
        let line = entry_row(model, form, i, e, &widths, selected);
        widgets::selectable_row(buf, theme, inner, y + row as u16, &line, selected, true);
    }
    y += rows as u16;
    for line in &tail {
        if y >= inner.bottom().saturating_sub(1) {
            break;
        }
        put(buf, inner, y, line);
        y += 1;
    }
    put(buf, inner, inner.bottom() - 1, &last[0]);
}

/// The auto-sync explanation in a box of its own, all four sides drawn, `w` wide.
fn autosync_box<'a>(model: &Model, form: &RollbackForm, w: usize) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let side = |content: Vec<Span<'a>>| -> Line<'a> {
        let used: usize = content.iter().map(|s| format::width(&s.content)).sum();
        let mut spans = vec![Span::styled("│ ", theme.warning)];
        spans.extend(content);
        spans.push(Span::raw(" ".repeat(w.saturating_sub(4 + used))));
        spans.push(Span::styled(" │", theme.warning));
        Line::from(spans)
    };
    let mut lines = vec![Line::from(Span::styled(
        format!("┌ Auto-sync {}┐", "─".repeat(w.saturating_sub(13))),
        theme.warning,
    ))];
    for l in format::wrap(AUTOSYNC_EXPLAINED, w.saturating_sub(4), 6) {
        lines.push(side(vec![Span::raw(l)]));
    }
    let (mark, style) = if form.disable_auto_sync {
        ("[x]", theme.warning.add_modifier(Modifier::BOLD))
    } else {
        ("[ ]", theme.text)
    };
    lines.push(side(vec![
        Span::styled(mark, style),
        Span::raw(" "),
        Span::styled("disable auto-sync, then roll back", style),
        Span::styled("  a toggles", theme.muted),
    ]));
    lines.push(Line::from(Span::styled(
        format!("└{}┘", "─".repeat(w.saturating_sub(2))),
        theme.warning,
    )));
    lines
}

fn entry_row<'a>(
    model: &Model,
    form: &RollbackForm,
    i: usize,
    e: &'a HistoryEntry,
    widths: &'a [u16],
    selected: bool,
) -> Line<'a> {
    let theme = &model.theme;
    let (at, age) = match e.deployed_at {
        Some(t) => (
            crate::ui::deploys::when(model.now, t),
            format::age(model.now, t),
        ),
        None => (NONE.to_string(), NONE.to_string()),
    };
    // What runs is the newest entry; what sitrep saw each revision settle at.
    let seen = model
        .apps
        .get(&form.key)
        .and_then(|a| a.seen_health.get(&e.revision));
    let (note, note_style) = if i == 0 {
        ("current", theme.info)
    } else if e.revision == form.current_revision {
        ("same as current", theme.muted)
    } else if Some(i) == form.last_healthy {
        ("last healthy", theme.ok)
    } else if seen == Some(&HealthStatus::Degraded) {
        ("seen Degraded", theme.critical)
    } else if seen == Some(&HealthStatus::Healthy) {
        ("seen Healthy", theme.ok)
    } else {
        ("", theme.muted)
    };
    RowBuilder::new(&PICK_COLS, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(&e.id.to_string(), theme.muted)
        .cell(&argocd::short_rev(&e.revision), theme.accent)
        .cell(&at, Style::default())
        .cell(&age, theme.muted)
        .cell(
            &argocd::initiator(&e.initiated_by, e.automated),
            theme.muted,
        )
        .cell(note, note_style)
        .build()
}

// --- DryRun / Confirm / InFlight ----------------------------------------------------------

fn summary(model: &Model, form: &RollbackForm, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let field = |l: &str, v: Vec<Span<'static>>| widgets::field(theme, l, LABEL_W, v);
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        "This rollback will happen:",
        theme.header,
    ))];
    let url = model
        .source(&form.key.instance)
        .map(|s| format!("  {}", s.url))
        .unwrap_or_default();
    lines.push(field(
        "  Instance",
        vec![
            Span::styled(form.key.instance.clone(), theme.accent),
            Span::styled(url, theme.muted),
        ],
    ));
    let project = model
        .apps
        .get(&form.key)
        .map(|a| format!(", project {}", a.project))
        .unwrap_or_default();
    let mut app = vec![
        Span::styled(form.key.name.clone(), theme.accent),
        Span::styled(
            format!("  (namespace {}{project})", form.key.namespace),
            theme.muted,
        ),
    ];
    if form.production {
        app.push(Span::raw("  "));
        app.push(widgets::badge(" PRODUCTION ", theme.warning));
    }
    lines.push(field("  App", app));
    lines.push(field(
        "  From",
        vec![
            Span::styled(argocd::short_rev(&form.current_revision), theme.accent),
            Span::styled("  (what runs now)", theme.muted),
        ],
    ));
    match target(form) {
        Some(e) => {
            let mut details = format!("  (history id {}", e.id);
            if let Some(t) = e.deployed_at {
                details.push_str(&format!(", deployed {}", format::utc(t)));
            }
            let by = argocd::initiator(&e.initiated_by, e.automated);
            if by != NONE {
                details.push_str(&format!(" by {by}"));
            }
            details.push(')');
            lines.push(field(
                "  To",
                vec![
                    Span::styled(
                        format!("→ {}", argocd::short_rev(&e.revision)),
                        theme.accent.add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(details, theme.muted),
                ],
            ));
        }
        None => lines.push(field(
            "  To",
            vec![Span::styled("no history entry chosen", theme.critical)],
        )),
    }
    lines.push(field(
        "  Prune",
        vec![Span::raw(if form.prune {
            "yes: resources not in the old revision are deleted"
        } else {
            "no: resources not in the old revision are left in place"
        })],
    ));
    let auto = if !form.auto_sync {
        Span::styled(
            "off, and stays off: Argo CD will not re-sync to git",
            theme.text,
        )
    } else if form.disable_auto_sync {
        Span::styled(
            "ON → turned OFF first (same confirmation), then the rollback; sitrep keeps an 'auto-sync OFF' reminder until you re-enable it",
            theme.warning,
        )
    } else {
        Span::styled(
            "ON: Argo CD will refuse this rollback (go back and press a to disable it first)",
            theme.critical,
        )
    };
    let auto_w = popups::inner_width(area).saturating_sub(LABEL_W);
    for (i, l) in format::wrap(&auto.content, auto_w.max(10), 3)
        .into_iter()
        .enumerate()
    {
        let label = if i == 0 { "  Auto-sync" } else { "" };
        lines.push(field(label, vec![Span::styled(l, auto.style)]));
    }
    match &form.dry_run {
        _ if form.dry_run_skipped => lines.push(field(
            "  Dry run",
            vec![Span::styled(
                "none: Argo CD cannot dry-run a rollback while auto-sync is on",
                theme.warning,
            )],
        )),
        Some(watch) => lines.extend(popups::argocd::dry_run_lines(
            model,
            watch,
            &form.key.instance,
            "  Dry run",
        )),
        None => lines.push(field("  Dry run", vec![Span::styled("none", theme.muted)])),
    }
    lines.push(Line::default());
    if let Some(problem) = &form.problem {
        for l in format::wrap(
            &format!("✗ {}", argocd::one_line(problem)),
            popups::inner_width(area).max(10),
            3,
        ) {
            lines.push(Line::from(Span::styled(l, theme.critical)));
        }
    }

    let last: Vec<Line> = match form.stage {
        RollbackStage::DryRun(_) => vec![popups::key_hint(
            model,
            // Esc only hides the popup: the request is not withdrawn.
            &[
                ("dry run… ", false),
                ("Esc", true),
                (" closes this; the request still completes", false),
            ],
        )],
        RollbackStage::InFlight(_) => vec![Line::from(Span::styled(
            format!(
                "rolling back… waiting for {} (pressing again does nothing)",
                form.key.instance
            ),
            theme.info,
        ))],
        // Argo CD would refuse the rollback while its dry run still runs.
        _ if form
            .dry_run
            .as_ref()
            .is_some_and(|w| w.running(model.apps.get(&form.key))) =>
        {
            vec![popups::key_hint(
                model,
                &[
                    ("waiting for the dry run's result… ", false),
                    ("Esc", true),
                    (" to go back", false),
                ],
            )]
        }
        _ => popups::argocd::confirmation_lines(model, &form.confirm, "roll back", "go back"),
    };
    let what = match form.stage {
        RollbackStage::DryRun(_) => "Dry run: roll back",
        RollbackStage::InFlight(_) => "Rolling back",
        _ => "Confirm rollback of",
    };
    let inner = popups::open_box(
        model,
        area,
        (lines.len() + last.len()) as u16,
        title(form, what),
        buf,
    );
    popups::fill(model, inner, &lines, &last, buf);
}

// --- Watching -----------------------------------------------------------------------------

fn watching(model: &Model, form: &RollbackForm, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let field = |l: &str, v: Vec<Span<'static>>| widgets::field(theme, l, LABEL_W, v);
    let to = target(form)
        .map(|e| argocd::short_rev(&e.revision))
        .unwrap_or_else(|| NONE.to_string());
    let mut lines: Vec<Line> = vec![Line::from(vec![
        Span::styled("Rollback accepted", theme.ok),
        Span::styled(
            format!(": {} → ", argocd::short_rev(&form.current_revision)),
            theme.text,
        ),
        Span::styled(to.clone(), theme.accent),
        Span::styled(". Watching the app heal:", theme.text),
    ])];
    let verdict: Line;
    match model.apps.get(&form.key) {
        Some(app) => {
            let mut health = vec![Span::styled(
                app.health.word(),
                argocd::health_style(theme, app.health),
            )];
            if !app.health_message.is_empty() {
                health.push(Span::raw(format!(
                    ": {}",
                    argocd::one_line(&app.health_message)
                )));
            }
            lines.push(field("  Health", health));
            lines.push(field(
                "  Sync",
                vec![
                    Span::styled(app.sync.word(), argocd::sync_style(theme, app.sync)),
                    Span::styled("  running ", theme.muted),
                ]
                .into_iter()
                .chain(argocd::revision_spans(theme, app))
                .collect(),
            ));
            let op = match &app.operation {
                Some(o) => {
                    let mut v = vec![Span::styled(
                        argocd::phase_word(o.phase),
                        argocd::phase_style(theme, o.phase),
                    )];
                    if !o.message.is_empty() {
                        v.push(Span::raw(format!(": {}", argocd::one_line(&o.message))));
                    }
                    v
                }
                None => vec![Span::styled(NONE, theme.muted)],
            };
            lines.push(field("  Operation", op));
            let (auto, style) = argocd::autosync(model, app);
            let mut auto_spans = vec![Span::styled(auto, style)];
            if argocd::reminder(model, &form.key) {
                auto_spans = vec![Span::styled(
                    format!(
                        "{} {}",
                        argocd::AUTOSYNC_OFF_GLYPH,
                        argocd::AUTOSYNC_OFF_SHORT
                    ),
                    theme.warning,
                )];
            }
            lines.push(field("  Auto-sync", auto_spans));
            let failed = app
                .operation
                .as_ref()
                .is_some_and(|o| matches!(o.phase, OperationPhase::Failed | OperationPhase::Error));
            verdict = if failed {
                Line::from(Span::styled(
                    "✗ the rollback operation failed: see the message above",
                    theme.critical,
                ))
            } else if app.health == HealthStatus::Healthy
                && app.sync != SyncStatus::Unknown
                && !app.operation_running()
            {
                Line::from(Span::styled(
                    format!("✓ healed: Healthy, running {}", argocd::deployed(app)),
                    theme.ok,
                ))
            } else {
                Line::from(Span::styled("… not healthy yet", theme.info))
            };
        }
        None => {
            verdict = Line::from(Span::styled(
                "the app is no longer listed by Argo CD",
                theme.warning,
            ));
        }
    }
    lines.push(Line::default());
    lines.push(verdict);
    let last = [popups::key_hint(
        model,
        &[
            ("Esc", true),
            (" to close; the timeline records the outcome", false),
        ],
    )];
    let inner = popups::open_box(
        model,
        area,
        (lines.len() + last.len()) as u16,
        title(form, "Rolling back"),
        buf,
    );
    popups::fill(model, inner, &lines, &last, buf);
}
