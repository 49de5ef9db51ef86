//! PagerDuty REST API v2: which escalation policy each service pages (`GET /services`) and who
//! is on call now on every policy (`GET /oncalls?earliest=true`), both paged with
//! `limit`/`offset`/`more`. Headers: `Authorization: Token token=KEY`,
//! `Accept: application/vnd.pagerduty+json;version=2`.

use super::{Explain, clean_id, clean_name, items, lenient, safe_url};
use crate::config::source::SourceSpec;
use crate::model::oncall::{OnCall, OnCallSnapshot, Provider};
use crate::sources::bounded;
use crate::sources::error::{ErrorKind, SourceError};
use crate::sources::http::{HttpClient, HttpOptions};
use crate::sources::lenient_time;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;

/// The media type that pins REST API v2.
pub const MEDIA_TYPE: &str = "application/vnd.pagerduty+json;version=2";
/// PagerDuty's largest page.
pub const PAGE_LIMIT: usize = 100;
/// Classic pagination stops at offset 10,000: 100 pages of 100.
pub const MAX_PAGES: usize = 100;

/// A client for one PagerDuty account. Cheap to clone.
#[derive(Clone, Debug)]
pub struct PagerDutyClient {
    http: HttpClient,
    explain: Explain,
    page_limit: usize,
}

/// One page of a list: its items (under `key`) and whether more follow.
struct Page {
    items: Vec<Value>,
    more: bool,
}

#[derive(Deserialize, Default)]
struct WireService {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    escalation_policy: Option<WireRef>,
}

#[derive(Deserialize, Default)]
struct WireRef {
    #[serde(default, deserialize_with = "lenient")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    summary: Option<String>,
}

/// A user reference (`type: user_reference`), or a whole user when `include[]=users`.
#[derive(Deserialize, Default)]
struct WireUser {
    #[serde(default, deserialize_with = "lenient")]
    summary: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    html_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct WireOnCall {
    #[serde(default, deserialize_with = "lenient")]
    user: Option<WireUser>,
    #[serde(default, deserialize_with = "lenient")]
    schedule: Option<WireRef>,
    #[serde(default, deserialize_with = "lenient")]
    escalation_policy: Option<WireRef>,
    #[serde(default, deserialize_with = "lenient")]
    escalation_level: Option<u32>,
    #[serde(default, deserialize_with = "lenient_time")]
    end: Option<DateTime<Utc>>,
}

impl PagerDutyClient {
    pub fn new(spec: &SourceSpec, options: &HttpOptions) -> Result<PagerDutyClient, SourceError> {
        Ok(PagerDutyClient {
            http: HttpClient::new(spec, options)?.with_accept(MEDIA_TYPE),
            explain: Explain::of(spec, Provider::PagerDuty),
            page_limit: PAGE_LIMIT,
        })
    }

    /// Ask for pages of `limit` items (1 to 100) instead of 100.
    pub fn with_page_limit(mut self, limit: usize) -> PagerDutyClient {
        self.page_limit = limit.clamp(1, PAGE_LIMIT);
        self
    }

    /// Everything on call now and which policy each service pages: both lists in full, or an
    /// error (never a part of them).
    pub async fn snapshot(&self) -> Result<OnCallSnapshot, SourceError> {
        let (service_policy, oncalls) = tokio::try_join!(self.services(), self.oncalls())?;
        Ok(build_snapshot(service_policy, oncalls))
    }

    /// `GET /services`: service id → escalation policy id.
    pub async fn services(&self) -> Result<HashMap<String, String>, SourceError> {
        let mut out = HashMap::new();
        self.each_page("services", &[], |item| {
            let Ok(s) = serde_json::from_value::<WireService>(item) else {
                return;
            };
            if let (Some(id), Some(policy)) = (s.id, s.escalation_policy.and_then(|p| p.id)) {
                out.insert(clean_id(&id), clean_id(&policy));
            }
        })
        .await?;
        Ok(out)
    }

    /// `GET /oncalls?earliest=true`: (escalation policy id, who) for everyone on call now.
    pub async fn oncalls(&self) -> Result<Vec<(String, OnCall)>, SourceError> {
        let mut out = Vec::new();
        self.each_page("oncalls", &[("earliest", "true")], |item| {
            if let Ok(o) = serde_json::from_value::<WireOnCall>(item)
                && let Some(entry) = oncall_of(o)
            {
                out.push(entry);
            }
        })
        .await?;
        Ok(out)
    }

    /// Page through `GET /{key}` until `more` is false (or the page bound), handing each item
    /// to `each`. The next offset counts the items received, so a server that pages in smaller
    /// steps than asked is read whole.
    async fn each_page(
        &self,
        key: &str,
        query: &[(&str, &str)],
        mut each: impl FnMut(Value),
    ) -> Result<(), SourceError> {
        let mut offset = 0usize;
        for _ in 0..MAX_PAGES {
            let page = self.page(key, query, offset).await?;
            let got = page.items.len();
            page.items.into_iter().for_each(&mut each);
            // An empty page that claims more would loop forever.
            if !page.more || got == 0 {
                return Ok(());
            }
            offset += got;
        }
        tracing::warn!(
            source = %self.http.source(),
            "PagerDuty {key}: more than {MAX_PAGES} pages; the rest is not read"
        );
        Ok(())
    }

    async fn page(
        &self,
        key: &str,
        query: &[(&str, &str)],
        offset: usize,
    ) -> Result<Page, SourceError> {
        let limit = self.page_limit.to_string();
        let offset = offset.to_string();
        let mut q: Vec<(&str, &str)> = query.to_vec();
        q.push(("limit", &limit));
        q.push(("offset", &offset));
        let mut doc: Value = self.get(&[key], &q).await?;
        let more = doc.get("more").and_then(Value::as_bool).unwrap_or(false);
        let Some(list) = doc.get_mut(key).map(Value::take) else {
            return Err(self.http.error(
                ErrorKind::InvalidJson,
                None,
                &format!("unexpected JSON: not a PagerDuty answer (no \"{key}\")"),
            ));
        };
        Ok(Page {
            items: items(list),
            more,
        })
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

fn oncall_of(o: WireOnCall) -> Option<(String, OnCall)> {
    let policy = clean_id(&o.escalation_policy?.id?);
    let user = o.user.unwrap_or_default();
    let name = user
        .summary
        .or(user.name)
        .map(|n| clean_name(&n))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "(unnamed user)".to_string());
    let who = OnCall {
        name,
        email: user.email.map(|e| clean_name(&e)).filter(|e| !e.is_empty()),
        level: o.escalation_level,
        schedule: o
            .schedule
            .and_then(|s| s.summary)
            .map(|s| clean_name(&s))
            .filter(|s| !s.is_empty()),
        until: o.end,
        url: safe_url(user.html_url.as_deref()),
    };
    Some((policy, who))
}

/// Group by policy (level 1 first) and by schedule name (lower-cased; each person once, at
/// their first level).
fn build_snapshot(
    service_policy: HashMap<String, String>,
    mut oncalls: Vec<(String, OnCall)>,
) -> OnCallSnapshot {
    oncalls.sort_by(|(pa, a), (pb, b)| {
        (pa, a.level.unwrap_or(u32::MAX), &a.name).cmp(&(pb, b.level.unwrap_or(u32::MAX), &b.name))
    });
    let mut by_policy: HashMap<String, Vec<OnCall>> = HashMap::new();
    let mut by_schedule: HashMap<String, Vec<OnCall>> = HashMap::new();
    for (policy, who) in oncalls {
        if let Some(schedule) = &who.schedule {
            let list = by_schedule
                .entry(schedule.to_ascii_lowercase())
                .or_default();
            let rank = |o: &OnCall| o.level.unwrap_or(u32::MAX);
            match list.iter_mut().find(|o| o.name == who.name) {
                // One schedule on several policies: the person at their first level.
                Some(seen) if rank(seen) > rank(&who) => *seen = who.clone(),
                Some(_) => {}
                None => list.push(who.clone()),
            }
        }
        by_policy.entry(policy).or_default().push(who);
    }
    for list in by_schedule.values_mut() {
        list.sort_by_key(|o| o.level.unwrap_or(u32::MAX));
    }
    OnCallSnapshot {
        provider: Some(Provider::PagerDuty),
        service_policy,
        by_policy,
        by_team: HashMap::new(),
        by_schedule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Option<(String, OnCall)> {
        oncall_of(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn odd_entries_are_read_or_skipped_never_fatal() {
        let (policy, who) = parse(
            r#"{"user":{"summary":"Ann","html_url":"javascript:alert(1)","email":5},
                "schedule":null,"escalation_policy":{"id":"PE1"},"escalation_level":"two",
                "end":null}"#,
        )
        .unwrap();
        assert_eq!(policy, "PE1");
        assert_eq!(who.name, "Ann");
        assert_eq!(
            (who.url, who.email, who.level, who.schedule),
            (None, None, None, None)
        );
        assert!(
            parse(r#"{"user":{"summary":"Bob"}}"#).is_none(),
            "no policy"
        );
        let (_, who) = parse(r#"{"user":"x","escalation_policy":{"id":"PE1"}}"#).unwrap();
        assert_eq!(who.name, "(unnamed user)");
    }

    #[test]
    fn grouped_level_first_and_schedules_lower_cased() {
        let who = |name: &str, level: u32, schedule: &str| OnCall {
            name: name.into(),
            email: None,
            level: Some(level),
            schedule: Some(schedule.into()),
            until: None,
            url: None,
        };
        let snap = build_snapshot(
            HashMap::from([("PS1".to_string(), "PE1".to_string())]),
            vec![
                ("PE1".into(), who("Bea", 2, "Ops-Secondary")),
                ("PE1".into(), who("Al", 1, "Ops-Primary")),
                ("PE2".into(), who("Al", 1, "Ops-Primary")),
                // The same rotation at PE0's second level: in the schedule, Al stays at level 1.
                ("PE0".into(), who("Al", 2, "Ops-Primary")),
            ],
        );
        let names: Vec<_> = snap
            .for_service("PS1")
            .unwrap()
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(names, ["Al", "Bea"]);
        let primary = snap.for_schedule("ops-primary").unwrap();
        assert_eq!((primary.len(), primary[0].level), (1, Some(1)));
        assert_eq!(snap.for_schedule("OPS-SECONDARY").unwrap()[0].name, "Bea");
        assert!(snap.for_service("PS9").is_none());
    }
}
