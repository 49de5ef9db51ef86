//! A service's row: its alerts, apps and last deploy, and where it ranks. Built and kept up to
//! date by the correlation index (`correlation.rs`) when data changes, never while drawing.

use super::alert::{Alert, Severity};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;

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
    /// Its alerts, most urgent first (shared with the store).
    #[serde(skip)]
    pub alerts: Vec<Arc<Alert>>,
    /// Its owner as the OWNER column shows it (`payments`, `user:alice`), from the catalog.
    /// `snapshot` writes the whole owner card instead.
    #[serde(skip)]
    pub owner: Option<String>,
    /// Argo CD apps mapped to this service.
    #[serde(skip)]
    pub apps: Vec<crate::model::app::AppKey>,
    /// Worst health / sync among its apps (None without apps).
    pub health: Option<crate::model::app::HealthStatus>,
    pub sync: Option<crate::model::app::SyncStatus>,
    /// One of its apps' last operation failed.
    #[serde(skip)]
    pub failed_sync: bool,
    /// Its most recent deploy.
    #[serde(skip)]
    pub last_deploy: Option<crate::model::deploy::Deploy>,
    /// Its most recent deploy is a suspect (in effect shortly before the first firing alert).
    pub suspect: bool,
    /// Its Kubernetes workloads in short (None: none joined to it). `snapshot` writes them
    /// in full as `workloads[]`.
    #[serde(skip)]
    pub kube: Option<crate::model::kube_join::KubeRowState>,
    /// The feed keys of its Deployments' revisions (`deploy::kube_deploy_key`), read beside
    /// `apps` for its deploys and suspects.
    #[serde(skip)]
    pub kube_deploys: Vec<crate::model::app::AppKey>,
}

impl ServiceRow {
    pub fn empty(name: String) -> ServiceRow {
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
            failed_sync: false,
            last_deploy: None,
            suspect: false,
            kube: None,
            kube_deploys: Vec::new(),
        }
    }
}

/// Most urgent first; ties broken by more firing alerts, then the longest-burning, then name.
pub fn rank(rows: &mut [ServiceRow]) {
    rows.sort_by(rank_order);
}

/// The ranking as a comparison (a total order: names break the last ties).
pub fn rank_order(a: &ServiceRow, b: &ServiceRow) -> std::cmp::Ordering {
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
}
