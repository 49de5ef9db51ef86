//! Which timeline events notify, and what they say: a new alert at or above the configured
//! severity firing, an app turning Degraded, an Argo CD operation finishing (a deploy or a
//! rollback landing, a sync failing), and the journal failing.

use super::notification::Notification;
use super::settings::NotifySettings;
use crate::model::alert::Severity;
use crate::model::timeline::{EventKind, TimelineEvent};

/// An event that happened this long before it was recorded is history found at start (alerts
/// already firing, deploys of the last hours), not news: no notification.
pub const NEWS_WINDOW_MINUTES: i64 = 30;

/// The notification an event deserves, if any.
pub fn for_event(event: &TimelineEvent, settings: &NotifySettings) -> Option<Notification> {
    if !settings.enabled {
        return None;
    }
    if event.recorded_at - event.occurred_at > chrono::Duration::minutes(NEWS_WINDOW_MINUTES) {
        return None;
    }
    match event.kind {
        EventKind::AlertFiring => alert_firing(event, settings),
        EventKind::HealthChanged => turned_degraded(event),
        // `update::apps` records these when Argo CD's history or operation state says an
        // operation ended: a new history entry is a sync or rollback that finished.
        EventKind::Deploy | EventKind::Rollback | EventKind::SyncFailed => {
            operation_finished(event)
        }
        _ => None,
    }
}

/// The journal could not write: the incident record is no longer durable, and the user must
/// know even when looking elsewhere.
pub fn journal_failure(error: &str) -> Notification {
    Notification::new(
        "journal",
        "sitrep: the incident journal stopped writing",
        &format!("Events from now on are not saved: {error}"),
        true,
    )
}

fn detail<'e>(event: &'e TimelineEvent, key: &str) -> Option<&'e str> {
    event.details.get(key).and_then(|v| v.as_str())
}

/// `details.severity` as `update::events` writes it (the lower-case serde form).
fn severity(event: &TimelineEvent) -> Severity {
    match detail(event, "severity") {
        Some("critical") => Severity::Critical,
        Some("warning") => Severity::Warning,
        Some("info") => Severity::Info,
        _ => Severity::None,
    }
}

fn alert_firing(event: &TimelineEvent, settings: &NotifySettings) -> Option<Notification> {
    let severity = severity(event);
    // `Severity` is ordered most urgent first; an unknown severity never notifies.
    if severity == Severity::None || severity > settings.min_severity {
        return None;
    }
    // An alert learnt of already silenced is recorded as firing too, then silenced.
    if detail(event, "state").is_some_and(|s| s != "firing") {
        return None;
    }
    let key = match detail(event, "fingerprint") {
        Some(fp) => format!("alert:{fp}"),
        None => format!("alert:{}", event.summary),
    };
    let body = if event.body.is_empty() {
        format!("from {}", event.actor)
    } else {
        event.body.clone()
    };
    Some(Notification::new(
        key,
        &event.summary,
        &body,
        severity == Severity::Critical,
    ))
}

fn turned_degraded(event: &TimelineEvent) -> Option<Notification> {
    if detail(event, "to") != Some("Degraded") {
        return None;
    }
    // "unknown" is an app seen for the first time: not a change. Degraded -> Degraded is not
    // recorded, but would not be one either.
    if matches!(
        detail(event, "from"),
        None | Some("unknown") | Some("Degraded")
    ) {
        return None;
    }
    let app = event.refs.app.as_deref().unwrap_or("an app");
    Some(Notification::new(
        format!("{}#degraded", app_key(event)),
        &format!("{app} is Degraded"),
        &event.summary,
        true,
    ))
}

fn operation_finished(event: &TimelineEvent) -> Option<Notification> {
    let (what, urgent) = match event.kind {
        EventKind::Deploy => ("deploy", false),
        EventKind::Rollback => ("rollback", false),
        _ => ("sync-failed", true),
    };
    let mut body = event.body.clone();
    if body.is_empty() {
        body = match &event.refs.service {
            Some(service) => format!("service {service}, Argo CD {}", event.actor),
            None => format!("Argo CD {}", event.actor),
        };
    }
    Some(Notification::new(
        format!("{}#{what}", app_key(event)),
        &event.summary,
        &body,
        urgent,
    ))
}

/// `app:<instance>/<name>`: Argo CD events carry the instance as their actor.
fn app_key(event: &TimelineEvent) -> String {
    format!(
        "app:{}/{}",
        event.actor,
        event.refs.app.as_deref().unwrap_or(&event.summary)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::timeline::{EventRefs, EventSource};
    use chrono::{DateTime, TimeZone, Utc};
    use serde_json::json;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 3, 12, 0).unwrap()
    }

    fn alert(severity: &str, state: &str) -> TimelineEvent {
        let mut e = TimelineEvent::new(
            EventKind::AlertFiring,
            EventSource::Alertmanager,
            t0(),
            t0(),
            "CRIT HighErrorRate on checkout firing",
        );
        e.actor = "prod-eu".into();
        e.body = "5xx above 5% for 5m".into();
        e.details = json!({"fingerprint": "abc123", "alertname": "HighErrorRate",
            "severity": severity, "state": state});
        e
    }

    fn app_event(kind: EventKind, summary: &str) -> TimelineEvent {
        let mut e = TimelineEvent::new(kind, EventSource::Argocd, t0(), t0(), summary);
        e.actor = "argocd".into();
        e.refs = EventRefs {
            service: Some("checkout".into()),
            app: Some("checkout-prod".into()),
            ..EventRefs::default()
        };
        e
    }

    fn health(from: &str, to: &str) -> TimelineEvent {
        let mut e = app_event(
            EventKind::HealthChanged,
            &format!("checkout-prod {from} -> {to}: pods crash-looping"),
        );
        e.details = json!({"from": from, "to": to, "since_known": true, "revision": "abc"});
        e
    }

    #[test]
    fn a_critical_alert_firing_notifies_urgently() {
        let n = for_event(&alert("critical", "firing"), &NotifySettings::default()).unwrap();
        assert_eq!(n.key, "alert:abc123");
        assert_eq!(n.title, "CRIT HighErrorRate on checkout firing");
        assert_eq!(n.body, "5xx above 5% for 5m");
        assert!(n.urgent);
    }

    #[test]
    fn warnings_notify_only_when_asked_for() {
        let warning = alert("warning", "firing");
        assert_eq!(for_event(&warning, &NotifySettings::default()), None);
        let settings = NotifySettings {
            min_severity: Severity::Warning,
            ..NotifySettings::default()
        };
        let n = for_event(&warning, &settings).unwrap();
        assert!(!n.urgent);
        assert!(for_event(&alert("critical", "firing"), &settings).is_some());
        assert_eq!(for_event(&alert("info", "firing"), &settings), None);
        assert_eq!(for_event(&alert("none", "firing"), &settings), None);
    }

    #[test]
    fn silenced_old_or_disabled_alerts_do_not_notify() {
        let settings = NotifySettings::default();
        assert_eq!(for_event(&alert("critical", "silenced"), &settings), None);
        let mut old = alert("critical", "firing");
        old.occurred_at = t0() - chrono::Duration::hours(3);
        assert_eq!(for_event(&old, &settings), None, "history found at start");
        let off = NotifySettings {
            enabled: false,
            ..NotifySettings::default()
        };
        assert_eq!(for_event(&alert("critical", "firing"), &off), None);
        let resolved = TimelineEvent {
            kind: EventKind::AlertResolved,
            ..alert("critical", "firing")
        };
        assert_eq!(for_event(&resolved, &settings), None);
    }

    #[test]
    fn an_app_turning_degraded_notifies_once_per_app() {
        let settings = NotifySettings::default();
        let n = for_event(&health("Healthy", "Degraded"), &settings).unwrap();
        assert_eq!(n.key, "app:argocd/checkout-prod#degraded");
        assert_eq!(n.title, "checkout-prod is Degraded");
        assert!(n.body.contains("crash-looping"));
        assert!(n.urgent);
        assert_eq!(for_event(&health("Degraded", "Healthy"), &settings), None);
        assert_eq!(
            for_event(&health("Healthy", "Progressing"), &settings),
            None
        );
        // First sight of an app that is already Degraded: not a change.
        assert_eq!(for_event(&health("unknown", "Degraded"), &settings), None);
    }

    #[test]
    fn finished_operations_notify_and_failures_are_urgent() {
        let settings = NotifySettings::default();
        let deploy = app_event(EventKind::Deploy, "checkout-prod deployed abc1234 by alice");
        let n = for_event(&deploy, &settings).unwrap();
        assert_eq!(n.key, "app:argocd/checkout-prod#deploy");
        assert_eq!(n.title, "checkout-prod deployed abc1234 by alice");
        assert_eq!(n.body, "service checkout, Argo CD argocd");
        assert!(!n.urgent);
        let rollback = app_event(EventKind::Rollback, "checkout-prod rolled back to 9f8e7d6");
        assert_eq!(
            for_event(&rollback, &settings).unwrap().key,
            "app:argocd/checkout-prod#rollback"
        );
        let mut failed = app_event(
            EventKind::SyncFailed,
            "checkout-prod sync to abc1234 failed: one or more objects failed to apply",
        );
        failed.body = "Deployment checkout/api: bad image".into();
        let n = for_event(&failed, &settings).unwrap();
        assert!(n.urgent);
        assert_eq!(n.body, "Deployment checkout/api: bad image");
    }

    #[test]
    fn request_outcomes_and_other_events_do_not_notify() {
        let settings = NotifySettings::default();
        for kind in [
            EventKind::ActionSucceeded,
            EventKind::ActionFailed,
            EventKind::ActionAttempted,
            EventKind::AutosyncToggled,
            EventKind::Note,
            EventKind::SourceStatus,
        ] {
            let e = app_event(kind, "rollback on checkout-prod: accepted by argocd");
            assert_eq!(for_event(&e, &settings), None, "{kind:?}");
        }
    }

    #[test]
    fn the_journal_failing_is_urgent_and_says_why() {
        let n = journal_failure("No space left on device (os error 28)");
        assert_eq!(n.key, "journal");
        assert!(n.urgent);
        assert!(n.body.contains("No space left on device"));
    }
}
