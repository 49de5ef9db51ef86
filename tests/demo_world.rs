//! The demo world over real HTTP on loopback: wire shapes against Alertmanager's v0.25 OpenAPI
//! spec, the state at launch, silences, and the script unfolding. Clocks are frozen and moved
//! by hand: no sleeps, no wall-clock assertions.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use sitrep::demo::{self, DemoWorld, ScenarioClock};
use sitrep::model::alert::{Labels, fingerprint};

#[path = "support/openapi.rs"]
mod openapi;

use openapi::{assert_matches, load_spec};

async fn frozen() -> DemoWorld {
    demo::start_with(ScenarioClock::frozen(Utc::now(), 1.0))
        .await
        .expect("demo starts")
}

async fn get(url: &str) -> (u16, Value) {
    let resp = reqwest::get(url).await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn send(method: reqwest::Method, url: &str, body: Option<Value>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut req = client.request(method, url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn alerts_named<'a>(alerts: &'a Value, name: &str) -> Vec<&'a Value> {
    alerts
        .as_array()
        .expect("array")
        .iter()
        .filter(|a| a["labels"]["alertname"] == name)
        .collect()
}

fn one<'a>(alerts: &'a Value, name: &str, service: &str) -> Option<&'a Value> {
    alerts_named(alerts, name)
        .into_iter()
        .find(|a| a["labels"]["service"] == service)
}

fn at(d: &DemoWorld, offset: TimeDelta) -> String {
    d.clock()
        .to_utc(offset)
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[tokio::test]
async fn alertmanager_json_matches_the_v025_spec() {
    let spec = load_spec();
    let d = frozen().await;
    // Some minutes in: more kinds of alerts, and an expired silence in the list too.
    d.clock().advance(TimeDelta::minutes(4));
    let am = &d.alertmanager_url;
    let silence = json!({
        "matchers": [{"name": "alertname", "value": "DiskSpaceLow", "isRegex": false, "isEqual": true}],
        "startsAt": at(&d, TimeDelta::minutes(4)), "endsAt": at(&d, TimeDelta::minutes(30)),
        "createdBy": "test", "comment": "spec check",
    });
    let (code, created) = send(
        reqwest::Method::POST,
        &format!("{am}/api/v2/silences"),
        Some(silence),
    )
    .await;
    assert_eq!(code, 200, "{created}");
    let id = created["silenceID"]
        .as_str()
        .expect("silenceID")
        .to_string();
    let (code, _) = send(
        reqwest::Method::DELETE,
        &format!("{am}/api/v2/silence/{id}"),
        None,
    )
    .await;
    assert_eq!(code, 200);

    let (code, alerts) = get(&format!("{am}/api/v2/alerts")).await;
    assert_eq!(code, 200);
    assert!(alerts.as_array().unwrap().len() >= 5, "{alerts}");
    assert_matches(&spec, "gettableAlerts", &alerts);
    for a in alerts.as_array().unwrap() {
        assert_matches(&spec, "gettableAlert", a);
    }
    let (_, groups) = get(&format!("{am}/api/v2/alerts/groups")).await;
    assert!(!groups.as_array().unwrap().is_empty());
    assert_matches(&spec, "alertGroups", &groups);
    assert_matches(&spec, "alertGroup", &groups[0]);
    let (_, silences) = get(&format!("{am}/api/v2/silences")).await;
    assert_eq!(silences.as_array().unwrap().len(), 2);
    assert_matches(&spec, "gettableSilences", &silences);
    let (_, one_silence) = get(&format!("{am}/api/v2/silence/{id}")).await;
    assert_matches(&spec, "gettableSilence", &one_silence);
    let (_, status) = get(&format!("{am}/api/v2/status")).await;
    assert_matches(&spec, "alertmanagerStatus", &status);
    assert_eq!(status["versionInfo"]["version"], "0.25.0 (sitrep demo)");
    assert!(
        status["config"]["original"]
            .as_str()
            .unwrap()
            .contains("group_by")
    );
    let (_, receivers) = get(&format!("{am}/api/v2/receivers")).await;
    for r in receivers.as_array().unwrap() {
        assert_matches(&spec, "receiver", r);
    }
    for path in ["/-/ready", "/-/healthy"] {
        assert_eq!(get(&format!("{am}{path}")).await.0, 200);
    }
    d.shutdown().await;
}

#[tokio::test]
async fn launch_state_is_the_incident_under_way() {
    let d = frozen().await;
    let am = &d.alertmanager_url;
    let (_, alerts) = get(&format!("{am}/api/v2/alerts")).await;

    let errors = one(&alerts, "HighErrorRate", "checkout").expect("HighErrorRate on checkout");
    assert_eq!(errors["labels"]["severity"], "critical");
    assert_eq!(errors["labels"]["namespace"], "checkout");
    assert_eq!(errors["labels"]["team"], "payments");
    assert_eq!(errors["annotations"]["runbook_url"], "high-error-rate.md");
    assert!(errors["annotations"]["summary"].is_string());
    assert!(errors["annotations"]["description"].is_string());
    assert_eq!(errors["status"]["state"], "active");
    assert_eq!(errors["startsAt"], at(&d, TimeDelta::seconds(-290)));
    assert_eq!(errors["receivers"], json!([{"name": "payments-pagerduty"}]));
    assert!(
        errors["generatorURL"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/graph?g0.expr=", d.prometheus_url))
    );
    let labels: Labels = serde_json::from_value(errors["labels"].clone()).unwrap();
    assert_eq!(errors["fingerprint"], fingerprint(&labels));

    let crash = one(&alerts, "KubePodCrashLooping", "checkout").expect("KubePodCrashLooping");
    assert_eq!(crash["labels"]["severity"], "warning");
    assert!(
        crash["labels"]["pod"]
            .as_str()
            .unwrap()
            .starts_with("checkout-")
    );
    assert_eq!(crash["status"]["state"], "active");

    let watchdog = &alerts_named(&alerts, "Watchdog")[0];
    assert_eq!(watchdog["status"]["state"], "active");

    let inventory = one(&alerts, "KubeHpaMaxedOut", "inventory").expect("inventory alert");
    assert_eq!(inventory["labels"]["severity"], "warning");
    assert_eq!(inventory["status"]["state"], "suppressed");
    let silenced_by = inventory["status"]["silencedBy"].as_array().unwrap();
    assert_eq!(silenced_by.len(), 1);
    let (_, silences) = get(&format!("{am}/api/v2/silences")).await;
    let silence = &silences[0];
    assert_eq!(&silence["id"], &silenced_by[0]);
    assert_eq!(silence["createdBy"], "alice");
    assert_eq!(silence["status"]["state"], "active");
    assert!(!silence["comment"].as_str().unwrap().is_empty());

    // Nothing else fires at launch: the healthy fleet is quiet.
    assert_eq!(alerts.as_array().unwrap().len(), 4, "{alerts}");
    assert!(
        one(&alerts, "HighLatency", "checkout").is_none(),
        "pending alerts stay in Prometheus"
    );

    // Query parameters, as Alertmanager reads them.
    let q = |params: &str| format!("{am}/api/v2/alerts?{params}");
    let (_, checkout) = get(&q("filter=service%3D%22checkout%22")).await;
    assert_eq!(checkout.as_array().unwrap().len(), 2);
    let (_, both) = get(&q(
        "filter=service%3D%22checkout%22&filter=severity%3Dcritical",
    ))
    .await;
    assert_eq!(both.as_array().unwrap().len(), 1);
    let (_, loud) = get(&q("silenced=false")).await;
    assert_eq!(loud.as_array().unwrap().len(), 3);
    let (_, quiet) = get(&q("active=false")).await;
    assert_eq!(quiet.as_array().unwrap().len(), 1);
    let (_, pager) = get(&q("receiver=payments-.*")).await;
    assert_eq!(pager.as_array().unwrap().len(), 1);
    assert_eq!(get(&q("active=maybe")).await.0, 400);
    assert_eq!(get(&q("filter=nonsense")).await.0, 400);

    // Grouped by alertname and service.
    let (_, groups) = get(&format!("{am}/api/v2/alerts/groups")).await;
    let group = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["labels"] == json!({"alertname": "HighErrorRate", "service": "checkout"}))
        .expect("HighErrorRate group");
    assert_eq!(group["receiver"]["name"], "payments-pagerduty");
    assert_eq!(group["alerts"].as_array().unwrap().len(), 1);

    // Prometheus: HighLatency on checkout is pending, the rest is firing.
    let prom = &d.prometheus_url;
    let (_, body) = get(&format!("{prom}/api/v1/alerts")).await;
    assert_eq!(body["status"], "success");
    let p = &body["data"]["alerts"];
    let latency = one(p, "HighLatency", "checkout").expect("HighLatency pending");
    assert_eq!(latency["state"], "pending");
    assert_eq!(
        latency["activeAt"]
            .as_str()
            .map(|s| s.parse::<DateTime<Utc>>().unwrap()),
        Some(d.clock().to_utc(TimeDelta::minutes(-1)))
    );
    assert!(latency["value"].as_str().unwrap().contains('e'));
    assert_eq!(
        one(p, "HighErrorRate", "checkout").unwrap()["state"],
        "firing"
    );
    assert_eq!(alerts_named(p, "Watchdog")[0]["state"], "firing");
    d.shutdown().await;
}

#[tokio::test]
async fn silences_round_trip_and_bad_ones_are_refused() {
    let d = frozen().await;
    let am = &d.alertmanager_url;
    let url = format!("{am}/api/v2/silences");
    let good = json!({
        "matchers": [
            {"name": "alertname", "value": "HighErrorRate", "isRegex": false, "isEqual": true},
            {"name": "service", "value": "check.*", "isRegex": true},
        ],
        "startsAt": at(&d, TimeDelta::minutes(-1)),
        "endsAt": at(&d, TimeDelta::hours(1)),
        "createdBy": "bob",
        "comment": "rolling back, stop paging",
    });
    let (code, body) = send(reqwest::Method::POST, &url, Some(good.clone())).await;
    assert_eq!(code, 200, "{body}");
    let id = body["silenceID"].as_str().unwrap().to_string();

    let (_, alerts) = get(&format!("{am}/api/v2/alerts")).await;
    let errors = one(&alerts, "HighErrorRate", "checkout").unwrap();
    assert_eq!(errors["status"]["state"], "suppressed");
    assert_eq!(errors["status"]["silencedBy"], json!([id]));
    let (_, silence) = get(&format!("{am}/api/v2/silence/{id}")).await;
    assert_eq!(silence["status"]["state"], "active");
    assert_eq!(silence["createdBy"], "bob");
    assert_eq!(
        silence["matchers"][1]["isEqual"], true,
        "isEqual defaults to true"
    );
    // Like AM, a start in the past becomes "now".
    assert_eq!(silence["startsAt"], at(&d, TimeDelta::zero()));
    let (_, filtered) = get(&format!("{url}?filter=alertname%3DHighErrorRate")).await;
    assert_eq!(filtered.as_array().unwrap().len(), 1);

    let (code, _) = send(
        reqwest::Method::DELETE,
        &format!("{am}/api/v2/silence/{id}"),
        None,
    )
    .await;
    assert_eq!(code, 200);
    let (_, silence) = get(&format!("{am}/api/v2/silence/{id}")).await;
    assert_eq!(silence["status"]["state"], "expired");
    let (_, alerts) = get(&format!("{am}/api/v2/alerts")).await;
    assert_eq!(
        one(&alerts, "HighErrorRate", "checkout").unwrap()["status"]["state"],
        "active"
    );
    let (code, body) = send(
        reqwest::Method::DELETE,
        &format!("{am}/api/v2/silence/{id}"),
        None,
    )
    .await;
    assert_eq!((code, body.is_string()), (500, true), "already expired");
    let unknown = format!("{am}/api/v2/silence/00000000-0000-4000-8000-000000000000");
    assert_eq!(send(reqwest::Method::DELETE, &unknown, None).await.0, 404);

    // Bad silences: 400 with a JSON string saying why.
    let bad = |edit: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        edit(&mut v);
        v
    };
    let cases = [
        bad(&|v| v["matchers"] = json!([])),
        bad(&|v| v["endsAt"] = v["startsAt"].clone()),
        bad(&|v| v["endsAt"] = json!(at(&d, TimeDelta::minutes(-2)))),
        bad(&|v| {
            v.as_object_mut().unwrap().remove("comment");
        }),
        bad(&|v| v["createdBy"] = json!("")),
        bad(&|v| v["matchers"] = json!([{"name": "a", "value": "(", "isRegex": true}])),
        json!("not a silence"),
    ];
    for case in cases {
        let (code, body) = send(reqwest::Method::POST, &url, Some(case.clone())).await;
        assert_eq!(code, 400, "{case}");
        assert!(
            body.as_str().is_some_and(|s| !s.is_empty()),
            "JSON string body: {body}"
        );
    }
    d.shutdown().await;
}

#[tokio::test]
async fn the_script_unfolds() {
    let d = frozen().await;
    let am = d.alertmanager_url.clone();
    let clock = d.clock().clone();
    // Scenario time -> what Alertmanager lists, no sleeping: move the frozen clock.
    let mut now = TimeDelta::zero();
    let mut at_time = async |t: TimeDelta| {
        clock.advance(t - now);
        now = t;
        get(&format!("{am}/api/v2/alerts")).await.1
    };
    let s = TimeDelta::seconds;
    let lag = |a: &Value| one(a, "KafkaConsumerLagHigh", "notifications").is_some();
    let recs = |a: &Value| one(a, "HighLatency", "recommendations").is_some();

    let a = at_time(s(59)).await;
    assert!(!lag(&a));
    let a = at_time(s(60)).await;
    assert!(lag(&a), "flapping alert fires at +1 min");
    let a = at_time(s(150)).await;
    assert!(!lag(&a), "and resolves");
    let a = at_time(s(179)).await;
    assert!(!recs(&a));
    let a = at_time(s(180)).await;
    assert!(recs(&a), "the second team's rollout hurts at +3 min");
    let a = at_time(s(240)).await;
    assert!(lag(&a), "flaps back at +4 min");
    let disk = one(&a, "DiskSpaceLow", "search").expect("DiskSpaceLow at +4 min");
    assert_eq!(disk["labels"]["severity"], "info");
    let a = at_time(s(300)).await;
    assert!(!lag(&a), "and resolves again");
    let a = at_time(s(360)).await;
    assert!(!recs(&a), "recommendations recovers at +6 min");
    let a = at_time(s(540)).await;
    assert_eq!(
        one(&a, "HighLatency", "checkout").map(|x| &x["labels"]["severity"]),
        Some(&json!("warning")),
        "left alone, checkout gets worse at +9 min"
    );
    // The second rollout is in the deploy history.
    let world = d.world();
    let rec = world.running("recommendations-prod", s(540)).unwrap();
    assert_eq!(
        (rec.version.as_str(), rec.at),
        ("v3.8.0", TimeDelta::minutes(2))
    );
    d.shutdown().await;
}

#[tokio::test]
async fn rollback_control_heals_checkout_a_minute_later() {
    let d = frozen().await;
    let am = &d.alertmanager_url;
    let prom = &d.prometheus_url;
    let checkout = |a: &Value| {
        a.as_array()
            .unwrap()
            .iter()
            .filter(|x| x["labels"]["service"] == "checkout")
            .count()
    };
    let control = |q: &str| format!("{am}/-/demo/rollback?{q}");
    assert_eq!(
        send(reqwest::Method::POST, &control("app=nope"), None)
            .await
            .0,
        404
    );
    assert_eq!(send(reqwest::Method::POST, &control(""), None).await.0, 400);

    d.clock().advance(TimeDelta::seconds(30));
    let (code, body) = send(
        reqwest::Method::POST,
        &control("app=checkout-prod&by=alice"),
        None,
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["fromVersion"], "v2.14.0");
    assert_eq!(body["toVersion"], "v2.13.2");
    assert_eq!(body["healsAt"], at(&d, TimeDelta::seconds(90)));
    let entry = d
        .world()
        .running("checkout-prod", TimeDelta::seconds(30))
        .cloned()
        .unwrap();
    assert_eq!((entry.author.as_str(), entry.id), ("alice", 4));

    d.clock().advance(TimeDelta::seconds(59));
    let (_, alerts) = get(&format!("{am}/api/v2/alerts")).await;
    assert_eq!(checkout(&alerts), 2, "still firing 59 s after the rollback");
    let (code, clock) = send(
        reqwest::Method::POST,
        &format!("{am}/-/demo/advance?by=1s"),
        None,
    )
    .await;
    assert_eq!((code, clock["offsetSeconds"].as_f64()), (200, Some(90.0)));
    let (_, alerts) = get(&format!("{am}/api/v2/alerts")).await;
    assert_eq!(
        checkout(&alerts),
        0,
        "resolved one scenario-minute after the rollback"
    );
    let (_, p) = get(&format!("{prom}/api/v1/alerts")).await;
    assert_eq!(
        checkout(&p["data"]["alerts"]),
        0,
        "pending HighLatency is gone too"
    );
    d.shutdown().await;
}

#[tokio::test]
async fn prometheus_series_rules_and_buildinfo() {
    let d = frozen().await;
    let prom = &d.prometheus_url;
    let (code, info) = get(&format!("{prom}/api/v1/status/buildinfo")).await;
    assert_eq!(
        (code, &info["data"]["version"]),
        (200, &json!("2.42.0 (sitrep demo)"))
    );
    assert_eq!(
        reqwest::get(format!("{prom}/-/ready"))
            .await
            .unwrap()
            .status(),
        200
    );

    let (_, rules) = get(&format!("{prom}/api/v1/rules?type=alert")).await;
    let groups = rules["data"]["groups"].as_array().unwrap();
    let all: Vec<&Value> = groups
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap())
        .collect();
    assert!(
        all.iter()
            .all(|r| r["type"] == "alerting" && r["health"] == "ok")
    );
    let find =
        |name: &str, state: &str| all.iter().any(|r| r["name"] == name && r["state"] == state);
    assert!(find("HighErrorRate", "firing"));
    assert!(
        find("HighLatency", "pending"),
        "checkout's own latency rule"
    );
    assert!(find("HighLatency", "inactive"), "recommendations' not yet");
    assert!(find("Watchdog", "firing"));
    assert_eq!(get(&format!("{prom}/api/v1/rules?type=bogus")).await.0, 400);

    // checkout's error ratio from 10 minutes before launch to launch, one point a minute.
    let launch = d.clock().launch().timestamp();
    let query = "sum(rate(http_requests_total{service=\"checkout\",code=~\"5..\"}[5m])) / sum(rate(http_requests_total{service=\"checkout\"}[5m]))";
    let url = reqwest::Url::parse_with_params(
        &format!("{prom}/api/v1/query_range"),
        &[
            ("query", query),
            ("start", &(launch - 600).to_string()),
            ("end", &launch.to_string()),
            ("step", "60"),
        ],
    )
    .unwrap();
    let (code, body) = get(url.as_str()).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["data"]["resultType"], "matrix");
    let series = &body["data"]["result"][0];
    assert_eq!(series["metric"]["service"], "checkout");
    let values = series["values"].as_array().unwrap();
    assert_eq!(values.len(), 11, "step honoured");
    let ts: Vec<f64> = values.iter().map(|v| v[0].as_f64().unwrap()).collect();
    assert!(ts.windows(2).all(|w| w[1] - w[0] == 60.0));
    assert_eq!(ts[0], (launch - 600) as f64);
    let v: Vec<f64> = values
        .iter()
        .map(|v| v[1].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(
        v[0] < 0.01 && v[3] < 0.01,
        "healthy before the deploy: {v:?}"
    );
    assert!(v[6] > 0.05 && v[10] > 0.05, "failing after it: {v:?}");
    // Deterministic: the same question, the same answer.
    assert_eq!(get(url.as_str()).await.1, body);

    let bad = format!("{prom}/api/v1/query_range?query=up&start={launch}&end={launch}&step=0");
    let (code, body) = get(&bad).await;
    assert_eq!(
        (code, &body["status"], &body["errorType"]),
        (400, &json!("error"), &json!("bad_data"))
    );
    let (code, _) = get(&format!(
        "{prom}/api/v1/query_range?query=up&start=1&end=100000000&step=1"
    ))
    .await;
    assert_eq!(code, 400, "too many points");
    d.shutdown().await;
}

#[tokio::test]
async fn start_binds_loopback_ports_and_shutdown_stops_them() {
    let d = demo::start(1.0).await.unwrap();
    assert!(d.alertmanager_url.starts_with("http://127.0.0.1:"));
    assert!(d.prometheus_url.starts_with("http://127.0.0.1:"));
    assert!(d.argocd_url.starts_with("http://127.0.0.1:"));
    assert_ne!(d.alertmanager_url, d.prometheus_url);
    assert_ne!(d.argocd_url, d.prometheus_url);
    let ready = format!("{}/-/ready", d.alertmanager_url);
    assert_eq!(reqwest::get(&ready).await.unwrap().status(), 200);
    d.shutdown().await;
    assert!(
        reqwest::get(&ready).await.is_err(),
        "nothing listens after shutdown"
    );

    let d = demo::start(1.0).await.unwrap();
    let ready = format!("{}/-/ready", d.prometheus_url);
    drop(d);
    tokio::task::yield_now().await;
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    assert!(
        client.get(&ready).send().await.is_err(),
        "dropping stops the servers"
    );
}
