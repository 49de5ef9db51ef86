//! Who is on call now, as the paging services (PagerDuty, Opsgenie) answer it: a whole-account
//! snapshot, refreshed every few minutes by the on-call source and joined to the catalog's
//! components in the model (no request per component).

use chrono::{DateTime, Utc};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    PagerDuty,
    Opsgenie,
}

impl Provider {
    pub fn word(self) -> &'static str {
        match self {
            Provider::PagerDuty => "pagerduty",
            Provider::Opsgenie => "opsgenie",
        }
    }
}

/// One person on call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnCall {
    /// The person (PagerDuty's user `summary`, Opsgenie's participant `name`).
    pub name: String,
    pub email: Option<String>,
    /// Escalation level, 1 first (PagerDuty); `None` when the provider has none.
    pub level: Option<u32>,
    /// The rotation that put them there (`payments-primary`).
    pub schedule: Option<String>,
    /// Until when (None: indefinitely, e.g. a level with a person rather than a schedule).
    pub until: Option<DateTime<Utc>>,
    /// Their page in the provider's UI (`http(s)` only).
    pub url: Option<String>,
}

/// Everything one on-call source knows. Names and ids are as the provider spells them;
/// lookups compare team and schedule names case-insensitively (keys are lower-cased).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct OnCallSnapshot {
    pub provider: Option<Provider>,
    /// PagerDuty: service id → its escalation policy id.
    pub service_policy: HashMap<String, String>,
    /// PagerDuty: escalation policy id → who is on call, level 1 first.
    pub by_policy: HashMap<String, Vec<OnCall>>,
    /// Opsgenie: owner team name (lower-cased) → on call in that team's schedules.
    pub by_team: HashMap<String, Vec<OnCall>>,
    /// Either: schedule name (lower-cased) → on call in it.
    pub by_schedule: HashMap<String, Vec<OnCall>>,
}

impl OnCallSnapshot {
    /// PagerDuty's answer for a service id (`pagerduty.com/service-id`): its escalation
    /// policy's on-calls, level 1 first. `None` when the service is unknown to the account.
    pub fn for_service(&self, service_id: &str) -> Option<&[OnCall]> {
        let policy = self.service_policy.get(service_id)?;
        Some(self.by_policy.get(policy).map_or(&[][..], Vec::as_slice))
    }

    pub fn for_team(&self, team: &str) -> Option<&[OnCall]> {
        self.by_team
            .get(&team.to_ascii_lowercase())
            .map(Vec::as_slice)
    }

    pub fn for_schedule(&self, schedule: &str) -> Option<&[OnCall]> {
        self.by_schedule
            .get(&schedule.to_ascii_lowercase())
            .map(Vec::as_slice)
    }
}
