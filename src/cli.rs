//! Command-line definitions (clap).

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug, Clone, Default)]
#[command(
    name = "sitrep",
    version,
    about = "On-call triage in the terminal: alerts, services, silences, timeline"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub sources: SourceFlags,
    /// Run on the embedded demo world (emulated Alertmanager and Prometheus on loopback).
    #[arg(long, global = true)]
    pub demo: bool,
    /// Demo time compression: 10 makes the scripted incident unfold ten times faster.
    #[arg(long, global = true, default_value_t = 1.0, value_name = "N")]
    pub demo_speed: f64,
    /// Theme: dark, light, high-contrast, colorblind, or a user theme name.
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
}

/// Flags that name sources or change how they are used; they override the config file.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct SourceFlags {
    /// Config file (default: $XDG_CONFIG_HOME/sitrep/config.toml).
    #[arg(long, global = true, env = "SITREP_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// An Alertmanager: URL or name=URL. Repeatable. Replaces the config file's sources.
    #[arg(long = "alertmanager", global = true, value_name = "[NAME=]URL")]
    pub alertmanager: Vec<String>,
    /// A Prometheus server: URL or name=URL. Repeatable. Replaces the config file's sources.
    #[arg(long = "prometheus", global = true, value_name = "[NAME=]URL")]
    pub prometheus: Vec<String>,
    /// An Argo CD API server: URL or name=URL. Repeatable. Replaces the config file's sources.
    /// Token: $ARGOCD_AUTH_TOKEN, else the argocd CLI's login for the same server.
    #[arg(long = "argocd", global = true, value_name = "[NAME=]URL")]
    pub argocd: Vec<String>,
    /// No mutations at all: silences (and later rollbacks, syncs) are removed.
    #[arg(long, global = true)]
    pub read_only: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Fetch every source once, print the correlated triage and exit (non-zero if a source failed).
    Snapshot {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Validate the config, reach each source, verify auth; print a table; non-zero on failure.
    Check,
    /// The demo world on its own.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
}

#[derive(Subcommand, Debug, Clone)]
pub enum DemoCommand {
    /// Run the emulated APIs and print their URLs, to point any tool at them.
    Serve,
    /// Render the demo's screens into SVG images (README screenshots).
    Screenshots {
        #[arg(long, default_value = "screenshots")]
        out: PathBuf,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}
