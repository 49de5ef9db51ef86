//! The join's precedence, one annotation at a time.

use super::*;
use crate::catalog::{Decoded, decode};
use serde_json::{Value, json};

fn entity(v: Value) -> Entity {
    match decode(&v).unwrap() {
        Decoded::Entity(e) => *e,
        other => panic!("{other:?}"),
    }
}

fn component(name: &str, ns: &str, annotations: Value, owner: &str) -> Entity {
    entity(json!({"kind": "Component",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations},
        "spec": {"type": "service", "lifecycle": "production", "owner": owner, "system": "shop"}}))
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn service_labels() -> Vec<String> {
    vec!["service".into(), "app".into()]
}

/// `join_alert` with owned results (the real one borrows from its arguments).
fn join(i: &CatalogIndex, pairs: &[(&str, &str)]) -> (Option<String>, MatchedBy) {
    let l = labels(pairs);
    let sl = service_labels();
    let (s, why) = i.join_alert(&l, &sl);
    (s.map(str::to_string), why)
}

fn index() -> CatalogIndex {
    let es = [
        component(
            "checkout",
            "default",
            json!({"argocd/app-name": "checkout-prod", "backstage.io/kubernetes-id": "checkout-svc",
                   "prometheus.io/alert": "CheckoutSlow, all"}),
            "payments",
        ),
        component(
            "checkout",
            "shop",
            json!({"backstage.io/kubernetes-namespace": "shop-ns"}),
            "group:shop/web",
        ),
        component(
            "search",
            "default",
            json!({"argocd/app-selector": "team=search,tier in (web)"}),
            "user:yuki",
        ),
        component(
            "cart",
            "default",
            json!({"prometheus.io/alert": "Shared"}),
            "storefront",
        ),
        component(
            "pay",
            "default",
            json!({"prometheus.io/alert": "Shared", "prometheus.io/labels": "service=pay"}),
            "payments",
        ),
        entity(json!({"kind": "Group", "metadata": {"name": "payments"},
            "spec": {"type": "team", "profile": {"displayName": "Payments Team", "email": "p@example.com"}},
            "links": []})),
        entity(
            json!({"kind": "System", "metadata": {"name": "shop", "title": "The Shop"}, "spec": {"owner": "payments"}}),
        ),
    ];
    CatalogIndex::build(es.into_iter().map(Arc::new))
}

#[test]
fn equal_names_in_two_namespaces_keep_two_services() {
    let i = index();
    let names: Vec<&str> = i.components().iter().map(|c| c.service.as_str()).collect();
    assert_eq!(
        names,
        ["cart", "checkout", "pay", "search", "shop/checkout"]
    );
    // Namespace decides; else `default`.
    let (s, _) = join(&i, &[("service", "checkout"), ("namespace", "shop-ns")]);
    assert_eq!(s.as_deref(), Some("shop/checkout"));
    let (s, why) = join(&i, &[("service", "checkout")]);
    assert_eq!(s.as_deref(), Some("checkout"));
    assert_eq!(why, MatchedBy::AlertLabel("service".into()));
}

#[test]
fn alert_precedence() {
    let i = index();
    // The label's value as a kubernetes-id.
    let (s, why) = join(&i, &[("app", "checkout-svc")]);
    assert_eq!(
        (s.as_deref(), why),
        (Some("checkout"), MatchedBy::AlertKubernetesId)
    );
    // A workload label on the alert.
    let (s, why) = join(&i, &[("label_backstage_io_kubernetes_id", "checkout-svc")]);
    assert_eq!(
        (s.as_deref(), why),
        (Some("checkout"), MatchedBy::AlertWorkloadLabel)
    );
    // prometheus.io/alert names ("all" is not a name).
    let (s, why) = join(&i, &[("alertname", "CheckoutSlow")]);
    assert_eq!(
        (s.as_deref(), why),
        (Some("checkout"), MatchedBy::AlertName)
    );
    let (s, _) = join(&i, &[("alertname", "all")]);
    assert_eq!(s, None);
    // Two components list the name: prometheus.io/labels decides; unclaimed otherwise.
    let (s, why) = join(&i, &[("alertname", "Shared"), ("service", "pay")]);
    assert_eq!(
        (s.as_deref(), why),
        (Some("pay"), MatchedBy::AlertLabel("service".into()))
    );
    let (s, why) = join(&i, &[("alertname", "Shared"), ("team", "x")]);
    // `cart` has no labels selector, `pay` does not match: cart alone claims it.
    assert_eq!((s.as_deref(), why), (Some("cart"), MatchedBy::AlertName));
    // Nothing matches: the label's value is kept, never dropped.
    let (s, why) = join(&i, &[("service", "ghost")]);
    assert_eq!(
        (s.as_deref(), why),
        (Some("ghost"), MatchedBy::AlertUncatalogued)
    );
    // The label beats prometheus.io/alert.
    let (s, _) = join(&i, &[("alertname", "CheckoutSlow"), ("service", "cart")]);
    assert_eq!(s.as_deref(), Some("cart"));
}

#[test]
fn app_precedence() {
    let i = index();
    let none = Labels::new();
    let j =
        |name: &str, l: &Labels, derived: &str| i.join_app(name, l, "argocd", derived.to_string());
    assert_eq!(
        j("checkout-prod", &none, "x"),
        ("checkout".to_string(), MatchedBy::AppName)
    );
    let l = labels(&[("team", "search"), ("tier", "web")]);
    assert_eq!(
        j("search-eu", &l, "search-eu"),
        ("search".to_string(), MatchedBy::AppSelector)
    );
    let l = labels(&[("team", "search"), ("tier", "batch")]);
    assert_eq!(
        j("search-eu", &l, "search-eu"),
        ("search-eu".to_string(), MatchedBy::AppUncatalogued)
    );
    assert_eq!(
        j("cart-prod", &none, "cart"),
        ("cart".to_string(), MatchedBy::AppDerivedName)
    );
    assert_eq!(
        j("cs", &none, "checkout-svc"),
        ("checkout".to_string(), MatchedBy::AppDerivedName)
    );
    assert_eq!(
        i.join_app("checkout-prod", &none, "shop-ns", "checkout".into())
            .0,
        "checkout",
        "argocd/app-name wins over the namespace"
    );
    assert_eq!(
        i.join_app("co", &none, "shop-ns", "checkout".into()).0,
        "shop/checkout"
    );
}

#[test]
fn owners_systems_and_teams() {
    let i = index();
    let (r, e) = i.owner("checkout").unwrap();
    assert_eq!(r.to_string(), "group:default/payments");
    assert_eq!(e.unwrap().display_name(), "Payments Team");
    assert_eq!(i.owner_label("checkout").as_deref(), Some("payments"));
    assert_eq!(i.owner_label("search").as_deref(), Some("user:yuki"));
    assert_eq!(i.owner_label("shop/checkout").as_deref(), Some("shop/web"));
    // A group missing from the catalog is still named.
    let (_, missing) = i.owner("shop/checkout").unwrap();
    assert!(missing.is_none());
    assert_eq!(i.system("checkout").as_deref(), Some("The Shop"));
    assert!(i.owned_by("checkout", "payments"));
    assert!(i.owned_by("checkout", "payments team"));
    assert!(!i.owned_by("search", "payments"));
    assert_eq!(i.lifecycle("cart"), Some("production"));
}

#[test]
fn an_empty_catalog_changes_nothing() {
    let i = CatalogIndex::build(std::iter::empty());
    let (s, why) = join(&i, &[("service", "checkout")]);
    assert_eq!(
        (s.as_deref(), why),
        (Some("checkout"), MatchedBy::AlertUncatalogued)
    );
    assert_eq!(
        i.join_app("a-prod", &Labels::new(), "ns", "a".into()),
        ("a".to_string(), MatchedBy::AppUncatalogued)
    );
}

#[test]
fn an_ambiguous_name_is_not_guessed() {
    let es = [
        component("api", "shop", json!({}), "team-a"),
        component("api", "web", json!({}), "team-b"),
    ];
    let i = CatalogIndex::build(es.into_iter().map(Arc::new));
    // Neither namespace named, none in `default`: not joined (its own row, no owner shown).
    let (s, why) = join(&i, &[("service", "api")]);
    assert_eq!(
        (s.as_deref(), why),
        (Some("api"), MatchedBy::AlertUncatalogued)
    );
    let (s, _) = join(&i, &[("service", "api"), ("namespace", "web")]);
    assert_eq!(s.as_deref(), Some("web/api"));
}

#[test]
fn an_app_two_components_claim_is_not_guessed() {
    let es = [
        component(
            "a",
            "default",
            json!({"argocd/app-name": "shared-prod"}),
            "team-a",
        ),
        component(
            "b",
            "default",
            json!({"argocd/app-name": "shared-prod"}),
            "team-b",
        ),
        component(
            "c",
            "default",
            json!({"argocd/app-selector": "tier=web"}),
            "team-c",
        ),
        component(
            "d",
            "default",
            json!({"argocd/app-selector": "tier=web"}),
            "team-d",
        ),
    ];
    let i = CatalogIndex::build(es.into_iter().map(Arc::new));
    let none = Labels::new();
    assert_eq!(
        i.join_app("shared-prod", &none, "ns", "shared".into()),
        ("shared".to_string(), MatchedBy::AppUncatalogued)
    );
    let web = labels(&[("tier", "web")]);
    assert_eq!(
        i.join_app("web-prod", &web, "ns", "web".into()),
        ("web".to_string(), MatchedBy::AppUncatalogued)
    );
}
