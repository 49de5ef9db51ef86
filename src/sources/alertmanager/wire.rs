//! Alertmanager API v2 wire types (tolerant of unknown and missing optional fields, v0.25 …
//! v0.34) and their translation into model values, every string sanitised.

use crate::model::alert::{Alert, AlertState, Labels, fingerprint};
use crate::model::silence::{Matcher, Silence, SilenceState};
use crate::sanitize;
use crate::sources::{clean_annotations, clean_labels, clean_value, lenient_time};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// Longest ID (alert fingerprint, silence ID) we accept from a server.
pub(super) const MAX_ID_CHARS: usize = 128;

/// `GET /api/v2/alerts` item. Every field optional: servers of many versions are in the field,
/// and one odd alert must not cost the whole list.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GettableAlert {
    pub labels: Option<Labels>,
    pub annotations: Option<Labels>,
    #[serde(deserialize_with = "lenient_time")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "lenient_time")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "lenient_time")]
    pub updated_at: Option<DateTime<Utc>>,
    pub fingerprint: Option<String>,
    /// Omitted by Alertmanager when empty.
    #[serde(rename = "generatorURL")]
    pub generator_url: Option<String>,
    pub receivers: Option<Vec<Receiver>>,
    pub status: Option<GettableAlertStatus>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Receiver {
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GettableAlertStatus {
    pub state: WireAlertState,
    pub silenced_by: Option<Vec<String>>,
    pub inhibited_by: Option<Vec<String>>,
    /// Only from v0.28 (time intervals).
    pub muted_by: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum WireAlertState {
    Active,
    Suppressed,
    Unprocessed,
    /// A state this version of sitrep does not know; shown as firing rather than hidden.
    #[default]
    #[serde(other)]
    Unknown,
}

/// `GET /api/v2/silences` item.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GettableSilence {
    pub id: Option<String>,
    pub status: Option<WireSilenceStatus>,
    #[serde(deserialize_with = "lenient_time")]
    pub updated_at: Option<DateTime<Utc>>,
    pub matchers: Option<Vec<WireMatcher>>,
    #[serde(deserialize_with = "lenient_time")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "lenient_time")]
    pub ends_at: Option<DateTime<Utc>>,
    pub created_by: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireSilenceStatus {
    pub state: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireMatcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    /// Absent before v0.22: means equal.
    pub is_equal: Option<bool>,
}

/// `GET /api/v2/status`. The (large) `config.original` is skipped unread.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireStatus {
    pub cluster: Option<WireCluster>,
    pub version_info: Option<WireVersionInfo>,
    #[serde(deserialize_with = "lenient_time")]
    pub uptime: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireCluster {
    pub name: Option<String>,
    pub status: Option<String>,
    pub peers: Option<Vec<serde::de::IgnoredAny>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WireVersionInfo {
    pub version: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct WireSilenceCreated {
    #[serde(rename = "silenceID")]
    pub silence_id: Option<String>,
}

/// Translate one wire alert. `now` stands in for a missing start time.
pub fn to_alert(wire: GettableAlert, source: &str, now: DateTime<Utc>) -> Alert {
    let raw_labels = wire.labels.unwrap_or_default();
    // Alertmanager's own fingerprint when it gave one (computed over the raw labels); ours,
    // which is the same function, otherwise.
    let fp = match wire.fingerprint.filter(|f| !f.is_empty()) {
        Some(f) => clean_id(f),
        None => fingerprint(&raw_labels),
    };
    let status = wire.status.unwrap_or_default();
    let silenced_by = clean_ids(status.silenced_by);
    let inhibited_by = clean_ids(status.inhibited_by);
    let muted_by = clean_ids(status.muted_by);
    let state = match status.state {
        WireAlertState::Active | WireAlertState::Unknown => AlertState::Firing,
        WireAlertState::Unprocessed => AlertState::Unprocessed,
        WireAlertState::Suppressed if !silenced_by.is_empty() => AlertState::Silenced,
        WireAlertState::Suppressed if !inhibited_by.is_empty() => AlertState::Inhibited,
        // mutedBy, or suppressed with no reason given (a time interval before v0.28).
        WireAlertState::Suppressed => AlertState::Muted,
    };
    Alert {
        fingerprint: fp,
        labels: clean_labels(raw_labels),
        annotations: clean_annotations(wire.annotations.unwrap_or_default()),
        state,
        starts_at: wire.starts_at.or(wire.updated_at).unwrap_or(now),
        ends_at: wire.ends_at.filter(|t| t.timestamp() > 0),
        generator_url: wire
            .generator_url
            .filter(|u| !u.is_empty())
            .map(clean_value),
        silenced_by,
        inhibited_by,
        muted_by,
        receivers: wire
            .receivers
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.name)
            .map(clean_value)
            .collect(),
        source: source.to_string(),
        also_from: Vec::new(),
        digest: 0,
    }
    .sealed()
}

/// Translate one wire silence; `None` when it has no ID (nothing could refer to it).
pub fn to_silence(wire: GettableSilence, source: &str, now: DateTime<Utc>) -> Option<Silence> {
    let id = wire.id.filter(|i| !i.is_empty())?;
    let state = match wire.status.and_then(|s| s.state).as_deref() {
        Some("active") => SilenceState::Active,
        Some("pending") => SilenceState::Pending,
        // Expired, or a state we do not know: never claim a silence covers something.
        _ => SilenceState::Expired,
    };
    Some(Silence {
        id: clean_id(id),
        source: source.to_string(),
        matchers: wire
            .matchers
            .unwrap_or_default()
            .into_iter()
            .map(|m| Matcher {
                name: clean_value(m.name),
                value: clean_value(m.value),
                is_regex: m.is_regex,
                is_equal: m.is_equal.unwrap_or(true),
            })
            .collect(),
        starts_at: wire.starts_at.or(wire.updated_at).unwrap_or(now),
        ends_at: wire.ends_at.unwrap_or(now),
        created_by: clean_value(wire.created_by.unwrap_or_default()),
        comment: sanitize::clean_text(&wire.comment.unwrap_or_default(), sanitize::MAX_VALUE_CHARS),
        state,
    })
}

/// IDs are nearly always short plain ASCII: keep those without a copy.
pub(super) fn clean_id(id: String) -> String {
    if id.len() <= MAX_ID_CHARS && id.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        id
    } else {
        sanitize::clean_line(&id, MAX_ID_CHARS)
    }
}

fn clean_ids(ids: Option<Vec<String>>) -> Vec<String> {
    ids.unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_empty())
        .map(clean_id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(json: &str) -> Vec<Alert> {
        let wire: Vec<GettableAlert> = serde_json::from_str(json).unwrap();
        wire.into_iter()
            .map(|a| to_alert(a, "am", Utc::now()))
            .collect()
    }

    #[test]
    fn maps_states_by_cause() {
        let alerts = decode(
            r#"[
            {"labels":{"a":"1"},"status":{"state":"active","silencedBy":[],"inhibitedBy":[]}},
            {"labels":{"a":"2"},"status":{"state":"unprocessed","silencedBy":[],"inhibitedBy":[]}},
            {"labels":{"a":"3"},"status":{"state":"suppressed","silencedBy":["s1"],"inhibitedBy":["x"]}},
            {"labels":{"a":"4"},"status":{"state":"suppressed","silencedBy":[],"inhibitedBy":["x"]}},
            {"labels":{"a":"5"},"status":{"state":"suppressed","silencedBy":[],"inhibitedBy":[],"mutedBy":["tz"]}},
            {"labels":{"a":"6"},"status":{"state":"brand-new"}}
        ]"#,
        );
        let states: Vec<AlertState> = alerts.iter().map(|a| a.state).collect();
        assert_eq!(
            states,
            [
                AlertState::Firing,
                AlertState::Unprocessed,
                AlertState::Silenced,
                AlertState::Inhibited,
                AlertState::Muted,
                AlertState::Firing
            ]
        );
        assert_eq!(alerts[4].muted_by, ["tz"]);
    }

    #[test]
    fn tolerates_missing_and_unknown_fields() {
        let alerts = decode(
            r#"[{"labels":{"alertname":"X"},"extra":{"deep":[1,2]},"startsAt":"not a time",
                "annotations":null,"receivers":[{"name":"r","new":1}]}]"#,
        );
        assert_eq!(alerts[0].name(), "X");
        assert_eq!(alerts[0].fingerprint, fingerprint(&alerts[0].labels));
        assert_eq!(alerts[0].generator_url, None);
        assert_eq!(alerts[0].receivers, ["r"]);
    }

    #[test]
    fn cleans_hostile_text() {
        let alerts = decode(
            r#"[{"labels":{"alertname":"A\u001b[2Jb"},"annotations":{"description":"l1\nl2\u0007","summary":"s\nt"},
                "fingerprint":"f\u001b]0;x\u0007p"}]"#,
        );
        assert_eq!(alerts[0].name(), "Ab");
        assert_eq!(alerts[0].annotations["description"], "l1\nl2");
        assert_eq!(alerts[0].annotations["summary"], "s t");
        assert_eq!(alerts[0].fingerprint, "fp");
    }

    #[test]
    fn decodes_silences() {
        let wire: Vec<GettableSilence> = serde_json::from_str(
            r#"[{"id":"abc","status":{"state":"active"},"matchers":[{"name":"a","value":"b","isRegex":false}],
                 "startsAt":"2024-01-01T00:00:00.123Z","endsAt":"2024-01-02T00:00:00Z","createdBy":"me","comment":"c"},
                {"status":{"state":"active"}}]"#,
        )
        .unwrap();
        let s: Vec<Silence> = wire
            .into_iter()
            .filter_map(|s| to_silence(s, "am", Utc::now()))
            .collect();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].state, SilenceState::Active);
        assert!(s[0].matchers[0].is_equal);
    }
}
