//! A Kubernetes action's popup: the target exactly (cluster, namespace, kind, name), for an
//! undo the revisions to choose from and from → to (revision and images), what Argo CD will do
//! about it, then the dry run's answer and the confirmation (the name typed on production).

use crate::kube::history::Revision;
use crate::model::Model;
use crate::model::kube_view::{ArgoManaged, KubeActionForm, KubeActionKind, KubeStage};
use crate::ui::format::{self, NONE};
use crate::ui::kube::short_images_of as short_images;
use crate::ui::popups::{self, argocd::confirmation_lines};
use crate::ui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const LABEL_W: usize = 12;

pub fn draw(model: &Model, form: &KubeActionForm, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let w = popups::inner_width(area);
    let t = &form.target;
    let mut lines: Vec<Line> = vec![
        widgets::field(
            theme,
            "Cluster",
            LABEL_W,
            vec![Span::raw(t.cluster.clone())],
        ),
        widgets::field(
            theme,
            "Namespace",
            LABEL_W,
            vec![Span::raw(t.namespace.clone())],
        ),
        widgets::field(
            theme,
            t.kind.api_kind(),
            LABEL_W,
            vec![Span::styled(t.name.clone(), theme.accent)],
        ),
    ];
    if form.production {
        lines.push(widgets::field(
            theme,
            "",
            LABEL_W,
            vec![Span::styled(
                "production: the name is typed to confirm",
                theme.warning,
            )],
        ));
    }
    // Where it stands now, in kubectl's words (Argo Rollouts: its phase and message too).
    if let Some(workload) = model.kube.workload(t) {
        let status = crate::kube::status::rollout_status(workload);
        let mut now = format::one_line(&status.text);
        if let Some(phase) = &workload.rollout_phase {
            now = format!("{phase}: {now}");
        }
        if workload.rollout_aborted {
            now = format!("aborted · {now}");
        }
        lines.push(widgets::field(
            theme,
            "Now",
            LABEL_W,
            vec![Span::styled(
                format::truncate(&now, w.saturating_sub(LABEL_W)),
                crate::ui::kube::rollout_style(theme, status.phase),
            )],
        ));
    }
    lines.push(Line::raw(""));
    lines.extend(argo_lines(model, form, w));
    match form.kind {
        KubeActionKind::Undo => undo_lines(model, form, w, &mut lines),
        KubeActionKind::Restart => lines.push(Line::raw(format!(
            "Every pod of {} is replaced at the rollout's own pace (kubectl.kubernetes.io/restartedAt).",
            t.kubectl_name()
        ))),
        KubeActionKind::Scale => {
            let typed = if form.replicas.is_empty() {
                "_".to_string()
            } else {
                form.replicas.clone()
            };
            lines.push(widgets::field(
                theme,
                "Replicas",
                LABEL_W,
                vec![
                    Span::raw(format!("{} → ", form.current_replicas)),
                    Span::styled(typed, theme.accent),
                ],
            ));
        }
        KubeActionKind::Abort => lines.push(Line::raw(
            "Abort the update: traffic and pods go back to the stable ReplicaSet (status.abort).",
        )),
        KubeActionKind::Retry => {
            lines.push(Line::raw("Retry the aborted update (status.abort=false)."))
        }
        KubeActionKind::Promote => lines.push(Line::raw(
            "Promote past the current pause step (kubectl argo rollouts promote).",
        )),
    }
    if let Some(report) = &form.dry_run
        && form.stage == KubeStage::Confirm
    {
        lines.push(Line::raw(""));
        lines.push(widgets::field(
            theme,
            "Dry run",
            LABEL_W,
            vec![Span::styled(
                format!("accepted: {}", format::one_line(&report.summary)),
                theme.ok,
            )],
        ));
    }
    if let Some(problem) = &form.problem {
        lines.push(Line::raw(""));
        for l in format::wrap(&format::one_line(problem), w, 4) {
            lines.push(Line::styled(l, theme.critical));
        }
    }
    let last = last_lines(model, form);
    let inner = popups::open_box(
        model,
        area,
        (lines.len() + last.len()) as u16,
        Line::from(format!(
            " {} · {} ",
            form.kind.title(),
            format::truncate(&t.kubectl_name(), 50)
        )),
        buf,
    );
    popups::fill(model, inner, &lines, &last, buf);
}

/// What Argo CD will do about a kubectl change, when it manages the workload.
fn argo_lines<'a>(model: &Model, form: &KubeActionForm, w: usize) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let change = if form.kind == KubeActionKind::Undo {
        "undo"
    } else {
        "change"
    };
    // A restart only adds `restartedAt` to the pod template, which Argo CD's diff (a three-way
    // merge against what it applied) ignores: its own restart action does the same.
    if form.kind == KubeActionKind::Restart {
        return match &form.argo {
            None => Vec::new(),
            Some(_) => {
                let text = "Argo CD manages this workload: a restart leaves it in sync (Argo CD's own restart action sets the same annotation).";
                let mut out: Vec<Line> = format::wrap(text, w, 3)
                    .into_iter()
                    .map(|l| Line::styled(l, theme.muted))
                    .collect();
                out.push(Line::raw(""));
                out
            }
        };
    }
    let (text, style) = match &form.argo {
        None => return Vec::new(),
        Some(ArgoManaged::App {
            app,
            self_heal: true,
            ..
        }) => (
            format!(
                "Argo CD (app {}, self-heal on) will revert a kubectl {change}. Roll back with Argo CD instead.",
                app.name
            ),
            theme.warning,
        ),
        Some(ArgoManaged::App {
            app,
            auto_sync: true,
            ..
        }) => (
            format!(
                "Argo CD (app {}) auto-syncs: its next sync brings Git's {} back.",
                app.name,
                if form.kind == KubeActionKind::Scale {
                    "replica count"
                } else {
                    "revision"
                }
            ),
            theme.warning,
        ),
        Some(ArgoManaged::App { app, .. }) => (
            format!(
                "Argo CD (app {}) manages this workload; it will show OutOfSync.",
                app.name
            ),
            theme.muted,
        ),
        Some(ArgoManaged::Unloaded { app }) => (
            format!(
                "Managed by Argo CD app {app}; whether it self-heals is unknown (the app is not loaded): it may revert a kubectl {change}."
            ),
            theme.warning,
        ),
        Some(ArgoManaged::Ambiguous { apps }) => (
            format!(
                "Managed by Argo CD (which app is unknown: {}); it may revert a kubectl {change}.",
                apps.join(", ")
            ),
            theme.warning,
        ),
    };
    let mut out: Vec<Line> = format::wrap(&text, w, 3)
        .into_iter()
        .map(|l| Line::styled(l, style))
        .collect();
    out.push(Line::raw(""));
    out
}

fn undo_lines<'a>(model: &Model, form: &KubeActionForm, w: usize, lines: &mut Vec<Line<'a>>) {
    let theme = &model.theme;
    if form.stage != KubeStage::Confirm {
        lines.push(Line::styled(
            format!("  {:>4}  {:<28} {:<5} CHANGE-CAUSE", "REV", "IMAGES", "AGE"),
            theme.header,
        ));
        // At most 8 revisions around the chosen one: the popup stays on screen.
        let start = form.selected.saturating_sub(4);
        for (i, r) in form.revisions.iter().enumerate().skip(start).take(8) {
            lines.push(revision_line(model, form, i, r, w));
        }
        lines.push(Line::raw(""));
    }
    // Argo CD's own rollback picks from its history: no kubectl from → to to show.
    if form.argo_reverts() {
        return;
    }
    let Some(to) = form.chosen() else {
        return;
    };
    let from = form
        .current_revision
        .map(|r| r.to_string())
        .unwrap_or_else(|| NONE.to_string());
    lines.push(widgets::field(
        theme,
        "Revision",
        LABEL_W,
        vec![
            Span::raw(from),
            Span::styled(" → ", theme.muted),
            Span::styled(to.revision.to_string(), theme.accent),
        ],
    ));
    lines.push(widgets::field(
        theme,
        "Images",
        LABEL_W,
        vec![
            Span::raw(format::truncate(&short_images(&form.current_images), w / 2)),
            Span::styled(" → ", theme.muted),
            Span::styled(
                format::truncate(&short_images(&to.images), w / 2),
                theme.accent,
            ),
        ],
    ));
}

fn revision_line<'a>(
    model: &Model,
    form: &KubeActionForm,
    i: usize,
    r: &Revision,
    w: usize,
) -> Line<'a> {
    let theme = &model.theme;
    let selected = i == form.selected;
    let current = Some(r.revision) == form.current_revision;
    let age = r
        .created
        .map(|t| format::age(model.now, t))
        .unwrap_or_else(|| NONE.to_string());
    let cause = r.change_cause.as_deref().unwrap_or(NONE);
    let mut spans = vec![
        widgets::marker(theme, selected),
        Span::raw(" "),
        Span::styled(format!("{:>4}", r.revision), theme.accent),
        Span::raw("  "),
        Span::raw(format::fit(&short_images(&r.images), 28)),
        Span::raw(" "),
        Span::styled(format::fit(&age, 5), theme.muted),
        Span::raw(" "),
    ];
    // What runs now is marked before its change cause, so a narrow popup never cuts it off.
    let mut room = w.saturating_sub(44);
    if current {
        spans.push(Span::styled("(current) ", theme.ok));
        room = room.saturating_sub(10);
    }
    spans.push(Span::raw(format::truncate(&format::one_line(cause), room)));
    let line = Line::from(spans);
    if selected {
        line.style(Style::default().add_modifier(ratatui::style::Modifier::BOLD))
    } else {
        line
    }
}

/// The bottom line(s): what Enter does now, or what the popup waits for.
fn last_lines<'a>(model: &Model, form: &KubeActionForm) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let keys = |parts: &[(&str, bool)]| -> Line<'a> {
        Line::from(
            parts
                .iter()
                .map(|(t, k)| {
                    Span::styled(t.to_string(), if *k { theme.accent } else { theme.text })
                })
                .collect::<Vec<_>>(),
        )
    };
    match form.stage {
        KubeStage::Pick if form.argo_reverts() => vec![keys(&[
            ("Enter", true),
            (" open the Argo CD rollback of ", false),
            (
                form.argo
                    .as_ref()
                    .and_then(|a| a.rollback_app())
                    .map(|a| a.name.as_str())
                    .unwrap_or(""),
                false,
            ),
            (", ", false),
            ("Esc", true),
            (" cancel", false),
        ])],
        KubeStage::Pick => {
            let mut parts = vec![("Enter", true), (" server-side dry run, ", false)];
            match form.kind {
                KubeActionKind::Undo => parts.extend([("j/k", true), (" revision, ", false)]),
                KubeActionKind::Scale => parts.extend([("0-9", true), (" replicas, ", false)]),
                _ => {}
            }
            parts.extend([("Esc", true), (" cancel", false)]);
            vec![keys(&parts)]
        }
        KubeStage::DryRun(_) => vec![Line::styled(
            "dry run sent (dryRun=All): waiting for the API server…",
            theme.muted,
        )],
        KubeStage::Confirm => {
            confirmation_lines(model, &form.confirm, form.kind.title(), "go back")
        }
        KubeStage::InFlight(_) => vec![Line::styled(
            "sent: waiting for the API server (never retried)…",
            theme.muted,
        )],
    }
}
