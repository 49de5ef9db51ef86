//! The one owner of state. Normalized stores, derived indexes, and the interface state; only
//! `update` mutates a `Model`.

pub mod age;
pub mod alert;
pub mod alerts_view;
pub mod app;
pub mod app_view;
pub mod correlation;
pub mod coverage;
pub mod deploy;
pub mod drift;
pub mod drift_sync;
pub mod drift_view;
pub mod fasthash;
pub mod incident;
pub mod kube;
pub mod kube_argo;
pub mod kube_join;
pub mod kube_popups;
pub mod kube_view;
pub mod oncall;
pub mod owner;
pub mod permissions;
pub mod popup;
pub mod runbook_pane;
pub mod selection;
pub mod service;
pub mod silence;
pub mod source;
pub mod store;
pub mod text_match;
pub mod timeline;
pub mod timeline_filter;
pub mod ui;
pub mod views;

#[cfg(test)]
mod proptests;

use crate::config::keymap::Keymap;
use crate::config::settings::Settings;
use crate::config::theme::Theme;
use alerts_view::AlertsView;
use chrono::{DateTime, Utc};
use popup::Popup;
use service::ServiceRow;
use silence::Silence;
use source::SourceStatus;
use std::collections::HashMap;
use store::AlertStore;
use timeline::TimelineEvent;
use ui::{Cursor, Flash, Prompt, Screen, TriagePane};

/// A mutation sent and not yet answered: what the result message needs to know about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingAction {
    /// For people: `silence create on am`, `rollback`, `sync dry-run`.
    pub what: String,
    /// The Argo CD app it acts on (None for silences): routes the result, blocks a second one.
    pub app: Option<app::AppKey>,
    /// A rollback that turns auto-sync off first (the app then needs the OFF reminder).
    pub disable_auto_sync: bool,
}

impl PendingAction {
    pub fn silence(what: String) -> PendingAction {
        PendingAction {
            what,
            app: None,
            disable_auto_sync: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AppsSort {
    #[default]
    Health,
    Sync,
    Age,
    Name,
}

/// Events kept in memory for the Timeline screen; older ones drop off the front.
pub const TIMELINE_CAP: usize = 50_000;

#[derive(Debug, Clone)]
pub struct Model {
    /// The clock as of the last tick; rendering uses it for ages so frames are reproducible.
    pub now: DateTime<Utc>,
    pub settings: Settings,
    pub keymap: Keymap,
    pub theme: Theme,
    pub themes: Vec<Theme>,

    pub sources: Vec<SourceStatus>,
    pub alerts: AlertStore,
    /// Silences by id, from every Alertmanager.
    pub silences: HashMap<String, Silence>,
    /// Derived: services ranked by urgency. Rebuilt when alerts change.
    pub services: Vec<ServiceRow>,
    /// Derived: the triage screen's rows (indexes into `services`), filtered.
    pub triage_view: Vec<views::TriageRow>,
    /// When a service kept on the triage list only by a recent deploy drops off it.
    pub triage_view_expires: Option<DateTime<Utc>>,
    /// Derived: the Services screen's rows (indexes into `services`), filtered.
    pub services_view: Vec<views::ServicesEntry>,
    /// How many services the Services screen has before its filter and `:team` (counted
    /// when its rows are built, not per frame).
    pub services_total: usize,
    /// Derived: the Timeline screen's rows while it is filtered (indexes into `timeline`).
    pub timeline_view: Option<Vec<usize>>,
    /// Events arrived while the Timeline was filtered: its rows are rebuilt in `settle`, and
    /// the cursor put back on what it showed before the first of them.
    pub timeline_reanchor: Option<views::TimelineAnchor>,
    /// Derived: the Alerts screen's grouped, filtered rows.
    pub alerts_view: AlertsView,
    /// The alerts changed while the Alerts screen was not shown: rebuild on opening it.
    pub alerts_view_stale: bool,
    /// Same for the Apps screen's rows.
    pub apps_view_stale: bool,
    /// Same for the Services screen's rows.
    pub services_view_stale: bool,
    /// Stores changed since the derived views were built (see `update::settle`).
    pub pending_rederive: bool,
    /// Which service each alert and app belongs to, kept up to date from what changed.
    pub correlation: correlation::Correlation,
    /// Each catalog source's last complete answer (a failed refresh keeps it).
    pub catalogs: std::collections::BTreeMap<String, crate::msg::CatalogPayload>,
    /// Every catalog's entities, indexed for the join (rebuilt when a catalog changes).
    pub catalog: std::sync::Arc<crate::catalog::CatalogIndex>,
    /// Each on-call source's last answer.
    pub oncall: std::collections::BTreeMap<String, std::sync::Arc<oncall::OnCallSnapshot>>,
    /// `:team NAME` / `--team`: every screen narrowed to this team's services.
    pub team: Option<String>,
    /// Every Kubernetes cluster's objects, as their watchers last reported them.
    pub kube: kube::KubeStore,
    /// The Kubernetes screen: its cluster, namespace, rows, and the actions in flight.
    pub kube_screen: kube_view::KubeScreen,
    /// Fleet drift: each OutOfSync or Unknown app's cause and diff, and their groups.
    pub drift: drift::DriftStore,
    /// The Drift screen and the diff views (groups → apps → resources, a deploy's diff) and a
    /// staged sync's plan and progress.
    pub drift_screen: drift_view::DriftScreen,
    pub timeline: Vec<TimelineEvent>,
    /// Mints every event's id (deterministic: the same messages give the same ids).
    pub event_ids: timeline::EventIds,
    /// The open incident and what its journal has recorded.
    pub incident: incident::IncidentState,
    /// Every runbook of the runbook directories, loaded at start.
    pub runbooks: Vec<std::sync::Arc<crate::runbook::Runbook>>,
    /// The runbook being worked beside the triage view (`r`).
    pub runbook_pane: Option<runbook_pane::RunbookPane>,
    /// Runbook commands running, by request id (see [`runbook_pane::RunRecord`]).
    pub runbook_runs: HashMap<u64, runbook_pane::RunRecord>,
    /// Notifications to send (new critical alert, app Degraded, journal failure…), drained
    /// into effects once per batch; the app loop rate-limits them.
    pub notify_outbox: Vec<crate::notify::Notification>,
    /// Set while a source's first answer is applied: what it reports already was, and is not
    /// notified.
    pub notify_hush: bool,

    /// Argo CD apps by key (all instances).
    pub apps: std::collections::BTreeMap<app::AppKey, app::App>,
    /// Derived: the Apps screen's rows (keys), filtered and sorted. Rebuilt on change.
    pub apps_view: Vec<app::AppKey>,
    pub apps_sort: AppsSort,
    pub apps_cursor: Cursor,
    /// Detail (tree, events) of the apps that matter now, cached.
    pub app_details: HashMap<app::AppKey, app::AppDetail>,
    /// The app whose detail view is open on the Apps screen (Enter), if any.
    pub app_open: Option<app::AppKey>,
    /// Which list of the open app has the keyboard, and its cursor.
    pub app_pane: app_view::AppPane,
    pub app_pane_cursor: Cursor,
    /// Derived: every deploy, newest first (the change feed). Rebuilt when apps/alerts change.
    pub deploys: deploy::Feed,
    /// Derived: the Deploys screen's rows, filtered (rebuilt while shown, else marked stale).
    pub deploys_view: Vec<std::sync::Arc<deploy::Deploy>>,
    pub deploys_view_stale: bool,
    pub deploys_cursor: Cursor,
    /// Apps whose auto-sync sitrep turned off for a rollback: a visible reminder until re-enabled.
    pub autosync_off: std::collections::BTreeSet<app::AppKey>,
    /// The `spec.syncPolicy.automated` each app had when sitrep turned its auto-sync off (as
    /// the action's outcome reported it): sent back when sitrep turns it on again.
    pub autosync_before: std::collections::BTreeMap<app::AppKey, serde_json::Value>,
    /// App details requested and not yet answered (one fetch per app at a time).
    pub detail_requests: std::collections::BTreeSet<app::AppKey>,

    pub screen: Screen,
    pub triage_pane: TriagePane,
    pub triage: Cursor,
    /// Selection within the detail pane's alert list.
    pub detail: Cursor,
    pub alerts_cursor: Cursor,
    pub services_cursor: Cursor,
    pub timeline_cursor: Cursor,
    pub prompt: Option<Prompt>,
    /// The active text filter per screen (Triage, Alerts, Services, Timeline).
    pub filters: HashMap<Screen, String>,
    pub popup: Option<Popup>,
    pub flash: Option<Flash>,
    /// Terminal size as last reported; page moves use it.
    pub size: (u16, u16),
    /// Mutations sent and not yet answered, by request id: a second press does nothing.
    pub in_flight: HashMap<u64, PendingAction>,
    pub next_request_id: u64,
    pub quit: bool,
}

impl Model {
    pub fn new(
        settings: Settings,
        keymap: Keymap,
        theme: Theme,
        themes: Vec<Theme>,
        now: DateTime<Utc>,
    ) -> Model {
        let journal = if settings.incidents_dir.is_some() {
            incident::JournalHealth::Ready
        } else {
            incident::JournalHealth::Unavailable
        };
        Model {
            now,
            settings,
            keymap,
            theme,
            themes,
            sources: Vec::new(),
            alerts: AlertStore::default(),
            silences: HashMap::new(),
            services: Vec::new(),
            triage_view: Vec::new(),
            triage_view_expires: None,
            services_view: Vec::new(),
            services_total: 0,
            timeline_view: None,
            timeline_reanchor: None,
            alerts_view: AlertsView::default(),
            alerts_view_stale: false,
            apps_view_stale: false,
            pending_rederive: false,
            services_view_stale: false,
            correlation: Default::default(),
            catalogs: Default::default(),
            catalog: Default::default(),
            oncall: Default::default(),
            team: None,
            kube: Default::default(),
            kube_screen: Default::default(),
            drift: Default::default(),
            drift_screen: Default::default(),
            timeline: Vec::new(),
            event_ids: Default::default(),
            incident: incident::IncidentState {
                journal,
                ..Default::default()
            },
            notify_outbox: Vec::new(),
            runbooks: Vec::new(),
            runbook_pane: None,
            runbook_runs: HashMap::new(),
            notify_hush: false,
            apps: Default::default(),
            apps_view: Vec::new(),
            apps_sort: AppsSort::default(),
            apps_cursor: Cursor::default(),
            app_details: HashMap::new(),
            app_open: None,
            app_pane: Default::default(),
            app_pane_cursor: Cursor::default(),
            deploys: Default::default(),
            deploys_view: Vec::new(),
            deploys_view_stale: false,
            deploys_cursor: Cursor::default(),
            autosync_off: Default::default(),
            autosync_before: Default::default(),
            detail_requests: Default::default(),
            screen: Screen::Triage,
            triage_pane: TriagePane::Services,
            triage: Cursor::default(),
            detail: Cursor::default(),
            alerts_cursor: Cursor::default(),
            services_cursor: Cursor::default(),
            timeline_cursor: Cursor::default(),
            prompt: None,
            filters: HashMap::new(),
            popup: None,
            flash: None,
            size: (120, 40),
            in_flight: HashMap::new(),
            next_request_id: 1,
            quit: false,
        }
    }

    pub fn filter(&self, screen: Screen) -> &str {
        self.filters.get(&screen).map(String::as_str).unwrap_or("")
    }

    pub fn source(&self, name: &str) -> Option<&SourceStatus> {
        self.sources.iter().find(|s| s.name == name)
    }

    pub fn source_mut(&mut self, name: &str) -> Option<&mut SourceStatus> {
        self.sources.iter_mut().find(|s| s.name == name)
    }
}

impl Model {
    /// Rebuild every derived view from the stores, forgetting what the correlation index knew
    /// (settings changed, a model built by hand). Keeps every cursor on its thing.
    pub fn rederive(&mut self) {
        self.correlation.invalidate();
        self.alerts_view_stale = true;
        self.apps_view_stale = true;
        self.refresh_derived(true);
    }

    /// After a batch of messages: correlate what changed (only that), rebuild the row lists of
    /// the screens, and put each cursor back on its thing. The Alerts and Apps screens' rows
    /// (10,000s of them) are rebuilt only while shown, or when `all_views`; otherwise they wait,
    /// marked stale, until their screen opens ([`Model::refresh_stale_views`]).
    pub fn refresh_derived(&mut self, all_views: bool) {
        // Rows hold their alerts and apps by value and key: what they point at can be read
        // before they are rebuilt.
        let remembered = self.remember_selection();
        self.recorrelate();
        if self.alerts_view_stale && (all_views || self.screen == Screen::Alerts) {
            let filter = self.filter(Screen::Alerts).to_string();
            self.alerts_view
                .rebuild(&mut self.alerts, &self.settings.group_by, &filter, &|a| {
                    correlation::in_team(
                        &self.catalog,
                        self.team.as_deref(),
                        self.correlation
                            .service_of_alert(a, &self.settings, &self.catalog),
                    )
                });
            self.alerts_view_stale = false;
        }
        if self.apps_view_stale && (all_views || self.screen == Screen::Apps) {
            self.rebuild_apps_view();
            self.apps_view_stale = false;
        }
        self.rebuild_triage_view();
        // Every catalog component is a row there: 10,000 of them are rebuilt only when shown.
        self.services_view_stale = true;
        if all_views || self.screen == Screen::Services {
            self.rebuild_services_view();
            self.services_view_stale = false;
        }
        self.deploys_view_stale |= self.correlation.take_feed_changed();
        if self.deploys_view_stale && (all_views || self.screen == Screen::Deploys) {
            self.rebuild_deploys_view();
            self.deploys_view_stale = false;
        }
        self.restore_selection(remembered, selection::IfGone::StayAtRow);
        // Services and Argo CD apps name the Kubernetes rows too.
        self.kube_screen.stale = true;
        if all_views || self.screen == Screen::Kube {
            kube_view::rebuild(self);
        }
    }

    /// Rebuild views marked stale if they are on screen now.
    pub fn refresh_stale_views(&mut self) {
        if (self.alerts_view_stale && self.screen == Screen::Alerts)
            || (self.apps_view_stale && self.screen == Screen::Apps)
            || (self.deploys_view_stale && self.screen == Screen::Deploys)
            || (self.services_view_stale && self.screen == Screen::Services)
        {
            self.refresh_derived(false);
        }
        if self.kube_screen.stale && self.screen == Screen::Kube {
            kube_view::rebuild(self);
        }
    }

    /// The user changed `screen`'s filter or sort: rebuild its rows, keeping the selection on its thing
    /// if that still passes, else starting at the top.
    pub fn rebuild_view(&mut self, screen: Screen) {
        let remembered = self.remember_selection();
        match screen {
            Screen::Triage => self.rebuild_triage_view(),
            Screen::Alerts => {
                let filter = self.filter(Screen::Alerts).to_string();
                self.alerts_view.rebuild(
                    &mut self.alerts,
                    &self.settings.group_by,
                    &filter,
                    &|a| {
                        correlation::in_team(
                            &self.catalog,
                            self.team.as_deref(),
                            self.correlation
                                .service_of_alert(a, &self.settings, &self.catalog),
                        )
                    },
                );
                self.alerts_view_stale = false;
            }
            Screen::Apps => {
                self.rebuild_apps_view();
                self.apps_view_stale = false;
            }
            Screen::Services => self.rebuild_services_view(),
            Screen::Timeline => self.rebuild_timeline_view_keeping_cursor(),
            Screen::Deploys => self.rebuild_deploys_view(),
            Screen::Kube => kube_view::rebuild(self),
            Screen::Drift => drift_view::rebuild(self),
        }
        self.restore_selection(remembered, selection::IfGone::Top);
    }

    /// The Apps screen's rows: filtered by its `/` filter, sorted by `apps_sort`.
    fn rebuild_apps_view(&mut self) {
        let mut text = text_match::TextQuery::new(self.filter(Screen::Apps));
        let mut apps: Vec<&app::App> = self
            .apps
            .values()
            .filter(|a| {
                self.team.is_none()
                    || self.correlation.service_of_app(&a.key).is_some_and(|s| {
                        correlation::in_team(&self.catalog, self.team.as_deref(), s)
                    })
            })
            .filter(|a| {
                text.is_empty()
                    || text.matches(
                        [
                            a.key.instance.as_str(),
                            &a.key.namespace,
                            &a.key.name,
                            &a.project,
                            a.health.word(),
                            a.sync.word(),
                        ]
                        .into_iter(),
                    )
            })
            .collect();
        // Sort references (keys are compared only on ties); clone each key once at the end.
        match self.apps_sort {
            AppsSort::Health => {
                apps.sort_by(|a, b| (a.health, a.sync, &a.key).cmp(&(b.health, b.sync, &b.key)))
            }
            AppsSort::Sync => {
                apps.sort_by(|a, b| (a.sync, a.health, &a.key).cmp(&(b.sync, b.health, &b.key)))
            }
            AppsSort::Age => {
                let last = |a: &app::App| a.history.last().and_then(|h| h.deployed_at);
                apps.sort_by(|a, b| last(b).cmp(&last(a)).then_with(|| a.key.cmp(&b.key)))
            }
            AppsSort::Name => {
                apps.sort_by(|a, b| a.key.name.cmp(&b.key.name).then_with(|| a.key.cmp(&b.key)))
            }
        }
        self.apps_view = apps.into_iter().map(|a| a.key.clone()).collect();
    }
}
