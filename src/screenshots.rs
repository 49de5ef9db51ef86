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
    act(&mut model, Action::Screen(Screen::Alerts));
    shoot(&model, out, "alerts")?;
    act(&mut model, Action::Screen(Screen::Triage));
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
    act(&mut model, Action::Screen(Screen::Timeline));
    shoot(&model, out, "timeline")?;
    act(&mut model, Action::Help);
    shoot(&model, out, "help")?;
    drop(world);
    println!("wrote screenshots to {}", out.display());
    Ok(())
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
