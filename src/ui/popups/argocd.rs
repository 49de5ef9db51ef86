//! The other Argo CD mutations: the sync form (revision, prune, dry run; the app's name typed on
//! production) and the one-step confirmations (terminate the running operation, re-enable
//! auto-sync), each showing exactly what will happen.

use crate::model::Model;
use crate::model::app::{App, AppKey, OperationPhase, ResourceResult};
use crate::model::popup::{
    ConfirmAction, ConfirmKind, Confirmation, DryRunWatch, FormStage, SyncForm,
};
use crate::ui::argocd;
use crate::ui::format::{self, NONE};
use crate::ui::popups;
use crate::ui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

const LABEL_W: usize = 14;

fn title<'a>(what: &str, key: &AppKey) -> Line<'a> {
    Line::from(format!(
        " {what} {} ",
        format::truncate(&key.to_string(), 60)
    ))
}

/// Instance (with its URL) and app (namespace, project, production badge) lines.
fn target_lines<'a>(model: &Model, key: &AppKey, production: bool) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let url = model
        .source(&key.instance)
        .map(|s| format!("  {}", s.url))
        .unwrap_or_default();
    let project = model
        .apps
        .get(key)
        .map(|a| format!(", project {}", a.project))
        .unwrap_or_default();
    let mut app = vec![
        Span::styled(key.name.clone(), theme.accent),
        Span::styled(
            format!("  (namespace {}{project})", key.namespace),
            theme.muted,
        ),
    ];
    if production {
        app.push(Span::raw("  "));
        app.push(widgets::badge(" PRODUCTION ", theme.warning));
    }
    vec![
        widgets::field(
            theme,
            "  Instance",
            LABEL_W,
            vec![
                Span::styled(key.instance.clone(), theme.accent),
                Span::styled(url, theme.muted),
            ],
        ),
        widgets::field(theme, "  App", LABEL_W, app),
    ]
}

/// `v2.14.0  Degraded OutOfSync` for the app as it is now.
fn now_spans<'a>(model: &Model, app: Option<&App>) -> Vec<Span<'a>> {
    let theme = &model.theme;
    match app {
        Some(app) => argocd::revision_spans(theme, app)
            .into_iter()
            .chain([
                Span::raw("  "),
                Span::styled(app.health.word(), argocd::health_style(theme, app.health)),
                Span::raw(" "),
                Span::styled(app.sync.word(), argocd::sync_style(theme, app.sync)),
            ])
            .collect(),
        None => vec![Span::styled("not listed by Argo CD", theme.warning)],
    }
}

/// The app's target revision and what Git resolved it to when Argo CD last compared:
/// `HEAD = 74dd23a (the app's target revision, as Git last resolved it)`.
fn target_spans<'a>(model: &Model, app: Option<&App>) -> Vec<Span<'a>> {
    let theme = &model.theme;
    let target = app
        .and_then(|a| a.target_revisions.first())
        .filter(|t| !t.is_empty())
        .cloned()
        .unwrap_or_else(|| "HEAD".to_string());
    let mut spans = vec![Span::styled(format::truncate(&target, 40), theme.accent)];
    match app
        .map(|a| a.git_revision.as_str())
        .filter(|g| !g.is_empty())
    {
        Some(git) if argocd::short_rev(git) != target => {
            spans.push(Span::styled(" = ", theme.muted));
            spans.push(Span::styled(argocd::short_rev(git), theme.accent));
            spans.push(Span::styled(
                "  (the app's target revision, as Git last resolved it)",
                theme.muted,
            ));
        }
        _ => spans.push(Span::styled("  (the app's target revision)", theme.muted)),
    }
    spans
}

fn checkbox<'a>(model: &Model, on: bool, key: &'a str, words: &'a str) -> Vec<Span<'a>> {
    let theme = &model.theme;
    vec![
        Span::styled(
            if on { "[x] " } else { "[ ] " },
            if on {
                theme.text.add_modifier(Modifier::BOLD)
            } else {
                theme.text
            },
        ),
        Span::styled(words, theme.text),
        Span::styled("  ", theme.text),
        Span::styled(key, theme.accent),
        Span::styled(" toggles", theme.muted),
    ]
}

/// How a [`Confirmation`] is drawn, everywhere: the typed name echoed (✓ when it matches) with
/// exactly the keys that work now, or `press y or Enter`. `verb` says what confirming does
/// (`roll back`), `back` what Esc does (`go back`).
pub fn confirmation_lines<'a>(
    model: &Model,
    c: &Confirmation,
    verb: &str,
    back: &str,
) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let keys = |parts: Vec<(String, bool)>| -> Line<'a> {
        Line::from(
            parts
                .into_iter()
                .map(|(t, key)| Span::styled(t, if key { theme.accent } else { theme.text }))
                .collect::<Vec<_>>(),
        )
    };
    let Some(name) = &c.name else {
        return vec![keys(vec![
            ("press ".into(), false),
            ("y".into(), true),
            (" or ".into(), false),
            ("Enter".into(), true),
            (format!(" to {verb}, "), false),
            ("Esc".into(), true),
            (format!(" to {back}"), false),
        ])];
    };
    let matches = c.matches();
    let typed = Line::from(vec![
        Span::styled(
            format!(
                "production: type “{}” to confirm: ",
                format::truncate(name, 64)
            ),
            theme.warning,
        ),
        Span::styled(
            format::tail(&c.typed, 64),
            if matches { theme.ok } else { theme.text },
        ),
        Span::styled(" ", theme.text.add_modifier(Modifier::REVERSED)),
        Span::styled(if matches { "  ✓" } else { "" }, theme.ok),
    ]);
    let hint = if matches {
        keys(vec![
            ("press ".into(), false),
            ("Enter".into(), true),
            (format!(" to {verb}, "), false),
            ("Esc".into(), true),
            (format!(" to {back}"), false),
        ])
    } else if c.mismatch {
        Line::from(vec![
            Span::styled("✗ not the name yet · ", theme.critical),
            Span::styled("Backspace", theme.accent),
            Span::styled(" corrects · ", theme.text),
            Span::styled("Esc", theme.accent),
            Span::styled(format!(" to {back}"), theme.text),
        ])
    } else {
        keys(vec![
            ("then ".into(), false),
            ("Enter".into(), true),
            (format!(" to {verb} · "), false),
            ("Backspace".into(), true),
            (" corrects · ".into(), false),
            ("Esc".into(), true),
            (format!(" to {back}"), false),
        ])
    };
    vec![typed, hint]
}

/// Resources of a dry run's result listed, at most this many.
const DRY_RUN_RESOURCES: usize = 5;

/// A dry run's state as `Dry run` field lines: asking, accepted and running, or what Argo CD
/// said it would do to each resource (kind, name, status, its words).
pub fn dry_run_lines<'a>(
    model: &Model,
    watch: &DryRunWatch,
    instance: &str,
    label: &'static str,
) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let field = |l: &'static str, v: Vec<Span<'a>>| widgets::field(theme, l, LABEL_W, v);
    let Some(op) = &watch.result else {
        let text = if watch.accepted {
            format!("✓ accepted by {instance}; it is running the dry run… (result here when done)")
        } else {
            format!("asking {instance}…")
        };
        return vec![field(label, vec![Span::styled(text, theme.info)])];
    };
    if op.phase != OperationPhase::Succeeded {
        let mut lines = vec![field(
            label,
            vec![Span::styled(
                format!("✗ failed: {}", argocd::one_line(&op.message)),
                theme.critical,
            )],
        )];
        for f in op.failed_resources.iter().take(DRY_RUN_RESOURCES) {
            lines.push(field(
                "",
                vec![Span::styled(argocd::one_line(f), theme.critical)],
            ));
        }
        return lines;
    }
    let changed = op.results.iter().filter(|r| r.changes()).count();
    let head = match (changed, op.results.len()) {
        (_, 0) => "✓ done: Argo CD reported no resources".to_string(),
        (0, n) => format!("✓ done: nothing would change ({n} unchanged)"),
        (c, n) => format!("✓ done: {c} of {n} resources would change:"),
    };
    let mut lines = vec![field(label, vec![Span::styled(head, theme.ok)])];
    // What would change first, then the rest.
    let mut results: Vec<&ResourceResult> = op.results.iter().collect();
    results.sort_by_key(|r| !r.changes());
    for r in results.iter().take(DRY_RUN_RESOURCES) {
        let style = if r.changes() {
            theme.warning
        } else {
            theme.muted
        };
        lines.push(field(
            "",
            vec![
                Span::styled(format!("{} {}", r.kind, r.name), style),
                Span::styled(
                    format!("  {}  {}", r.status, argocd::one_line(&r.message)),
                    theme.muted,
                ),
            ],
        ));
    }
    if results.len() > DRY_RUN_RESOURCES {
        lines.push(field(
            "",
            vec![Span::styled(
                format!("… {} more", results.len() - DRY_RUN_RESOURCES),
                theme.muted,
            )],
        ));
    }
    lines
}

fn problem_lines<'a>(model: &Model, problem: Option<&str>, area: Rect) -> Vec<Line<'a>> {
    let theme = &model.theme;
    problem
        .map(|p| {
            format::wrap(
                &format!("✗ {}", argocd::one_line(p)),
                popups::inner_width(area).max(10),
                3,
            )
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.critical)))
            .collect()
        })
        .unwrap_or_default()
}

pub fn sync(model: &Model, form: &SyncForm, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let app = model.apps.get(&form.key);
    let field = |l: &str, v: Vec<Span<'static>>| widgets::field(theme, l, LABEL_W, v);
    let editing = form.stage == FormStage::Edit;
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        if editing {
            "Sync the app to git:"
        } else {
            "This sync will happen:"
        },
        theme.header,
    ))];
    lines.extend(target_lines(model, &form.key, form.production));
    lines.push(field("  Now at", now_spans(model, app)));
    let target = app.and_then(|a| a.target_revisions.first());
    let revision = if form.revision.is_empty() || Some(&form.revision) == target {
        target_spans(model, app)
    } else {
        vec![Span::styled(
            format::truncate(&form.revision, 64),
            theme.accent,
        )]
    };
    lines.push(field("  Revision", revision));
    if editing {
        lines.push(field(
            "  Prune",
            checkbox(model, form.prune, "p", "delete resources no longer in git"),
        ));
        lines.push(field(
            "  Dry run",
            checkbox(
                model,
                form.dry_run,
                "d",
                "only ask what would change; change nothing",
            ),
        ));
    } else {
        lines.push(field(
            "  Prune",
            vec![Span::raw(if form.prune {
                "yes: resources no longer in git are deleted"
            } else {
                "no: resources no longer in git are left in place"
            })],
        ));
        lines.push(field(
            "  Dry run",
            vec![if form.dry_run {
                Span::styled("yes: nothing changes, Argo CD reports what would", theme.ok)
            } else {
                Span::styled("no: this changes the cluster", theme.warning)
            }],
        ));
    }
    if argocd::reminder(model, &form.key) {
        lines.push(field(
            "  Auto-sync",
            vec![Span::styled(
                "stays OFF (turned off by sitrep for a rollback)",
                theme.warning,
            )],
        ));
    } else if let Some(a) = app {
        lines.push(field(
            "  Auto-sync",
            vec![Span::raw(if a.auto_sync {
                "on: Argo CD keeps syncing to git by itself afterwards"
            } else {
                "off: stays off"
            })],
        ));
    }
    if let Some(watch) = form.last_dry_run.as_ref().filter(|_| editing) {
        lines.extend(dry_run_lines(
            model,
            watch,
            &form.key.instance,
            "  Last result",
        ));
    }
    lines.push(Line::default());
    lines.extend(problem_lines(model, form.problem.as_deref(), area));
    let verb = if form.dry_run {
        "dry-run the sync"
    } else {
        "sync"
    };
    let last: Vec<Line> = match form.stage {
        FormStage::Edit => vec![popups::key_hint(
            model,
            &[
                ("p", true),
                (" prune · ", false),
                ("d", true),
                (" dry run · ", false),
                ("Enter", true),
                (" review · ", false),
                ("Esc", true),
                (" cancel", false),
            ],
        )],
        FormStage::Confirm if form.last_dry_run.as_ref().is_some_and(|w| w.running(app)) => {
            vec![popups::key_hint(
                model,
                &[
                    ("waiting for the dry run's result… ", false),
                    ("Esc", true),
                    (" to go back", false),
                ],
            )]
        }
        FormStage::Confirm => confirmation_lines(model, &form.confirm, verb, "go back"),
        FormStage::InFlight(_) => vec![Line::from(Span::styled(
            format!(
                "syncing… waiting for {} (pressing again does nothing)",
                form.key.instance
            ),
            theme.info,
        ))],
    };
    let what = match form.stage {
        FormStage::Edit => "Sync",
        FormStage::Confirm => "Confirm sync of",
        FormStage::InFlight(_) => "Syncing",
    };
    let inner = popups::open_box(
        model,
        area,
        (lines.len() + last.len()) as u16,
        title(what, &form.key),
        buf,
    );
    popups::fill(model, inner, &lines, &last, buf);
}

pub fn confirm(model: &Model, action: &ConfirmAction, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let key = &action.key;
    let app = model.apps.get(key);
    let field = |l: &str, v: Vec<Span<'static>>| widgets::field(theme, l, LABEL_W, v);
    let w = popups::inner_width(area).saturating_sub(LABEL_W).max(10);
    let wrapped = |label: &'static str, text: &str, style: Style| -> Vec<Line<'static>> {
        format::wrap(text, w, 4)
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                widgets::field(
                    theme,
                    if i == 0 { label } else { "" },
                    LABEL_W,
                    vec![Span::styled(l, style)],
                )
            })
            .collect()
    };
    let mut lines: Vec<Line> = Vec::new();
    let (what, verb, question) = match action.what {
        ConfirmKind::Terminate => (
            "Terminate operation on",
            "terminate",
            "The running operation will be terminated:",
        ),
        ConfirmKind::EnableAutoSync => (
            "Re-enable auto-sync on",
            "re-enable",
            "Auto-sync will be turned back on:",
        ),
        ConfirmKind::DisableAutoSync => (
            "Turn off auto-sync on",
            "turn off",
            "Auto-sync will be turned off:",
        ),
    };
    lines.push(Line::from(Span::styled(question, theme.header)));
    lines.extend(target_lines(model, key, action.confirm.name.is_some()));
    lines.push(field("  Now at", now_spans(model, app)));
    match action.what {
        ConfirmKind::Terminate => {
            let op = app.and_then(|a| a.operation.as_ref());
            match op {
                Some(o) => {
                    let mut spans = vec![Span::styled(
                        argocd::phase_word(o.phase),
                        argocd::phase_style(theme, o.phase),
                    )];
                    if !o.message.is_empty() {
                        spans.push(Span::raw(format!(": {}", argocd::one_line(&o.message))));
                    }
                    lines.push(field("  Operation", spans));
                    let mut started = String::new();
                    if let Some(t) = o.started_at {
                        started.push_str(&format!("started {} ago", format::age(model.now, t)));
                    }
                    let by = argocd::initiator(&o.initiated_by, o.automated);
                    if by != NONE {
                        started.push_str(&format!(" by {by}"));
                    }
                    if !o.revision.is_empty() {
                        started.push_str(&format!(", to {}", argocd::short_rev(&o.revision)));
                    }
                    if !started.is_empty() {
                        lines.push(field("", vec![Span::styled(started, theme.muted)]));
                    }
                    if !o.phase.is_running() {
                        lines.push(field(
                            "",
                            vec![Span::styled(
                                "not running any more: Argo CD will say there is nothing to terminate",
                                theme.warning,
                            )],
                        ));
                    }
                }
                None => lines.push(field(
                    "  Operation",
                    vec![Span::styled("none running", theme.warning)],
                )),
            }
            lines.extend(wrapped(
                "  Effect",
                "Argo CD stops the operation now (phase Terminating); what it already applied stays as it is, so the app may be left half-synced.",
                theme.text,
            ));
        }
        ConfirmKind::DisableAutoSync => {
            lines.extend(wrapped(
                "  Effect",
                "Argo CD stops syncing to git and self-healing by itself: new commits and drift wait for a manual sync. sitrep keeps an 'auto-sync OFF' reminder on the app until you turn it back on (:autosync on).",
                theme.warning,
            ));
        }
        ConfirmKind::EnableAutoSync => {
            lines.push(field("  Syncs to", target_spans(model, app)));
            lines.extend(wrapped(
                "  Effect",
                "Argo CD syncs to git by itself again, right away: if git still points at the bad revision, this undoes the rollback. sitrep drops its 'auto-sync OFF' reminder.",
                theme.warning,
            ));
        }
    }
    lines.push(Line::default());
    let last: Vec<Line> = match action.stage {
        FormStage::InFlight(_) => vec![Line::from(Span::styled(
            format!(
                "sending… waiting for {} (pressing again does nothing)",
                key.instance
            ),
            theme.info,
        ))],
        FormStage::Edit | FormStage::Confirm => {
            confirmation_lines(model, &action.confirm, verb, "cancel")
        }
    };
    let inner = popups::open_box(
        model,
        area,
        (lines.len() + last.len()) as u16,
        title(what, key),
        buf,
    );
    popups::fill(model, inner, &lines, &last, buf);
}
