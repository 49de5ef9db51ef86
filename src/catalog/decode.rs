//! One entity from its JSON (the catalog API's items, or a `catalog-info.yaml` document read
//! into JSON values): kind recognised, fields cleaned and capped, links filtered. The only
//! place outside catalog text enters sitrep, so everything after it can trust the strings.

use super::entity::*;
use crate::sanitize;
use serde_json::Value;

/// Longest description kept (a 200 KB description becomes this much, marked as cut).
pub const MAX_DESCRIPTION_CHARS: usize = 4 * 1024;
/// Longest name, title, annotation or label value kept.
pub const MAX_FIELD_CHARS: usize = 1024;
/// Most annotations, labels, tags, links, members kept per entity.
pub const MAX_ITEMS: usize = 256;

/// Decode one document. `Err` says what is wrong with it, for "file:line: …" or the API's
/// problem list; the rest of the catalog is unaffected.
pub fn decode(doc: &Value) -> Result<Decoded, String> {
    let obj = doc.as_object().ok_or("not a mapping")?;
    let kind_text = obj.get("kind").and_then(Value::as_str).ok_or("no kind")?;
    if kind_text.eq_ignore_ascii_case("location") {
        return Ok(Decoded::Location(location(obj.get("spec"))));
    }
    let Some(kind) = EntityKind::parse(kind_text) else {
        return Ok(Decoded::Ignored(line(kind_text)));
    };
    let meta_v = obj.get("metadata").ok_or("no metadata")?;
    let name = meta_v
        .get("name")
        .and_then(Value::as_str)
        .map(line)
        .filter(|n| !n.trim().is_empty())
        .ok_or("no metadata.name")?;
    let namespace = meta_v
        .get("namespace")
        .and_then(Value::as_str)
        .map(line)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
    if name.contains('/') || namespace.contains('/') {
        return Err(format!(
            "name {name:?} or namespace {namespace:?} contains '/'"
        ));
    }
    let meta = Meta {
        title: str_field(meta_v, "title"),
        description: meta_v
            .get("description")
            .and_then(Value::as_str)
            .map(|d| sanitize::clean_text(d, MAX_DESCRIPTION_CHARS)),
        annotations: string_map(meta_v.get("annotations")),
        labels: string_map(meta_v.get("labels")),
        tags: string_list(meta_v.get("tags")),
        links: links(meta_v.get("links")),
        name,
        namespace,
    };
    let spec_v = obj.get("spec").cloned().unwrap_or(Value::Null);
    let ns = meta.namespace.clone();
    let spec = match kind {
        EntityKind::Component => Spec::Component(ComponentSpec {
            kind: str_field(&spec_v, "type"),
            lifecycle: str_field(&spec_v, "lifecycle"),
            owner: reference(&spec_v, "owner", EntityKind::Group, &ns),
            system: reference(&spec_v, "system", EntityKind::System, &ns),
        }),
        EntityKind::Group => {
            let profile = spec_v.get("profile").cloned().unwrap_or(Value::Null);
            Spec::Group(GroupSpec {
                kind: str_field(&spec_v, "type"),
                display_name: str_field(&profile, "displayName"),
                email: str_field(&profile, "email"),
                parent: reference(&spec_v, "parent", EntityKind::Group, &ns),
                members: references(spec_v.get("members"), EntityKind::User, &ns),
            })
        }
        EntityKind::User => {
            let profile = spec_v.get("profile").cloned().unwrap_or(Value::Null);
            Spec::User(UserSpec {
                display_name: str_field(&profile, "displayName"),
                email: str_field(&profile, "email"),
                member_of: references(spec_v.get("memberOf"), EntityKind::Group, &ns),
            })
        }
        EntityKind::System => Spec::System(SystemSpec {
            owner: reference(&spec_v, "owner", EntityKind::Group, &ns),
            domain: str_field(&spec_v, "domain"),
        }),
    };
    let (owned_by, part_of) = relations(obj.get("relations"));
    Ok(Decoded::Entity(Box::new(Entity {
        kind,
        meta,
        spec,
        owned_by,
        part_of,
    })))
}

fn line(s: &str) -> String {
    sanitize::clean_line(s, MAX_FIELD_CHARS)
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(line)
        .filter(|s| !s.trim().is_empty())
}

fn string_map(v: Option<&Value>) -> StrMap {
    let Some(map) = v.and_then(Value::as_object) else {
        return StrMap::new();
    };
    map.iter()
        .filter_map(|(k, v)| {
            // Numbers and booleans are written unquoted in YAML; keep them as text.
            let v = match v {
                Value::String(s) => line(s),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((line(k), v))
        })
        .take(MAX_ITEMS)
        .collect()
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(line)
                .take(MAX_ITEMS)
                .collect::<Vec<_>>()
        })
        .map(shrunk)
        .unwrap_or_default()
}

/// Exactly sized: a catalog keeps thousands of these for as long as it runs.
fn shrunk<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

/// Only links a browser can safely open: `http(s)` and `mailto`. `javascript:`, `data:`,
/// `file:` and anything unparsable are dropped.
pub fn safe_link(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    matches!(parsed.scheme(), "http" | "https" | "mailto").then(|| parsed.to_string())
}

fn links(v: Option<&Value>) -> Vec<Link> {
    let Some(items) = v.and_then(Value::as_array) else {
        return Vec::new();
    };
    let links = items
        .iter()
        .filter_map(|l| {
            let url = safe_link(l.get("url").and_then(Value::as_str)?)?;
            if url.len() > MAX_FIELD_CHARS * 4 {
                return None;
            }
            Some(Link {
                url,
                title: str_field(l, "title"),
                kind: str_field(l, "type").map(|t| t.to_ascii_lowercase()),
                icon: str_field(l, "icon").map(|t| t.to_ascii_lowercase()),
            })
        })
        .take(MAX_ITEMS)
        .collect::<Vec<_>>();
    shrunk(links)
}

fn reference(v: &Value, key: &str, kind: EntityKind, namespace: &str) -> Option<EntityRef> {
    v.get(key)
        .and_then(Value::as_str)
        .and_then(|s| EntityRef::parse(&line(s), kind, namespace))
}

fn references(v: Option<&Value>, kind: EntityKind, namespace: &str) -> Vec<EntityRef> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(|s| EntityRef::parse(&line(s), kind, namespace))
                .take(MAX_ITEMS * 4)
                .collect::<Vec<_>>()
        })
        .map(shrunk)
        .unwrap_or_default()
}

/// `relations[{type, targetRef}]`: the `ownedBy` and `partOf` (system) targets.
fn relations(v: Option<&Value>) -> (Vec<EntityRef>, Vec<EntityRef>) {
    let mut owned_by = Vec::new();
    let mut part_of = Vec::new();
    for r in v
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_ITEMS * 4)
    {
        let Some(target) = r
            .get("targetRef")
            .and_then(Value::as_str)
            .and_then(|t| EntityRef::parse(&line(t), EntityKind::Group, DEFAULT_NAMESPACE))
        else {
            continue;
        };
        match r.get("type").and_then(Value::as_str) {
            Some("ownedBy") => owned_by.push(target),
            Some("partOf") if target.kind == EntityKind::System => part_of.push(target),
            _ => {}
        }
    }
    (shrunk(owned_by), shrunk(part_of))
}

fn location(spec: Option<&Value>) -> LocationSpec {
    let spec = spec.cloned().unwrap_or(Value::Null);
    let mut targets: Vec<String> = spec
        .get("target")
        .and_then(Value::as_str)
        .map(line)
        .into_iter()
        .collect();
    targets.extend(string_list(spec.get("targets")));
    LocationSpec {
        kind: str_field(&spec, "type"),
        targets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(v: Value) -> Entity {
        match decode(&v).unwrap() {
            Decoded::Entity(e) => *e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn component_with_owner_system_links_and_relations() {
        let e = entity(json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "checkout", "namespace": "shop",
                "annotations": {"argocd/app-name": "checkout-prod", "n": 3},
                "links": [
                    {"url": "https://grafana.example.com/d/1", "title": "Dashboard", "type": "Dashboard"},
                    {"url": "javascript:alert(1)", "title": "evil"},
                    {"url": "mailto:payments@example.com"},
                    {"url": "file:///etc/passwd"}]},
            "spec": {"type": "service", "lifecycle": "production", "owner": "payments", "system": "shop"},
            "relations": [{"type": "ownedBy", "targetRef": "group:default/payments-team"},
                          {"type": "partOf", "targetRef": "system:shop/storefront"}]
        }));
        assert_eq!(e.entity_ref().to_string(), "component:shop/checkout");
        assert_eq!(
            e.owner().unwrap().to_string(),
            "group:default/payments-team"
        );
        assert_eq!(e.system().unwrap().to_string(), "system:shop/storefront");
        assert_eq!(e.meta.links.len(), 2);
        assert_eq!(e.meta.links[0].kind.as_deref(), Some("dashboard"));
        assert_eq!(e.annotation("n"), Some("3"));
        let Spec::Component(c) = &e.spec else {
            panic!()
        };
        assert_eq!(c.owner.as_ref().unwrap().to_string(), "group:shop/payments");
    }

    #[test]
    fn references_parse_with_defaults() {
        let r = |s| EntityRef::parse(s, EntityKind::Group, "ns").map(|r| r.to_string());
        assert_eq!(r("team-a").as_deref(), Some("group:ns/team-a"));
        assert_eq!(r("user:alice").as_deref(), Some("user:ns/alice"));
        assert_eq!(
            r("User:Default/Alice").as_deref(),
            Some("user:default/alice")
        );
        assert_eq!(r("api:x"), None);
        assert_eq!(r(""), None);
        assert_eq!(r("a/b/c"), None);
    }

    #[test]
    fn hostile_text_is_cleaned_and_capped() {
        let e = entity(json!({
            "kind": "component",
            "metadata": {"name": "x\u{1b}[2Jy", "description": format!("\u{1b}]52;c;AAAA\u{7}{}", "d".repeat(200_000)),
                "title": "t\u{202e}"},
            "spec": {}
        }));
        assert_eq!(e.meta.name, "xy");
        let d = e.meta.description.unwrap();
        assert!(d.chars().count() < MAX_DESCRIPTION_CHARS + 20);
        assert!(!d.contains('\u{1b}'));
        assert_eq!(e.meta.title.as_deref(), Some("t"));
    }

    #[test]
    fn other_kinds_and_broken_documents() {
        assert!(matches!(
            decode(&json!({"kind": "API", "metadata": {"name": "a"}})),
            Ok(Decoded::Ignored(_))
        ));
        assert!(decode(&json!({"kind": "Component"})).is_err());
        assert!(decode(&json!([1])).is_err());
        assert!(decode(&json!({"kind": "Component", "metadata": {"name": ""}})).is_err());
        let Decoded::Location(l) = decode(&json!({"kind": "Location", "spec": {"type": "file", "target": "./a.yaml", "targets": ["b.yaml"]}})).unwrap() else { panic!() };
        assert_eq!(l.targets, vec!["./a.yaml", "b.yaml"]);
    }
}
