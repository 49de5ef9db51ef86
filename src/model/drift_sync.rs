//! A group's staged sync as a pure state machine: the plan (a canary app, then waves), dry runs
//! of every app first, then one wave at a time, each started only when the one before is
//! observed Synced, Healthy and its operation Succeeded. The first failure stops it; nothing is
//! retried; nothing starts by itself. `update::drift_sync` sends the effects and records the
//! timeline; this file only decides.

use super::app::{App, AppKey, HealthStatus, OperationPhase, SyncStatus};
use super::drift::{AppDriftEntry, DriftGroup};
use super::popup::{Confirmation, DryRunWatch};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// One app of the plan, as the popup lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanApp {
    pub key: AppKey,
    pub production: bool,
    /// `+12 −3, 2 resources` (or why it is not known).
    pub stat: String,
    /// The revision it is synced to (a `git` cause's commit, pinned so a later push does not
    /// change what later waves deploy); None: the app's target revision.
    pub revision: Option<String>,
}

/// Where the plan is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanStage {
    /// Shown in the popup, not confirmed.
    Confirming,
    /// Dry runs of every app sent; nothing changes until they all passed.
    DryRun,
    /// This wave's syncs are sent (0 is the canary).
    Wave(usize),
    Done,
    /// Stopped by a failure: which app and why.
    Stopped(String),
    Cancelled,
}

impl PlanStage {
    /// Still sending or waiting (a second `S` does nothing).
    pub fn running(&self) -> bool {
        matches!(self, PlanStage::DryRun | PlanStage::Wave(_))
    }
}

/// A real sync sent for one app.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncWatch {
    pub request_id: u64,
    /// When the app's last operation before it started: ours is a later one.
    pub before: Option<DateTime<Utc>>,
    pub accepted: bool,
    pub done: bool,
}

/// What the plan wants next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    Wait,
    /// Send this wave's real syncs.
    StartWave(usize),
    /// A failure: stop, saying which app and why.
    Stop(String),
    Done,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyncPlan {
    pub group_id: String,
    pub summary: String,
    /// Wave 0 is the canary alone.
    pub waves: Vec<Vec<PlanApp>>,
    pub production: usize,
    /// Production in the group: the number of apps must be typed.
    pub confirm: Confirmation,
    pub stage: PlanStage,
    pub dry_runs: BTreeMap<AppKey, DryRunWatch>,
    pub syncs: BTreeMap<AppKey, SyncWatch>,
    /// Waves finished so far.
    pub finished_waves: usize,
}

impl SyncPlan {
    /// The plan for `group`: the canary is a non-production app if there is one, then the
    /// smallest diff; the rest in waves of `wave_size`, production last.
    pub fn new(
        group: &DriftGroup,
        entries: &BTreeMap<AppKey, AppDriftEntry>,
        wave_size: usize,
    ) -> SyncPlan {
        let wave_size = wave_size.max(1);
        let mut apps: Vec<(PlanApp, u64)> = group
            .apps
            .iter()
            .map(|key| {
                let entry = entries.get(key);
                let drift = entry.and_then(|e| e.drift.as_ref());
                let size = drift.map_or(u64::MAX, |d| {
                    d.resources
                        .iter()
                        .map(|r| u64::from(r.added) + u64::from(r.removed))
                        .sum()
                });
                let stat = match drift {
                    Some(d) => super::drift_view::diff_stat(d),
                    None => "diff not fetched".to_string(),
                };
                let revision = entry
                    .and_then(|e| e.cause.revision.as_ref())
                    .filter(|r| r.chart.is_empty() && !r.to.is_empty())
                    .map(|r| r.to.clone());
                let app = PlanApp {
                    key: key.clone(),
                    production: entry.is_some_and(|e| e.production),
                    stat,
                    revision,
                };
                (app, size)
            })
            .collect();
        // Non-production first, then the smallest diff, then by key: the first is the canary.
        apps.sort_by(|(a, sa), (b, sb)| {
            (a.production, *sa, &a.key).cmp(&(b.production, *sb, &b.key))
        });
        let mut apps = apps.into_iter().map(|(a, _)| a);
        let mut waves = Vec::new();
        if let Some(canary) = apps.next() {
            waves.push(vec![canary]);
        }
        let rest: Vec<PlanApp> = apps.collect();
        waves.extend(rest.chunks(wave_size).map(<[PlanApp]>::to_vec));
        let count = group.apps.len();
        let production = waves.iter().flatten().filter(|a| a.production).count();
        SyncPlan {
            group_id: group.id.clone(),
            summary: group.summary.clone(),
            waves,
            production,
            confirm: Confirmation::new(production > 0, &count.to_string()),
            stage: PlanStage::Confirming,
            dry_runs: BTreeMap::new(),
            syncs: BTreeMap::new(),
            finished_waves: 0,
        }
    }

    pub fn apps(&self) -> impl Iterator<Item = &PlanApp> {
        self.waves.iter().flatten()
    }

    pub fn app_count(&self) -> usize {
        self.waves.iter().map(Vec::len).sum()
    }

    /// The app a request of this plan was for, and whether it was a dry run.
    pub fn request(&self, request_id: u64) -> Option<(AppKey, bool)> {
        if let Some((k, _)) = self
            .dry_runs
            .iter()
            .find(|(_, w)| w.request_id == request_id)
        {
            return Some((k.clone(), true));
        }
        self.syncs
            .iter()
            .find(|(_, w)| w.request_id == request_id)
            .map(|(k, _)| (k.clone(), false))
    }

    /// Argo CD accepted a request of the plan.
    pub fn accepted(&mut self, request_id: u64) {
        for w in self.dry_runs.values_mut() {
            if w.request_id == request_id {
                w.accepted = true;
            }
        }
        for w in self.syncs.values_mut() {
            if w.request_id == request_id {
                w.accepted = true;
            }
        }
    }

    /// What comes next given the apps as the model knows them now. Pure: the caller applies it.
    pub fn evaluate(&mut self, apps: &BTreeMap<AppKey, App>) -> Next {
        match self.stage.clone() {
            PlanStage::DryRun => self.evaluate_dry_runs(apps),
            PlanStage::Wave(i) => self.evaluate_wave(i, apps),
            _ => Next::Wait,
        }
    }

    fn evaluate_dry_runs(&mut self, apps: &BTreeMap<AppKey, App>) -> Next {
        let mut all_passed = true;
        for (key, watch) in &mut self.dry_runs {
            if !watch.accepted {
                all_passed = false;
                continue;
            }
            let Some(app) = apps.get(key) else {
                return Next::Stop(format!("{} is no longer known to Argo CD", key.name));
            };
            if watch.result.is_none()
                && let Some(op) = watch.finished(app)
            {
                watch.result = Some(op.clone());
            }
            match &watch.result {
                None => all_passed = false,
                Some(op) if op.phase == OperationPhase::Succeeded => {}
                Some(op) => {
                    return Next::Stop(format!(
                        "the dry run of {} failed: {}",
                        key.name,
                        crate::sanitize::clean_line(&op.message, 200)
                    ));
                }
            }
        }
        if all_passed {
            Next::StartWave(0)
        } else {
            Next::Wait
        }
    }

    fn evaluate_wave(&mut self, i: usize, apps: &BTreeMap<AppKey, App>) -> Next {
        let Some(wave) = self.waves.get(i) else {
            return Next::Done;
        };
        let mut all_done = true;
        for plan_app in wave {
            let key = &plan_app.key;
            let Some(watch) = self.syncs.get_mut(key) else {
                all_done = false;
                continue;
            };
            if watch.done {
                continue;
            }
            all_done = false;
            if !watch.accepted {
                continue;
            }
            let Some(app) = apps.get(key) else {
                return Next::Stop(format!("{} is no longer known to Argo CD", key.name));
            };
            if app.health == HealthStatus::Degraded {
                return Next::Stop(format!("{} is Degraded", key.name));
            }
            // Our operation: a real sync that started after the one seen before sending.
            let ours = app
                .operation
                .as_ref()
                .filter(|o| !o.dry_run && o.started_at.is_some() && o.started_at != watch.before);
            let Some(op) = ours else { continue };
            match op.phase {
                OperationPhase::Failed | OperationPhase::Error => {
                    return Next::Stop(format!(
                        "the sync of {} failed: {}",
                        key.name,
                        crate::sanitize::clean_line(&op.message, 200)
                    ));
                }
                OperationPhase::Succeeded
                    if app.sync == SyncStatus::Synced && app.health == HealthStatus::Healthy =>
                {
                    watch.done = true;
                }
                _ => {}
            }
        }
        // Marked done above: look again.
        if !all_done
            && wave
                .iter()
                .all(|a| self.syncs.get(&a.key).is_some_and(|w| w.done))
        {
            all_done = true;
        }
        if !all_done {
            return Next::Wait;
        }
        self.finished_waves = i + 1;
        if i + 1 < self.waves.len() {
            Next::StartWave(i + 1)
        } else {
            Next::Done
        }
    }
}

/// `canary` / `wave 2 of 3`.
pub fn wave_word(i: usize, total: usize) -> String {
    if i == 0 {
        "canary".to_string()
    } else {
        format!("wave {i} of {}", total.saturating_sub(1))
    }
}

/// May the selected row's group be staged-synced now: mutations allowed, its diff opened.
pub fn offered(model: &super::Model) -> bool {
    let s = &model.drift_screen;
    super::permissions::argo_denied(model).is_none()
        && s.deploy.is_none()
        && s.selected()
            .map(super::drift_view::DriftRow::group_id)
            .is_some_and(|id| s.diffs_opened.contains(id))
}
