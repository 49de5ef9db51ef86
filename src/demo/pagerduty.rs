//! The emulated PagerDuty REST API v2: each demo team is one service (`pagerduty_service_id`)
//! paging its escalation policy (`pagerduty_policy_id`), whose level 1 is the team's primary
//! person on the `<team>-primary` rotation and level 2 the secondary on `<team>-secondary`.
//! Shifts are weekly, Monday 09:00 UTC, around the scenario clock's now.
//!
//! - `GET /services` and `GET /services/{id}`
//! - `GET /oncalls` (`earliest`, `escalation_policy_ids[]`, `schedule_ids[]`, `user_ids[]`)
//!
//! Lists page like the real API: `limit` (default 25, at most 100), `offset`, `more`, and
//! `total` only when asked (`total=true`). Every call wants `Authorization: Token token=`
//! [`DEMO_PAGERDUTY_TOKEN`] and an `Accept` that allows PagerDuty's JSON.

use super::Shared;
use super::people::{self, pagerduty_policy_id, pagerduty_service_id, rotation};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Datelike, SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};
use std::sync::Arc;

/// The API key the emulated PagerDuty accepts.
pub const DEMO_PAGERDUTY_TOKEN: &str = "demo-pagerduty-token";

const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 100;

/// PagerDuty's error body: `{"error":{"message","code"[,"errors"]}}`.
fn api_error(status: StatusCode, code: u32, message: &str, errors: &[&str]) -> Response {
    let mut error = json!({"message": message, "code": code});
    if !errors.is_empty() {
        error["errors"] = json!(errors);
    }
    (status, Json(json!({ "error": error }))).into_response()
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/services", get(services))
        .route("/services/{id}", get(service))
        .route("/oncalls", get(oncalls))
        .fallback(|| async { api_error(StatusCode::NOT_FOUND, 2100, "Not Found", &[]) })
        .layer(middleware::from_fn(guard))
        .with_state(shared)
}

/// The key first (401 as PagerDuty words it), then the media type (406).
async fn guard(req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("Token token="));
    if key != Some(DEMO_PAGERDUTY_TOKEN) {
        return api_error(StatusCode::UNAUTHORIZED, 2006, "Unauthorized", &[]);
    }
    if !accepts_pagerduty_json(req.headers()) {
        return api_error(
            StatusCode::NOT_ACCEPTABLE,
            2001,
            "Not Acceptable",
            &["Accept must allow application/vnd.pagerduty+json;version=2"],
        );
    }
    next.run(req).await
}

/// No `Accept`, a wildcard, JSON, or PagerDuty's media type at version 2.
fn accepts_pagerduty_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    accept.split(',').any(|range| {
        let mut parts = range.split(';').map(|p| p.trim().to_ascii_lowercase());
        let media = parts.next().unwrap_or_default();
        let params: Vec<String> = parts.collect();
        match media.as_str() {
            "*/*" | "application/*" | "application/json" => true,
            "application/vnd.pagerduty+json" => params
                .iter()
                .filter_map(|p| p.strip_prefix("version="))
                .all(|v| v == "2"),
            _ => false,
        }
    })
}

/// Query parameters, `key[]` repeated ones included.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: Option<String>) -> Query {
        Query(
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `key[]=a&key[]=b` (and `key=a,b`, which PagerDuty also reads).
    fn all(&self, key: &str) -> Vec<String> {
        let bracketed = format!("{key}[]");
        self.0
            .iter()
            .filter(|(k, _)| *k == bracketed || k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn flag(&self, key: &str) -> bool {
        self.one(key) == Some("true")
    }

    /// `limit` and `offset`, or what is wrong with them (PagerDuty answers it with a 400).
    fn paging(&self) -> Result<(usize, usize), String> {
        let number = |key: &str, default: usize| match self.one(key) {
            None | Some("") => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| format!("{key} must be a non-negative integer")),
        };
        let limit = number("limit", DEFAULT_LIMIT)?.clamp(1, MAX_LIMIT);
        Ok((limit, number("offset", 0)?))
    }
}

/// One page of `items` under `key`, with PagerDuty's paging fields.
fn page(key: &str, items: Vec<Value>, q: &Query) -> Response {
    let (limit, offset) = match q.paging() {
        Ok(p) => p,
        Err(e) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                2001,
                "Invalid Input Provided",
                &[&e],
            );
        }
    };
    let total = items.len();
    let slice: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    let more = offset.saturating_add(slice.len()) < total;
    let total = if q.flag("total") {
        json!(total)
    } else {
        Value::Null
    };
    Json(json!({
        key: slice,
        "limit": limit,
        "offset": offset,
        "more": more,
        "total": total,
    }))
    .into_response()
}

/// Where a real account's web pages are (`html_url`): what the owner card offers to open is
/// a page a person could read, as PagerDuty's own answers give it, not this API.
const WEB_UI: &str = "https://acme.pagerduty.com";

/// `http://127.0.0.1:PORT`: API links (`self`) point back at this server.
fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn reference(base: &str, kind: &str, path: &str, id: &str, summary: &str) -> Value {
    json!({
        "id": id,
        "type": format!("{kind}_reference"),
        "summary": summary,
        "self": format!("{base}/{path}/{id}"),
        "html_url": format!("{WEB_UI}/{path}/{id}"),
    })
}

/// `PU` and the first letters of a login (`priya.shah` → `PUPRIYAS`).
fn user_id(login: &str) -> String {
    let letters: String = login
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(6)
        .collect();
    format!("PU{}", letters.to_ascii_uppercase())
}

/// Level 1 and 2 schedules of a team: `P1PAYMEN`, `P2PAYMEN`.
fn schedule_id(team: &str, level: u32) -> String {
    format!("P{level}{}", &pagerduty_service_id(team)[2..])
}

fn team_id(team: &str) -> String {
    format!("PT{}", &pagerduty_service_id(team)[2..])
}

fn teams(shared: &Shared) -> Vec<String> {
    shared
        .world()
        .teams
        .iter()
        .map(|t| t.name.clone())
        .collect()
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The weekly shift around `now`: from the last Monday 09:00 UTC, for seven days.
fn shift(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let monday =
        now.date_naive() - TimeDelta::days(i64::from(now.weekday().num_days_from_monday()));
    let mut start = monday
        .and_hms_opt(9, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    if start > now {
        start -= TimeDelta::days(7);
    }
    (start, start + TimeDelta::days(7))
}

fn service_json(base: &str, team: &str) -> Value {
    let id = pagerduty_service_id(team);
    let policy = pagerduty_policy_id(team);
    let staff = people::staff(team);
    json!({
        "id": id,
        "type": "service",
        "summary": team,
        "self": format!("{base}/services/{id}"),
        "html_url": format!("{WEB_UI}/service-directory/{id}"),
        "name": team,
        "description": format!("{} services", staff.display_name),
        "status": "active",
        "auto_resolve_timeout": 14400,
        "acknowledgement_timeout": 1800,
        "created_at": "2023-03-01T09:00:00Z",
        "alert_creation": "create_alerts_and_incidents",
        "escalation_policy": reference(base, "escalation_policy", "escalation_policies", &policy, team),
        "teams": [reference(base, "team", "teams", &team_id(team), staff.display_name)],
        "integrations": [],
        "last_incident_timestamp": null,
    })
}

async fn services(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let base = base(&headers);
    let items = teams(&shared)
        .iter()
        .map(|t| service_json(&base, t))
        .collect();
    page("services", items, &Query::parse(raw))
}

async fn service(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let base = base(&headers);
    match teams(&shared)
        .iter()
        .find(|t| pagerduty_service_id(t) == id)
    {
        Some(team) => Json(json!({"service": service_json(&base, team)})).into_response(),
        None => api_error(StatusCode::NOT_FOUND, 2100, "Not Found", &[]),
    }
}

async fn oncalls(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let base = base(&headers);
    let q = Query::parse(raw);
    let (policies, schedules, users) = (
        q.all("escalation_policy_ids"),
        q.all("schedule_ids"),
        q.all("user_ids"),
    );
    let (start, end) = shift(shared.clock.now());
    let mut items = Vec::new();
    for team in teams(&shared) {
        let policy = pagerduty_policy_id(&team);
        if !policies.is_empty() && !policies.contains(&policy) {
            continue;
        }
        let staff = people::staff(&team);
        let levels = [
            (1, staff.primary, rotation(&team)),
            (2, staff.secondary, format!("{team}-secondary")),
        ];
        for (level, (name, login), schedule) in levels {
            let (user, sched) = (user_id(login), schedule_id(&team, level));
            if (!schedules.is_empty() && !schedules.contains(&sched))
                || (!users.is_empty() && !users.contains(&user))
            {
                continue;
            }
            items.push(json!({
                "escalation_policy": reference(&base, "escalation_policy", "escalation_policies", &policy, &team),
                "escalation_level": level,
                "schedule": reference(&base, "schedule", "schedules", &sched, &schedule),
                "user": reference(&base, "user", "users", &user, name),
                "start": time(start),
                "end": time(end),
            }));
        }
    }
    // `earliest=true` keeps the first shift per user, policy and level: with one shift each
    // here, the list is the same with it or without.
    page("oncalls", items, &q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_start_on_the_last_monday_morning() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        // Wednesday.
        let (start, end) = shift(at("2025-01-08T12:00:00Z"));
        assert_eq!(start, at("2025-01-06T09:00:00Z"));
        assert_eq!(end, at("2025-01-13T09:00:00Z"));
        // Monday before nine: last week's shift.
        let (start, _) = shift(at("2025-01-06T08:59:00Z"));
        assert_eq!(start, at("2024-12-30T09:00:00Z"));
    }

    #[test]
    fn accept_headers() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, v.parse().unwrap());
            accepts_pagerduty_json(&h)
        };
        assert!(accepts_pagerduty_json(&HeaderMap::new()));
        assert!(with("application/vnd.pagerduty+json;version=2"));
        assert!(with("text/html, */*;q=0.1"));
        assert!(with("application/json"));
        assert!(!with("application/vnd.pagerduty+json;version=1"));
        assert!(!with("text/html"));
    }

    #[test]
    fn ids_are_pagerduty_like() {
        assert_eq!(user_id("priya.shah"), "PUPRIYAS");
        assert_eq!(schedule_id("payments", 2), "P2PAYMEN");
        assert_eq!(team_id("payments"), "PTPAYMEN");
    }
}
