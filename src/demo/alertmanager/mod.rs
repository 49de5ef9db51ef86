//! An emulated Alertmanager (API v2, shapes of the v0.25 OpenAPI spec) over the demo world.
//!
//! Alerts are what the demo Prometheus has sent (the script's firing alerts), routed by the
//! config in [`CONFIG`], grouped by `alertname, service`, and suppressed by the silences held
//! in [`silences`], which really are created, listed and expired through the API. There are
//! no inhibition rules, so `inhibitedBy` is always empty.

mod silences;

pub use silences::SilenceStore;

use super::Shared;
use crate::model::alert::{Labels, fingerprint};
use crate::model::silence::{CompiledMatcher, Matcher};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use regex::Regex;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const VERSION: &str = "0.25.0 (sitrep demo)";

/// The configuration the demo Alertmanager "runs" (`/api/v2/status` `config.original`);
/// [`receiver_for`] implements its routing tree.
pub const CONFIG: &str = r#"global:
  resolve_timeout: 5m
route:
  receiver: ops-slack
  group_by:
  - alertname
  - service
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
  - receiver: deadmans-switch
    matchers:
    - alertname="Watchdog"
    repeat_interval: 1m
  - receiver: payments-pagerduty
    matchers:
    - team="payments"
    - severity="critical"
  - receiver: team-slack
    matchers:
    - team=~".+"
receivers:
- name: ops-slack
- name: deadmans-switch
- name: payments-pagerduty
- name: team-slack
templates: []
"#;

const RECEIVERS: [&str; 4] = [
    "ops-slack",
    "deadmans-switch",
    "payments-pagerduty",
    "team-slack",
];
const GROUP_BY: [&str; 2] = ["alertname", "service"];
/// Prometheus resends firing alerts every minute with `endsAt` four resend intervals ahead.
const RESEND: TimeDelta = TimeDelta::minutes(1);

/// First matching route of [`CONFIG`] (none has `continue: true`).
pub fn receiver_for(labels: &Labels) -> &'static str {
    let get = |k: &str| labels.get(k).map(String::as_str).unwrap_or("");
    if get("alertname") == "Watchdog" {
        "deadmans-switch"
    } else if get("team") == "payments" && get("severity") == "critical" {
        "payments-pagerduty"
    } else if !get("team").is_empty() {
        "team-slack"
    } else {
        "ops-slack"
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/v2/alerts", get(alerts))
        .route("/api/v2/alerts/groups", get(groups))
        .route("/api/v2/silences", get(silences::list).post(silences::post))
        .route(
            "/api/v2/silence/{id}",
            delete(silences::expire).get(silences::get_one),
        )
        .route("/api/v2/status", get(status))
        .route("/api/v2/receivers", get(receivers))
        .route("/-/ready", get(|| async { "OK" }))
        .route("/-/healthy", get(|| async { "OK" }))
        .with_state(shared)
}

pub(super) fn stamp(t: DateTime<Utc>) -> String {
    // go-openapi strfmt.DateTime: RFC3339 with milliseconds.
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Alertmanager's error bodies are JSON strings.
pub(super) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(message.into())).into_response()
}

// ---- wire shapes (v0.25 OpenAPI) ----

#[derive(Serialize)]
pub(super) struct Receiver {
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlertStatus {
    inhibited_by: Vec<String>,
    silenced_by: Vec<String>,
    state: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GettableAlert {
    annotations: Labels,
    ends_at: String,
    fingerprint: String,
    receivers: Vec<Receiver>,
    starts_at: String,
    status: AlertStatus,
    updated_at: String,
    #[serde(rename = "generatorURL", skip_serializing_if = "String::is_empty")]
    generator_url: String,
    labels: Labels,
}

#[derive(Serialize)]
struct AlertGroup {
    alerts: Vec<GettableAlert>,
    labels: Labels,
    receiver: Receiver,
}

// ---- alerts ----

/// The alerts Alertmanager holds now, with their silence status, sorted by fingerprint.
fn current_alerts(shared: &Shared) -> Vec<GettableAlert> {
    let clock = &shared.clock;
    let at = clock.offset();
    let now = clock.to_utc(at);
    let mut out: Vec<GettableAlert> = {
        let world = shared.world();
        world
            .firing_at(at)
            .iter()
            .map(|a| {
                let labels = a.alert.labels.clone();
                // Last resend from Prometheus, whole minutes after it fired.
                let resends = (at - a.fired_at).num_seconds() / RESEND.num_seconds();
                let updated = a.fired_at + RESEND * resends as i32;
                let generator_url = format!(
                    "{}/graph?g0.expr={}&g0.tab=1",
                    shared.prometheus_url,
                    url::form_urlencoded::byte_serialize(a.alert.expr.as_bytes())
                        .collect::<String>()
                );
                GettableAlert {
                    annotations: a.alert.annotations.clone(),
                    ends_at: stamp(clock.to_utc(updated + RESEND * 4)),
                    fingerprint: fingerprint(&labels),
                    receivers: vec![Receiver {
                        name: receiver_for(&labels).to_string(),
                    }],
                    starts_at: stamp(clock.to_utc(a.fired_at)),
                    status: AlertStatus {
                        inhibited_by: Vec::new(),
                        silenced_by: Vec::new(),
                        state: "active",
                    },
                    updated_at: stamp(clock.to_utc(updated)),
                    generator_url,
                    labels,
                }
            })
            .collect()
    };
    let silences = shared.silences();
    for alert in &mut out {
        alert.status.silenced_by = silences.silencing(&alert.labels, now);
        if !alert.status.silenced_by.is_empty() {
            alert.status.state = "suppressed";
        }
    }
    out.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
    out
}

/// `active`, `silenced`, `inhibited`, `unprocessed`, `filter`, `receiver`, as AM reads them.
struct AlertQuery {
    active: bool,
    silenced: bool,
    inhibited: bool,
    unprocessed: bool,
    filter: Vec<CompiledMatcher>,
    receiver: Option<Regex>,
}

impl AlertQuery {
    fn parse(raw: Option<String>) -> Result<AlertQuery, String> {
        let mut q = AlertQuery {
            active: true,
            silenced: true,
            inhibited: true,
            unprocessed: true,
            filter: Vec::new(),
            receiver: None,
        };
        for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let flag = || match value.as_ref() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                other => Err(format!("{key} in query must be of type boolean: {other:?}")),
            };
            match key.as_ref() {
                "active" => q.active = flag()?,
                "silenced" => q.silenced = flag()?,
                "inhibited" => q.inhibited = flag()?,
                "unprocessed" => q.unprocessed = flag()?,
                "filter" => q.filter.push(Matcher::parse(&value)?.compile()),
                "receiver" => {
                    let re = Regex::new(&format!("^(?:{value})$"))
                        .map_err(|e| format!("failed to parse receiver param: {e}"))?;
                    q.receiver = Some(re);
                }
                _ => {}
            }
        }
        Ok(q)
    }

    fn keeps(&self, a: &GettableAlert) -> bool {
        let state_ok = match a.status.state {
            "active" => self.active,
            "unprocessed" => self.unprocessed,
            _ => true,
        };
        state_ok
            && (self.silenced || a.status.silenced_by.is_empty())
            && (self.inhibited || a.status.inhibited_by.is_empty())
            && self.filter.iter().all(|m| m.matches(&a.labels))
            && self
                .receiver
                .as_ref()
                .is_none_or(|re| a.receivers.iter().any(|r| re.is_match(&r.name)))
    }
}

async fn alerts(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let query = match AlertQuery::parse(raw) {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let alerts: Vec<GettableAlert> = current_alerts(&shared)
        .into_iter()
        .filter(|a| query.keeps(a))
        .collect();
    Json(alerts).into_response()
}

async fn groups(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let query = match AlertQuery::parse(raw) {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    // (group labels, receiver) -> alerts; BTreeMap gives AM's order (labels, then receiver).
    let mut by_group: BTreeMap<(Labels, String), Vec<GettableAlert>> = BTreeMap::new();
    for alert in current_alerts(&shared) {
        if !query.keeps(&alert) {
            continue;
        }
        let key: Labels = GROUP_BY
            .iter()
            .filter_map(|k| alert.labels.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        let receiver = alert.receivers[0].name.clone();
        by_group.entry((key, receiver)).or_default().push(alert);
    }
    let groups: Vec<AlertGroup> = by_group
        .into_iter()
        .map(|((labels, receiver), alerts)| AlertGroup {
            alerts,
            labels,
            receiver: Receiver { name: receiver },
        })
        .collect();
    Json(groups).into_response()
}

async fn receivers() -> Json<Vec<Receiver>> {
    Json(
        RECEIVERS
            .iter()
            .map(|r| Receiver {
                name: r.to_string(),
            })
            .collect(),
    )
}

async fn status(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({
        "cluster": {"status": "disabled", "peers": []},
        "versionInfo": {
            "version": VERSION,
            "revision": "sitrep-demo",
            "branch": "HEAD",
            "buildUser": "sitrep",
            "buildDate": "n/a",
            "goVersion": "n/a",
        },
        "config": {"original": CONFIG},
        "uptime": stamp(shared.clock.launch()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn routing_follows_the_config() {
        assert_eq!(
            receiver_for(&labels(&[("alertname", "Watchdog")])),
            "deadmans-switch"
        );
        let crit = labels(&[("team", "payments"), ("severity", "critical")]);
        assert_eq!(receiver_for(&crit), "payments-pagerduty");
        assert_eq!(receiver_for(&labels(&[("team", "search")])), "team-slack");
        assert_eq!(receiver_for(&Labels::new()), "ops-slack");
        for r in RECEIVERS {
            assert!(CONFIG.contains(&format!("name: {r}")));
        }
    }
}
