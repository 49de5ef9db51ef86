//! The subcommands: the TUI, `snapshot`, `check`, `demo serve`, `demo screenshots`.

use crate::cli::{Cli, Command, DemoCommand, Format};
use crate::config::load::{Config, Env, load};
use crate::config::source::SourceSpec;
use crate::model::Model;
use crate::model::source::SourceStatus;
use crate::msg::{Msg, SourcePayload, SourceUpdate};
use crate::update::update;
use chrono::Utc;
use std::io::Write;
use std::process::ExitCode;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let env = Env::process();
    if let Some(Command::Demo { command }) = &cli.command {
        return match command {
            DemoCommand::Serve => {
                crate::demo::serve_forever(cli.demo_speed).await?;
                Ok(ExitCode::SUCCESS)
            }
            DemoCommand::Screenshots { out } => {
                crate::screenshots::generate(out).await?;
                Ok(ExitCode::SUCCESS)
            }
        };
    }

    // The demo world lives as long as this function: its servers stop when it drops.
    let (config, _demo) = if cli.demo {
        demo_config(&cli, &env).await?
    } else {
        (user_config(&cli, &env)?, None)
    };
    match cli.command {
        None => {
            if config.sources.is_empty() {
                eprintln!("sitrep: no sources configured.");
                eprintln!("  Try the demo:        sitrep --demo");
                eprintln!("  Or name a source:    sitrep --alertmanager http://localhost:9093");
                eprintln!("  Or write a config:   {} (see README)", config_hint(&env));
                return Ok(ExitCode::from(2));
            }
            let model = model_for(&config);
            crate::app::run(model, config.sources.clone()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Snapshot { format }) => snapshot(&config, format).await,
        Some(Command::Check) => check(&config).await,
        Some(Command::Demo { .. }) => unreachable!("handled above"),
    }
}

fn config_hint(env: &Env) -> String {
    env.config_home()
        .map(|d| d.join("sitrep/config.toml").display().to_string())
        .unwrap_or_else(|| "~/.config/sitrep/config.toml".to_string())
}

fn user_config(cli: &Cli, env: &Env) -> anyhow::Result<Config> {
    let config =
        load(&cli.sources, cli.theme.as_deref(), env).map_err(|e| anyhow::anyhow!("{e}"))?;
    for w in &config.warnings {
        eprintln!("sitrep: warning: {w}");
    }
    Ok(config)
}

/// The demo: emulated servers on loopback, named by flags so nothing from the user's config
/// file or discovery leaks in (and no demo source leaks out: it exists only in this process).
pub(crate) async fn demo_config(
    cli: &Cli,
    env: &Env,
) -> anyhow::Result<(Config, Option<crate::demo::DemoWorld>)> {
    let world = crate::demo::start(cli.demo_speed).await?;
    let mut flags = cli.sources.clone();
    flags.alertmanager = vec![format!("alertmanager={}", world.alertmanager_url)];
    flags.prometheus = vec![format!("prometheus={}", world.prometheus_url)];
    flags.argocd = vec![format!("argocd={}", world.argocd_url)];
    // The demo's own token, never the user's ($ARGOCD_AUTH_TOKEN, the argocd CLI's login).
    let env = Env {
        vars: env
            .vars
            .iter()
            .filter(|(k, _)| !k.starts_with("ARGOCD_"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    let mut config =
        load(&flags, cli.theme.as_deref(), &env).map_err(|e| anyhow::anyhow!("{e}"))?;
    for s in &mut config.sources {
        if s.kind == crate::model::source::SourceKind::Argocd {
            s.auth = crate::config::source::Auth::Bearer(crate::config::source::Secret::new(
                crate::demo::DEMO_ARGOCD_TOKEN,
            ));
            s.tls = Default::default();
        }
        s.origin = "demo world".to_string();
        // The demo answers at once; poll it often so the story is visible as it unfolds.
        s.poll_interval = std::time::Duration::from_secs(2);
    }
    config.settings.demo = true;
    Ok((config, Some(world)))
}

/// A fresh model with every configured source registered (state: connecting).
pub fn model_for(config: &Config) -> Model {
    let mut model = Model::new(
        config.settings.clone(),
        config.keymap.clone(),
        config.theme.clone(),
        config.themes.clone(),
        Utc::now(),
    );
    model.sources = config.sources.iter().map(status_for).collect();
    model
}

fn status_for(spec: &SourceSpec) -> SourceStatus {
    let mut s = SourceStatus::new(&spec.name, spec.kind, &spec.display_url(), &spec.origin);
    s.read_only = spec.read_only;
    s.poll_interval_secs = spec.poll_interval.as_secs().max(1);
    s
}

/// Fetch every source once and fold the results through `update`, exactly as the TUI would.
pub async fn fetch_model(config: &Config, with_silences: bool) -> Model {
    let options = crate::sources::oneshot::OneshotOptions {
        without_silences: !with_silences,
        ..Default::default()
    };
    let results =
        crate::sources::oneshot::fetch_all_once_with(config.sources.clone(), &options).await;
    let mut model = model_for(config);
    model.now = Utc::now();
    for r in results {
        if let Some(v) = r.version.clone() {
            update(
                &mut model,
                source_msg(&r.name, r.fetched_at, SourcePayload::Version(v)),
            );
        }
        let payload = match r.error {
            Some(e) => SourcePayload::Error(e),
            None if r.kind == crate::model::source::SourceKind::Argocd => {
                SourcePayload::Apps { apps: r.apps }
            }
            None => SourcePayload::Alerts {
                alerts: r.alerts,
                silences: r.silences,
            },
        };
        update(&mut model, source_msg(&r.name, r.fetched_at, payload));
    }
    model
}

fn source_msg(source: &str, at: chrono::DateTime<Utc>, payload: SourcePayload) -> Msg {
    Msg::Source(SourceUpdate {
        source: source.to_string(),
        at,
        payload,
    })
}

async fn snapshot(config: &Config, format: Format) -> anyhow::Result<ExitCode> {
    // Note: on success this function exits the process (see the end).
    if config.sources.is_empty() {
        eprintln!(
            "sitrep: no sources configured: pass --alertmanager URL / --prometheus URL, or use --demo"
        );
        return Ok(ExitCode::from(2));
    }
    // The snapshot prints no silences: don't ask for them (see `OneshotOptions`).
    let model = fetch_model(config, false).await;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    match format {
        Format::Json => crate::snapshot::write_json(&model, &mut out)?,
        Format::Text => crate::snapshot::write_text(&model, &mut out)?,
    }
    out.flush()?;
    let failed: Vec<_> = model
        .sources
        .iter()
        .filter(|s| s.last_error.is_some())
        .collect();
    for s in &failed {
        eprintln!(
            "sitrep: source {} ({}) failed: {}",
            s.name,
            s.url,
            s.last_error.as_deref().unwrap_or("")
        );
    }
    // Everything is written and flushed: exit now instead of freeing 10,000 alerts one by one
    // (milliseconds a one-shot command does not need to spend).
    drop(out);
    std::process::exit(if failed.is_empty() { 0 } else { 1 });
}

async fn check(config: &Config) -> anyhow::Result<ExitCode> {
    match &config.path {
        Some(p) => println!("config: {} (valid)", p.display()),
        None => println!("config: none (sources from flags or discovery)"),
    }
    if config.sources.is_empty() {
        println!("no sources configured");
        return Ok(ExitCode::from(2));
    }
    let reports = crate::sources::check_all(&config.sources).await;
    let rows: Vec<[String; 7]> = reports
        .iter()
        .map(|r| {
            [
                if r.ok() { "ok".into() } else { "FAIL".into() },
                r.name.clone(),
                format!("{:?}", r.kind).to_lowercase(),
                r.url.clone(),
                match r.authenticated {
                    Some(true) => "yes".into(),
                    Some(false) => "NO".into(),
                    None => "-".into(),
                },
                r.version.clone().unwrap_or_else(|| "-".into()),
                r.origin.clone(),
            ]
        })
        .collect();
    let header = ["", "SOURCE", "KIND", "URL", "AUTH", "VERSION", "FROM"];
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    println!("{}", line(&header.map(String::from)));
    for (row, r) in rows.iter().zip(&reports) {
        println!("{}", line(row));
        match (&r.error, &r.detail) {
            (Some(e), _) => println!("      {e}"),
            (None, Some(d)) => println!("      {d} ({} ms)", r.elapsed_ms),
            _ => {}
        }
    }
    let ok = reports.iter().all(|r| r.ok());
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
