//! Sources that misbehave: every answer gives a clear one-line error or clean data, never a
//! panic or a hang, and never a secret in the message.

mod common;

use common::{Reply, json_reply, reply, scripted_server, spec};
use serde_json::json;
use sitrep::config::source::{Auth, Secret};
use sitrep::model::source::SourceKind;
use sitrep::sanitize::MAX_VALUE_CHARS;
use sitrep::sources::{AlertmanagerClient, ErrorKind, HttpOptions, PrometheusClient, SourceError};
use std::time::Duration;
use url::Url;

const TOKEN: &str = "tok-3f9a1c-SECRET-never-print";

fn client_for(url: &Url) -> AlertmanagerClient {
    let mut s = spec("hostile", SourceKind::Alertmanager, url);
    s.timeout = Duration::from_millis(2000);
    s.auth = Auth::Bearer(Secret::new(TOKEN));
    AlertmanagerClient::new(&s).unwrap()
}

/// Serve one fixed reply on every path; return the error of `alerts()`.
async fn alerts_error(answer: impl Fn() -> Reply + Send + Sync + 'static) -> SourceError {
    let server = scripted_server(move |_| answer()).await;
    let err = client_for(&server.url).alerts().await.unwrap_err();
    assert!(!err.message.contains(TOKEN), "token leaked: {err}");
    assert!(
        !err.message.contains('\n') && !err.message.contains('\x1b'),
        "{err:?}"
    );
    err
}

fn alert_json(labels: serde_json::Value) -> serde_json::Value {
    json!({"labels": labels, "annotations": {}, "startsAt": "2024-01-01T00:00:00Z",
           "endsAt": "2024-01-01T01:00:00Z", "updatedAt": "2024-01-01T00:00:00Z",
           "fingerprint": "0123456789abcdef", "receivers": [{"name": "r"}],
           "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}})
}

#[tokio::test]
async fn unauthorized_names_the_source() {
    let err = alerts_error(|| reply(401, "text/plain", "Unauthorized")).await;
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert_eq!(
        err.message,
        "unauthorized: check the token/credentials for source hostile"
    );
}

#[tokio::test]
async fn forbidden_and_not_found_say_what_was_asked() {
    let err = alerts_error(|| reply(403, "text/plain", "no")).await;
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert!(err.message.contains("GET /api/v2/alerts"), "{err}");
    let err = alerts_error(|| reply(404, "text/plain", "404 page not found")).await;
    assert_eq!(
        err.message,
        "not found: is this an Alertmanager? GET /api/v2/alerts returned 404"
    );
}

#[tokio::test]
async fn server_error_quotes_a_clean_snippet() {
    let err = alerts_error(|| {
        reply(
            500,
            "text/plain",
            "database \x1b[31mon fire\x1b[0m\nretry later",
        )
    })
    .await;
    assert_eq!(err.kind, ErrorKind::Server);
    assert_eq!(err.status, Some(500));
    assert_eq!(
        err.message,
        "server error 500: database on fire retry later"
    );
    let err = alerts_error(|| {
        reply(
            502,
            "text/html",
            "<html><head><title>502 Bad Gateway</title></head></html>",
        )
    })
    .await;
    assert_eq!(err.message, "server error 502: 502 Bad Gateway");
}

#[tokio::test]
async fn html_instead_of_json_is_a_short_not_json_error_without_the_page() {
    let page = format!(
        "<!DOCTYPE html><html><body>Please \x1b]0;pwned\x07log in{}</body></html>",
        "x".repeat(200)
    );
    let err = alerts_error(move || reply(200, "text/html; charset=utf-8", page.clone())).await;
    assert_eq!(err.kind, ErrorKind::NotJson);
    assert!(
        err.message.starts_with(
            "expected JSON but got text/html: <!DOCTYPE html><html><body>Please log in"
        ),
        "{err}"
    );
    assert!(!err.message.contains("pwned"));
    assert!(err.message.len() < 160, "{err}");
}

#[tokio::test]
async fn truncated_and_invalid_json_say_where_or_that_the_body_was_empty() {
    let err =
        alerts_error(|| reply(200, "application/json", r#"[{"labels":{"alertname":"A"#)).await;
    assert_eq!(err.kind, ErrorKind::InvalidJson);
    assert!(
        err.message.starts_with("invalid JSON at line 1 col "),
        "{err}"
    );
    let err = alerts_error(|| reply(200, "application/json", "[{\"labels\":{}},\n  {oops}]")).await;
    assert_eq!(err.message, "invalid JSON at line 2 col 4");
    let err = alerts_error(|| reply(200, "application/json", r#"{"not":"a list"}"#)).await;
    assert_eq!(err.kind, ErrorKind::InvalidJson);
    assert!(
        err.message.starts_with("unexpected JSON at line 1 col "),
        "{err}"
    );
    let err = alerts_error(|| reply(200, "application/json", "")).await;
    assert_eq!(err.message, "expected JSON but got an empty response");
}

#[tokio::test]
async fn invalid_utf8_in_a_label_is_kept_lossily() {
    let mut body = br#"[{"labels":{"alertname":"Bad","zone":"eu-"#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe]);
    body.extend_from_slice(br#"-1"},"status":{"state":"active"}}]"#);
    let server = scripted_server(move |_| reply(200, "application/json", body.clone())).await;
    let alerts = client_for(&server.url)
        .alerts()
        .await
        .expect("lossy decode");
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].labels["zone"], "eu-\u{fffd}\u{fffd}-1");
}

#[tokio::test]
async fn escape_sequences_and_huge_values_are_cleaned() {
    let huge = "v".repeat(100 * 1024);
    let body = json!([alert_json(json!({
        "alertname": "Evil\u{1b}[2J\u{1b}[H",
        "title": "\u{1b}]0;owned\u{7}ok\u{202e}txet",
        "big": huge,
        "\u{1b}[31mkey": "v",
    }))]);
    let server = scripted_server(move |_| json_reply(&body)).await;
    let alerts = client_for(&server.url).alerts().await.unwrap();
    let a = &alerts[0];
    assert_eq!(a.name(), "Evil");
    assert_eq!(a.labels["title"], "oktxet");
    assert!(a.labels.contains_key("key"));
    assert!(a.labels["big"].chars().count() <= MAX_VALUE_CHARS + 8);
    assert!(a.labels["big"].ends_with("…[cut]"));
    for (k, v) in &a.labels {
        assert!(
            !k.chars().chain(v.chars()).any(|c| c.is_control()),
            "{k}={v:?}"
        );
    }
}

#[tokio::test]
async fn twenty_thousand_alerts_are_all_decoded_in_order() {
    let alerts: Vec<_> = (0..20_000)
        .map(|i| alert_json(json!({"alertname": "Many", "i": i.to_string()})))
        .collect();
    let body = serde_json::to_vec(&alerts).unwrap();
    let server = scripted_server(move |_| reply(200, "application/json", body.clone())).await;
    let got = client_for(&server.url).alerts().await.unwrap();
    assert_eq!(got.len(), 20_000);
    assert_eq!(got[19_999].labels["i"], "19999");
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused() {
    let cap = 1024 * 1024;
    let small = |url: &Url| {
        let s = spec("hostile", SourceKind::Alertmanager, url);
        AlertmanagerClient::with_options(&s, &HttpOptions { body_cap: cap }).unwrap()
    };
    // Declared too large.
    let server =
        scripted_server(move |_| reply(200, "application/json", vec![b' '; 2 * cap])).await;
    let err = small(&server.url).alerts().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::TooLarge);
    assert_eq!(err.message, "response larger than 1 MB");
    // No length given: counted while streaming, abandoned at the cap.
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        .to_string();
    let server = scripted_server(move |_| Reply::Stream {
        head: head.clone(),
        len: 3 * cap,
    })
    .await;
    let err = small(&server.url).alerts().await.unwrap_err();
    assert_eq!(err.message, "response larger than 1 MB");
}

/// Paused clock: the 300 ms timeout passes in virtual time, as soon as the client waits on it.
#[tokio::test(start_paused = true)]
async fn a_server_that_never_answers_times_out() {
    let server = scripted_server(|_| Reply::Hang).await;
    let mut s = spec("hostile", SourceKind::Alertmanager, &server.url);
    s.timeout = Duration::from_millis(300);
    let client = AlertmanagerClient::new(&s).unwrap();
    // The outer guard only stops a broken client from hanging the suite.
    let err = tokio::time::timeout(Duration::from_secs(30), client.alerts())
        .await
        .expect("the client's own timeout fired")
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert_eq!(err.message, "no answer within 300ms");
}

#[tokio::test]
async fn refused_connections_and_unknown_hosts_are_named_as_such() {
    let port = common::free_port();
    let url = Url::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let err = client_for(&url).alerts().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Refused, "{err:?}");
    assert_eq!(
        err.message,
        format!("connection refused by 127.0.0.1:{port}")
    );

    // `.invalid` never resolves (RFC 6761); a generous timeout so a slow resolver is not a timeout.
    let mut s = spec(
        "hostile",
        SourceKind::Alertmanager,
        &Url::parse("http://no-such-host.invalid:9093").unwrap(),
    );
    s.timeout = Duration::from_secs(20);
    let err = AlertmanagerClient::new(&s)
        .unwrap()
        .alerts()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Dns, "{err:?}");
    assert_eq!(err.message, "cannot resolve host no-such-host.invalid");
}

#[tokio::test]
async fn tls_to_a_plain_http_server_is_a_tls_error() {
    let server = scripted_server(|_| reply(200, "application/json", "[]")).await;
    let mut url = server.url.clone();
    url.set_scheme("https").unwrap();
    let err = client_for(&url).alerts().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls, "{err:?}");
    assert!(
        err.message.starts_with("TLS handshake with 127.0.0.1:"),
        "{err}"
    );
    assert!(
        err.message
            .ends_with("the server does not speak TLS (try http://)"),
        "{err}"
    );
}

#[tokio::test]
async fn an_https_redirect_names_the_url_to_use() {
    let err = alerts_error(|| {
        Reply::Raw(b"HTTP/1.1 301 Moved\r\nLocation: https://am.example:8443/api/v2/alerts\r\nContent-Length: 0\r\n\r\n".to_vec())
    })
    .await;
    assert_eq!(err.kind, ErrorKind::Redirect, "{err:?}");
    assert_eq!(
        err.message,
        "the server redirects to https://am.example:8443: use https:// in this source's URL"
    );
}

#[tokio::test]
async fn the_token_is_sent_but_never_shown() {
    // A server that echoes the request (headers included) back in its error bodies.
    let server = scripted_server(|req| {
        let echo = format!("you sent: {}", req.headers);
        match req.target.as_str() {
            t if t.starts_with("/api/v2/alerts") => reply(500, "text/plain", echo),
            t if t.starts_with("/api/v2/silences") && req.method == "POST" => {
                reply(400, "application/json", serde_json::to_vec(&echo).unwrap())
            }
            t if t.starts_with("/api/v2/silences") => {
                reply(200, "text/html", format!("<p>{echo}</p>"))
            }
            t if t.starts_with("/api/v2/status") => {
                reply(200, "application/json", format!("{{\"x\":\"{TOKEN}"))
            }
            _ => reply(418, "text/plain", echo),
        }
    })
    .await;
    let client = client_for(&server.url);
    let now = chrono::Utc::now();
    let silence = sitrep::model::silence::NewSilence {
        matchers: vec![sitrep::model::silence::Matcher::equal("a", "b")],
        starts_at: now,
        ends_at: now,
        created_by: "t".into(),
        comment: "c".into(),
    };
    let errors = [
        client.alerts().await.unwrap_err(),
        client.silences().await.unwrap_err(),
        client.status().await.unwrap_err(),
        client.create_silence(&silence).await.unwrap_err(),
        client.expire_silence("x").await.unwrap_err(),
    ];
    for e in &errors {
        assert!(!e.message.contains(TOKEN), "token in {e:?}");
        assert!(!format!("{e:?}").contains(TOKEN));
    }
    assert!(errors[0].message.contains("Bearer ***"), "{}", errors[0]);
    assert!(!format!("{client:?}").contains(TOKEN));
    // And it was on the wire.
    let reqs = server.requests.lock().unwrap();
    assert!(
        reqs.iter()
            .all(|r| r.headers.contains(&format!("Bearer {TOKEN}")))
    );
}

#[tokio::test]
async fn url_userinfo_is_used_but_never_shown() {
    let server = scripted_server(|req| reply(401, "text/plain", req.headers.clone())).await;
    let mut url = server.url.clone();
    url.set_username("ops").unwrap();
    url.set_password(Some("pa55word-in-url")).unwrap();
    let s = spec("hostile", SourceKind::Alertmanager, &url);
    assert!(!s.display_url().contains("pa55word"));
    let err = AlertmanagerClient::new(&s)
        .unwrap()
        .alerts()
        .await
        .unwrap_err();
    assert!(!err.message.contains("pa55word"), "{err}");
    let reqs = server.requests.lock().unwrap();
    assert!(reqs[0].headers.contains("Basic "), "basic auth sent");
    assert!(!reqs[0].target.contains("pa55word"));
}

#[tokio::test]
async fn prometheus_error_envelopes_are_reported_in_prometheus_words() {
    let server = scripted_server(|req| match req.target.as_str() {
        "/api/v1/rules?type=alert" => json_reply(&json!({"status":"error","errorType":"internal","error":"rule manager \u{1b}[1mstopped"})),
        _ => reply(422, "application/json", r#"{"status":"error","errorType":"bad_data","error":"nope"}"#),
    })
    .await;
    let client = PrometheusClient::new(&spec("prom", SourceKind::Prometheus, &server.url)).unwrap();
    let err = client.alerts().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Api);
    assert_eq!(
        err.message,
        "Prometheus error (internal): rule manager stopped"
    );
    let err = client.version().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Rejected);
    assert_eq!(err.message, "bad_data: nope");
}

#[tokio::test]
async fn unreadable_ca_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("ca.pem");
    std::fs::write(&bogus, "not a certificate").unwrap();
    let mut s = spec(
        "tls",
        SourceKind::Alertmanager,
        &Url::parse("https://127.0.0.1:1").unwrap(),
    );
    s.tls.ca_file = Some(bogus.clone());
    let err = AlertmanagerClient::new(&s).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Config);
    assert_eq!(
        err.message,
        format!("ca_file {} holds no PEM certificate", bogus.display())
    );
}
