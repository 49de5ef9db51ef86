//! The Backstage catalog client against the demo world's emulated catalog and against small
//! servers that page by the book, die half-way, loop, lie or attack: every read is all pages
//! or an error, never half a catalog, never a hang, never a secret in a message.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{Value, json};
use sitrep::catalog::decode::MAX_DESCRIPTION_CHARS;
use sitrep::catalog::{Entity, EntityKind, Spec};
use sitrep::config::source::{Auth, Secret, SourceSpec};
use sitrep::demo::{self, DEMO_CATALOG_TOKEN, DemoWorld, ScenarioClock};
use sitrep::model::source::SourceKind;
use sitrep::sources::catalog::backstage::{BackstageClient, DEFAULT_FILTERS, FIELDS, Fetched};
use sitrep::sources::{ErrorKind, HttpOptions, SourceError};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;

const TOKEN: &str = "bs-token-7f3e-SECRET-never-print";
/// Hang guard only (a looping client would never finish); no test asserts on time.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn spec(url: &str, token: Option<&str>) -> SourceSpec {
    let mut s = SourceSpec::new(
        "backstage",
        SourceKind::Catalog,
        url::Url::parse(url).unwrap(),
        "test",
    );
    s.timeout = Duration::from_secs(10);
    if let Some(t) = token {
        s.auth = Auth::Bearer(Secret::new(t));
    }
    s
}

fn client(url: &str, token: Option<&str>) -> BackstageClient {
    BackstageClient::new(&spec(url, token), &HttpOptions::default()).unwrap()
}

async fn fetch(c: &BackstageClient, filters: &[&str]) -> Result<Fetched, SourceError> {
    let filters: Vec<String> = filters.iter().map(|f| f.to_string()).collect();
    let result = tokio::time::timeout(HANG_GUARD, c.fetch_all(&filters))
        .await
        .expect("fetch_all hangs");
    if let Err(e) = &result {
        assert!(!e.message.contains(TOKEN), "token leaked: {e}");
        assert!(
            !e.message.contains('\n') && !e.message.contains('\x1b'),
            "{e:?}"
        );
    }
    result
}

fn find<'a>(f: &'a Fetched, kind: EntityKind, name: &str) -> &'a Entity {
    f.entities
        .iter()
        .find(|e| e.kind == kind && e.meta.name == name)
        .unwrap_or_else(|| panic!("no {kind:?} {name}"))
}

// ---------------------------------------------------------------------------------------
// Against the demo world.

async fn frozen() -> DemoWorld {
    demo::start_with(ScenarioClock::frozen(Utc::now(), 1.0))
        .await
        .expect("demo starts")
}

#[tokio::test]
async fn reads_every_page_of_the_demo_catalog() {
    let d = frozen().await;
    let world = d.world();
    let c = client(&d.catalog_url, Some(DEMO_CATALOG_TOKEN)).with_page_size(7);
    let f = fetch(&c, &[]).await.unwrap();
    // Groups, people, systems, the services, a website, a library and the orphan; the API
    // and the Location are not among the default kinds.
    let expected = world.teams.len() * 4 + world.services.len() + 3;
    assert_eq!(f.entities.len(), expected);
    assert_eq!(f.total, Some(expected as u64));
    assert_eq!(f.pages, expected.div_ceil(7));
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    // One page or many: the same catalog.
    let whole = fetch(&client(&d.catalog_url, Some(DEMO_CATALOG_TOKEN)), &[])
        .await
        .unwrap();
    assert_eq!(whole.pages, 1);
    let refs = |f: &Fetched| -> BTreeSet<String> {
        f.entities
            .iter()
            .map(|e| e.entity_ref().to_string())
            .collect()
    };
    assert_eq!(refs(&whole), refs(&f));

    let checkout = find(&f, EntityKind::Component, "checkout");
    assert_eq!(
        checkout.owner().unwrap().to_string(),
        "group:default/payments"
    );
    assert_eq!(
        checkout.system().unwrap().to_string(),
        "system:default/payments-platform"
    );
    assert_eq!(
        checkout.annotation("argocd/app-name"),
        Some("checkout-prod")
    );
    assert_eq!(
        checkout.annotation("backstage.io/kubernetes-id"),
        Some("checkout")
    );
    assert_eq!(
        checkout.annotation("pagerduty.com/service-id"),
        Some("PSPAYMEN")
    );
    assert_eq!(
        checkout.annotation("prometheus.io/alert"),
        Some("HighErrorRate,KubePodCrashLooping,HighLatency")
    );
    let purposes: Vec<&str> = checkout
        .meta
        .links
        .iter()
        .filter_map(|l| l.purpose())
        .collect();
    assert_eq!(purposes, ["runbook", "dashboard", "docs", "repo"]);
    assert_eq!(
        checkout.meta.description.as_deref(),
        Some("Checkout flow and order placement")
    );

    let payments = find(&f, EntityKind::Group, "payments");
    assert_eq!(payments.display_name(), "Payments");
    assert_eq!(payments.email(), Some("payments@example.com"));
    assert_eq!(
        payments.annotation("sitrep.dev/chat"),
        Some("#payments-oncall")
    );
    let Spec::Group(g) = &payments.spec else {
        panic!()
    };
    let members: Vec<String> = g.members.iter().map(|m| m.to_string()).collect();
    assert_eq!(
        members,
        ["user:default/priya.shah", "user:default/marco.rossi"]
    );
    let priya = find(&f, EntityKind::User, "priya.shah");
    assert_eq!(priya.display_name(), "Priya Shah");
    assert_eq!(priya.email(), Some("priya.shah@example.com"));

    // The orphan's owner is named but not in the catalog.
    let orphan = find(&f, EntityKind::Component, demo::people::ORPHAN_COMPONENT);
    let owner = orphan.owner().unwrap().to_string();
    assert_eq!(owner, demo::people::ORPHAN_OWNER);
    assert!(
        !f.entities
            .iter()
            .any(|e| e.entity_ref().to_string() == owner)
    );

    assert_eq!(c.check().await.unwrap(), format!("{expected} entities"));
    d.shutdown().await;
}

#[tokio::test]
async fn filters_narrow_the_read_and_other_kinds_are_skipped() {
    let d = frozen().await;
    let c = client(&d.catalog_url, Some(DEMO_CATALOG_TOKEN)).with_page_size(10);
    let f = fetch(&c, &["kind=component,spec.type=service"])
        .await
        .unwrap();
    assert_eq!(
        f.entities.len(),
        d.world().services.len() + 1,
        "the services and the orphan"
    );
    assert!(f.entities.iter().all(|e| matches!(&e.spec,
        Spec::Component(c) if c.kind.as_deref() == Some("service"))));
    // Kinds sitrep does not use are read and dropped, not reported.
    let f = fetch(&c, &["kind=api", "kind=location"]).await.unwrap();
    assert_eq!(
        (f.entities.len(), f.total, f.problems.len()),
        (0, Some(2), 0)
    );
    let f = fetch(
        &c,
        &["kind=group,metadata.annotations.opsgenie.com/team=SEARCH"],
    )
    .await
    .unwrap();
    assert_eq!(f.entities.len(), 1);
    assert_eq!(f.entities[0].meta.name, "search");
    d.shutdown().await;
}

#[tokio::test]
async fn the_url_may_name_the_catalogs_mount_point() {
    let d = frozen().await;
    for url in [
        format!("{}/api/catalog", d.catalog_url),
        format!("{}/api/catalog/", d.catalog_url),
    ] {
        let f = fetch(&client(&url, Some(DEMO_CATALOG_TOKEN)), &["kind=system"])
            .await
            .unwrap();
        assert_eq!(f.entities.len(), d.world().teams.len(), "{url}");
    }
    d.shutdown().await;
}

#[tokio::test]
async fn a_missing_or_wrong_token_says_how_to_set_one() {
    let d = frozen().await;
    let e = fetch(&client(&d.catalog_url, None), &[]).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(
        e.message,
        "the catalog wants a token (HTTP 401): set token_env or token_file on the [[catalog]] \
         entry for source backstage (a Backstage static or service token)"
    );
    let e = fetch(&client(&d.catalog_url, Some(TOKEN)), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert!(
        e.message
            .starts_with("the catalog refused the token (HTTP 401): set token_env or token_file"),
        "{e}"
    );
    let e = client(&d.catalog_url, Some(TOKEN))
        .check()
        .await
        .unwrap_err();
    assert!(e.is_auth() && !e.message.contains(TOKEN), "{e}");
    d.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Against scripted servers.

#[derive(Clone, Debug)]
struct Req {
    path: String,
    params: Vec<(String, String)>,
    authorization: Option<String>,
}

impl Req {
    fn all(&self, key: &str) -> Vec<&str> {
        self.params
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    fn one(&self, key: &str) -> Option<&str> {
        self.all(key).first().copied()
    }
    fn keys(&self) -> BTreeSet<&str> {
        self.params.iter().map(|(k, _)| k.as_str()).collect()
    }
}

/// A server answering every request with `script(n, request)` (n from 1), recording them.
struct Stub {
    url: String,
    requests: Arc<Mutex<Vec<Req>>>,
    task: JoinHandle<()>,
}

impl Stub {
    async fn start(script: impl Fn(usize, &Req) -> Response + Send + Sync + 'static) -> Stub {
        let requests: Arc<Mutex<Vec<Req>>> = Arc::default();
        let script = Arc::new(script);
        let log = requests.clone();
        let app =
            Router::new().fallback(move |uri: Uri, headers: HeaderMap, RawQuery(q): RawQuery| {
                let (log, script) = (log.clone(), script.clone());
                async move {
                    let req = Req {
                        path: uri.path().to_string(),
                        params: url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
                            .into_owned()
                            .collect(),
                        authorization: headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string),
                    };
                    let n = {
                        let mut log = log.lock().unwrap();
                        log.push(req.clone());
                        log.len()
                    };
                    script(n, &req)
                }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Stub {
            url,
            requests,
            task,
        }
    }

    fn requests(&self) -> Vec<Req> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn component(name: &str) -> Value {
    json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
           "metadata": {"namespace": "default", "name": name},
           "spec": {"type": "service", "owner": "group:default/team-a"}, "relations": []})
}

fn page(items: Vec<Value>, total: usize, next: Option<&str>) -> Response {
    let info = match next {
        Some(c) => json!({"nextCursor": c, "prevCursor": "back"}),
        None => json!({}),
    };
    axum::Json(json!({"items": items, "totalItems": total, "pageInfo": info})).into_response()
}

fn status(code: u16, body: &'static str) -> Response {
    (StatusCode::from_u16(code).unwrap(), body).into_response()
}

/// Five entities, two per page, by the book: a later page that carries a filter, an order or
/// a full-text filter beside its cursor is refused, as a contract check.
fn by_the_book(n: usize, req: &Req) -> Response {
    let names = ["a", "b", "c", "d", "e"];
    let at = match (n, req.one("cursor")) {
        (1, None) => 0,
        (_, Some(c)) => match c.strip_prefix("after-").and_then(|i| i.parse().ok()) {
            Some(i) => i,
            None => return status(400, "bad cursor"),
        },
        _ => return status(400, "page 2+ without a cursor"),
    };
    let forbidden = [
        "filter",
        "orderField",
        "fullTextFilterTerm",
        "fullTextFilterFields",
        "offset",
    ];
    if n > 1 && req.keys().iter().any(|k| forbidden.contains(k)) {
        return status(400, "a cursor request must not repeat the query");
    }
    let limit: usize = req.one("limit").and_then(|l| l.parse().ok()).unwrap_or(20);
    let end = (at + limit).min(names.len());
    let items = names[at..end].iter().map(|n| component(n)).collect();
    let next = format!("after-{end}");
    page(
        items,
        names.len(),
        (end < names.len()).then_some(next.as_str()),
    )
}

#[tokio::test]
async fn later_pages_carry_only_the_cursor_with_fields_and_limit() {
    let stub = Stub::start(by_the_book).await;
    let c = client(&stub.url, Some(TOKEN)).with_page_size(2);
    let f = fetch(&c, &[]).await.unwrap();
    let names: Vec<&str> = f.entities.iter().map(|e| e.meta.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
    assert_eq!((f.pages, f.total), (3, Some(5)));

    let reqs = stub.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].all("filter"), DEFAULT_FILTERS);
    assert_eq!(
        reqs[0].keys(),
        BTreeSet::from(["fields", "filter", "limit"])
    );
    for r in &reqs {
        assert_eq!(r.path, "/api/catalog/entities/by-query");
        assert_eq!(r.one("fields"), Some(FIELDS));
        assert_eq!(r.one("limit"), Some("2"));
        assert_eq!(
            r.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
    for (r, cursor) in reqs[1..].iter().zip(["after-2", "after-4"]) {
        assert_eq!(r.keys(), BTreeSet::from(["cursor", "fields", "limit"]));
        assert_eq!(r.all("cursor"), [cursor]);
    }
    // Configured filters replace the defaults on the first request only.
    let stub = Stub::start(by_the_book).await;
    let c = client(&stub.url, Some(TOKEN)).with_page_size(2);
    fetch(&c, &["kind=component,spec.type=service", "kind=group"])
        .await
        .unwrap();
    let reqs = stub.requests();
    assert_eq!(
        reqs[0].all("filter"),
        ["kind=component,spec.type=service", "kind=group"]
    );
    assert!(reqs[1..].iter().all(|r| r.all("filter").is_empty()));
}

#[tokio::test]
async fn refusals_say_the_token_was_refused_and_never_show_it() {
    let stub = Stub::start(|_, _| {
        (StatusCode::FORBIDDEN,
         axum::Json(json!({"error": {"name": "NotAllowedError", "message": format!("token {TOKEN} may not")},
                           "response": {"statusCode": 403}}))).into_response()
    })
    .await;
    let e = fetch(&client(&stub.url, Some(TOKEN)), &[])
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Forbidden, Some(403)));
    assert!(
        e.message
            .starts_with("the catalog refused the token (HTTP 403"),
        "{e}"
    );
    assert!(
        e.message
            .contains("token_env or token_file on the [[catalog]] entry"),
        "{e}"
    );
    let stub = Stub::start(|_, _| status(401, "Unauthorized")).await;
    let e = fetch(&client(&stub.url, Some(TOKEN)), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
}

#[tokio::test]
async fn a_catalog_that_fails_after_its_first_page_fails_the_whole_read() {
    // A 500 on page 2.
    let stub = Stub::start(|n, r| match n {
        1 => by_the_book(n, r),
        _ => status(500, "database is gone"),
    })
    .await;
    let e = fetch(&client(&stub.url, Some(TOKEN)).with_page_size(2), &[])
        .await
        .unwrap_err();
    assert_eq!((e.kind, e.status), (ErrorKind::Server, Some(500)));
    assert_eq!(
        e.message,
        "catalog page 2 failed after 2 entities, so the whole read is dropped: server error 500: database is gone"
    );
    // Page 2 breaks off in the middle of its body.
    let stub = Stub::start(|n, r| match n {
        1 => by_the_book(n, r),
        _ => {
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(
                    br#"{"items":[{"kind":"Component","metadata":{"name":"#,
                )),
                Err(std::io::Error::other("the catalog died")),
            ];
            // A pause between the chunks lets the head and the first chunk go out first.
            let stream = futures::StreamExt::then(futures::stream::iter(chunks), |c| async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                c
            });
            Response::new(Body::from_stream(stream))
        }
    })
    .await;
    let e = fetch(&client(&stub.url, Some(TOKEN)).with_page_size(2), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Connect, "{e}");
    assert!(
        e.message
            .starts_with("catalog page 2 failed after 2 entities"),
        "{e}"
    );
    // The server closes the connection instead of answering page 2.
    let url = dying_server().await;
    let e = fetch(&client(&url, Some(TOKEN)).with_page_size(2), &[])
        .await
        .unwrap_err();
    assert!(e.message.starts_with("catalog page 2 failed"), "{e:?}");
    assert!(!e.reached_server() || e.kind == ErrorKind::Connect, "{e:?}");
}

/// A raw server: a whole first page (and `Connection: close`), then every later connection
/// dropped unanswered.
async fn dying_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut served = 0;
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            served += 1;
            if served > 1 {
                drop(sock);
                continue;
            }
            let body = json!({"items": [component("a"), component("b")], "totalItems": 4,
                              "pageInfo": {"nextCursor": "after-2"}})
            .to_string();
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(body.as_bytes()).await;
        }
    });
    url
}

#[tokio::test]
async fn hostile_items_are_cleaned_capped_or_reported() {
    let mut evil = component("evil");
    evil["metadata"]["description"] = json!(format!(
        "\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2J{}",
        "A".repeat(200_000)
    ));
    evil["metadata"]["title"] = json!("Pay\u{202e}ments\u{1b}[31m");
    evil["metadata"]["links"] = json!([
        {"url": "javascript:alert(1)", "title": "click"},
        {"url": "https://runbooks.example.com/evil", "type": "runbook", "title": "\u{1b}[1mRun"}]);
    evil["metadata"]["annotations"] = json!({"argocd/app-name": "evil\u{1b}[0m-prod\n"});
    let items = vec![
        component("fine"),
        json!({"kind": "Component", "metadata": {"namespace": "default"}, "spec": {}}),
        json!(7),
        json!({"kind": "API", "metadata": {"name": "some-api"}}),
        json!({"kind": "Location", "metadata": {"name": "loc"}, "spec": {"target": "x"}}),
        json!({"kind": "Group", "metadata": {"name": "a/b"}}),
        evil,
    ];
    let stub = Stub::start(move |_, _| page(items.clone(), 7, None)).await;
    let f = fetch(&client(&stub.url, Some(TOKEN)), &[]).await.unwrap();
    let names: Vec<&str> = f.entities.iter().map(|e| e.meta.name.as_str()).collect();
    assert_eq!(names, ["fine", "evil"]);
    assert_eq!(
        f.problems,
        [
            "component:default/? (item 2 of page 1): no metadata.name",
            "?:default/? (item 3 of page 1): not a mapping",
            "group:default/a/b: name \"a/b\" or namespace \"default\" contains '/'",
        ]
    );
    let evil = &f.entities[1];
    let d = evil.meta.description.as_deref().unwrap();
    assert!(
        d.chars().count() <= MAX_DESCRIPTION_CHARS + 10,
        "{}",
        d.len()
    );
    assert!(
        d.ends_with("…[cut]") && d.starts_with("AAAA"),
        "{}",
        &d[..20]
    );
    assert_eq!(evil.meta.title.as_deref(), Some("Payments"));
    assert_eq!(evil.annotation("argocd/app-name"), Some("evil-prod"));
    assert_eq!(evil.meta.links.len(), 1);
    assert_eq!(evil.meta.links[0].title.as_deref(), Some("Run"));
    // The same page under a small body cap is refused whole, not cut.
    let small = HttpOptions {
        body_cap: 64 * 1024,
    };
    let c = BackstageClient::new(&spec(&stub.url, Some(TOKEN)), &small).unwrap();
    let e = fetch(&c, &[]).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge, "{e}");
}

#[tokio::test]
async fn a_repeating_cursor_is_an_error_not_a_loop() {
    let stub = Stub::start(|_, _| page(vec![component("a")], 1, Some("same"))).await;
    let e = fetch(&client(&stub.url, Some(TOKEN)), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidJson);
    assert_eq!(
        e.message,
        "the catalog sent a cursor it had already sent (page 2): paging would never end"
    );
    assert_eq!(stub.requests().len(), 2);
    // A longer cycle: A, B, A.
    let stub = Stub::start(|n, _| {
        let next = if n % 2 == 1 { "A" } else { "B" };
        page(vec![component(&format!("c{n}"))], 9, Some(next))
    })
    .await;
    let e = fetch(&client(&stub.url, Some(TOKEN)), &[])
        .await
        .unwrap_err();
    assert!(e.message.contains("(page 3)"), "{e}");
    assert_eq!(stub.requests().len(), 3);
}

#[tokio::test]
async fn bounds_stop_an_endless_or_huge_catalog() {
    // Ever-new cursors: stopped at the page bound.
    let stub =
        Stub::start(|n, _| page(vec![component(&format!("c{n}"))], 1, Some(&format!("n{n}"))))
            .await;
    let c = client(&stub.url, Some(TOKEN)).with_bounds(5, 1_000);
    let e = fetch(&c, &[]).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge);
    assert!(
        e.message
            .starts_with("the catalog still had more after 5 pages"),
        "{e}"
    );
    assert_eq!(stub.requests().len(), 5);
    // A count over the bound is refused on the first page.
    let stub = Stub::start(|_, _| page(vec![component("a")], 250_000, Some("more"))).await;
    let e = fetch(&client(&stub.url, Some(TOKEN)), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge);
    assert!(
        e.message
            .starts_with("the catalog matched 250,000 entities (at most 200,000 are read)"),
        "{e}"
    );
    assert_eq!(stub.requests().len(), 1);
    // A server that under-counts is stopped by the items it actually sends.
    let stub = Stub::start(|n, _| {
        page(
            vec![component(&format!("a{n}")), component(&format!("b{n}"))],
            1,
            Some(&format!("n{n}")),
        )
    })
    .await;
    let e = fetch(&client(&stub.url, Some(TOKEN)).with_bounds(100, 3), &[])
        .await
        .unwrap_err();
    assert!(
        e.message
            .starts_with("the catalog matched more than 3 entities (at most 3 are read)"),
        "{e}"
    );
    assert_eq!(stub.requests().len(), 2);
}

#[tokio::test]
async fn answers_that_are_not_the_catalog_say_so() {
    let html = Stub::start(|_, _| {
        (
            [("content-type", "text/html")],
            "<html><title>Backstage</title></html>",
        )
            .into_response()
    })
    .await;
    let e = fetch(&client(&html.url, Some(TOKEN)), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotJson);
    assert!(
        e.message.starts_with("expected JSON but got text/html"),
        "{e}"
    );
    assert!(
        e.message
            .ends_with("(is url the Backstage backend, not its web app?)"),
        "{e}"
    );
    let array = Stub::start(|_, _| axum::Json(json!([component("a")])).into_response()).await;
    let e = fetch(&client(&array.url, Some(TOKEN)), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidJson);
    assert_eq!(
        e.message,
        "unexpected JSON: not a Backstage catalog answer (not an object)"
    );
    let cut = Stub::start(|_, _| {
        (
            [("content-type", "application/json")],
            r#"{"items":[{"kind""#,
        )
            .into_response()
    })
    .await;
    let e = fetch(&client(&cut.url, Some(TOKEN)), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidJson, "{e}");
    let missing = Stub::start(|_, _| status(404, "Not Found")).await;
    let e = fetch(&client(&missing.url, Some(TOKEN)), &[])
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(
        e.message.starts_with(
            "not found: is this a Backstage backend? /api/catalog/entities/by-query answered 404"
        ),
        "{e}"
    );
}

#[tokio::test]
async fn an_entity_served_twice_is_kept_once_and_said() {
    let stub = Stub::start(|n, _| match n {
        1 => page(vec![component("a"), component("b")], 3, Some("p2")),
        _ => page(vec![component("b"), component("c")], 3, None),
    })
    .await;
    let f = fetch(&client(&stub.url, Some(TOKEN)), &[]).await.unwrap();
    let names: Vec<&str> = f.entities.iter().map(|e| e.meta.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(f.problems.len(), 1);
    assert!(
        f.problems[0].starts_with("1 entity came twice"),
        "{:?}",
        f.problems
    );
}
