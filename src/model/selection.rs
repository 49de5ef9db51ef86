//! Selection by identity. Every list screen's cursor is a row number, but what the user selected
//! is a *thing*: a service, an alert, an app, a deploy, an event. When a list is rebuilt
//! (re-ranked, re-sorted, filtered, an alert resolved, a silence expired) the cursor goes back to
//! the same thing; only when that thing is gone does it stay at its row number. (The Timeline
//! keeps its cursor as events arrive in `update::push_event` and `rebuild_timeline_view`.)

use super::Model;
use super::alerts_view::AlertsRow;
use super::ui::Cursor;

/// What each list's cursor pointed at before a rebuild.
#[derive(Clone, Debug, Default)]
pub struct Remembered {
    triage: Option<String>,
    /// The triage cursor was on the fleet row.
    triage_fleet: bool,
    detail: Option<String>,
    alerts: Option<AlertsRowId>,
    services: Option<String>,
    apps: Option<super::app::AppKey>,
    deploys: Option<DeployId>,
}

/// A deploy is its app and its history entry (or, while running, its operation's times).
type DeployId = (
    super::app::AppKey,
    Option<i64>,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// An Alerts screen row: a group by its key, an alert by its fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
enum AlertsRowId {
    Group(String),
    Alert(String),
}

/// Where a cursor goes when its thing is gone from the rebuilt list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IfGone {
    /// Stay at the same row number (the row that took its place): after data changed.
    StayAtRow,
    /// Go to the first row: after the filter changed.
    Top,
}

fn deploy_id(d: &super::deploy::Deploy) -> DeployId {
    (d.app.clone(), d.history_id, d.started_at)
}

fn same_deploy(d: &super::deploy::Deploy, id: &DeployId) -> bool {
    d.app == id.0 && d.history_id == id.1 && d.started_at == id.2
}

fn alerts_row_id(row: &AlertsRow) -> AlertsRowId {
    match row {
        AlertsRow::Group(g) => AlertsRowId::Group(g.key.clone()),
        AlertsRow::Alert(a) => AlertsRowId::Alert(a.fingerprint.clone()),
    }
}

/// Compare without allocating: rebuilt lists can hold 10,000 rows.
fn is_alerts_row(row: &AlertsRow, id: &AlertsRowId) -> bool {
    match (row, id) {
        (AlertsRow::Group(g), AlertsRowId::Group(key)) => &g.key == key,
        (AlertsRow::Alert(a), AlertsRowId::Alert(fp)) => &a.fingerprint == fp,
        _ => false,
    }
}

impl Model {
    pub fn remember_selection(&self) -> Remembered {
        let service = self.selected_service();
        Remembered {
            triage: service.map(|s| s.name.clone()),
            triage_fleet: self.fleet_selected(),
            detail: service
                .and_then(|s| s.alerts.get(self.detail.selected))
                .map(|a| a.fingerprint.clone()),
            alerts: self
                .alerts_view
                .rows
                .get(self.alerts_cursor.selected)
                .map(alerts_row_id),
            services: self.selected_services_name().map(str::to_string),
            apps: self.apps_view.get(self.apps_cursor.selected).cloned(),
            deploys: self.selected_deploy().map(deploy_id),
        }
    }

    /// Put every cursor back on what it pointed at (see [`IfGone`] for what was removed), then
    /// keep each inside its list.
    pub fn restore_selection(&mut self, r: Remembered, if_gone: IfGone) {
        fn put(cursor: &mut Cursor, found: Option<usize>, had: bool, if_gone: IfGone) {
            match found {
                Some(i) => cursor.selected = i,
                None if had && if_gone == IfGone::Top => cursor.selected = 0,
                None => {}
            }
        }
        let triage_before = self.triage.selected;
        let found = if r.triage_fleet {
            self.triage_view
                .iter()
                .position(|row| *row == super::views::TriageRow::Fleet)
        } else {
            r.triage
                .as_ref()
                .and_then(|name| self.triage_position(name))
        };
        let had = r.triage.is_some() || r.triage_fleet;
        put(&mut self.triage, found, had, if_gone);
        self.triage.clamp(self.triage_view.len());
        // The detail list belongs to the selected service: another service starts at its top.
        let same_service = self.selected_service().map(|s| &s.name) == r.triage.as_ref();
        if same_service {
            let found = r.detail.as_ref().and_then(|fp| {
                self.selected_service()
                    .and_then(|s| s.alerts.iter().position(|a| &a.fingerprint == fp))
            });
            put(&mut self.detail, found, r.detail.is_some(), if_gone);
        } else if self.triage.selected != triage_before || r.triage.is_some() {
            self.detail.selected = 0;
        }
        let detail_len = self.selected_service().map(|s| s.alerts.len()).unwrap_or(0);
        self.detail.clamp(detail_len);

        let found = r.alerts.as_ref().and_then(|id| {
            self.alerts_view
                .rows
                .iter()
                .position(|row| is_alerts_row(row, id))
        });
        put(&mut self.alerts_cursor, found, r.alerts.is_some(), if_gone);
        self.alerts_cursor.clamp(self.alerts_view.rows.len());

        let found = r.services.as_ref().and_then(|name| {
            self.services_view
                .iter()
                .position(|e| self.services_entry_name(*e) == Some(name.as_str()))
        });
        put(
            &mut self.services_cursor,
            found,
            r.services.is_some(),
            if_gone,
        );
        self.services_cursor.clamp(self.services_view.len());

        let found = r
            .apps
            .as_ref()
            .and_then(|k| self.apps_view.iter().position(|x| x == k));
        put(&mut self.apps_cursor, found, r.apps.is_some(), if_gone);
        self.apps_cursor.clamp(self.apps_view.len());

        let found = r
            .deploys
            .as_ref()
            .and_then(|id| self.deploys_view.iter().position(|d| same_deploy(d, id)));
        put(
            &mut self.deploys_cursor,
            found,
            r.deploys.is_some(),
            if_gone,
        );
        self.deploys_cursor.clamp(self.deploys_view.len());
    }
}
