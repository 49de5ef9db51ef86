//! Command-line definitions (clap).

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Shown after `sitrep --help`: what the exit status means.
const AFTER_HELP: &str = "\
Without a command, sitrep runs the full-screen dashboard; it needs a terminal on stdin and stdout \
(for scripts use `sitrep snapshot`).

Exit status: 0 on success and after quitting the dashboard (q, ctrl-c); 1 when a source failed \
(snapshot, check); 2 when no source is configured and on other errors (usage, configuration, a \
lost terminal); 128+N when signal N ended sitrep (130 SIGINT, 129 SIGHUP, 143 SIGTERM); 141 when \
the reader of stdout went away (as SIGPIPE would); 101 after an internal error (a bug: please \
report it).";

#[derive(Parser, Debug, Clone, Default)]
#[command(
    name = "sitrep",
    version,
    about = "On-call triage in the terminal: Alertmanager and Prometheus alerts and Argo CD apps, \
             ranked by service; silences, rollbacks and syncs; a timeline of what happened",
    long_about = None,
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub sources: SourceFlags,
    /// Run on the embedded demo world: emulated Alertmanager, Prometheus and Argo CD on loopback
    /// (none of your own sources is contacted).
    #[arg(long, global = true)]
    pub demo: bool,
    /// Demo time compression (with --demo or `demo serve`): 10 makes the scripted incident
    /// unfold ten times faster.
    #[arg(long, global = true, default_value_t = 1.0, value_name = "N")]
    pub demo_speed: f64,
    /// Colour theme of the dashboard: dark (default), light, high-contrast, colorblind, or a
    /// user theme ($XDG_CONFIG_HOME/sitrep/themes/NAME.toml). NO_COLOR turns colours off.
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
}

/// Flags that name sources or change how they are used; they override the config file.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct SourceFlags {
    /// Config file (default: $XDG_CONFIG_HOME/sitrep/config.toml, where $XDG_CONFIG_HOME
    /// defaults to ~/.config).
    #[arg(long, global = true, env = "SITREP_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// An Alertmanager: URL or NAME=URL. Repeatable. Source flags replace every source of the
    /// config file and of discovery.
    #[arg(long = "alertmanager", global = true, value_name = "[NAME=]URL")]
    pub alertmanager: Vec<String>,
    /// A Prometheus server (for pending alerts): URL or NAME=URL. Repeatable. Source flags
    /// replace every source of the config file and of discovery.
    #[arg(long = "prometheus", global = true, value_name = "[NAME=]URL")]
    pub prometheus: Vec<String>,
    /// An Argo CD API server: URL or NAME=URL. Repeatable. Source flags replace every source of
    /// the config file and of discovery. Token: $ARGOCD_AUTH_TOKEN, else the argocd CLI's login
    /// for the same server.
    #[arg(long = "argocd", global = true, value_name = "[NAME=]URL")]
    pub argocd: Vec<String>,
    /// A service catalog: a Backstage backend URL (token: $BACKSTAGE_TOKEN) or catalog-info.yaml
    /// files (a file, or a directory searched recursively). Repeatable. Source flags replace
    /// every source of the config file and of discovery.
    #[arg(long = "catalog", global = true, value_name = "[NAME=]PATH|URL")]
    pub catalog: Vec<String>,
    /// A Kubernetes cluster: a context of your kubeconfig ($KUBECONFIG or ~/.kube/config),
    /// repeatable; every row is labelled with it.
    #[arg(long = "kube-context", global = true, value_name = "CONTEXT")]
    pub kube_context: Vec<String>,
    /// Narrow every screen to one team's services (the catalog's owner), as `:team NAME` does.
    #[arg(long = "team", global = true, value_name = "NAME")]
    pub team: Option<String>,
    /// No mutations at all: silencing, expiring silences, rollbacks, syncs, auto-sync changes
    /// and terminating operations are all refused.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// A directory of runbooks, looked in before `[runbooks] dirs`,
    /// $XDG_CONFIG_HOME/sitrep/runbooks and ./runbooks. Repeatable.
    #[arg(long = "runbooks", global = true, value_name = "DIR")]
    pub runbooks: Vec<PathBuf>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Fetch every source once, print the correlated triage (services, alerts, Argo CD apps,
    /// deploys) and exit; status 1 if a source failed, with the reason on stderr.
    Snapshot {
        /// text for people, json for scripts.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Validate the config, reach each source, verify auth; print a table; status 1 if a source
    /// failed, 2 if none is configured.
    Check,
    /// Incidents: declare one, add notes and milestones from a script or a second terminal,
    /// list them, show one, export its post-mortem. With --demo: the demo's own incidents.
    Incident {
        #[command(subcommand)]
        command: IncidentCommand,
    },
    /// Runbooks: check them before they are needed, print one as the runbook pane shows it.
    Runbook {
        #[command(subcommand)]
        command: RunbookCommand,
    },
    /// The embedded demo world on its own, without the dashboard.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum DemoCommand {
    /// Run the emulated Alertmanager, Prometheus and Argo CD APIs on loopback and print their
    /// URLs, to point any tool at them; runs until Ctrl-C or SIGTERM.
    Serve,
    /// Serve a synthetic Kubernetes cluster of any size (the same emulated API, generated
    /// objects, a steady stream of pod updates) and print its kubeconfig: to measure sitrep,
    /// kubectl or any other client against one cluster. Runs until Ctrl-C or SIGTERM.
    Cluster {
        /// Pods, spread over the Deployments (each owned by its Deployment's newest ReplicaSet).
        #[arg(long, default_value_t = 10_000)]
        pods: usize,
        /// Deployments, spread over 50 namespaces.
        #[arg(long, default_value_t = 2_000)]
        deployments: usize,
        /// ReplicaSets: revisions of the Deployments, in turn.
        #[arg(long, default_value_t = 6_000)]
        replicasets: usize,
        /// Pod updates per second, spread evenly.
        #[arg(long, default_value_t = 100)]
        events_per_sec: u32,
    },
    /// Render the demo's screens into SVG images (README screenshots).
    Screenshots {
        /// Directory the SVG files are written to.
        #[arg(long, default_value = "screenshots", value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum RunbookCommand {
    /// Report each problem as FILE:LINE: error|warning: message (undeclared or unquoted
    /// variables, missing sections, unknown kinds…); status 1 if any is an error.
    Lint {
        /// Runbook files, or directories of them (default: ./runbooks).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Print one runbook as the runbook pane shows it: sections, numbered steps, commands
    /// with their kind, variables with their label and pattern.
    Show {
        /// A file, or a runbook's file name, title or alert, looked up in the runbook
        /// directories.
        name: String,
    },
}

/// Incident ids are `INC-YYYYMMDD-N`; `active` names the active incident.
#[derive(Subcommand, Debug, Clone)]
pub enum IncidentCommand {
    /// Declare an incident; prints its id alone on stdout. Refused while another is active.
    New {
        /// What is broken, in a few words.
        #[arg(long)]
        title: String,
        /// SEV1 (worst) … SEV4.
        #[arg(long, default_value = "SEV3")]
        severity: String,
        /// An affected service. Repeatable.
        #[arg(long = "service", value_name = "SERVICE")]
        services: Vec<String>,
        /// Incident commander (default: you, as config `author` or $USER).
        #[arg(long)]
        commander: Option<String>,
    },
    /// Add a note to an incident's timeline (an open dashboard shows it within a second).
    Note {
        id: String,
        /// The note; several words are joined with spaces.
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
    },
    /// Mark a milestone: impact_started, detected, acknowledged, mitigated, resolved.
    Mark {
        id: String,
        milestone: String,
        /// When it happened (HH:MM[:SS] UTC, or YYYY-MM-DD HH:MM[:SS]); default now.
        #[arg(long)]
        at: Option<String>,
    },
    /// Correct when an event happened: recorded as a new event, the old time kept.
    Correct {
        id: String,
        /// The event's id (`sitrep incident show ID --ids`).
        event: String,
        /// The right time (HH:MM[:SS] UTC, or YYYY-MM-DD HH:MM[:SS]).
        #[arg(long)]
        to: String,
        /// Why (kept in the journal and the export).
        #[arg(long)]
        reason: String,
    },
    /// Every incident of the data directory, oldest first.
    List,
    /// One incident: header, key timestamps, its timeline.
    Show {
        id: String,
        /// Also print each event's id (for `correct`).
        #[arg(long)]
        ids: bool,
    },
    /// The post-mortem: Markdown (default) or JSON, to stdout or a file.
    Export {
        id: String,
        /// md: the post-mortem in Markdown (renders on GitHub); json: metadata and events.
        #[arg(long, value_enum, default_value_t = ExportFormat::Md)]
        format: ExportFormat,
        /// Write here instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportFormat {
    #[default]
    Md,
    Json,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}
