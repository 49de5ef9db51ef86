//! Argo CD words and styles shared by every screen that shows apps and deploys: health and sync
//! in their theme roles (always as words, so NO_COLOR keeps the meaning), short revisions,
//! deploy results, the auto-sync state and the reminder sitrep keeps after a rollback.

use crate::config::theme::Theme;
use crate::model::Model;
use crate::model::app::{App, AppKey, HealthStatus, OperationPhase, SyncStatus};
use crate::model::deploy::{Deploy, DeployResult};
use crate::model::source::SourceKind;
use crate::ui::format::{self, NONE};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

/// The glyph on rows whose app had auto-sync turned off by sitrep (spelled out where there is room).
pub const AUTOSYNC_OFF_GLYPH: &str = "⊘";
/// What the reminder says in full…
pub const AUTOSYNC_OFF_REMINDER: &str = "auto-sync OFF (turned off by sitrep for a rollback)";
/// … and after an `Auto-sync` label.
pub const AUTOSYNC_OFF_SHORT: &str = "OFF (turned off by sitrep for a rollback)";

/// A server message on one line, cut early so a huge one costs no more than a short one.
pub fn one_line(s: &str) -> String {
    format::one_line(&format::truncate(s, 400))
}

pub fn health_style(theme: &Theme, h: HealthStatus) -> Style {
    match h {
        HealthStatus::Degraded => theme.critical,
        HealthStatus::Missing | HealthStatus::Progressing => theme.warning,
        HealthStatus::Suspended => theme.info,
        HealthStatus::Unknown => theme.muted,
        HealthStatus::Healthy => theme.ok,
    }
}

pub fn sync_style(theme: &Theme, s: SyncStatus) -> Style {
    match s {
        SyncStatus::OutOfSync => theme.warning,
        SyncStatus::Unknown => theme.muted,
        SyncStatus::Synced => theme.ok,
    }
}

/// The one word a service row shows for its apps: the most urgent of health and sync, in the
/// triage order (degraded > out of sync > progressing …). `Healthy` only when both are good.
pub fn worst_word(theme: &Theme, h: HealthStatus, s: SyncStatus) -> (&'static str, Style) {
    match (h, s) {
        (HealthStatus::Degraded | HealthStatus::Missing, _) => (h.word(), health_style(theme, h)),
        (_, SyncStatus::OutOfSync) => (s.word(), sync_style(theme, s)),
        (HealthStatus::Progressing | HealthStatus::Suspended, _) => {
            (h.word(), health_style(theme, h))
        }
        (HealthStatus::Unknown, _) | (_, SyncStatus::Unknown) => ("Unknown", theme.muted),
        (HealthStatus::Healthy, SyncStatus::Synced) => ("Healthy", theme.ok),
    }
}

pub fn phase_word(p: OperationPhase) -> &'static str {
    match p {
        OperationPhase::Running => "Running",
        OperationPhase::Terminating => "Terminating",
        OperationPhase::Failed => "Failed",
        OperationPhase::Error => "Error",
        OperationPhase::Succeeded => "Succeeded",
    }
}

pub fn phase_style(theme: &Theme, p: OperationPhase) -> Style {
    match p {
        OperationPhase::Running | OperationPhase::Terminating => theme.info,
        OperationPhase::Failed | OperationPhase::Error => theme.critical,
        OperationPhase::Succeeded => theme.ok,
    }
}

pub fn result_word(r: DeployResult) -> &'static str {
    r.word()
}

pub fn result_style(theme: &Theme, r: DeployResult) -> Style {
    match r {
        DeployResult::Running => theme.info,
        DeployResult::Succeeded => theme.ok,
        DeployResult::Failed => theme.critical,
    }
}

/// The suspect marker: a word, bold, in the critical role.
pub fn suspect_style(theme: &Theme) -> Style {
    theme.critical.add_modifier(Modifier::BOLD)
}

/// A revision as people read it: a git SHA cut to 7 characters, tags and branches whole (but
/// never wider than 20 cells), `—` when empty.
pub fn short_rev(rev: &str) -> String {
    if rev.is_empty() {
        return NONE.to_string();
    }
    format::truncate(crate::model::app::short_sha(rev), 20)
}

/// What runs now, as people read it (`—` when nobody knows).
pub fn deployed(app: &App) -> String {
    app.deployed_revision()
        .map(short_rev)
        .unwrap_or_else(|| NONE.to_string())
}

/// What runs now, with Git's revision when it differs (after a rollback, or Git moved on):
/// `0765b95 (git 74dd23a)`.
pub fn revision_label(app: &App) -> String {
    match app.git_differs() {
        Some(git) => format!("{} (git {})", deployed(app), short_rev(git)),
        None => deployed(app),
    }
}

/// [`revision_label`] as spans: what runs in the accent role, Git's part muted.
pub fn revision_spans(theme: &Theme, app: &App) -> Vec<Span<'static>> {
    let mut spans = vec![Span::styled(deployed(app), theme.accent)];
    if let Some(git) = app.git_differs() {
        spans.push(Span::styled(
            format!(" (git {})", short_rev(git)),
            theme.muted,
        ));
    }
    spans
}

/// Who started a deploy: `ci-bot`, `ci-bot (auto)`, or `auto-sync` when Argo CD did it alone.
pub fn initiator(name: &str, automated: bool) -> String {
    match (name.is_empty(), automated) {
        (true, true) => "auto-sync".to_string(),
        (true, false) => NONE.to_string(),
        (false, true) => format!("{name} (auto)"),
        (false, false) => name.to_string(),
    }
}

/// The deploy's initiator, from the deploy.
pub fn deploy_initiator(d: &Deploy) -> String {
    initiator(&d.initiator, d.automated)
}

/// `deploy` or `rollback`.
pub fn deploy_kind(d: &Deploy) -> &'static str {
    if d.rollback { "rollback" } else { "deploy" }
}

/// The auto-sync state of an app in words: `on`, `off`, or `OFF (sitrep)` when sitrep turned it
/// off for a rollback and it is still off.
pub fn autosync(model: &Model, app: &App) -> (&'static str, Style) {
    let theme = &model.theme;
    if model.autosync_off.contains(&app.key) {
        ("OFF (sitrep)", theme.warning)
    } else if app.auto_sync {
        ("on", theme.muted)
    } else {
        ("off", theme.muted)
    }
}

/// Sitrep turned this app's auto-sync off for a rollback (until someone re-enables it).
pub fn reminder(model: &Model, key: &AppKey) -> bool {
    model.autosync_off.contains(key)
}

/// An app's name as rows show it: `name` in the usual `argocd` namespace, `namespace/name` in
/// another; with several Argo CD instances, the instance in front (`prod-eu/name`).
pub fn app_label(model: &Model, key: &AppKey) -> String {
    let instances = model
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Argocd)
        .count();
    if instances > 1 {
        key.to_string()
    } else if key.namespace == "argocd" || key.namespace.is_empty() {
        key.name.clone()
    } else {
        format!("{}/{}", key.namespace, key.name)
    }
}

/// The service an app is mapped to, if any (scans the services; called for visible rows only).
pub fn service_of<'a>(model: &'a Model, key: &AppKey) -> Option<&'a str> {
    model.service_of_app_key(key)
}

/// The most recent deploy of an app: its newest history entry's time, else a running
/// operation's start.
pub fn last_deployed(app: &App) -> Option<chrono::DateTime<chrono::Utc>> {
    app.current_history()
        .and_then(|h| h.deployed_at.or(h.deploy_started_at))
        .or_else(|| app.operation.as_ref().and_then(|o| o.started_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_read_short() {
        assert_eq!(
            short_rev("4f1c2e9a8b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e"),
            "4f1c2e9"
        );
        assert_eq!(short_rev("v2.14.0"), "v2.14.0");
        assert_eq!(short_rev(""), NONE);
        assert_eq!(short_rev("cafe"), "cafe");
        assert_eq!(format::width(&short_rev(&"x".repeat(100))), 20);
    }

    #[test]
    fn initiators_say_who() {
        assert_eq!(initiator("ci-bot", false), "ci-bot");
        assert_eq!(initiator("ci-bot", true), "ci-bot (auto)");
        assert_eq!(initiator("", true), "auto-sync");
        assert_eq!(initiator("", false), NONE);
    }

    #[test]
    fn worst_word_follows_triage_order() {
        let t = Theme::no_color();
        use HealthStatus as H;
        use SyncStatus as S;
        assert_eq!(worst_word(&t, H::Degraded, S::OutOfSync).0, "Degraded");
        assert_eq!(worst_word(&t, H::Healthy, S::OutOfSync).0, "OutOfSync");
        assert_eq!(worst_word(&t, H::Progressing, S::Synced).0, "Progressing");
        assert_eq!(worst_word(&t, H::Healthy, S::Synced).0, "Healthy");
        assert_eq!(worst_word(&t, H::Healthy, S::Unknown).0, "Unknown");
    }
}
