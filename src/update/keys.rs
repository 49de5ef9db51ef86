//! Keys: popups and prompts take keys first; otherwise the keymap turns a key into an `Action`.

use super::{argo, flash, prompt, silence};
use crate::action::Action;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::alerts_view::AlertsRow;
use crate::model::popup::Popup;
use crate::model::service::NO_SERVICE;
use crate::model::ui::{Cursor, FlashLevel, Prompt, PromptKind, Screen, TriagePane};
use crossterm::event::{KeyCode, KeyEvent};

pub fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if model.popup.is_some() {
        return on_popup_key(model, key);
    }
    if model.prompt.is_some() {
        return prompt::on_prompt_key(model, key);
    }
    let mut effects = match model.keymap.action_for(&key) {
        Some(action) => on_action(model, action),
        None => Vec::new(),
    };
    // The selection may now point at an app whose detail (history, tree) we don't have yet.
    effects.extend(super::apps::detail_fetches(model));
    effects
}

pub fn on_paste(model: &mut Model, text: &str) {
    let clean = crate::sanitize::clean_line(text, 4096);
    if let Some(Popup::Silence(form)) = &mut model.popup {
        silence::paste(form, &clean);
        silence::revalidate(model);
    } else if let Some(p) = &mut model.prompt {
        p.text.push_str(&clean);
        prompt::after_edit(model);
    }
}

fn on_popup_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    match &mut model.popup {
        Some(Popup::Help { scroll }) => {
            match key.code {
                KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                KeyCode::PageDown => *scroll = scroll.saturating_add(10),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                KeyCode::Char('g') | KeyCode::Home => *scroll = 0,
                _ => model.popup = None,
            }
            Vec::new()
        }
        Some(Popup::Silence(_)) => silence::on_form_key(model, key),
        Some(Popup::Expire(_)) => silence::on_expire_key(model, key),
        Some(Popup::Rollback(_)) => argo::on_rollback_key(model, key),
        Some(Popup::Sync(_)) => argo::on_sync_key(model, key),
        Some(Popup::Confirm(_)) => argo::on_confirm_key(model, key),
        None => Vec::new(),
    }
}

pub fn on_action(model: &mut Model, action: Action) -> Vec<Effect> {
    let page = usize::from(model.size.1.saturating_sub(8)).max(1);
    match action {
        Action::Down => move_cursor(model, |c, len| c.down(len, 1)),
        Action::Up => move_cursor(model, |c, _| c.up(1)),
        Action::PageDown => move_cursor(model, |c, len| c.down(len, page)),
        Action::PageUp => move_cursor(model, |c, _| c.up(page)),
        Action::Top => move_cursor(model, |c, _| c.selected = 0),
        Action::Bottom => move_cursor(model, |c, len| c.selected = len.saturating_sub(1)),
        Action::Enter => enter(model),
        Action::Back => back(model),
        Action::NextPane => {
            if model.screen == Screen::Triage {
                model.triage_pane = match model.triage_pane {
                    TriagePane::Services => TriagePane::Detail,
                    TriagePane::Detail => TriagePane::Changes,
                    TriagePane::Changes => TriagePane::Services,
                };
            }
        }
        Action::ScreenTriage => model.screen = Screen::Triage,
        Action::ScreenAlerts => model.screen = Screen::Alerts,
        Action::ScreenApps => model.screen = Screen::Apps,
        Action::ScreenDeploys => model.screen = Screen::Deploys,
        Action::ScreenServices => model.screen = Screen::Services,
        Action::ScreenTimeline => {
            model.screen = Screen::Timeline;
            model.timeline_cursor.selected = model.timeline.len().saturating_sub(1);
        }
        Action::Filter => open_prompt(model, PromptKind::Filter),
        Action::Command => open_prompt(model, PromptKind::Command),
        Action::Note => open_prompt(model, PromptKind::Note),
        Action::Help => model.popup = Some(Popup::Help { scroll: 0 }),
        Action::Quit => {
            model.quit = true;
            return vec![Effect::Quit];
        }
        Action::Suspend => return vec![Effect::Suspend],
        Action::Refresh => {
            let mut effects: Vec<Effect> = model
                .sources
                .iter()
                .map(|s| Effect::Refresh {
                    source: s.name.clone(),
                })
                .collect();
            // On an Argo CD app, also ask Argo CD to re-read git for it (`:hard-refresh` for
            // manifests too).
            match argo::target_app(model) {
                Some(key) if matches!(model.screen, Screen::Apps | Screen::Deploys) => {
                    flash(
                        model,
                        FlashLevel::Info,
                        format!("refreshing all sources and {}…", key.name),
                    );
                    effects.push(Effect::FetchAppDetail {
                        key,
                        refresh: Some(crate::effect::RefreshKind::Normal),
                    });
                }
                _ => flash(model, FlashLevel::Info, "refreshing all sources…"),
            }
            return effects;
        }
        Action::Silence => return silence::open(model),
        Action::Open => return open_link(model),
        Action::Copy => return copy_selection(model),
        Action::Rollback => return argo::open_rollback(model),
        Action::Sync => return argo::open_sync(model),
        Action::Terminate => return argo::open_terminate(model),
        Action::Runbook => {
            match selected_alert(model).and_then(|a| a.annotations.get("runbook_url").cloned()) {
                Some(url) => flash(
                    model,
                    FlashLevel::Info,
                    format!("runbook: {url} (o opens it)"),
                ),
                None => flash(model, FlashLevel::Info, "no runbook matched the selection"),
            }
        }
        Action::Incident | Action::Milestone | Action::Export => {
            flash(
                model,
                FlashLevel::Info,
                "incidents are not available yet: this session's events are on the Timeline (6)",
            );
        }
    }
    Vec::new()
}

fn open_prompt(model: &mut Model, kind: PromptKind) {
    let text = match kind {
        PromptKind::Filter => model.filter(model.screen).to_string(),
        _ => String::new(),
    };
    model.prompt = Some(Prompt {
        kind,
        text,
        completions: Vec::new(),
        error: None,
    });
    prompt::after_edit(model);
}

/// Apply a cursor move to whatever list has the keyboard.
fn move_cursor(model: &mut Model, f: impl Fn(&mut Cursor, usize)) {
    match model.screen {
        Screen::Triage => match model.triage_pane {
            TriagePane::Detail => {
                let len = model
                    .selected_service()
                    .map(|s| s.alerts.len())
                    .unwrap_or(0);
                f(&mut model.detail, len);
            }
            _ => {
                let before = model.triage.selected;
                let len = model.visible_services().len();
                f(&mut model.triage, len);
                if model.triage.selected != before {
                    model.detail = Cursor::default();
                }
            }
        },
        Screen::Alerts => {
            let len = model.alerts_view.rows.len();
            f(&mut model.alerts_cursor, len);
        }
        Screen::Services => {
            let len = model.services.len();
            f(&mut model.services_cursor, len);
        }
        Screen::Timeline => {
            let len = model.timeline.len();
            f(&mut model.timeline_cursor, len);
        }
        Screen::Apps => {
            if model.app_open.is_none() {
                let len = model.apps_view.len();
                f(&mut model.apps_cursor, len);
            }
        }
        Screen::Deploys => {
            let len = model.deploys.len();
            f(&mut model.deploys_cursor, len);
        }
    }
}

fn enter(model: &mut Model) {
    match model.screen {
        Screen::Triage => match model.triage_pane {
            TriagePane::Services => model.triage_pane = TriagePane::Detail,
            // Drill from an alert into the Alerts screen, filtered to its group.
            TriagePane::Detail | TriagePane::Changes => {
                if let Some(alert) = selected_alert(model) {
                    let filter = filter_for_alert(model, alert);
                    model.screen = Screen::Alerts;
                    set_filter(model, Screen::Alerts, filter);
                }
            }
        },
        Screen::Alerts => {
            if let Some(AlertsRow::Group(g)) =
                model.alerts_view.rows.get(model.alerts_cursor.selected)
            {
                let key = g.key.clone();
                if !model.alerts_view.collapsed.remove(&key) {
                    model.alerts_view.collapsed.insert(key);
                }
                model.rederive();
            }
        }
        Screen::Services => {
            if let Some(name) = model
                .services
                .get(model.services_cursor.selected)
                .map(|s| s.name.clone())
            {
                model.screen = Screen::Triage;
                model.filters.remove(&Screen::Triage);
                model.triage.selected = model
                    .visible_services()
                    .iter()
                    .position(|s| s.name == name)
                    .unwrap_or(0);
                model.triage_pane = TriagePane::Detail;
                model.detail = Cursor::default();
            }
        }
        Screen::Apps => {
            if model.app_open.is_none()
                && let Some(key) = model.apps_view.get(model.apps_cursor.selected).cloned()
            {
                model.app_open = Some(key);
            }
        }
        // A deploy drills into its app.
        Screen::Deploys => {
            if let Some(key) = model
                .deploys
                .get(model.deploys_cursor.selected)
                .map(|d| d.app.clone())
            {
                model.screen = Screen::Apps;
                model.app_open = Some(key);
            }
        }
        _ => {}
    }
}

fn back(model: &mut Model) {
    if model.screen == Screen::Apps && model.app_open.is_some() {
        model.app_open = None;
        return;
    }
    if !model.filter(model.screen).is_empty() {
        set_filter(model, model.screen, String::new());
        return;
    }
    match model.screen {
        Screen::Triage if model.triage_pane != TriagePane::Services => {
            model.triage_pane = TriagePane::Services
        }
        Screen::Triage => {}
        _ => model.screen = Screen::Triage,
    }
}

pub fn set_filter(model: &mut Model, screen: Screen, text: String) {
    if text.is_empty() {
        model.filters.remove(&screen);
    } else {
        model.filters.insert(screen, text);
    }
    match screen {
        Screen::Triage => {
            model.triage.selected = 0;
            model.detail = Cursor::default();
        }
        Screen::Alerts => model.alerts_cursor.selected = 0,
        _ => {}
    }
    model.rederive();
}

/// A matcher filter that selects the alert's group on the Alerts screen: its alertname and the
/// label that made its service.
fn filter_for_alert(model: &Model, alert: &crate::model::alert::Alert) -> String {
    let mut parts = vec![format!("alertname={:?}", alert.name())];
    if let Some(label) = model
        .settings
        .service_labels
        .iter()
        .find(|l| alert.labels.contains_key(*l))
    {
        parts.push(format!("{label}={:?}", alert.labels[label]));
    }
    parts.join(" ")
}

/// The alert the user is pointing at: the detail pane's alert on Triage, the row on Alerts (the
/// first alert of a group row).
pub fn selected_alert(model: &Model) -> Option<&crate::model::alert::Alert> {
    match model.screen {
        Screen::Triage => {
            let service = model.selected_service()?;
            let idx = match model.triage_pane {
                TriagePane::Detail => service.alerts.get(model.detail.selected)?,
                _ => service.alerts.first()?,
            };
            model.alerts.at(*idx)
        }
        Screen::Alerts => {
            let rows = &model.alerts_view.rows;
            let sel = model.alerts_cursor.selected;
            let idx = match rows.get(sel)? {
                AlertsRow::Alert(i) => *i,
                AlertsRow::Group(_) => match rows.get(sel + 1)? {
                    AlertsRow::Alert(i) => *i,
                    AlertsRow::Group(_) => return None,
                },
            };
            model.alerts.at(idx)
        }
        _ => None,
    }
}

fn open_link(model: &mut Model) -> Vec<Effect> {
    let url = selected_alert(model).and_then(|a| {
        a.annotations
            .get("runbook_url")
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .or(a.generator_url.as_ref())
            .cloned()
    });
    match url.filter(|u| u.starts_with("http://") || u.starts_with("https://")) {
        Some(url) => {
            flash(model, FlashLevel::Info, format!("opening {url}"));
            vec![Effect::OpenUrl(url)]
        }
        None => {
            flash(
                model,
                FlashLevel::Info,
                "nothing to open: the selection has no http(s) link",
            );
            Vec::new()
        }
    }
}

fn copy_selection(model: &mut Model) -> Vec<Effect> {
    let text = match model.screen {
        Screen::Triage if model.triage_pane == TriagePane::Services => model
            .selected_service()
            .map(|s| s.name.clone())
            .filter(|n| n != NO_SERVICE),
        _ => selected_alert(model).map(|a| {
            a.labels
                .iter()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        }),
    };
    match text {
        Some(t) => {
            flash(model, FlashLevel::Success, format!("copied: {t}"));
            vec![Effect::Copy(t)]
        }
        None => Vec::new(),
    }
}
