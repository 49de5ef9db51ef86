//! The reading popup (`Enter` on a timeline event, an alert, a resource, a history entry or a
//! Kubernetes event): every field of the thing, long text wrapped, scrollable. Whatever a table
//! cell had to cut is readable here in full.

use crate::action::Action;
use crate::model::Model;
use crate::model::alert::Alert;
use crate::model::app::{AppKey, HistoryEntry, KubeEvent, TreeNode};
use crate::model::popup::{Inspect, InspectTarget};
use crate::model::timeline::{TimelineEvent, source_word};
use crate::ui::format;
use crate::ui::popups;
use crate::ui::widgets::put;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Lines a popup shows at most (a 20 MB annotation must not become a million lines).
pub const MAX_LINES: usize = 2_000;
const LABEL_W: usize = 15;

/// The popup's width in a body `area_w` wide, and the width its values wrap at.
fn widths(area_w: u16) -> (u16, usize) {
    let w = area_w.saturating_sub(4).min(110);
    (
        w,
        usize::from(w.saturating_sub(2))
            .saturating_sub(LABEL_W)
            .max(10),
    )
}

/// How far the popup can scroll at the terminal's size (0: it all fits).
pub fn max_scroll(model: &Model, inspect: &Inspect) -> usize {
    let (_, text_w) = widths(model.size.0);
    let lines = content(model, &inspect.target, text_w).map_or(1, |(_, l)| l.len());
    // The body is the terminal less the tab bar and status line; the box less its border.
    let inner_h = usize::from(model.size.1.saturating_sub(6));
    lines.saturating_sub(inner_h)
}

pub fn draw(model: &Model, inspect: &Inspect, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let (w, text_w) = widths(area.width);
    let (title, lines) = match content(model, &inspect.target, text_w) {
        Some(c) => c,
        None => (
            "Gone".to_string(),
            vec![Line::from(Span::styled(
                "This is no longer there (it resolved, was deleted or was refreshed away).",
                theme.warning,
            ))],
        ),
    };
    let h = area.height.saturating_sub(2).min(lines.len() as u16 + 2);
    let inner_h = usize::from(h.saturating_sub(2));
    let max_scroll = lines.len().saturating_sub(inner_h);
    let scroll = usize::from(inspect.scroll).min(max_scroll);
    let mut bottom = format!(" {} close ", model.keymap.hint(Action::Back));
    if max_scroll > 0 {
        bottom.insert_str(
            0,
            &format!(
                " {}/{} · {}/{} scroll ·",
                scroll + 1,
                max_scroll + 1,
                model.keymap.hint(Action::Up),
                model.keymap.hint(Action::Down),
            ),
        );
    }
    let block = popups::frame(
        model,
        Line::from(format!(
            " {} ",
            format::truncate(&title, usize::from(w) / 2)
        )),
    )
    .title_bottom(Line::from(Span::styled(bottom, theme.muted)).right_aligned());
    let inner = popups::open(model, buf, area, (w, h), block);
    for (i, line) in lines.iter().skip(scroll).take(inner_h).enumerate() {
        put(buf, inner, inner.y + i as u16, line);
    }
}

/// Title and lines for a target, or None when it is gone from the model.
fn content<'a>(model: &Model, target: &InspectTarget, w: usize) -> Option<(String, Vec<Line<'a>>)> {
    let mut out = Lines {
        model,
        w,
        lines: Vec::new(),
    };
    let title = match target {
        InspectTarget::Event(id) => {
            let e = model.timeline.iter().rev().find(|e| &e.id == id)?;
            event(&mut out, e);
            format!("Event · {}", e.kind.as_str())
        }
        InspectTarget::Alert(fp) => {
            let a = model.alerts.get(fp)?;
            alert(&mut out, a);
            format!("Alert · {}", a.name())
        }
        InspectTarget::Resource { app, uid } => {
            let d = model.app_details.get(app)?;
            let n = d.tree.iter().find(|n| &n.uid == uid)?;
            resource(&mut out, app, n);
            format!("{}/{}", n.kind, n.name)
        }
        InspectTarget::History { app, id } => {
            let a = model.apps.get(app)?;
            let h = a.history.iter().find(|h| h.id == *id)?;
            history(&mut out, app, h);
            format!("{} · deploy {}", app.name, h.id)
        }
        InspectTarget::KubeEvent { app, event } => {
            kube_event(&mut out, app, event);
            format!("Event · {}", event.reason)
        }
        InspectTarget::RunOutput(key) => {
            let pane = model.runbook_pane.as_ref()?;
            let run = pane.outputs.get(key)?;
            let cmd = pane.command(key)?;
            out.field("Command", &cmd.text);
            out.field("Result", &format!("{} · {} ms", run.exit, run.duration_ms));
            out.gap();
            out.field(
                "Output",
                if run.output.is_empty() {
                    "(none)"
                } else {
                    &run.output
                },
            );
            format!("Output · {}", cmd.name.as_deref().unwrap_or(key))
        }
    };
    let mut lines = out.lines;
    lines.truncate(MAX_LINES);
    Some((title, lines))
}

/// Label/value lines, values wrapped under their label.
struct Lines<'m, 'a> {
    model: &'m Model,
    w: usize,
    lines: Vec<Line<'a>>,
}

impl Lines<'_, '_> {
    fn field(&mut self, label: &str, value: &str) {
        if value.is_empty() {
            return;
        }
        let theme = &self.model.theme;
        let mut first = true;
        for chunk in value.split('\n') {
            // Keep a line's indentation (pretty JSON): wrap what follows it.
            let body = chunk.trim_start();
            let indent = " ".repeat((chunk.len() - body.len()).min(self.w / 2));
            for piece in format::wrap(body, self.w - indent.len(), MAX_LINES) {
                let l = if first { label } else { "" };
                first = false;
                self.lines.push(Line::from(vec![
                    Span::styled(format::fit(l, LABEL_W), theme.header),
                    Span::styled(format!("{indent}{piece}"), theme.text),
                ]));
            }
            if self.lines.len() >= MAX_LINES {
                return;
            }
        }
    }

    fn time(&mut self, label: &str, t: Option<chrono::DateTime<chrono::Utc>>) {
        if let Some(t) = t {
            let now = self.model.now;
            let when = if t <= now {
                format!("{} ago", format::age(now, t))
            } else {
                format!("in {}", format::age(t, now))
            };
            self.field(label, &format!("{} ({when})", format::utc(t)));
        }
    }

    fn gap(&mut self) {
        self.lines.push(Line::default());
    }
}

fn event(out: &mut Lines, e: &TimelineEvent) {
    out.time("Occurred", Some(e.occurred_at));
    out.time("Recorded", Some(e.recorded_at));
    out.field("Kind", e.kind.as_str());
    out.field("Source", source_word(e.source));
    out.field("Actor", &e.actor);
    let refs = [
        ("service", &e.refs.service),
        ("app", &e.refs.app),
        ("cluster", &e.refs.cluster),
        ("namespace", &e.refs.namespace),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
    .collect::<Vec<_>>()
    .join(" ");
    out.field("Refs", &refs);
    out.gap();
    out.field("Summary", &e.summary);
    out.field("Body", &e.body);
    for link in &e.links {
        out.field("Link", link);
    }
    if !e.details.is_null() {
        out.gap();
        let pretty = serde_json::to_string_pretty(&e.details).unwrap_or_default();
        out.field("Details", &crate::sanitize::clean_text(&pretty, 64 * 1024));
    }
}

fn alert(out: &mut Lines, a: &Alert) {
    out.field("Severity", a.severity().word());
    out.field("State", a.state.word());
    // Not `endsAt`: for a firing alert it is only when Alertmanager would time it out if no
    // one re-sent it, and reads like a promise it will resolve.
    out.time("Since", Some(a.starts_at));
    let mut from = a.source.clone();
    if !a.also_from.is_empty() {
        from.push_str(&format!(" (also {})", a.also_from.join(", ")));
    }
    out.field("From", &from);
    out.field("Silenced by", &a.silenced_by.join(", "));
    out.field("Inhibited by", &a.inhibited_by.join(", "));
    out.field("Muted by", &a.muted_by.join(", "));
    out.gap();
    for (k, v) in &a.labels {
        out.field(k, v);
    }
    out.gap();
    for (k, v) in &a.annotations {
        out.field(k, v);
    }
    if let Some(url) = &a.generator_url {
        out.field("Source URL", url);
    }
    out.field("Fingerprint", &a.fingerprint);
}

fn resource(out: &mut Lines, app: &AppKey, n: &TreeNode) {
    out.field("App", &app.to_string());
    out.field("Kind", &n.kind);
    out.field("Name", &n.name);
    out.field("Namespace", &n.namespace);
    out.field("Health", n.health.map(|h| h.word()).unwrap_or("—"));
    out.field("Message", &n.health_message);
    for (k, v) in &n.info {
        out.field(k, v);
    }
    for img in &n.images {
        out.field("Image", img);
    }
    out.time("Created", n.created_at);
}

fn history(out: &mut Lines, app: &AppKey, h: &HistoryEntry) {
    out.field("App", &app.to_string());
    out.field("Deploy id", &h.id.to_string());
    out.field("Revision", &h.revision);
    for r in &h.revisions {
        out.field("Revision", r);
    }
    out.time("Started", h.deploy_started_at);
    out.time("Deployed", h.deployed_at);
    let by = match (h.initiated_by.as_str(), h.automated) {
        ("", true) => "automated sync".to_string(),
        ("", false) => "unknown".to_string(),
        (who, true) => format!("{who} (automated)"),
        (who, false) => who.to_string(),
    };
    out.field("By", &by);
}

fn kube_event(out: &mut Lines, app: &AppKey, e: &KubeEvent) {
    out.field("App", &app.to_string());
    out.field("Type", &e.event_type);
    out.field("Reason", &e.reason);
    out.field("Object", &format!("{}/{}", e.kind, e.name));
    out.field("Count", &e.count.to_string());
    out.time("Last seen", e.last_seen);
    out.gap();
    out.field("Message", &e.message);
}
