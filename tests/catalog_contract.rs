//! The emulated Backstage catalog against Backstage's own OpenAPI spec
//! (`plugins/catalog-backend/src/schema/openapi.yaml`, copied verbatim into
//! `tests/fixtures/backstage-catalog-openapi.yaml`): every kind of answer sitrep reads is held
//! against the schema the spec names for it, walking `$ref`s, with `required`, types, enums
//! and "no property the spec does not name" (where the spec says `additionalProperties:
//! false` or says nothing; `additionalProperties: {}` allows anything).
//!
//! One documented gap: with `fields`, the catalog prunes entities to the named paths, so
//! `apiVersion` (required by `Entity`) is absent. Such items are checked with `required`
//! relaxed; everything else stays strict.

use chrono::Utc;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sitrep::demo::{self, DEMO_CATALOG_TOKEN, DemoWorld, ScenarioClock};
use sitrep::sources::catalog::backstage::FIELDS;
use std::sync::OnceLock;

const SPEC_FIXTURE: &str = "tests/fixtures/backstage-catalog-openapi.yaml";
/// The fixture as published (backstage/backstage 003850040e29c700a8757874d0841fc6f83716a5):
/// a changed byte is a changed contract, so it is pinned.
const SPEC_SHA256: &str = "d29e1eaa2329fe2449dd1e1390c85518e4f0ab69cac84ed228b3fb42345def5d";
const BY_QUERY: &str = "/entities/by-query";
const BY_NAME: &str = "/entities/by-name/{kind}/{namespace}/{name}";

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let dir = env!("CARGO_MANIFEST_DIR");
        let text = std::fs::read_to_string(format!("{dir}/{SPEC_FIXTURE}")).expect("fixture");
        serde_yaml_ng::from_str(&text).expect("spec parses")
    })
}

/// `#/components/schemas/Entity` → the value there.
fn pointer(reference: &str) -> &'static Value {
    let path = reference.trim_start_matches('#');
    spec()
        .pointer(path)
        .unwrap_or_else(|| panic!("the spec has no {reference}"))
}

fn resolve(schema: &Value) -> &Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(pointer(r)),
        None => schema,
    }
}

/// The JSON schema of an operation's answer: `status` is `"200"`, `"400"` or `"default"`.
fn response_schema(path: &str, method: &str, status: &str) -> &'static Value {
    let responses = &spec()["paths"][path][method]["responses"];
    let response = resolve(&responses[status]);
    let schema = &response["content"]["application/json"]["schema"];
    assert!(
        !schema.is_null(),
        "{method} {path} {status} has no JSON schema"
    );
    schema
}

#[derive(Clone, Copy)]
struct Mode {
    /// Skip `required` (entities pruned by `fields`).
    partial: bool,
}

fn check(schema: &Value, value: &Value, path: &str, mode: Mode, errors: &mut Vec<String>) {
    check_part(schema, value, path, mode, errors, true);
}

/// `whole`: this schema describes the whole value (not one `allOf` part of it), so it alone
/// can say which properties are unknown.
fn check_part(
    schema: &Value,
    value: &Value,
    path: &str,
    mode: Mode,
    errors: &mut Vec<String>,
    whole: bool,
) {
    let schema = resolve(schema);
    if value.is_null() && schema["nullable"] == true {
        return;
    }
    let mut allowed: Vec<String> = Vec::new();
    let mut open = false;
    for part in schema["allOf"].as_array().into_iter().flatten() {
        check_part(part, value, path, mode, errors, false);
        let part = resolve(part);
        collect_allowed(part, &mut allowed, &mut open);
    }
    let ty = schema["type"].as_str();
    let ok = match ty {
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("boolean") => value.is_boolean(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        _ => true,
    };
    if !ok {
        errors.push(format!(
            "{path}: expected {}, got {value}",
            ty.unwrap_or("?")
        ));
        return;
    }
    if let Some(choices) = schema["enum"].as_array()
        && !choices.contains(value)
    {
        errors.push(format!("{path}: {value} not in {choices:?}"));
    }
    if let Some(items) = schema.get("items") {
        for (i, v) in value.as_array().into_iter().flatten().enumerate() {
            check(items, v, &format!("{path}[{i}]"), mode, errors);
        }
    }
    let Some(obj) = value.as_object() else {
        return;
    };
    if !mode.partial {
        for r in schema["required"].as_array().into_iter().flatten() {
            if let Some(r) = r.as_str()
                && !obj.contains_key(r)
            {
                errors.push(format!("{path}: required property {r:?} missing"));
            }
        }
    }
    let props = schema["properties"].as_object();
    for (k, v) in obj {
        if let Some(s) = props.and_then(|p| p.get(k)) {
            check(s, v, &format!("{path}.{k}"), mode, errors);
        }
    }
    if !whole {
        return;
    }
    if schema.get("allOf").is_some() {
        collect_allowed(schema, &mut allowed, &mut open);
        if !open {
            unknown(obj, &allowed, path, errors);
        }
        return;
    }
    match schema.get("additionalProperties") {
        // `{}` or `true`: anything goes.
        Some(Value::Object(extra)) if extra.is_empty() => {}
        Some(Value::Bool(true)) => {}
        Some(extra @ Value::Object(_)) => {
            for (k, v) in obj {
                if props.is_none_or(|p| !p.contains_key(k)) {
                    check(extra, v, &format!("{path}.{k}"), mode, errors);
                }
            }
        }
        // `false`, or nothing said: only what the spec names.
        _ => {
            let named: Vec<String> = props
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            unknown(obj, &named, path, errors);
        }
    }
}

fn collect_allowed(schema: &Value, allowed: &mut Vec<String>, open: &mut bool) {
    if let Some(p) = schema["properties"].as_object() {
        allowed.extend(p.keys().cloned());
    }
    if matches!(
        schema.get("additionalProperties"),
        Some(Value::Object(_)) | Some(Value::Bool(true))
    ) {
        *open = true;
    }
}

fn unknown(
    obj: &serde_json::Map<String, Value>,
    named: &[String],
    path: &str,
    errors: &mut Vec<String>,
) {
    for k in obj.keys() {
        if !named.contains(k) {
            errors.push(format!("{path}: property {k:?} is not in the spec"));
        }
    }
}

fn validate(schema: &Value, value: &Value, partial: bool) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    check(schema, value, "$", Mode { partial }, &mut errors);
    errors.dedup();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn assert_valid(schema: &Value, value: &Value, what: &str) {
    if let Err(errors) = validate(schema, value, false) {
        panic!("{what}:\n{}\nvalue: {value:#}", errors.join("\n"));
    }
}

fn entity_schema() -> Value {
    json!({"$ref": "#/components/schemas/Entity"})
}

async fn frozen() -> DemoWorld {
    demo::start_with(ScenarioClock::frozen(Utc::now(), 1.0))
        .await
        .expect("demo starts")
}

async fn get(url: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn catalog(d: &DemoWorld, path_and_query: &str) -> (u16, Value) {
    get(
        &format!("{}/api/catalog{path_and_query}", d.catalog_url),
        Some(DEMO_CATALOG_TOKEN),
    )
    .await
}

#[test]
fn spec_fixture_is_backstages_published_catalog_api() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let bytes = std::fs::read(format!("{dir}/{SPEC_FIXTURE}")).expect("fixture");
    let hex: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        hex, SPEC_SHA256,
        "{SPEC_FIXTURE} is no longer the published file"
    );
    assert_eq!(spec()["openapi"], "3.0.3");
    for path in [BY_QUERY, BY_NAME] {
        assert!(spec()["paths"][path]["get"].is_object(), "{path}");
    }
    // What the client relies on: `limit` defaults to 20, and `cursor` excludes only
    // `filter`, `orderField` and `fullTextFilter` (so `fields` and `limit` may go with it).
    let cursor = spec()["components"]["parameters"]["cursor"]["description"]
        .as_str()
        .unwrap();
    assert!(cursor.contains("(20 is the default)"), "{cursor}");
    assert!(
        cursor.contains(
            "[`filter`, `orderField`, `fullTextFilter`] and `cursor` are mutually exclusive"
        ),
        "{cursor}"
    );
}

#[test]
fn the_walker_catches_what_it_should() {
    let good = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": "a", "anything": {"goes": 1}, "links": [{"url": "https://x"}]},
        "spec": {"whatever": [1]}, "relations": [{"type": "ownedBy", "targetRef": "group:default/t"}]});
    assert_eq!(validate(&entity_schema(), &good, false), Ok(()));
    let bad = json!({"kind": 3, "metadata": {"annotations": {"a": 1}, "links": [{"title": "t", "x": 1}]},
        "relations": [{"type": "ownedBy", "target": {}}], "status": {}});
    let errors = validate(&entity_schema(), &bad, false)
        .unwrap_err()
        .join("\n");
    for want in [
        "$: required property \"apiVersion\" missing",
        "$.kind: expected string",
        "$.metadata: required property \"name\" missing",
        "$.metadata.annotations.a: expected string",
        "$.metadata.links[0]: required property \"url\" missing",
        "$.metadata.links[0]: property \"x\" is not in the spec",
        "$.relations[0]: property \"target\" is not in the spec",
        "$: property \"status\" is not in the spec",
    ] {
        assert!(errors.contains(want), "missing {want:?} in:\n{errors}");
    }
    let page = response_schema(BY_QUERY, "get", "200");
    assert!(validate(page, &json!({"items": [], "pageInfo": {}}), false).is_err());
    assert!(
        validate(
            page,
            &json!({"items": [], "totalItems": "1", "pageInfo": {}}),
            false
        )
        .is_err()
    );
    let with_bad_item = json!({"items": [{"kind": "Component"}], "totalItems": 1, "pageInfo": {}});
    let errors = validate(page, &with_bad_item, false)
        .unwrap_err()
        .join("\n");
    assert!(
        errors.contains("$.items[0]: required property \"metadata\" missing"),
        "{errors}"
    );
    let error = response_schema(BY_QUERY, "get", "default");
    assert!(
        validate(
            error,
            &json!({"error": {"name": "E"}, "response": {"statusCode": 401}}),
            false
        )
        .is_err()
    );
    // Nullable entities (the batch endpoint) and allOf (partial metadata).
    let batch = response_schema("/entities/by-refs", "post", "200");
    assert_eq!(
        validate(batch, &json!({"items": [null, good]}), false),
        Ok(())
    );
    let partial_meta = json!({"$ref": "#/components/schemas/RecursivePartialEntityMeta"});
    assert_eq!(
        validate(&partial_meta, &json!({"name": "a", "more": 1}), false),
        Ok(())
    );
}

#[tokio::test]
async fn by_query_pages_match_the_spec() {
    let d = frozen().await;
    let page_schema = response_schema(BY_QUERY, "get", "200");
    let (code, first) = catalog(&d, "/entities/by-query?limit=30").await;
    assert_eq!(code, 200, "{first}");
    assert_valid(page_schema, &first, "first page");
    let total = first["totalItems"].as_u64().unwrap();
    assert!(total > 80, "{total}");
    // Every page, by cursor alone, until there is no next one.
    let mut all: Vec<Value> = first["items"].as_array().unwrap().clone();
    let mut next = first["pageInfo"]["nextCursor"].as_str().map(str::to_string);
    let mut pages = 1;
    while let Some(cursor) = next {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("cursor", &cursor)
            .append_pair("limit", "30")
            .finish();
        let (code, page) = catalog(&d, &format!("/entities/by-query?{q}")).await;
        assert_eq!(code, 200, "{page}");
        assert_valid(page_schema, &page, &format!("page {}", pages + 1));
        assert!(
            page["pageInfo"]["prevCursor"].is_string(),
            "{}",
            page["pageInfo"]
        );
        assert_eq!(page["totalItems"], total);
        all.extend(page["items"].as_array().unwrap().iter().cloned());
        next = page["pageInfo"]["nextCursor"].as_str().map(str::to_string);
        pages += 1;
        assert!(pages < 20, "paging does not end");
    }
    assert_eq!(all.len() as u64, total);
    assert_eq!(pages, total.div_ceil(30) as usize);
    let mut uids: Vec<&str> = all
        .iter()
        .map(|e| e["metadata"]["uid"].as_str().unwrap())
        .collect();
    uids.dedup();
    assert_eq!(
        uids.len(),
        all.len(),
        "the default order is by uid, each entity once"
    );
    let kinds: std::collections::BTreeSet<&str> =
        all.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["API", "Component", "Group", "Location", "System", "User"]
    );
    d.shutdown().await;
}

#[tokio::test]
async fn pages_with_sitreps_fields_match_the_spec_but_for_pruned_required_properties() {
    let d = frozen().await;
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("filter", "kind=component,spec.type=service")
        .append_pair("filter", "kind=group")
        .append_pair("fields", FIELDS)
        .append_pair("limit", "500")
        .finish();
    let (code, page) = catalog(&d, &format!("/entities/by-query?{q}")).await;
    assert_eq!(code, 200, "{page}");
    let items = page["items"].as_array().unwrap().clone();
    let mut envelope = page.clone();
    envelope["items"] = json!([]);
    assert_valid(
        response_schema(BY_QUERY, "get", "200"),
        &envelope,
        "envelope",
    );
    for item in &items {
        assert_eq!(validate(&entity_schema(), item, true), Ok(()), "{item:#}");
        assert!(item.get("apiVersion").is_none() && item["metadata"].get("uid").is_none());
        assert!(
            item["kind"] == "Group" || item["spec"]["type"] == "service",
            "{item}"
        );
    }
    assert_eq!(page["totalItems"], items.len());
    assert!(page["pageInfo"].get("nextCursor").is_none());
    d.shutdown().await;
}

#[tokio::test]
async fn by_name_answers_match_the_spec() {
    let d = frozen().await;
    let schema = response_schema(BY_NAME, "get", "200");
    for path in [
        "component/default/checkout",
        "Component/default/legacy-reports",
        "component/default/storefront-web",
        "component/default/payments-sdk",
        "group/default/payments",
        "user/default/priya.shah",
        "system/default/payments-platform",
        "api/default/checkout-api",
        "location/default/acme-catalog",
    ] {
        let (code, e) = catalog(&d, &format!("/entities/by-name/{path}")).await;
        assert_eq!(code, 200, "{path}: {e}");
        assert_valid(schema, &e, path);
    }
    let (_, checkout) = catalog(&d, "/entities/by-name/component/default/checkout").await;
    let a = &checkout["metadata"]["annotations"];
    assert_eq!(a["argocd/app-name"], "checkout-prod");
    assert_eq!(a["backstage.io/kubernetes-id"], "checkout");
    assert_eq!(a["backstage.io/kubernetes-namespace"], "checkout");
    assert_eq!(a["pagerduty.com/service-id"], "PSPAYMEN");
    assert_eq!(
        a["prometheus.io/alert"],
        "HighErrorRate,KubePodCrashLooping,HighLatency"
    );
    assert_eq!(checkout["spec"]["owner"], "group:default/payments");
    let links: Vec<(&str, &str)> = checkout["metadata"]["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["type"].as_str().unwrap(), l["url"].as_str().unwrap()))
        .collect();
    assert_eq!(
        links,
        [
            (
                "runbook",
                "https://github.com/acme/runbooks/blob/main/high-error-rate.md"
            ),
            ("dashboard", "https://grafana.example.com/d/checkout"),
            ("docs", "https://docs.example.com/checkout"),
            ("repo", "https://git.example.com/acme/checkout"),
        ]
    );
    let (_, group) = catalog(&d, "/entities/by-name/group/default/payments").await;
    assert_eq!(
        group["spec"],
        json!({"type": "team", "children": [], "members": ["priya.shah", "marco.rossi"],
               "profile": {"displayName": "Payments", "email": "payments@example.com"}})
    );
    assert_eq!(
        group["metadata"]["annotations"]["sitrep.dev/chat"],
        "#payments-oncall"
    );
    assert_eq!(
        group["metadata"]["annotations"]["opsgenie.com/team"],
        "payments"
    );
    assert_eq!(
        group["metadata"]["links"],
        json!([{"type": "slack", "title": "#payments-oncall",
                "url": "https://chat.example.com/channels/payments-oncall"}])
    );
    d.shutdown().await;
}

#[tokio::test]
async fn errors_match_the_spec() {
    let d = frozen().await;
    let query_error = response_schema(BY_QUERY, "get", "default");
    let url = format!(
        "{}/api/catalog/entities/by-query?filter=kind=group",
        d.catalog_url
    );
    for (token, message) in [
        (None, "Missing credentials"),
        (Some("nope"), "Illegal token"),
    ] {
        let (code, body) = get(&url, token).await;
        assert_eq!(code, 401, "{body}");
        assert_valid(query_error, &body, "401");
        assert_eq!(body["error"]["name"], "AuthenticationError");
        assert_eq!(body["error"]["message"], message);
        assert_eq!(body["response"]["statusCode"], 401);
        assert_eq!(
            body["request"]["url"],
            "/api/catalog/entities/by-query?filter=kind=group"
        );
    }
    for bad in ["filter=%3Dx", "limit=ten", "cursor=%21%21"] {
        let (code, body) = catalog(&d, &format!("/entities/by-query?{bad}")).await;
        assert_eq!(code, 400, "{bad}: {body}");
        assert_valid(response_schema(BY_QUERY, "get", "400"), &body, bad);
        assert_eq!(body["error"]["name"], "InputError");
    }
    let (code, body) = catalog(&d, "/entities/by-name/group/default/bi-team").await;
    assert_eq!(code, 404, "{body}");
    assert_valid(response_schema(BY_NAME, "get", "default"), &body, "404");
    assert_eq!(
        body["error"]["message"],
        "No entity named 'bi-team' found, with kind 'group' in namespace 'default'"
    );
    d.shutdown().await;
}
