//! Keys: popups and prompts take keys first; otherwise the keymap turns a key into an `Action`.

use super::{argocd, flash, prompt, silence};
use crate::action::Action;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::alerts_view::AlertsRow;
use crate::model::popup::{FormStage, Inspect, InspectTarget, Popup, RollbackStage};
use crate::model::service::NO_SERVICE;
use crate::model::ui::{Cursor, FlashLevel, Prompt, PromptKind, Screen, TriagePane};
use crate::screens;
use crossterm::event::{KeyCode, KeyEvent};

pub fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    if model.popup.is_some() {
        return on_popup_key(model, key);
    }
    if model.prompt.is_some() {
        return prompt::on_prompt_key(model, key);
    }
    // The runbook pane beside the triage view takes its own keys first.
    if let Some(effects) = super::runbook::on_key(model, key) {
        return effects;
    }
    let mut effects = match model.keymap.action_for(&key) {
        Some(action) => {
            // A new action makes the last message stale: each message answers one action.
            model.flash = None;
            on_action(model, action)
        }
        None => Vec::new(),
    };
    // The selection may now point at an app whose detail (history, tree) we don't have yet.
    effects.extend(super::apps::detail_fetches(model, false));
    effects
}

pub fn on_paste(model: &mut Model, text: &str) {
    let clean = crate::sanitize::clean_line(text, 4096);
    match &mut model.popup {
        Some(Popup::Silence(form)) => {
            silence::paste(form, &clean);
            silence::revalidate(model);
            return;
        }
        // Only where the name is being asked for.
        Some(Popup::Rollback(form)) if form.stage == RollbackStage::Confirm => {
            return form.confirm.on_paste(&clean);
        }
        Some(Popup::Sync(form)) if form.stage == FormStage::Confirm => {
            return form.confirm.on_paste(&clean);
        }
        Some(Popup::Confirm(action)) if !matches!(action.stage, FormStage::InFlight(_)) => {
            return action.confirm.on_paste(&clean);
        }
        Some(Popup::Declare(form)) => return super::incident::paste(form, &clean),
        Some(Popup::KubeAction(form)) => return super::kube_actions::on_paste(form, &clean),
        Some(Popup::DriftSync) => return super::drift_sync::on_paste(model, &clean),
        _ => {}
    }
    if let Some(p) = &mut model.prompt {
        p.text.push_str(&clean);
        prompt::after_edit(model);
    }
}

fn on_popup_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    match &mut model.popup {
        Some(Popup::Help { .. }) => on_help_key(model, key),
        Some(Popup::Inspect(_)) => on_inspect_key(model, key),
        Some(Popup::Silence(_)) => silence::on_form_key(model, key),
        Some(Popup::Expire(_)) => silence::on_expire_key(model, key),
        Some(Popup::Rollback(_)) => argocd::on_rollback_key(model, key),
        Some(Popup::Sync(_)) => argocd::on_sync_key(model, key),
        Some(Popup::Confirm(_)) => argocd::on_confirm_key(model, key),
        Some(Popup::Declare(_)) => super::incident::on_declare_key(model, key),
        Some(Popup::Milestone { .. }) => super::incident::on_milestone_key(model, key),
        Some(Popup::Links { .. }) => super::links::on_links_key(model, key),
        Some(Popup::KubeAction(_)) => super::kube_actions::on_form_key(model, key),
        Some(Popup::KubeLogs(_)) => super::kube_logs::on_key(model, key),
        Some(Popup::DriftSync) => super::drift_sync::on_popup_key(model, key),
        None => Vec::new(),
    }
}

/// Help scrolls with the movement keys and closes with Esc, `?` or `q`. Any other bound key
/// closes it and does what it says (`2` goes to Alerts): nothing pressed is swallowed.
fn on_help_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let page = usize::from(model.size.1.saturating_sub(6)).max(1);
    let max = crate::ui::popups::help::max_scroll(model);
    let action = model.keymap.action_for(&key);
    let Some(Popup::Help { scroll }) = &mut model.popup else {
        return Vec::new();
    };
    let mut at = usize::from(*scroll).min(max);
    match action {
        Some(Action::Down) => at = (at + 1).min(max),
        Some(Action::Up) => at = at.saturating_sub(1),
        Some(Action::PageDown) => at = (at + page).min(max),
        Some(Action::PageUp) => at = at.saturating_sub(page),
        Some(Action::Top) => at = 0,
        Some(Action::Bottom) => at = max,
        Some(Action::Back | Action::Help | Action::Quit) if key.code != KeyCode::Char('c') => {
            model.popup = None;
            return Vec::new();
        }
        Some(other) => {
            model.popup = None;
            model.flash = None;
            return on_action(model, other);
        }
        None => {}
    }
    *scroll = at.min(usize::from(u16::MAX)) as u16;
    Vec::new()
}

/// The reading popup scrolls like help and closes with Esc or Enter.
fn on_inspect_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let page = usize::from(model.size.1.saturating_sub(8)).max(1);
    let action = model.keymap.action_for(&key);
    let max = match &model.popup {
        Some(Popup::Inspect(i)) => crate::ui::popups::inspect::max_scroll(model, i),
        _ => 0,
    };
    let Some(Popup::Inspect(inspect)) = &mut model.popup else {
        return Vec::new();
    };
    let at = usize::from(inspect.scroll);
    let at = match action {
        Some(Action::Down) => at + 1,
        Some(Action::Up) => at.saturating_sub(1),
        Some(Action::PageDown) => at + page,
        Some(Action::PageUp) => at.saturating_sub(page),
        Some(Action::Top) => 0,
        Some(Action::Bottom) => max,
        Some(Action::Back | Action::Enter) => {
            model.popup = None;
            return Vec::new();
        }
        Some(Action::Quit) if key.code != KeyCode::Char('c') => {
            model.popup = None;
            return Vec::new();
        }
        // Any other bound key closes the popup and does its job (as in help).
        Some(other) => {
            model.popup = None;
            model.flash = None;
            return on_action(model, other);
        }
        None => at,
    };
    inspect.scroll = at.min(max) as u16;
    Vec::new()
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
        Action::NextPane => match model.screen {
            Screen::Triage => {
                model.triage_pane = match model.triage_pane {
                    TriagePane::Services => TriagePane::Detail,
                    TriagePane::Detail => TriagePane::Changes,
                    TriagePane::Changes => TriagePane::Services,
                };
            }
            Screen::Apps if model.app_open.is_some() => {
                model.app_pane = model.app_pane.next();
                model.app_pane_cursor = Cursor::default();
            }
            Screen::Kube => super::kube_screen::next_pane(model),
            Screen::Drift => super::drift_screen::next_pane(model),
            _ => flash(model, FlashLevel::Info, "this screen has one pane"),
        },
        Action::Screen(screen) => open_screen(model, screen),
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
            match argocd::target_app(model) {
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
        Action::Open if model.screen == Screen::Drift => {
            return super::drift_screen::open_commit(model);
        }
        Action::Open => return open_link(model),
        Action::Copy => return copy_selection(model),
        Action::Rollback => return argocd::open_rollback(model),
        Action::Sync if model.screen == Screen::Drift => return super::drift_sync::open(model),
        Action::Sync => return argocd::open_sync(model),
        Action::Terminate if model.screen == Screen::Drift => {
            return super::drift_sync::cancel(model);
        }
        Action::Terminate => return argocd::open_terminate(model),
        Action::Runbook => return super::runbook::open(model),
        Action::Incident => return super::incident::open_declare(model),
        Action::Milestone => return super::incident::open_milestone(model),
        Action::Export => return super::incident::export(model),
        Action::Star => {
            if model.screen != Screen::Timeline {
                flash(
                    model,
                    FlashLevel::Info,
                    "* stars an event on the Timeline (6)",
                );
                return Vec::new();
            }
            return super::incident::star(model);
        }
        Action::KubeLogs => return super::kube_logs::open(model, false),
        // Outside the log view, `p` opens it on the previous container straight away.
        Action::LogsPrevious if model.screen == Screen::Kube => {
            return super::kube_logs::open(model, true);
        }
        Action::LogsPrevious | Action::LogsContainer | Action::LogsFollow => flash(
            model,
            FlashLevel::Info,
            format!(
                "{} works in the pod log view ({} opens it on the Kubernetes screen)",
                model.keymap.hint(action),
                model.keymap.hint(Action::KubeLogs)
            ),
        ),
        Action::KubeUndo
        | Action::KubeRestart
        | Action::KubeScale
        | Action::RolloutAbort
        | Action::RolloutRetry
        | Action::RolloutPromote => {
            if let Some(kind) = super::kube_actions::kind_of(action) {
                return super::kube_actions::open(model, kind);
            }
        }
        Action::NextCluster => return super::kube_screen::next_cluster(model),
        Action::NextHunk | Action::PrevHunk if model.screen == Screen::Drift => {
            super::drift_screen::hunk(model, action == Action::NextHunk)
        }
        Action::ScrollLeft | Action::ScrollRight if model.screen == Screen::Drift => {
            super::drift_screen::hscroll(model, action == Action::ScrollRight)
        }
        Action::NextHunk | Action::PrevHunk | Action::ScrollLeft | Action::ScrollRight => flash(
            model,
            FlashLevel::Info,
            format!(
                "{} {} and ←/→ move through a diff on the Drift screen ({})",
                model.keymap.hint(Action::NextHunk),
                model.keymap.hint(Action::PrevHunk),
                Screen::Drift.number()
            ),
        ),
        Action::DeployDiff => return super::drift_screen::open_deploy_diff(model),
        Action::CorrectTime => {
            if model.screen != Screen::Timeline {
                flash(
                    model,
                    FlashLevel::Info,
                    "E corrects an event's time on the Timeline (6)",
                );
                return Vec::new();
            }
            return super::incident::open_correction(model);
        }
    }
    Vec::new()
}

fn open_prompt(model: &mut Model, kind: PromptKind) {
    let text = match kind {
        PromptKind::Filter => model.filter(model.screen).to_string(),
        _ => String::new(),
    };
    model.prompt = Some(Prompt::new(kind, text));
    prompt::after_edit(model);
}

/// Show `screen` (its number key, its palette command).
fn open_screen(model: &mut Model, screen: Screen) {
    model.screen = screen;
    if screen == Screen::Kube && model.kube_screen.stale {
        crate::model::kube_view::rebuild(model);
    }
    if screen == Screen::Drift {
        crate::model::drift_view::rebuild(model);
    }
    let def = screens::def(screen);
    if def.opens_at_end {
        let list = (def.list)(model);
        list.cursor.selected = list.len.saturating_sub(1);
    }
}

/// Apply a cursor move to whatever list has the keyboard (the screen table says which).
fn move_cursor(model: &mut Model, f: impl Fn(&mut Cursor, usize)) {
    let list = (screens::def(model.screen).list)(model);
    let before = list.cursor.selected;
    f(list.cursor, list.len);
    if list.cursor.selected != before
        && let Some(within) = list.within
    {
        *within = Cursor::default();
    }
}

fn enter(model: &mut Model) {
    match model.screen {
        Screen::Triage => match model.triage_pane {
            // The fleet row opens the Drift screen on its groups.
            TriagePane::Services if model.fleet_selected() => {
                model.screen = Screen::Drift;
                crate::model::drift_view::rebuild(model);
            }
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
        Screen::Alerts => match model.alerts_view.rows.get(model.alerts_cursor.selected) {
            Some(AlertsRow::Group(g)) => {
                let key = g.key.clone();
                if !model.alerts_view.collapsed.remove(&key) {
                    model.alerts_view.collapsed.insert(key);
                }
                model.rebuild_view(Screen::Alerts);
            }
            Some(AlertsRow::Alert(_)) => {
                if let Some(a) = selected_alert(model) {
                    let target = InspectTarget::Alert(a.fingerprint.clone());
                    inspect(model, target);
                }
            }
            None => {}
        },
        Screen::Services => {
            let selected = model.selected_services_name().map(str::to_string);
            if let Some(name) = selected {
                model.screen = Screen::Triage;
                model.filters.remove(&Screen::Triage);
                model.rebuild_view(Screen::Triage);
                match model.triage_position(&name) {
                    Some(i) => {
                        model.triage.selected = i;
                        model.triage_pane = TriagePane::Detail;
                        model.detail = Cursor::default();
                    }
                    // Listed on Services but needs no attention: the triage list leaves it out.
                    None => flash(
                        model,
                        FlashLevel::Info,
                        format!("{name} needs no attention: it is not on the triage list"),
                    ),
                }
            }
        }
        Screen::Apps => match model.app_open.clone() {
            None => {
                if let Some(key) = model.apps_view.get(model.apps_cursor.selected).cloned() {
                    model.app_open = Some(key);
                    model.app_pane = Default::default();
                    model.app_pane_cursor = Cursor::default();
                }
            }
            Some(key) => {
                let row = model.app_pane_cursor.selected;
                match crate::model::app_view::pane_target(model, &key, model.app_pane, row) {
                    Some(target) => inspect(model, target),
                    None => flash(model, FlashLevel::Info, "this pane is empty"),
                }
            }
        },
        Screen::Timeline => {
            if let Some(e) = model.timeline_row(model.timeline_cursor.selected) {
                let target = InspectTarget::Event(e.id.clone());
                inspect(model, target);
            }
        }
        Screen::Kube => super::kube_screen::enter(model),
        Screen::Drift => super::drift_screen::enter(model),
        // A deploy drills into its app.
        Screen::Deploys => {
            if let Some(key) = model
                .selected_deploy()
                .filter(|d| d.kube().is_none())
                .map(|d| d.app.clone())
            {
                model.screen = Screen::Apps;
                model.app_open = Some(key);
                model.app_pane = Default::default();
                model.app_pane_cursor = Cursor::default();
            }
        }
    }
}

fn back(model: &mut Model) {
    if model.screen == Screen::Apps && model.app_open.is_some() {
        model.app_open = None;
        return;
    }
    if model.screen == Screen::Kube && super::kube_screen::back(model) {
        return;
    }
    if model.screen == Screen::Drift && super::drift_screen::back(model) {
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
    model.rebuild_view(screen);
}

/// Open the reading popup on `target`.
fn inspect(model: &mut Model, target: InspectTarget) {
    model.popup = Some(Popup::Inspect(Inspect { target, scroll: 0 }));
}

fn is_web_link(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
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
            let alert = match model.triage_pane {
                TriagePane::Detail => service.alerts.get(model.detail.selected)?,
                _ => service.alerts.first()?,
            };
            Some(alert)
        }
        Screen::Alerts => {
            let rows = &model.alerts_view.rows;
            let sel = model.alerts_cursor.selected;
            match rows.get(sel)? {
                AlertsRow::Alert(a) => Some(a),
                AlertsRow::Group(_) => match rows.get(sel + 1)? {
                    AlertsRow::Alert(a) => Some(a),
                    AlertsRow::Group(_) => None,
                },
            }
        }
        _ => None,
    }
}

/// `o`: the alert's runbook when it is a link, else the graph of the rule that fired it. The
/// message names which of the two it opens.
fn open_link(model: &mut Model) -> Vec<Effect> {
    // A service selected (not one of its alerts): its owner card's links.
    let service = match model.screen {
        Screen::Triage if model.triage_pane == TriagePane::Services => {
            model.selected_service().map(|s| s.name.clone())
        }
        Screen::Services => model.selected_services_name().map(str::to_string),
        _ => None,
    };
    // Without catalog links, the top alert's links as before.
    if let Some(service) = service
        && (!model.owner_card(&service).links.is_empty() || selected_alert(model).is_none())
    {
        return super::links::open_links(model, service);
    }
    let link = selected_alert(model).and_then(|a| {
        let runbook = a.annotations.get("runbook_url").filter(|u| is_web_link(u));
        let graph = a.generator_url.as_ref().filter(|u| is_web_link(u));
        match (runbook, graph) {
            (Some(u), _) => Some(("runbook", u.clone())),
            (None, Some(u)) => Some(("alert's source graph", u.clone())),
            (None, None) => None,
        }
    });
    match link {
        Some((what, url)) => {
            flash(
                model,
                FlashLevel::Info,
                format!("opening the {what}: {url}"),
            );
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

/// `y`: what the selection is, as text someone would paste: a service or app name, an alert's
/// labels, a deploy's revision, a timeline event's line.
fn copy_selection(model: &mut Model) -> Vec<Effect> {
    let text = match model.screen {
        Screen::Triage if model.triage_pane == TriagePane::Services => model
            .selected_service()
            .map(|s| s.name.clone())
            .filter(|n| n != NO_SERVICE),
        Screen::Triage | Screen::Alerts => selected_alert(model).map(|a| {
            a.labels
                .iter()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        }),
        Screen::Apps => model
            .app_open
            .clone()
            .or_else(|| model.apps_view.get(model.apps_cursor.selected).cloned())
            .map(|k| k.name),
        Screen::Deploys => model
            .selected_deploy()
            .map(|d| d.revision.clone())
            .filter(|r| !r.is_empty()),
        Screen::Services => model
            .selected_services_name()
            .map(str::to_string)
            .filter(|n| n != NO_SERVICE),
        Screen::Drift => return super::drift_screen::copy(model),
        Screen::Kube => {
            let s = &model.kube_screen;
            match s.pane {
                crate::model::kube_view::KubePane::Workloads => {
                    s.selected_workload().map(|r| r.workload.key.name.clone())
                }
                crate::model::kube_view::KubePane::Pods => {
                    s.selected_pod().map(|r| r.pod.key.name.clone())
                }
                crate::model::kube_view::KubePane::Events => s
                    .events
                    .get(s.events_cursor.selected)
                    .map(|e| format!("{} {}: {}", e.reason, e.object_name, e.message)),
            }
        }
        Screen::Timeline => model.timeline_row(model.timeline_cursor.selected).map(|e| {
            format!(
                "{} {} {}",
                e.occurred_at.format("%Y-%m-%d %H:%M:%S UTC"),
                e.kind.as_str(),
                e.summary
            )
        }),
    };
    match text {
        Some(t) => {
            // OSC 52 asks the terminal; whether it allows clipboard writes is its setting.
            flash(
                model,
                FlashLevel::Success,
                format!("sent to the terminal's clipboard (OSC 52): {t}"),
            );
            vec![Effect::Copy(t)]
        }
        None => {
            flash(model, FlashLevel::Info, "nothing selected to copy");
            Vec::new()
        }
    }
}
