//! Alerts as sitrep sees them: one per distinct alert (fingerprint), whatever source reported it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

/// Urgency of an alert, from its `severity` label. Ordered most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    Warning,
    Info,
    #[default]
    None,
}

impl Severity {
    /// Map the many spellings teams use onto four levels.
    fn from_label(value: Option<&str>) -> Severity {
        // Called for every alert on every merge: lower-case into a stack buffer, one match.
        let Some(v) = value.map(str::trim) else {
            return Severity::None;
        };
        let mut buf = [0u8; 16];
        if v.len() > buf.len() {
            return Severity::None;
        }
        let lower = &mut buf[..v.len()];
        lower.copy_from_slice(v.as_bytes());
        lower.make_ascii_lowercase();
        match &*lower {
            b"critical" | b"crit" | b"page" | b"error" | b"high" | b"p1" | b"sev1"
            | b"emergency" => Severity::Critical,
            b"warning" | b"warn" | b"medium" | b"p2" | b"p3" | b"sev2" | b"sev3" => {
                Severity::Warning
            }
            b"info" | b"informational" | b"low" | b"notice" | b"p4" | b"p5" => Severity::Info,
            _ => Severity::None,
        }
    }

    /// A word that keeps the meaning when there is no colour (NO_COLOR, screen readers).
    pub fn word(self) -> &'static str {
        match self {
            Severity::Critical => "CRIT",
            Severity::Warning => "WARN",
            Severity::Info => "INFO",
            Severity::None => "NONE",
        }
    }
}

/// Where an alert stands. Alertmanager's `active`/`suppressed` is split by cause so the screen
/// can say *why* an alert is quiet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// Active in Alertmanager, or firing in Prometheus.
    Firing,
    /// Pending in Prometheus: the condition holds but `for:` has not elapsed yet.
    Pending,
    /// Suppressed by a silence.
    Silenced,
    /// Suppressed by an inhibition rule.
    Inhibited,
    /// Suppressed by a mute/active time interval (Alertmanager ≥ 0.28 `mutedBy`).
    Muted,
    /// Alertmanager has not processed it yet.
    Unprocessed,
}

impl AlertState {
    pub fn word(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Pending => "pending",
            AlertState::Silenced => "silenced",
            AlertState::Inhibited => "inhibited",
            AlertState::Muted => "muted",
            AlertState::Unprocessed => "unprocessed",
        }
    }

    /// Does this alert demand attention now?
    pub fn is_active(self) -> bool {
        matches!(self, AlertState::Firing | AlertState::Unprocessed)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alert {
    /// Alertmanager's fingerprint (for Prometheus alerts computed the same way, see
    /// [`fingerprint`]), so the same alert from several places is one alert here.
    pub fingerprint: String,
    pub labels: Labels,
    pub annotations: Labels,
    pub state: AlertState,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub generator_url: Option<String>,
    pub silenced_by: Vec<String>,
    pub inhibited_by: Vec<String>,
    pub muted_by: Vec<String>,
    pub receivers: Vec<String>,
    /// The source that reported it (first one, when several HA peers did).
    pub source: String,
    /// Other sources that reported the same fingerprint (HA peers, Prometheus).
    pub also_from: Vec<String>,
    /// A hash of what the views show of it (all but `ends_at` and `also_from`), computed where
    /// it is decoded, in the source's task ([`Alert::sealed`]), so the store tells an unchanged
    /// copy from a changed one with one comparison on the UI loop. 0: not computed (then the
    /// fields are compared).
    #[serde(skip)]
    pub digest: u64,
}

impl Alert {
    /// An empty alert that allocates nothing (left behind where an alert was moved out).
    pub fn placeholder() -> Alert {
        Alert {
            fingerprint: String::new(),
            labels: Labels::new(),
            annotations: Labels::new(),
            state: AlertState::Firing,
            starts_at: DateTime::<Utc>::UNIX_EPOCH,
            ends_at: None,
            generator_url: None,
            silenced_by: Vec::new(),
            inhibited_by: Vec::new(),
            muted_by: Vec::new(),
            receivers: Vec::new(),
            source: String::new(),
            also_from: Vec::new(),
            digest: 0,
        }
    }

    /// The alert with its [`Alert::digest`] computed.
    pub fn sealed(mut self) -> Alert {
        self.digest = self.content_digest();
        self
    }

    fn content_digest(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        // SipHash with fixed keys: stable within the process, mixes every field in (the fast
        // hasher of the maps is built for single integer keys).
        let mut h = std::hash::DefaultHasher::new();
        self.fingerprint.hash(&mut h);
        self.labels.hash(&mut h);
        self.annotations.hash(&mut h);
        self.state.hash(&mut h);
        self.starts_at.timestamp_nanos_opt().hash(&mut h);
        self.generator_url.hash(&mut h);
        self.silenced_by.hash(&mut h);
        self.inhibited_by.hash(&mut h);
        self.muted_by.hash(&mut h);
        self.receivers.hash(&mut h);
        self.source.hash(&mut h);
        h.finish().max(1)
    }

    pub fn name(&self) -> &str {
        self.labels
            .get("alertname")
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn severity(&self) -> Severity {
        Severity::from_label(self.labels.get("severity").map(String::as_str))
    }

    /// The one line a human reads first: `summary`, else `description`, else `message`.
    pub fn summary(&self) -> &str {
        ["summary", "description", "message"]
            .iter()
            .find_map(|k| self.annotations.get(*k))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The service this alert belongs to: the first label of `precedence` that is set.
    pub fn service<'a>(&'a self, precedence: &[String]) -> Option<&'a str> {
        precedence
            .iter()
            .find_map(|l| self.labels.get(l).filter(|v| !v.is_empty()))
            .map(String::as_str)
    }
}

/// Alertmanager/Prometheus label-set fingerprint (`model.LabelSet.Fingerprint`): FNV-1a 64 over
/// the sorted label names and values, each followed by the separator byte 0xff, as 16 hex digits.
pub fn fingerprint(labels: &Labels) -> String {
    const OFFSET: u64 = 14695981039346656037;
    const PRIME: u64 = 1099511628211;
    let mut hash = OFFSET;
    let mut add = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    // BTreeMap iterates in byte order of names, which is Go's sort.Strings order.
    for (name, value) in labels {
        add(name.as_bytes());
        add(&[0xff]);
        add(value.as_bytes());
        add(&[0xff]);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_label_set_fingerprint_is_fnv_offset() {
        assert_eq!(fingerprint(&Labels::new()), "cbf29ce484222325");
    }

    #[test]
    fn severity_words() {
        assert_eq!(Severity::from_label(Some("Critical")), Severity::Critical);
        assert_eq!(Severity::from_label(Some("warning")), Severity::Warning);
        assert_eq!(Severity::from_label(None), Severity::None);
        assert!(Severity::Critical < Severity::Warning);
    }
}
