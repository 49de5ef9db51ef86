//! Settings that shape behaviour (not connections): who the user is, how alerts map to services.

/// Default label precedence for mapping an alert to a service.
pub const DEFAULT_SERVICE_LABELS: [&str; 4] = ["service", "app", "app_kubernetes_io_name", "job"];

/// Default app labels naming the service an Argo CD app belongs to.
pub const DEFAULT_APP_SERVICE_LABELS: [&str; 2] =
    ["app.kubernetes.io/part-of", "app.kubernetes.io/name"];

/// Environment suffixes dropped from an app name to find its service.
pub const ENV_SUFFIXES: [&str; 8] = [
    "-prod",
    "-production",
    "-prd",
    "-staging",
    "-stage",
    "-stg",
    "-dev",
    "-canary",
];

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Author of silences and notes: config `author`, amtool's `author`, else `$USER`.
    pub author: String,
    /// Label precedence for mapping an alert to a service.
    pub service_labels: Vec<String>,
    /// Labels that group alerts on the Alerts screen (like Alertmanager's `group_by`).
    pub group_by: Vec<String>,
    /// No mutations at all (`--read-only` or `read_only = true`).
    pub read_only: bool,
    /// Running on the embedded demo world.
    pub demo: bool,
    /// Argo CD app -> service: explicit map by app name (wins over labels).
    pub app_services: std::collections::BTreeMap<String, String>,
    /// Argo CD app -> service: app labels tried in order, then the app name without an
    /// environment suffix (`checkout-prod` -> `checkout`).
    pub app_service_labels: Vec<String>,
    /// A deploy that finished this long (or less) before a service's first firing alert is a
    /// suspect.
    pub suspect_window_secs: i64,
    /// Regex over `instance/namespace/name` and the destination namespace: matching targets
    /// need their name typed to confirm a mutation.
    pub production_pattern: String,
    /// Where incident journals live (`$XDG_DATA_HOME/sitrep/incidents`; the demo's own under
    /// `…/sitrep/demo/incidents`); `None` when there is no home to put them in.
    pub incidents_dir: Option<std::path::PathBuf>,
    /// Events of this many minutes before a declaration that concern the affected services
    /// are back-filled into the incident (`[incident] backfill`).
    pub backfill_minutes: i64,
    /// Desktop and terminal notifications (`[notify]`).
    pub notify: crate::notify::NotifySettings,
    /// Runbook directories from `--runbooks` then `[runbooks] dirs`, looked in before the
    /// defaults (`crate::runbook::search_dirs`).
    pub runbook_dirs: Vec<std::path::PathBuf>,
    /// `--team NAME`: start narrowed to this team's services (`:team` changes it).
    pub team: Option<String>,
    /// `[drift] fleet_threshold`: this many OutOfSync (or Unknown) apps make triage's fleet row.
    pub drift_fleet_threshold: usize,
    /// `[drift] wave_size`: apps per wave of a staged sync (after the canary).
    pub drift_wave_size: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            author: std::env::var("USER").unwrap_or_else(|_| "sitrep".to_string()),
            service_labels: DEFAULT_SERVICE_LABELS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            group_by: vec!["alertname".to_string()],
            read_only: false,
            demo: false,
            app_services: Default::default(),
            app_service_labels: DEFAULT_APP_SERVICE_LABELS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            suspect_window_secs: 30 * 60,
            incidents_dir: None,
            backfill_minutes: 30,
            production_pattern: "prod".to_string(),
            notify: Default::default(),
            runbook_dirs: Vec::new(),
            team: None,
            drift_fleet_threshold: 3,
            drift_wave_size: 3,
        }
    }
}

impl Settings {
    /// Is this target production (its name must be typed to confirm)?
    pub fn is_production(
        &self,
        key: &crate::model::app::AppKey,
        destination_namespace: &str,
    ) -> bool {
        match regex::Regex::new(&self.production_pattern) {
            Ok(re) => re.is_match(&key.to_string()) || re.is_match(destination_namespace),
            // A broken pattern must not make production look safe.
            Err(_) => true,
        }
    }
}
