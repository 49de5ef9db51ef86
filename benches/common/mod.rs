//! Shared synthetic data for the benchmarks.

use chrono::{TimeZone, Utc};
use sitrep::model::alert::{Alert, AlertState, Labels, fingerprint};

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
