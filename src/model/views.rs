//! The rows each list screen shows, filtered by its `/` filter, computed when data or the filter
//! change (never while drawing). Every filter takes the same language: Alertmanager matchers
//! (`severity=critical`, applied to alerts) and text words ([`TextQuery`]).

use super::Model;
use super::alerts_view::{AlertFilter, alert_fields};
use super::deploy::DeployResult;
use super::service::{ServiceRow, Urgency};
use super::text_match::TextQuery;
use super::timeline::TimelineEvent;
use super::ui::Screen;
use chrono::{DateTime, Duration, Utc};

/// A service with a deploy this recent stays on the triage list even when nothing is wrong.
pub const RECENT_DEPLOY_MINUTES: i64 = 30;

/// A row of the Services screen: a service with alerts or apps (its row in
/// `Model::services`), or a catalog component with neither (`CatalogIndex::components`),
/// which has no row to keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServicesEntry {
    Row(usize),
    Component(usize),
}

/// The filter matcher about a service's owner (`/owner=payments`) rather than alert labels.
pub const OWNER_MATCHER: &str = "owner";

/// A row of the triage list: a service (its row in `Model::services`), or the one fleet row
/// standing for many OutOfSync apps grouped by cause (`Model::drift`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TriageRow {
    Service(usize),
    Fleet,
}

impl Model {
    /// Services shown on the triage screen (after its filter), most urgent first. The fleet
    /// row is not among them: [`Model::triage_row`] says what each row is.
    pub fn visible_services(&self) -> Vec<&ServiceRow> {
        self.triage_view
            .iter()
            .filter_map(|r| match r {
                TriageRow::Service(i) => self.services.get(*i),
                TriageRow::Fleet => None,
            })
            .collect()
    }

    /// What triage row `row` is.
    pub fn triage_row(&self, row: usize) -> Option<TriageRow> {
        self.triage_view.get(row).copied()
    }

    /// The triage cursor is on the fleet row.
    pub fn fleet_selected(&self) -> bool {
        self.triage_row(self.triage.selected) == Some(TriageRow::Fleet)
    }

    /// None on the fleet row: keys that act on a service do nothing there.
    pub fn selected_service(&self) -> Option<&ServiceRow> {
        match self.triage_view.get(self.triage.selected)? {
            TriageRow::Service(i) => self.services.get(*i),
            TriageRow::Fleet => None,
        }
    }

    /// The triage row showing this service.
    pub fn triage_position(&self, name: &str) -> Option<usize> {
        self.triage_view.iter().position(|r| match r {
            TriageRow::Service(i) => self.services.get(*i).is_some_and(|s| s.name == name),
            TriageRow::Fleet => false,
        })
    }

    /// The fleet row is shown: enough apps OutOfSync (or Unknown), the list not narrowed by a
    /// filter or a team (the fleet is everyone's).
    pub fn fleet_shown(&self) -> bool {
        self.drift.unsynced() >= self.settings.drift_fleet_threshold.max(1)
            && !self.drift.groups.is_empty()
            && self.filter(Screen::Triage).is_empty()
            && self.team.is_none()
    }

    /// A service listed only because of OutOfSync apps the fleet row covers: folded into it.
    /// Anything else it has to say keeps its row: an app not Healthy (Progressing, Missing,
    /// Suspended rank below OutOfSync but still matter), workloads not quiet.
    fn folded_into_fleet(&self, s: &ServiceRow, recent_deploy: bool) -> bool {
        use crate::kube::status::RolloutPhase;
        let kube_quiet = s.kube.as_ref().is_none_or(|k| {
            k.broken == 0
                && k.degraded == 0
                && k.warning_events == 0
                && matches!(k.phase, None | Some(RolloutPhase::Complete))
        });
        s.urgency == Urgency::OutOfSync
            && s.alerts.is_empty()
            && !recent_deploy
            && s.health == Some(super::app::HealthStatus::Healthy)
            && kube_quiet
            && s.apps.iter().all(|k| {
                self.apps
                    .get(k)
                    .is_none_or(|a| a.sync == super::app::SyncStatus::Synced)
                    || self.drift.apps.contains_key(k)
            })
    }

    /// Rebuild the triage rows: services with alerts, unhealthy or out-of-sync apps, or a
    /// deploy in the last 30 minutes, that pass the triage filter. Also notes when the next
    /// recent deploy ages out, so the list is rebuilt then and not on every tick.
    pub(super) fn rebuild_triage_view(&mut self) {
        let recent = self.now - Duration::minutes(RECENT_DEPLOY_MINUTES);
        let mut expires: Option<DateTime<Utc>> = None;
        let filter = AlertFilter::parse(self.filter(Screen::Triage));
        let mut text = TextQuery::new(&filter.text);
        let mut view = Vec::new();
        let fleet = self.fleet_shown();
        for (i, s) in self.services.iter().enumerate() {
            let deploy = s.last_deploy.as_ref();
            let recent_deploy = deploy.is_some_and(|d| {
                d.result == DeployResult::Running || d.at().is_some_and(|t| t >= recent)
            });
            let shown = !s.alerts.is_empty() || s.urgency != Urgency::Quiet || recent_deploy;
            if !shown {
                continue;
            }
            if s.alerts.is_empty()
                && s.urgency == Urgency::Quiet
                && let Some(t) = deploy.and_then(|d| d.at())
            {
                let out = t + Duration::minutes(RECENT_DEPLOY_MINUTES);
                expires = Some(expires.map_or(out, |e| e.min(out)));
            }
            if fleet && self.folded_into_fleet(s, recent_deploy) {
                continue;
            }
            if self.service_matches(s, &filter, &mut text) {
                view.push(TriageRow::Service(i));
            }
        }
        if fleet {
            // Below critical alerts, degraded apps and failed syncs; above everything else.
            let at = view
                .iter()
                .position(|r| match r {
                    TriageRow::Service(i) => self.services.get(*i).is_none_or(|s| {
                        !matches!(
                            s.urgency,
                            Urgency::CriticalFiring | Urgency::DegradedApp | Urgency::FailedSync
                        )
                    }),
                    TriageRow::Fleet => true,
                })
                .unwrap_or(view.len());
            view.insert(at, TriageRow::Fleet);
        }
        self.triage_view = view;
        self.triage_view_expires = expires;
    }

    /// A service passes a filter when its matchers select at least one of its alerts and each
    /// text word names the service, its owner, one of its apps or one of its alerts.
    fn service_matches(&self, s: &ServiceRow, filter: &AlertFilter, text: &mut TextQuery) -> bool {
        if !self.in_team(&s.name) {
            return false;
        }
        let alerts = || s.alerts.iter();
        // `owner=payments` (and `!=`, `=~`) is about the service's owner, not an alert label.
        let (owner, labels): (Vec<_>, Vec<_>) = filter
            .matchers
            .iter()
            .partition(|m| m.matcher.name == OWNER_MATCHER);
        if !owner.is_empty() {
            let mut own = super::alert::Labels::new();
            if let Some(o) = &s.owner {
                own.insert(OWNER_MATCHER.to_string(), o.clone());
            }
            if !owner.iter().all(|m| m.matches(&own)) {
                return false;
            }
        }
        if !labels.is_empty() && !alerts().any(|a| labels.iter().all(|m| m.matches(&a.labels))) {
            return false;
        }
        if text.is_empty() {
            return true;
        }
        let own = [s.name.as_str(), s.owner.as_deref().unwrap_or("")];
        let fields = own
            .into_iter()
            .chain(s.apps.iter().map(|k| k.name.as_str()))
            .chain(alerts().flat_map(|a| alert_fields(a)));
        text.matches(fields)
    }

    /// The Services screen's rows: every service with alerts or apps (most urgent first),
    /// then every other catalog component (by name), filtered.
    pub(super) fn rebuild_services_view(&mut self) {
        let filter = AlertFilter::parse(self.filter(Screen::Services));
        let mut text = TextQuery::new(&filter.text);
        let mut view = Vec::with_capacity(self.services.len());
        for (i, s) in self.services.iter().enumerate() {
            if self.service_matches(s, &filter, &mut text) {
                view.push(ServicesEntry::Row(i));
            }
        }
        // A component with no alerts and no apps: the row it would have, for the filter.
        let mut quiet = ServiceRow::empty(String::new());
        let mut total = self.services.len();
        for (j, c) in self.catalog.components().iter().enumerate() {
            if self.correlation_index(&c.service).is_some() {
                continue;
            }
            total += 1;
            quiet.name.clone_from(&c.service);
            quiet.owner = self.catalog.owner_label(&c.service);
            if self.service_matches(&quiet, &filter, &mut text) {
                view.push(ServicesEntry::Component(j));
            }
        }
        self.services_view = view;
        self.services_total = total;
    }

    /// The service a Services screen row is about.
    pub fn services_entry_name(&self, entry: ServicesEntry) -> Option<&str> {
        match entry {
            ServicesEntry::Row(i) => self.services.get(i).map(|s| s.name.as_str()),
            ServicesEntry::Component(j) => {
                self.catalog.components().get(j).map(|c| c.service.as_str())
            }
        }
    }

    /// The service selected on the Services screen.
    pub fn selected_services_name(&self) -> Option<&str> {
        self.services_view
            .get(self.services_cursor.selected)
            .and_then(|e| self.services_entry_name(*e))
    }

    /// The Deploys screen's rows: every deploy (newest first), filtered by app, service,
    /// revision, who started it, its result and what it was (rollback, suspect).
    pub(super) fn rebuild_deploys_view(&mut self) {
        let mut text = TextQuery::new(self.filter(Screen::Deploys));
        self.deploys_view = self
            .deploys
            .iter()
            .filter(|d| {
                self.team.is_none() || d.service.as_deref().is_some_and(|s| self.in_team(s))
            })
            .filter(|d| {
                text.is_empty()
                    || text.matches(
                        [
                            d.app.name.as_str(),
                            d.app.instance.as_str(),
                            d.service.as_deref().unwrap_or(""),
                            d.revision.as_str(),
                            d.initiator.as_str(),
                            d.result.word(),
                            if d.rollback { "rollback" } else { "" },
                            if d.suspect { "suspect" } else { "" },
                        ]
                        .into_iter(),
                    )
            })
            .cloned()
            .collect();
    }

    /// The deploy under the Deploys screen's cursor.
    pub fn selected_deploy(&self) -> Option<&super::deploy::Deploy> {
        self.deploys_view
            .get(self.deploys_cursor.selected)
            .map(|d| &**d)
    }

    /// The Timeline screen's rows while it is filtered (None: every event, in order).
    pub fn rebuild_timeline_view(&mut self) {
        let f = self.filter(Screen::Timeline);
        if f.is_empty() {
            self.timeline_view = None;
            return;
        }
        let mut filter = super::timeline_filter::TimelineFilter::parse(f);
        let view = self
            .timeline
            .iter()
            .enumerate()
            .filter(|(_, e)| filter.matches(e, &self.incident))
            .map(|(i, _)| i)
            .collect();
        self.timeline_view = Some(view);
    }

    /// What the Timeline's cursor shows now, to put it back after its rows change.
    pub fn timeline_anchor(&self) -> TimelineAnchor {
        if self.timeline_cursor.selected + 1 >= self.timeline_len() {
            TimelineAnchor::Following
        } else {
            match self.timeline_row(self.timeline_cursor.selected) {
                Some(e) => TimelineAnchor::Event(e.id.clone()),
                None => TimelineAnchor::Following,
            }
        }
    }

    /// The timeline changes under a filter: remember where the cursor is (once, before the
    /// filtered rows go out of date) and rebuild the rows in `settle`.
    pub fn timeline_changing(&mut self) {
        if self.timeline_view.is_some() && self.timeline_reanchor.is_none() {
            self.timeline_reanchor = Some(self.timeline_anchor());
        }
    }

    /// Rebuild the Timeline's filtered rows, keeping the cursor on its event (or on the newest
    /// row when it was following, or its event no longer passes).
    pub fn rebuild_timeline_view_keeping_cursor(&mut self) {
        let anchor = self
            .timeline_reanchor
            .take()
            .unwrap_or_else(|| self.timeline_anchor());
        self.rebuild_timeline_view();
        let len = self.timeline_len();
        let found = match anchor {
            TimelineAnchor::Event(id) => {
                (0..len).find(|r| self.timeline_row(*r).is_some_and(|e| e.id == id))
            }
            TimelineAnchor::Following => None,
        };
        self.timeline_cursor.selected = found.unwrap_or(len.saturating_sub(1));
    }

    /// How many rows the Timeline screen shows.
    pub fn timeline_len(&self) -> usize {
        match &self.timeline_view {
            Some(v) => v.len(),
            None => self.timeline.len(),
        }
    }

    /// The event under the Timeline screen's cursor.
    pub fn selected_event(&self) -> Option<&TimelineEvent> {
        self.timeline_row(self.timeline_cursor.selected)
    }

    /// The event on row `row` of the Timeline screen.
    pub fn timeline_row(&self, row: usize) -> Option<&TimelineEvent> {
        match &self.timeline_view {
            Some(v) => v.get(row).and_then(|i| self.timeline.get(*i)),
            None => self.timeline.get(row),
        }
    }
}

/// Where the Timeline's cursor was: on the newest row (following), or on an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimelineAnchor {
    Following,
    Event(String),
}
