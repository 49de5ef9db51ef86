//! The correlation index: which alerts and apps belong to which service, each app's deploys,
//! and the fleet-wide change feed, kept up to date from what changed.
//!
//! Stores change in `update` (an alert answer merged, an app stored or deleted); each change
//! is *noted* here at once (cheap: membership maps and a dirty set). Once per batch of messages
//! [`Model::recorrelate`] recomputes only the dirty service rows, moves only the changed apps'
//! deploys in the feed, re-ranks the rows (a sort of at most a few thousand) and rebuilds the
//! screens' row lists. A poll that changed nothing notes nothing and costs nothing here.

mod deploys;
mod kube;
mod rows;

use rows::RERANK_SORT_AT;

pub use deploys::{DEPLOY_FEED_DAYS, DeployKey, deploy_key, deploys_of_app};
pub use kube::image_tag;

use super::Model;
use super::alert::Alert;
use super::app::{App, AppKey};
use super::deploy::{Deploy, feed_order};
use super::fasthash::{FastMap, FastSet};
use super::service::{NO_SERVICE, ServiceRow};
use super::store::{AlertChanges, fingerprint_key};
use crate::catalog::CatalogIndex;
use crate::config::settings::{ENV_SUFFIXES, Settings};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

#[derive(Debug, Default, Clone)]
pub struct Correlation {
    /// Where each service's row is in `Model::services` (rebuilt after each re-rank).
    index: FastMap<String, usize>,
    /// The service each alert is counted under (by fingerprint key).
    alert_service: FastMap<u64, String>,
    /// Each service's alerts, by fingerprint key.
    service_alerts: FastMap<String, FastMap<u64, Arc<Alert>>>,
    /// The service each app is joined to, and each service's apps.
    app_service: HashMap<AppKey, String>,
    service_apps: FastMap<String, BTreeSet<AppKey>>,
    /// Each app's deploys in the feed window, newest first (shared with the feed).
    app_deploys: HashMap<AppKey, Vec<Arc<Deploy>>>,
    /// Deploys replaced since the feed was updated: found there by binary search and removed.
    replaced: Vec<Arc<Deploy>>,
    /// The deploys marked suspect, per service (to unmark when they stop being).
    suspects: FastMap<String, Vec<DeployKey>>,
    /// Services whose rows must be recomputed, apps whose deploys moved.
    dirty_services: FastSet<String>,
    dirty_apps: Vec<AppKey>,
    /// Nothing is known to be current: rebuild everything from the stores.
    stale: bool,
    /// The feed changed since the Deploys screen's rows were built.
    feed_changed: bool,
    /// Kubernetes workloads: summaries, joins, the Argo CD resources they join through.
    kube: super::kube_join::KubeIndex,
}

impl Correlation {
    /// Something changed that the notes cannot describe (settings, a hand-built model).
    pub fn invalidate(&mut self) {
        self.stale = true;
    }

    /// Whether the feed changed since the last call (the Deploys rows need rebuilding).
    pub fn take_feed_changed(&mut self) -> bool {
        std::mem::take(&mut self.feed_changed)
    }

    fn is_dirty(&self) -> bool {
        self.stale || !self.dirty_services.is_empty() || !self.dirty_apps.is_empty()
    }

    /// Move changed alerts between services. An alert that stays in its service (the common
    /// case) costs two lookups and no allocation.
    pub fn note_alerts(
        &mut self,
        changes: &AlertChanges,
        settings: &Settings,
        catalog: &CatalogIndex,
    ) {
        // Each touched alert's service, worked out once.
        let touched: FastMap<u64, (&Arc<Alert>, &str)> = changes
            .touched
            .iter()
            .map(|a| {
                let service = alert_service(a, settings, catalog);
                (fingerprint_key(&a.fingerprint), (a, service))
            })
            .collect();
        for old in &changes.before {
            let key = fingerprint_key(&old.fingerprint);
            let stays = touched.get(&key).is_some_and(|(_, service)| {
                self.alert_service.get(&key).map(String::as_str) == Some(*service)
            });
            if stays {
                continue;
            }
            if let Some(service) = self.alert_service.remove(&key) {
                if let Some(m) = self.service_alerts.get_mut(&service) {
                    m.remove(&key);
                }
                self.dirty_services.insert(service);
            }
        }
        for (key, (new, service)) in touched {
            if self.alert_service.get(&key).map(String::as_str) != Some(service) {
                self.alert_service.insert(key, service.to_string());
            }
            match self.service_alerts.get_mut(service) {
                Some(m) => {
                    m.insert(key, Arc::clone(new));
                }
                None => {
                    let mut m = FastMap::default();
                    m.insert(key, Arc::clone(new));
                    self.service_alerts.insert(service.to_string(), m);
                }
            }
            if !self.dirty_services.contains(service) {
                self.dirty_services.insert(service.to_string());
            }
        }
    }

    /// Count `alert` under `service` (moving it from where it was).
    fn move_alert(&mut self, key: u64, alert: Arc<Alert>, service: String) {
        if let Some(old) = self.alert_service.insert(key, service.clone()) {
            if let Some(m) = self.service_alerts.get_mut(&old) {
                m.remove(&key);
            }
            self.dirty_services.insert(old);
        }
        self.service_alerts
            .entry(service.clone())
            .or_default()
            .insert(key, alert);
        self.dirty_services.insert(service);
    }

    /// An app was stored (new or changed): join it, re-derive its deploys.
    fn note_app(
        &mut self,
        app: &App,
        settings: &Settings,
        catalog: &CatalogIndex,
        now: DateTime<Utc>,
    ) {
        let service = service_of_app(app, settings, catalog);
        if let Some(previous) = self.app_service.insert(app.key.clone(), service.clone())
            && previous != service
        {
            if let Some(set) = self.service_apps.get_mut(&previous) {
                set.remove(&app.key);
            }
            self.dirty_services.insert(previous);
        }
        self.service_apps
            .entry(service.clone())
            .or_default()
            .insert(app.key.clone());
        let deploys = deploys_of_app(app, &service, now)
            .into_iter()
            .map(Arc::new)
            .collect();
        if let Some(old) = self.app_deploys.insert(app.key.clone(), deploys) {
            self.replaced.extend(old);
        }
        self.dirty_services.insert(service);
        self.dirty_apps.push(app.key.clone());
        // Workloads join through apps (their resources, their services).
        self.kube.argo.note_app(app);
        self.kube.rejoin = true;
    }

    /// An app is gone.
    fn note_app_removed(&mut self, key: &AppKey) {
        if let Some(service) = self.app_service.remove(key) {
            if let Some(set) = self.service_apps.get_mut(&service) {
                set.remove(key);
            }
            self.dirty_services.insert(service);
        }
        if let Some(old) = self.app_deploys.remove(key) {
            self.replaced.extend(old);
        }
        self.dirty_apps.push(key.clone());
        self.kube.argo.remove(key);
        self.kube.rejoin = true;
    }
}

/// The service an alert belongs to: the catalog's join (`catalog::index`), which without a
/// catalog is the first label of the configured precedence that is set.
fn alert_service<'a>(
    alert: &'a Alert,
    settings: &'a Settings,
    catalog: &'a CatalogIndex,
) -> &'a str {
    if catalog.components().is_empty() {
        return alert
            .service(&settings.service_labels)
            .unwrap_or(NO_SERVICE);
    }
    catalog
        .join_alert(&alert.labels, &settings.service_labels)
        .0
        .unwrap_or(NO_SERVICE)
}

/// The service an app belongs to: the explicit `[apps] services` map, then the catalog's
/// annotations (`catalog::index`), then labels, then the name without its environment suffix.
pub fn service_of_app(app: &App, settings: &Settings, catalog: &CatalogIndex) -> String {
    if let Some(s) = settings.app_services.get(&app.key.name) {
        return s.clone();
    }
    let derived = derived_app_service(app, settings);
    if catalog.components().is_empty() {
        return derived;
    }
    catalog
        .join_app(
            &app.key.name,
            &app.labels,
            &app.destination_namespace,
            derived,
        )
        .0
}

/// What an app's service is called without a catalog: labels, then the name without its
/// environment suffix.
pub fn derived_app_service(app: &App, settings: &Settings) -> String {
    for label in &settings.app_service_labels {
        if let Some(v) = app.labels.get(label).filter(|v| !v.is_empty()) {
            return v.clone();
        }
    }
    let name = app.key.name.as_str();
    ENV_SUFFIXES
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix).filter(|s| !s.is_empty()))
        .unwrap_or(name)
        .to_string()
}

impl Correlation {
    /// The service an alert is counted under: as noted, else joined now.
    pub fn service_of_alert<'a>(
        &'a self,
        alert: &'a Alert,
        settings: &'a Settings,
        catalog: &'a CatalogIndex,
    ) -> &'a str {
        match self.alert_service.get(&fingerprint_key(&alert.fingerprint)) {
            Some(s) => s,
            None => alert_service(alert, settings, catalog),
        }
    }
}

impl Correlation {
    /// The service an app is joined to.
    pub fn service_of_app(&self, key: &AppKey) -> Option<&str> {
        self.app_service.get(key).map(String::as_str)
    }
}

/// Does `service` belong to `team` (`:team`)? Everything does when no team is chosen.
pub fn in_team(catalog: &CatalogIndex, team: Option<&str>, service: &str) -> bool {
    team.is_none_or(|t| catalog.owned_by(service, t))
}

impl Model {
    /// The service an alert is counted under (as the index joined it).
    pub fn service_of_alert<'a>(&'a self, alert: &'a Alert) -> &'a str {
        self.correlation
            .service_of_alert(alert, &self.settings, &self.catalog)
    }

    /// Where a service's row is in `services`.
    pub fn correlation_index(&self, service: &str) -> Option<&usize> {
        self.correlation.index.get(service)
    }

    /// Firing alerts `:team` hides (of services outside the team, or of none): what the
    /// narrowed screens must not let anyone forget.
    pub fn firing_hidden_by_team(&self) -> usize {
        if self.team.is_none() {
            return 0;
        }
        self.services
            .iter()
            .filter(|s| !self.in_team(&s.name))
            .map(|s| s.firing)
            .sum()
    }

    /// How many components `:team` names (0: no such team in the catalog).
    pub fn team_components(&self) -> usize {
        match &self.team {
            Some(t) => self
                .catalog
                .components()
                .iter()
                .filter(|c| self.catalog.owned_by(&c.service, t))
                .count(),
            None => 0,
        }
    }

    /// Whether a service passes `:team`.
    pub fn in_team(&self, service: &str) -> bool {
        in_team(&self.catalog, self.team.as_deref(), service)
    }

    /// Like [`Model::service_of_alert`], `None` for an alert of no service.
    pub fn alert_service_name<'a>(&'a self, alert: &'a Alert) -> Option<&'a str> {
        Some(self.service_of_alert(alert)).filter(|s| *s != NO_SERVICE)
    }

    /// The service an app is joined to.
    pub fn service_of_app_key(&self, key: &AppKey) -> Option<&str> {
        self.correlation.app_service.get(key).map(String::as_str)
    }

    /// A service's most recent deploys, newest first, at most `n` (from its apps' own lists:
    /// no walk through the fleet's feed).
    pub fn recent_deploys(&self, row: &ServiceRow, n: usize) -> Vec<&Deploy> {
        let mut all: Vec<&Deploy> = row
            .apps
            .iter()
            .chain(&row.kube_deploys)
            .filter_map(|k| self.correlation.app_deploys.get(k))
            .flat_map(|d| d.iter().take(n).map(|d| &**d))
            .collect();
        all.sort_by(|a, b| feed_order(a, b));
        all.truncate(n);
        all
    }

    /// How many deploys are suspects now.
    pub fn suspect_count(&self) -> usize {
        self.correlation.suspects.values().map(Vec::len).sum()
    }

    /// Store an app (new or changed), noting it for the next [`Model::recorrelate`].
    pub fn put_app(&mut self, app: App) {
        self.correlation
            .note_app(&app, &self.settings, &self.catalog, self.now);
        self.apps_view_stale = true;
        self.apps.insert(app.key.clone(), app);
    }

    /// Remove an app from the store, noting it.
    pub fn take_app(&mut self, key: &AppKey) -> Option<App> {
        let app = self.apps.remove(key)?;
        self.correlation.note_app_removed(key);
        self.apps_view_stale = true;
        Some(app)
    }

    /// Bring the service rows and the change feed up to date with what was noted since the
    /// last call: only dirty rows are recomputed. Returns whether anything changed.
    pub fn recorrelate(&mut self) -> bool {
        if self.correlation.stale {
            self.correlate_from_scratch();
            return true;
        }
        self.rederive_kube(false);
        if !self.correlation.is_dirty() {
            return false;
        }
        let dirty: Vec<String> = self.correlation.dirty_services.drain().collect();
        let dirty_apps = std::mem::take(&mut self.correlation.dirty_apps);
        self.update_feed(&dirty_apps);
        for name in &dirty {
            self.recompute_row(name);
        }
        if dirty.len() > RERANK_SORT_AT {
            self.rerank();
        } else {
            self.reposition(&dirty);
        }
        true
    }

    /// The catalog changed (from `old` to `self.catalog`): move only the alerts and apps
    /// whose service changed, and mark the rows whose component or owner changed. A lookup
    /// per alert and app, no rebuild: a catalog refresh that changed one owner costs little.
    pub fn rejoin_catalog(&mut self, old: &CatalogIndex) {
        if self.correlation.stale {
            return; // rebuilt from scratch at the next recorrelate anyway
        }
        self.correlation.kube.rejoin = true;
        if old.join_digest() != self.catalog.join_digest() {
            self.rejoin_all();
        }
        // Rows carry the owner: recompute the rows (of services with alerts or apps; the
        // others have none) whose owner changed.
        let dirty = &mut self.correlation.dirty_services;
        for row in &self.services {
            if old.owner_label(&row.name) != self.catalog.owner_label(&row.name) {
                dirty.insert(row.name.clone());
            }
        }
    }

    /// Join every alert and app again; move those whose service changed.
    fn rejoin_all(&mut self) {
        let mut moved_alerts = Vec::new();
        for alert in self.alerts.iter() {
            let key = fingerprint_key(&alert.fingerprint);
            let service = alert_service(alert, &self.settings, &self.catalog);
            if self.correlation.alert_service.get(&key).map(String::as_str) != Some(service) {
                moved_alerts.push((key, Arc::clone(alert), service.to_string()));
            }
        }
        for (key, alert, service) in moved_alerts {
            self.correlation.move_alert(key, alert, service);
        }
        let moved_apps: Vec<AppKey> = self
            .apps
            .values()
            .filter(|a| {
                let now = service_of_app(a, &self.settings, &self.catalog);
                self.correlation.app_service.get(&a.key) != Some(&now)
            })
            .map(|a| a.key.clone())
            .collect();
        for key in moved_apps {
            if let Some(app) = self.apps.get(&key) {
                self.correlation
                    .note_app(app, &self.settings, &self.catalog, self.now);
            }
        }
    }

    /// Forget the index and build it again from the stores (settings changed, a model built by
    /// hand, the first answer).
    fn correlate_from_scratch(&mut self) {
        let mut c = Correlation::default();
        for alert in self.alerts.iter() {
            let service = alert_service(alert, &self.settings, &self.catalog).to_string();
            let key = fingerprint_key(&alert.fingerprint);
            c.alert_service.insert(key, service.clone());
            c.service_alerts
                .entry(service)
                .or_default()
                .insert(key, Arc::clone(alert));
        }
        for app in self.apps.values() {
            c.note_app(app, &self.settings, &self.catalog, self.now);
        }
        // The workloads' summaries are kept (they do not depend on settings or joins); every
        // workload is joined again below.
        let argo = std::mem::take(&mut c.kube.argo);
        c.kube = std::mem::take(&mut self.correlation.kube);
        c.kube.argo = argo;
        self.correlation = c;
        self.rederive_kube(true);
        let c = &mut self.correlation;
        c.dirty_apps.clear();
        c.dirty_services.clear();
        c.replaced.clear();
        let names: BTreeSet<String> = c
            .service_alerts
            .keys()
            .chain(c.service_apps.keys())
            .chain(c.kube.services())
            .cloned()
            .collect();
        self.services.clear();
        self.correlation.index.clear();
        self.rebuild_feed();
        for name in &names {
            self.recompute_row(name);
        }
        self.rerank();
    }
}

impl Model {
    /// Every workload's summary, joined to its service.
    pub fn kube_index(&self) -> &super::kube_join::KubeIndex {
        &self.correlation.kube
    }
}
