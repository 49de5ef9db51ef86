//! Service rows from the index: recomputing one, and keeping the ranking in order as rows
//! change (each changed row moved to its place; a full sort only for big batches).

use super::super::Model;
use super::super::alert::{Alert, AlertState, Severity};
use super::super::app::{App, AppKey, HealthStatus, OperationPhase, SyncStatus};
use super::super::deploy::{Deploy, feed_order};
use super::super::kube_join::KubeRowState;
use super::super::service::{ServiceRow, Urgency};
use super::super::store::AlertRank;
use super::deploys::is_deploy;
use std::cmp::Ordering;
use std::sync::Arc;

/// More changed service rows than this in one batch: sort the ranking once instead of moving
/// each changed row to its place.
pub(super) const RERANK_SORT_AT: usize = 32;

fn failed_sync(app: &App) -> bool {
    app.operation.as_ref().is_some_and(|o| {
        !o.dry_run && matches!(o.phase, OperationPhase::Failed | OperationPhase::Error)
    })
}

fn urgency(row: &ServiceRow) -> Urgency {
    let firing = row.firing > 0;
    let base = if firing && row.worst == Severity::Critical {
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
    };
    // The most urgent of what alerts and apps say and what the workloads say.
    base.min(row.kube.as_ref().map_or(Urgency::Quiet, kube_urgency))
}

/// What a service's workloads say, on the same ladder. Pods that cannot run (CrashLoopBackOff,
/// OOMKilled, image pull errors, Unschedulable) and a rollout stuck on its deadline mean the
/// service is down, the same fact as a Degraded app: that rung. A rollout under way is a
/// deploy in flight: Progressing. Pods that run but restart often are a symptom, like a
/// warning alert: at most that rung. Warning events alone are noise-prone (a failed probe, a
/// retried pull): they only keep the service in view, at Progressing. A workload whose pods
/// cannot be seen raises nothing here (the detail pane says what is unknown).
fn kube_urgency(k: &KubeRowState) -> Urgency {
    use crate::kube::status::RolloutPhase;
    if k.broken > 0 || k.phase == Some(RolloutPhase::Stuck) {
        Urgency::DegradedApp
    } else if k.degraded > 0 {
        Urgency::WarningFiring
    } else if matches!(k.phase, Some(RolloutPhase::Rolling | RolloutPhase::Paused))
        || k.warning_events > 0
    {
        Urgency::Progressing
    } else {
        Urgency::Quiet
    }
}

impl Model {
    /// Recompute one service's row from its alerts, apps and deploys; add or drop the row.
    pub(super) fn recompute_row(&mut self, name: &str) {
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
        let has_workloads = c.kube.of_service(name).next().is_some();
        if alerts.is_empty() && apps.is_empty() && !has_workloads {
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
        if has_workloads {
            row.kube = Some(KubeRowState::of(
                self.correlation.kube.of_service(name).map(|s| &**s),
            ));
            row.kube_deploys = super::kube::kube_feed_keys(&self.correlation.kube, name);
        }
        let suspects = self.suspects_of(&row);
        let deploys = &self.correlation.app_deploys;
        row.last_deploy = row
            .apps
            .iter()
            .chain(&row.kube_deploys)
            .filter_map(|k| deploys.get(k).and_then(|d| d.first()))
            .min_by(|a, b| feed_order(a, b))
            .map(|d| Deploy::clone(d));
        if let Some(d) = &mut row.last_deploy {
            d.suspect = suspects.iter().any(|k| is_deploy(d, k));
            // The row's marker speaks of the deploy the row shows.
            row.suspect = d.suspect;
        }
        row.urgency = urgency(&row);
        row.owner = self.catalog.owner_label(name);
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

    /// Move the changed rows to where the ranking puts them: take them out (the others are
    /// still in order), put each back by binary search, then fix the index from the first row
    /// that moved.
    pub(super) fn reposition(&mut self, names: &[String]) {
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
                .partition_point(|x| super::super::service::rank_order(x, &row) == Ordering::Less);
            lowest = lowest.min(to);
            self.services.insert(to, row);
        }
        self.reindex(lowest..self.services.len());
    }

    /// Update the index of the rows in `range` (after rows moved), without copying names.
    pub(super) fn reindex(&mut self, range: std::ops::Range<usize>) {
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
    pub(super) fn rerank(&mut self) {
        super::super::service::rank(&mut self.services);
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
