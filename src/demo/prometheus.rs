//! An emulated Prometheus (HTTP API v1, as 2.42 answers it) over the demo world: the alerts
//! and rules of the script, and deterministic series for graphs.
//!
//! PromQL is not evaluated: a query is recognised by the metric it names (error ratio,
//! latency, disk, lag, …) and the `service="…"` it selects, and answered from the world's
//! signals. A trailing comparison (`> 0.05`) filters samples like PromQL would.

use super::Shared;
use super::scenario::{AlertAt, Phase, World};
use super::signals::SignalKind;
use crate::model::alert::Labels;
use axum::extract::{RawQuery, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use regex::Regex;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

pub const VERSION: &str = "2.42.0 (sitrep demo)";
/// Prometheus refuses range queries with more points than this per series.
const MAX_POINTS: i64 = 11_000;
const EVAL_INTERVAL_SECS: i64 = 15;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/v1/alerts", get(alerts))
        .route("/api/v1/rules", get(rules))
        .route("/api/v1/query_range", get(query_range).post(query_range))
        .route("/api/v1/query", get(query).post(query))
        .route("/api/v1/status/buildinfo", get(buildinfo))
        .route("/api/v1/alertmanagers", get(alertmanagers))
        .route(
            "/-/ready",
            get(|| async { "Prometheus Server is Ready.\n" }),
        )
        .route(
            "/-/healthy",
            get(|| async { "Prometheus Server is Healthy.\n" }),
        )
        .with_state(shared)
}

fn success(data: Value) -> Response {
    Json(json!({"status": "success", "data": data})).into_response()
}

fn bad_data(message: impl Into<String>) -> Response {
    let body = json!({"status": "error", "errorType": "bad_data", "error": message.into()});
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// Parameters from the query string and, for POST, a form body (Prometheus accepts both).
fn params(raw: Option<String>, body: &[u8]) -> HashMap<String, String> {
    let mut p: HashMap<String, String> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    p.extend(url::form_urlencoded::parse(body).into_owned());
    p
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Go's `strconv.FormatFloat(v, 'e', -1, 64)`, which Prometheus uses for alert values.
pub fn go_exp(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let s = format!("{v:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

/// Go's `strconv.FormatFloat(v, 'f', -1, 64)`, which Prometheus uses for sample values.
pub fn go_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{v}")
    }
}

fn alert_value(world: &World, a: &AlertAt<'_>, at: TimeDelta) -> f64 {
    a.alert
        .signal
        .as_ref()
        .map(|s| world.signal(a.alert.label("service"), s.kind, at))
        .unwrap_or(1.0)
}

fn alert_json(world: &World, shared: &Shared, a: &AlertAt<'_>, at: TimeDelta) -> Value {
    json!({
        "labels": a.alert.labels,
        "annotations": a.alert.annotations,
        "state": match a.phase { Phase::Pending => "pending", Phase::Firing => "firing" },
        "activeAt": rfc3339(shared.clock.to_utc(a.active_at)),
        "value": go_exp(alert_value(world, a, at)),
    })
}

async fn alerts(State(shared): State<Arc<Shared>>) -> Response {
    let at = shared.clock.offset();
    let world = shared.world();
    let alerts: Vec<Value> = world
        .alerts_at(at)
        .iter()
        .map(|a| alert_json(&world, &shared, a, at))
        .collect();
    success(json!({ "alerts": alerts }))
}

async fn rules(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw, b"");
    let want_alerting = match p.get("type").map(String::as_str) {
        None | Some("") | Some("alert") => true,
        // The demo has no recording rules.
        Some("record") => false,
        Some(other) => return bad_data(format!("unsupported type {other:?}")),
    };
    let at = shared.clock.offset();
    let world = shared.world();
    let eval_at =
        TimeDelta::seconds(at.num_seconds().div_euclid(EVAL_INTERVAL_SECS) * EVAL_INTERVAL_SECS);
    let last_eval = rfc3339(shared.clock.to_utc(eval_at));
    // Rules keep script order: one group per `group`, one rule per (alertname, expr).
    let mut groups: Vec<(String, String, Vec<Value>)> = Vec::new();
    let mut seen: Vec<(String, String, String)> = Vec::new();
    for alert in world.alerts.iter().filter(|_| want_alerting) {
        let key = (
            alert.group.clone(),
            alert.name().to_string(),
            alert.expr.clone(),
        );
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let members: Vec<AlertAt<'_>> = world
            .alerts
            .iter()
            .filter(|a| a.group == alert.group && a.name() == alert.name() && a.expr == alert.expr)
            .filter_map(|a| world.alert_at(a, at))
            .collect();
        let state = if members.iter().any(|a| a.phase == Phase::Firing) {
            "firing"
        } else if members.is_empty() {
            "inactive"
        } else {
            "pending"
        };
        let rule_labels: Labels = alert
            .labels
            .iter()
            .filter(|(k, _)| k.as_str() == "severity")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let rule = json!({
            "state": state,
            "name": alert.name(),
            "query": alert.expr,
            "duration": alert.hold.num_seconds(),
            "labels": rule_labels,
            "annotations": alert.annotations,
            "alerts": members.iter().map(|a| alert_json(&world, &shared, a, at)).collect::<Vec<_>>(),
            "health": "ok",
            "evaluationTime": 0.000_412,
            "lastEvaluation": last_eval,
            "type": "alerting",
        });
        match groups.iter_mut().find(|g| g.0 == alert.group) {
            Some(g) => g.2.push(rule),
            None => groups.push((alert.group.clone(), alert.file.clone(), vec![rule])),
        }
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(name, file, rules)| {
            json!({
                "name": name,
                "file": file,
                "rules": rules,
                "interval": EVAL_INTERVAL_SECS,
                "limit": 0,
                "evaluationTime": 0.001_07,
                "lastEvaluation": last_eval,
            })
        })
        .collect();
    success(json!({ "groups": groups }))
}

static SERVICE_SELECTOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:service|namespace)\s*=~?\s*"([^"]*)""#).expect("static regex")
});
static TRAILING_COMPARISON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(>=|<=|==|!=|>|<)\s*([0-9][0-9.eE+-]*)\s*$").expect("static regex")
});

/// What a query asks for: which signal, for which services, filtered how.
struct Plan {
    kind: Option<SignalKind>,
    services: Vec<Option<String>>,
    filter: Option<(String, f64)>,
}

fn plan(world: &World, query: &str) -> Plan {
    let q = query.to_ascii_lowercase();
    let kind = if q.contains("vector(") {
        Some(SignalKind::Constant)
    } else if q.contains("5..") || q.contains("error") {
        Some(SignalKind::ErrorRatio)
    } else if q.contains("duration_seconds") || q.contains("latency") || q.contains("quantile") {
        Some(SignalKind::LatencyP99)
    } else if q.contains("crashloop") || q.contains("waiting_reason") {
        Some(SignalKind::CrashLoop)
    } else if q.contains("filesystem") || q.contains("disk") {
        Some(SignalKind::DiskFree)
    } else if q.contains("lag") {
        Some(SignalKind::ConsumerLag)
    } else if q.contains("horizontalpodautoscaler") || q.contains("hpa") {
        Some(SignalKind::HpaSaturation)
    } else if q.trim_start().starts_with("up") {
        Some(SignalKind::Up)
    } else if q.contains("http_requests") || q.contains("rate(") {
        Some(SignalKind::RequestRate)
    } else {
        None
    };
    let services = match SERVICE_SELECTOR.captures(query) {
        Some(c) => {
            let name = &c[1];
            if world.service(name).is_some() {
                vec![Some(name.to_string())]
            } else {
                Vec::new()
            }
        }
        None if kind == Some(SignalKind::Constant) => vec![None],
        None => world
            .services
            .iter()
            .map(|s| Some(s.name.clone()))
            .collect(),
    };
    let filter = TRAILING_COMPARISON
        .captures(query)
        .and_then(|c| Some((c[1].to_string(), c[2].parse::<f64>().ok()?)));
    Plan {
        kind,
        services,
        filter,
    }
}

fn keep(filter: &Option<(String, f64)>, v: f64) -> bool {
    match filter {
        None => true,
        Some((op, x)) => match op.as_str() {
            ">" => v > *x,
            "<" => v < *x,
            ">=" => v >= *x,
            "<=" => v <= *x,
            "==" => v == *x,
            _ => v != *x,
        },
    }
}

fn metric(service: &Option<String>) -> Value {
    match service {
        Some(s) => json!({ "service": s }),
        None => json!({}),
    }
}

/// Prometheus time: RFC3339 or (fractional) Unix seconds.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(secs) = text.parse::<f64>() {
        return DateTime::from_timestamp_millis((secs * 1000.0).round() as i64);
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Prometheus step: seconds (fractional) or a duration like `15s`, `1m`, `1h30m`.
fn parse_step(text: &str) -> Option<TimeDelta> {
    if let Ok(secs) = text.parse::<f64>() {
        return secs
            .is_finite()
            .then(|| TimeDelta::milliseconds((secs * 1000.0).round() as i64));
    }
    humantime::parse_duration(text)
        .ok()
        .and_then(|d| TimeDelta::from_std(d).ok())
}

fn sample(t: DateTime<Utc>, v: f64) -> Value {
    json!([t.timestamp_millis() as f64 / 1000.0, go_float(v)])
}

async fn query_range(
    State(shared): State<Arc<Shared>>,
    method: Method,
    RawQuery(raw): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    let body: &[u8] = if method == Method::POST { &body } else { b"" };
    let p = params(raw, body);
    let Some(query) = p.get("query").filter(|q| !q.trim().is_empty()) else {
        return bad_data(
            "invalid parameter \"query\": 1:1: parse error: no expression found in input",
        );
    };
    let time = |name: &str| p.get(name).and_then(|t| parse_time(t));
    let (Some(start), Some(end)) = (time("start"), time("end")) else {
        return bad_data("invalid parameter \"start\"/\"end\": cannot parse to a valid timestamp");
    };
    if end < start {
        return bad_data("invalid parameter \"end\": end timestamp must not be before start time");
    }
    let Some(step) = p.get("step").and_then(|s| parse_step(s)) else {
        return bad_data("invalid parameter \"step\": cannot parse to a valid duration");
    };
    if step <= TimeDelta::zero() {
        return bad_data(
            "zero or negative query resolution step widths are not accepted. Try a positive integer",
        );
    }
    if (end - start).num_milliseconds() / step.num_milliseconds() >= MAX_POINTS {
        return bad_data(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        );
    }
    let clock = &shared.clock;
    let now = clock.offset();
    let world = shared.world();
    let plan = plan(&world, query);
    let mut result = Vec::new();
    if let Some(kind) = plan.kind {
        for service in &plan.services {
            let mut values = Vec::new();
            let mut t = start;
            while t <= end {
                let at = clock.offset_of(t);
                // No samples from the future.
                if at > now {
                    break;
                }
                let v = world.signal(service.as_deref(), kind, at);
                if keep(&plan.filter, v) {
                    values.push(sample(t, v));
                }
                t += step;
            }
            if !values.is_empty() {
                result.push(json!({ "metric": metric(service), "values": values }));
            }
        }
    }
    success(json!({ "resultType": "matrix", "result": result }))
}

async fn query(
    State(shared): State<Arc<Shared>>,
    method: Method,
    RawQuery(raw): RawQuery,
    body: axum::body::Bytes,
) -> Response {
    let body: &[u8] = if method == Method::POST { &body } else { b"" };
    let p = params(raw, body);
    let Some(query) = p.get("query").filter(|q| !q.trim().is_empty()) else {
        return bad_data(
            "invalid parameter \"query\": 1:1: parse error: no expression found in input",
        );
    };
    let clock = &shared.clock;
    let t = match p.get("time") {
        Some(text) => match parse_time(text) {
            Some(t) => t,
            None => {
                return bad_data("invalid parameter \"time\": cannot parse to a valid timestamp");
            }
        },
        None => clock.now(),
    };
    let at = clock.offset_of(t).min(clock.offset());
    let world = shared.world();
    let plan = plan(&world, query);
    let mut result = Vec::new();
    if let Some(kind) = plan.kind {
        for service in &plan.services {
            let v = world.signal(service.as_deref(), kind, at);
            if keep(&plan.filter, v) {
                result.push(json!({ "metric": metric(service), "value": sample(t, v) }));
            }
        }
    }
    success(json!({ "resultType": "vector", "result": result }))
}

/// The demo Prometheus sends its alerts to the demo Alertmanager.
async fn alertmanagers(State(shared): State<Arc<Shared>>) -> Response {
    let url = format!("{}/api/v2/alerts", shared.alertmanager_url);
    success(json!({
        "activeAlertmanagers": [{ "url": url }],
        "droppedAlertmanagers": [],
    }))
}

async fn buildinfo() -> Response {
    success(json!({
        "version": VERSION,
        "revision": "sitrep-demo",
        "branch": "HEAD",
        "buildUser": "sitrep",
        "buildDate": "n/a",
        "goVersion": "n/a",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_number_formats() {
        assert_eq!(go_exp(1.0), "1e+00");
        assert_eq!(go_exp(0.042), "4.2e-02");
        assert_eq!(go_exp(25000.0), "2.5e+04");
        assert_eq!(go_exp(1.5e-100), "1.5e-100");
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(0.125), "0.125");
        assert_eq!(go_float(f64::NAN), "NaN");
    }

    #[test]
    fn queries_are_recognised() {
        let world = World::demo();
        let p = plan(&world, &super::super::script::error_ratio_expr("checkout"));
        assert_eq!(p.kind, Some(SignalKind::ErrorRatio));
        assert_eq!(p.services, vec![Some("checkout".to_string())]);
        assert_eq!(p.filter, Some((">".to_string(), 0.05)));
        let p = plan(&world, "sum by (service) (rate(http_requests_total[5m]))");
        assert_eq!(p.kind, Some(SignalKind::RequestRate));
        assert_eq!(p.services.len(), world.services.len());
        assert!(plan(&world, "up{service=\"nope\"}").services.is_empty());
        assert_eq!(plan(&world, "vector(1)").services, vec![None]);
        assert_eq!(plan(&world, "some_unknown_metric").kind, None);
    }

    #[test]
    fn times_and_steps_parse_like_prometheus() {
        assert_eq!(
            parse_time("1700000000.5").unwrap().timestamp_millis(),
            1_700_000_000_500
        );
        assert!(parse_time("2026-01-01T00:00:00Z").is_some());
        assert!(parse_time("yesterday").is_none());
        assert_eq!(parse_step("15").unwrap(), TimeDelta::seconds(15));
        assert_eq!(parse_step("1m").unwrap(), TimeDelta::minutes(1));
        assert_eq!(parse_step("0.5").unwrap(), TimeDelta::milliseconds(500));
    }
}
