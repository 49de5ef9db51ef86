//! Modal popups. At most one is open; it takes every key until closed.

use super::silence::{Matcher, Silence};
use ratatui_textarea::TextArea;

/// Durations offered when silencing, shortest first. The default is the first.
pub const SILENCE_PRESETS: [(&str, i64); 7] = [
    ("1h", 3600),
    ("2h", 2 * 3600),
    ("4h", 4 * 3600),
    ("8h", 8 * 3600),
    ("1d", 24 * 3600),
    ("3d", 3 * 24 * 3600),
    ("7d", 7 * 24 * 3600),
];

#[derive(Debug, Clone)]
pub enum Popup {
    Help { scroll: u16 },
    Silence(Box<SilenceForm>),
    Expire(ExpireForm),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilenceField {
    /// Which Alertmanager (only offered when there are several).
    Target,
    Matchers,
    Duration,
    Comment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormStage {
    /// The user is filling the form.
    Edit,
    /// The form is complete; shown back as exactly what will be sent, waiting for `y`.
    Confirm,
    /// Sent; waiting for the server. Further presses do nothing.
    InFlight(u64),
}

#[derive(Debug, Clone)]
pub struct SilenceForm {
    /// The Alertmanager the silence will be created on.
    pub source: String,
    /// Every writable Alertmanager, for cycling the target with ←/→ on the first field.
    pub targets: Vec<String>,
    /// One line of matchers, Alertmanager syntax, comma-separated.
    pub matchers: TextArea<'static>,
    /// The matchers as parsed from the line, or why they don't parse.
    pub parsed: Result<Vec<Matcher>, String>,
    /// How many known alerts the matchers select.
    pub affected: usize,
    pub duration: usize,
    pub comment: TextArea<'static>,
    pub author: String,
    pub field: SilenceField,
    pub stage: FormStage,
    /// Why the form can't be submitted yet.
    pub problem: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ExpireForm {
    pub silence: Silence,
    /// Alerts this silence currently suppresses.
    pub affected: usize,
    pub stage: FormStage,
}
