//! A service's owner card: who owns it, how to reach them, who is on call now, what it is part
//! of, its links, and how it was matched. Built on demand from the catalog index and the
//! on-call snapshots (for the one selected service, or each service of `snapshot`), so it is
//! never out of date and costs nothing while not shown.

use super::Model;
use super::oncall::{OnCall, OnCallSnapshot};
use super::source::{SourceKind, SourceState};
use crate::catalog::entity::{Entity, EntityKind, Spec};
use crate::catalog::index::{
    CatalogIndex, MatchedBy, ONCALL_SCHEDULE, OPSGENIE_TEAM, PAGERDUTY_SERVICE,
};
use serde::Serialize;
use std::collections::BTreeSet;

/// The owner as the card and `snapshot` show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Owner {
    /// `group` or `user`.
    pub kind: &'static str,
    /// `payments`, `ops/payments`.
    pub name: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub chat: Option<String>,
    /// The owner is named by the component but absent from the catalog.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
    pub on_call: Vec<OnCallPerson>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OnCallPerson {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl From<&OnCall> for OnCallPerson {
    fn from(o: &OnCall) -> Self {
        OnCallPerson {
            name: o.name.clone(),
            email: o.email.clone(),
            level: o.level,
            schedule: o.schedule.clone(),
            until: o.until,
            url: o.url.clone(),
        }
    }
}

/// What the card can say about on-call.
#[derive(Clone, Debug, PartialEq)]
pub enum OnCallStatus {
    /// No paging service configured: the card says how to add one.
    NotConfigured,
    /// Configured but not answered yet.
    Waiting,
    /// The paging service failed and has nothing for this service: its error.
    Failed(String),
    /// Nothing in the catalog points at a rotation (no annotation, no owner).
    NoKey,
    /// The keys point nowhere the paging service knows ("PagerDuty has no service PX").
    NotFound(String),
    /// These people, level 1 first; `via` says how they were found; `failing` names the
    /// paging service whose last answer this is, while it fails.
    People {
        via: String,
        failing: Option<String>,
    },
}

/// A link of the card, `http(s)` or `mailto` only (filtered when decoded).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CardLink {
    /// `runbook`, `dashboard`, `docs`, `repo`, `chat`, `email`, `on-call`, `link`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OwnerCard {
    pub in_catalog: bool,
    /// The component's entity reference (`component:default/checkout`).
    pub component: Option<String>,
    pub owner: Option<Owner>,
    pub on_call: OnCallStatus,
    pub system: Option<String>,
    pub lifecycle: Option<String>,
    /// `service`, `website`…
    pub kind: Option<String>,
    pub links: Vec<CardLink>,
    /// Who is on call (when `on_call` is `People`), level 1 first; also on `owner` for the
    /// snapshot, but here even when the component names no owner.
    pub on_call_people: Vec<OnCallPerson>,
}

/// Links in the order a responder wants them.
const LINK_ORDER: [&str; 6] = ["runbook", "dashboard", "docs", "repo", "chat", "email"];

fn link_kind(purpose: Option<&str>, title: Option<&str>, url: &str) -> String {
    let guess = |s: &str| {
        let s = s.to_ascii_lowercase();
        if s.contains("runbook") || s.contains("playbook") {
            Some("runbook")
        } else if s.contains("dashboard") || s.contains("grafana") {
            Some("dashboard")
        } else if s.contains("doc") || s.contains("wiki") {
            Some("docs")
        } else if s.contains("repo") || s.contains("source") || s.contains("github") {
            Some("repo")
        } else if s.contains("slack") || s.contains("chat") {
            Some("chat")
        } else {
            None
        }
    };
    match purpose {
        Some("runbook" | "playbook") => "runbook".into(),
        Some("dashboard" | "grafana") => "dashboard".into(),
        Some("docs" | "documentation" | "techdocs" | "wiki") => "docs".into(),
        Some("repo" | "repository" | "source" | "github" | "gitlab" | "git") => "repo".into(),
        Some("slack" | "chat" | "teams" | "mattermost" | "discord") => "chat".into(),
        Some(other) => guess(other).unwrap_or(other).to_string(),
        None => title
            .and_then(guess)
            .or_else(|| guess(url))
            .unwrap_or("link")
            .to_string(),
    }
}

fn entity_links(e: &Entity) -> impl Iterator<Item = CardLink> + '_ {
    e.meta.links.iter().map(|l| {
        let kind = link_kind(l.purpose(), l.title.as_deref(), &l.url);
        CardLink {
            title: l.title.clone().unwrap_or_else(|| kind.clone()),
            kind,
            url: l.url.clone(),
        }
    })
}

impl Model {
    /// The owner card of `service` (a row's name).
    pub fn owner_card(&self, service: &str) -> OwnerCard {
        let catalog = &self.catalog;
        let component = catalog.component(service);
        let mut card = OwnerCard {
            in_catalog: component.is_some(),
            component: component.map(|c| c.entity.entity_ref().to_string()),
            owner: None,
            on_call: OnCallStatus::NoKey,
            system: catalog.system(service),
            lifecycle: catalog.lifecycle(service).map(str::to_string),
            kind: component.and_then(|c| match &c.entity.spec {
                Spec::Component(s) => s.kind.clone(),
                _ => None,
            }),
            links: Vec::new(),
            on_call_people: Vec::new(),
        };
        let Some(component) = component else {
            card.on_call = self.on_call_status(None, None, &mut Vec::new());
            return card;
        };
        card.links.extend(entity_links(&component.entity));
        let owner_entity = catalog.owner(service).and_then(|(_, e)| e.cloned());
        if let Some((r, e)) = catalog.owner(service) {
            let mut owner = Owner {
                kind: if r.kind == EntityKind::User {
                    "user"
                } else {
                    "group"
                },
                name: r.short(),
                display_name: e.map(|e| e.display_name().to_string()),
                email: e.and_then(|e| e.email().map(str::to_string)),
                chat: e.and_then(|e| CatalogIndex::chat(e)),
                missing: e.is_none(),
                on_call: Vec::new(),
            };
            if let Some(e) = e {
                // The team's chat link (and other links) after the component's own.
                for l in entity_links(e) {
                    if !card.links.iter().any(|c| c.url == l.url) {
                        card.links.push(l);
                    }
                }
            }
            if let Some(mail) = &owner.email
                && let Some(url) = crate::catalog::decode::safe_link(&format!("mailto:{mail}"))
            {
                card.links.push(CardLink {
                    kind: "email".into(),
                    title: mail.clone(),
                    url,
                });
            }
            let mut people = Vec::new();
            card.on_call = self.on_call_status(
                Some(&component.entity),
                owner_entity.as_deref(),
                &mut people,
            );
            for p in &people {
                if let Some(url) = &p.url {
                    card.links.push(CardLink {
                        kind: "on-call".into(),
                        title: p.name.clone(),
                        url: url.clone(),
                    });
                }
            }
            owner.on_call = people.clone();
            card.on_call_people = people;
            card.owner = Some(owner);
        } else {
            let mut people = Vec::new();
            card.on_call = self.on_call_status(Some(&component.entity), None, &mut people);
            card.on_call_people = people;
        }
        card.links.sort_by_key(|l| {
            LINK_ORDER
                .iter()
                .position(|k| *k == l.kind)
                .unwrap_or(LINK_ORDER.len())
        });
        card
    }

    /// Who is on call for a component (and its owning team): PagerDuty's service id, then a
    /// schedule named by `sitrep.dev/oncall-schedule`, then the Opsgenie team (its annotation,
    /// else the owner's name).
    fn on_call_status(
        &self,
        component: Option<&Entity>,
        team: Option<&Entity>,
        people: &mut Vec<OnCallPerson>,
    ) -> OnCallStatus {
        let sources: Vec<_> = self
            .sources
            .iter()
            .filter(|s| s.kind == SourceKind::OnCall)
            .collect();
        if sources.is_empty() {
            return OnCallStatus::NotConfigured;
        }
        let Some(component) = component else {
            return OnCallStatus::NoKey;
        };
        let snapshots: Vec<&OnCallSnapshot> = self.oncall.values().map(|s| &**s).collect();
        let from_either = |key: &str| {
            component
                .annotation(key)
                .or_else(|| team.and_then(|t| t.annotation(key)))
                .map(str::to_string)
        };
        let pd = component.annotation(PAGERDUTY_SERVICE).map(str::to_string);
        let schedule = from_either(ONCALL_SCHEDULE);
        let og_team = from_either(OPSGENIE_TEAM).or_else(|| team.map(|t| t.meta.name.clone()));
        let mut tried = Vec::new();
        let mut found: Option<(&[OnCall], String)> = None;
        if let Some(id) = &pd {
            tried.push(format!("PagerDuty service {id}"));
            found = snapshots
                .iter()
                .find_map(|s| s.for_service(id))
                .map(|p| (p, format!("PagerDuty service {id}")));
        }
        if found.is_none()
            && let Some(name) = &schedule
        {
            tried.push(format!("schedule {name}"));
            found = snapshots
                .iter()
                .find_map(|s| s.for_schedule(name))
                .map(|p| (p, format!("schedule {name}")));
        }
        if found.is_none()
            && let Some(name) = &og_team
        {
            tried.push(format!("team {name}"));
            found = snapshots
                .iter()
                .find_map(|s| s.for_team(name))
                .map(|p| (p, format!("team {name}")));
        }
        if let Some((list, via)) = found {
            // A shift that has ended is not "on call now" (an old answer kept while the paging
            // service fails).
            let mut sorted: Vec<&OnCall> = list
                .iter()
                .filter(|o| o.until.is_none_or(|t| t > self.now))
                .collect();
            sorted.sort_by_key(|o| o.level.unwrap_or(u32::MAX));
            people.extend(sorted.into_iter().map(OnCallPerson::from));
            let failing = sources
                .iter()
                .find(|s| s.state == SourceState::Failing)
                .map(|s| s.name.clone());
            return OnCallStatus::People { via, failing };
        }
        if let Some(failing) = sources.iter().find(|s| s.state == SourceState::Failing) {
            return OnCallStatus::Failed(format!(
                "{}: {}",
                failing.name,
                failing.last_error.as_deref().unwrap_or("failing")
            ));
        }
        if self.oncall.is_empty() {
            return OnCallStatus::Waiting;
        }
        if tried.is_empty() {
            OnCallStatus::NoKey
        } else {
            OnCallStatus::NotFound(format!(
                "unknown: the paging service knows no rotation for {} (pagerduty.com/service-id, opsgenie.com/team or sitrep.dev/oncall-schedule links one)",
                tried.join(", ")
            ))
        }
    }

    /// How the service's alerts and apps were joined to it, one line per way, for the
    /// Services screen and `snapshot`.
    pub fn matched_by(&self, service: &str) -> Vec<String> {
        if service == super::service::NO_SERVICE {
            return vec!["alerts with no service label".to_string()];
        }
        let Some(&i) = self.correlation_index(service) else {
            return if self.catalog.component(service).is_some() {
                vec!["catalog only (no alerts or apps)".to_string()]
            } else {
                Vec::new()
            };
        };
        let row = &self.services[i];
        let mut ways: BTreeSet<MatchedBy> = BTreeSet::new();
        let mut explicit = false;
        for a in &row.alerts {
            ways.insert(
                self.catalog
                    .join_alert(&a.labels, &self.settings.service_labels)
                    .1,
            );
        }
        for key in &row.apps {
            if self.settings.app_services.contains_key(&key.name) {
                explicit = true;
                continue;
            }
            if let Some(app) = self.apps.get(key) {
                let derived = super::correlation::derived_app_service(app, &self.settings);
                ways.insert(
                    self.catalog
                        .join_app(&key.name, &app.labels, &app.destination_namespace, derived)
                        .1,
                );
            }
        }
        let mut out: Vec<String> = ways
            .iter()
            .map(|w| match w {
                // Without a catalog's answer "not in catalog" would be a guess.
                MatchedBy::AlertUncatalogued if self.catalog.is_empty() => {
                    "alerts via label".to_string()
                }
                MatchedBy::AppUncatalogued if self.catalog.is_empty() => {
                    "app via its name".to_string()
                }
                w => w.describe(),
            })
            .collect();
        if explicit {
            out.push("app via [apps] services".to_string());
        }
        if out.is_empty() && self.catalog.component(service).is_some() {
            out.push("catalog only (no alerts or apps)".to_string());
        }
        out
    }
}
