//! Correlation: alerts grouped into services and ranked by urgency. Computed when data changes,
//! never while drawing. Later sources (Argo CD apps, deploys, catalog owners) fill the
//! `Option`/`Vec` fields of the same rows.

use super::alert::{AlertState, Severity};
use super::store::AlertStore;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The name under which alerts with none of the service labels are gathered.
pub const NO_SERVICE: &str = "(no service)";

/// Triage ranking order (PRODUCT.md): critical firing > degraded app > failed sync > warning
/// firing > out of sync > progressing > the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    CriticalFiring,
    DegradedApp,
    FailedSync,
    WarningFiring,
    OutOfSync,
    Progressing,
    /// Only info, pending, silenced or inhibited alerts.
    Quiet,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceRow {
    pub name: String,
    pub urgency: Urgency,
    /// Worst severity among firing alerts (None when nothing fires).
    pub worst: Severity,
    pub firing: usize,
    pub pending: usize,
    pub suppressed: usize,
    pub oldest_firing: Option<DateTime<Utc>>,
    /// Indexes into `AlertStore::merged`, in store order (most urgent first).
    #[serde(skip)]
    pub alerts: Vec<usize>,
    /// Owner team, from the catalog (not configured yet).
    pub owner: Option<String>,
    /// Argo CD apps mapped to this service.
    #[serde(skip)]
    pub apps: Vec<crate::model::app::AppKey>,
    /// Worst health / sync among its apps (None without apps).
    pub health: Option<crate::model::app::HealthStatus>,
    pub sync: Option<crate::model::app::SyncStatus>,
    /// Index into `Model::deploys` of its most recent deploy.
    #[serde(skip)]
    pub last_deploy: Option<usize>,
    /// Its most recent deploy is a suspect (finished shortly before the first firing alert).
    pub suspect: bool,
}

/// Group alerts by service and rank. O(n) over alerts plus a sort over services.
pub fn correlate(store: &AlertStore, service_labels: &[String]) -> Vec<ServiceRow> {
    let mut rows: Vec<ServiceRow> = Vec::new();
    let mut index: super::fasthash::FastMap<&str, usize> = Default::default();
    for (i, alert) in store.merged.iter().enumerate() {
        let name = alert.service(service_labels).unwrap_or(NO_SERVICE);
        let row = match index.get(name) {
            Some(&r) => &mut rows[r],
            None => {
                index.insert(name, rows.len());
                rows.push(ServiceRow {
                    name: name.to_string(),
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
                });
                rows.last_mut().expect("just pushed")
            }
        };
        row.alerts.push(i);
        match alert.state {
            AlertState::Firing | AlertState::Unprocessed => {
                row.firing += 1;
                let sev = store.severities[i];
                if row.firing == 1 || sev < row.worst {
                    row.worst = sev;
                }
                row.oldest_firing = Some(match row.oldest_firing {
                    Some(t) if t <= alert.starts_at => t,
                    _ => alert.starts_at,
                });
            }
            AlertState::Pending => row.pending += 1,
            AlertState::Silenced | AlertState::Inhibited | AlertState::Muted => row.suppressed += 1,
        }
    }
    for row in &mut rows {
        row.urgency = match (row.firing > 0, row.worst) {
            (true, Severity::Critical) => Urgency::CriticalFiring,
            (true, Severity::Warning) => Urgency::WarningFiring,
            _ => Urgency::Quiet,
        };
    }
    rank(&mut rows);
    rows
}

/// Most urgent first; ties broken by more firing alerts, then the longest-burning, then name.
pub fn rank(rows: &mut [ServiceRow]) {
    rows.sort_by(|a, b| {
        a.urgency
            .cmp(&b.urgency)
            .then(b.firing.cmp(&a.firing))
            .then(a.worst.cmp(&b.worst))
            .then(
                a.oldest_firing
                    .unwrap_or(DateTime::<Utc>::MAX_UTC)
                    .cmp(&b.oldest_firing.unwrap_or(DateTime::<Utc>::MAX_UTC)),
            )
            .then((a.name == NO_SERVICE).cmp(&(b.name == NO_SERVICE)))
            .then(a.name.cmp(&b.name))
    });
}
