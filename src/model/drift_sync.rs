//! A group's staged sync as a pure state machine: the plan (a canary app, then waves), dry runs
//! of every app first, then one wave at a time, each started only when the one before is
//! observed Synced, Healthy and its operation Succeeded — and every app synced before it is
//! still Healthy, the canary has stayed so for [`CANARY_SETTLE_SECS`], and the next apps are
//! still compared at the revision the plan was confirmed at. The first failure stops it;
//! nothing is retried; nothing starts by itself. `update::drift_sync` sends the effects and records the
//! timeline; this file only decides.

use super::app::{App, AppKey, HealthStatus, OperationPhase, SyncStatus};
use super::drift::{AppDriftEntry, DriftGroup};
use super::popup::{Confirmation, DryRunWatch};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// One app of the plan, as the popup lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanApp {
    pub key: AppKey,
    pub production: bool,
    /// `+12 −3, 2 resources` (or why it is not known).
    pub stat: String,
    /// The revision it is synced to: what Argo CD compared it at when the plan was made
    /// (pinned so a later push does not change what later waves deploy). None: a multi-source
    /// app (a sync takes no per-source pin; `compared` guards it instead) or nothing known.
    pub revision: Option<String>,
    /// The revision(s) Argo CD compared it at when the plan was made (`git_revisions` for a
    /// multi-source app): if they move before its sync, what it would deploy was not reviewed.
    pub compared: Vec<String>,
    /// Some of its resources are live but no longer in Git: a sync without prune leaves them.
    pub needs_prune: bool,
}

/// How long the canary must stay Synced and Healthy before wave 1: a crash loop shows after
/// the first rollout looked fine.
pub const CANARY_SETTLE_SECS: i64 = 30;

/// How long an app whose sync Succeeded may stay OutOfSync (Argo CD's next comparison) before
/// the plan says the diff remains.
pub const OUT_OF_SYNC_GRACE_SECS: i64 = 30;

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
    /// Since when it has been seen Synced and Healthy after its sync (the canary's settle
    /// time); reset when it is not.
    pub healthy_since: Option<DateTime<Utc>>,
    /// Since when its own sync has been seen Succeeded while the app is still OutOfSync.
    pub out_of_sync_since: Option<DateTime<Utc>>,
}

impl SyncWatch {
    pub fn new(request_id: u64, before: Option<DateTime<Utc>>) -> SyncWatch {
        SyncWatch {
            request_id,
            before,
            accepted: false,
            done: false,
            healthy_since: None,
            out_of_sync_since: None,
        }
    }
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
    /// Why the next wave has not started although this one is done (the progress line).
    pub waiting: Option<String>,
}

impl SyncPlan {
    /// The plan for `group`: the canary is a non-production app if there is one, then the
    /// smallest diff; the rest in waves of `wave_size`, production last. Each app is pinned to
    /// the revision Argo CD compared it at now (`apps`).
    pub fn new(
        group: &DriftGroup,
        entries: &BTreeMap<AppKey, AppDriftEntry>,
        apps: &BTreeMap<AppKey, App>,
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
                let live = apps.get(key);
                let multi_source = live.is_some_and(|a| a.multi_source);
                // What the diff was computed against; a `git` cause's commit when Argo CD did
                // not say (it is the same commit).
                let revision = live
                    .map(|a| a.git_revision.clone())
                    .filter(|r| !r.is_empty())
                    .or_else(|| {
                        entry
                            .and_then(|e| e.cause.revision.as_ref())
                            .filter(|r| r.chart.is_empty() && !r.to.is_empty())
                            .map(|r| r.to.clone())
                    })
                    .filter(|_| !multi_source);
                let app = PlanApp {
                    key: key.clone(),
                    production: entry.is_some_and(|e| e.production),
                    stat,
                    revision,
                    compared: live.map(compared_revisions).unwrap_or_default(),
                    needs_prune: live
                        .is_some_and(|a| a.resources.iter().any(|r| r.requires_pruning)),
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
            waiting: None,
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

    /// What comes next given the apps as the model knows them at `now` (the model's clock).
    /// Pure: the caller applies it.
    pub fn evaluate(&mut self, apps: &BTreeMap<AppKey, App>, now: DateTime<Utc>) -> Next {
        self.waiting = None;
        let next = match self.stage.clone() {
            PlanStage::DryRun => self.evaluate_dry_runs(apps),
            PlanStage::Wave(i) => self.evaluate_wave(i, apps, now),
            _ => Next::Wait,
        };
        match next {
            Next::StartWave(i) => self.gate(i, apps, now),
            other => other,
        }
    }

    /// A revision moved since the plan was made: the app's name and why, else None.
    pub fn moved(&self, apps: &BTreeMap<AppKey, App>) -> Option<String> {
        self.apps().find_map(|a| moved(a, apps))
    }

    /// May wave `i` start now: every app synced so far still Healthy, the canary settled, the
    /// wave's apps still compared at the revision the plan was confirmed at.
    fn gate(&mut self, i: usize, apps: &BTreeMap<AppKey, App>, now: DateTime<Utc>) -> Next {
        if let Some(stop) = self.synced_apps_failing(apps) {
            return Next::Stop(stop);
        }
        // Not failing, not Healthy either (Progressing after a restart): not yet.
        let unsettled = self
            .syncs
            .iter()
            .filter(|(_, w)| w.done)
            .find(|(k, _)| {
                apps.get(*k)
                    .is_none_or(|a| a.health != HealthStatus::Healthy)
            })
            .map(|(k, _)| k.name.clone());
        if let Some(name) = unsettled {
            self.waiting = Some(format!("waiting for {name} to be Healthy again"));
            return Next::Wait;
        }
        if i == 1
            && let Some(canary) = self.waves.first().and_then(|w| w.first())
            && let Some(watch) = self.syncs.get(&canary.key)
        {
            let Some(since) = watch.healthy_since else {
                self.waiting = Some("waiting for the canary to be Synced and Healthy again".into());
                return Next::Wait;
            };
            let left = (since + Duration::seconds(CANARY_SETTLE_SECS) - now).num_seconds();
            if left > 0 {
                self.waiting = Some(format!(
                    "canary healthy, waiting {CANARY_SETTLE_SECS} s ({left} s left)"
                ));
                return Next::Wait;
            }
        }
        if let Some(why) = self
            .waves
            .get(i)
            .and_then(|w| w.iter().find_map(|a| moved(a, apps)))
        {
            return Next::Stop(why);
        }
        Next::StartWave(i)
    }

    /// An app the plan already synced (seen Synced and Healthy) that is now Degraded, Missing,
    /// gone, or whose last operation failed: why, naming it.
    fn synced_apps_failing(&self, apps: &BTreeMap<AppKey, App>) -> Option<String> {
        self.syncs
            .iter()
            .filter(|(_, w)| w.done)
            .find_map(|(key, _)| {
                let Some(app) = apps.get(key) else {
                    return Some(format!("{} is no longer known to Argo CD", key.name));
                };
                if matches!(app.health, HealthStatus::Degraded | HealthStatus::Missing) {
                    return Some(format!(
                        "{} turned {} after its sync",
                        key.name,
                        app.health.word()
                    ));
                }
                app.operation
                    .as_ref()
                    .filter(|o| matches!(o.phase, OperationPhase::Failed | OperationPhase::Error))
                    .map(|o| {
                        format!(
                            "a later operation on {} failed: {}",
                            key.name,
                            crate::sanitize::clean_line(&o.message, 200)
                        )
                    })
            })
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

    fn evaluate_wave(
        &mut self,
        i: usize,
        apps: &BTreeMap<AppKey, App>,
        now: DateTime<Utc>,
    ) -> Next {
        // An app of an earlier wave (or of this one) that went bad stops the plan at once.
        if let Some(stop) = self.synced_apps_failing(apps) {
            return Next::Stop(stop);
        }
        // "Stayed Synced and Healthy": any other state seen in between restarts the count.
        for (key, watch) in self.syncs.iter_mut().filter(|(_, w)| w.done) {
            let settled = apps
                .get(key)
                .is_some_and(|a| a.sync == SyncStatus::Synced && a.health == HealthStatus::Healthy);
            if !settled {
                watch.healthy_since = None;
            } else if watch.healthy_since.is_none() {
                watch.healthy_since = Some(now);
            }
        }
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
                    watch.healthy_since = Some(now);
                }
                // Applied, yet Argo CD still sees a diff (a resource only pruning removes, a
                // field the apply cannot set, Git moved): once a comparison after the sync or
                // the grace time says so, waiting longer would hang the plan.
                OperationPhase::Succeeded if app.sync == SyncStatus::OutOfSync => {
                    let since = *watch.out_of_sync_since.get_or_insert(now);
                    let compared_after = matches!(
                        (app.reconciled_at, op.finished_at),
                        (Some(r), Some(f)) if r > f
                    );
                    if compared_after || now - since >= Duration::seconds(OUT_OF_SYNC_GRACE_SECS) {
                        if let Some(why) = moved(plan_app, apps) {
                            return Next::Stop(why);
                        }
                        return Next::Stop(format!(
                            "{} is still OutOfSync after its sync — Argo CD's diff remains (prune needed?)",
                            key.name
                        ));
                    }
                }
                _ => watch.out_of_sync_since = None,
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

/// The revision(s) Argo CD compared an app at: one per source.
fn compared_revisions(app: &App) -> Vec<String> {
    if app.multi_source {
        app.git_revisions.clone()
    } else {
        vec![app.git_revision.clone()]
    }
}

/// `plan_app`'s compared revision(s) moved since the plan was made: why, naming it.
fn moved(plan_app: &PlanApp, apps: &BTreeMap<AppKey, App>) -> Option<String> {
    let app = apps.get(&plan_app.key)?;
    let now = compared_revisions(app);
    if now == plan_app.compared {
        return None;
    }
    let short = |v: &[String]| {
        v.iter()
            .map(|r| super::app::short_sha(r))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(format!(
        "{}'s revision moved since the plan was confirmed ({} → {}): it would deploy what was not reviewed",
        plan_app.key.name,
        crate::sanitize::clean_line(&short(&plan_app.compared), 120),
        crate::sanitize::clean_line(&short(&now), 120)
    ))
}

/// `canary` / `wave 2 of 3`.
pub fn wave_word(i: usize, total: usize) -> String {
    if i == 0 {
        "canary".to_string()
    } else {
        format!("wave {i} of {}", total.saturating_sub(1))
    }
}

/// May the selected row's group be staged-synced now: mutations allowed, its diff opened, not
/// a `prune` group (pruning deletes: one app at a time, from the Apps screen).
pub fn offered(model: &super::Model) -> bool {
    let s = &model.drift_screen;
    super::permissions::argo_denied(model).is_none()
        && s.deploy.is_none()
        && s.selected()
            .map(super::drift_view::DriftRow::group_id)
            .is_some_and(|id| {
                s.diffs_opened.contains(id)
                    && !model
                        .drift
                        .groups
                        .iter()
                        .any(|g| g.id == id && g.cause == crate::drift::CauseKind::Prune)
            })
}
