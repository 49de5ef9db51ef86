//! The correlation index: which alerts and apps belong to which service, each app's deploys,
//! and the fleet-wide change feed, kept up to date from what changed.
//!
//! Stores change in `update` (an alert snapshot merged, an app stored or deleted); each change
//! is *noted* here at once (cheap: membership maps and a dirty set). Once per batch of messages
//! [`Model::recorrelate`] recomputes only the dirty service rows, moves only the changed apps'
//! deploys in the feed, re-ranks the rows (a sort of at most a few thousand) and rebuilds the
//! screens' row lists. A poll that changed nothing notes nothing and costs nothing here.

use super::Model;
use super::alert::{Alert, AlertState, Severity};
use super::app::{App, AppKey, HealthStatus, OperationPhase, SyncStatus};
use super::deploy::{Deploy, DeployResult, goes_back};
use super::fasthash::{FastMap, FastSet};
use super::service::{NO_SERVICE, ServiceRow, Urgency};
use super::store::{AlertChanges, AlertRank, fingerprint_key};
use crate::config::settings::{ENV_SUFFIXES, Settings};
use chrono::{DateTime, Duration, Utc};
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// History older than this stays out of the change feed (each app's newest deploy is always
/// in): the feed is about what changed lately, and 10,000 apps keep ~10 entries each.
pub const DEPLOY_FEED_DAYS: i64 = 7;

/// More changed service rows than this in one batch: sort the ranking once instead of moving
/// each changed row to its place.
const RERANK_SORT_AT: usize = 32;

/// A deploy's identity: its app, its history entry, or (running) its operation's start.
pub type DeployKey = (AppKey, Option<i64>, Option<DateTime<Utc>>);

pub fn deploy_key(d: &Deploy) -> DeployKey {
    (d.app.clone(), d.history_id, d.started_at)
}

fn is_deploy(d: &Deploy, k: &DeployKey) -> bool {
    d.app == k.0 && d.history_id == k.1 && d.started_at == k.2
}

use super::deploy::feed_order;

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

    pub fn is_dirty(&self) -> bool {
        self.stale || !self.dirty_services.is_empty() || !self.dirty_apps.is_empty()
    }

    /// Move changed alerts between services. An alert that stays in its service (the common
    /// case) costs two lookups and no allocation.
    pub fn note_alerts(&mut self, changes: &AlertChanges, settings: &Settings) {
        // Each touched alert's service, worked out once.
        let touched: FastMap<u64, (&Arc<Alert>, &str)> = changes
            .touched
            .iter()
            .map(|a| {
                let service = a.service(&settings.service_labels).unwrap_or(NO_SERVICE);
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

    /// An app was stored (new or changed): join it, re-derive its deploys.
    pub fn note_app(&mut self, app: &App, settings: &Settings, now: DateTime<Utc>) {
        let service = service_of_app(app, settings);
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
    }

    /// An app is gone.
    pub fn note_app_removed(&mut self, key: &AppKey) {
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
    }
}

/// The service an alert belongs to: the first label of the configured precedence that is set.
pub fn service_of_alert(alert: &Alert, settings: &Settings) -> String {
    alert
        .service(&settings.service_labels)
        .unwrap_or(NO_SERVICE)
        .to_string()
}

/// The service an app belongs to: explicit map, then labels, then the name without its
/// environment suffix.
pub fn service_of_app(app: &App, settings: &Settings) -> String {
    if let Some(s) = settings.app_services.get(&app.key.name) {
        return s.clone();
    }
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

/// One app's recent deploys, newest first: history entries in the feed window (the newest
/// always), plus a running or failed operation that has no history entry yet.
pub fn deploys_of_app(app: &App, service: &str, now: DateTime<Utc>) -> Vec<Deploy> {
    let horizon = now - Duration::days(DEPLOY_FEED_DAYS);
    let service = Some(service.to_string());
    let mut deploys = Vec::new();
    let newest = app.history.len().saturating_sub(1);
    for (i, entry) in app.history.iter().enumerate() {
        if i != newest && entry.deployed_at.is_some_and(|t| t < horizon) {
            continue;
        }
        deploys.push(Deploy {
            app: app.key.clone(),
            service: service.clone(),
            revision: entry.revision.clone(),
            history_id: Some(entry.id),
            started_at: entry.deploy_started_at,
            finished_at: entry.deployed_at,
            initiator: entry.initiated_by.clone(),
            automated: entry.automated,
            result: DeployResult::Succeeded,
            rollback: goes_back(&app.history[..i], &entry.revision, entry.automated),
            suspect: false,
        });
    }
    // A dry run changes nothing: no deploy, running or failed.
    if let Some(op) = app.operation.as_ref().filter(|o| !o.dry_run) {
        let last_deployed = app.history.last().and_then(|h| h.deployed_at);
        let newer = match (op.started_at, last_deployed) {
            (Some(s), Some(d)) => s > d,
            _ => true,
        };
        let show = match op.phase {
            OperationPhase::Running | OperationPhase::Terminating => true,
            OperationPhase::Failed | OperationPhase::Error => newer,
            OperationPhase::Succeeded => false,
        };
        if show {
            deploys.push(Deploy {
                app: app.key.clone(),
                service: service.clone(),
                revision: op.revision.clone(),
                history_id: None,
                started_at: op.started_at,
                finished_at: op.finished_at,
                initiator: op.initiated_by.clone(),
                automated: op.automated,
                result: DeployResult::from_phase(op.phase),
                rollback: goes_back(&app.history, &op.revision, op.automated),
                suspect: false,
            });
        }
    }
    deploys.sort_by(feed_order);
    deploys
}

fn failed_sync(app: &App) -> bool {
    app.operation.as_ref().is_some_and(|o| {
        !o.dry_run && matches!(o.phase, OperationPhase::Failed | OperationPhase::Error)
    })
}

fn urgency(row: &ServiceRow) -> Urgency {
    let firing = row.firing > 0;
    if firing && row.worst == Severity::Critical {
        Urgency::CriticalFiring
    } else if row.health == Some(HealthStatus::Degraded) {
        Urgency::DegradedApp
    } else if row.failed_sync {
        Urgency::FailedSync
    } else if firing && row.worst == Severity::Warning {
        Urgency::WarningFiring
    } else if row.sync == Some(SyncStatus::OutOfSync) {
        Urgency::OutOfSync
    } else if row.health == Some(HealthStatus::Progressing) {
        Urgency::Progressing
    } else {
        Urgency::Quiet
    }
}

impl Model {
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
        self.correlation.note_app(&app, &self.settings, self.now);
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

    /// Forget the index and build it again from the stores (settings changed, a model built by
    /// hand, the first answer).
    pub fn correlate_from_scratch(&mut self) {
        let mut c = Correlation::default();
        for alert in self.alerts.iter() {
            let service = service_of_alert(alert, &self.settings);
            let key = fingerprint_key(&alert.fingerprint);
            c.alert_service.insert(key, service.clone());
            c.service_alerts
                .entry(service)
                .or_default()
                .insert(key, Arc::clone(alert));
        }
        for app in self.apps.values() {
            c.note_app(app, &self.settings, self.now);
        }
        c.dirty_apps.clear();
        c.dirty_services.clear();
        c.replaced.clear();
        let names: BTreeSet<String> = c
            .service_alerts
            .keys()
            .chain(c.service_apps.keys())
            .cloned()
            .collect();
        self.correlation = c;
        self.services.clear();
        self.correlation.index.clear();
        self.rebuild_feed();
        for name in &names {
            self.recompute_row(name);
        }
        self.rerank();
    }

    /// Recompute one service's row from its alerts, apps and deploys; add or drop the row.
    fn recompute_row(&mut self, name: &str) {
        let c = &self.correlation;
        // Ranks computed once per alert, not once per comparison (a severity is a label lookup).
        let mut ranked: Vec<(AlertRank, &Arc<Alert>)> = c
            .service_alerts
            .get(name)
            .map(|m| m.values().map(|a| (AlertRank::of(a), a)).collect())
            .unwrap_or_default();
        ranked.sort_unstable_by(|(x, a), (y, b)| {
            x.cmp(y).then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        let alerts: Vec<Arc<Alert>> = ranked.into_iter().map(|(_, a)| Arc::clone(a)).collect();
        let apps: Vec<AppKey> = c
            .service_apps
            .get(name)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        let position = c.index.get(name).copied();
        if alerts.is_empty() && apps.is_empty() {
            if let Some(i) = position {
                // Dropped, keeping the others in order.
                self.services.remove(i);
                self.correlation.index.remove(name);
                self.reindex(i..self.services.len());
            }
            self.mark_suspects(name, Vec::new());
            return;
        }
        let mut row = ServiceRow::empty(name.to_string());
        for alert in &alerts {
            match alert.state {
                AlertState::Firing | AlertState::Unprocessed => {
                    row.firing += 1;
                    let sev = alert.severity();
                    if row.firing == 1 || sev < row.worst {
                        row.worst = sev;
                    }
                    row.oldest_firing = Some(match row.oldest_firing {
                        Some(t) if t <= alert.starts_at => t,
                        _ => alert.starts_at,
                    });
                }
                AlertState::Pending => row.pending += 1,
                AlertState::Silenced | AlertState::Inhibited | AlertState::Muted => {
                    row.suppressed += 1
                }
            }
        }
        row.alerts = alerts;
        for key in &apps {
            let Some(app) = self.apps.get(key) else {
                continue;
            };
            row.health = Some(row.health.map_or(app.health, |h| h.min(app.health)));
            row.sync = Some(row.sync.map_or(app.sync, |s| s.min(app.sync)));
            row.failed_sync |= failed_sync(app);
        }
        row.apps = apps;
        let suspects = self.suspects_of(&row);
        let deploys = &self.correlation.app_deploys;
        row.last_deploy = row
            .apps
            .iter()
            .filter_map(|k| deploys.get(k).and_then(|d| d.first()))
            .min_by(|a, b| feed_order(a, b))
            .map(|d| Deploy::clone(d));
        if let Some(d) = &mut row.last_deploy {
            d.suspect = suspects.iter().any(|k| is_deploy(d, k));
            // The row's marker speaks of the deploy the row shows.
            row.suspect = d.suspect;
        }
        row.urgency = urgency(&row);
        row.owner = position.and_then(|i| self.services[i].owner.clone());
        match position {
            Some(i) => self.services[i] = row,
            None => {
                self.correlation
                    .index
                    .insert(name.to_string(), self.services.len());
                self.services.push(row);
            }
        }
        self.mark_suspects(name, suspects);
    }

    /// For each app of the service, the deploy in effect when its first alert began (the
    /// newest that finished by then), if it finished within the suspect window before it.
    fn suspects_of(&self, row: &ServiceRow) -> Vec<DeployKey> {
        let Some(first_alert) = row.oldest_firing else {
            return Vec::new();
        };
        let window = Duration::seconds(self.settings.suspect_window_secs);
        row.apps
            .iter()
            .filter_map(|k| self.correlation.app_deploys.get(k))
            .filter_map(|deploys| {
                deploys
                    .iter()
                    .filter(|d| d.finished_at.is_some_and(|f| f <= first_alert))
                    .min_by(|a, b| feed_order(a, b))
            })
            .filter(|d| d.finished_at.is_some_and(|f| first_alert - f <= window))
            .map(|d| deploy_key(d))
            .collect()
    }

    /// Set the feed's suspect flags of one service's deploys to `now`.
    fn mark_suspects(&mut self, service: &str, now: Vec<DeployKey>) {
        let before = self
            .correlation
            .suspects
            .remove(service)
            .unwrap_or_default();
        for k in before.iter().filter(|k| !now.contains(k)) {
            self.set_feed_suspect(k, false);
        }
        // All of them, not only the new ones: an app's deploys derived again start unmarked.
        for k in &now {
            self.set_feed_suspect(k, true);
        }
        if !now.is_empty() {
            self.correlation.suspects.insert(service.to_string(), now);
        }
    }

    fn set_feed_suspect(&mut self, key: &DeployKey, suspect: bool) {
        let Some(d) = self
            .correlation
            .app_deploys
            .get_mut(&key.0)
            .and_then(|deploys| deploys.iter_mut().find(|d| is_deploy(d, key)))
        else {
            return;
        };
        if d.suspect == suspect {
            return;
        }
        Arc::make_mut(d).suspect = suspect;
        // The feed shares the entry: put the new one in its place.
        self.deploys.insert(Arc::clone(d));
    }

    /// Move the changed apps' deploys in the feed.
    fn update_feed(&mut self, apps: &[AppKey]) {
        if apps.is_empty() {
            return;
        }
        self.correlation.feed_changed = true;
        for old in std::mem::take(&mut self.correlation.replaced) {
            self.deploys.remove(&old);
        }
        let mut changed: Vec<&AppKey> = apps.iter().collect();
        changed.sort_unstable();
        changed.dedup();
        for key in changed {
            if let Some(deploys) = self.correlation.app_deploys.get(key) {
                for d in deploys {
                    self.deploys.insert(Arc::clone(d));
                }
            }
        }
    }

    fn rebuild_feed(&mut self) {
        self.correlation.replaced.clear();
        self.correlation.feed_changed = true;
        self.deploys = self
            .correlation
            .app_deploys
            .values()
            .flatten()
            .cloned()
            .collect();
    }

    /// Move the changed rows to where the ranking puts them: take them out (the others are
    /// still in order), put each back by binary search, then fix the index from the first row
    /// that moved.
    fn reposition(&mut self, names: &[String]) {
        let mut positions: Vec<usize> = names
            .iter()
            .filter_map(|n| self.correlation.index.get(n.as_str()).copied())
            .collect();
        if positions.is_empty() {
            return;
        }
        positions.sort_unstable();
        let first = positions[0];
        let mut moved: Vec<ServiceRow> = Vec::with_capacity(positions.len());
        for &i in positions.iter().rev() {
            moved.push(self.services.remove(i));
        }
        let mut lowest = first;
        for row in moved {
            let to = self
                .services
                .partition_point(|x| super::service::rank_order(x, &row) == Ordering::Less);
            lowest = lowest.min(to);
            self.services.insert(to, row);
        }
        self.reindex(lowest..self.services.len());
    }

    /// Update the index of the rows in `range` (after rows moved), without copying names.
    fn reindex(&mut self, range: std::ops::Range<usize>) {
        let end = range.end.min(self.services.len());
        for i in range.start..end {
            if let Some(slot) = self
                .correlation
                .index
                .get_mut(self.services[i].name.as_str())
            {
                *slot = i;
            }
        }
    }

    /// Most urgent first (PRODUCT.md order), then the index of where each row is.
    fn rerank(&mut self) {
        super::service::rank(&mut self.services);
        let index = &mut self.correlation.index;
        index.clear();
        index.extend(
            self.services
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.clone(), i)),
        );
    }
}
