//! The bottom input line: `/` filters (live, as you type), `:` commands with completion, `n` notes.

use super::keys::{on_action, set_filter};
use super::{flash, push_event};
use crate::action::Action;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::alerts_view::AlertFilter;
use crate::model::ui::{FlashLevel, PromptKind, Screen};
use crate::screens::SCREENS;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::borrow::Cow;
use std::sync::LazyLock;

/// What a palette command takes after its name.
#[derive(Clone, Copy)]
pub enum Args {
    None,
    /// Free text (a filter, a note, a context name).
    Text,
    /// One of these words (completed by Tab).
    OneOf(&'static [&'static str]),
    /// One of the names the model has now (themes; completed by Tab).
    Named(fn(&Model) -> Vec<String>),
}

/// What running a palette command does: an action, as its key would, or its own function of the
/// argument.
#[derive(Clone, Copy)]
pub enum Run {
    Action(Action),
    With(fn(&mut Model, &str) -> Vec<Effect>),
}

/// One palette command: completion, the completion list's descriptions and running it all read
/// this.
#[derive(Clone)]
pub struct CommandDef {
    pub name: &'static str,
    /// More names that run it, not offered as completions (`q`, `home`).
    pub aliases: &'static [&'static str],
    pub args: Args,
    pub help: Cow<'static, str>,
    pub run: Run,
}

const fn command(name: &'static str, args: Args, help: &'static str, run: Run) -> CommandDef {
    CommandDef {
        name,
        aliases: &[],
        args,
        help: Cow::Borrowed(help),
        run,
    }
}

impl CommandDef {
    const fn aliases(mut self, aliases: &'static [&'static str]) -> CommandDef {
        self.aliases = aliases;
        self
    }
}

/// The palette's own commands; the screens' (`:alerts`, `:home`) come from the screen table and
/// are listed first.
const COMMANDS: &[CommandDef] = &[
    command(
        "filter",
        Args::Text,
        "filter the current screen",
        Run::With(|m, arg| {
            let screen = m.screen;
            set_filter(m, screen, arg.to_string());
            Vec::new()
        }),
    ),
    command(
        "theme",
        Args::Named(|m| m.themes.iter().map(|t| t.name.clone()).collect()),
        "switch theme",
        Run::With(run_theme),
    ),
    command(
        "team",
        Args::Named(|m| m.catalog.owners()),
        "narrow every screen to a team's services (no name: all teams)",
        Run::With(|m, arg| {
            super::catalog::set_team(m, arg);
            Vec::new()
        }),
    ),
    command(
        "refresh",
        Args::None,
        "fetch every source now",
        Run::Action(Action::Refresh),
    ),
    command(
        "note",
        Args::Text,
        "add a note to the timeline",
        Run::With(|m, arg| {
            add_note(m, arg);
            Vec::new()
        }),
    ),
    command(
        "help",
        Args::None,
        "key bindings",
        Run::Action(Action::Help),
    ),
    command(
        "ctx",
        Args::Named(crate::model::kube_view::clusters),
        "show a Kubernetes cluster (context) on the Kubernetes screen",
        Run::With(super::kube_screen::run_ctx),
    ),
    command(
        "ns",
        Args::Named(super::kube_screen::namespaces),
        "Kubernetes screen: one namespace only (no name: all)",
        Run::With(super::kube_screen::run_ns),
    ),
    command(
        "sort",
        Args::OneOf(&["health", "sync", "age", "name"]),
        "sort the Apps screen",
        Run::With(run_sort),
    ),
    command(
        "autosync",
        Args::OneOf(&["on", "off"]),
        "turn auto-sync of the selected app on or off",
        Run::With(run_autosync),
    ),
    command(
        "hard-refresh",
        Args::None,
        "ask Argo CD to re-read git and manifests for the selected app",
        Run::With(run_hard_refresh),
    ),
    command(
        "export",
        Args::None,
        "export the incident's post-mortem",
        Run::Action(Action::Export),
    ),
    command(
        "declare",
        Args::None,
        "declare an incident",
        Run::Action(Action::Incident),
    ),
    command(
        "severity",
        Args::OneOf(&["SEV1", "SEV2", "SEV3", "SEV4"]),
        "change the open incident's severity",
        Run::With(super::incident::set_severity),
    ),
    command(
        "milestone",
        Args::OneOf(&[
            "impact_started",
            "detected",
            "acknowledged",
            "mitigated",
            "resolved",
        ]),
        "mark a milestone of the open incident",
        Run::With(|m, arg| {
            match crate::incident::state::Milestone::parse(arg) {
                Some(ms) => super::incident::mark(m, ms),
                None => flash(m, FlashLevel::Error, format!("no milestone `{arg}`")),
            }
            Vec::new()
        }),
    ),
    command("quit", Args::None, "quit", Run::Action(Action::Quit)).aliases(&["q", "q!"]),
];

/// Every palette command: the screens', then [`COMMANDS`].
static ALL_COMMANDS: LazyLock<Vec<CommandDef>> = LazyLock::new(|| {
    let screens = SCREENS.iter().map(|s| CommandDef {
        name: s.command,
        aliases: s.aliases,
        args: Args::None,
        help: Cow::Owned(format!("{} screen", s.title)),
        run: Run::Action(Action::Screen(s.screen)),
    });
    screens.chain(COMMANDS.iter().cloned()).collect()
});

/// Every palette command, in completion order.
pub fn commands() -> &'static [CommandDef] {
    &ALL_COMMANDS
}

/// The command a palette word names (its name or an alias).
fn find(word: &str) -> Option<&'static CommandDef> {
    commands()
        .iter()
        .find(|c| c.name == word || c.aliases.contains(&word))
}

/// What a palette line (`sort health`, `alerts`) does.
pub fn command_help(line: &str) -> Option<&'static str> {
    let name = line.split_whitespace().next()?;
    find(name).map(|c| c.help.as_ref())
}

pub fn on_prompt_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(prompt) = &mut model.prompt else {
        return Vec::new();
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => return cancel(model),
        KeyCode::Char('c') if ctrl => return cancel(model),
        // A note can have several lines: alt-Enter (or ctrl-j) starts the next one.
        KeyCode::Enter
            if prompt.kind == PromptKind::Note && key.modifiers.contains(KeyModifiers::ALT) =>
        {
            prompt.text.push('\n');
            return Vec::new();
        }
        KeyCode::Char('j') if ctrl && prompt.kind == PromptKind::Note => {
            prompt.text.push('\n');
            return Vec::new();
        }
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
                PromptKind::SkipStep(ref key) => {
                    if let Err(e) = super::runbook::skip(model, key, &prompt.text) {
                        model.prompt = Some(crate::model::ui::Prompt {
                            error: Some(e),
                            select_all: false,
                            ..prompt
                        });
                    }
                    Vec::new()
                }
                PromptKind::CorrectTime(ref id) => {
                    if let Err(e) = super::incident::correct(model, id, &prompt.text) {
                        // Kept open with the reason: the typed text is not lost.
                        model.prompt = Some(crate::model::ui::Prompt {
                            error: Some(e),
                            select_all: false,
                            ..prompt
                        });
                    }
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
        PromptKind::Note | PromptKind::CorrectTime(_) | PromptKind::SkipStep(_) => {
            if let Some(p) = &mut model.prompt {
                p.error = None;
            }
        }
    }
}

fn complete(model: &Model, text: &str) -> Vec<String> {
    // After a command that takes one of a few words (`sort health|sync|…`, `theme NAME`):
    // those words.
    if let Some((cmd, rest)) = text.split_once(' ') {
        let choices: Vec<String> = match find(cmd).map(|c| c.args) {
            Some(Args::OneOf(words)) => words.iter().map(|w| w.to_string()).collect(),
            Some(Args::Named(names)) => names(model),
            _ => Vec::new(),
        };
        return choices
            .into_iter()
            .filter(|choice| choice.starts_with(rest.trim()))
            .map(|choice| format!("{cmd} {choice}"))
            .collect();
    }
    commands()
        .iter()
        .filter(|c| c.name.starts_with(text.trim()))
        .map(|c| match c.args {
            Args::None => c.name.to_string(),
            _ => format!("{} ", c.name),
        })
        .collect()
}

fn run_command(model: &mut Model, line: &str) -> Vec<Effect> {
    let (cmd, arg) = line
        .split_once(' ')
        .map(|(c, a)| (c, a.trim()))
        .unwrap_or((line, ""));
    if cmd.is_empty() {
        return Vec::new();
    }
    match find(cmd).map(|c| c.run) {
        Some(Run::Action(action)) => on_action(model, action),
        Some(Run::With(run)) => run(model, arg),
        None => {
            let sanitized = crate::sanitize::clean_line(cmd, 40);
            flash(
                model,
                FlashLevel::Error,
                format!("unknown command `{sanitized}`: press : then Tab to list commands"),
            );
            Vec::new()
        }
    }
}

fn run_sort(model: &mut Model, arg: &str) -> Vec<Effect> {
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
    Vec::new()
}

fn run_autosync(model: &mut Model, arg: &str) -> Vec<Effect> {
    match arg {
        "on" => return super::argocd::open_enable_autosync(model),
        "off" => return super::argocd::open_disable_autosync(model),
        "" => super::argocd::describe_autosync(model),
        other => {
            let other = crate::sanitize::clean_line(other, 20);
            flash(
                model,
                FlashLevel::Error,
                format!("autosync takes on or off, not `{other}`"),
            );
        }
    }
    Vec::new()
}

fn run_hard_refresh(model: &mut Model, _: &str) -> Vec<Effect> {
    match super::argocd::target_app(model) {
        Some(key) => {
            flash(
                model,
                FlashLevel::Info,
                format!("hard refresh of {} requested", key.name),
            );
            vec![Effect::FetchAppDetail {
                key,
                refresh: Some(crate::effect::RefreshKind::Hard),
            }]
        }
        None => {
            flash(model, FlashLevel::Info, "select an Argo CD app first");
            Vec::new()
        }
    }
}

fn run_theme(model: &mut Model, arg: &str) -> Vec<Effect> {
    match model.themes.iter().find(|t| t.name == arg) {
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
    }
    Vec::new()
}

fn add_note(model: &mut Model, text: &str) {
    if text.is_empty() {
        return;
    }
    // Several lines: the first is the summary, the whole note the body.
    let text = crate::sanitize::clean_text(text, 4096);
    let mut e = crate::incident::events::note(&text, &model.settings.author, model.now);
    if let Some(s) = model.selected_service() {
        e.refs.service = Some(s.name.clone());
    }
    push_event(model, e);
    flash(model, FlashLevel::Success, "note added to the timeline");
}
