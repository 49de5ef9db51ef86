//! `sitrep snapshot`: the correlated triage printed once, as text for people or JSON for
//! scripts (shape in PRODUCT.md). Built from the same `Model` the TUI uses.

mod drift;
mod kube;

use crate::model::Model;
use crate::model::alert::Alert;
use crate::model::coverage::{Coverage, Domain};
use crate::model::service::ServiceRow;
use crate::model::source::{SourceKind, SourceState};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct SnapshotJson<'a> {
    generated_at: DateTime<Utc>,
    /// Every source answered: only then does an empty `services` mean nothing needs attention.
    complete: bool,
    /// Sources that did not answer: what they would report is unknown.
    unknown: Vec<&'a str>,
    /// `--team`: services are narrowed to this team's (the catalog says which).
    #[serde(skip_serializing_if = "Option::is_none")]
    team: Option<&'a str>,
    /// `--team`: firing alerts of other teams' services (or of none), left out of `services`.
    #[serde(skip_serializing_if = "Option::is_none")]
    firing_hidden_by_team: Option<usize>,
    sources: Vec<SourceJson<'a>>,
    services: Vec<ServiceJson<'a>>,
    alerts: Vec<&'a std::sync::Arc<Alert>>,
    apps: Vec<AppJson<'a>>,
    deploys: Vec<DeployJson<'a>>,
    /// Every workload of every cluster, with kubectl's rollout verdict.
    workloads: Vec<kube::WorkloadJson<'a>>,
    /// Every unhealthy pod (CrashLoopBackOff, OOMKilled, Unschedulable…).
    pod_problems: Vec<kube::PodProblemJson<'a>>,
    /// What each cluster could not show (RBAC refusals, not listed yet): `workloads` and
    /// `pod_problems` lack exactly these, and `complete` is false while there are any.
    kube_unknown: Vec<kube::KubeUnknownJson>,
    /// Fleet drift: OutOfSync and Unknown apps grouped by cause.
    drift: Vec<drift::DriftJson<'a>>,
}

#[derive(Serialize)]
struct AppJson<'a> {
    instance: &'a str,
    name: &'a str,
    namespace: &'a str,
    project: &'a str,
    sync: &'static str,
    health: &'static str,
    health_message: &'a str,
    /// What runs (the newest history entry's revision).
    revision: Option<&'a str>,
    /// `status.sync.revision`: what Git resolved to and the cluster was compared against.
    git_revision: &'a str,
    auto_sync: bool,
    operation: Option<&'a crate::model::app::Operation>,
    service: String,
}

#[derive(Serialize)]
struct DeployJson<'a> {
    instance: &'a str,
    app: &'a str,
    service: Option<&'a str>,
    revision: &'a str,
    history_id: Option<i64>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    initiator: &'a str,
    automated: bool,
    result: crate::model::deploy::DeployResult,
    rollback: bool,
    suspect: bool,
    /// `argocd` (an app's history entry) or `kubernetes` (a Deployment's ReplicaSet revision:
    /// `instance` is then the cluster and `app` the `deployment/NAME`).
    origin: &'static str,
    /// A Kubernetes revision's workload, ReplicaSet, revision number, images and change cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    kubernetes: Option<&'a crate::model::deploy::KubeDeploy>,
}

#[derive(Serialize)]
struct SourceJson<'a> {
    name: &'a str,
    kind: SourceKind,
    url: &'a str,
    ok: bool,
    error: Option<&'a str>,
    fetched_at: Option<DateTime<Utc>>,
    version: Option<&'a str>,
    origin: &'a str,
}

#[derive(Serialize)]
struct ServiceJson<'a> {
    #[serde(flatten)]
    row: &'a ServiceRow,
    /// Fingerprints of the service's alerts, most urgent first.
    alerts: Vec<&'a str>,
    /// From the catalog: `null` when the service is not in it (or there is no catalog).
    owner: Option<crate::model::owner::Owner>,
    system: Option<String>,
    links: Vec<crate::model::owner::CardLink>,
    /// How its alerts and apps were joined to it ("app via argocd/app-name").
    matched_by: Vec<String>,
    /// Why `owner.on_call` is empty, when it is (not configured, failed, not found).
    #[serde(skip_serializing_if = "Option::is_none")]
    on_call_note: Option<String>,
}

fn service_json<'a>(model: &Model, row: &'a ServiceRow) -> ServiceJson<'a> {
    use crate::model::owner::OnCallStatus;
    let card = model.owner_card(&row.name);
    let on_call_note = match &card.on_call {
        OnCallStatus::People { failing: None, .. } => None,
        OnCallStatus::People {
            failing: Some(s), ..
        } => Some(format!("last known: {s} is failing")),
        OnCallStatus::NotConfigured => Some("no paging service configured ([[oncall]])".into()),
        OnCallStatus::Waiting => Some("the paging service has not answered".into()),
        OnCallStatus::Failed(e) => Some(format!("unknown: {e}")),
        OnCallStatus::NoKey => {
            Some("no pagerduty.com/service-id, opsgenie.com/team, sitrep.dev/oncall-schedule or owner to look up".into())
        }
        OnCallStatus::NotFound(why) => Some(why.clone()),
    };
    ServiceJson {
        row,
        alerts: row.alerts.iter().map(|a| a.fingerprint.as_str()).collect(),
        owner: card.owner,
        system: card.system,
        links: card.links,
        matched_by: model.matched_by(&row.name),
        on_call_note: card.in_catalog.then_some(on_call_note).flatten(),
    }
}

/// Under `--team`, which services are the team's is the catalog's to say: a catalog that did
/// not answer makes the narrowed answer unknown, never quiet.
fn team_unknown(model: &Model) -> Vec<&str> {
    if model.team.is_none() {
        return Vec::new();
    }
    let catalog = Coverage::of(&model.sources, Domain::Catalog, model.now);
    let mut names: Vec<&str> = catalog
        .stale
        .iter()
        .map(|(s, _)| s.name.as_str())
        .chain(catalog.unknown.iter().map(|s| s.name.as_str()))
        .collect();
    if names.is_empty() && model.catalog.is_empty() {
        names.push("catalog");
    }
    names
}

pub fn write_json(model: &Model, out: &mut impl Write) -> std::io::Result<()> {
    let coverage = Coverage::of(&model.sources, Domain::All, model.now);
    let team_unknown = team_unknown(model);
    let kube_unknown = kube::unknown_json(model);
    let snapshot = SnapshotJson {
        generated_at: model.now,
        complete: coverage.complete() && team_unknown.is_empty() && kube_unknown.is_empty(),
        unknown: coverage
            .stale
            .iter()
            .map(|(s, _)| s.name.as_str())
            .chain(coverage.unknown.iter().map(|s| s.name.as_str()))
            .chain(team_unknown.iter().copied())
            .collect(),
        team: model.team.as_deref(),
        firing_hidden_by_team: model.team.as_ref().map(|_| model.firing_hidden_by_team()),
        sources: model
            .sources
            .iter()
            .map(|s| SourceJson {
                name: &s.name,
                kind: s.kind,
                url: &s.url,
                ok: s.state == SourceState::Ok,
                error: s.last_error.as_deref(),
                fetched_at: s.last_ok,
                version: s.version.as_deref(),
                origin: &s.origin,
            })
            .collect(),
        services: model
            .services
            .iter()
            .filter(|row| model.in_team(&row.name))
            .map(|row| service_json(model, row))
            .collect(),
        alerts: model.alerts.ranked(),
        apps: model
            .apps
            .values()
            .map(|a| AppJson {
                instance: &a.key.instance,
                name: &a.key.name,
                namespace: &a.key.namespace,
                project: &a.project,
                sync: a.sync.word(),
                health: a.health.word(),
                health_message: &a.health_message,
                revision: a.deployed_revision(),
                git_revision: &a.git_revision,
                auto_sync: a.auto_sync,
                operation: a.operation.as_ref(),
                service: crate::model::correlation::service_of_app(
                    a,
                    &model.settings,
                    &model.catalog,
                ),
            })
            .collect(),
        deploys: model
            .deploys
            .iter()
            .map(|d| DeployJson {
                instance: &d.app.instance,
                app: &d.app.name,
                service: d.service.as_deref(),
                revision: &d.revision,
                history_id: d.history_id,
                started_at: d.started_at,
                finished_at: d.finished_at,
                initiator: &d.initiator,
                automated: d.automated,
                result: d.result,
                rollback: d.rollback,
                suspect: d.suspect,
                origin: if d.kube().is_some() {
                    "kubernetes"
                } else {
                    "argocd"
                },
                kubernetes: d.kube(),
            })
            .collect(),
        workloads: kube::workloads_json(model),
        pod_problems: kube::pod_problems_json(model),
        kube_unknown,
        drift: drift::drift_json(model),
    };
    serde_json::to_writer(&mut *out, &snapshot)?;
    out.write_all(b"\n")
}

/// Human-readable triage: sources, then ranked services with their alerts.
pub fn write_text(model: &Model, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "sitrep snapshot {}",
        model.now.format("%Y-%m-%d %H:%M:%S UTC")
    )?;
    writeln!(out)?;
    writeln!(out, "SOURCES")?;
    for s in &model.sources {
        match (&s.state, &s.last_error) {
            (SourceState::Ok, _) => writeln!(
                out,
                "  ok    {:<14} {:<13} {}{}",
                s.name,
                format!("{:?}", s.kind).to_lowercase(),
                s.url,
                s.version
                    .as_ref()
                    .map(|v| format!("  (v{v})"))
                    .unwrap_or_default()
            )?,
            (_, err) => writeln!(
                out,
                "  FAIL  {:<14} {:<13} {}  {}",
                s.name,
                format!("{:?}", s.kind).to_lowercase(),
                s.url,
                err.as_deref().unwrap_or("no answer")
            )?,
        }
    }
    writeln!(out)?;
    let coverage = Coverage::of(&model.sources, Domain::All, model.now);
    let answered = coverage.fresh.len();
    let total = coverage.total();
    let shown = model.visible_services();
    // The fleet row stands for the OutOfSync apps folded into it: it needs attention too.
    let fleet = model
        .triage_view
        .iter()
        .any(|r| matches!(r, crate::model::views::TriageRow::Fleet));
    writeln!(
        out,
        "SERVICES ({} needing attention, most urgent first)",
        shown.len() + usize::from(fleet)
    )?;
    kube::write_unknown(model, out)?;
    if let Some(team) = &model.team {
        let unknown = team_unknown(model);
        if !unknown.is_empty() {
            writeln!(
                out,
                "  UNKNOWN for team {team}: the catalog ({}) did not answer, so which services are the team's is not known",
                unknown.join(", ")
            )?;
            return Ok(());
        }
        writeln!(
            out,
            "  narrowed to team {team}: {} of other teams (or of no service) left out",
            crate::ui::format::plural(model.firing_hidden_by_team(), "firing alert")
        )?;
    }
    if answered == 0 {
        // Absence is not health: say what could not be seen before anything else.
        writeln!(
            out,
            "  UNKNOWN: none of the {} answered; nothing is known about what needs attention",
            crate::ui::format::plural(total, "source")
        )?;
    } else if !coverage.complete() {
        writeln!(
            out,
            "  INCOMPLETE: {answered} of {total} sources answered; what the others would report is unknown"
        )?;
        if shown.is_empty() && !fleet {
            writeln!(
                out,
                "  nothing needs attention among the {answered} that answered: the rest is UNKNOWN"
            )?;
        }
    } else if shown.is_empty() && !fleet {
        writeln!(
            out,
            "  all quiet: nothing firing, nothing degraded ({})",
            coverage.all_answered()
        )?;
    }
    let fleet_at = model
        .triage_view
        .iter()
        .position(|r| matches!(r, crate::model::views::TriageRow::Fleet));
    for (i, s) in shown.into_iter().enumerate() {
        if fleet_at == Some(i) {
            write_fleet_line(model, out)?;
        }
        let age = s
            .oldest_firing
            .map(|t| format!("  firing for {}", crate::model::age::short(model.now - t)))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} {:<24} {} firing, {} pending, {} suppressed{age}",
            s.worst.word(),
            s.name,
            s.firing,
            s.pending,
            s.suppressed
        )?;
        if let Some(line) = owner_line(model, &s.name) {
            writeln!(out, "      owner {line}")?;
        }
        for key in &s.apps {
            if let Some(a) = model.apps.get(key) {
                writeln!(
                    out,
                    "      app {:<28} {} / {}  {}",
                    key.to_string(),
                    a.health.word(),
                    a.sync.word(),
                    match (a.deployed_revision(), a.git_differs()) {
                        (Some(r), None) => crate::model::app::short_sha(r).to_string(),
                        (r, Some(git)) => format!(
                            "{} (git {})",
                            crate::model::app::short_sha(r.unwrap_or("?")),
                            crate::model::app::short_sha(git)
                        ),
                        (None, None) => "?".to_string(),
                    }
                )?;
            }
        }
        if let Some(d) = &s.last_deploy {
            let age = d
                .at()
                .map(|t| crate::model::age::short(model.now - t))
                .unwrap_or_else(|| "?".into());
            writeln!(
                out,
                "      last deploy {} by {} {age} ago{}",
                crate::model::app::short_sha(&d.revision),
                if d.initiator.is_empty() {
                    "automation"
                } else {
                    &d.initiator
                },
                if d.suspect {
                    "  SUSPECT (finished just before the first alert)"
                } else {
                    ""
                }
            )?;
        }
        kube::write_service_workloads(model, &s.name, out)?;
        for a in s.alerts.iter().take(10) {
            writeln!(
                out,
                "      {} {:<9} {:<28} {}  [{}]",
                a.severity().word(),
                a.state.word(),
                a.name(),
                a.summary().chars().take(80).collect::<String>(),
                a.source
            )?;
        }
        if s.alerts.len() > 10 {
            writeln!(out, "      … and {} more", s.alerts.len() - 10)?;
        }
    }
    // The fleet row ranks below every service listed before it; none after it: last.
    if fleet_at.is_some_and(|at| at >= model.visible_services().len()) {
        write_fleet_line(model, out)?;
    }
    drift::write_text(model, out)?;
    Ok(())
}

/// Triage's fleet row as a line of the SERVICES list (the groups follow under DRIFT).
fn write_fleet_line(model: &Model, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "  {} {}  (groups under DRIFT below)",
        crate::ui::triage::fleet::FLEET_GLYPH,
        crate::ui::triage::fleet::row_text(model)
    )
}

/// `payments (Payments) #payments-oncall · on call Priya Shah (L1 payments-primary)`, when
/// there is a catalog.
fn owner_line(model: &Model, service: &str) -> Option<String> {
    if model.catalog.is_empty() || service == crate::model::service::NO_SERVICE {
        return None;
    }
    let card = model.owner_card(service);
    let Some(owner) = &card.owner else {
        return Some(if card.in_catalog {
            "none named in the catalog".to_string()
        } else {
            "unknown: not in the catalog".to_string()
        });
    };
    let mut line = owner.name.clone();
    if owner.missing {
        line.push_str(" (missing from the catalog)");
    }
    if let Some(d) = owner.display_name.as_ref().filter(|d| **d != owner.name) {
        line.push_str(&format!(" ({d})"));
    }
    if let Some(chat) = &owner.chat {
        line.push_str(&format!(" {chat}"));
    }
    if let Some(first) = owner.on_call.first() {
        let mut who = first.name.clone();
        if let Some(s) = &first.schedule {
            who.push_str(&format!(" ({s})"));
        }
        line.push_str(&format!(" · on call {who}"));
    }
    Some(line)
}
