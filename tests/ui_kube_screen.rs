//! The Kubernetes screen, its undo confirmation and the pod log view, as snapshots at 120x40
//! and 80x24 with time frozen, plus the styles that carry meaning (CrashLoopBackOff and a
//! stuck rollout in the critical style). The cluster's objects are what its watchers would
//! report (compact objects, as `sources::kube` decodes them); keys go through `update`.

mod common_ui;

use chrono::Duration;
use common_ui::*;
use crossterm::event::KeyCode;
use sitrep::catalog::entity::StrMap;
use sitrep::effect::Effect;
use sitrep::kube::objects::{ContainerState, ContainerStatus, OwnerRef, WorkloadCondition};
use sitrep::kube::{
    KubeActionReport, KubeChange, KubeObject, KubePayload, LogTail, ObjectKey, Pod, ReplicaSet,
    ResourceKind, WarningEvent, Workload, WorkloadKey, WorkloadKind,
};
use sitrep::model::Model;
use sitrep::model::kube_view::KubePane;
use sitrep::model::source::{SourceKind, SourceState, SourceStatus};
use sitrep::model::ui::Screen;
use sitrep::msg::{EffectOutcome, Msg};
use std::sync::Arc;

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];
const CLUSTER: &str = "prod-eu";

fn snap_both(name: &str, model: &Model) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render_text(model, w, h));
    }
}

fn labels(pairs: &[(&str, &str)]) -> StrMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn object(ns: &str, name: &str) -> ObjectKey {
    ObjectKey {
        cluster: CLUSTER.into(),
        namespace: ns.into(),
        name: name.into(),
    }
}

fn deployment(ns: &str, name: &str, revision: i64, image: &str, ready: i32) -> Workload {
    let mut w = Workload::new(WorkloadKey {
        cluster: CLUSTER.into(),
        namespace: ns.into(),
        kind: WorkloadKind::Deployment,
        name: name.into(),
    });
    w.uid = format!("uid-{name}");
    w.labels = labels(&[("app.kubernetes.io/name", name)]);
    w.selector.match_labels = labels(&[("app", name)]);
    w.desired = 3;
    w.current = 3;
    w.updated = 3;
    w.ready = ready;
    w.available = ready;
    w.generation = 4;
    w.observed_generation = 4;
    w.revision = Some(revision);
    w.images = vec![format!("registry.example.com/{ns}/{name}:{image}")];
    w.created = Some(ago(40 * 86_400));
    w.strategy = "RollingUpdate".into();
    w
}

fn replica_set(name: &str, owner: &str, revision: i64, image: &str, mins_ago: i64) -> ReplicaSet {
    let mut rs = ReplicaSet::new(object("shop", name));
    rs.owner = Some(OwnerRef {
        kind: "Deployment".into(),
        name: owner.into(),
        uid: format!("uid-{owner}"),
    });
    rs.labels = labels(&[("app", owner)]);
    rs.revision = Some(revision);
    rs.change_cause = Some(format!("deploy {owner} {image} (ci #{})", 400 + revision));
    rs.images = vec![format!("registry.example.com/shop/{owner}:{image}")];
    rs.created = Some(ago(mins_ago * 60));
    rs
}

fn pod(name: &str, rs: &str, node: &str, state: ContainerState, restarts: i32) -> Pod {
    let mut p = Pod::new(object("shop", name));
    p.owner = Some(OwnerRef {
        kind: "ReplicaSet".into(),
        name: rs.into(),
        uid: format!("uid-{rs}"),
    });
    p.phase = "Running".into();
    p.node = node.into();
    p.created = Some(ago(6 * 60));
    p.container_names = vec!["checkout".into()];
    let ready = matches!(state, ContainerState::Running { .. });
    p.containers = vec![ContainerStatus {
        name: "checkout".into(),
        image: "checkout".into(),
        ready,
        restarts,
        init: false,
        state,
        last_terminated: (restarts > 0).then(|| ContainerState::Terminated {
            reason: "Error".into(),
            exit_code: 1,
            message: String::new(),
            finished_at: Some(ago(40)),
        }),
    }];
    p
}

fn crashing() -> ContainerState {
    ContainerState::Waiting {
        reason: "CrashLoopBackOff".into(),
        message: "back-off 2m40s restarting failed container=checkout".into(),
    }
}

fn running() -> ContainerState {
    ContainerState::Running {
        started_at: Some(ago(3600)),
    }
}

/// prod-eu: checkout's revision 7 (v2.14.0) crashloops and is stuck past its progress
/// deadline; revision 6 was healthy; cart and search are fine; pods in payments may not be
/// watched.
fn cluster_payload() -> KubePayload {
    let mut checkout = deployment("shop", "checkout", 7, "v2.14.0", 1);
    // Argo CD label tracking: the app checkout-prod manages it.
    checkout
        .labels
        .insert("argocd.argoproj.io/instance".into(), "checkout-prod".into());
    checkout.conditions = vec![WorkloadCondition {
        type_: "Progressing".into(),
        status: "False".into(),
        reason: "ProgressDeadlineExceeded".into(),
        message: "ReplicaSet \"checkout-7d9f5c\" has timed out progressing.".into(),
        last_transition: Some(ago(60)),
    }];
    let cart = deployment("shop", "cart", 12, "v1.8.3", 3);
    let search = deployment("search", "search-api", 31, "v5.2.0", 3);
    let reset = |resource, objects| KubeChange::Reset {
        resource,
        namespace: None,
        objects,
    };
    let event = WarningEvent {
        key: object("shop", "checkout-7d9f5c-x2k4q.187a"),
        object_kind: "Pod".into(),
        object_name: "checkout-7d9f5c-x2k4q".into(),
        reason: "BackOff".into(),
        message: "Back-off restarting failed container checkout in pod checkout-7d9f5c-x2k4q"
            .into(),
        count: 14,
        first_seen: Some(ago(360)),
        last_seen: Some(ago(20)),
    };
    KubePayload {
        changes: vec![
            reset(
                ResourceKind::Deployments,
                vec![checkout, cart, search]
                    .into_iter()
                    .map(|w| KubeObject::Workload(Arc::new(w)))
                    .collect(),
            ),
            reset(
                ResourceKind::ReplicaSets,
                vec![
                    replica_set("checkout-7d9f5c", "checkout", 7, "v2.14.0", 6),
                    replica_set("checkout-6b8c4d", "checkout", 6, "v2.13.2", 3 * 1440),
                    replica_set("checkout-59f7a1", "checkout", 5, "v2.13.1", 9 * 1440),
                ]
                .into_iter()
                .map(|r| KubeObject::ReplicaSet(Arc::new(r)))
                .collect(),
            ),
            reset(
                ResourceKind::Pods,
                vec![
                    pod(
                        "checkout-7d9f5c-x2k4q",
                        "checkout-7d9f5c",
                        "node-a",
                        crashing(),
                        14,
                    ),
                    pod(
                        "checkout-7d9f5c-p8m2w",
                        "checkout-7d9f5c",
                        "node-b",
                        crashing(),
                        13,
                    ),
                    pod(
                        "checkout-6b8c4d-r5t7z",
                        "checkout-6b8c4d",
                        "node-c",
                        running(),
                        0,
                    ),
                ]
                .into_iter()
                .map(|p| KubeObject::Pod(Arc::new(p)))
                .collect(),
            ),
            reset(
                ResourceKind::Events,
                vec![KubeObject::Event(Arc::new(event))],
            ),
            KubeChange::Unavailable {
                resource: ResourceKind::Pods,
                namespace: Some("payments".into()),
                reason: "cannot watch pods in payments".into(),
            },
        ],
    }
}

/// The model with the cluster watched, on the Kubernetes screen.
fn kube_model() -> Model {
    let mut source = SourceStatus::new(CLUSTER, SourceKind::Kube, "https://10.0.0.1:6443", "test");
    source.state = SourceState::Ok;
    source.last_ok = Some(now());
    source.live = Some(true);
    let mut m = started(vec![source], now() - Duration::seconds(30));
    m.kube.apply(CLUSTER, cluster_payload());
    m.kube_screen.stale = true;
    tick(&mut m, now());
    show(&mut m, Screen::Kube);
    m
}

fn undo_confirmation() -> Model {
    let mut m = kube_model();
    // checkout is stuck: it sorts first; selected explicitly all the same.
    let i = m
        .kube_screen
        .workloads
        .iter()
        .position(|r| r.workload.key.name == "checkout")
        .unwrap();
    m.kube_screen.workloads_cursor.selected = i;
    press(&mut m, KeyCode::Char('u'));
    let effects = press(&mut m, KeyCode::Enter);
    let Some(Effect::Kube(req)) = effects.into_iter().find(|e| matches!(e, Effect::Kube(_))) else {
        panic!("dry run sent");
    };
    send(
        &mut m,
        Msg::Done(EffectOutcome::KubeActionDone {
            request_id: req.request_id,
            source: CLUSTER.into(),
            target: req.target.clone(),
            action: req.action.clone(),
            dry_run: true,
            report: KubeActionReport {
                summary: "deployment.apps/checkout rolled back (server dry run)".into(),
                skipped: false,
                from_revision: Some(7),
                to_revision: Some(6),
                images: vec!["registry.example.com/shop/checkout:v2.13.2".into()],
            },
        }),
    );
    type_text(&mut m, "check");
    m
}

fn log_view() -> Model {
    let mut m = kube_model();
    m.kube_screen.pane = KubePane::Pods;
    let effects = press(&mut m, KeyCode::Char('l'));
    let Some(Effect::FetchLogs(req)) = effects
        .into_iter()
        .find(|e| matches!(e, Effect::FetchLogs(_)))
    else {
        panic!("log read sent");
    };
    let long = format!(
        "at checkout.payment.Client.charge(Client.java:{})",
        "9".repeat(150)
    );
    send(
        &mut m,
        Msg::Done(EffectOutcome::Logs {
            request_id: req.request_id,
            source: CLUSTER.into(),
            request: req,
            result: Ok(LogTail {
                lines: vec![
                    "2026-11-23T03:11:02Z INFO starting checkout v2.14.0".into(),
                    "2026-11-23T03:11:03Z INFO connecting to payments at payments.shop:8443".into(),
                    // Hostile: a title change, a screen clear, a colour, a bell.
                    "\x1b]0;pwned\x07\x1b[2J\x1b[31mERROR\x1b[0m payment gateway refused: TLS handshake failed\x07".into(),
                    "panic: nil pointer dereference".into(),
                    format!("    {long}"),
                ],
                truncated: false,
            }),
        }),
    );
    m
}

#[test]
fn kube_screen_with_a_crashlooping_checkout() {
    let m = kube_model();
    assert_eq!(m.kube_screen.workloads.len(), 3);
    snap_both("kube_workloads", &m);
    let mut pods = m.clone();
    pods.kube_screen.pane = KubePane::Pods;
    snap_both("kube_pods", &pods);
    let mut events = m.clone();
    events.kube_screen.pane = KubePane::Events;
    snap_both("kube_events", &events);
}

#[test]
fn kube_screen_drilled_into_checkout() {
    let mut m = kube_model();
    let i = m
        .kube_screen
        .workloads
        .iter()
        .position(|r| r.workload.key.name == "checkout")
        .unwrap();
    m.kube_screen.workloads_cursor.selected = i;
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.kube_screen.pods.len(), 3);
    snap_both("kube_drilled", &m);
}

#[test]
fn undo_confirmation_states_exactly_what_will_happen() {
    let m = undo_confirmation();
    snap_both("kube_undo_confirm", &m);
    let text = render_text(&m, 120, 40);
    for needle in ["prod-eu", "shop", "checkout", "7 → 6", "v2.14.0", "v2.13.2"] {
        assert!(text.contains(needle), "{needle}\n{text}");
    }
}

#[test]
fn undo_picker_lists_the_revisions() {
    let mut m = kube_model();
    let i = m
        .kube_screen
        .workloads
        .iter()
        .position(|r| r.workload.key.name == "checkout")
        .unwrap();
    m.kube_screen.workloads_cursor.selected = i;
    press(&mut m, KeyCode::Char('u'));
    snap_both("kube_undo_pick", &m);
}

#[test]
fn log_view_neutralises_a_hostile_line() {
    let m = log_view();
    snap_both("kube_logs", &m);
    let buf = render_buffer(&m, 120, 40);
    let all = text(&buf);
    assert!(!all.contains('\x1b') && !all.contains('\x07'));
    assert!(all.contains("ERROR payment gateway refused"), "{all}");
}

#[test]
fn meaningful_cells_carry_their_styles() {
    let mut m = kube_model();
    m.kube_screen.pane = KubePane::Pods;
    // Not the selected row: its own colour shows.
    m.kube_screen.pods_cursor.selected = 2;
    let buf = render_buffer(&m, 120, 40);
    let theme = &m.theme;
    let at = find(&buf, "checkout-7d9f5c-x2k4q", "CrashLoopBackOff").expect("crashloop shown");
    assert_eq!(buf[at].fg, theme.critical.fg.unwrap());
    let at = find(&buf, "checkout-6b8c4d-r5t7z", "Running").expect("running shown");
    assert_eq!(buf[at].fg, theme.ok.fg.unwrap());

    let mut m = kube_model();
    let i = m
        .kube_screen
        .workloads
        .iter()
        .position(|r| r.workload.key.name == "cart")
        .unwrap();
    m.kube_screen.workloads_cursor.selected = i;
    let buf = render_buffer(&m, 120, 40);
    let at = find(&buf, "checkout", "exceeded its progress deadline").expect("stuck shown");
    assert_eq!(buf[at].fg, theme.critical.fg.unwrap());
    // What RBAC refuses is said.
    assert!(find(&buf, "pods", "cannot watch pods in payments").is_some());
}

#[test]
fn undo_of_a_workload_argo_cd_self_heals_offers_the_argo_cd_rollback() {
    let mut m = kube_model();
    let app = decode_app(app_wire(
        "checkout-prod",
        "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f",
        3600,
        true,
    ));
    assert!(
        app.self_heal,
        "selfHeal read from spec.syncPolicy.automated"
    );
    m.apps.insert(app.key.clone(), app);
    m.rederive();
    let i = m
        .kube_screen
        .workloads
        .iter()
        .position(|r| r.workload.key.name == "checkout")
        .unwrap();
    m.kube_screen.workloads_cursor.selected = i;
    press(&mut m, KeyCode::Char('u'));
    snap_both("kube_undo_self_heal", &m);
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("Argo CD (app checkout-prod, self-heal on) will revert a kubectl undo"),
        "{text}"
    );
    // Enter offers no kubectl request: the Argo CD rollback flow instead.
    let effects = press(&mut m, KeyCode::Enter);
    assert!(!effects.iter().any(|e| matches!(e, Effect::Kube(_))));
    assert_eq!(m.screen, Screen::Apps);
}

#[test]
fn the_screen_says_when_there_is_no_cluster_or_it_is_not_connected_or_failing() {
    let mut m = started(Vec::new(), now());
    show(&mut m, Screen::Kube);
    assert!(render_text(&m, 80, 24).contains("No Kubernetes cluster configured"));

    let source = SourceStatus::new(CLUSTER, SourceKind::Kube, "https://10.0.0.1:6443", "test");
    let mut m = started(vec![source], now());
    show(&mut m, Screen::Kube);
    let text = render_text(&m, 80, 24);
    assert!(
        text.contains("connecting to prod-eu: nothing listed yet"),
        "{text}"
    );

    let mut m = kube_model();
    let src = m.source_mut(CLUSTER).unwrap();
    src.state = SourceState::Failing;
    src.last_error =
        Some("Unauthorized: the server has asked for the client to provide credentials".into());
    let text = render_text(&m, 120, 40);
    assert!(text.contains("FAILING"), "{text}");
    assert!(
        text.contains("prod-eu is failing (showing what was last seen): Unauthorized"),
        "{text}"
    );
}

#[test]
fn every_kube_view_draws_at_any_size_without_panicking() {
    let mut models = vec![kube_model(), undo_confirmation(), log_view()];
    for pane in [KubePane::Pods, KubePane::Events] {
        let mut m = kube_model();
        m.kube_screen.pane = pane;
        models.push(m);
    }
    for m in &models {
        for (w, h) in [(60, 15), (61, 16), (100, 20), (200, 60), (40, 10)] {
            render_buffer(m, w, h);
        }
    }
}

/// An app as Argo CD reports it, listing checkout among its resources.
fn app_claiming_checkout(name: &str) -> sitrep::model::app::App {
    let mut wire = app_wire(name, "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f", 3600, true);
    wire["status"]["resources"] = serde_json::json!([{
        "group": "apps", "version": "v1", "kind": "Deployment",
        "namespace": "shop", "name": "checkout", "status": "Synced",
    }]);
    decode_app(wire)
}

fn undo_on_checkout(m: &mut Model) {
    let i = m
        .kube_screen
        .workloads
        .iter()
        .position(|r| r.workload.key.name == "checkout")
        .unwrap();
    m.kube_screen.workloads_cursor.selected = i;
    press(m, KeyCode::Char('u'));
}

#[test]
fn undo_of_a_workload_two_apps_claim_says_so_and_offers_no_argo_cd_rollback() {
    let mut m = kube_model();
    for name in ["checkout-a", "checkout-b"] {
        let app = app_claiming_checkout(name);
        m.apps.insert(app.key.clone(), app);
    }
    m.rederive();
    undo_on_checkout(&mut m);
    let text = render_text(&m, 120, 40);
    assert!(text.contains("which app is unknown"), "{text}");
    assert!(
        text.contains("checkout-a") && text.contains("checkout-b"),
        "{text}"
    );
    assert!(!text.contains("Roll back with Argo CD instead"), "{text}");
    // Enter is the kubectl dry run, not either app's Argo CD rollback.
    let effects = press(&mut m, KeyCode::Enter);
    assert!(effects.iter().any(|e| matches!(e, Effect::Kube(_))));
    assert_eq!(m.screen, Screen::Kube);
}

#[test]
fn undo_of_a_workload_tracked_to_an_app_not_loaded_warns_that_self_heal_is_unknown() {
    // checkout's tracking label names checkout-prod; Argo CD has not answered.
    let mut m = kube_model();
    undo_on_checkout(&mut m);
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("Managed by Argo CD app checkout-prod; whether it self-heals is unknown"),
        "{text}"
    );
    let effects = press(&mut m, KeyCode::Enter);
    assert!(effects.iter().any(|e| matches!(e, Effect::Kube(_))));
}
