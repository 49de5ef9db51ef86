//! The catalog as the correlation index joins it: every component with the keys that point at
//! it (its name, `backstage.io/kubernetes-id`, the alert names of `prometheus.io/alert`, the
//! Argo CD app of `argocd/app-name` and the selector of `argocd/app-selector`), each team and
//! person by reference. Built once per catalog change, off nothing but the entities.
//!
//! The join's precedence (documented in the README, shown on the Services screen):
//! - an alert: the configured service labels' value naming a component (or its
//!   kubernetes-id), then a `backstage.io/kubernetes-id` label on the alert, then its
//!   `alertname` listed by exactly one component's `prometheus.io/alert`;
//! - an Argo CD app: `argocd/app-name`, then `argocd/app-selector`, then the service name
//!   sitrep derives from the app (`[apps] services`, labels, name without `-prod`) naming a
//!   component or its kubernetes-id.
//!
//! Equal names in two namespaces: the component whose `backstage.io/kubernetes-namespace`
//! equals the alert's or app's namespace wins, then the one in `default`; such components'
//! services are called `namespace/name` so both keep a row.

use super::entity::{DEFAULT_NAMESPACE, Entity, EntityKind, EntityRef, Spec};
use crate::model::alert::Labels;
use crate::model::fasthash::{FastMap, FastSet};
use crate::selector::Selector;
use std::collections::HashMap;
use std::sync::Arc;

pub const APP_NAME: &str = "argocd/app-name";
pub const APP_SELECTOR: &str = "argocd/app-selector";
pub const KUBERNETES_ID: &str = "backstage.io/kubernetes-id";
pub const KUBERNETES_NAMESPACE: &str = "backstage.io/kubernetes-namespace";
pub const KUBERNETES_SELECTOR: &str = "backstage.io/kubernetes-label-selector";
pub const PROMETHEUS_ALERT: &str = "prometheus.io/alert";
pub const PROMETHEUS_LABELS: &str = "prometheus.io/labels";
pub const PAGERDUTY_SERVICE: &str = "pagerduty.com/service-id";
pub const OPSGENIE_TEAM: &str = "opsgenie.com/team";
/// sitrep's own: the paging schedule of a component or team (`payments-primary`).
pub const ONCALL_SCHEDULE: &str = "sitrep.dev/oncall-schedule";
/// sitrep's own: a team's chat channel (`#payments-oncall`), when no `slack`/`chat` link says.
pub const CHAT: &str = "sitrep.dev/chat";

/// Alert labels that carry a workload's `backstage.io/kubernetes-id` label (as relabelled by
/// Prometheus, or as kube-state-metrics exports pod labels).
const KUBERNETES_ID_LABELS: [&str; 3] = [
    "backstage_io_kubernetes_id",
    "label_backstage_io_kubernetes_id",
    "backstage.io/kubernetes-id",
];

/// How an alert or app was joined to its service; the Services screen shows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatchedBy {
    /// The alert's service label (named) names the component.
    AlertLabel(String),
    /// The alert's service label names the component's kubernetes-id.
    AlertKubernetesId,
    /// The alert carries the workload label `backstage.io/kubernetes-id`.
    AlertWorkloadLabel,
    /// The component's `prometheus.io/alert` lists the alert's name.
    AlertName,
    AppName,
    AppSelector,
    /// The service name derived from the app names the component (or its kubernetes-id).
    AppDerivedName,
    /// Not in the catalog: the alert's label / the app's derived name is the service.
    AlertUncatalogued,
    AppUncatalogued,
}

impl MatchedBy {
    /// "app via argocd/app-name".
    pub fn describe(&self) -> String {
        match self {
            MatchedBy::AlertLabel(l) => format!("alerts via label {l}"),
            MatchedBy::AlertKubernetesId => format!("alerts via {KUBERNETES_ID}"),
            MatchedBy::AlertWorkloadLabel => format!("alerts via workload label {KUBERNETES_ID}"),
            MatchedBy::AlertName => format!("alerts via {PROMETHEUS_ALERT}"),
            MatchedBy::AppName => format!("app via {APP_NAME}"),
            MatchedBy::AppSelector => format!("app via {APP_SELECTOR}"),
            MatchedBy::AppDerivedName => "app via its name".to_string(),
            MatchedBy::AlertUncatalogued => "not in catalog: alerts via label".to_string(),
            MatchedBy::AppUncatalogued => "not in catalog: app via its name".to_string(),
        }
    }
}

/// One component and the service key its row is known by.
#[derive(Debug)]
pub struct Component {
    pub entity: Arc<Entity>,
    /// `checkout`, or `shop/checkout` when another namespace has a `checkout` too.
    pub service: String,
}

#[derive(Debug, Default)]
pub struct CatalogIndex {
    components: Vec<Component>,
    /// Every entity (groups, users, systems too), by reference.
    by_ref: HashMap<EntityRef, Arc<Entity>>,
    /// Keys → components, by the hash of the lower-cased key (a lookup checks the component
    /// really has it): no copy of every name, id and app name of a 10,000-component catalog.
    by_name: Keyed,
    by_kubernetes_id: Keyed,
    by_alertname: Keyed,
    by_app_name: Keyed,
    app_selectors: Vec<(Selector, u32)>,
    /// `backstage.io/kubernetes-label-selector` of each component that has one (workloads).
    kube_selectors: Vec<(Selector, u32)>,
    /// Service key → component.
    by_service: Keyed,
    /// Entities of every kind (for `is_empty`).
    entities: usize,
    /// A hash of everything the join reads (each component's service key, namespace, name and
    /// join annotations): equal digests join every alert and app the same way, so a catalog
    /// refresh that changed only descriptions, owners or links re-joins nothing.
    join_digest: u64,
}

/// Components by the hash of a lower-cased key; several per key when names repeat (or hashes
/// collide): callers keep the ones that really match.
#[derive(Debug, Default)]
struct Keyed(FastMap<u64, Vec<u32>>);

/// FNV-1a over the ASCII-lower-cased bytes.
fn key_hash(key: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in key.bytes() {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

impl Keyed {
    fn add(&mut self, key: &str, i: usize) {
        let list = self.0.entry(key_hash(key)).or_default();
        if !list.contains(&(i as u32)) {
            list.push(i as u32);
            list.shrink_to_fit();
        }
    }
    fn get(&self, key: &str) -> &[u32] {
        self.0.get(&key_hash(key)).map_or(&[], Vec::as_slice)
    }
}

/// The annotations the join reads (`join_digest`).
const JOIN_ANNOTATIONS: [&str; 7] = [
    KUBERNETES_ID,
    KUBERNETES_SELECTOR,
    KUBERNETES_NAMESPACE,
    PROMETHEUS_ALERT,
    PROMETHEUS_LABELS,
    APP_NAME,
    APP_SELECTOR,
];

/// FNV-1a over a sequence of strings, each ended by a byte no text holds.
struct Digest(u64);

impl Digest {
    fn add(&mut self, s: &str) {
        for b in s.bytes().chain([0xff]) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }
}

/// Components matching a key (see `CatalogIndex::matching`).
enum Matches {
    None,
    One([usize; 1]),
    Many(Vec<usize>),
}

impl std::ops::Deref for Matches {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        match self {
            Matches::None => &[],
            Matches::One(one) => one,
            Matches::Many(v) => v,
        }
    }
}

/// Case-insensitive order without allocating (the sort compares 10,000 names many times).
fn cmp_ignore_case(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Does a comma-separated annotation list `list` name `item` (exactly)?
fn lists(list: Option<&str>, item: &str) -> bool {
    list.is_some_and(|l| l.split(',').any(|x| x.trim() == item))
}

impl CatalogIndex {
    /// Index `entities` (every catalog's, in source order: the first of two equal references
    /// wins).
    pub fn build(entities: impl IntoIterator<Item = Arc<Entity>>) -> CatalogIndex {
        let mut index = CatalogIndex::default();
        let mut components: Vec<Arc<Entity>> = Vec::new();
        let mut seen_components: FastSet<EntityRef> = FastSet::default();
        for e in entities {
            let r = e.entity_ref();
            index.entities += 1;
            if e.kind == EntityKind::Component {
                // Components are found through the keys below; only owners and systems by
                // reference.
                if seen_components.insert(r) {
                    components.push(e);
                }
            } else {
                index.by_ref.entry(r).or_insert(e);
            }
        }
        drop(seen_components);
        components.sort_by(|a, b| {
            cmp_ignore_case(&a.meta.namespace, &b.meta.namespace)
                .then_with(|| cmp_ignore_case(&a.meta.name, &b.meta.name))
        });
        let mut name_count: FastMap<u64, usize> = FastMap::default();
        for e in &components {
            *name_count.entry(key_hash(&e.meta.name)).or_default() += 1;
        }
        index.components.reserve_exact(components.len());
        let mut digest = Digest(0xcbf29ce484222325);
        for (i, e) in components.into_iter().enumerate() {
            let repeated = name_count[&key_hash(&e.meta.name)] > 1;
            let service = if repeated && e.meta.namespace != DEFAULT_NAMESPACE {
                format!("{}/{}", e.meta.namespace, e.meta.name)
            } else {
                e.meta.name.clone()
            };
            index.by_name.add(&e.meta.name, i);
            if let Some(id) = e.annotation(KUBERNETES_ID) {
                index.by_kubernetes_id.add(id, i);
            }
            if let Some(alerts) = e.annotation(PROMETHEUS_ALERT) {
                for a in alerts.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                    if a != "all" {
                        index.by_alertname.add(a, i);
                    }
                }
            }
            if let Some(apps) = e.annotation(APP_NAME) {
                for a in apps.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                    index.by_app_name.add(a, i);
                }
            }
            if let Some(sel) = e
                .annotation(APP_SELECTOR)
                .and_then(Selector::from_annotation)
            {
                index.app_selectors.push((sel, i as u32));
            }
            if let Some(sel) = e
                .annotation(KUBERNETES_SELECTOR)
                .and_then(Selector::from_annotation)
            {
                index.kube_selectors.push((sel, i as u32));
            }
            index.by_service.add(&service, i);
            digest.add(&service);
            digest.add(&e.meta.namespace);
            digest.add(&e.meta.name);
            for key in JOIN_ANNOTATIONS {
                digest.add(e.annotation(key).unwrap_or(""));
            }
            index.components.push(Component { entity: e, service });
        }
        index.join_digest = digest.0;
        index
    }

    /// See the field: two indexes with the same digest join alike.
    pub fn join_digest(&self) -> u64 {
        self.join_digest
    }

    pub fn is_empty(&self) -> bool {
        self.entities == 0
    }

    pub fn components(&self) -> &[Component] {
        &self.components
    }

    pub fn entity(&self, r: &EntityRef) -> Option<&Arc<Entity>> {
        self.by_ref.get(r)
    }

    /// The component behind a service row, if the catalog has one.
    pub fn component(&self, service: &str) -> Option<&Component> {
        self.by_service
            .get(service)
            .iter()
            .map(|&i| &self.components[i as usize])
            .find(|c| c.service == service)
    }

    /// Among several components of one name, the one in `namespace` (by its
    /// kubernetes-namespace or its own), else the one in `default`; else none: guessing would
    /// show one team's owner on another team's alert.
    fn pick(&self, candidates: &[usize], namespace: Option<&str>) -> Option<usize> {
        if candidates.len() > 1 {
            if let Some(ns) = namespace {
                let in_ns = candidates.iter().copied().find(|&i| {
                    let e = &self.components[i].entity;
                    e.annotation(KUBERNETES_NAMESPACE)
                        .is_some_and(|k| k.eq_ignore_ascii_case(ns))
                        || e.meta.namespace.eq_ignore_ascii_case(ns)
                });
                if in_ns.is_some() {
                    return in_ns;
                }
            }
            return candidates
                .iter()
                .copied()
                .find(|&i| self.components[i].entity.meta.namespace == DEFAULT_NAMESPACE);
        }
        candidates.first().copied()
    }

    /// The components `keyed` holds under `key` that `really` says have it. Nearly always
    /// one or none: those cost no allocation.
    fn matching(&self, keyed: &Keyed, key: &str, really: impl Fn(&Entity) -> bool) -> Matches {
        let mut found = Matches::None;
        for i in keyed.get(key).iter().map(|&i| i as usize) {
            if really(&self.components[i].entity) {
                found = match found {
                    Matches::None => Matches::One([i]),
                    Matches::One([j]) => Matches::Many(vec![j, i]),
                    Matches::Many(mut v) => {
                        v.push(i);
                        Matches::Many(v)
                    }
                };
            }
        }
        found
    }

    /// A name (a label's value, a derived service name) as a component: by name, then by
    /// kubernetes-id.
    fn by_name_or_id(&self, value: &str, namespace: Option<&str>) -> Option<(usize, bool)> {
        let named = self.matching(&self.by_name, value, |e| {
            e.meta.name.eq_ignore_ascii_case(value)
        });
        if let Some(i) = self.pick(&named, namespace) {
            return Some((i, false));
        }
        let ids = self.kubernetes_ids(value);
        self.pick(&ids, namespace).map(|i| (i, true))
    }

    fn kubernetes_ids(&self, id: &str) -> Matches {
        self.matching(&self.by_kubernetes_id, id, |e| {
            e.annotation(KUBERNETES_ID)
                .is_some_and(|k| k.eq_ignore_ascii_case(id))
        })
    }

    /// The service of the component whose `backstage.io/kubernetes-id` is `id` (a workload's
    /// label), preferring the one in `namespace` when several share it.
    pub fn service_by_kubernetes_id(&self, id: &str, namespace: &str) -> Option<&str> {
        self.pick(&self.kubernetes_ids(id), Some(namespace))
            .map(|i| self.components[i].service.as_str())
    }

    /// The service of the one component whose `backstage.io/kubernetes-label-selector` selects
    /// a workload's `labels` (and whose `backstage.io/kubernetes-namespace`, if set, is the
    /// workload's). Two selecting it: neither, no guessed owner.
    pub fn service_selecting_workload(
        &self,
        labels: &super::entity::StrMap,
        namespace: &str,
    ) -> Option<&str> {
        if self.kube_selectors.is_empty() {
            return None;
        }
        let labels: Labels = labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let mut selecting = self.kube_selectors.iter().filter(|(s, i)| {
            s.matches(&labels)
                && self.components[*i as usize]
                    .entity
                    .annotation(KUBERNETES_NAMESPACE)
                    .is_none_or(|n| n.eq_ignore_ascii_case(namespace))
        });
        match (selecting.next(), selecting.next()) {
            (Some((_, i)), None) => Some(self.components[*i as usize].service.as_str()),
            _ => None,
        }
    }

    /// The service an alert belongs to and why (see the module's precedence). Without any
    /// match: the label's value (or `None`: the caller's "(no service)").
    pub fn join_alert<'a>(
        &'a self,
        labels: &'a Labels,
        service_labels: &'a [String],
    ) -> (Option<&'a str>, MatchedBy) {
        let namespace = labels.get("namespace").map(String::as_str);
        let label = service_labels
            .iter()
            .find_map(|l| labels.get(l).filter(|v| !v.is_empty()).map(|v| (l, v)));
        if self.components.is_empty() {
            return (label.map(|(_, v)| v.as_str()), MatchedBy::AlertUncatalogued);
        }
        if let Some((l, v)) = label
            && let Some((i, via_id)) = self.by_name_or_id(v, namespace)
        {
            let why = if via_id {
                MatchedBy::AlertKubernetesId
            } else {
                MatchedBy::AlertLabel(l.clone())
            };
            return (Some(self.components[i].service.as_str()), why);
        }
        for l in KUBERNETES_ID_LABELS {
            if let Some(i) = labels
                .get(l)
                .and_then(|v| self.pick(&self.kubernetes_ids(v), namespace))
            {
                return (
                    Some(self.components[i].service.as_str()),
                    MatchedBy::AlertWorkloadLabel,
                );
            }
        }
        if let Some(name) = labels.get("alertname") {
            let listing = self.matching(&self.by_alertname, name, |e| {
                lists(e.annotation(PROMETHEUS_ALERT), name)
            });
            // Several components list the name: their `prometheus.io/labels` decide, else
            // no one claims it.
            let claiming: Vec<usize> = listing
                .iter()
                .copied()
                .filter(|&i| {
                    self.components[i]
                        .entity
                        .annotation(PROMETHEUS_LABELS)
                        .and_then(Selector::from_annotation)
                        .is_none_or(|s| s.matches(labels))
                })
                .collect();
            if let [i] = claiming[..] {
                return (
                    Some(self.components[i].service.as_str()),
                    MatchedBy::AlertName,
                );
            }
        }
        (label.map(|(_, v)| v.as_str()), MatchedBy::AlertUncatalogued)
    }

    /// The service an Argo CD app belongs to and why; `derived` is the name sitrep works out
    /// without a catalog (`checkout` for `checkout-prod`), kept when no component claims it.
    pub fn join_app(
        &self,
        name: &str,
        labels: &Labels,
        namespace: &str,
        derived: String,
    ) -> (String, MatchedBy) {
        if self.components.is_empty() {
            return (derived, MatchedBy::AppUncatalogued);
        }
        let named = self.matching(&self.by_app_name, name, |e| {
            lists(e.annotation(APP_NAME), name)
        });
        // Exactly one component must claim the app: two that do is a catalog mistake, and
        // picking one would show one team's owner on another's app.
        if let [i] = named[..] {
            return (self.components[i].service.clone(), MatchedBy::AppName);
        }
        if named.is_empty() {
            let mut selecting = self.app_selectors.iter().filter(|(s, _)| s.matches(labels));
            if let (Some((_, i)), None) = (selecting.next(), selecting.next()) {
                return (
                    self.components[*i as usize].service.clone(),
                    MatchedBy::AppSelector,
                );
            }
        }
        match self.by_name_or_id(&derived, Some(namespace)) {
            Some((i, _)) => (
                self.components[i].service.clone(),
                MatchedBy::AppDerivedName,
            ),
            None => (derived, MatchedBy::AppUncatalogued),
        }
    }

    /// The owner of a service's component: the entity when the catalog has it, and the
    /// reference either way (an owner missing from the catalog is still named).
    pub fn owner(&self, service: &str) -> Option<(&EntityRef, Option<&Arc<Entity>>)> {
        let c = self.component(service)?;
        let r = c.entity.owner()?;
        Some((r, self.by_ref.get(r)))
    }

    /// The owner as the OWNER column shows it: `payments`, `user:alice`, `ops/payments`.
    pub fn owner_label(&self, service: &str) -> Option<String> {
        let (r, _) = self.owner(service)?;
        Some(match r.kind {
            EntityKind::Group => r.short(),
            _ => format!("{}:{}", r.kind.word(), r.short()),
        })
    }

    /// A team's chat channel: `sitrep.dev/chat`, else its first `slack`/`chat`/`teams` link's
    /// title (or URL).
    pub fn chat(entity: &Entity) -> Option<String> {
        if let Some(c) = entity.annotation(CHAT) {
            return Some(c.to_string());
        }
        entity
            .meta
            .links
            .iter()
            .find(|l| {
                matches!(
                    l.purpose(),
                    Some("slack" | "chat" | "teams" | "mattermost" | "discord")
                )
            })
            .map(|l| l.title.clone().unwrap_or_else(|| l.url.clone()))
    }

    /// The system a service's component is part of, as text.
    pub fn system(&self, service: &str) -> Option<String> {
        let c = self.component(service)?;
        let r = c.entity.system()?;
        Some(
            self.by_ref
                .get(r)
                .and_then(|s| s.meta.title.clone())
                .unwrap_or_else(|| r.short()),
        )
    }

    /// Does the service's owner match `team` (its name, `namespace/name` or display name,
    /// case-insensitive)?
    pub fn owned_by(&self, service: &str, team: &str) -> bool {
        let Some((r, entity)) = self.owner(service) else {
            return false;
        };
        r.name.eq_ignore_ascii_case(team)
            || r.short().eq_ignore_ascii_case(team)
            || entity.is_some_and(|e| e.display_name().eq_ignore_ascii_case(team))
    }

    /// Every owner of a component, as the OWNER column shows them, sorted.
    pub fn owners(&self) -> Vec<String> {
        let mut owners: Vec<String> = self
            .components
            .iter()
            .filter_map(|c| self.owner_label(&c.service))
            .collect();
        owners.sort();
        owners.dedup();
        owners
    }

    /// A component's lifecycle (`production`), for the Services screen.
    pub fn lifecycle(&self, service: &str) -> Option<&str> {
        match &self.component(service)?.entity.spec {
            Spec::Component(c) => c.lifecycle.as_deref(),
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
