//! The config file's schema. Every field that can be wrong carries its span, so errors say
//! `config.toml:12` and what to write instead.

use crate::action::Action;
pub use crate::sources::argocd::config::ArgocdEntry;
pub use crate::sources::catalog::config::CatalogEntry;
pub use crate::sources::kube::config::KubernetesEntry;
pub use crate::sources::oncall::config::OnCallEntry;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Author of silences and notes (default: amtool's `author`, then $USER).
    pub author: Option<String>,
    pub theme: Option<Spanned<String>>,
    #[serde(default)]
    pub read_only: bool,
    /// Label precedence mapping an alert to a service.
    pub service_labels: Option<Vec<String>>,
    /// Labels grouping alerts on the Alerts screen.
    pub group_by: Option<Vec<String>>,
    /// Defaults for every source.
    #[serde(default)]
    pub defaults: SourceDefaults,
    #[serde(default)]
    pub alertmanager: Vec<Spanned<SourceEntry>>,
    #[serde(default)]
    pub prometheus: Vec<Spanned<SourceEntry>>,
    #[serde(default)]
    pub argocd: Vec<Spanned<ArgocdEntry>>,
    /// Service catalogs: Backstage backends or `catalog-info.yaml` files.
    #[serde(default)]
    pub catalog: Vec<Spanned<CatalogEntry>>,
    /// Paging services (PagerDuty, Opsgenie): who is on call now.
    #[serde(default)]
    pub oncall: Vec<Spanned<OnCallEntry>>,
    /// Kubernetes clusters: contexts of the kubeconfig.
    #[serde(default)]
    pub kubernetes: Vec<Spanned<KubernetesEntry>>,
    /// Key bindings: action = ["key", …].
    #[serde(default)]
    pub keys: BTreeMap<Action, Vec<String>>,
    /// How Argo CD apps map to services, and what counts as a suspect or production.
    #[serde(default)]
    pub apps: AppsSection,
    /// Incidents: how they are declared.
    #[serde(default)]
    pub incident: IncidentSection,
    /// Desktop and terminal notifications.
    #[serde(default)]
    pub notify: NotifySection,
    /// Where runbooks are looked for.
    #[serde(default)]
    pub runbooks: RunbooksSection,
    /// Fleet drift: when triage shows the fleet row, how a staged sync goes.
    #[serde(default)]
    pub drift: DriftSection,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct DriftSection {
    /// This many OutOfSync (or Unknown) apps make triage's fleet row (default 3).
    pub fleet_threshold: Option<Spanned<i64>>,
    /// Apps per wave of a staged sync, after the canary (default 3).
    pub wave_size: Option<Spanned<i64>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RunbooksSection {
    /// Directories of runbooks, before the defaults (`~/` expanded; relative to the config file).
    #[serde(default)]
    pub dirs: Vec<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct IncidentSection {
    /// Events of this long before a declaration are back-filled into the incident ("30m").
    pub backfill: Option<Spanned<String>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct AppsSection {
    /// App labels naming the service, tried in order.
    pub service_labels: Option<Vec<String>>,
    /// Explicit app name -> service map (wins over labels).
    #[serde(default)]
    pub services: BTreeMap<String, String>,
    /// A deploy finishing this long before the first alert is a suspect ("30m").
    pub suspect_window: Option<Spanned<String>>,
    /// Regex: matching targets need their name typed to confirm a mutation.
    pub production_pattern: Option<Spanned<String>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct NotifySection {
    pub enabled: Option<bool>,
    /// "critical" or "warning": the least severe alert that notifies.
    pub min_severity: Option<Spanned<String>>,
    /// "auto", "on" or "off".
    pub desktop: Option<Spanned<String>>,
    /// The bell and OSC 9/777 when the desktop is not used.
    pub terminal: Option<bool>,
    pub per_minute: Option<Spanned<i64>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct SourceDefaults {
    pub timeout: Option<Spanned<String>>,
    pub poll_interval: Option<Spanned<String>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    pub name: Option<String>,
    pub url: Spanned<String>,
    pub timeout: Option<Spanned<String>>,
    pub poll_interval: Option<Spanned<String>>,
    /// PEM bundle of extra CAs to trust.
    pub ca_file: Option<String>,
    /// Skip TLS verification for this source only.
    #[serde(default)]
    pub insecure: bool,
    #[serde(default)]
    pub read_only: bool,
    /// Name of an environment variable holding a bearer token.
    pub bearer_token_env: Option<Spanned<String>>,
    /// File holding a bearer token (trailing newline ignored).
    pub bearer_token_file: Option<Spanned<String>>,
    pub basic_auth: Option<BasicAuthEntry>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct BasicAuthEntry {
    pub username: String,
    pub password_env: Option<Spanned<String>>,
    pub password_file: Option<Spanned<String>>,
}
