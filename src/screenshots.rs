//! `sitrep demo screenshots`: render the demo incident's screens into SVG images for the README.
//! The images come from the real pipeline (demo servers -> real clients -> update -> render), so
//! they show exactly what a user sees.

use crate::action::Action;
use crate::config::load::Env;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::ui::Screen;
use crate::update::update;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

pub async fn generate(out: &Path) -> anyhow::Result<()> {
    // An empty environment: the user's own config and NO_COLOR must not change the images.
    let cli = crate::cli::Cli {
        demo: true,
        demo_speed: 1.0,
        theme: Some("dark".into()),
        ..Default::default()
    };
    let (mut config, world) = crate::commands::demo_config(&cli, &Env::default()).await?;
    config.settings.author = "alice".to_string();
    let mut model = crate::commands::fetch_model(&config, true).await;
    model.size = (WIDTH, HEIGHT);
    // What the TUI fetches on its own for the apps that matter: checkout's detail.
    let effects = crate::update::apps_detail_fetches(&mut model, true);
    for effect in effects {
        if let Effect::FetchAppDetail { ref key, .. } = effect
            && let Some(spec) = config.sources.iter().find(|s| s.name == key.instance)
        {
            let msg = crate::sources::argocd::run_argocd_effect(spec, effect.clone()).await;
            update(&mut model, msg);
        }
    }
    std::fs::create_dir_all(out)?;

    shoot(&model, out, "triage")?;
    // The runbook of checkout's alert beside the triage (built-in runbooks: no directory needed).
    model.runbooks = crate::runbook::matching::load_library(&[]);
    act(&mut model, Action::Runbook);
    shoot(&model, out, "runbook")?;
    keys(&mut model, &[KeyCode::Esc]);
    act(&mut model, Action::Screen(Screen::Alerts));
    shoot(&model, out, "alerts")?;
    // Who owns what: every component of the catalog, and checkout's links (`o`).
    act(&mut model, Action::Screen(Screen::Services));
    shoot(&model, out, "services")?;
    act(&mut model, Action::Screen(Screen::Triage));
    act(&mut model, Action::Open);
    shoot(&model, out, "links")?;
    keys(&mut model, &[KeyCode::Esc]);
    keys(&mut model, &[KeyCode::Tab]);
    act(&mut model, Action::Silence);
    type_text(&mut model, "rolling back v2.14.0, see #inc-checkout");
    keys(&mut model, &[KeyCode::Enter]);
    shoot(&model, out, "silence-confirm")?;
    keys(&mut model, &[KeyCode::Esc, KeyCode::Esc, KeyCode::Esc]);
    act(&mut model, Action::Rollback);
    shoot(&model, out, "rollback")?;
    keys(&mut model, &[KeyCode::Esc]);
    act(&mut model, Action::Screen(Screen::Apps));
    keys(&mut model, &[KeyCode::Enter]);
    let key = model.app_open.clone();
    if let Some(key) = key
        && let Some(spec) = config.sources.iter().find(|s| s.name == key.instance)
    {
        let msg = crate::sources::argocd::run_argocd_effect(
            spec,
            Effect::FetchAppDetail { key, refresh: None },
        )
        .await;
        update(&mut model, msg);
    }
    shoot(&model, out, "app-detail")?;
    act(&mut model, Action::Screen(Screen::Deploys));
    shoot(&model, out, "deploys")?;
    // The cluster: checkout's crashlooping revision, then kubectl's undo with its revisions.
    act(&mut model, Action::Screen(Screen::Kube));
    shoot(&model, out, "kube")?;
    act(&mut model, Action::KubeUndo);
    shoot(&model, out, "kube-undo")?;
    keys(&mut model, &[KeyCode::Esc]);
    // Fleet drift: the first cause open, its first app's first resource diff beside it.
    act(&mut model, Action::Screen(Screen::Drift));
    keys(
        &mut model,
        &[
            KeyCode::Enter,
            KeyCode::Down,
            KeyCode::Enter,
            KeyCode::Down,
            KeyCode::Enter,
        ],
    );
    shoot(&model, out, "drift")?;
    keys(&mut model, &[KeyCode::Esc, KeyCode::Esc]);
    act(&mut model, Action::Screen(Screen::Timeline));
    shoot(&model, out, "timeline")?;
    act(&mut model, Action::Help);
    shoot(&model, out, "help")?;
    drop(world);
    println!("wrote screenshots to {}", out.display());
    example_postmortem(out).await?;
    Ok(())
}

/// The demo's scripted incident lived through the keys, as a responder would — declare, mark
/// acknowledged and impact start, a note, the rollback of checkout (dry run, typed name), wait
/// for it to heal, mitigated, resolved — then `e`: the post-mortem it writes is copied to
/// `out/example-postmortem.md`. Real parts throughout: the demo's emulated servers (fast
/// clock), the real clients, `update`, the real journal thread on a scratch directory.
async fn example_postmortem(out: &Path) -> anyhow::Result<()> {
    let cli = crate::cli::Cli {
        demo: true,
        demo_speed: 30.0,
        theme: Some("dark".into()),
        ..Default::default()
    };
    let (mut config, world) = crate::commands::demo_config(&cli, &Env::default()).await?;
    let scratch = std::env::temp_dir().join(format!("sitrep-example-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    config.settings.author = "alice".to_string();
    config.settings.incidents_dir = Some(scratch.join("incidents"));
    let mut model = crate::commands::fetch_model(&config, true).await;
    model.size = (WIDTH, HEIGHT);
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let journal = crate::incident::worker::spawn(
        Box::new(crate::incident::FileStore::new(scratch.join("incidents"))),
        tx,
    );
    let mut driver = Driver {
        config: &config,
        journal,
        rx: &mut rx,
    };

    let effects = press_action(&mut model, Action::Incident);
    driver.run(&mut model, effects).await;
    let effects = keys_effects(&mut model, &[KeyCode::Enter]);
    driver.run(&mut model, effects).await;
    for m in ['3', '1'] {
        let mut effects = press_action(&mut model, Action::Milestone);
        effects.extend(keys_effects(&mut model, &[KeyCode::Char(m)]));
        driver.run(&mut model, effects).await;
    }
    // Impact began when checkout started failing, not when we marked it: correct the time.
    let first_alert = model
        .alerts
        .iter()
        .filter(|a| a.labels.get("service").map(String::as_str) == Some("checkout"))
        .map(|a| a.starts_at)
        .min();
    if let Some(at) = first_alert {
        act(&mut model, Action::Screen(Screen::Timeline));
        act(&mut model, Action::Bottom);
        let mut effects = press_action(&mut model, Action::CorrectTime);
        type_text(
            &mut model,
            &format!(
                "{} the 5xx ratio crossed 5% then (HighErrorRate)",
                at.format("%H:%M:%S")
            ),
        );
        effects.extend(keys_effects(&mut model, &[KeyCode::Enter]));
        driver.run(&mut model, effects).await;
        act(&mut model, Action::Screen(Screen::Triage));
    }
    let mut effects = press_action(&mut model, Action::Note);
    type_text(
        &mut model,
        "checkout 5xx since the 74dd23a deploy; rolling back to 0765b95",
    );
    effects.extend(keys_effects(&mut model, &[KeyCode::Enter]));
    driver.run(&mut model, effects).await;

    // The rollback, as the safety rules have it: pick, dry run, typed name.
    let effects = press_action(&mut model, Action::Rollback);
    driver.run(&mut model, effects).await;
    let effects = keys_effects(&mut model, &[KeyCode::Char('a'), KeyCode::Enter]);
    driver.run(&mut model, effects).await;
    type_text(&mut model, "checkout-prod");
    let effects = keys_effects(&mut model, &[KeyCode::Enter]);
    driver.run(&mut model, effects).await;
    // The popup would watch it heal; the dashboard behind shows the same.
    keys(&mut model, &[KeyCode::Esc]);

    // Watch it heal: poll the demo world (its clock runs 30x) until the alerts resolve.
    let healed = |m: &Model| {
        m.timeline
            .iter()
            .any(|e| e.summary.contains("HighErrorRate on checkout resolved"))
    };
    let mut mitigated = false;
    for _ in 0..120 {
        if healed(&model) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let effects = driver.fetch(&mut model).await;
        driver.run(&mut model, effects).await;
        let healthy = model
            .apps
            .values()
            .any(|a| a.key.name == "checkout-prod" && a.health.word() == "Healthy");
        if healthy && !mitigated {
            mitigated = true;
            let mut effects = press_action(&mut model, Action::Milestone);
            effects.extend(keys_effects(&mut model, &[KeyCode::Char('4')]));
            driver.run(&mut model, effects).await;
        }
    }
    if !healed(&model) {
        anyhow::bail!("the demo incident did not heal within the time allowed");
    }
    for m in ['5'] {
        let mut effects = press_action(&mut model, Action::Milestone);
        effects.extend(keys_effects(&mut model, &[KeyCode::Char(m)]));
        driver.run(&mut model, effects).await;
    }
    let effects = press_action(&mut model, Action::Export);
    let path = driver.export(&mut model, effects).await?;
    std::fs::copy(&path, out.join("example-postmortem.md"))?;
    let _ = std::fs::remove_dir_all(&scratch);
    drop(world);
    println!("wrote {}", out.join("example-postmortem.md").display());
    Ok(())
}

/// Performs what `update` asks during the example: journal requests on the journal thread,
/// Argo CD actions on the demo's Argo CD; feeds every answer back.
struct Driver<'a> {
    config: &'a crate::config::load::Config,
    journal: crate::incident::worker::JournalHandle,
    rx: &'a mut tokio::sync::mpsc::Receiver<crate::msg::Msg>,
}

impl Driver<'_> {
    async fn run(&mut self, model: &mut Model, effects: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let msg = match effect {
                Effect::Journal(request) => {
                    self.journal.send(request);
                    self.rx.recv().await
                }
                Effect::Rollback { .. }
                | Effect::Sync { .. }
                | Effect::SetAutoSync { .. }
                | Effect::Terminate { .. }
                | Effect::FetchAppDetail { .. } => {
                    let name = effect.source().unwrap_or_default().to_string();
                    match self.config.sources.iter().find(|s| s.name == name) {
                        Some(spec) => {
                            Some(crate::sources::argocd::run_argocd_effect(spec, effect).await)
                        }
                        None => None,
                    }
                }
                _ => None,
            };
            if let Some(msg) = msg {
                queue.extend(update(model, msg));
            }
        }
    }

    /// Fetch every source once, as the live tasks would have reported.
    async fn fetch(&mut self, model: &mut Model) -> Vec<Effect> {
        let results = crate::sources::oneshot::fetch_all_once(self.config.sources.clone()).await;
        let mut effects = crate::commands::fold_results(model, results);
        // Time moves on for the model as it would with the 1 s tick.
        effects.extend(update(model, crate::msg::Msg::Tick(chrono::Utc::now())));
        effects
    }

    /// Run the export request and return the file it wrote.
    async fn export(
        &mut self,
        model: &mut Model,
        effects: Vec<Effect>,
    ) -> anyhow::Result<std::path::PathBuf> {
        for effect in effects {
            if let Effect::Journal(request) = effect {
                self.journal.send(request);
                while let Some(msg) = self.rx.recv().await {
                    if let crate::msg::Msg::Journal(
                        crate::incident::worker::JournalReport::Exported(result),
                    ) = &msg
                    {
                        let result = result.clone();
                        update(model, msg);
                        return result.map_err(anyhow::Error::msg);
                    }
                    update(model, msg);
                }
            }
        }
        anyhow::bail!("the export was not asked for")
    }
}

fn press_action(model: &mut Model, action: Action) -> Vec<Effect> {
    let key = model
        .keymap
        .keys_for(action)
        .into_iter()
        .next()
        .expect("action is bound");
    let spec = crate::config::keymap::KeySpec::parse(&key).expect("bound keys parse");
    update(
        model,
        crate::msg::Msg::Input(Event::Key(KeyEvent::new(spec.code, spec.mods))),
    )
}

fn keys_effects(model: &mut Model, codes: &[KeyCode]) -> Vec<Effect> {
    let mut effects = Vec::new();
    for code in codes {
        effects.extend(update(
            model,
            crate::msg::Msg::Input(Event::Key(KeyEvent::new(*code, KeyModifiers::NONE))),
        ));
    }
    effects
}

fn act(model: &mut Model, action: Action) {
    let key = model
        .keymap
        .keys_for(action)
        .into_iter()
        .next()
        .expect("action is bound");
    let spec = crate::config::keymap::KeySpec::parse(&key).expect("bound keys parse");
    update(
        model,
        crate::msg::Msg::Input(Event::Key(KeyEvent::new(spec.code, spec.mods))),
    );
}

fn keys(model: &mut Model, codes: &[KeyCode]) {
    for code in codes {
        update(
            model,
            crate::msg::Msg::Input(Event::Key(KeyEvent::new(*code, KeyModifiers::NONE))),
        );
    }
}

fn type_text(model: &mut Model, text: &str) {
    for c in text.chars() {
        keys(model, &[KeyCode::Char(c)]);
    }
}

fn shoot(model: &Model, out: &Path, name: &str) -> anyhow::Result<()> {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;
    let mut state = crate::ui::RenderState::default();
    terminal.draw(|f| crate::ui::render(model, &mut state, f))?;
    let svg = crate::ui::svg::buffer_to_svg(
        terminal.backend().buffer(),
        model.theme.text.fg.unwrap_or(ratatui::style::Color::Gray),
        ratatui::style::Color::Rgb(0x1c, 0x1c, 0x24),
    );
    std::fs::write(out.join(format!("{name}.svg")), svg)?;
    Ok(())
}
