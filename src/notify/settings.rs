//! What the user chose about notifications (`[notify]` in the config file).

use crate::model::alert::Severity;

/// Whether to use the desktop's notification daemon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DesktopMode {
    /// When a D-Bus session bus looks reachable and we are not over SSH.
    Auto,
    /// Always try it (a failure still falls back to the terminal).
    On,
    /// Never: terminal bell and OSC 9/777 only.
    Off,
}

impl DesktopMode {
    pub const NAMES: [&'static str; 3] = ["auto", "on", "off"];

    pub fn parse(word: &str) -> Option<DesktopMode> {
        match word {
            "auto" => Some(DesktopMode::Auto),
            "on" => Some(DesktopMode::On),
            "off" => Some(DesktopMode::Off),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct NotifySettings {
    /// Off: no notification at all.
    pub enabled: bool,
    /// The least severe alert that notifies: `Critical` (default) or `Warning`.
    pub min_severity: Severity,
    pub desktop: DesktopMode,
    /// The terminal's bell and OSC 9/777 when the desktop is not used or fails.
    pub terminal: bool,
    /// At most this many notifications a minute; the rest go out as one.
    pub per_minute: u32,
}

impl Default for NotifySettings {
    fn default() -> NotifySettings {
        NotifySettings {
            enabled: true,
            min_severity: Severity::Critical,
            desktop: DesktopMode::Auto,
            terminal: true,
            per_minute: 6,
        }
    }
}

/// The severities `min_severity` accepts: notifications are for what needs someone now.
pub fn parse_min_severity(word: &str) -> Option<Severity> {
    match word {
        "critical" => Some(Severity::Critical),
        "warning" => Some(Severity::Warning),
        _ => None,
    }
}
