//! Kubernetes on the triage screen: the row's PODS cell (`3/3`, `2/3 ⟳`, `0/3 ✗ stuck`,
//! `CrashLoop ×2`) and the detail pane's Workloads section. Symbols always come with a word or
//! a count, so the state reads without colour. Everything is read from the summaries the
//! model built when the cluster changed.

use crate::kube::status::RolloutPhase;
use crate::model::Model;
use crate::model::kube_join::{KubeRowState, WorkloadSummary};
use crate::model::service::ServiceRow;
use crate::model::source::SourceState;
use crate::ui::format::{self, NONE};
use crate::ui::widgets;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Workloads listed in the detail pane at most, and unhealthy pods under each.
const MAX_WORKLOADS: usize = 3;
const MAX_PODS: usize = 2;

/// kubectl's reason, short enough for the cell (`compact`: for a narrow pane).
fn short_reason(reason: &str, compact: bool) -> String {
    let r = reason.strip_prefix("Init:").unwrap_or(reason);
    match (r, compact) {
        ("CrashLoopBackOff", false) => "CrashLoop".into(),
        ("CrashLoopBackOff", true) => "Crash".into(),
        ("ImagePullBackOff" | "ErrImagePull", false) => "ImagePull".into(),
        ("ImagePullBackOff" | "ErrImagePull", true) => "Pull".into(),
        ("Unschedulable", _) => "Unsched".into(),
        ("OOMKilled", true) => "OOM".into(),
        (other, c) => format::truncate(other, if c { 5 } else { 9 }),
    }
}

/// The PODS cell of a service row.
pub(super) fn cell(model: &Model, s: &ServiceRow, w: usize) -> (String, Style) {
    let theme = &model.theme;
    let Some(k) = &s.kube else {
        // No workload joined: "none" only when every cluster could show its workloads.
        let unknown = model.sources.iter().any(|src| {
            src.kind == crate::model::source::SourceKind::Kube
                && crate::model::kube_join::workloads_unknown(model.kube.clusters.get(&src.name))
                    .is_some()
        });
        return if unknown {
            ("?".to_string(), theme.warning)
        } else {
            (NONE.to_string(), theme.muted)
        };
    };
    // A cluster not answering (or its watch lost): the counts are the last known ones.
    let stale = k.clusters.iter().any(|c| {
        model
            .source(c)
            .is_some_and(|s| s.state == SourceState::Failing || s.live == Some(false))
    });
    let form = |compact: bool| {
        let (mut text, mut style) = cell_of(theme, k, compact);
        if stale && !text.ends_with('?') {
            text.push_str(" ?");
            if style != theme.critical {
                style = theme.warning;
            }
        }
        (text, style)
    };
    let long = form(false);
    if format::width(&long.0) <= w {
        long
    } else {
        form(true)
    }
}

fn cell_of(
    theme: &crate::config::theme::Theme,
    k: &KubeRowState,
    compact: bool,
) -> (String, Style) {
    let counts = format!("{}/{}", k.ready, k.desired);
    if k.broken > 0 {
        let reason = k
            .reason
            .as_deref()
            .map(|r| short_reason(r, compact))
            .unwrap_or_default();
        return (format!("{reason} ×{}", k.broken), theme.critical);
    }
    match k.phase {
        Some(RolloutPhase::Stuck) if compact => (format!("{counts} ✗stk"), theme.critical),
        Some(RolloutPhase::Stuck) => (format!("{counts} ✗ stuck"), theme.critical),
        Some(RolloutPhase::Rolling) => (format!("{counts} ⟳"), theme.warning),
        Some(RolloutPhase::Paused) if compact => (format!("{counts} ‖"), theme.warning),
        Some(RolloutPhase::Paused) => (format!("{counts} ‖ paused"), theme.warning),
        _ if k.degraded > 0 && compact => (format!("{counts} ↻"), theme.warning),
        _ if k.degraded > 0 => (format!("{counts} ↻ restarts"), theme.warning),
        _ if k.pods_unknown => (format!("{counts} ?"), theme.warning),
        _ => (counts, theme.ok),
    }
}

/// The detail pane's Workloads section: nothing when no cluster is configured.
pub(super) fn lines<'a>(model: &'a Model, service: &ServiceRow, label_w: usize) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let clusters: Vec<_> = model
        .sources
        .iter()
        .filter(|s| s.kind == crate::model::source::SourceKind::Kube)
        .collect();
    if clusters.is_empty() {
        return Vec::new();
    }
    let field = |label: &str, value: Vec<Span<'a>>| widgets::field(theme, label, label_w, value);
    let title = if label_w > "Workloads".len() {
        "Workloads"
    } else {
        "Kube"
    };
    let cont = |value: Vec<Span<'a>>| widgets::field(theme, "", label_w, value);
    let workloads: Vec<&WorkloadSummary> = model
        .kube_index()
        .of_service(&service.name)
        .map(|s| &**s)
        .collect();
    let mut out = Vec::new();
    if workloads.is_empty() {
        // Absence is not "not on Kubernetes" when a cluster could not show its workloads.
        let unknown: Vec<String> = clusters
            .iter()
            .filter_map(|s| {
                crate::model::kube_join::workloads_unknown(model.kube.clusters.get(&s.name))
                    .map(|why| format!("{} ({})", why, s.name))
            })
            .collect();
        let (text, style) = match unknown.first() {
            Some(why) => (format!("workloads unknown: {why}"), theme.warning),
            None => (
                "no workload joined to this service".to_string(),
                theme.muted,
            ),
        };
        out.push(field(title, vec![Span::styled(text, style)]));
    }
    // Worst first: broken pods, then stuck, rolling, the rest.
    let mut sorted = workloads;
    sorted.sort_by_key(|w| (w.broken() == 0, w.status.phase, w.workload.key.clone()));
    for (i, w) in sorted.iter().take(MAX_WORKLOADS).enumerate() {
        let label = if i == 0 { title } else { "" };
        let key = &w.workload.key;
        let (state, style) = cell_of(theme, &KubeRowState::of([*w]), false);
        let mut head = vec![
            Span::styled(format!("{}/{} ", key.cluster, key.namespace), theme.muted),
            Span::raw(key.kubectl_name()),
            Span::raw("  "),
            Span::styled(state, style),
        ];
        if let Some(rev) = w.workload.revision {
            head.push(Span::styled(format!("  rev {rev}"), theme.accent));
        }
        if let Some(image) = w.workload.images.first() {
            head.push(Span::styled(
                format!(
                    " {}",
                    format::truncate(crate::model::correlation::image_tag(image), 24)
                ),
                theme.accent,
            ));
        }
        out.push(field(label, head));
        // The cluster source failing: what follows is the last known state.
        if let Some(src) = clusters.iter().find(|s| s.name == key.cluster)
            && src.state == SourceState::Failing
        {
            out.push(cont(vec![Span::styled(
                format!(
                    "⚠ {} not answering: last known state{}",
                    key.cluster,
                    src.last_error
                        .as_deref()
                        .map(|e| format!(" ({})", format::truncate(e, 60)))
                        .unwrap_or_default()
                ),
                theme.warning,
            )]));
        }
        if w.status.phase != RolloutPhase::Complete {
            out.push(cont(vec![Span::styled(
                format::truncate(&w.status.text, 160),
                if w.status.phase == RolloutPhase::Stuck {
                    theme.critical
                } else {
                    theme.text
                },
            )]));
        }
        if let Some(why) = &w.pods_unknown {
            out.push(cont(vec![Span::styled(
                format!("pods: {why}"),
                theme.warning,
            )]));
        }
        for p in w.problems.iter().take(MAX_PODS) {
            let mut spans = vec![
                Span::raw(format!("  {}  ", format::truncate(&p.pod, 40))),
                Span::styled(
                    format!("{} ×{}", p.problem.reason, p.problem.restarts),
                    if p.problem.weight == crate::kube::problems::ProblemWeight::Broken {
                        theme.critical
                    } else {
                        theme.warning
                    },
                ),
            ];
            if !p.problem.message.is_empty() {
                spans.push(Span::styled(
                    format!("  {}", format::truncate(&p.problem.message, 80)),
                    theme.muted,
                ));
            }
            out.push(cont(spans));
        }
        if w.problems.len() > MAX_PODS {
            out.push(cont(vec![Span::styled(
                format!("  … {} more unhealthy", w.problems.len() - MAX_PODS),
                theme.muted,
            )]));
        }
        if let Some(e) = w.events.first() {
            out.push(cont(vec![
                Span::styled("  event ", theme.muted),
                Span::styled(e.reason.clone(), theme.warning),
                Span::raw(format!(
                    " {}/{}: {}",
                    e.object_kind,
                    format::truncate(&e.object_name, 40),
                    format::truncate(&e.message, 80)
                )),
            ]));
        }
    }
    if sorted.len() > MAX_WORKLOADS {
        out.push(cont(vec![Span::styled(
            format!("… {} more workloads", sorted.len() - MAX_WORKLOADS),
            theme.muted,
        )]));
    }
    out
}
