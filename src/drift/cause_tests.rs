use super::fixtures::*;
use super::*;
use crate::drift::ResourceChange;
use crate::model::app::{HealthStatus, SyncStatus};

const REPO: &str = "https://github.com/example-org/platform-charts";
const CHARTS: &str = "https://charts.bitnami.com/bitnami";

fn git_app(deployed: &str, compared: &str) -> App {
    app(
        "cart-prod",
        SyncStatus::OutOfSync,
        git_source(REPO, "redis", "main"),
        deployed,
        compared,
    )
}

#[test]
fn git_moved_past_the_deployed_revision() {
    let a = git_app("aaaaaaa", "4f2a1c9");
    let c = classify(&a, None);
    assert_eq!(c.kind, CauseKind::Git);
    assert_eq!(
        c.revision,
        Some(RevisionMove {
            repo: REPO.into(),
            source_index: 0,
            chart: String::new(),
            from: "aaaaaaa".into(),
            to: "4f2a1c9".into(),
        })
    );
}

#[test]
fn a_chart_version_moved_by_the_spec_is_a_chart_cause() {
    let mut a = app(
        "redis-prod",
        SyncStatus::OutOfSync,
        chart_source(CHARTS, "redis", "17.3.1"),
        "17.3.1",
        "18.1.0",
    );
    a.compared_to = vec![chart_source(CHARTS, "redis", "18.1.0")];
    let c = classify(&a, None);
    assert_eq!(c.kind, CauseKind::Chart);
    let r = c.revision.unwrap();
    assert_eq!(
        (r.chart.as_str(), r.from.as_str(), r.to.as_str()),
        ("redis", "17.3.1", "18.1.0")
    );
}

#[test]
fn a_chart_resolving_to_a_new_version_is_a_chart_cause() {
    // `targetRevision: 18.*` unchanged, the repository resolved a newer version.
    let a = app(
        "redis-prod",
        SyncStatus::OutOfSync,
        chart_source(CHARTS, "redis", "18.*"),
        "18.0.0",
        "18.1.0",
    );
    let c = classify(&a, None);
    assert_eq!(c.kind, CauseKind::Chart);
    assert_eq!(c.revision.unwrap().to, "18.1.0");
}

#[test]
fn the_apps_own_source_changed_says_what() {
    let mut a = git_app("aaaaaaa", "bbbbbbb");
    a.compared_to = vec![git_source(REPO, "redis", "release-2")];
    let c = classify(&a, None);
    assert_eq!(c.kind, CauseKind::AppSpec);
    assert_eq!(c.reason.as_deref(), Some("targetRevision main → release-2"));

    let mut a = git_app("aaaaaaa", "aaaaaaa");
    a.compared_to = vec![git_source(REPO, "redis-v2", "main")];
    assert_eq!(
        classify(&a, None).reason.as_deref(),
        Some("path redis → redis-v2")
    );

    // Same place and version, other values.
    let mut a = app(
        "redis-prod",
        SyncStatus::OutOfSync,
        chart_source(CHARTS, "redis", "17.3.1"),
        "17.3.1",
        "17.3.1",
    );
    let mut s = chart_source(CHARTS, "redis", "17.3.1");
    s.fingerprint = fingerprint(&s, "replicas: 5");
    a.compared_to = vec![s];
    let c = classify(&a, None);
    assert_eq!(
        (c.kind, c.reason.as_deref()),
        (CauseKind::AppSpec, Some("helm values"))
    );
}

#[test]
fn a_comparison_error_decides_first() {
    let mut a = git_app("aaaaaaa", "bbbbbbb");
    a.conditions = vec![condition(
        "ComparisonError",
        "rpc error: repository not accessible",
    )];
    let c = classify(&a, None);
    assert_eq!(c.kind, CauseKind::Unknown);
    assert_eq!(
        c.reason.as_deref(),
        Some("ComparisonError: rpc error: repository not accessible")
    );
    // A failed sync alone is no reason the app differs.
    a.conditions = vec![condition("SyncError", "hook failed")];
    assert_eq!(classify(&a, None).kind, CauseKind::Git);
    // … unless Argo CD could not even say whether it is synced.
    a.sync = SyncStatus::Unknown;
    assert_eq!(classify(&a, None).kind, CauseKind::Unknown);
}

#[test]
fn at_the_same_revision_resources_to_prune_come_first() {
    let mut a = git_app("aaaaaaa", "aaaaaaa");
    let mut r = resource("ConfigMap", "old", SyncStatus::OutOfSync, None);
    r.requires_pruning = true;
    a.resources = vec![r];
    assert_eq!(classify(&a, None).kind, CauseKind::Prune);
    // Or the diff says a resource is extra.
    let mut a = git_app("aaaaaaa", "aaaaaaa");
    let mut extra = modified("Service", "old", &[], None);
    extra.change = ResourceChange::Extra;
    let d = drift_of(&a, vec![extra], None);
    assert_eq!(classify(&a, Some(&d)).kind, CauseKind::Prune);
    a.resources.clear();
}

#[test]
fn in_git_not_live_is_missing() {
    let mut a = git_app("aaaaaaa", "aaaaaaa");
    a.resources = vec![resource(
        "Deployment",
        "cart",
        SyncStatus::OutOfSync,
        Some(HealthStatus::Missing),
    )];
    assert_eq!(classify(&a, None).kind, CauseKind::Missing);
}

#[test]
fn same_revision_modified_is_live_drift_fetched_or_not() {
    let mut a = git_app("aaaaaaa", "aaaaaaa");
    // Not fetched and nothing Argo CD says points at the cluster: unknown, not live.
    let c = classify(&a, None);
    assert_eq!(
        (c.kind, c.reason.as_deref()),
        (CauseKind::Unknown, Some(NOT_FETCHED))
    );
    // Argo CD's status.resources names one OutOfSync: the cluster differs, live.
    a.resources = vec![resource(
        "Deployment",
        "cart",
        SyncStatus::OutOfSync,
        Some(HealthStatus::Healthy),
    )];
    let c = classify(&a, None);
    assert_eq!(
        (c.kind, c.reason.as_deref()),
        (CauseKind::Live, Some(LIVE_NOT_FETCHED))
    );
    let d = drift_of(
        &a,
        vec![modified(
            "Deployment",
            "cart",
            &["spec.replicas"],
            Some("kubectl-scale"),
        )],
        None,
    );
    assert_eq!(classify(&a, Some(&d)), simple(CauseKind::Live));
}

#[test]
fn managed_resources_forbidden_is_unknown_with_the_error() {
    let a = git_app("aaaaaaa", "aaaaaaa");
    let d = drift_of(&a, vec![], Some("managed resources forbidden (403)"));
    let c = classify(&a, Some(&d));
    assert_eq!(
        (c.kind, c.reason.as_deref()),
        (
            CauseKind::Unknown,
            Some("managed resources forbidden (403)")
        )
    );
    // A Git move is known without the fetch.
    let a = git_app("aaaaaaa", "bbbbbbb");
    let d = drift_of(&a, vec![], Some("forbidden"));
    assert_eq!(classify(&a, Some(&d)).kind, CauseKind::Git);
}

#[test]
fn never_synced_says_so_unless_missing() {
    let mut a = git_app("aaaaaaa", "bbbbbbb");
    a.history.clear();
    let c = classify(&a, None);
    assert_eq!(c.kind, CauseKind::Unknown);
    assert!(c.reason.unwrap().contains("never synced"));
    a.resources = vec![resource(
        "Deployment",
        "cart",
        SyncStatus::OutOfSync,
        Some(HealthStatus::Missing),
    )];
    assert_eq!(classify(&a, None).kind, CauseKind::Missing);
}

#[test]
fn multi_source_the_first_source_that_moved_decides() {
    let chart = chart_source(CHARTS, "redis", "17.3.1");
    let values = git_source(REPO, "", "main");
    let mut a = git_app("x", "x");
    a.multi_source = true;
    a.sources = vec![chart.clone(), values.clone()];
    a.compared_to = vec![chart.clone(), values.clone()];
    a.git_revision = "17.3.1".into();
    a.git_revisions = vec!["17.3.1".into(), "4f2a1c9".into()];
    if let Some(h) = a.history.last_mut() {
        h.revision = "17.3.1".into();
        h.revisions = vec!["17.3.1".into(), "aaaaaaa".into()];
        h.sources = vec![chart.clone(), values.clone()];
    }
    let c = classify(&a, None);
    assert_eq!(c.kind, CauseKind::Git);
    let r = c.revision.clone().unwrap();
    assert_eq!(
        (r.source_index, r.repo.as_str(), r.to.as_str()),
        (1, REPO, "4f2a1c9")
    );
    assert_eq!(c.reason.as_deref(), Some("source 2 of 2"));

    // Both moved: the chart (source 1) decides, the other is noted.
    a.git_revisions = vec!["18.1.0".into(), "4f2a1c9".into()];
    let c = classify(&a, None);
    assert_eq!(c.kind, CauseKind::Chart);
    assert_eq!(c.revision.unwrap().source_index, 0);
    assert_eq!(
        c.reason.as_deref(),
        Some("source 1 of 2 (1 other moved too)")
    );

    // Nothing moved and Argo CD names an OutOfSync resource: the cluster drifted.
    a.git_revisions = vec!["17.3.1".into(), "aaaaaaa".into()];
    a.resources = vec![resource(
        "Deployment",
        "cart",
        SyncStatus::OutOfSync,
        Some(HealthStatus::Healthy),
    )];
    assert_eq!(classify(&a, None).kind, CauseKind::Live);
}

#[test]
fn a_source_appended_or_removed_is_the_apps_own_spec() {
    let chart = chart_source(CHARTS, "redis", "17.3.1");
    let values = git_source(REPO, "", "main");
    let extra = git_source(REPO, "overlays/prod", "main");
    let mut a = git_app("x", "x");
    a.multi_source = true;
    a.sources = vec![chart.clone(), values.clone(), extra.clone()];
    a.compared_to = a.sources.clone();
    a.git_revisions = vec!["17.3.1".into(), "aaaaaaa".into(), "aaaaaaa".into()];
    if let Some(h) = a.history.last_mut() {
        h.revision = "17.3.1".into();
        h.revisions = vec!["17.3.1".into(), "aaaaaaa".into()];
        h.sources = vec![chart.clone(), values.clone()];
    }
    // Every revision that pairs up is the same: once, this was called live.
    let c = classify(&a, None);
    assert_eq!(
        (c.kind, c.reason.as_deref()),
        (CauseKind::AppSpec, Some("sources: 2 → 3"))
    );
    // Removed: 2 → 1 (the deployed entry without sources counts its revisions).
    a.sources = vec![chart.clone()];
    a.compared_to = vec![chart];
    a.git_revisions = vec!["17.3.1".into()];
    if let Some(h) = a.history.last_mut() {
        h.sources.clear();
    }
    let c = classify(&a, None);
    assert_eq!(
        (c.kind, c.reason.as_deref()),
        (CauseKind::AppSpec, Some("sources: 2 → 1"))
    );
}

#[test]
fn sync_unknown_without_an_error_is_unknown_not_live() {
    let mut a = git_app("aaaaaaa", "aaaaaaa");
    a.sync = SyncStatus::Unknown;
    a.resources = vec![resource("Deployment", "cart", SyncStatus::OutOfSync, None)];
    let c = classify(&a, None);
    assert_eq!(
        (c.kind, c.reason.as_deref()),
        (CauseKind::Unknown, Some(NOT_COMPARED))
    );
    // Even with a diff fetched: Argo CD has not compared, so it is not "live".
    let d = drift_of(&a, vec![], None);
    assert_eq!(classify(&a, Some(&d)).kind, CauseKind::Unknown);
    // Its health message, cleaned, says more when there is one.
    a.health_message = "cluster \u{1b}[31munreachable\u{7}".into();
    let c = classify(&a, None);
    assert_eq!(
        (c.kind, c.reason.as_deref()),
        (CauseKind::Unknown, Some("cluster unreachable"))
    );
}
