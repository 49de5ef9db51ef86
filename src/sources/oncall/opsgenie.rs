//! Opsgenie (Who Is On Call API, v2): every schedule (`GET /v2/schedules`), then who is on call
//! in each (`GET /v2/schedules/{id}/on-calls?scheduleIdentifierType=id&flat=true`, a few at a
//! time). Header: `Authorization: GenieKey KEY`. EU accounts live at `api.eu.opsgenie.com`.

use super::{Explain, clean_id, clean_name, items, lenient};
use crate::config::source::SourceSpec;
use crate::model::oncall::{OnCall, OnCallSnapshot, Provider};
use crate::sources::bounded;
use crate::sources::error::{ErrorKind, SourceError};
use crate::sources::http::{HttpClient, HttpOptions};
use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;

/// On-call requests in flight at once: quick, and far below Opsgenie's rate limits.
pub const CONCURRENCY: usize = 4;
/// Schedules read per snapshot; past this the rest are left out (and logged).
pub const MAX_SCHEDULES: usize = 500;
/// Pages of the schedule list followed (Opsgenie rarely pages it at all).
const MAX_LIST_PAGES: usize = 20;
/// Recipients kept per schedule.
const MAX_RECIPIENTS: usize = 100;

/// A client for one Opsgenie account. Cheap to clone.
#[derive(Clone, Debug)]
pub struct OpsgenieClient {
    http: HttpClient,
    explain: Explain,
}

/// A schedule as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub id: String,
    pub name: String,
    /// Its owner team's name, as Opsgenie spells it.
    pub team: Option<String>,
}

#[derive(Deserialize, Default)]
struct WireSchedule {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    enabled: Option<bool>,
    #[serde(default, rename = "ownerTeam", deserialize_with = "lenient")]
    owner_team: Option<WireTeam>,
}

#[derive(Deserialize, Default)]
struct WireTeam {
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
}

#[derive(Deserialize, Default)]
struct WireParticipant {
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "lenient")]
    kind: Option<String>,
}

impl OpsgenieClient {
    pub fn new(spec: &SourceSpec, options: &HttpOptions) -> Result<OpsgenieClient, SourceError> {
        Ok(OpsgenieClient {
            http: HttpClient::new(spec, options)?,
            explain: Explain::of(spec, Provider::Opsgenie),
        })
    }

    /// Every schedule and who is on call in it, by schedule and by owner team: whole, or an
    /// error (never a part).
    pub async fn snapshot(&self) -> Result<OnCallSnapshot, SourceError> {
        let mut schedules = self.schedules().await?;
        if schedules.len() > MAX_SCHEDULES {
            tracing::warn!(
                source = %self.http.source(),
                "Opsgenie: {} schedules; only the first {MAX_SCHEDULES} are read",
                schedules.len()
            );
            schedules.truncate(MAX_SCHEDULES);
        }
        let found: Vec<(Schedule, Option<Vec<String>>)> = futures::stream::iter(schedules)
            .map(|s| async move {
                let who = self.on_call(&s.id).await?;
                Ok::<_, SourceError>((s, who))
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        Ok(build_snapshot(found))
    }

    /// `GET /v2/schedules`, following `paging.next` if Opsgenie pages it. Disabled schedules
    /// are left out (nobody is on call in them).
    pub async fn schedules(&self) -> Result<Vec<Schedule>, SourceError> {
        let mut out = Vec::new();
        let mut query: Vec<(String, String)> = Vec::new();
        for _ in 0..MAX_LIST_PAGES {
            let q: Vec<(&str, &str)> = query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let mut doc: Value = self.get(&["v2", "schedules"], &q).await?;
            let Some(data) = doc.get_mut("data").map(Value::take) else {
                return Err(self.not_opsgenie());
            };
            for item in items(data) {
                let Ok(s) = serde_json::from_value::<WireSchedule>(item) else {
                    continue;
                };
                let (Some(id), Some(name)) = (s.id, s.name) else {
                    continue;
                };
                if s.enabled == Some(false) {
                    continue;
                }
                out.push(Schedule {
                    id: clean_id(&id),
                    name: clean_name(&name),
                    team: s
                        .owner_team
                        .and_then(|t| t.name)
                        .map(|n| clean_name(&n))
                        .filter(|n| !n.is_empty()),
                });
            }
            match next_query(&doc) {
                Some(next) if next != query => query = next,
                _ => return Ok(out),
            }
        }
        Ok(out)
    }

    /// `GET /v2/schedules/{id}/on-calls?scheduleIdentifierType=id&flat=true`: the usernames on
    /// call now; `None` when the schedule is gone (deleted since it was listed).
    pub async fn on_call(&self, schedule_id: &str) -> Result<Option<Vec<String>>, SourceError> {
        let query = [("scheduleIdentifierType", "id"), ("flat", "true")];
        let mut doc: Value = match self
            .get(&["v2", "schedules", schedule_id, "on-calls"], &query)
            .await
        {
            Ok(doc) => doc,
            Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(mut data) = doc.get_mut("data").map(Value::take) else {
            return Err(self.not_opsgenie());
        };
        // `flat=true` answers usernames; a server that ignores it answers participants.
        let names: Vec<String> = match data.get_mut("onCallRecipients").map(Value::take) {
            Some(list) => items(list)
                .into_iter()
                .filter_map(|v| v.as_str().map(clean_name))
                .collect(),
            None => data
                .get_mut("onCallParticipants")
                .map(|v| items(v.take()))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|v| serde_json::from_value::<WireParticipant>(v).ok())
                .filter(|p| p.kind.as_deref().is_none_or(|k| k == "user"))
                .filter_map(|p| p.name.map(|n| clean_name(&n)))
                .collect(),
        };
        let mut names: Vec<String> = names.into_iter().filter(|n| !n.is_empty()).collect();
        names.truncate(MAX_RECIPIENTS);
        Ok(Some(names))
    }

    fn not_opsgenie(&self) -> SourceError {
        self.http.error(
            ErrorKind::InvalidJson,
            None,
            "unexpected JSON: not an Opsgenie answer (no \"data\")",
        )
    }

    async fn get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<T, SourceError> {
        bounded(self.http.timeout(), self.http.get_json(segments, query))
            .await
            .map_err(|e| self.explain.error(e))
    }
}

/// The query of `paging.next` (its offset and limit); the path stays ours, so a hostile
/// `next` cannot send the key elsewhere.
fn next_query(doc: &Value) -> Option<Vec<(String, String)>> {
    let next = doc.get("paging")?.get("next")?.as_str()?;
    let url = url::Url::parse(next).ok()?;
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    (!pairs.is_empty()).then_some(pairs)
}

fn build_snapshot(found: Vec<(Schedule, Option<Vec<String>>)>) -> OnCallSnapshot {
    let mut by_schedule: HashMap<String, Vec<OnCall>> = HashMap::new();
    let mut by_team: HashMap<String, Vec<OnCall>> = HashMap::new();
    for (schedule, names) in found {
        let Some(names) = names else { continue };
        let who: Vec<OnCall> = names
            .into_iter()
            .map(|name| OnCall {
                // Opsgenie usernames are email addresses.
                email: name.contains('@').then(|| name.clone()),
                name,
                level: None,
                schedule: Some(schedule.name.clone()),
                until: None,
                url: None,
            })
            .collect();
        if let Some(team) = &schedule.team {
            by_team
                .entry(team.to_ascii_lowercase())
                .or_default()
                .extend(who.iter().cloned());
        }
        by_schedule
            .entry(schedule.name.to_ascii_lowercase())
            .or_default()
            .extend(who);
    }
    // Answers arrive in any order: sort so that equal snapshots compare equal.
    for list in by_team.values_mut().chain(by_schedule.values_mut()) {
        list.sort_by(|a, b| (&a.schedule, &a.name).cmp(&(&b.schedule, &b.name)));
        list.dedup();
    }
    OnCallSnapshot {
        provider: Some(Provider::Opsgenie),
        service_policy: HashMap::new(),
        by_policy: HashMap::new(),
        by_team,
        by_schedule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_page_keeps_only_the_query() {
        let doc =
            serde_json::json!({"paging": {"next": "https://evil.example/x?offset=20&limit=20"}});
        assert_eq!(
            next_query(&doc),
            Some(vec![
                ("offset".to_string(), "20".to_string()),
                ("limit".to_string(), "20".to_string())
            ])
        );
        assert_eq!(next_query(&serde_json::json!({"paging": {}})), None);
        assert_eq!(
            next_query(&serde_json::json!({"paging": {"next": 3}})),
            None
        );
    }

    #[test]
    fn teams_and_schedules_lower_cased_and_gone_schedules_skipped() {
        let s = |id: &str, name: &str, team: Option<&str>| Schedule {
            id: id.into(),
            name: name.into(),
            team: team.map(str::to_string),
        };
        let snap = build_snapshot(vec![
            (
                s("1", "Ops Primary", Some("Ops")),
                Some(vec!["b@x.io".into(), "a@x.io".into()]),
            ),
            (s("2", "Ops Night", Some("Ops")), Some(vec!["c".into()])),
            (s("3", "Gone", Some("Ops")), None),
            (s("4", "Empty", None), Some(vec![])),
        ]);
        let team: Vec<_> = snap
            .for_team("OPS")
            .unwrap()
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(team, ["c", "a@x.io", "b@x.io"]);
        let primary = snap.for_schedule("ops primary").unwrap();
        assert_eq!(primary[0].email.as_deref(), Some("a@x.io"));
        assert_eq!(snap.for_schedule("ops night").unwrap()[0].email, None);
        assert!(snap.for_schedule("gone").is_none());
        assert_eq!(snap.for_schedule("empty"), Some(&[][..]));
    }
}
