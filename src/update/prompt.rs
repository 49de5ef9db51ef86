//! The bottom input line: `/` filters (live, as you type), `:` commands with completion, `n` notes.

use super::keys::{on_action, set_filter};
use super::{flash, push_event};
use crate::action::Action;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::alerts_view::AlertFilter;
use crate::model::timeline::{EventKind, EventSource, TimelineEvent};
use crate::model::ui::{FlashLevel, PromptKind, Screen};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Commands of the `:` palette: (name, argument hint, what it does).
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("triage", "", "Triage screen"),
    ("alerts", "", "Alerts screen"),
    ("apps", "", "Apps screen"),
    ("deploys", "", "Deploys screen"),
    ("services", "", "Services screen"),
    ("timeline", "", "Timeline screen"),
    ("filter", "TEXT", "filter the current screen"),
    ("theme", "NAME", "switch theme"),
    ("refresh", "", "fetch every source now"),
    ("note", "TEXT", "add a note to the timeline"),
    ("help", "", "key bindings"),
    ("ctx", "NAME", "switch Kubernetes context"),
    ("sort", "health|sync|age|name", "sort the Apps screen"),
    (
        "autosync",
        "on|off",
        "turn auto-sync of the selected app on or off",
    ),
    (
        "hard-refresh",
        "",
        "ask Argo CD to re-read git and manifests for the selected app",
    ),
    ("export", "", "export the incident timeline"),
    ("q", "", "quit"),
    ("quit", "", "quit"),
];

/// What a palette line (`sort health`, `alerts`) does, from [`COMMANDS`].
pub fn command_help(line: &str) -> Option<&'static str> {
    let name = line.split_whitespace().next()?;
    COMMANDS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, what)| *what)
}

pub fn on_prompt_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(prompt) = &mut model.prompt else {
        return Vec::new();
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => return cancel(model),
        KeyCode::Char('c') if ctrl => return cancel(model),
        KeyCode::Enter => {
            let prompt = model.prompt.take().expect("checked");
            return match prompt.kind {
                // Applied as typed; Enter keeps it.
                PromptKind::Filter => Vec::new(),
                PromptKind::Command => run_command(model, prompt.text.trim()),
                PromptKind::Note => {
                    add_note(model, prompt.text.trim());
                    Vec::new()
                }
            };
        }
        KeyCode::Tab | KeyCode::BackTab if prompt.kind == PromptKind::Command => {
            cycle_completion(prompt, key.code == KeyCode::BackTab);
            return Vec::new();
        }
        KeyCode::Right | KeyCode::End => prompt.select_all = false,
        KeyCode::Backspace => {
            if std::mem::take(&mut prompt.select_all) {
                prompt.text.clear();
            } else {
                prompt.text.pop();
            }
        }
        KeyCode::Char('u') if ctrl => prompt.text.clear(),
        KeyCode::Char('w') if ctrl => {
            prompt.select_all = false;
            let trimmed = prompt.text.trim_end().len();
            prompt.text.truncate(trimmed);
            let cut = prompt.text.rfind([' ', ',']).map(|p| p + 1).unwrap_or(0);
            prompt.text.truncate(cut);
        }
        KeyCode::Char(c) if !ctrl => {
            if std::mem::take(&mut prompt.select_all) {
                prompt.text.clear();
            }
            if prompt.text.chars().count() < 4096 {
                prompt.text.push(c);
            }
        }
        _ => return Vec::new(),
    }
    after_edit(model);
    Vec::new()
}

/// Esc: close the line; a filter goes back to what it was before the line opened.
fn cancel(model: &mut Model) -> Vec<Effect> {
    if let Some(p) = model.prompt.take()
        && p.kind == PromptKind::Filter
        && p.text != p.original
    {
        let screen = model.screen;
        set_filter(model, screen, p.original);
    }
    Vec::new()
}

/// Tab puts the next completion in the line (shift-Tab the previous), round and round.
fn cycle_completion(prompt: &mut crate::model::ui::Prompt, back: bool) {
    let n = prompt.completions.len();
    if n == 0 {
        return;
    }
    let next = match (prompt.completion, back) {
        (None, false) => 0,
        (None, true) => n - 1,
        (Some(i), false) => (i + 1) % n,
        (Some(i), true) => (i + n - 1) % n,
    };
    prompt.completion = Some(next);
    prompt.text = prompt.completions[next].clone();
    prompt.select_all = false;
}

/// After every edit: filters apply live; commands recompute completions.
pub fn after_edit(model: &mut Model) {
    let Some(prompt) = &model.prompt else { return };
    match prompt.kind {
        PromptKind::Filter => {
            let text = prompt.text.clone();
            let screen = model.screen;
            set_filter(model, screen, text);
            let error = match screen {
                // The Alerts screen's filter line shows it already: said once.
                Screen::Alerts => None,
                // Matchers select services by their alerts here too.
                Screen::Triage | Screen::Services => crate::model::alerts_view::filter_error(
                    &AlertFilter::parse(model.filter(screen)),
                ),
                _ => None,
            };
            if let Some(p) = &mut model.prompt {
                p.error = error;
            }
        }
        PromptKind::Command => {
            let completions = complete(model, &prompt.text);
            if let Some(p) = &mut model.prompt {
                p.completions = completions;
                p.completion = None;
                p.error = None;
            }
        }
        PromptKind::Note => {}
    }
}

fn complete(model: &Model, text: &str) -> Vec<String> {
    if let Some(rest) = text.strip_prefix("theme ") {
        return model
            .themes
            .iter()
            .filter(|t| t.name.starts_with(rest.trim()))
            .map(|t| format!("theme {}", t.name))
            .collect();
    }
    // A command whose argument is one of a few words (`sort health|sync|…`): complete those.
    if let Some((cmd, rest)) = text.split_once(' ')
        && let Some((_, arg, _)) = COMMANDS.iter().find(|(name, _, _)| *name == cmd)
        && arg.contains('|')
    {
        return arg
            .split('|')
            .filter(|choice| choice.starts_with(rest.trim()))
            .map(|choice| format!("{cmd} {choice}"))
            .collect();
    }
    COMMANDS
        .iter()
        .filter(|(name, _, _)| name.starts_with(text.trim()) && *name != "q")
        .map(|(name, arg, _)| {
            if arg.is_empty() {
                name.to_string()
            } else {
                format!("{name} ")
            }
        })
        .collect()
}

fn run_command(model: &mut Model, line: &str) -> Vec<Effect> {
    let (cmd, arg) = line
        .split_once(' ')
        .map(|(c, a)| (c, a.trim()))
        .unwrap_or((line, ""));
    let action = match cmd {
        "" => return Vec::new(),
        "help" => Some(Action::Help),
        "refresh" => Some(Action::Refresh),
        "q" | "quit" | "q!" => Some(Action::Quit),
        _ => crate::screens::by_command(cmd).map(|s| Action::Screen(s.screen)),
    };
    if let Some(a) = action {
        return on_action(model, a);
    }
    match cmd {
        "sort" => {
            model.apps_sort = match arg {
                "health" => crate::model::AppsSort::Health,
                "sync" => crate::model::AppsSort::Sync,
                "age" => crate::model::AppsSort::Age,
                "name" => crate::model::AppsSort::Name,
                _ => {
                    flash(
                        model,
                        FlashLevel::Error,
                        "sort by health, sync, age or name",
                    );
                    return Vec::new();
                }
            };
            model.rebuild_view(Screen::Apps);
        }
        "autosync" => match arg {
            "on" => return super::argo::open_enable_autosync(model),
            "off" => return super::argo::open_disable_autosync(model),
            "" => super::argo::describe_autosync(model),
            other => {
                let other = crate::sanitize::clean_line(other, 20);
                flash(
                    model,
                    FlashLevel::Error,
                    format!("autosync takes on or off, not `{other}`"),
                );
            }
        },
        "hard-refresh" => match super::argo::target_app(model) {
            Some(key) => {
                flash(
                    model,
                    FlashLevel::Info,
                    format!("hard refresh of {} requested", key.name),
                );
                return vec![Effect::FetchAppDetail {
                    key,
                    refresh: Some(crate::effect::RefreshKind::Hard),
                }];
            }
            None => flash(model, FlashLevel::Info, "select an Argo CD app first"),
        },
        "filter" => {
            let screen = model.screen;
            set_filter(model, screen, arg.to_string());
        }
        "note" => add_note(model, arg),
        "theme" => match model.themes.iter().find(|t| t.name == arg) {
            Some(theme) if !model.theme.no_color => {
                model.theme = theme.clone();
                flash(model, FlashLevel::Success, format!("theme: {arg}"));
            }
            Some(_) => flash(model, FlashLevel::Info, "NO_COLOR is set: themes stay off"),
            None => {
                let names: Vec<_> = model.themes.iter().map(|t| t.name.as_str()).collect();
                flash(
                    model,
                    FlashLevel::Error,
                    format!("no theme `{arg}`; have: {}", names.join(", ")),
                );
            }
        },
        "ctx" => flash(
            model,
            FlashLevel::Info,
            "no Kubernetes source configured: nothing to switch",
        ),
        "export" => flash(
            model,
            FlashLevel::Info,
            "incidents are not available yet: nothing to export",
        ),
        other => {
            let sanitized = crate::sanitize::clean_line(other, 40);
            flash(
                model,
                FlashLevel::Error,
                format!("unknown command `{sanitized}`: press : then Tab to list commands"),
            );
        }
    }
    Vec::new()
}

fn add_note(model: &mut Model, text: &str) {
    if text.is_empty() {
        return;
    }
    let text = crate::sanitize::clean_line(text, 4096);
    let mut e = TimelineEvent::new(
        EventKind::Note,
        EventSource::User,
        model.now,
        model.now,
        text,
    );
    e.actor = model.settings.author.clone();
    if let Some(s) = model.selected_service() {
        e.refs.service = Some(s.name.clone());
    }
    push_event(model, e);
    flash(model, FlashLevel::Success, "note added to the timeline");
}
