//! The Kubernetes screen: one cluster at a time (its name and its source's state in the
//! title), three panes as tabs — Workloads (kubectl's rollout status in its words), Pods
//! (kubectl's STATUS word, restarts), warning Events — with Enter on a workload narrowing the
//! Pods and Events panes to it. Rows come from `model.kube_screen`, built when the store
//! changed; only the visible ones are formatted.

mod rows;

use crate::action::Action;
use crate::model::Model;
use crate::model::kube_view::{self, KubePane};
use crate::model::source::{SourceKind, SourceState};
use crate::model::ui::Screen;
use crate::screens::Hints;
use crate::ui::RenderState;
use crate::ui::format;
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub use rows::{pod_status_style, rollout_style, short_images as short_images_of};

/// The status-line hints of the Kubernetes screen: what applies to the selection.
pub fn hints(model: &Model, h: &mut Hints) {
    let k = |a: Action| model.keymap.hint(a);
    let s = &model.kube_screen;
    h.push((5, format!("{} filter", k(Action::Filter))));
    h.push((4, format!("{} pane", k(Action::NextPane))));
    if kube_view::clusters(model).len() > 1 {
        h.push((3, format!("{} cluster", k(Action::NextCluster))));
    }
    // Mutations are offered only where they may be sent (help says why not).
    let mutable = crate::model::permissions::kube_denied(model).is_none()
        && kube_view::current_cluster(model)
            .and_then(|c| model.source(&c))
            .is_none_or(|src| !src.read_only);
    match s.pane {
        KubePane::Workloads => {
            let Some(row) = s.selected_workload() else {
                return;
            };
            if s.drilled.is_none() {
                h.push((6, format!("{} pods", k(Action::Enter))));
            }
            if row.worst_pod.is_some() {
                h.push((6, format!("{} logs", k(Action::KubeLogs))));
            }
            if !mutable {
                return;
            }
            use crate::kube::WorkloadKind::*;
            match row.workload.key.kind {
                Deployment => {
                    h.push((7, format!("{} undo", k(Action::KubeUndo))));
                    h.push((2, format!("{} restart", k(Action::KubeRestart))));
                    h.push((1, format!("{} scale", k(Action::KubeScale))));
                }
                Rollout => {
                    h.push((7, format!("{} promote", k(Action::RolloutPromote))));
                    h.push((6, format!("{} abort", k(Action::RolloutAbort))));
                    h.push((2, format!("{} retry", k(Action::RolloutRetry))));
                }
                StatefulSet => {
                    h.push((2, format!("{} restart", k(Action::KubeRestart))));
                    h.push((1, format!("{} scale", k(Action::KubeScale))));
                }
                DaemonSet => h.push((2, format!("{} restart", k(Action::KubeRestart)))),
            }
        }
        KubePane::Pods if s.selected_pod().is_some() => {
            h.push((7, format!("{} logs", k(Action::KubeLogs))));
            h.push((6, format!("{} previous", k(Action::LogsPrevious))));
            if s.drilled.is_some() && mutable {
                h.push((2, format!("{} undo", k(Action::KubeUndo))));
            }
        }
        KubePane::Events
            if s.events
                .get(s.events_cursor.selected)
                .is_some_and(|e| e.object_kind == "Pod") =>
        {
            h.push((7, format!("{} logs", k(Action::KubeLogs))));
        }
        _ => {}
    }
    if s.drilled.is_some() {
        h.push((6, format!("{} back", k(Action::Back))));
    }
}

pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let Some(cluster) = kube_view::current_cluster(model) else {
        let inner = widgets::draw_pane(
            buf,
            area,
            widgets::pane(theme, Line::from(" Kubernetes "), true),
        );
        let lines = [
            " No Kubernetes cluster configured.",
            " Add [[kubernetes]] context = \"NAME\" to the config, or start with",
            " --kube-context NAME (contexts come from your kubeconfig).",
        ];
        for (i, l) in lines.iter().enumerate() {
            if (i as u16) < inner.height {
                put(buf, inner, inner.y + i as u16, &widgets::muted(theme, *l));
            }
        }
        return;
    };
    let inner = widgets::draw_pane(
        buf,
        area,
        widgets::pane(theme, title(model, &cluster), true),
    );
    if inner.height < 3 {
        return;
    }
    put(buf, inner, inner.y, &tabs(model));
    let mut body = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    // What the cluster cannot tell: not connected, failing, refused by RBAC.
    for note in banners(model, &cluster).into_iter().take(3) {
        if body.height < 3 {
            break;
        }
        put(buf, body, body.y, &note);
        body.y += 1;
        body.height -= 1;
    }
    let s = &model.kube_screen;
    match s.pane {
        KubePane::Workloads => rows::workloads(model, state, body, buf),
        KubePane::Pods => rows::pods(model, state, body, buf),
        KubePane::Events => rows::events(model, state, body, buf),
    }
}

/// ` Kubernetes prod-eu (1/2) · live · ns payments · /filter `
fn title<'a>(model: &Model, cluster: &str) -> Line<'a> {
    let theme = &model.theme;
    let all = kube_view::clusters(model);
    let mut spans = vec![Span::raw(format!(
        " Kubernetes {} ",
        format::truncate(cluster, 32)
    ))];
    if all.len() > 1 {
        let i = all.iter().position(|c| c == cluster).unwrap_or(0) + 1;
        spans.push(Span::styled(format!("({i}/{}) ", all.len()), theme.muted));
    }
    if let Some(src) = model.source(cluster) {
        let (word, style) = match (&src.state, src.live) {
            (SourceState::Connecting, _) => ("connecting…", theme.muted),
            (SourceState::Failing, _) => ("FAILING", theme.critical),
            (SourceState::Ok, Some(false)) => ("reconnecting", theme.warning),
            (SourceState::Ok, _) => ("watching", theme.ok),
        };
        spans.push(Span::styled(format!("· {word} "), style));
    }
    if let Some(ns) = &model.kube_screen.namespace {
        spans.push(Span::styled(
            format!("· ns {} ", format::truncate(ns, 24)),
            theme.accent,
        ));
    }
    let filter = model.filter(Screen::Kube);
    if !filter.is_empty() {
        spans.push(Span::styled(
            format!("· /{} ", format::truncate(filter, 24)),
            theme.accent,
        ));
    }
    Line::from(spans)
}

/// `Workloads 12 │ Pods 40 │ Events 3`, the pane with the keyboard highlighted; drilled into a
/// workload, its name first.
fn tabs<'a>(model: &Model) -> Line<'a> {
    let theme = &model.theme;
    let s = &model.kube_screen;
    let mut spans = Vec::new();
    if let Some(k) = &s.drilled {
        spans.push(Span::styled(
            format!("{} › ", format::truncate(&k.kubectl_name(), 40)),
            theme.accent,
        ));
    }
    let broken = s.broken_pods;
    let tabs = [
        (
            KubePane::Workloads,
            format!("Workloads {}", s.workloads.len()),
        ),
        (
            KubePane::Pods,
            if broken > 0 {
                format!("Pods {} ({broken} failing)", s.pods.len())
            } else {
                format!("Pods {}", s.pods.len())
            },
        ),
        (KubePane::Events, format!("Warnings {}", s.events.len())),
    ];
    for (i, (pane, text)) in tabs.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.muted));
        }
        let style = if pane == s.pane {
            theme
                .accent
                .add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            theme.text
        };
        spans.push(Span::styled(format!(" {text} "), style));
    }
    Line::from(spans)
}

/// One line per thing the cluster cannot say: not connected yet, failing (with why), each
/// resource RBAC refuses.
fn banners<'a>(model: &Model, cluster: &str) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let mut out = Vec::new();
    let synced = model
        .kube
        .clusters
        .get(cluster)
        .is_some_and(|c| !c.synced.is_empty());
    match model.source(cluster) {
        Some(src) if src.state == SourceState::Failing => {
            let why = src.last_error.as_deref().unwrap_or("no answer");
            out.push(Line::from(Span::styled(
                format!(
                    "⚠ {cluster} is failing{}: {}",
                    if synced {
                        " (showing what was last seen)"
                    } else {
                        ""
                    },
                    format::one_line(why),
                ),
                theme.critical,
            )));
        }
        Some(src) if src.state == SourceState::Connecting && !synced => {
            out.push(widgets::muted(
                theme,
                format!("connecting to {cluster}: nothing listed yet"),
            ));
        }
        None if model.sources.iter().any(|s| s.kind == SourceKind::Kube) => {
            out.push(widgets::muted(
                theme,
                format!("{cluster}: no source configured"),
            ));
        }
        _ => {}
    }
    for note in kube_view::unavailable_notes(model, cluster) {
        out.push(Line::from(Span::styled(format!("⚠ {note}"), theme.warning)));
    }
    out
}
