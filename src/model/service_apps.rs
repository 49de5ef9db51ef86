//! Correlation, part two: Argo CD apps and their deploys joined to the service rows, suspects
//! marked, urgency re-ranked with app health (PRODUCT.md order).

use super::alert::Severity;
use super::app::{App, AppKey, HealthStatus, OperationPhase, SyncStatus};
use super::deploy::{Deploy, DeployResult, goes_back};
use super::service::{ServiceRow, Urgency, rank};
use crate::config::settings::{ENV_SUFFIXES, Settings};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

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

/// History older than this stays out of the change feed (each app's newest deploy is always
/// in): the feed is about what changed lately, and 10,000 apps keep ~10 entries each.
pub const DEPLOY_FEED_DAYS: i64 = 7;

/// Every recent deploy of every app, newest first: history entries, plus a running or failed
/// operation that has no history entry yet.
pub fn derive_deploys(
    apps: &BTreeMap<AppKey, App>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Vec<Deploy> {
    let horizon = now - Duration::days(DEPLOY_FEED_DAYS);
    let mut deploys = Vec::new();
    for app in apps.values() {
        let service = Some(service_of_app(app, settings));
        let newest = app.history.len().saturating_sub(1);
        for (i, entry) in app.history.iter().enumerate() {
            let rollback = goes_back(&app.history[..i], &entry.revision, entry.automated);
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
                rollback,
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
    }
    deploys.sort_by(|a, b| b.at().cmp(&a.at()).then_with(|| a.app.cmp(&b.app)));
    deploys
}

/// Join apps and deploys to service rows (adding rows for services that only have apps), mark
/// suspects, recompute urgency and re-rank.
pub fn attach(
    rows: &mut Vec<ServiceRow>,
    apps: &BTreeMap<AppKey, App>,
    deploys: &mut [Deploy],
    settings: &Settings,
) {
    let mut index: HashMap<String, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.clone(), i))
        .collect();
    let mut failed_sync: HashSet<usize> = HashSet::new();
    for app in apps.values() {
        let name = service_of_app(app, settings);
        let i = *index.entry(name.clone()).or_insert_with(|| {
            rows.push(empty_row(name));
            rows.len() - 1
        });
        let row = &mut rows[i];
        row.apps.push(app.key.clone());
        row.health = Some(row.health.map_or(app.health, |h| h.min(app.health)));
        row.sync = Some(row.sync.map_or(app.sync, |s| s.min(app.sync)));
        if app.operation.as_ref().is_some_and(|o| {
            !o.dry_run && matches!(o.phase, OperationPhase::Failed | OperationPhase::Error)
        }) {
            failed_sync.insert(i);
        }
    }
    let window = Duration::seconds(settings.suspect_window_secs);
    // The feed is newest first: an app's first deploy finished by the alert's start is the one
    // that was in effect then; older ones of that app were superseded.
    let mut in_effect_seen: HashSet<&AppKey> = HashSet::new();
    for (d, deploy) in deploys.iter_mut().enumerate() {
        let Some(&i) = deploy.service.as_ref().and_then(|s| index.get(s)) else {
            continue;
        };
        let row = &mut rows[i];
        if row.last_deploy.is_none() {
            row.last_deploy = Some(d);
        }
        let (Some(first_alert), Some(finished)) = (row.oldest_firing, deploy.finished_at) else {
            continue;
        };
        if finished > first_alert || !in_effect_seen.insert(&deploy.app) {
            continue;
        }
        deploy.suspect = first_alert - finished <= window;
    }
    // The row's marker speaks of the deploy the row shows.
    for row in rows.iter_mut() {
        row.suspect = row
            .last_deploy
            .is_some_and(|d| deploys.get(d).is_some_and(|d| d.suspect));
    }
    for (i, row) in rows.iter_mut().enumerate() {
        row.urgency = urgency(row, failed_sync.contains(&i));
    }
    rank(rows);
}

fn urgency(row: &ServiceRow, failed_sync: bool) -> Urgency {
    let firing = row.firing > 0;
    if firing && row.worst == Severity::Critical {
        Urgency::CriticalFiring
    } else if row.health == Some(HealthStatus::Degraded) {
        Urgency::DegradedApp
    } else if failed_sync {
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

fn empty_row(name: String) -> ServiceRow {
    ServiceRow {
        name,
        urgency: Urgency::Quiet,
        worst: Severity::None,
        firing: 0,
        pending: 0,
        suppressed: 0,
        oldest_firing: None,
        alerts: Vec::new(),
        owner: None,
        apps: Vec::new(),
        health: None,
        sync: None,
        last_deploy: None,
        suspect: false,
    }
}
