//! Source reports: store the data, track freshness and failures, record what changed.

use super::events::{record_alert_changes, record_source_transition};
use crate::effect::Effect;
use crate::model::Model;
use crate::model::source::SourceKind;
use crate::model::source::SourceState;
use crate::model::source::SourceStatus;
use crate::msg::{AlertsPayload, ArgocdPayload, SourcePayload, SourceUpdate};

fn mark_ok(status: &mut SourceStatus, at: chrono::DateTime<chrono::Utc>) {
    status.state = SourceState::Ok;
    status.last_ok = Some(at);
    status.last_error = None;
    status.consecutive_failures = 0;
}

pub fn on_source(model: &mut Model, update: SourceUpdate) -> Vec<Effect> {
    // A source's first answer tells what already was (firing alerts, past deploys): history
    // for the timeline, not news to notify about.
    let first_answer = model
        .source(&update.source)
        .is_some_and(|s| s.last_ok.is_none())
        && matches!(
            update.payload,
            SourcePayload::Alerts(_) | SourcePayload::Argocd(ArgocdPayload::Apps { .. })
        );
    model.notify_hush = first_answer;
    let effects = on_source_answer(model, update);
    model.notify_hush = false;
    effects
}

fn on_source_answer(model: &mut Model, update: SourceUpdate) -> Vec<Effect> {
    let SourceUpdate {
        source,
        at,
        payload,
    } = update;
    let Some(status) = model.source_mut(&source) else {
        return Vec::new();
    };
    let kind = status.kind;
    status.last_attempt = Some(at);
    match payload {
        SourcePayload::Version(v) => status.version = Some(v),
        SourcePayload::Live(live) => {
            let was = status.live;
            status.live = Some(live);
            if live {
                // A cluster's watchers all listed again: that (not a batch of changes) is its
                // recovery.
                let recovered = kind == SourceKind::Kube && status.state == SourceState::Failing;
                mark_ok(status, at);
                if recovered {
                    record_source_transition(model, &source, at, None);
                }
            }
            // Losing the stream is worth one event; the list that follows a reconnect says the rest.
            if was == Some(true) && !live {
                record_source_transition(
                    model,
                    &source,
                    at,
                    Some("watch stream lost, reconnecting"),
                );
            }
        }
        SourcePayload::Argocd(ArgocdPayload::Apps { apps }) => {
            let recovered = status.state == SourceState::Failing;
            mark_ok(status, at);
            if recovered {
                record_source_transition(model, &source, at, None);
            }
            return super::apps::on_apps(model, &source, at, apps);
        }
        SourcePayload::Argocd(ArgocdPayload::AppChanged { change, app }) => {
            mark_ok(status, at);
            return super::apps::on_app_changed(model, at, change, *app);
        }
        SourcePayload::Argocd(ArgocdPayload::AppDetail { app, key, detail }) => {
            return super::apps::on_detail(model, at, key, *app, detail);
        }
        SourcePayload::Argocd(ArgocdPayload::Drift { drift }) => {
            return super::drift::on_drift(model, at, *drift);
        }
        SourcePayload::Argocd(ArgocdPayload::RevisionMeta {
            repo,
            revision,
            meta,
        }) => {
            return super::drift::on_revision_meta(model, repo, revision, meta);
        }
        SourcePayload::Argocd(ArgocdPayload::DeployDiff {
            request_id,
            key,
            from,
            to,
            diff,
        }) => {
            return super::drift_screen::on_deploy_diff(model, request_id, key, from, to, diff);
        }
        SourcePayload::Error(err) => {
            let was_ok = status.state != SourceState::Failing;
            status.state = SourceState::Failing;
            status.consecutive_failures += 1;
            status.last_error = Some(err.clone());
            // One event per outage, not one per retry.
            if was_ok {
                record_source_transition(model, &source, at, Some(&err));
            }
        }
        SourcePayload::Catalog(payload) => {
            let recovered = status.state == SourceState::Failing;
            mark_ok(status, at);
            if recovered {
                record_source_transition(model, &source, at, None);
            }
            return super::catalog::on_catalog(model, &source, payload);
        }
        SourcePayload::Kube(payload) => {
            // While a watcher is lost the others' changes are no recovery: the cluster stays
            // failing (its last known state shown as such) until `Live(true)`.
            if status.live != Some(false) {
                let recovered = status.state == SourceState::Failing;
                mark_ok(status, at);
                if recovered {
                    record_source_transition(model, &source, at, None);
                }
            }
            return super::kube::on_kube(model, &source, at, payload);
        }
        SourcePayload::Note(note) => record_source_note(model, &source, at, &note),
        SourcePayload::OnCall(snapshot) => {
            let recovered = status.state == SourceState::Failing;
            mark_ok(status, at);
            if recovered {
                record_source_transition(model, &source, at, None);
            }
            return super::catalog::on_oncall(model, &source, snapshot);
        }
        SourcePayload::Alerts(AlertsPayload { alerts, silences }) => {
            let initial = status.last_ok.is_none();
            let recovered = status.state == SourceState::Failing;
            status.state = SourceState::Ok;
            status.last_ok = Some(at);
            status.last_error = None;
            status.consecutive_failures = 0;
            if recovered {
                record_source_transition(model, &source, at, None);
            }
            if let Some(silences) = silences {
                model.silences.retain(|_, s| s.source != source);
                for s in silences {
                    // HA peers share silences: the first source to report one keeps it.
                    model.silences.entry(s.id.clone()).or_insert(s);
                }
            }
            let changes = model.alerts.replace_source(&source, kind, alerts);
            if changes.is_empty() {
                // A poll that changed nothing: the comparison was all it cost.
                return Vec::new();
            }
            model
                .correlation
                .note_alerts(&changes, &model.settings, &model.catalog);
            model.alerts_view_stale = true;
            record_alert_changes(model, &changes, at, initial);
            model.pending_rederive = true;
            // Alerts move suspects and urgency: the apps that matter may have changed.
            return Vec::new();
        }
    }
    Vec::new()
}

/// A source's remark that is not an outage: one timeline line, the state untouched.
fn record_source_note(
    model: &mut Model,
    source: &str,
    at: chrono::DateTime<chrono::Utc>,
    note: &str,
) {
    use crate::model::timeline::{EventKind, EventSource, TimelineEvent};
    let summary = format!("source {source}: {note}");
    let mut e = TimelineEvent::new(EventKind::Note, EventSource::Sitrep, at, model.now, summary);
    e.actor = "sitrep".to_string();
    e.details = serde_json::json!({ "source": source });
    super::events::push_event(model, e);
}

#[cfg(test)]
mod tests {
    use crate::kube::KubePayload;
    use crate::model::source::{SourceKind, SourceState, SourceStatus};
    use crate::msg::{Msg, SourcePayload, SourceUpdate};
    use crate::update::tests::{model, t0};
    use crate::update::update;

    fn from_cluster(payload: SourcePayload) -> Msg {
        Msg::Source(SourceUpdate {
            source: "prod".into(),
            at: t0(),
            payload,
        })
    }

    #[test]
    fn a_kube_batch_while_a_watcher_is_lost_is_no_recovery() {
        let mut m = model();
        m.sources.push(SourceStatus::new(
            "prod",
            SourceKind::Kube,
            "https://k8s",
            "test",
        ));
        let state = |m: &crate::model::Model| {
            let s = m.source("prod").unwrap();
            (s.state.clone(), s.live)
        };
        update(&mut m, from_cluster(SourcePayload::Live(true)));
        update(&mut m, from_cluster(SourcePayload::Live(false)));
        update(
            &mut m,
            from_cluster(SourcePayload::Error("500 etcd".into())),
        );
        update(
            &mut m,
            from_cluster(SourcePayload::Kube(KubePayload::default())),
        );
        assert_eq!(state(&m), (SourceState::Failing, Some(false)));
        assert_eq!(
            m.source("prod").unwrap().last_error.as_deref(),
            Some("500 etcd")
        );
        // A note (the object cap) is no outage and no recovery.
        update(
            &mut m,
            from_cluster(SourcePayload::Note("more than 5 pods".into())),
        );
        assert_eq!(state(&m), (SourceState::Failing, Some(false)));
        // Every watcher listed again: recovered, once.
        update(&mut m, from_cluster(SourcePayload::Live(true)));
        assert_eq!(state(&m), (SourceState::Ok, Some(true)));
        let recovered = m
            .timeline
            .iter()
            .filter(|e| e.summary.contains("prod recovered"))
            .count();
        assert_eq!(recovered, 1);
        update(
            &mut m,
            from_cluster(SourcePayload::Note("more than 5 pods".into())),
        );
        assert_eq!(state(&m), (SourceState::Ok, Some(true)));
    }
}
