//! The event stream: every observed change and every user action becomes a `TimelineEvent`
//! (schema in PRODUCT.md). The incident journal, exports, notifications and the Timeline screen
//! all read it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "incident.declared")]
    IncidentDeclared,
    #[serde(rename = "incident.milestone")]
    Milestone,
    #[serde(rename = "incident.severity_changed")]
    SeverityChanged,
    #[serde(rename = "incident.status_changed")]
    StatusChanged,
    /// An event's `occurred_at` corrected: a new event naming the old one (history is never
    /// rewritten).
    #[serde(rename = "incident.time_corrected")]
    TimeCorrected,
    /// An event starred (or unstarred) as a key event of the post-mortem.
    #[serde(rename = "incident.starred")]
    Starred,
    #[serde(rename = "alert.firing")]
    AlertFiring,
    #[serde(rename = "alert.resolved")]
    AlertResolved,
    #[serde(rename = "alert.silenced")]
    AlertSilenced,
    #[serde(rename = "alert.unsilenced")]
    AlertUnsilenced,
    #[serde(rename = "change.deploy")]
    Deploy,
    #[serde(rename = "change.health_changed")]
    HealthChanged,
    #[serde(rename = "change.rollback")]
    Rollback,
    #[serde(rename = "change.sync_failed")]
    SyncFailed,
    #[serde(rename = "change.autosync_toggled")]
    AutosyncToggled,
    /// A mutation the user confirmed, before its result is known.
    #[serde(rename = "action.attempted")]
    ActionAttempted,
    /// A mutation that succeeded (silence created/expired, …).
    #[serde(rename = "action.succeeded")]
    ActionSucceeded,
    /// A mutation the server refused or that failed in transit, with the server's words.
    #[serde(rename = "action.failed")]
    ActionFailed,
    /// A source started failing or recovered.
    #[serde(rename = "source.status")]
    SourceStatus,
    #[serde(rename = "note")]
    Note,
    /// A runbook's manual task ticked, or a command that did its job.
    #[serde(rename = "runbook.step_done")]
    RunbookStepDone,
    #[serde(rename = "runbook.step_skipped")]
    RunbookStepSkipped,
    #[serde(rename = "runbook.check_passed")]
    RunbookCheckPassed,
    #[serde(rename = "runbook.check_failed")]
    RunbookCheckFailed,
    /// A runbook command ran: its text, variables, exit, duration, an excerpt of its output.
    #[serde(rename = "runbook.command_run")]
    RunbookCommandRun,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::IncidentDeclared => "incident.declared",
            EventKind::Milestone => "incident.milestone",
            EventKind::SeverityChanged => "incident.severity_changed",
            EventKind::StatusChanged => "incident.status_changed",
            EventKind::TimeCorrected => "incident.time_corrected",
            EventKind::Starred => "incident.starred",
            EventKind::AlertFiring => "alert.firing",
            EventKind::AlertResolved => "alert.resolved",
            EventKind::AlertSilenced => "alert.silenced",
            EventKind::AlertUnsilenced => "alert.unsilenced",
            EventKind::Deploy => "change.deploy",
            EventKind::HealthChanged => "change.health_changed",
            EventKind::Rollback => "change.rollback",
            EventKind::SyncFailed => "change.sync_failed",
            EventKind::AutosyncToggled => "change.autosync_toggled",
            EventKind::ActionAttempted => "action.attempted",
            EventKind::ActionSucceeded => "action.succeeded",
            EventKind::ActionFailed => "action.failed",
            EventKind::SourceStatus => "source.status",
            EventKind::Note => "note",
            EventKind::RunbookStepDone => "runbook.step_done",
            EventKind::RunbookStepSkipped => "runbook.step_skipped",
            EventKind::RunbookCheckPassed => "runbook.check_passed",
            EventKind::RunbookCheckFailed => "runbook.check_failed",
            EventKind::RunbookCommandRun => "runbook.command_run",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventSource {
    Alertmanager,
    Prometheus,
    Argocd,
    Kube,
    Runbook,
    User,
    Sitrep,
}

/// The source as a word, as the schema spells it.
pub fn source_word(s: EventSource) -> &'static str {
    match s {
        EventSource::Alertmanager => "alertmanager",
        EventSource::Prometheus => "prometheus",
        EventSource::Argocd => "argocd",
        EventSource::Kube => "kube",
        EventSource::Runbook => "runbook",
        EventSource::User => "user",
        EventSource::Sitrep => "sitrep",
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRefs {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub id: String,
    pub incident_id: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub kind: EventKind,
    pub source: EventSource,
    pub actor: String,
    pub summary: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    #[serde(default)]
    pub refs: EventRefs,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    #[serde(default)]
    pub details: serde_json::Value,
    #[serde(default)]
    pub highlight: bool,
}

impl TimelineEvent {
    /// A new event, without an id yet: the model gives it one when it is recorded
    /// ([`EventIds`]), so the same messages always give the same ids.
    pub fn new(
        kind: EventKind,
        source: EventSource,
        occurred_at: DateTime<Utc>,
        recorded_at: DateTime<Utc>,
        summary: impl Into<String>,
    ) -> TimelineEvent {
        TimelineEvent {
            id: String::new(),
            incident_id: None,
            occurred_at,
            recorded_at,
            kind,
            source,
            actor: String::new(),
            summary: summary.into(),
            body: String::new(),
            refs: EventRefs::default(),
            links: Vec::new(),
            details: serde_json::Value::Null,
            highlight: false,
        }
    }
}

/// Event ids: ULIDs whose time part is when the event was recorded and whose random part is
/// the session and a counter, so ids sort in recording order, the same messages always mint
/// the same ids within a session (tests, replays), and two runs of sitrep writing to one
/// incident journal never mint the same id. Owned by the model.
#[derive(Clone, Debug, Default)]
pub struct EventIds {
    next: u64,
    /// Random per process (0 in tests): the high 48 bits of the ULID's random part.
    session: u64,
}

impl EventIds {
    /// Ids for a new process: a random session.
    pub fn for_session(session: u64) -> EventIds {
        EventIds { next: 0, session }
    }

    pub fn mint(&mut self, recorded_at: DateTime<Utc>) -> String {
        self.next += 1;
        let ms = recorded_at.timestamp_millis().max(0) as u64;
        // The ULID random part is 80 bits: 48 of session above 32 of counter.
        let random = (u128::from(self.session & 0xffff_ffff_ffff) << 32)
            | u128::from(self.next & 0xffff_ffff);
        ulid::Ulid::from_parts(ms, random).to_string()
    }
}
