//! Which Argo CD app manages a workload is never guessed (two apps claiming it: no redirect;
//! tracking naming an app not loaded: a warning), and on the Workloads pane the keys act on
//! the highlighted row, `l` only ever on that workload's own pods.

use super::*;
use crate::model::kube_view::ArgoOwner;

/// Label checkout with Argo CD's tracking label naming `app`.
fn tracked_as(m: &mut Model, app: &str) {
    let key = key("staging", WorkloadKind::Deployment, "checkout");
    let mut w = (**m.kube.workload(&key).expect("checkout stored")).clone();
    w.labels
        .insert("argocd.argoproj.io/instance".into(), app.into());
    m.kube.apply(
        "staging",
        KubePayload {
            changes: vec![KubeChange::Apply(KubeObject::Workload(Arc::new(w)))],
        },
    );
    m.rederive();
    crate::model::kube_view::rebuild(m);
}

#[test]
fn two_apps_claiming_a_deployment_are_said_and_no_rollback_redirect() {
    let mut m = model();
    managed_by_app(&mut m, "checkout-a", true);
    managed_by_app(&mut m, "checkout-b", true);
    press(&mut m, KeyCode::Char('u'));
    let Some(Popup::KubeAction(f)) = &m.popup else {
        panic!("undo popup: {:?}", m.flash);
    };
    let Some(ArgoManaged::Ambiguous { apps }) = &f.argo else {
        panic!("ambiguity said: {:?}", f.argo);
    };
    assert_eq!(apps.len(), 2, "{apps:?}");
    assert!(apps.iter().any(|a| a.ends_with("checkout-a")), "{apps:?}");
    assert!(apps.iter().any(|a| a.ends_with("checkout-b")), "{apps:?}");
    assert!(!f.argo_reverts());
    // Enter is the kubectl dry run, not a jump to either app's Argo CD rollback.
    let effects = press(&mut m, KeyCode::Enter);
    assert_eq!(kube_effects(&effects).len(), 1, "{effects:?}");
    assert_eq!(m.screen, Screen::Kube);
    assert!(matches!(m.popup, Some(Popup::KubeAction(_))));
    // The screen's row says the same.
    assert!(matches!(
        m.kube_screen.workloads[0].argo,
        Some(ArgoOwner::Ambiguous(_))
    ));
}

#[test]
fn tracking_label_names_the_app_even_when_another_app_lists_the_workload() {
    let mut m = model();
    managed_by_app(&mut m, "checkout-a", true);
    managed_by_app(&mut m, "checkout-b", true);
    // Tracking names a, but b reports it too: the two disagree, nothing is taken on trust.
    tracked_as(&mut m, "checkout-a");
    press(&mut m, KeyCode::Char('u'));
    let Some(Popup::KubeAction(f)) = &m.popup else {
        panic!("undo popup");
    };
    assert!(matches!(f.argo, Some(ArgoManaged::Ambiguous { .. })));
    assert!(!f.argo_reverts());
}

#[test]
fn tracking_label_alone_names_the_app_to_roll_back_with() {
    let mut m = model();
    managed_by_app(&mut m, "checkout-a", true);
    // a no longer reports the resource; its tracking label still names it.
    for app in m.apps.values_mut() {
        app.resources.clear();
    }
    m.rederive();
    tracked_as(&mut m, "argocd_checkout-a");
    press(&mut m, KeyCode::Char('u'));
    let Some(Popup::KubeAction(f)) = &m.popup else {
        panic!("undo popup");
    };
    assert!(f.argo_reverts(), "{:?}", f.argo);
    assert_eq!(
        f.argo
            .as_ref()
            .and_then(|a| a.rollback_app())
            .map(|k| k.name.as_str()),
        Some("checkout-a")
    );
}

#[test]
fn tracking_label_naming_an_app_not_loaded_warns_and_allows_the_undo() {
    let mut m = model();
    tracked_as(&mut m, "checkout-prod");
    press(&mut m, KeyCode::Char('u'));
    let Some(Popup::KubeAction(f)) = &m.popup else {
        panic!("undo popup");
    };
    assert_eq!(
        f.argo,
        Some(ArgoManaged::Unloaded {
            app: "checkout-prod".into()
        })
    );
    assert!(!f.argo_reverts());
    let effects = press(&mut m, KeyCode::Enter);
    let sent = kube_effects(&effects);
    assert_eq!(sent.len(), 1);
    assert!(sent[0].dry_run);
}

#[test]
fn tracking_annotation_names_the_app_when_there_is_no_label() {
    let m = model();
    let key = key("staging", WorkloadKind::Deployment, "checkout");
    let mut w = (**m.kube.workload(&key).unwrap()).clone();
    w.annotations.insert(
        "argocd.argoproj.io/tracking-id".into(),
        "checkout-x:apps/Deployment:shop/checkout".into(),
    );
    assert_eq!(
        crate::model::kube_view::argo_owner(&m, &w),
        Some(ArgoOwner::Unloaded("checkout-x".into()))
    );
}

/// On the Kubernetes screen with checkout and cart listed (checkout first: it is stuck).
fn two_rows() -> Model {
    let mut m = super::super::tests::model();
    add_cluster(&mut m);
    press(&mut m, KeyCode::Char('7'));
    let names: Vec<&str> = m
        .kube_screen
        .workloads
        .iter()
        .map(|r| r.workload.key.name.as_str())
        .collect();
    assert_eq!(names, ["checkout", "cart"]);
    m
}

#[test]
fn after_a_drill_down_the_workloads_pane_acts_on_the_highlighted_row() {
    let mut m = two_rows();
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.kube_screen.pane, KubePane::Pods);
    // Tab round to the Workloads pane, down to cart.
    while m.kube_screen.pane != KubePane::Workloads {
        press(&mut m, KeyCode::Tab);
    }
    press(&mut m, KeyCode::Char('j'));
    assert_eq!(
        m.kube_screen.selected_workload().unwrap().workload.key.name,
        "cart"
    );
    press(&mut m, KeyCode::Char('+'));
    let Some(Popup::KubeAction(f)) = &m.popup else {
        panic!("scale popup: {:?}", m.flash);
    };
    assert_eq!(f.target.name, "cart");
    // On the Pods pane the drilled workload is still the one acted on.
    m.popup = None;
    m.kube_screen.pane = KubePane::Pods;
    press(&mut m, KeyCode::Char('+'));
    let Some(Popup::KubeAction(f)) = &m.popup else {
        panic!("scale popup");
    };
    assert_eq!(f.target.name, "checkout");
}

#[test]
fn logs_of_a_workload_without_pods_are_refused_not_another_pod() {
    let mut m = two_rows();
    press(&mut m, KeyCode::Char('j'));
    let effects = press(&mut m, KeyCode::Char('l'));
    assert!(log_request(&effects).is_none(), "{effects:?}");
    assert!(m.popup.is_none());
    assert_eq!(
        m.flash.as_ref().map(|f| f.text.as_str()),
        Some("no pods for deployment/cart")
    );
    // checkout, highlighted, reads its own pod.
    press(&mut m, KeyCode::Char('k'));
    let req = log_request(&press(&mut m, KeyCode::Char('l'))).expect("FetchLogs");
    assert_eq!(req.pod.name, "checkout-7d9f-abcde");
}
