//! The subcommands: the TUI, `snapshot`, `check`, `demo serve`, `demo screenshots`.

use crate::cli::{Cli, Command, DemoCommand, Format};
use crate::config::load::{Config, Env, load};
use crate::config::source::SourceSpec;
use crate::model::Model;
use crate::model::source::{SourceKind, SourceStatus};
use crate::msg::{Msg, SourcePayload, SourceUpdate};
use crate::update::update;
use chrono::Utc;
use std::io::Write;
use std::process::ExitCode;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let env = Env::process();
    if let Some(Command::Demo { command }) = &cli.command {
        if let Some(flag) = flag_unused_by_demo(&cli) {
            anyhow::bail!(
                "{flag} does not apply to `sitrep demo {}` (it would be ignored); for the \
                 dashboard on the demo world use `sitrep --demo`",
                match command {
                    DemoCommand::Serve => "serve",
                    DemoCommand::Cluster { .. } => "cluster",
                    DemoCommand::Screenshots { .. } => "screenshots",
                }
            );
        }
        return match command {
            DemoCommand::Serve => {
                // Stopped by a signal, as it always is: the status says which (128 + n).
                let signal = crate::demo::serve_forever(cli.demo_speed).await?;
                Ok(ExitCode::from(128 + signal as u8))
            }
            DemoCommand::Cluster {
                pods,
                deployments,
                replicasets,
                events_per_sec,
            } => {
                let spec = crate::demo::kube::SyntheticCluster {
                    pods: *pods,
                    deployments: *deployments,
                    replicasets: *replicasets,
                    events_per_sec: *events_per_sec,
                };
                let signal = crate::demo::serve_cluster_forever(spec).await?;
                Ok(ExitCode::from(128 + signal as u8))
            }
            DemoCommand::Screenshots { out } => {
                crate::screenshots::generate(out).await?;
                Ok(ExitCode::SUCCESS)
            }
        };
    }

    if let Some(Command::Incident { command }) = &cli.command {
        return incident(&cli, command, &env);
    }
    if let Some(Command::Runbook { command }) = &cli.command {
        return runbook(&cli, command, &env);
    }

    // Before anything starts: the dashboard cannot run without a terminal.
    if cli.command.is_none()
        && let Some(why) = crate::terminal::missing_terminal()
    {
        eprintln!("sitrep: {why}");
        return Ok(ExitCode::from(2));
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
                eprint!("sitrep: {}", no_sources_help(&config, &env));
                return Ok(ExitCode::from(2));
            }
            let model = model_for(&config);
            let ended = crate::app::run(model, config.sources.clone()).await?;
            Ok(ended.exit_code())
        }
        Some(Command::Snapshot { format }) => snapshot(&config, &env, format).await,
        Some(Command::Check) => check(&config, &env).await,
        Some(Command::Demo { .. } | Command::Incident { .. } | Command::Runbook { .. }) => {
            unreachable!("handled above")
        }
    }
}

/// `sitrep incident …`: no source is contacted; the config gives the author.
fn incident(
    cli: &Cli,
    command: &crate::cli::IncidentCommand,
    env: &Env,
) -> anyhow::Result<ExitCode> {
    let config =
        load(&cli.sources, cli.theme.as_deref(), env).map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(data) = env.data_dir() else {
        anyhow::bail!("no data directory: set XDG_DATA_HOME or HOME");
    };
    let store = crate::incident::FileStore::new(crate::incident::incidents_dir(&data, cli.demo));
    crate::incident::cli::IncidentCli {
        store,
        author: config.settings.author,
    }
    .run(command, Utc::now())
}

/// `sitrep runbook …`: files only, no source is contacted; the config gives `[runbooks] dirs`.
fn runbook(cli: &Cli, command: &crate::cli::RunbookCommand, env: &Env) -> anyhow::Result<ExitCode> {
    use crate::cli::RunbookCommand;
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    let code = match command {
        RunbookCommand::Lint { paths } => {
            crate::runbook::cli::lint_paths(paths, &mut out, &mut err)?
        }
        RunbookCommand::Show { name } => {
            let config = load(&cli.sources, cli.theme.as_deref(), env)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let dirs = crate::runbook::search_dirs(&config.settings.runbook_dirs, env);
            crate::runbook::cli::show(name, &dirs, &mut out, &mut err)?
        }
    };
    out.flush()?;
    Ok(code)
}

/// The first flag given to a `demo` subcommand that it would silently ignore.
fn flag_unused_by_demo(cli: &Cli) -> Option<&'static str> {
    let f = &cli.sources;
    [
        (!f.alertmanager.is_empty(), "--alertmanager"),
        (!f.prometheus.is_empty(), "--prometheus"),
        (!f.argocd.is_empty(), "--argocd"),
        (f.read_only, "--read-only"),
        (!f.runbooks.is_empty(), "--runbooks"),
        (cli.theme.is_some(), "--theme"),
        // The README images are taken at the demo's own pace.
        (
            matches!(
                cli.command,
                Some(Command::Demo {
                    command: DemoCommand::Screenshots { .. }
                })
            ) && cli.demo_speed != 1.0,
            "--demo-speed",
        ),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

/// What to do when no source is configured: where we looked, what we found, how to name one.
/// Discovery runs only when nothing names a source, which is exactly the case here.
fn no_sources_help(config: &Config, env: &Env) -> String {
    use std::fmt::Write as _;
    let default_path = env
        .config_home()
        .map(|d| d.join("sitrep").join("config.toml"));
    let config_line = match (&config.path, &default_path) {
        (Some(p), _) => format!(
            "{}: read; it has no [[alertmanager]], [[prometheus]] or [[argocd]] entry",
            p.display()
        ),
        (None, Some(p)) => match std::fs::metadata(p) {
            Ok(_) => match std::fs::read_to_string(p) {
                Ok(_) => format!("{}: found but not used", p.display()),
                Err(e) => format!("{}: cannot be read: {e}", p.display()),
            },
            Err(_) => format!("{}: not found", p.display()),
        },
        (None, None) => "none: neither $XDG_CONFIG_HOME nor $HOME is set".to_string(),
    };
    let found = |paths: Vec<std::path::PathBuf>, unusable: &str| -> String {
        match paths.iter().find(|p| p.is_file()) {
            Some(p) => format!("{}: found, but {unusable}", p.display()),
            None => {
                let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                format!("not found ({})", shown.join(", "))
            }
        }
    };
    let amtool = found(
        crate::config::load::amtool_candidates(env),
        "it has no usable alertmanager.url",
    );
    let argocd = found(
        crate::config::argocd_cli::candidates(env),
        "it has no usable current context",
    );
    let file = default_path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "~/.config/sitrep/config.toml".to_string());
    let file = config
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or(file);
    let mut out = String::new();
    let _ = write!(
        out,
        "no sources configured. Looked for:
  config file      {config_line}
  amtool config    {amtool}
  argocd CLI       {argocd}
Name sources with flags (each repeatable; --prometheus URL adds pending alerts):
  sitrep --alertmanager http://localhost:9093 --argocd https://argocd.example.com
or in {file} (--config FILE or $SITREP_CONFIG for another file):
  [[alertmanager]]
  url = \"http://localhost:9093\"

  [[argocd]]
  url = \"https://argocd.example.com\"   # token: $ARGOCD_AUTH_TOKEN, or `argocd login` first
or try the embedded demo world:
  sitrep --demo
"
    );
    out
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
    flags.catalog = vec![format!("catalog={}", world.catalog_url)];
    // The emulated cluster, through the kubeconfig the demo wrote (never the user's own).
    flags.kube_context = vec![crate::demo::kube::DEMO_CONTEXT.into()];
    // The demo's own token, never the user's ($ARGOCD_AUTH_TOKEN, the argocd CLI's login): given
    // the way a user gives one, so it reaches the Argo CD source the way theirs would.
    let mut vars: std::collections::BTreeMap<String, String> = env
        .vars
        .iter()
        .filter(|(k, _)| {
            !k.starts_with("ARGOCD_") && !k.starts_with("BACKSTAGE_") && k.as_str() != "KUBECONFIG"
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    vars.insert(
        "ARGOCD_AUTH_TOKEN".to_string(),
        crate::demo::DEMO_ARGOCD_TOKEN.to_string(),
    );
    vars.insert(
        "BACKSTAGE_TOKEN".to_string(),
        crate::demo::DEMO_CATALOG_TOKEN.to_string(),
    );
    vars.insert(
        "KUBECONFIG".to_string(),
        world.kubeconfig_path.display().to_string(),
    );
    let env = Env { vars };
    let mut config =
        load(&flags, cli.theme.as_deref(), &env).map_err(|e| anyhow::anyhow!("{e}"))?;
    // Who is on call: the emulated PagerDuty (on-call has no flag; the demo adds it here).
    config.sources.push(
        crate::sources::oncall::config::demo_source(
            &world.pagerduty_url,
            crate::demo::DEMO_PAGERDUTY_TOKEN,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    for s in &mut config.sources {
        // Plain HTTP on loopback: no CA or client certificate of the user's applies.
        s.tls = Default::default();
        s.origin = "demo world".to_string();
        // The demo answers at once; poll it often so the story is visible as it unfolds.
        // Who owns what and who is on call change slowly, even in the demo.
        s.poll_interval = match s.kind {
            SourceKind::Catalog | SourceKind::OnCall => std::time::Duration::from_secs(60),
            _ => std::time::Duration::from_secs(2),
        };
    }
    config.settings.demo = true;
    config.settings.incidents_dir = env
        .data_dir()
        .map(|d| crate::incident::incidents_dir(&d, true));
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
    model.team = config.settings.team.clone();
    // The runbooks of every runbook directory; a file that does not parse is left out
    // (`sitrep runbook lint` says why).
    // Not `./runbooks` of wherever sitrep was started (a cloned repository's would take the
    // shipped ones' place unseen): the configured directories, the user's, then the built-in.
    let dirs: Vec<std::path::PathBuf> =
        crate::runbook::search_dirs(&config.settings.runbook_dirs, &Env::process())
            .into_iter()
            .filter(|d| d.as_path() != std::path::Path::new("runbooks"))
            .collect();
    model.runbooks = crate::runbook::matching::load_library(&dirs);
    // Ids unique across runs writing to one incident journal.
    model.event_ids = crate::model::timeline::EventIds::for_session(fastrand::u64(1..));
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
    let effects = fold_results(&mut model, results);
    fetch_drift(config, &mut model, effects).await;
    model
}

/// Each unsynced app's diff and each commit's metadata is read once; an answer that calls for
/// more (the next queued app, a commit it names) is followed, up to this many reads per thing
/// the snapshot knows of (a safety bound: apps do not change during a one-shot fetch).
const DRIFT_ROUNDS: usize = 3;

/// The drift reads `update` asked for (each OutOfSync app's managed-resources, each commit's
/// metadata), performed at most 8 at a time, each bounded by its source's timeout, the answers
/// fed back through `update` and what they call for read in turn: a one-shot snapshot has the
/// causes, not "not fetched yet". Every read is answered, a failed one (no client, timed out,
/// past the budget) with its error, so no fetch slot stays taken.
async fn fetch_drift(config: &Config, model: &mut Model, effects: Vec<crate::effect::Effect>) {
    use crate::effect::Effect;
    use crate::exec::drift_read_failed;
    use crate::sources::argocd::client::ArgocdClient;
    use futures::StreamExt;
    use futures::stream::FuturesUnordered;
    let clients: std::collections::HashMap<String, Result<std::sync::Arc<ArgocdClient>, String>> =
        config
            .sources
            .iter()
            .filter(|s| s.kind == SourceKind::Argocd)
            .map(|s| {
                let client = ArgocdClient::new(s)
                    .map(std::sync::Arc::new)
                    .map_err(|e| format!("Argo CD client could not be built: {e}"));
                (s.name.clone(), client)
            })
            .collect();
    let is_drift_read = |e: &Effect| {
        matches!(
            e,
            Effect::FetchDrift { .. } | Effect::FetchRevisionMeta { .. }
        )
    };
    let mut pending: std::collections::VecDeque<Effect> =
        effects.into_iter().filter(|e| is_drift_read(e)).collect();
    let mut budget = DRIFT_ROUNDS * (model.drift.apps.len() + pending.len() + 8);
    let mut in_flight = FuturesUnordered::new();
    loop {
        while in_flight.len() < crate::model::drift::DRIFT_FETCHES_IN_FLIGHT && budget > 0 {
            let Some(effect) = pending.pop_front() else {
                break;
            };
            budget -= 1;
            let source = effect.source().unwrap_or_default().to_string();
            let client = match clients.get(&source) {
                Some(Ok(client)) => client.clone(),
                Some(Err(error)) => {
                    if let Some(msg) = drift_read_failed(&effect, &source, error) {
                        pending.extend(update(model, msg).into_iter().filter(|e| is_drift_read(e)));
                    }
                    continue;
                }
                None => {
                    let error = format!("{source} is not an Argo CD source");
                    if let Some(msg) = drift_read_failed(&effect, &source, &error) {
                        pending.extend(update(model, msg).into_iter().filter(|e| is_drift_read(e)));
                    }
                    continue;
                }
            };
            in_flight.push(async move {
                let timeout = client.spec().timeout;
                let late = format!("timed out after {}s", timeout.as_secs());
                let on_timeout = drift_read_failed(&effect, &source, &late);
                tokio::time::timeout(
                    timeout,
                    crate::sources::argocd::drift_fetch::run(&client, effect),
                )
                .await
                .ok()
                .or(on_timeout)
            });
        }
        let Some(answer) = in_flight.next().await else {
            break;
        };
        if let Some(msg) = answer {
            pending.extend(update(model, msg).into_iter().filter(|e| is_drift_read(e)));
        }
    }
    // Past the budget: answered as not read (what they would call for is not followed).
    for effect in pending {
        let source = effect.source().unwrap_or_default().to_string();
        let error = "not read: the snapshot's drift read budget ran out";
        if let Some(msg) = drift_read_failed(&effect, &source, error) {
            update(model, msg);
        }
    }
}

/// Fold one-shot fetch results through `update`, as the live tasks would have reported them;
/// the effects `update` asks for in return.
pub(crate) fn fold_results(
    model: &mut Model,
    results: Vec<crate::sources::oneshot::FetchResult>,
) -> Vec<crate::effect::Effect> {
    let mut effects = Vec::new();
    for r in results {
        if let Some(v) = r.version.clone() {
            effects.extend(update(
                model,
                source_msg(&r.name, r.fetched_at, SourcePayload::Version(v)),
            ));
        }
        let payload = match (r.error, r.payload) {
            (Some(e), _) => SourcePayload::Error(e),
            (None, Some(payload)) => payload,
            (None, None) => continue,
        };
        effects.extend(update(model, source_msg(&r.name, r.fetched_at, payload)));
    }
    effects
}

fn source_msg(source: &str, at: chrono::DateTime<Utc>, payload: SourcePayload) -> Msg {
    Msg::Source(SourceUpdate {
        source: source.to_string(),
        at,
        payload,
    })
}

async fn snapshot(config: &Config, env: &Env, format: Format) -> anyhow::Result<ExitCode> {
    // Note: on success this function exits the process (see the end).
    if config.sources.is_empty() {
        eprint!("sitrep: {}", no_sources_help(config, env));
        return Ok(ExitCode::from(2));
    }
    // The snapshot prints no silences: don't ask for them (see `OneshotOptions`).
    let model = fetch_model(config, false).await;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let written = match format {
        Format::Json => crate::snapshot::write_json(&model, &mut out),
        Format::Text => crate::snapshot::write_text(&model, &mut out),
    }
    .and_then(|()| out.flush());
    if let Err(e) = written {
        // `sitrep snapshot | head`: the reader has what it wanted. Not worth a message.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(BROKEN_PIPE_STATUS);
        }
        return Err(anyhow::Error::new(e).context("cannot write the snapshot to stdout"));
    }
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

async fn check(config: &Config, env: &Env) -> anyhow::Result<ExitCode> {
    if config.sources.is_empty() {
        print_out(&no_sources_help(config, env))?;
        return Ok(ExitCode::from(2));
    }
    // Say what the config is before the (bounded, but possibly slow) checks.
    print_out(&match &config.path {
        Some(p) => format!("config: {} (valid)\n", p.display()),
        None if config.settings.demo => "config: none (sources: the demo world)\n".to_string(),
        None => "config: none (sources from flags or discovery)\n".to_string(),
    })?;
    let mut out = String::new();
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
    out.push_str(&line(&header.map(String::from)));
    out.push('\n');
    for (row, r) in rows.iter().zip(&reports) {
        out.push_str(&line(row));
        out.push('\n');
        match (&r.error, &r.detail) {
            (Some(e), _) => out.push_str(&format!("      {e}\n")),
            (None, Some(d)) => out.push_str(&format!("      {d} ({} ms)\n", r.elapsed_ms)),
            _ => {}
        }
    }
    print_out(&out)?;
    let ok = reports.iter().all(|r| r.ok());
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The status when stdout's reader went away (`| head`): what a process ended by SIGPIPE
/// reports, without the signal (Rust ignores SIGPIPE so that sockets can't kill us).
pub const BROKEN_PIPE_STATUS: i32 = 128 + libc::SIGPIPE;

/// Write to stdout; a reader that went away ends the process quietly (see
/// [`BROKEN_PIPE_STATUS`]), any other failure is an error. `println!` would panic instead.
fn print_out(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            std::process::exit(BROKEN_PIPE_STATUS)
        }
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to stdout")),
    }
}
