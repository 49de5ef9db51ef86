//! The triage detail pane: the selected service's alerts, its apps, deploys, owner and
//! runbook, and what the selected alert says about itself.

use super::has_source;
use crate::model::Model;
use crate::model::alert::{Alert, AlertState};
use crate::model::app::OperationPhase;
use crate::model::deploy::Deploy;
use crate::model::service::ServiceRow;
use crate::model::source::SourceKind;
use crate::model::ui::TriagePane;
use crate::ui::RenderState;
use crate::ui::argocd;
use crate::ui::format;
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const DETAIL_COLS: [Col; 5] = [
    Col::fixed("SEV", 4, 0),
    Col::fixed("STATE", 9, 0),
    Col::flex("ALERT", 16, 22, 0),
    Col::fixed("AGE", 4, 2).right(),
    Col::flex("SUMMARY", 12, u16::MAX, 3),
];

/// Label column of the detail pane's sections (and in a narrow pane).
const SECTION_LABEL_W: usize = 15;
const NARROW_LABEL_W: usize = 9;
/// Apps and deploys listed in the detail pane at most (the Apps and Deploys screens have all).
const MAX_APPS: usize = 3;
const MAX_DEPLOYS: usize = 3;
const NOT_CONFIGURED: &str = "not configured — add an Argo CD source";

pub(super) fn draw(
    model: &Model,
    state: &mut RenderState,
    service: Option<&ServiceRow>,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    let focused = model.triage_pane == TriagePane::Detail;
    let Some(service) = service else {
        let inner = widgets::draw_pane(buf, area, widgets::pane(theme, " Detail ".into(), false));
        put(
            buf,
            inner,
            inner.y,
            &widgets::muted(theme, "no service selected"),
        );
        return;
    };
    let title = Line::from(vec![
        Span::raw(" "),
        Span::raw(format::truncate(&service.name, 40)),
        Span::raw(" "),
    ]);
    let mut block = widgets::pane(theme, title, focused);
    if !super::row_current(&crate::ui::coverage::not_fresh(model), service) {
        block = block.title(
            Line::from(Span::styled(
                " ⚠ last known state: a source is not answering ",
                crate::ui::coverage::stale_style(model),
            ))
            .right_aligned(),
        );
    }
    let inner = widgets::draw_pane(buf, area, block);
    if inner.is_empty() {
        return;
    }

    // Alerts list, then the four sections (one line each) below it.
    let n = service.alerts.len();
    let mut counts = vec![Span::styled("Alerts", theme.header)];
    counts.push(Span::styled(
        format!("  {} firing", service.firing),
        if service.firing > 0 {
            widgets::severity_style(theme, service.worst)
        } else {
            theme.muted
        },
    ));
    if service.pending > 0 {
        counts.push(Span::styled(
            format!(" · {} pending", service.pending),
            theme.muted,
        ));
    }
    if service.suppressed > 0 {
        counts.push(Span::styled(
            format!(" · {} silenced/inhibited", service.suppressed),
            theme.muted,
        ));
    }
    put(buf, inner, inner.y, &Line::from(counts));

    // Below the alerts: Apps, Recent deploys, Owner, Runbook (several lines each for apps and
    // deploys); the alert list gets what is left, the sections never push it off screen.
    let label_w = if inner.width >= 72 {
        SECTION_LABEL_W
    } else {
        NARROW_LABEL_W
    };
    let (sections, links) = sections(model, service, label_w);
    let sections_h = sections.len() as u16 + 1; // and a blank line above them
    let room = inner.height.saturating_sub(1 + sections_h).max(1);
    let list_h = (n as u16).min(room);
    let list = Rect {
        y: inner.y + 1,
        height: list_h.min(inner.height.saturating_sub(1)),
        ..inner
    };
    let widths = columns::layout(&DETAIL_COLS, inner.width.saturating_sub(1));
    let window = state
        .triage_detail
        .window(model.detail.selected, n, usize::from(list.height));
    for (row, i) in window.enumerate() {
        let Some(alert) = service.alerts.get(i) else {
            continue;
        };
        let selected = i == model.detail.selected;
        let line = detail_alert_row(model, alert, &widths, selected && focused);
        selectable_row(
            buf,
            theme,
            list,
            list.y + row as u16,
            &line,
            selected,
            focused,
        );
    }
    if n > usize::from(list.height) && list.height > 0 {
        let more = format!(" {}/{} ", model.detail.selected.min(n - 1) + 1, n);
        widgets::put_right(
            buf,
            inner,
            inner.y,
            &Line::from(Span::styled(more, theme.muted)),
        );
    }

    let sections_y = list.bottom() + 1;
    for (i, line) in sections.iter().enumerate() {
        put(buf, inner, sections_y + i as u16, line);
    }
    record_links(state, &sections, &links, inner, sections_y);

    // The rest of the pane, after a blank line: what the selected alert says about itself.
    let about_y = sections_y + sections.len() as u16 + 1;
    let about = Rect {
        y: about_y,
        height: inner.bottom().saturating_sub(about_y),
        ..inner
    };
    let selected = service.alerts.get(model.detail.selected);
    if let Some(alert) = selected
        && about.height >= 3
    {
        about_alert(model, alert, about, buf);
    }
}

/// The selected alert's name, description (or summary) and labels, wrapped into `area`.
fn about_alert(model: &Model, alert: &Alert, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let w = usize::from(area.width);
    let mut lines: Vec<Line> = vec![Line::from(vec![
        Span::styled("About ", theme.header),
        Span::styled(alert.name().to_string(), theme.header),
        Span::styled(
            format!(
                "  since {} · from {}",
                format::hms(alert.starts_at),
                alert.source
            ),
            theme.muted,
        ),
    ])];
    let text = alert
        .annotations
        .get("description")
        .filter(|d| !d.is_empty())
        .map(String::as_str)
        .unwrap_or_else(|| alert.summary());
    let room = usize::from(area.height).saturating_sub(2);
    let label_lines = 2.min(room.saturating_sub(1));
    for l in format::wrap(text, w, room.saturating_sub(label_lines).max(1)) {
        lines.push(Line::raw(l));
    }
    let labels = alert
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={}", format::truncate(v, 80)))
        .collect::<Vec<_>>()
        .join(" ");
    for l in format::wrap(&labels, w, label_lines) {
        lines.push(Line::from(Span::styled(l, theme.muted)));
    }
    for (i, line) in lines.iter().take(usize::from(area.height)).enumerate() {
        put(buf, area, area.y + i as u16, line);
    }
}

fn detail_alert_row<'a>(
    model: &Model,
    alert: &'a Alert,
    widths: &'a [u16],
    selected: bool,
) -> Line<'a> {
    let theme = &model.theme;
    let sev = alert.severity();
    let quiet = !alert.state.is_active() && alert.state != AlertState::Pending;
    let (badge_style, text_style) = if quiet {
        (theme.muted, theme.muted)
    } else {
        (widgets::severity_style(theme, sev), Style::default())
    };
    RowBuilder::new(&DETAIL_COLS, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(sev.word(), badge_style)
        .cell(
            alert.state.word(),
            widgets::state_style(theme, alert.state, sev),
        )
        .cell(alert.name(), text_style)
        .cell(&format::age(model.now, alert.starts_at), text_style)
        .cell(
            alert.summary(),
            if quiet { theme.muted } else { theme.text },
        )
        .build()
}

/// Where the link spans of `lines` landed, for OSC 8 after the frame: `links` names
/// (line, span, url); spans are laid out left to right from `area.x`, cut at its edge.
fn record_links(
    state: &mut RenderState,
    lines: &[Line<'_>],
    links: &[(usize, usize, String)],
    area: Rect,
    y0: u16,
) {
    for (line_i, span_i, url) in links {
        let Some(line) = lines.get(*line_i) else {
            continue;
        };
        let y = y0 + *line_i as u16;
        if y >= area.bottom() {
            continue;
        }
        let before: usize = line.spans[..*span_i].iter().map(|s| s.width()).sum();
        let x = area.x as usize + before;
        let w = line.spans[*span_i].width();
        let right = area.right() as usize;
        if x >= right || w == 0 {
            continue;
        }
        state.hyperlinks.push(crate::ui::Hyperlink {
            x: x as u16,
            y,
            width: (w.min(right - x)) as u16,
            url: url.clone(),
        });
    }
}

/// The lines of the Apps, Recent deploys, Owner and Runbook sections, and which of their
/// spans are links (line, span, url).
#[allow(clippy::type_complexity)]
fn sections<'a>(
    model: &'a Model,
    service: &ServiceRow,
    label_w: usize,
) -> (Vec<Line<'a>>, Vec<(usize, usize, String)>) {
    let theme = &model.theme;
    let has_argocd = has_source(model, SourceKind::Argocd);
    let has_catalog = has_source(model, SourceKind::Catalog);
    let mut lines: Vec<Line> = Vec::new();
    let field = |label: &str, value: Vec<Span<'a>>| widgets::field(theme, label, label_w, value);
    let cont = |value: Vec<Span<'a>>| widgets::field(theme, "", label_w, value);

    // Apps: one line each, plus a line for a running or failed operation and the reminder.
    if !has_argocd {
        lines.push(field(
            "Apps",
            vec![Span::styled(NOT_CONFIGURED, theme.muted)],
        ));
    } else if service.apps.is_empty() {
        lines.push(field(
            "Apps",
            vec![Span::styled(
                "no Argo CD app mapped to this service",
                theme.muted,
            )],
        ));
    }
    for (i, key) in service.apps.iter().take(MAX_APPS).enumerate() {
        let label = if i == 0 { "Apps" } else { "" };
        let Some(app) = model.apps.get(key) else {
            lines.push(field(
                label,
                vec![
                    Span::raw(argocd::app_label(model, key)),
                    Span::styled("  not seen on Argo CD (deleted?)", theme.muted),
                ],
            ));
            continue;
        };
        let (auto, auto_style) = argocd::autosync(model, app);
        lines.push(field(
            label,
            vec![
                Span::raw(argocd::app_label(model, key)),
                Span::raw("  "),
                Span::styled(app.health.word(), argocd::health_style(theme, app.health)),
                Span::raw(" "),
                Span::styled(app.sync.word(), argocd::sync_style(theme, app.sync)),
                Span::raw("  "),
            ]
            .into_iter()
            .chain(argocd::revision_spans(theme, app))
            .chain([
                Span::styled("  auto-sync ", theme.muted),
                Span::styled(auto, auto_style),
            ])
            .collect(),
        ));
        if let Some(op) = app
            .operation
            .as_ref()
            .filter(|o| o.phase != OperationPhase::Succeeded)
        {
            let mut value = vec![Span::styled(
                argocd::phase_word(op.phase),
                argocd::phase_style(theme, op.phase),
            )];
            if !op.message.is_empty() {
                value.push(Span::styled(
                    format!(": {}", argocd::one_line(&op.message)),
                    theme.text,
                ));
            }
            lines.push(cont(value));
        }
        if argocd::reminder(model, key) {
            lines.push(cont(vec![Span::styled(
                format!(
                    "{} {}",
                    argocd::AUTOSYNC_OFF_GLYPH,
                    argocd::AUTOSYNC_OFF_REMINDER
                ),
                theme.warning,
            )]));
        }
    }
    if service.apps.len() > MAX_APPS {
        lines.push(cont(vec![Span::styled(
            format!(
                "… {} (Apps screen)",
                format::plural(service.apps.len() - MAX_APPS, "more app")
            ),
            theme.muted,
        )]));
    }

    // Its Kubernetes workloads (nothing at all without a cluster configured).
    lines.extend(super::workloads::lines(model, service, label_w));

    // Recent deploys of its apps and Deployments, newest first.
    let label = if label_w >= SECTION_LABEL_W {
        "Recent deploys"
    } else {
        "Deploys"
    };
    let several_apps = service.apps.len() > 1;
    let mut shown = 0;
    let has_kube = has_source(model, SourceKind::Kube);
    if has_argocd || has_kube {
        for d in model.recent_deploys(service, MAX_DEPLOYS) {
            let l = if shown == 0 { label } else { "" };
            lines.push(field(l, deploy_spans(model, d, several_apps)));
            shown += 1;
        }
    }
    if shown == 0 {
        let text = if has_argocd || has_kube {
            "no deploys seen for this service"
        } else {
            NOT_CONFIGURED
        };
        lines.push(field(label, vec![Span::styled(text, theme.muted)]));
    }

    let mut links = Vec::new();
    owner_card(model, service, has_catalog, label_w, &mut lines, &mut links);
    lines.push(field("Runbook", runbook_spans(model, service)));
    (lines, links)
}

/// The owner card: owner (team, email, chat), who is on call now, the system, the links.
fn owner_card<'a>(
    model: &Model,
    service: &ServiceRow,
    has_catalog: bool,
    label_w: usize,
    lines: &mut Vec<Line<'a>>,
    links: &mut Vec<(usize, usize, String)>,
) {
    let theme = &model.theme;
    let field = |label: &str, value: Vec<Span<'a>>| widgets::field(theme, label, label_w, value);
    // `widgets::field` puts the label (one span) before the value's spans.
    const LABEL_SPANS: usize = 1;
    if !has_catalog {
        lines.push(field(
            "Owner",
            vec![Span::styled(
                "no catalog configured (see --catalog)",
                theme.muted,
            )],
        ));
        return;
    }
    let card = model.owner_card(&service.name);
    if !card.in_catalog {
        let failing = model
            .sources
            .iter()
            .find(|s| s.kind == SourceKind::Catalog && s.last_error.is_some());
        let (why, style) = match failing {
            Some(s) if model.catalog.is_empty() => (
                format!(
                    "unknown: the catalog is not answering ({}: {})",
                    s.name,
                    s.last_error.as_deref().unwrap_or("failing")
                ),
                theme.warning,
            ),
            None if model.catalog.is_empty() => (
                "unknown: the catalog has not answered yet".to_string(),
                theme.muted,
            ),
            _ => ("not in the catalog".to_string(), theme.muted),
        };
        lines.push(field("Owner", vec![Span::styled(why, style)]));
        return;
    }
    let owner = match &card.owner {
        None => vec![Span::styled(
            "none: the catalog entry names no owner",
            theme.warning,
        )],
        Some(o) if o.missing => vec![
            Span::raw(if o.kind == "user" {
                format!("user:{}", o.name)
            } else {
                o.name.clone()
            }),
            Span::styled(
                format!("  {} missing from the catalog", o.kind),
                theme.warning,
            ),
        ],
        Some(o) => {
            let mut v = Vec::new();
            match &o.display_name {
                Some(d) if !d.eq_ignore_ascii_case(&o.name) => {
                    v.push(Span::styled(d.clone(), theme.header));
                    v.push(Span::styled(format!(" ({})", o.name), theme.muted));
                }
                _ => v.push(Span::styled(o.name.clone(), theme.header)),
            }
            if o.kind == "user" {
                v.push(Span::styled("  (a person, not a team)", theme.muted));
            }
            if let Some(chat) = &o.chat {
                v.push(Span::raw("  "));
                v.push(Span::styled(chat.clone(), theme.accent));
            }
            if let Some(mail) = &o.email {
                v.push(Span::raw("  "));
                v.push(Span::styled(mail.clone(), theme.muted));
            }
            v
        }
    };
    lines.push(field("Owner", owner));
    let on_call = on_call_spans(model, &card);
    lines.push(field("On call", on_call));
    let mut about = Vec::new();
    if let Some(system) = &card.system {
        about.push(Span::raw(system.clone()));
    }
    let what = [card.lifecycle.as_deref(), card.kind.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !what.is_empty() {
        if !about.is_empty() {
            about.push(Span::styled(" · ", theme.muted));
        }
        about.push(Span::styled(what, theme.muted));
    }
    if !about.is_empty() {
        // Named "System" only when the catalog says which system it is part of.
        let label = if card.system.is_some() {
            "System"
        } else {
            "Kind"
        };
        lines.push(field(label, about));
    }
    if !card.links.is_empty() {
        let line_i = lines.len();
        let mut spans = Vec::new();
        let mut shown = std::collections::BTreeSet::new();
        for l in &card.links {
            // One word per kind of link; the popup (`o`) lists every one.
            if !shown.insert(l.kind.clone()) {
                continue;
            }
            if !spans.is_empty() {
                spans.push(Span::raw(" "));
            }
            links.push((line_i, LABEL_SPANS + spans.len(), l.url.clone()));
            spans.push(Span::styled(l.kind.clone(), theme.accent.underlined()));
        }
        let open = model.keymap.hint(crate::action::Action::Open);
        spans.push(Span::styled(format!("  {open}: all links"), theme.muted));
        lines.push(field("Links", spans));
    }
}

/// "Priya Shah L1 payments-primary until 14:00 · Marco Rossi L2", or why there is no one.
fn on_call_spans<'a>(model: &Model, card: &crate::model::owner::OwnerCard) -> Vec<Span<'a>> {
    use crate::model::owner::OnCallStatus;
    let theme = &model.theme;
    match &card.on_call {
        OnCallStatus::People { failing, .. } => {
            let people = &card.on_call_people;
            let mut v = Vec::new();
            if let Some(source) = failing {
                v.push(Span::styled(
                    format!("last known ({source} failing): "),
                    theme.warning,
                ));
            }
            for (i, p) in people.iter().take(3).enumerate() {
                if i > 0 {
                    v.push(Span::styled(" · ", theme.muted));
                }
                v.push(Span::styled(
                    p.name.clone(),
                    if i == 0 { theme.header } else { theme.text },
                ));
                let mut about = Vec::new();
                if let Some(l) = p.level {
                    about.push(format!("L{l}"));
                }
                if let Some(s) = &p.schedule {
                    about.push(s.clone());
                }
                if let Some(t) = p.until {
                    about.push(format!("until {} UTC", format::hm(t)));
                }
                if !about.is_empty() {
                    v.push(Span::styled(format!(" {}", about.join(" ")), theme.muted));
                }
            }
            if people.is_empty() {
                v.push(Span::styled("no one is on call now", theme.warning));
            }
            v
        }
        OnCallStatus::NotConfigured => vec![Span::styled(
            "add [[oncall]] (PagerDuty or Opsgenie) to see who is on call",
            theme.muted,
        )],
        OnCallStatus::Waiting => vec![Span::styled("asking the paging service…", theme.muted)],
        OnCallStatus::Failed(e) => vec![Span::styled(format!("unknown: {e}"), theme.warning)],
        OnCallStatus::NoKey => vec![Span::styled(
            "unknown: no pagerduty.com/service-id, opsgenie.com/team, sitrep.dev/oncall-schedule or owner to look up",
            theme.muted,
        )],
        OnCallStatus::NotFound(why) => vec![Span::styled(why.clone(), theme.warning)],
    }
}

/// `6m SUSPECT v2.14.0 ci-bot (auto) succeeded rollback`: the suspect word right after the age
/// so a narrow pane still shows it.
fn deploy_spans<'a>(model: &Model, d: &Deploy, with_app: bool) -> Vec<Span<'a>> {
    let theme = &model.theme;
    let age = d
        .at()
        .map(|t| format::age(model.now, t))
        .unwrap_or_else(|| "?".to_string());
    let mut spans = vec![Span::raw(format::fit_right(&age, 3))];
    if d.suspect {
        spans.push(Span::raw(" "));
        spans.push(Span::styled("SUSPECT", argocd::suspect_style(theme)));
    }
    if d.rollback {
        spans.push(Span::styled(" ↶ rollback", theme.accent));
    }
    spans.push(Span::styled(
        format!("  {}", argocd::short_rev(&d.revision)),
        theme.accent,
    ));
    if with_app {
        spans.push(Span::raw(format!("  {}", argocd::app_label(model, &d.app))));
    }
    spans.push(Span::styled(
        format!("  {}", argocd::deploy_initiator(d)),
        theme.muted,
    ));
    spans.push(Span::raw("  "));
    spans.push(Span::styled(
        argocd::result_word(d.result),
        argocd::result_style(theme, d.result),
    ));
    spans
}

/// The selected alert's `runbook_url`, else the first one among the service's alerts.
fn runbook_spans<'a>(model: &Model, service: &ServiceRow) -> Vec<Span<'a>> {
    let theme = &model.theme;
    let alert_at = |i: usize| service.alerts.get(i);
    let url_of = |a: &Alert| {
        a.annotations
            .get("runbook_url")
            .filter(|u| !u.is_empty())
            .cloned()
    };
    let found = alert_at(model.detail.selected)
        .and_then(|a| url_of(a).map(|u| (u, a.name().to_string())))
        .or_else(|| {
            service
                .alerts
                .iter()
                .find_map(|a| url_of(a).map(|u| (u, a.name().to_string())))
        });
    match found {
        Some((url, from)) => vec![
            Span::styled(url, theme.accent),
            Span::styled(format!("  (from {from})"), theme.muted),
        ],
        None => vec![Span::styled(
            "none: no runbook_url on these alerts",
            theme.muted,
        )],
    }
}
