//! The one owner of state. Normalized stores, derived indexes, and the interface state; only
//! `update` mutates a `Model`.

pub mod age;
pub mod alert;
pub mod alerts_view;
pub mod app;
pub mod deploy;
pub mod fasthash;
pub mod popup;
pub mod service;
pub mod service_apps;
pub mod silence;
pub mod source;
pub mod store;
pub mod timeline;
pub mod ui;

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
    /// Derived: the Alerts screen's grouped, filtered rows.
    pub alerts_view: AlertsView,
    /// The alerts changed while the Alerts screen was not shown: rebuild on opening it.
    pub alerts_view_stale: bool,
    /// Same for the Apps screen's rows.
    pub apps_view_stale: bool,
    /// Stores changed since the derived views were built (see `update::settle`).
    pub pending_rederive: bool,
    pub timeline: Vec<TimelineEvent>,

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
    /// Derived: every deploy, newest first (the change feed). Rebuilt when apps/alerts change.
    pub deploys: Vec<deploy::Deploy>,
    pub deploys_cursor: Cursor,
    /// Apps whose auto-sync sitrep turned off for a rollback: a visible reminder until re-enabled.
    pub autosync_off: std::collections::BTreeSet<app::AppKey>,
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
            alerts_view: AlertsView::default(),
            alerts_view_stale: false,
            apps_view_stale: false,
            pending_rederive: false,
            timeline: Vec::new(),
            apps: Default::default(),
            apps_view: Vec::new(),
            apps_sort: AppsSort::default(),
            apps_cursor: Cursor::default(),
            app_details: HashMap::new(),
            app_open: None,
            deploys: Vec::new(),
            deploys_cursor: Cursor::default(),
            autosync_off: Default::default(),
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

    /// Services shown on the triage screen: those with alerts, unhealthy or out-of-sync apps,
    /// or a deploy in the last 30 minutes (after the triage filter).
    pub fn visible_services(&self) -> Vec<&ServiceRow> {
        let f = self.filter(Screen::Triage).to_lowercase();
        let recent = self.now - chrono::Duration::minutes(30);
        self.services
            .iter()
            .filter(|s| {
                !s.alerts.is_empty()
                    || s.urgency != service::Urgency::Quiet
                    || s.last_deploy
                        .and_then(|d| self.deploys.get(d))
                        .is_some_and(|d| {
                            d.result == deploy::DeployResult::Running
                                || d.at().is_some_and(|t| t >= recent)
                        })
            })
            .filter(|s| f.is_empty() || s.name.to_lowercase().contains(&f))
            .collect()
    }

    pub fn selected_service(&self) -> Option<&ServiceRow> {
        self.visible_services().get(self.triage.selected).copied()
    }

    pub fn source(&self, name: &str) -> Option<&SourceStatus> {
        self.sources.iter().find(|s| s.name == name)
    }

    pub fn source_mut(&mut self, name: &str) -> Option<&mut SourceStatus> {
        self.sources.iter_mut().find(|s| s.name == name)
    }
}

impl Model {
    /// Rebuild the derived views (ranked services, Alerts screen rows) after the stores changed,
    /// and keep every cursor inside its list.
    pub fn rederive(&mut self) {
        self.rederive_with(true, true);
    }

    /// Like [`Model::rederive`], but the Alerts screen's rows are only rebuilt while that screen
    /// shows; otherwise they are marked stale and rebuilt when it is opened
    /// ([`Model::refresh_stale_views`]). Source updates at 10,000 alerts use this.
    pub fn rederive_visible(&mut self) {
        let (alerts, apps) = (self.screen == Screen::Alerts, self.screen == Screen::Apps);
        self.rederive_with(alerts, apps);
    }

    /// Rebuild views marked stale if they are on screen now.
    pub fn refresh_stale_views(&mut self) {
        if (self.alerts_view_stale && self.screen == Screen::Alerts)
            || (self.apps_view_stale && self.screen == Screen::Apps)
        {
            self.rederive();
        }
    }

    fn rederive_with(&mut self, alerts_view: bool, apps_view: bool) {
        // Re-ranking must not move the user's selection to another service under their hands.
        let selected = self.selected_service().map(|s| s.name.clone());
        self.services = service::correlate(&self.alerts, &self.settings.service_labels);
        self.deploys = service_apps::derive_deploys(&self.apps, &self.settings, self.now);
        service_apps::attach(
            &mut self.services,
            &self.apps,
            &mut self.deploys,
            &self.settings,
        );
        if apps_view {
            self.rebuild_apps_view();
        }
        self.apps_view_stale = !apps_view;
        if alerts_view {
            let filter = self.filter(Screen::Alerts).to_string();
            self.alerts_view
                .rebuild(&self.alerts, &self.settings.group_by, &filter);
        }
        self.alerts_view_stale = !alerts_view;
        let visible = self.visible_services();
        let n = visible.len();
        let kept = selected.and_then(|name| visible.iter().position(|s| s.name == name));
        if let Some(i) = kept {
            self.triage.selected = i;
        }
        self.triage.clamp(n);
        let detail_len = self.selected_service().map(|s| s.alerts.len()).unwrap_or(0);
        self.detail.clamp(detail_len);
        self.alerts_cursor.clamp(self.alerts_view.rows.len());
        self.services_cursor.clamp(self.services.len());
        self.timeline_cursor.clamp(self.timeline.len());
        self.apps_cursor.clamp(self.apps_view.len());
        self.deploys_cursor.clamp(self.deploys.len());
    }

    /// The Apps screen's rows: filtered by its `/` filter, sorted by `apps_sort`.
    pub fn rebuild_apps_view(&mut self) {
        let f = self.filter(Screen::Apps).to_lowercase();
        let mut apps: Vec<&app::App> = self
            .apps
            .values()
            .filter(|a| {
                f.is_empty() || {
                    let hay = format!(
                        "{} {} {} {} {} {}",
                        a.key.instance,
                        a.key.namespace,
                        a.key.name,
                        a.project,
                        a.health.word(),
                        a.sync.word()
                    )
                    .to_lowercase();
                    f.split_whitespace().all(|w| hay.contains(w))
                }
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
