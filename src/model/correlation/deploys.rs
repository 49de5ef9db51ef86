//! Deploys in the index: each app's recent deploys, the fleet's feed kept in order as apps
//! change, and which deploys are suspects for each service.

use super::super::Model;
use super::super::app::{App, AppKey, OperationPhase};
use super::super::deploy::{Deploy, DeployOrigin, DeployResult, feed_order, goes_back};
use super::super::service::ServiceRow;
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// History older than this stays out of the change feed (each app's newest deploy is always
/// in): the feed is about what changed lately, and 10,000 apps keep ~10 entries each.
pub const DEPLOY_FEED_DAYS: i64 = 7;

/// A deploy's identity: its app, its history entry, or (running) its operation's start.
pub type DeployKey = (AppKey, Option<i64>, Option<DateTime<Utc>>);

pub fn deploy_key(d: &Deploy) -> DeployKey {
    (d.app.clone(), d.history_id, d.started_at)
}

pub(super) fn is_deploy(d: &Deploy, k: &DeployKey) -> bool {
    d.app == k.0 && d.history_id == k.1 && d.started_at == k.2
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
            origin: DeployOrigin::ArgoCd,
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
                origin: DeployOrigin::ArgoCd,
            });
        }
    }
    deploys.sort_by(feed_order);
    deploys
}

impl Model {
    /// For each app of the service, the deploy in effect when its first alert began (the
    /// newest that finished by then), if it finished within the suspect window before it.
    pub(super) fn suspects_of(&self, row: &ServiceRow) -> Vec<DeployKey> {
        let Some(first_alert) = row.oldest_firing else {
            return Vec::new();
        };
        let window = Duration::seconds(self.settings.suspect_window_secs);
        row.apps
            .iter()
            .chain(&row.kube_deploys)
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
    pub(super) fn mark_suspects(&mut self, service: &str, now: Vec<DeployKey>) {
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

    pub(super) fn set_feed_suspect(&mut self, key: &DeployKey, suspect: bool) {
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
    pub(super) fn update_feed(&mut self, apps: &[AppKey]) {
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

    pub(super) fn rebuild_feed(&mut self) {
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
}
