//! Why one app is OutOfSync or Unknown, from the app itself and (for live drift, prune,
//! missing) what its managed-resources fetch found.
//!
//! The order follows APIS.md §1: an error Argo CD reports decides first; then a source whose
//! spec changed (`app_spec`, or `chart` when only a chart's version moved); then a source whose
//! resolved revision moved past the deployed one (`git`, `chart`); only at the same revision is
//! it the cluster (`prune`, `missing`, `live`).

use super::{AppDrift, Cause, CauseKind, ResourceChange, RevisionMove};
use crate::model::app::{App, HealthStatus, SourceRef, SyncStatus};

/// What `live` says before the diff has been fetched (Argo CD already says a resource differs).
pub const LIVE_NOT_FETCHED: &str = "diff not fetched yet";
/// What `unknown` says at the same revision before the diff has been fetched, when nothing
/// Argo CD says points at the cluster.
pub const NOT_FETCHED: &str = "not fetched yet";
/// What `unknown` says of a sync status Unknown with no error and no health message.
pub const NOT_COMPARED: &str = "Argo CD has not compared it";

/// The cause of an OutOfSync or Unknown app (a Synced app has none).
pub fn classify(app: &App, drift: Option<&AppDrift>) -> Cause {
    if let Some(message) = error_condition(app) {
        return unknown(message);
    }
    if app.sync == SyncStatus::Unknown {
        // No comparison, so no revision, spec or cluster claim can be made.
        let message = crate::sanitize::clean_line(&app.health_message, 300);
        return unknown(if message.is_empty() {
            NOT_COMPARED.to_string()
        } else {
            message
        });
    }
    let Some(deployed) = app.history.last() else {
        // Never synced by Argo CD: nothing to compare Git with, unless the cluster lacks it.
        if has_missing(app, drift) {
            return simple(CauseKind::Missing);
        }
        return unknown("never synced: Argo CD has no deploy history for it".to_string());
    };
    if let Some(cause) = source_count_changed(app, &deployed.sources, &deployed.revisions) {
        return cause;
    }
    let compared_revs = compared_revisions(app);
    let deployed_revs: Vec<&str> = if deployed.revisions.is_empty() {
        vec![deployed.revision.as_str()]
    } else {
        deployed.revisions.iter().map(String::as_str).collect()
    };
    let count = compared_revs
        .len()
        .max(app.compared_to.len())
        .max(deployed_revs.len());
    // Multi-source: the first source that moved decides; how many moved is noted.
    let mut first: Option<Cause> = None;
    let mut moved = 0usize;
    for i in 0..count {
        let cause = source_cause(app, i, &compared_revs, &deployed_revs, &deployed.sources);
        if let Some(c) = cause {
            moved += 1;
            if first.is_none() {
                first = Some(c);
            }
        }
    }
    if let Some(mut cause) = first {
        if app.multi_source && count > 1 {
            let index = cause.revision.as_ref().map(|r| r.source_index);
            let note = match (index, moved) {
                (Some(i), 1) => format!("source {} of {count}", i + 1),
                (Some(i), n) => format!("source {} of {count} ({} other moved too)", i + 1, n - 1),
                (None, _) => String::new(),
            };
            if cause.kind != CauseKind::AppSpec && !note.is_empty() {
                cause.reason = Some(note);
            }
        }
        return cause;
    }
    // Same revision everywhere: the cluster differs from Git.
    if has_prune(app, drift) {
        return simple(CauseKind::Prune);
    }
    if has_missing(app, drift) {
        return simple(CauseKind::Missing);
    }
    match drift {
        Some(d) => match &d.error {
            Some(e) => unknown(e.clone()),
            None => simple(CauseKind::Live),
        },
        // Argo CD's own word that a resource differs from Git: the cluster drifted.
        None if app
            .resources
            .iter()
            .any(|r| r.sync == SyncStatus::OutOfSync) =>
        {
            Cause {
                kind: CauseKind::Live,
                revision: None,
                reason: Some(LIVE_NOT_FETCHED.to_string()),
            }
        }
        None => unknown(NOT_FETCHED.to_string()),
    }
}

/// A source appended or removed since the deploy: the app's own spec changed, whatever the
/// revisions say (they no longer pair up by index).
fn source_count_changed(
    app: &App,
    deployed_sources: &[SourceRef],
    deployed_revisions: &[String],
) -> Option<Cause> {
    let now = if !app.compared_to.is_empty() {
        app.compared_to.len()
    } else {
        app.sources.len()
    };
    let then = if !deployed_sources.is_empty() {
        deployed_sources.len()
    } else {
        deployed_revisions.len()
    };
    // Unknown on either side (an old history entry without sources): nothing to compare.
    if now == 0 || then == 0 || now == then {
        return None;
    }
    Some(Cause {
        kind: CauseKind::AppSpec,
        revision: None,
        reason: Some(format!("sources: {then} → {now}")),
    })
}

fn simple(kind: CauseKind) -> Cause {
    Cause {
        kind,
        revision: None,
        reason: None,
    }
}

fn unknown(reason: String) -> Cause {
    Cause {
        kind: CauseKind::Unknown,
        revision: None,
        reason: Some(reason),
    }
}

/// A comparison error (or any error condition while sync is Unknown): Argo CD could not
/// compare, so nothing else it says about the app can be trusted. A `SyncError` alone is the
/// last sync's failure, not a reason the app differs.
fn error_condition(app: &App) -> Option<String> {
    app.conditions
        .iter()
        .find(|c| c.is_error() && (c.kind != "SyncError" || app.sync == SyncStatus::Unknown))
        .map(|c| {
            if c.message.is_empty() {
                c.kind.clone()
            } else {
                format!("{}: {}", c.kind, c.message)
            }
        })
}

fn compared_revisions(app: &App) -> Vec<&str> {
    if app.git_revisions.is_empty() {
        vec![app.git_revision.as_str()]
    } else {
        app.git_revisions.iter().map(String::as_str).collect()
    }
}

/// Source `i`'s cause when it moved: its spec changed, or its revision did.
fn source_cause(
    app: &App,
    i: usize,
    compared_revs: &[&str],
    deployed_revs: &[&str],
    deployed_sources: &[SourceRef],
) -> Option<Cause> {
    let compared = app.compared_to.get(i).or_else(|| app.sources.get(i));
    let from_rev = deployed_revs.get(i).copied().unwrap_or("");
    let to_rev = compared_revs.get(i).copied().unwrap_or("");
    if let (Some(now), Some(then)) = (app.compared_to.get(i), deployed_sources.get(i))
        && now.fingerprint != then.fingerprint
    {
        return Some(spec_cause(i, now, then, from_rev, to_rev));
    }
    if from_rev.is_empty() || to_rev.is_empty() || from_rev == to_rev {
        return None;
    }
    let source = compared.or_else(|| deployed_sources.get(i));
    let repo = source
        .map(|s| s.repo_url.clone())
        .or_else(|| app.repo_urls.get(i).cloned())
        .unwrap_or_default();
    let chart = source.filter(|s| s.is_chart()).map(|s| s.chart.clone());
    Some(Cause {
        kind: if chart.is_some() {
            CauseKind::Chart
        } else {
            CauseKind::Git
        },
        revision: Some(RevisionMove {
            repo,
            source_index: i,
            chart: chart.unwrap_or_default(),
            from: from_rev.to_string(),
            to: to_rev.to_string(),
        }),
        reason: None,
    })
}

/// The Application's source `i` is not what was deployed: a chart whose only visible change
/// is its version is a chart move; anything else is the app's own spec, said as what changed.
fn spec_cause(i: usize, now: &SourceRef, then: &SourceRef, from_rev: &str, to_rev: &str) -> Cause {
    let same_place = now.repo_url == then.repo_url
        && now.path == then.path
        && now.chart == then.chart
        && now.reference == then.reference;
    if now.is_chart() && same_place && now.target_revision != then.target_revision {
        let from = if from_rev.is_empty() {
            then.target_revision.clone()
        } else {
            from_rev.to_string()
        };
        let to = if to_rev.is_empty() || to_rev == from {
            now.target_revision.clone()
        } else {
            to_rev.to_string()
        };
        return Cause {
            kind: CauseKind::Chart,
            revision: Some(RevisionMove {
                repo: now.repo_url.clone(),
                source_index: i,
                chart: now.chart.clone(),
                from,
                to,
            }),
            reason: None,
        };
    }
    let mut what = Vec::new();
    if now.repo_url != then.repo_url {
        what.push(format!("repoURL {} → {}", then.repo_url, now.repo_url));
    }
    if now.chart != then.chart {
        what.push(format!("chart {} → {}", then.chart, now.chart));
    }
    if now.target_revision != then.target_revision {
        what.push(format!(
            "targetRevision {} → {}",
            then.target_revision, now.target_revision
        ));
    }
    if now.path != then.path {
        what.push(format!("path {} → {}", then.path, now.path));
    }
    if what.is_empty() {
        // Same repository, path and revision: the rest of the source (values, parameters,
        // Kustomize images) changed.
        what.push(if now.is_chart() || !then.chart.is_empty() {
            "helm values".to_string()
        } else {
            "source parameters".to_string()
        });
    }
    Cause {
        kind: CauseKind::AppSpec,
        revision: None,
        reason: Some(what.join(", ")),
    }
}

fn has_prune(app: &App, drift: Option<&AppDrift>) -> bool {
    app.resources.iter().any(|r| r.requires_pruning)
        || drift.is_some_and(|d| {
            d.resources
                .iter()
                .any(|r| r.change == ResourceChange::Extra)
        })
}

fn has_missing(app: &App, drift: Option<&AppDrift>) -> bool {
    app.resources
        .iter()
        .any(|r| r.sync == SyncStatus::OutOfSync && r.health == Some(HealthStatus::Missing))
        || drift.is_some_and(|d| {
            d.resources
                .iter()
                .any(|r| r.change == ResourceChange::Missing)
        })
}

#[cfg(test)]
#[path = "cause_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "fixtures.rs"]
pub(crate) mod fixtures;
