//! What may be done now. One answer for `update` (before it acts), the status-line hints (before
//! they offer a key) and the help overlay (its notes): each rule is written here once, so what is
//! offered is what works, and what is refused is refused for the reason shown.

use super::Model;
use super::app::AppKey;
use super::source::SourceKind;
use crate::action::Action;

/// Why something may not be done, in the two places that say it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denied {
    /// A few words after the action in the help overlay: `off: read-only`.
    pub note: &'static str,
    /// What the status line says when the key is pressed anyway.
    pub message: String,
}

impl Denied {
    fn new(note: &'static str, message: impl Into<String>) -> Denied {
        Denied {
            note,
            message: message.into(),
        }
    }
}

const OFF_READ_ONLY: &str = "off: read-only";

/// Some source of this kind is configured.
pub fn has_source(model: &Model, kind: SourceKind) -> bool {
    model.sources.iter().any(|s| s.kind == kind)
}

/// The sources of this kind that accept writes (configured, not read-only in the config).
fn writable(model: &Model, kind: SourceKind) -> impl Iterator<Item = &str> {
    model
        .sources
        .iter()
        .filter(move |s| s.kind == kind && !s.read_only)
        .map(|s| s.name.as_str())
}

// --- Silences -----------------------------------------------------------------------------

/// Why no silence can be sent, whatever is selected: read-only mode, no Alertmanager, or every
/// Alertmanager read-only.
fn silence_denied(model: &Model) -> Option<Denied> {
    const NONE_WRITABLE: &str = "no writable Alertmanager configured: cannot silence";
    if model.settings.read_only {
        return Some(Denied::new(
            OFF_READ_ONLY,
            "read-only mode: silences are disabled",
        ));
    }
    if !has_source(model, SourceKind::Alertmanager) {
        return Some(Denied::new("needs an Alertmanager", NONE_WRITABLE));
    }
    if writable(model, SourceKind::Alertmanager).next().is_none() {
        return Some(Denied::new("off: Alertmanager is read-only", NONE_WRITABLE));
    }
    None
}

/// [`silence_denied`], or a silence request still unanswered (one at a time).
pub fn silence_now_denied(model: &Model) -> Option<Denied> {
    silence_denied(model).or_else(|| {
        model
            .in_flight
            .values()
            .any(|p| p.app.is_none())
            .then(|| Denied::new("busy", "a silence request is still in flight"))
    })
}

/// Silences may be sent (the `s` hint is offered).
pub fn can_silence(model: &Model) -> bool {
    silence_denied(model).is_none()
}

/// Every Alertmanager a silence may go to, in config order.
pub fn silence_targets(model: &Model) -> Vec<String> {
    writable(model, SourceKind::Alertmanager)
        .map(str::to_string)
        .collect()
}

// --- Argo CD --------------------------------------------------------------------------------

/// Why no Argo CD action (rollback, sync, terminate, auto-sync) can be sent, whatever is
/// selected: read-only mode, no Argo CD, or every Argo CD read-only.
pub fn argo_denied(model: &Model) -> Option<Denied> {
    if model.settings.read_only {
        return Some(Denied::new(
            OFF_READ_ONLY,
            "read-only mode: Argo CD actions are disabled",
        ));
    }
    if !has_source(model, SourceKind::Argocd) {
        return Some(Denied::new(
            "needs Argo CD",
            "no Argo CD source configured (add [[argocd]] or --argocd URL)",
        ));
    }
    if writable(model, SourceKind::Argocd).next().is_none() {
        return Some(Denied::new(
            "off: Argo CD is read-only",
            "Argo CD is read-only in the config: actions are disabled",
        ));
    }
    None
}

/// Argo CD actions may be sent on some app (the `R`/`S` hints are offered).
pub fn argo_writable(model: &Model) -> bool {
    argo_denied(model).is_none()
}

/// Why no Argo CD action may be sent on this app now: [`argo_denied`], its instance read-only,
/// or a request for it still unanswered.
pub fn app_denied(model: &Model, key: &AppKey) -> Option<Denied> {
    if let Some(denied) = argo_denied(model) {
        return Some(denied);
    }
    if model.source(&key.instance).is_some_and(|s| s.read_only) {
        return Some(Denied::new(
            "off: Argo CD is read-only",
            format!(
                "{} is read-only in the config: actions are disabled",
                key.instance
            ),
        ));
    }
    if model
        .in_flight
        .values()
        .any(|p| p.app.as_ref() == Some(key))
    {
        return Some(Denied::new(
            "busy",
            format!("a request for {} is still in flight", key.name),
        ));
    }
    None
}

// --- Kubernetes -----------------------------------------------------------------------------

/// Why no Kubernetes action (undo, restart, scale, Argo Rollouts) can be sent, whatever is
/// selected: read-only mode, or every cluster read-only in the config.
pub fn kube_denied(model: &Model) -> Option<Denied> {
    if model.settings.read_only {
        return Some(Denied::new(
            OFF_READ_ONLY,
            "read-only mode: Kubernetes actions are disabled",
        ));
    }
    if has_source(model, SourceKind::Kube) && writable(model, SourceKind::Kube).next().is_none() {
        return Some(Denied::new(
            "off: Kubernetes is read-only",
            "every Kubernetes cluster is read-only in the config: actions are disabled",
        ));
    }
    None
}

// --- Any action ---------------------------------------------------------------------------

/// Why `action` can do nothing now, whatever is selected (the help overlay's note). Decided by
/// what the action writes to ([`Action::mutates`]).
pub fn why_not(model: &Model, action: Action) -> Option<Denied> {
    match action.mutates()? {
        SourceKind::Alertmanager => silence_denied(model),
        SourceKind::Argocd => argo_denied(model),
        SourceKind::Kube => kube_denied(model),
        _ if model.settings.read_only => Some(Denied::new(
            OFF_READ_ONLY,
            "read-only mode: changes are disabled",
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::source::SourceStatus;

    fn with(sources: &[(&str, SourceKind, bool)]) -> Model {
        let theme = crate::config::theme::Theme::no_color();
        let mut m = Model::new(
            Default::default(),
            Default::default(),
            theme.clone(),
            vec![theme],
            chrono::DateTime::UNIX_EPOCH,
        );
        m.sources = sources
            .iter()
            .map(|(name, kind, ro)| {
                let mut s = SourceStatus::new(name, *kind, "http://x", "test");
                s.read_only = *ro;
                s
            })
            .collect();
        m
    }

    #[test]
    fn every_mutation_is_off_in_read_only_mode() {
        let mut m = with(&[
            ("am", SourceKind::Alertmanager, false),
            ("argocd", SourceKind::Argocd, false),
        ]);
        for a in Action::all() {
            assert_eq!(why_not(&m, a), None, "{a:?}");
        }
        m.settings.read_only = true;
        for a in Action::all() {
            let note = why_not(&m, a).map(|d| d.note);
            let expected = a.mutates().map(|_| OFF_READ_ONLY);
            assert_eq!(note, expected, "{a:?}");
        }
    }

    #[test]
    fn the_help_note_and_the_refusal_agree() {
        // Every Alertmanager read-only: the hint is gone, help says why, `s` says why.
        let m = with(&[("am", SourceKind::Alertmanager, true)]);
        assert!(!can_silence(&m));
        assert_eq!(
            why_not(&m, Action::Silence).unwrap().note,
            "off: Alertmanager is read-only"
        );
        assert!(silence_targets(&m).is_empty());
        let m = with(&[
            ("am-ro", SourceKind::Alertmanager, true),
            ("am", SourceKind::Alertmanager, false),
        ]);
        assert_eq!(silence_targets(&m), ["am"]);
        assert!(can_silence(&m));

        let m = with(&[("prod", SourceKind::Argocd, true)]);
        assert!(!argo_writable(&m));
        assert_eq!(
            why_not(&m, Action::Rollback).unwrap().note,
            "off: Argo CD is read-only"
        );
        let m = with(&[]);
        assert_eq!(why_not(&m, Action::Sync).unwrap().note, "needs Argo CD");
        assert_eq!(
            why_not(&m, Action::Silence).unwrap().note,
            "needs an Alertmanager"
        );
    }

    #[test]
    fn one_read_only_instance_refuses_its_own_apps_only() {
        let m = with(&[
            ("prod", SourceKind::Argocd, true),
            ("staging", SourceKind::Argocd, false),
        ]);
        assert!(argo_writable(&m));
        let key = |instance: &str| AppKey {
            instance: instance.into(),
            namespace: "argocd".into(),
            name: "checkout".into(),
        };
        assert!(
            app_denied(&m, &key("prod"))
                .unwrap()
                .message
                .contains("prod is read-only")
        );
        assert_eq!(app_denied(&m, &key("staging")), None);
    }
}
