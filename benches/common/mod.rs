//! Shared synthetic data for the benchmarks.

use chrono::Duration;
use chrono::{TimeZone, Utc};
use sitrep::model::alert::{Alert, AlertState, Labels, fingerprint};
use sitrep::model::app::{App, AppKey, HealthStatus, HistoryEntry, SyncStatus};

/// `n` alerts spread over `services` services, three severities, every 17th silenced;
/// `generation` changes the summaries so a second snapshot differs from the first.
pub fn synthetic_alerts(n: usize, services: usize, generation: usize) -> Vec<Alert> {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
    let severities = ["critical", "warning", "info"];
    (0..n)
        .map(|i| {
            let mut labels = Labels::new();
            labels.insert("alertname".into(), format!("Alert{}", i % 50));
            labels.insert("service".into(), format!("svc-{}", i % services));
            labels.insert("severity".into(), severities[i % 3].into());
            labels.insert(
                "instance".into(),
                format!("10.0.{}.{}:9100", i / 250, i % 250),
            );
            let mut annotations = Labels::new();
            annotations.insert(
                "summary".into(),
                format!("synthetic alert {i} gen {generation}"),
            );
            Alert {
                fingerprint: fingerprint(&labels),
                labels,
                annotations,
                state: if i % 17 == 0 {
                    AlertState::Silenced
                } else {
                    AlertState::Firing
                },
                starts_at: now - chrono::Duration::seconds((i % 7200) as i64),
                ends_at: None,
                generator_url: None,
                silenced_by: vec![],
                inhibited_by: vec![],
                muted_by: vec![],
                receivers: vec![],
                source: "am".into(),
                also_from: vec![],
                digest: 0,
            }
            // As the Alertmanager client hands them over: sealed in the source's task.
            .sealed()
        })
        .collect()
}

/// App `i` of a synthetic fleet of `total` apps over `services` services; `generation`
/// changes its image and resourceVersion (a changed app).
#[allow(dead_code)]
pub fn synthetic_app(i: usize, generation: usize, services: usize, total: usize) -> App {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
    let mut labels = Labels::new();
    labels.insert(
        "app.kubernetes.io/part-of".into(),
        format!("svc-{}", i % services),
    );
    let history = (0..5)
        .map(|h| HistoryEntry {
            id: h as i64 + 1,
            revision: format!("{:040x}", i * 10 + h),
            revisions: vec![],
            deployed_at: Some(now - Duration::minutes(((i * 7 + h * 300) % 20_000) as i64)),
            deploy_started_at: None,
            initiated_by: "ci-bot".into(),
            automated: true,
            sources: vec![],
        })
        .collect::<Vec<_>>();
    App {
        key: AppKey {
            instance: "argocd".into(),
            namespace: "argocd".into(),
            name: format!("app-{i}-prod"),
        },
        project: format!("team-{}", i % 40),
        labels,
        annotations: Labels::new(),
        sync: if i.is_multiple_of(13) {
            SyncStatus::OutOfSync
        } else {
            SyncStatus::Synced
        },
        health: match i % 50 {
            0 => HealthStatus::Degraded,
            1 => HealthStatus::Progressing,
            _ => HealthStatus::Healthy,
        },
        health_message: String::new(),
        health_since: None,
        git_revision: history.last().unwrap().revision.clone(),
        git_revisions: vec![],
        target_revisions: vec!["main".into()],
        repo_urls: vec!["https://git.example.com/apps".into()],
        multi_source: false,
        destination_server: "https://kubernetes.default.svc".into(),
        destination_namespace: format!("ns-{}", i % 200),
        auto_sync: true,
        self_heal: false,
        operation: None,
        history,
        images: vec![format!("registry/app-{i}:v{generation}")],
        reconciled_at: Some(now),
        resources: vec![],
        resource_version: format!("{}", i + generation * total),
        seen_health: Default::default(),
        sources: vec![],
        compared_to: vec![],
        conditions: vec![],
    }
}

/// A model at the benches' frozen time with these sources configured (none answered yet).
#[allow(dead_code)]
pub fn empty_model(sources: &[(&str, sitrep::model::source::SourceKind)]) -> sitrep::model::Model {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 3, 12, 0).unwrap();
    let theme = sitrep::config::theme::Theme::builtin("dark").unwrap();
    let mut m = sitrep::model::Model::new(
        sitrep::config::settings::Settings::default(),
        sitrep::config::keymap::Keymap::default(),
        theme.clone(),
        vec![theme],
        now,
    );
    for (name, kind) in sources {
        m.sources.push(sitrep::model::source::SourceStatus::new(
            name,
            *kind,
            "http://127.0.0.1:1",
            "bench",
        ));
    }
    m
}

/// A fleet of `total` apps of which one in ten is OutOfSync: of those, half moved by one of
/// 20 commits in a shared repository (`git` causes), the rest drifted live (not fetched yet).
#[allow(dead_code)]
pub fn synthetic_drift_fleet(total: usize) -> Vec<App> {
    (0..total)
        .map(|i| {
            let mut a = synthetic_app(i, 0, 1_000, total);
            a.sync = if i.is_multiple_of(10) {
                SyncStatus::OutOfSync
            } else {
                SyncStatus::Synced
            };
            if i.is_multiple_of(20) {
                a.git_revision = format!("{:040x}", 0xc0ffee + (i / 20) % 20);
            }
            a
        })
        .collect()
}
