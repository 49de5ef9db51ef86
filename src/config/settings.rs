//! Settings that shape behaviour (not connections): who the user is, how alerts map to services.

/// Default label precedence for mapping an alert to a service.
pub const DEFAULT_SERVICE_LABELS: [&str; 4] = ["service", "app", "app_kubernetes_io_name", "job"];

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
        }
    }
}
