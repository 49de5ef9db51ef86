//! The demo catalog's content, built once from the [`World`]: one Group per team, one User per
//! person, one System per team, one Component per service, plus a website, a library, an API,
//! a Location and the orphan. Entities are stitched as the catalog backend serves them:
//! `metadata.namespace`, `uid` and `etag` filled in, `relations` computed from the specs in
//! both directions (`ownedBy`/`ownerOf`, `partOf`/`hasPart`, `memberOf`/`hasMember`,
//! `providesApi`/`apiProvidedBy`), kept even where the target does not exist.

use crate::demo::World;
use crate::demo::people::{self, MAIL_DOMAIN, ORPHAN_COMPONENT, ORPHAN_OWNER};
use crate::demo::scenario::fnv64;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

const API_VERSION: &str = "backstage.io/v1alpha1";
/// Where the demo's catalog files live (the `backstage.io/managed-by-*` annotations).
const GIT: &str = "https://git.example.com/acme";
const ORG_FILE: &str = "https://git.example.com/acme/org/blob/main/org.yaml";
const ROOT_FILE: &str = "https://git.example.com/acme/catalog/blob/main/all.yaml";
/// The runbook checkout's alerts point at (its `prometheus.io/alert` names them).
pub const CHECKOUT_RUNBOOK: &str = "https://github.com/acme/runbooks/blob/main/high-error-rate.md";
const LANGUAGES: [&str; 5] = ["go", "java", "kotlin", "python", "typescript"];

/// The team's system: `payments-platform`… (`core-platform` for the platform team).
pub fn system_of(team: &str) -> String {
    match team {
        "platform" => "core-platform".to_string(),
        t => format!("{t}-platform"),
    }
}

/// Every entity, full, as `GET /entities/by-name/…` answers it; in the catalog's default
/// order (by uid).
pub fn build(world: &World) -> Vec<Value> {
    let mut all = Vec::new();
    for team in &world.teams {
        let t = team.name.as_str();
        let staff = people::staff(t);
        let people = [staff.primary, staff.secondary];
        let channel = format!("{t}-oncall");
        all.push(entity(
            "Group",
            t,
            json!({
                "description": format!("The {} team", staff.display_name),
                "annotations": origin(ORG_FILE, [
                    ("sitrep.dev/chat", format!("#{channel}")),
                    ("opsgenie.com/team", t.to_string()),
                ]),
                "links": [{"type": "slack", "title": format!("#{channel}"),
                           "url": format!("https://chat.example.com/channels/{channel}")}],
            }),
            json!({
                "type": "team",
                "profile": {"displayName": staff.display_name, "email": format!("{t}@{MAIL_DOMAIN}")},
                "children": [],
                "members": people.iter().map(|(_, login)| *login).collect::<Vec<_>>(),
            }),
        ));
        for (display, login) in people {
            all.push(entity(
                "User",
                login,
                json!({"annotations": origin(ORG_FILE, [])}),
                json!({
                    "profile": {"displayName": display, "email": format!("{login}@{MAIL_DOMAIN}")},
                    "memberOf": [t],
                }),
            ));
        }
        all.push(entity(
            "System",
            &system_of(t),
            json!({
                "title": format!("{} platform", staff.display_name),
                "description": format!("Everything the {} team runs", staff.display_name),
                "annotations": origin(&catalog_file(t), []),
            }),
            json!({"owner": format!("group:default/{t}")}),
        ));
    }
    for s in &world.services {
        let team = s.team.as_str();
        let mut annotations = origin(
            &catalog_file(&s.name),
            [
                ("argocd/app-name", s.app.clone()),
                ("backstage.io/kubernetes-id", s.name.clone()),
                ("backstage.io/kubernetes-namespace", s.namespace.clone()),
                (
                    "pagerduty.com/service-id",
                    people::pagerduty_service_id(team),
                ),
            ],
        );
        let runbook = if s.name == "checkout" {
            annotations.insert(
                "prometheus.io/alert".into(),
                "HighErrorRate,KubePodCrashLooping,HighLatency".into(),
            );
            CHECKOUT_RUNBOOK.to_string()
        } else {
            format!("https://runbooks.example.com/{}", s.name)
        };
        let mut spec = json!({
            "type": "service",
            "lifecycle": "production",
            "owner": format!("group:default/{team}"),
            "system": system_of(team),
        });
        if s.name == "checkout" {
            spec["providesApis"] = json!(["checkout-api"]);
        }
        all.push(entity(
            "Component",
            &s.name,
            json!({
                "description": s.description,
                "annotations": annotations,
                "tags": [LANGUAGES[(fnv64(&s.name) % LANGUAGES.len() as u64) as usize]],
                "links": [
                    {"type": "runbook", "title": "Runbook", "url": runbook},
                    {"type": "dashboard", "title": "Grafana dashboard", "icon": "dashboard",
                     "url": format!("https://grafana.example.com/d/{}", s.name)},
                    {"type": "docs", "title": "Docs", "icon": "docs",
                     "url": format!("https://docs.example.com/{}", s.name)},
                    {"type": "repo", "title": "Source", "url": format!("{GIT}/{}", s.name)},
                ],
            }),
            spec,
        ));
    }
    all.extend(extras());
    stitch(all)
}

/// What is not a demo service: a website, a library, an API, the orphan, a Location.
fn extras() -> Vec<Value> {
    let plain = |name: &str, kind: &str, team: &str, description: &str| {
        entity(
            "Component",
            name,
            json!({
                "description": description,
                "annotations": origin(&catalog_file(name), []),
                "links": [{"type": "repo", "title": "Source", "url": format!("{GIT}/{name}")}],
            }),
            json!({"type": kind, "lifecycle": "production",
                   "owner": format!("group:default/{team}"), "system": system_of(team)}),
        )
    };
    vec![
        plain(
            "storefront-web",
            "website",
            "storefront",
            "The shop's web front end",
        ),
        plain(
            "payments-sdk",
            "library",
            "payments",
            "Client library for the payments APIs",
        ),
        entity(
            "API",
            "checkout-api",
            json!({"description": "Place and track orders",
                   "annotations": origin(&catalog_file("checkout"), [])}),
            json!({"type": "openapi", "lifecycle": "production",
                   "owner": "group:default/payments", "system": system_of("payments"),
                   "definition": "openapi: 3.0.3\ninfo:\n  title: Checkout API\n  version: 2.14.0\npaths: {}\n"}),
        ),
        entity(
            "Component",
            ORPHAN_COMPONENT,
            json!({
                "description": "Nightly business reports (legacy cron jobs)",
                "annotations": origin(&catalog_file(ORPHAN_COMPONENT), []),
                "links": [{"type": "repo", "title": "Source",
                           "url": format!("{GIT}/{ORPHAN_COMPONENT}")}],
            }),
            json!({"type": "service", "lifecycle": "deprecated", "owner": ORPHAN_OWNER}),
        ),
        entity(
            "Location",
            "acme-catalog",
            json!({"annotations": origin(ROOT_FILE, [])}),
            json!({"type": "url", "target": ROOT_FILE}),
        ),
    ]
}

fn catalog_file(repo: &str) -> String {
    format!("{GIT}/{repo}/blob/main/catalog-info.yaml")
}

/// The annotations the catalog adds to everything it reads from a file, plus `more`.
fn origin<const N: usize>(file: &str, more: [(&str, String); N]) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(
        "backstage.io/managed-by-location".into(),
        format!("url:{file}").into(),
    );
    map.insert(
        "backstage.io/managed-by-origin-location".into(),
        format!("url:{ROOT_FILE}").into(),
    );
    for (k, v) in more {
        map.insert(k.to_string(), v.into());
    }
    map
}

/// An entity as written in a catalog file (namespace filled in, as the catalog does).
fn entity(kind: &str, name: &str, metadata: Value, spec: Value) -> Value {
    let mut meta = json!({"namespace": "default", "name": name});
    if let (Some(m), Value::Object(extra)) = (meta.as_object_mut(), metadata) {
        m.extend(extra);
    }
    json!({"apiVersion": API_VERSION, "kind": kind, "metadata": meta, "spec": spec})
}

/// `kind:namespace/name` as the catalog writes references (kind and namespace lower-cased).
pub fn ref_of(entity: &Value) -> String {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_ascii_lowercase();
    format!(
        "{}:{}/{}",
        s(&entity["kind"]),
        s(&entity["metadata"]["namespace"]),
        s(&entity["metadata"]["name"])
    )
}

/// A reference from a spec field: `group:default/x`, `default/x`, `x`, with defaults.
fn full_ref(text: &str, default_kind: &str) -> String {
    let text = text.to_ascii_lowercase();
    let (kind, rest) = text.split_once(':').unwrap_or((default_kind, &text));
    let (ns, name) = rest.split_once('/').unwrap_or(("default", rest));
    format!("{kind}:{ns}/{name}")
}

/// The relations the built-in processors emit for one entity: (type, target, reverse type).
fn emitted(entity: &Value) -> Vec<(&'static str, String, &'static str)> {
    let spec = &entity["spec"];
    let one = |key: &str, kind: &str| spec[key].as_str().map(|t| full_ref(t, kind));
    let many = |key: &str, kind: &str| -> Vec<String> {
        spec[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|t| full_ref(t, kind))
            .collect()
    };
    let mut out = Vec::new();
    match entity["kind"].as_str().unwrap_or_default() {
        "Component" | "API" | "System" => {
            out.extend(one("owner", "group").map(|t| ("ownedBy", t, "ownerOf")));
            out.extend(one("system", "system").map(|t| ("partOf", t, "hasPart")));
            out.extend(one("domain", "domain").map(|t| ("partOf", t, "hasPart")));
            for t in many("providesApis", "api") {
                out.push(("providesApi", t, "apiProvidedBy"));
            }
        }
        "Group" => {
            for t in many("members", "user") {
                out.push(("hasMember", t, "memberOf"));
            }
            for t in many("children", "group") {
                out.push(("parentOf", t, "childOf"));
            }
        }
        "User" => {
            for t in many("memberOf", "group") {
                out.push(("memberOf", t, "hasMember"));
            }
        }
        _ => {}
    }
    out
}

/// Relations (both directions, deduplicated, sorted), uid and etag: the final entities.
fn stitch(mut all: Vec<Value>) -> Vec<Value> {
    let refs: BTreeSet<String> = all.iter().map(ref_of).collect();
    let mut relations: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for e in &all {
        let source = ref_of(e);
        for (ty, target, reverse) in emitted(e) {
            // The reverse side exists only on an entity the catalog has.
            if refs.contains(&target) {
                relations
                    .entry(target.clone())
                    .or_default()
                    .insert((reverse.to_string(), source.clone()));
            }
            relations
                .entry(source.clone())
                .or_default()
                .insert((ty.to_string(), target));
        }
    }
    for e in &mut all {
        let r = ref_of(e);
        let list: Vec<Value> = relations
            .get(&r)
            .into_iter()
            .flatten()
            .map(|(ty, target)| json!({"type": ty, "targetRef": target}))
            .collect();
        e["relations"] = Value::Array(list);
        let etag = hex(&Sha256::digest(e.to_string().as_bytes()))[..40].to_string();
        e["metadata"]["uid"] = uid(&r).into();
        e["metadata"]["etag"] = etag.into();
    }
    all.sort_by(|a, b| {
        a["metadata"]["uid"]
            .as_str()
            .cmp(&b["metadata"]["uid"].as_str())
    });
    all
}

/// A version-4-shaped UUID derived from the reference: stable across runs.
fn uid(entity_ref: &str) -> String {
    let mut b: [u8; 16] = Sha256::digest(format!("sitrep-demo:{entity_ref}").as_bytes())[..16]
        .try_into()
        .unwrap_or_default();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(all: &'a [Value], r: &str) -> &'a Value {
        all.iter().find(|e| ref_of(e) == r).unwrap()
    }

    fn rels(e: &Value) -> Vec<String> {
        e["relations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["type"].as_str().unwrap(),
                    r["targetRef"].as_str().unwrap()
                )
            })
            .collect()
    }

    #[test]
    fn the_catalog_tells_the_worlds_story() {
        let world = World::demo();
        let all = build(&world);
        let count = |k: &str| all.iter().filter(|e| e["kind"] == k).count();
        assert_eq!(count("Group"), world.teams.len());
        assert_eq!(count("User"), world.teams.len() * 2);
        assert_eq!(count("System"), world.teams.len());
        assert_eq!(count("Component"), world.services.len() + 3);
        assert_eq!((count("API"), count("Location")), (1, 1));

        let checkout = find(&all, "component:default/checkout");
        assert_eq!(
            checkout["metadata"]["annotations"]["argocd/app-name"],
            "checkout-prod"
        );
        assert_eq!(checkout["metadata"]["links"][0]["url"], CHECKOUT_RUNBOOK);
        assert_eq!(
            rels(checkout),
            [
                "ownedBy group:default/payments",
                "partOf system:default/payments-platform",
                "providesApi api:default/checkout-api"
            ]
        );
        let payments = rels(find(&all, "group:default/payments"));
        assert!(payments.contains(&"hasMember user:default/priya.shah".to_string()));
        assert!(payments.contains(&"ownerOf component:default/checkout".to_string()));
        assert_eq!(
            rels(find(&all, "user:default/priya.shah")),
            ["memberOf group:default/payments"]
        );
        let orphan = find(&all, &format!("component:default/{ORPHAN_COMPONENT}"));
        assert_eq!(rels(orphan), [format!("ownedBy {ORPHAN_OWNER}")]);
        assert!(!all.iter().any(|e| ref_of(e) == ORPHAN_OWNER));

        // Stable ids, unique, and the same on every build.
        let uids: BTreeSet<String> = all
            .iter()
            .map(|e| e["metadata"]["uid"].to_string())
            .collect();
        assert_eq!(uids.len(), all.len());
        assert_eq!(build(&world), all);
        assert_eq!(uid("a").len(), 36);
        assert_eq!(&uid("a")[14..15], "4");
    }
}
