//! `GET …/pods/{name}/log`: what the containers printed, as `text/plain`. checkout's v2.14.0
//! panics on its first order (a plausible Rust panic and backtrace, and a coloured warning:
//! an ANSI escape sequence a log view must neutralise); everything else prints access logs.
//! Honours `container`, `previous`, `tailLines`, `limitBytes`, `timestamps`, `sinceSeconds`.

use super::status::ApiError;
use crate::demo::clock::ScenarioClock;
use crate::demo::scenario::fnv64;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::Value;

#[derive(Debug, Default)]
pub struct LogQuery {
    pub container: Option<String>,
    pub previous: bool,
    pub tail_lines: Option<usize>,
    pub limit_bytes: Option<usize>,
    pub timestamps: bool,
    pub since_seconds: Option<i64>,
}

/// The log text of `pod` (its served JSON) now.
pub fn pod_log(pod: &Value, clock: &ScenarioClock, q: &LogQuery) -> Result<String, ApiError> {
    let name = pod["metadata"]["name"].as_str().unwrap_or("");
    let containers: Vec<&Value> = pod["spec"]["containers"]
        .as_array()
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    let names: Vec<&str> = containers
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let container = match &q.container {
        Some(c) if names.contains(&c.as_str()) => c.clone(),
        Some(c) => {
            return Err(ApiError::new(
                400,
                "BadRequest",
                format!("container {c} is not valid for pod {name}"),
            ));
        }
        None if names.len() == 1 => names[0].to_string(),
        None => {
            return Err(ApiError::new(
                400,
                "BadRequest",
                format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    names.join(" ")
                ),
            ));
        }
    };
    let status = pod["status"]["containerStatuses"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == container.as_str()))
        .cloned()
        .unwrap_or_default();
    let image = status["image"].as_str().unwrap_or("");
    let restarts = status["restartCount"].as_i64().unwrap_or(0);
    let crashing = status.pointer("/lastState/terminated").is_some();
    if status
        .pointer("/state/waiting/reason")
        .and_then(Value::as_str)
        == Some("ContainerCreating")
    {
        return Err(ApiError::new(
            400,
            "BadRequest",
            format!(
                "container \"{container}\" in pod \"{name}\" is waiting to start: ContainerCreating"
            ),
        ));
    }
    if q.previous && restarts == 0 {
        return Err(ApiError::new(
            400,
            "BadRequest",
            format!("previous terminated container \"{container}\" in pod \"{name}\" not found"),
        ));
    }
    let at = |field: &str| -> Option<DateTime<Utc>> {
        let text = status.pointer(field)?.as_str()?;
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    let now = clock.now();
    let lines: Vec<(DateTime<Utc>, String)> =
        if crashing || image.ends_with(":v2.14.0") && name.starts_with("checkout-") {
            // A crash-looping container shows its last run (the current one has not started).
            let start = at("/lastState/terminated/startedAt")
                .or_else(|| at("/state/running/startedAt"))
                .unwrap_or(now);
            crash_output(image, start, q.previous, restarts)
        } else {
            let start = at("/state/running/startedAt").unwrap_or(now - TimeDelta::minutes(10));
            access_log(name, start, now)
        };
    let since = q.since_seconds.map(|s| now - TimeDelta::seconds(s.max(0)));
    let mut out: Vec<String> = lines
        .into_iter()
        .filter(|(t, _)| since.is_none_or(|s| *t >= s))
        .map(|(t, l)| {
            if q.timestamps {
                format!("{} {l}\n", t.to_rfc3339_opts(SecondsFormat::Nanos, true))
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    if let Some(n) = q.tail_lines {
        let skip = out.len().saturating_sub(n);
        out.drain(..skip);
    }
    let mut text = out.concat();
    if let Some(limit) = q.limit_bytes
        && text.len() > limit
    {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    Ok(text)
}

fn crash_output(
    image: &str,
    start: DateTime<Utc>,
    previous: bool,
    restarts: i64,
) -> Vec<(DateTime<Utc>, String)> {
    let version = image.rsplit_once(':').map(|(_, v)| v).unwrap_or("unknown");
    let s = |ms: i64| start + TimeDelta::milliseconds(ms);
    // Each run fails on a different order id: `previous` differs from the latest run.
    let order = 48_213 + restarts - i64::from(previous);
    let json = |ms: i64, level: &str, msg: &str| {
        (
            s(ms),
            format!(
                "{{\"ts\":\"{}\",\"level\":\"{level}\",\"target\":\"checkout\",\"msg\":\"{msg}\"}}",
                s(ms).to_rfc3339_opts(SecondsFormat::Millis, true)
            ),
        )
    };
    vec![
        json(0, "INFO", &format!("checkout {version} starting (build 4f2a1c9, rustc 1.83.0)")),
        json(120, "INFO", "connected to postgres at checkout-postgres-0.checkout-postgres:5432 (pool 16)"),
        json(340, "INFO", "payment provider client ready: https://api.payments.example.com/v3"),
        (s(360), "\u{1b}[33mWARN\u{1b}[0m config key `payment.retry_ms` is deprecated, use `payment.retry`".to_string()),
        json(410, "INFO", "listening on 0.0.0.0:8080"),
        json(2_950, "INFO", &format!("POST /v1/orders order_id=ord_{order} amount=129.90 currency=EUR")),
        (s(3_010), "thread 'tokio-runtime-worker' panicked at src/payment/client.rs:214:37:".to_string()),
        (s(3_010), "called `Option::unwrap()` on a `None` value: PaymentProviderResponse has no `currency_code` (provider API v3 renamed it to `currency`)".to_string()),
        (s(3_011), "stack backtrace:".to_string()),
        (s(3_011), "   0: rust_begin_unwind".to_string()),
        (s(3_011), "   1: core::panicking::panic_fmt".to_string()),
        (s(3_011), "   2: core::panicking::panic".to_string()),
        (s(3_011), "   3: core::option::unwrap_failed".to_string()),
        (s(3_011), "   4: checkout::payment::client::PaymentClient::authorize::{{closure}}".to_string()),
        (s(3_011), "             at ./src/payment/client.rs:214:37".to_string()),
        (s(3_011), "   5: checkout::orders::place_order::{{closure}}".to_string()),
        (s(3_011), "             at ./src/orders/mod.rs:88:22".to_string()),
        (s(3_011), "   6: checkout::http::routes::create_order::{{closure}}".to_string()),
        (s(3_011), "             at ./src/http/routes.rs:141:9".to_string()),
        (s(3_011), "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.".to_string()),
        json(3_012, "ERROR", "worker panicked; shutting down (exit 101)"),
    ]
}

fn access_log(pod: &str, start: DateTime<Utc>, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, String)> {
    const PATHS: [&str; 5] = [
        "/healthz",
        "/v1/items",
        "/v1/items/8812",
        "/metrics",
        "/v1/search?q=shoes",
    ];
    let mut out = vec![(
        start,
        format!("{{\"level\":\"INFO\",\"msg\":\"listening on 0.0.0.0:8080\",\"pod\":\"{pod}\"}}"),
    )];
    // One request every ~3 s over the last ten minutes (bounded: the log is a tail anyway).
    let from = start.max(now - TimeDelta::minutes(10));
    let mut t = from + TimeDelta::seconds(1);
    let mut i = 0u64;
    while t <= now && i < 400 {
        let h = fnv64(&format!("{pod}{}", t.timestamp()));
        let path = PATHS[(h % PATHS.len() as u64) as usize];
        let status = if h.is_multiple_of(97) { 503 } else { 200 };
        out.push((t, format!(
            "10.1.{}.{} - - [{}] \"GET {path} HTTP/1.1\" {status} {} \"-\" \"kube-probe/1.33\" {}ms",
            (h >> 8) % 250, (h >> 16) % 250, t.format("%d/%b/%Y:%H:%M:%S +0000"), 120 + h % 4000, 1 + (h >> 24) % 40)));
        t += TimeDelta::seconds(2 + (h % 3) as i64);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn clock() -> ScenarioClock {
        ScenarioClock::frozen(Utc::now(), 1.0)
    }

    fn crashing() -> Value {
        json!({"metadata": {"name": "checkout-7d9f8b6c4-x2k9p"},
               "spec": {"containers": [{"name": "checkout"}]},
               "status": {"containerStatuses": [{"name": "checkout", "image": "r/checkout:v2.14.0", "restartCount": 5,
                 "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                 "lastState": {"terminated": {"exitCode": 101, "startedAt": "2025-01-01T00:00:00Z"}}}]}})
    }

    #[test]
    fn a_crashing_container_prints_its_panic_and_previous_works() {
        let c = clock();
        let q = LogQuery {
            previous: true,
            ..LogQuery::default()
        };
        let text = pod_log(&crashing(), &c, &q).unwrap();
        assert!(text.contains("panicked at src/payment/client.rs"));
        assert!(text.contains('\u{1b}'));
        let tail = pod_log(
            &crashing(),
            &c,
            &LogQuery {
                tail_lines: Some(2),
                ..LogQuery::default()
            },
        )
        .unwrap();
        assert_eq!(tail.lines().count(), 2);
        let cut = pod_log(
            &crashing(),
            &c,
            &LogQuery {
                limit_bytes: Some(10),
                ..LogQuery::default()
            },
        )
        .unwrap();
        assert_eq!(cut.len(), 10);
        let bad = pod_log(
            &crashing(),
            &c,
            &LogQuery {
                container: Some("x".into()),
                ..LogQuery::default()
            },
        );
        assert_eq!(bad.unwrap_err().code, 400);
    }

    #[test]
    fn a_healthy_pod_prints_access_logs_and_has_no_previous() {
        let pod = json!({"metadata": {"name": "cart-abc-x"}, "spec": {"containers": [{"name": "cart"}]},
            "status": {"containerStatuses": [{"name": "cart", "image": "r/cart:v5.3.1", "restartCount": 0,
              "state": {"running": {"startedAt": "2020-01-01T00:00:00Z"}}}]}});
        let c = clock();
        let text = pod_log(&pod, &c, &LogQuery::default()).unwrap();
        assert!(text.contains("HTTP/1.1"));
        let prev = pod_log(
            &pod,
            &c,
            &LogQuery {
                previous: true,
                ..LogQuery::default()
            },
        );
        assert!(
            prev.unwrap_err()
                .message
                .contains("previous terminated container")
        );
    }
}
