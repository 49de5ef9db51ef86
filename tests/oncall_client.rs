//! The on-call source against the demo world's emulated PagerDuty (the same client code as
//! production, on loopback), against scripted servers for paging, refusals, rate limits,
//! broken and hostile answers, and against a small Opsgenie mock.

mod common;

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use common::{Reply, json_reply, reply, scripted_server};
use serde_json::{Value, json};
use sitrep::config::source::{Secret, SourceSpec};
use sitrep::demo::{self, DEMO_PAGERDUTY_TOKEN, DemoWorld, ScenarioClock, people};
use sitrep::model::oncall::{OnCallSnapshot, Provider};
use sitrep::model::source::SourceKind;
use sitrep::msg::{Msg, SourcePayload};
use sitrep::sources::oncall::config::{OnCallOptions, auth_for, demo_source};
use sitrep::sources::oncall::{MAX_NAME_CHARS, OnCallClient, PagerDutyClient};
use sitrep::sources::{
    ErrorKind, HttpOptions, SourceError, check_source, fetch_all_once, spawn_sources,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use url::Url;

const PD_KEY: &str = "pd-test-key-0123456789";
const OG_KEY: &str = "og-test-key-0123456789";

fn oncall_spec(provider: Provider, url: &str, key: &str, key_env: &str) -> SourceSpec {
    let mut spec = SourceSpec::new(
        provider.word(),
        SourceKind::OnCall,
        Url::parse(url).unwrap(),
        "test",
    );
    spec.timeout = Duration::from_secs(10);
    spec.auth = auth_for(provider, Secret::new(key));
    spec.oncall = Some(OnCallOptions {
        provider,
        key_from: format!("token_env {key_env}"),
    });
    spec
}

fn pd_spec(url: &str, key: &str) -> SourceSpec {
    oncall_spec(Provider::PagerDuty, url, key, "PAGERDUTY_TOKEN")
}

async fn demo() -> (DemoWorld, SourceSpec) {
    let d = demo::start_with(ScenarioClock::frozen(Utc::now(), 1.0))
        .await
        .expect("demo starts");
    let spec = pd_spec(&d.pagerduty_url, DEMO_PAGERDUTY_TOKEN);
    assert_eq!(
        demo_source(&d.pagerduty_url, DEMO_PAGERDUTY_TOKEN)
            .unwrap()
            .auth,
        spec.auth,
        "the demo's own source uses the demo's key"
    );
    (d, spec)
}

async fn snapshot(spec: &SourceSpec) -> Result<OnCallSnapshot, SourceError> {
    OnCallClient::new(spec)
        .expect("client")
        .snapshot(spec.timeout)
        .await
}

fn names(list: Option<&[sitrep::model::oncall::OnCall]>) -> Vec<String> {
    list.unwrap_or_default()
        .iter()
        .map(|o| o.name.clone())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The demo world's PagerDuty.

#[tokio::test]
async fn checkout_pages_payments_priya_first() {
    let (d, spec) = demo().await;
    let snap = snapshot(&spec).await.expect("snapshot");
    assert_eq!(snap.provider, Some(Provider::PagerDuty));
    let world = d.world();
    assert_eq!(snap.service_policy.len(), world.teams.len());

    let team = &world.service("checkout").expect("checkout").team;
    assert_eq!(team, "payments");
    let who = snap
        .for_service(&people::pagerduty_service_id(team))
        .expect("payments' service is known");
    assert_eq!(who.len(), 2, "{who:?}");
    assert_eq!(who[0].name, "Priya Shah");
    assert_eq!(who[0].level, Some(1));
    assert_eq!(who[0].schedule.as_deref(), Some("payments-primary"));
    assert_eq!(who[1].name, "Marco Rossi");
    assert_eq!(who[1].level, Some(2));
    assert_eq!(who[1].schedule.as_deref(), Some("payments-secondary"));
    let now = d.clock().now();
    assert!(who[0].until.is_some_and(|t| t > now), "{:?}", who[0].until);
    assert!(
        who[0]
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://acme.pagerduty.com/users/")),
        "{:?}",
        who[0].url
    );
    assert_eq!(
        names(snap.for_schedule(&people::rotation("storefront"))),
        ["Sam Okafor"]
    );
    assert_eq!(names(snap.for_schedule("PAYMENTS-PRIMARY")), ["Priya Shah"]);
    assert!(snap.for_service("PNOSUCH").is_none());
}

#[tokio::test]
async fn small_pages_read_the_same_whole() {
    let (_d, spec) = demo().await;
    let whole = snapshot(&spec).await.unwrap();
    let client = PagerDutyClient::new(&spec, &HttpOptions::default())
        .unwrap()
        .with_page_limit(2);
    assert_eq!(client.snapshot().await.unwrap(), whole);
}

/// The emulator itself: one service, filters, paging fields, the media type, the 404 body.
#[tokio::test]
async fn emulator_speaks_pagerduty() {
    let (d, _spec) = demo().await;
    let http = reqwest::Client::new();
    let get = |path: &str| {
        http.get(format!("{}{path}", d.pagerduty_url))
            .header(
                "Authorization",
                format!("Token token={DEMO_PAGERDUTY_TOKEN}"),
            )
            .header("Accept", "application/vnd.pagerduty+json;version=2")
    };
    let id = people::pagerduty_service_id("payments");
    let one: Value = get(&format!("/services/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["service"]["id"], id);
    assert_eq!(one["service"]["type"], "service");
    assert_eq!(one["service"]["name"], "payments");
    assert_eq!(
        one["service"]["escalation_policy"]["id"],
        people::pagerduty_policy_id("payments")
    );
    assert_eq!(
        one["service"]["escalation_policy"]["type"],
        "escalation_policy_reference"
    );

    let missing = get("/services/PNOSUCH").send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Not Found");

    let policy = people::pagerduty_policy_id("payments");
    let page: Value = get(&format!(
        "/oncalls?earliest=true&escalation_policy_ids[]={policy}&limit=1&total=true"
    ))
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(page["total"], 2);
    assert_eq!(page["more"], true);
    assert_eq!(page["limit"], 1);
    let first = &page["oncalls"][0];
    assert_eq!(first["user"]["type"], "user_reference");
    assert_eq!(first["user"]["summary"], "Priya Shah");
    assert_eq!(first["schedule"]["summary"], "payments-primary");
    assert_eq!(first["escalation_level"], 1);
    let page2: Value = get(&format!(
        "/oncalls?earliest=true&escalation_policy_ids[]={policy}&limit=1&offset=1"
    ))
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(page2["more"], false);
    assert_eq!(page2["total"], Value::Null);
    assert_eq!(page2["oncalls"][0]["user"]["summary"], "Marco Rossi");

    let bad_offset = get("/oncalls?offset=x").send().await.unwrap();
    assert_eq!(bad_offset.status(), 400);
    let body: Value = bad_offset.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Invalid Input Provided");

    let wrong_type = http
        .get(format!("{}/oncalls", d.pagerduty_url))
        .header(
            "Authorization",
            format!("Token token={DEMO_PAGERDUTY_TOKEN}"),
        )
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 406);

    let no_key = http
        .get(format!("{}/services", d.pagerduty_url))
        .send()
        .await
        .unwrap();
    assert_eq!(no_key.status(), 401);
    let body: Value = no_key.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": {"message": "Unauthorized", "code": 2006}})
    );
}

#[tokio::test]
async fn check_fetch_and_the_live_task_report_the_snapshot() {
    let (d, mut spec) = demo().await;
    let teams = d.world().teams.len();

    let report = check_source(&spec).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.authenticated, Some(true));
    assert_eq!(
        report.detail.as_deref(),
        Some(format!("{teams} services, {} on-call entries", teams * 2).as_str())
    );

    let results = fetch_all_once(vec![spec.clone()]).await;
    assert!(results[0].ok(), "{:?}", results[0].error);
    assert!(
        matches!(&results[0].payload, Some(SourcePayload::OnCall(s)) if s.by_policy.len() == teams)
    );

    spec.poll_interval = Duration::from_millis(200);
    let (tx, mut rx) = mpsc::channel(8);
    let handles = spawn_sources(vec![spec], tx);
    for _ in 0..2 {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(Msg::Source(u))) => {
                assert_eq!(u.source, "pagerduty");
                assert!(
                    matches!(&u.payload, SourcePayload::OnCall(s) if s.service_policy.len() == teams),
                    "{:?}",
                    u.payload
                );
            }
            other => panic!("expected an on-call update, got {other:?}"),
        }
    }
    handles.shutdown();
}

#[tokio::test]
async fn a_refused_key_names_where_it_came_from_never_the_key() {
    let (d, _) = demo().await;
    let spec = pd_spec(&d.pagerduty_url, "wrong-key-do-not-print");
    let e = snapshot(&spec).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert!(e.message.contains("refused"), "{e}");
    assert!(e.message.contains("token_env PAGERDUTY_TOKEN"), "{e}");
    assert!(!e.message.contains("wrong-key-do-not-print"), "{e}");

    let report = check_source(&spec).await;
    assert_eq!(report.authenticated, Some(false));
    assert!(report.reachable);
    let error = report.error.unwrap();
    assert!(error.contains("PAGERDUTY_TOKEN"), "{error}");
    assert!(!error.contains("wrong-key-do-not-print"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// Scripted PagerDuty servers.

fn pd_body(key: &str, items: Vec<Value>, more: bool) -> Reply {
    json_reply(&json!({key: items, "limit": 2, "offset": 0, "more": more, "total": null}))
}

fn query_of(target: &str) -> Vec<(String, String)> {
    Url::parse(&format!("http://x{target}"))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn param(target: &str, key: &str) -> Option<String> {
    query_of(target)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

fn service_item(i: usize) -> Value {
    json!({"id": format!("PS{i}"), "type": "service", "escalation_policy": {"id": format!("PE{i}"), "type": "escalation_policy_reference"}})
}

fn oncall_item(i: usize, name: &str) -> Value {
    json!({
        "user": {"id": format!("PU{i}"), "type": "user_reference", "summary": name, "html_url": format!("https://acme.pagerduty.com/users/PU{i}")},
        "schedule": {"id": format!("PC{i}"), "summary": format!("rota-{i}")},
        "escalation_policy": {"id": format!("PE{i}")},
        "escalation_level": 1,
        "start": "2025-01-06T09:00:00Z",
        "end": "2025-01-13T09:00:00Z",
    })
}

/// Five items in pages of at most two, whatever `limit` asks: the offsets must be 0, 2, 4.
fn paged(target: &str, key: &str, item: impl Fn(usize) -> Value) -> Reply {
    let offset: usize = param(target, "offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let items: Vec<Value> = (offset..5.min(offset + 2)).map(item).collect();
    pd_body(key, items, offset + 2 < 5)
}

#[tokio::test]
async fn pages_follow_offsets_until_more_is_false() {
    let server = scripted_server(|req| {
        if req.target.starts_with("/services") {
            paged(&req.target, "services", service_item)
        } else {
            paged(&req.target, "oncalls", |i| {
                oncall_item(i, &format!("User {i}"))
            })
        }
    })
    .await;
    let spec = pd_spec(server.url.as_str(), PD_KEY);

    // Asking for pages of two.
    let client = PagerDutyClient::new(&spec, &HttpOptions::default())
        .unwrap()
        .with_page_limit(2);
    let snap = client.snapshot().await.unwrap();
    assert_eq!(snap.service_policy.len(), 5);
    assert_eq!(snap.by_policy.len(), 5);
    let seen = server.requests.lock().unwrap().clone();
    for path in ["/services", "/oncalls"] {
        let offsets: Vec<String> = seen
            .iter()
            .filter(|r| r.target.starts_with(path))
            .map(|r| {
                assert_eq!(
                    param(&r.target, "limit").as_deref(),
                    Some("2"),
                    "{}",
                    r.target
                );
                assert!(
                    r.headers
                        .contains("application/vnd.pagerduty+json;version=2"),
                    "{}",
                    r.headers
                );
                assert!(r.headers.contains(&format!("Token token={PD_KEY}")));
                param(&r.target, "offset").unwrap_or_default()
            })
            .collect();
        assert_eq!(offsets, ["0", "2", "4"], "{path}");
    }
    assert!(
        seen.iter()
            .filter(|r| r.target.starts_with("/oncalls"))
            .all(|r| param(&r.target, "earliest").as_deref() == Some("true"))
    );

    // Asking for 100, answered two at a time: the same offsets.
    server.requests.lock().unwrap().clear();
    let again = snapshot(&spec).await.unwrap();
    assert_eq!(again, snap);
    let offsets: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.target.starts_with("/oncalls"))
        .map(|r| param(&r.target, "offset").unwrap_or_default())
        .collect();
    assert_eq!(offsets, ["0", "2", "4"]);
}

#[tokio::test]
async fn rate_limited_says_so() {
    let server = scripted_server(|_| {
        reply(
            429,
            "application/json",
            r#"{"error":{"message":"Rate Limit Exceeded","code":2020}}"#,
        )
    })
    .await;
    let spec = pd_spec(server.url.as_str(), PD_KEY);
    let e = snapshot(&spec).await.unwrap_err();
    assert_eq!(e.status, Some(429));
    assert!(e.message.contains("rate limited"), "{e}");

    // The live task reports it (and then backs off).
    let (tx, mut rx) = mpsc::channel(8);
    let handles = spawn_sources(vec![spec], tx);
    match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
        Ok(Some(Msg::Source(u))) => {
            assert!(
                matches!(&u.payload, SourcePayload::Error(m) if m.contains("rate limited")),
                "{:?}",
                u.payload
            );
        }
        other => panic!("expected an error update, got {other:?}"),
    }
    handles.shutdown();
}

#[tokio::test]
async fn a_server_that_dies_on_page_two_gives_an_error_not_half_a_snapshot() {
    let server = scripted_server(|req| {
        let offset = param(&req.target, "offset").unwrap_or_default();
        match (req.target.starts_with("/services"), offset.as_str()) {
            (true, _) => pd_body("services", vec![service_item(1)], false),
            (false, "0") => pd_body(
                "oncalls",
                vec![oncall_item(1, "A"), oncall_item(2, "B")],
                true,
            ),
            // The connection closes without an answer.
            _ => Reply::Raw(Vec::new()),
        }
    })
    .await;
    let spec = pd_spec(server.url.as_str(), PD_KEY);
    let result = snapshot(&spec).await;
    assert!(result.is_err(), "{result:?}");

    let results = fetch_all_once(vec![spec]).await;
    assert!(results[0].error.is_some());
    assert!(results[0].payload.is_none());
}

#[tokio::test]
async fn a_hanging_server_times_out() {
    let server = scripted_server(|_| Reply::Hang).await;
    let mut spec = pd_spec(server.url.as_str(), PD_KEY);
    spec.timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let e = snapshot(&spec).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn not_pagerduty_is_an_error() {
    let server =
        scripted_server(|_| reply(200, "text/html", "<html><body>Sign in</body></html>")).await;
    let e = snapshot(&pd_spec(server.url.as_str(), PD_KEY))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotJson, "{e}");

    let server = scripted_server(|_| json_reply(&json!({"items": []}))).await;
    let e = snapshot(&pd_spec(server.url.as_str(), PD_KEY))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidJson, "{e}");
}

#[tokio::test]
async fn hostile_names_are_cleaned_and_capped() {
    let huge = "A".repeat(100 * 1024);
    let hostile = "\u{1b}[2J\u{1b}]8;;https://evil.example\u{7}Mallory\u{202e}\r\nX\u{9b}31m";
    let items = vec![
        json!({
            "user": {"summary": hostile, "html_url": "javascript:alert(1)", "email": "m\u{1b}[0m@x.io"},
            "schedule": {"summary": format!("Night\u{1b}[31m-{huge}")},
            "escalation_policy": {"id": "PE1\u{1b}[0m"},
            "escalation_level": 1,
            "end": "not a time",
        }),
        json!({
            "user": {"summary": huge, "html_url": "https://acme.pagerduty.com/users/P2"},
            "schedule": null,
            "escalation_policy": {"id": "PE1"},
            "escalation_level": 2,
        }),
    ];
    let server = scripted_server(move |req| {
        if req.target.starts_with("/services") {
            pd_body("services", vec![service_item(1)], false)
        } else {
            pd_body("oncalls", items.clone(), false)
        }
    })
    .await;
    let snap = snapshot(&pd_spec(server.url.as_str(), PD_KEY))
        .await
        .unwrap();
    let clean = |s: &str| {
        !s.chars()
            .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c))
    };
    let all: Vec<_> = snap.by_policy.values().flatten().collect();
    assert_eq!(all.len(), 2);
    for o in &all {
        assert!(clean(&o.name), "{:?}", o.name);
        assert!(
            o.name.chars().count() <= MAX_NAME_CHARS + 10,
            "{}",
            o.name.len()
        );
        for s in [&o.schedule, &o.email, &o.url].into_iter().flatten() {
            assert!(clean(s), "{s:?}");
            assert!(s.chars().count() <= MAX_NAME_CHARS + 10);
        }
    }
    for key in snap.by_policy.keys().chain(snap.by_schedule.keys()) {
        assert!(clean(key), "{key:?}");
        assert!(key.chars().count() <= MAX_NAME_CHARS + 10);
    }
    let mallory = all.iter().find(|o| o.name.contains("Mallory")).unwrap();
    assert_eq!(mallory.url, None, "javascript: links are dropped");
    assert_eq!(mallory.until, None);
    let long = all.iter().find(|o| o.level == Some(2)).unwrap();
    assert_eq!(
        long.url.as_deref(),
        Some("https://acme.pagerduty.com/users/P2")
    );
}

// ---------------------------------------------------------------------------------------------
// Opsgenie.

/// Ten schedules over two list pages (one disabled, one deleted before its on-calls are
/// read), each answering after a short wait so that concurrency shows.
#[derive(Default)]
struct OpsgenieMock {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    on_call_requests: AtomicUsize,
}

fn opsgenie_router(mock: Arc<OpsgenieMock>) -> Router {
    fn refused(headers: &HeaderMap) -> Option<Response> {
        let ok = headers.get("authorization").and_then(|v| v.to_str().ok())
            == Some(&format!("GenieKey {OG_KEY}"));
        (!ok).then(|| {
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({"message": "Could not authenticate", "took": 0.0, "requestId": "r1"})),
            )
                .into_response()
        })
    }
    let schedule = |i: usize| {
        json!({
            "id": format!("sched-{i}"),
            "name": format!("Team{} Rota {i}", i % 3),
            "timezone": "Europe/Berlin",
            "enabled": i != 7,
            "ownerTeam": {"id": format!("team-{}", i % 3), "name": format!("Team{}", i % 3)},
        })
    };
    let list = move |headers: HeaderMap, RawQuery(raw): RawQuery| async move {
        if let Some(r) = refused(&headers) {
            return r;
        }
        let second = raw.unwrap_or_default().contains("offset=5");
        let (range, paging) = if second {
            (
                5..10,
                json!({"first": "https://api.opsgenie.com/v2/schedules?offset=0&limit=5"}),
            )
        } else {
            (
                0..5,
                json!({"next": "https://api.opsgenie.com/v2/schedules?offset=5&limit=5"}),
            )
        };
        let data: Vec<Value> = range.map(schedule).collect();
        Json(json!({"data": data, "paging": paging, "took": 0.01, "requestId": "r2"}))
            .into_response()
    };
    let on_calls = move |headers: HeaderMap, Path(id): Path<String>, RawQuery(raw): RawQuery| {
        let mock = mock.clone();
        async move {
            if let Some(r) = refused(&headers) {
                return r;
            }
            let raw = raw.unwrap_or_default();
            assert!(raw.contains("flat=true"), "{raw}");
            assert!(raw.contains("scheduleIdentifierType=id"), "{raw}");
            mock.on_call_requests.fetch_add(1, Ordering::SeqCst);
            let now = mock.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            mock.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(40)).await;
            mock.in_flight.fetch_sub(1, Ordering::SeqCst);
            if id == "sched-9" {
                return (
                    StatusCode::NOT_FOUND,
                    Json(json!({"message": "Schedule not found", "took": 0.0, "requestId": "r3"})),
                )
                    .into_response();
            }
            let i: usize = id.trim_start_matches("sched-").parse().unwrap_or(0);
            Json(json!({
                "data": {
                    "_parent": {"id": id, "name": format!("Team{} Rota {i}", i % 3), "enabled": true},
                    "onCallRecipients": [format!("user{i}@example.com")],
                },
                "took": 0.02,
                "requestId": "r4",
            }))
            .into_response()
        }
    };
    Router::new()
        .route("/v2/schedules", get(list))
        .route("/v2/schedules/{id}/on-calls", get(on_calls))
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    url
}

#[tokio::test]
async fn opsgenie_schedules_and_teams_from_flat_on_calls() {
    let mock = Arc::new(OpsgenieMock::default());
    let url = serve(opsgenie_router(mock.clone())).await;
    let spec = oncall_spec(Provider::Opsgenie, &url, OG_KEY, "OPSGENIE_API_KEY");
    let snap = snapshot(&spec).await.expect("snapshot");
    assert_eq!(snap.provider, Some(Provider::Opsgenie));

    // Ten listed, one disabled (never asked), one gone (404, left out).
    assert_eq!(mock.on_call_requests.load(Ordering::SeqCst), 9);
    let max = mock.max_in_flight.load(Ordering::SeqCst);
    assert!((2..=4).contains(&max), "{max} requests in flight at once");
    assert_eq!(snap.by_schedule.len(), 8);
    assert!(snap.for_schedule("team1 rota 7").is_none(), "disabled");
    assert!(snap.for_schedule("team0 rota 9").is_none(), "deleted");

    let rota4 = snap.for_schedule("Team1 Rota 4").unwrap();
    assert_eq!(rota4.len(), 1);
    assert_eq!(rota4[0].name, "user4@example.com");
    assert_eq!(rota4[0].email.as_deref(), Some("user4@example.com"));
    assert_eq!(rota4[0].schedule.as_deref(), Some("Team1 Rota 4"));
    assert_eq!(rota4[0].level, None);

    // Team1 owns schedules 1, 4 and 7 (disabled).
    assert_eq!(
        names(snap.for_team("team1")),
        ["user1@example.com", "user4@example.com"]
    );
    assert_eq!(
        names(snap.for_team("TEAM0")).len(),
        3,
        "0, 3, 6 (9 is gone)"
    );

    let report = check_source(&spec).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(
        report.detail.as_deref(),
        Some("8 schedules, 8 on-call entries")
    );
}

#[tokio::test]
async fn opsgenie_refused_key_names_its_variable() {
    let url = serve(opsgenie_router(Arc::new(OpsgenieMock::default()))).await;
    let spec = oncall_spec(
        Provider::Opsgenie,
        &url,
        "og-wrong-key-xyz",
        "OPSGENIE_API_KEY",
    );
    let e = snapshot(&spec).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert!(e.message.contains("Opsgenie refused"), "{e}");
    assert!(e.message.contains("token_env OPSGENIE_API_KEY"), "{e}");
    assert!(!e.message.contains("og-wrong-key-xyz"), "{e}");
}

#[tokio::test]
async fn opsgenie_failing_schedule_fails_the_snapshot() {
    let router = Router::new()
        .route(
            "/v2/schedules",
            get(|| async {
                Json(json!({"data": [
                    {"id": "a", "name": "A", "enabled": true},
                    {"id": "b", "name": "B", "enabled": true},
                ]}))
            }),
        )
        .route(
            "/v2/schedules/{id}/on-calls",
            get(|Path(id): Path<String>| async move {
                if id == "b" {
                    (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response()
                } else {
                    Json(json!({"data": {"onCallRecipients": ["x@example.com"]}})).into_response()
                }
            }),
        );
    let url = serve(router).await;
    let spec = oncall_spec(Provider::Opsgenie, &url, OG_KEY, "OPSGENIE_API_KEY");
    let e = snapshot(&spec).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server, "{e}");
}
