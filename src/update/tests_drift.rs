//! Fleet drift in `update`: which apps are fetched and when, commit metadata once, groups and
//! their ranking, the timeline, and `snapshot`'s `drift[]`.

use super::tests_argo::{model, source};
use super::update;
use crate::drift::cause::fixtures::{self, drift_of, git_source, modified};
use crate::drift::{CauseKind, RevisionMeta};
use crate::effect::Effect;
use crate::model::Model;
use crate::model::app::{App, AppKey, SyncStatus};
use crate::model::drift::{DRIFT_FETCHES_IN_FLIGHT, MetaState};
use crate::model::timeline::EventKind;
use crate::msg::{ArgocdPayload, Msg, SourcePayload, WatchChange};

const REPO: &str = "https://github.com/example-org/platform-charts";

fn app(name: &str, sync: SyncStatus, deployed: &str, compared: &str) -> App {
    let mut a = fixtures::app(
        name,
        sync,
        git_source(REPO, name, "main"),
        deployed,
        compared,
    );
    a.destination_namespace = name.trim_end_matches("-prod").into();
    a
}

fn list(m: &mut Model, apps: Vec<App>) -> Vec<Effect> {
    update(
        m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps { apps }),
        ),
    )
}

fn changed(m: &mut Model, a: App) -> Vec<Effect> {
    update(
        m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Modified,
                app: Box::new(a),
            }),
        ),
    )
}

fn answer(m: &mut Model, d: crate::drift::AppDrift) -> Vec<Effect> {
    update(
        m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Drift { drift: Box::new(d) }),
        ),
    )
}

fn meta(m: &mut Model, rev: &str, result: Result<RevisionMeta, String>) -> Vec<Effect> {
    update(
        m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::RevisionMeta {
                repo: REPO.into(),
                revision: rev.into(),
                meta: result,
            }),
        ),
    )
}

fn drift_fetches(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchDrift { key, .. } => Some(key.name.clone()),
            _ => None,
        })
        .collect()
}

fn meta_fetches(effects: &[Effect]) -> Vec<(String, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchRevisionMeta { repo, revision, .. } => {
                Some((repo.clone(), revision.clone()))
            }
            _ => None,
        })
        .collect()
}

fn k(name: &str) -> AppKey {
    fixtures::key(name)
}

fn alice() -> RevisionMeta {
    RevisionMeta {
        author: "Alice <alice@example.org>".into(),
        date: Some(super::tests::t0() - chrono::Duration::minutes(14)),
        message: "bump shared redis chart to 18.1.0 for the TLS fix everywhere\n\nbody".into(),
        tags: vec![],
    }
}

#[test]
fn only_unsynced_apps_are_fetched_and_at_most_eight_at_a_time() {
    let mut m = model();
    let mut apps: Vec<App> = (0..12)
        .map(|i| {
            app(
                &format!("a{i:02}-prod"),
                SyncStatus::OutOfSync,
                "aaa",
                "aaa",
            )
        })
        .collect();
    apps.push(app("synced-prod", SyncStatus::Synced, "aaa", "aaa"));
    let fx = list(&mut m, apps);
    let asked = drift_fetches(&fx);
    assert_eq!(asked.len(), DRIFT_FETCHES_IN_FLIGHT);
    assert!(!asked.contains(&"synced-prod".to_string()));
    assert_eq!(m.drift.queued.len(), 4);
    assert_eq!(m.drift.apps.len(), 12);

    // Each answer frees a slot for one queued app.
    let a0 = m.apps[&k("a00-prod")].clone();
    let fx = answer(&mut m, drift_of(&a0, vec![], None));
    assert_eq!(drift_fetches(&fx), vec!["a08-prod".to_string()]);
    assert_eq!(m.drift.fetching.len(), DRIFT_FETCHES_IN_FLIGHT);
    assert_eq!(m.drift.queued.len(), 3);
}

#[test]
fn not_fetched_again_for_the_same_resource_version_but_again_after_it_changes() {
    let mut m = model();
    let a = app("cart-prod", SyncStatus::OutOfSync, "aaa", "aaa");
    assert_eq!(drift_fetches(&list(&mut m, vec![a.clone()])).len(), 1);
    // In flight: the same state again asks nothing.
    assert!(drift_fetches(&changed(&mut m, a.clone())).is_empty());
    let fx = answer(&mut m, drift_of(&a, vec![], None));
    assert!(drift_fetches(&fx).is_empty());
    assert!(drift_fetches(&changed(&mut m, a.clone())).is_empty());
    assert!(drift_fetches(&list(&mut m, vec![a.clone()])).is_empty());
    // The app moved on: asked again for its new state.
    let mut b = a.clone();
    b.resource_version = "2".into();
    assert_eq!(drift_fetches(&changed(&mut m, b)), vec!["cart-prod"]);
}

#[test]
fn an_answer_for_an_older_state_is_kept_and_fetched_again() {
    let mut m = model();
    let a = app("cart-prod", SyncStatus::OutOfSync, "aaa", "aaa");
    list(&mut m, vec![a.clone()]);
    let mut b = a.clone();
    b.resource_version = "2".into();
    // Changed while in flight: nothing new yet (one request per app).
    assert!(drift_fetches(&changed(&mut m, b)).is_empty());
    let fx = answer(&mut m, drift_of(&a, vec![], None));
    assert_eq!(drift_fetches(&fx), vec!["cart-prod"]);
    assert_eq!(m.drift.fetching[&k("cart-prod")], "2");
}

#[test]
fn an_error_is_kept_and_not_retried_until_the_app_changes() {
    let mut m = model();
    let a = app("cart-prod", SyncStatus::OutOfSync, "aaa", "aaa");
    list(&mut m, vec![a.clone()]);
    let fx = answer(
        &mut m,
        drift_of(&a, vec![], Some("managed resources forbidden (403)")),
    );
    assert!(drift_fetches(&fx).is_empty());
    assert!(drift_fetches(&changed(&mut m, a.clone())).is_empty());
    let g = m.drift.group_of(&k("cart-prod")).unwrap();
    assert_eq!(g.cause, CauseKind::Unknown);
    assert_eq!(
        g.summary,
        "unknown: managed resources forbidden (403) — 1 app"
    );
    let mut b = a;
    b.resource_version = "2".into();
    assert_eq!(drift_fetches(&changed(&mut m, b)), vec!["cart-prod"]);
}

#[test]
fn commit_metadata_is_asked_once_per_repository_and_revision() {
    let mut m = model();
    let apps: Vec<App> = (0..5)
        .map(|i| {
            app(
                &format!("a{i}-prod"),
                SyncStatus::OutOfSync,
                "1111111111111111",
                "4f2a1c9d0e0e0e0e",
            )
        })
        .collect();
    let fx = list(&mut m, apps.clone());
    assert_eq!(
        meta_fetches(&fx),
        vec![(REPO.to_string(), "4f2a1c9d0e0e0e0e".to_string())]
    );
    assert_eq!(
        m.drift.revisions[&(REPO.to_string(), "4f2a1c9d0e0e0e0e".to_string())],
        MetaState::Fetching
    );
    let g = &m.drift.groups[0];
    assert_eq!(
        g.summary,
        "git 4f2a1c9 in example-org/platform-charts — 5 apps"
    );
    let mut moved = apps[0].clone();
    moved.resource_version = "9".into();
    assert!(meta_fetches(&changed(&mut m, moved)).is_empty());
    meta(&mut m, "4f2a1c9d0e0e0e0e", Ok(alice()));
    assert_eq!(
        m.drift.groups[0].summary,
        "git 4f2a1c9 \"bump shared redis chart to 18.1.0 for th…\" by Alice 14m ago — 5 apps"
    );
    // A failure is kept, not asked again.
    let mut other = app(
        "b-prod",
        SyncStatus::OutOfSync,
        "1111111111111111",
        "5e5e5e5e5e5e5e5e",
    );
    let fx = changed(&mut m, other.clone());
    assert_eq!(meta_fetches(&fx).len(), 1);
    meta(&mut m, "5e5e5e5e5e5e5e5e", Err("not found".into()));
    other.resource_version = "3".into();
    assert!(meta_fetches(&changed(&mut m, other)).is_empty());
}

#[test]
fn groups_rank_production_first_then_size_and_synced_apps_leave() {
    let mut m = model();
    let mut apps: Vec<App> = (0..3)
        .map(|i| {
            app(
                &format!("web{i}-staging"),
                SyncStatus::OutOfSync,
                "1111111111111111",
                "2222222222222222",
            )
        })
        .collect();
    for name in ["cart-prod", "shop-prod"] {
        let mut a = app(name, SyncStatus::OutOfSync, "aaa", "aaa");
        // Argo CD says a resource differs: live before the diff arrives.
        a.resources = vec![fixtures::resource(
            "Deployment",
            name,
            SyncStatus::OutOfSync,
            None,
        )];
        apps.push(a);
    }
    list(&mut m, apps);
    // Live drift of the two production apps, before and after their diffs.
    assert_eq!(m.drift.groups.len(), 2);
    assert_eq!(
        m.drift.groups[0].summary,
        "live, diff not fetched yet — 2 apps"
    );
    assert_eq!(m.drift.groups[0].production, 2);
    for name in ["cart-prod", "shop-prod"] {
        let a = m.apps[&k(name)].clone();
        let scaled = modified(
            "Deployment",
            name,
            &["spec.replicas"],
            Some("kubectl-scale"),
        );
        answer(&mut m, drift_of(&a, vec![scaled], None));
    }
    let g = &m.drift.groups[0];
    assert_eq!(g.cause, CauseKind::Live);
    assert_eq!(g.apps, vec![k("cart-prod"), k("shop-prod")]);
    assert_eq!(g.changes.len(), 2);
    assert_eq!(
        g.summary,
        "live Deployment spec.replicas by kubectl-scale 12m ago — 2 apps"
    );
    assert_eq!(m.drift.groups[1].apps.len(), 3);
    assert_eq!(m.drift.groups[1].production, 0);

    // One app synced: it leaves its group; the last one takes the group with it.
    let mut a = m.apps[&k("cart-prod")].clone();
    a.sync = SyncStatus::Synced;
    changed(&mut m, a);
    assert!(!m.drift.apps.contains_key(&k("cart-prod")));
    assert_eq!(m.drift.groups[0].apps, vec![k("shop-prod")]);
    let mut a = m.apps[&k("shop-prod")].clone();
    a.sync = SyncStatus::Synced;
    changed(&mut m, a);
    assert_eq!(m.drift.groups.len(), 1);
    assert_eq!(m.drift.groups[0].cause, CauseKind::Git);
}

#[test]
fn a_deleted_app_leaves_its_group() {
    let mut m = model();
    let a = app(
        "cart-prod",
        SyncStatus::OutOfSync,
        "1111111111111111",
        "2222222222222222",
    );
    list(&mut m, vec![a.clone()]);
    assert_eq!(m.drift.groups.len(), 1);
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Deleted,
                app: Box::new(a),
            }),
        ),
    );
    assert!(m.drift.groups.is_empty() && m.drift.apps.is_empty());
}

#[test]
fn a_new_cause_is_told_once_on_the_timeline_not_at_the_first_load() {
    let mut m = model();
    let old = app(
        "old-prod",
        SyncStatus::OutOfSync,
        "1111111111111111",
        "2222222222222222",
    );
    list(&mut m, vec![old.clone()]);
    let told = |m: &Model| {
        m.timeline
            .iter()
            .filter(|e| e.kind == EventKind::Note && e.summary.starts_with("fleet drift: "))
            .count()
    };
    assert_eq!(told(&m), 0);
    // A new commit moves two more apps: one event, not one per app.
    let a = app(
        "a-prod",
        SyncStatus::OutOfSync,
        "1111111111111111",
        "3333333333333333",
    );
    let b = app(
        "b-prod",
        SyncStatus::OutOfSync,
        "1111111111111111",
        "3333333333333333",
    );
    changed(&mut m, a.clone());
    changed(&mut m, b);
    assert_eq!(told(&m), 1);
    let e = m
        .timeline
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::Note)
        .unwrap();
    assert_eq!(
        e.summary,
        "fleet drift: git 3333333 in example-org/platform-charts — 1 app"
    );
    // Their changes say nothing more.
    let mut a2 = a;
    a2.resource_version = "5".into();
    changed(&mut m, a2);
    assert_eq!(told(&m), 1);
}

#[test]
fn summaries_age_with_the_minute_not_per_message() {
    let mut m = model();
    let a = app("cart-prod", SyncStatus::OutOfSync, "aaa", "aaa");
    list(&mut m, vec![a.clone()]);
    let scaled = modified(
        "Deployment",
        "cart",
        &["spec.replicas"],
        Some("kubectl-scale"),
    );
    answer(&mut m, drift_of(&a, vec![scaled], None));
    assert!(m.drift.groups[0].summary.contains("12m ago"));
    let later = m.now + chrono::Duration::minutes(3);
    update(&mut m, Msg::Tick(later));
    assert!(
        m.drift.groups[0].summary.contains("15m ago"),
        "{}",
        m.drift.groups[0].summary
    );
}

#[test]
fn snapshot_json_has_drift_groups_shaped_as_documented() {
    let mut m = model();
    let git = app(
        "cart-prod",
        SyncStatus::OutOfSync,
        "1111111111111111",
        "4f2a1c9d0e0e0e0e",
    );
    let live = app("shop-prod", SyncStatus::OutOfSync, "aaa", "aaa");
    let broken = {
        let mut a = app("bad-prod", SyncStatus::Unknown, "aaa", "aaa");
        a.conditions = vec![fixtures::condition("ComparisonError", "repo gone")];
        a
    };
    list(&mut m, vec![git, live.clone(), broken]);
    meta(&mut m, "4f2a1c9d0e0e0e0e", Ok(alice()));
    let scaled = modified(
        "Deployment",
        "shop",
        &["spec.replicas"],
        Some("kubectl-scale"),
    );
    answer(&mut m, drift_of(&live, vec![scaled], None));
    let mut out = Vec::new();
    crate::snapshot::write_json(&m, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let drift = v["drift"].as_array().unwrap();
    assert_eq!(drift.len(), 3);
    let by_cause = |c: &str| drift.iter().find(|g| g["cause"] == c).unwrap().clone();
    let g = by_cause("git");
    assert_eq!(
        g["apps"],
        serde_json::json!([{"instance": "argocd", "namespace": "argocd", "name": "cart-prod"}])
    );
    assert_eq!(g["revision"]["repo"], REPO);
    assert_eq!(g["revision"]["from"], "1111111111111111");
    assert_eq!(g["revision"]["to"], "4f2a1c9d0e0e0e0e");
    assert_eq!(g["revision"]["author"], "Alice <alice@example.org>");
    assert!(
        g["revision"]["message"]
            .as_str()
            .unwrap()
            .starts_with("bump")
    );
    assert!(g.get("changes").is_none() && g.get("error").is_none());
    let l = by_cause("live");
    assert!(l.get("revision").is_none());
    assert_eq!(
        l["changes"][0],
        serde_json::json!({"group": "apps", "kind": "Deployment", "namespace": "default",
            "name": "shop", "path": "spec.replicas", "manager": "kubectl-scale",
            "operation": "Update", "changed_at": "2026-11-23T03:00:00Z"})
    );
    let u = by_cause("unknown");
    assert_eq!(u["error"], "ComparisonError: repo gone");
    assert!(
        u["summary"]
            .as_str()
            .unwrap()
            .starts_with("unknown: ComparisonError")
    );

    let mut text = Vec::new();
    crate::snapshot::write_text(&m, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("DRIFT (3 apps OutOfSync or Unknown, 3 groups by cause"),
        "{text}"
    );
}

#[test]
fn a_hostile_resource_version_is_fresh_once_answered_not_refetched_forever() {
    let mut m = model();
    let mut a = app("cart-prod", SyncStatus::OutOfSync, "aaa", "aaa");
    // 1,000 characters with a control character: longer than any name cap.
    a.resource_version = format!("7\u{7}{}", "9".repeat(998));
    let fx = list(&mut m, vec![a.clone()]);
    let asked = fx
        .iter()
        .find_map(|e| match e {
            Effect::FetchDrift {
                resource_version, ..
            } => Some(resource_version.clone()),
            _ => None,
        })
        .expect("fetched");
    assert_eq!(asked, m.apps[&k("cart-prod")].resource_version);
    // The answer as the executor makes it: the diff of what it was asked for.
    let d = crate::drift::diff::diff_app(k("cart-prod"), asked, &[], super::tests::t0());
    let fx = answer(&mut m, d);
    assert!(drift_fetches(&fx).is_empty());
    assert!(m.drift.fetching.is_empty());
    // The same state again: fresh, nothing asked.
    let same = m.apps[&k("cart-prod")].clone();
    assert!(drift_fetches(&changed(&mut m, same)).is_empty());
}

/// What the executor answers when a drift read cannot even start (no client).
fn fail(m: &mut Model, effect: &Effect) -> Vec<Effect> {
    let msg = crate::exec::drift_read_failed(effect, "argocd", "client could not be built")
        .expect("a drift read");
    update(m, msg)
}

#[test]
fn failed_reads_free_their_slots_and_the_queue_drains() {
    let mut m = model();
    let apps: Vec<App> = (0..20)
        .map(|i| {
            app(
                &format!("a{i:02}-prod"),
                SyncStatus::OutOfSync,
                "aaa",
                "aaa",
            )
        })
        .collect();
    let mut fx = list(&mut m, apps);
    assert_eq!(m.drift.queued.len(), 12);
    // Every read fails: each failure frees its slot and starts a queued app, until none is left.
    let mut failed = 0;
    while let Some(e) = fx
        .iter()
        .find(|e| matches!(e, Effect::FetchDrift { .. }))
        .cloned()
    {
        fx.retain(|x| x != &e);
        fx.extend(fail(&mut m, &e));
        failed += 1;
        assert!(failed <= 20, "asked again after a failure");
    }
    assert_eq!(failed, 20);
    assert!(m.drift.fetching.is_empty());
    assert!(m.drift.queued.is_empty());
    let g = m.drift.group_of(&k("a00-prod")).unwrap();
    assert_eq!(g.cause, CauseKind::Unknown);
    assert_eq!(g.summary, "unknown: client could not be built — 20 apps");
    // A commit's metadata that could not be read is Failed, not Fetching forever.
    let fx = list(
        &mut m,
        vec![app("web-prod", SyncStatus::OutOfSync, "aaa", "bbb")],
    );
    let e = fx
        .iter()
        .find(|e| matches!(e, Effect::FetchRevisionMeta { .. }))
        .cloned()
        .expect("metadata asked");
    fail(&mut m, &e);
    assert!(matches!(
        m.drift
            .revisions
            .get(&(REPO.to_string(), "bbb".to_string())),
        Some(MetaState::Failed(_))
    ));
}

#[test]
fn an_app_deleted_or_reset_while_fetched_frees_its_slot_on_the_answer() {
    let mut m = model();
    let apps: Vec<App> = (0..9)
        .map(|i| app(&format!("a{i}-prod"), SyncStatus::OutOfSync, "aaa", "aaa"))
        .collect();
    list(&mut m, apps.clone());
    assert_eq!(m.drift.queued.len(), 1);
    // a0 deleted while its read is in flight: the request still is, so is its slot.
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Deleted,
                app: Box::new(apps[0].clone()),
            }),
        ),
    );
    assert!(!m.drift.apps.contains_key(&k("a0-prod")));
    // Its answer (gone: an error) frees the slot for the queued app.
    let fx = answer(
        &mut m,
        drift_of(&apps[0], vec![], Some("app a0-prod is gone")),
    );
    assert_eq!(drift_fetches(&fx), vec!["a8-prod"]);
    assert!(!m.drift.fetching.contains_key(&k("a0-prod")));
    assert!(!m.drift.apps.contains_key(&k("a0-prod")));
    // The source's list replaced without a1..a3: their answers free their slots too.
    list(&mut m, apps[4..].to_vec());
    for a in &apps[1..4] {
        answer(&mut m, drift_of(a, vec![], None));
    }
    assert_eq!(m.drift.fetching.len(), 5);
    assert!(
        m.drift
            .fetching
            .keys()
            .all(|key| m.drift.apps.contains_key(key))
    );
}
