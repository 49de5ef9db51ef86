//! The Drift screen's keys and a group's staged sync, wave by wave: the Effects each step
//! sends (and does not send). The drift store is built by hand (the classifier and grouping
//! are tested where they live); apps arrive the way Argo CD reports them.

use super::tests::t0;
use super::tests_argo::{app, key, model, press, source};
use super::update;
use crate::drift::{
    AppDrift, Cause, CauseKind, ChangedPath, DiffLine, FieldWriter, LineKind, ResourceChange,
    ResourceDiff, RevisionMove,
};
use crate::effect::Effect;
use crate::model::Model;
use crate::model::app::{App, HealthStatus, Operation, OperationPhase, SyncStatus};
use crate::model::drift::{AppDriftEntry, DriftGroup};
use crate::model::drift_view::{self, DriftFocus};
use crate::model::ui::Screen;
use crate::msg::{ArgocdPayload, EffectOutcome, Msg, SourcePayload, WatchChange};
use chrono::Duration;
use crossterm::event::KeyCode;
use std::sync::Arc;

pub(super) const SHA: &str = "4f2a1c9e8b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a";
pub(super) const GROUP: &str = "git:https://github.com/acme/charts@4f2a1c9";

fn resource(name: &str, added: u32, removed: u32) -> ResourceDiff {
    let mut lines = vec![DiffLine {
        kind: LineKind::Hunk,
        text: "@@ -1,3 +1,3 @@".into(),
    }];
    lines.push(DiffLine {
        kind: LineKind::Context,
        text: "spec:".into(),
    });
    for i in 0..removed {
        lines.push(DiffLine {
            kind: LineKind::Removed,
            text: format!("  replicas: {i}"),
        });
    }
    for i in 0..added {
        lines.push(DiffLine {
            kind: LineKind::Added,
            text: format!("  replicas: {}", i + 10),
        });
    }
    let second = lines.len();
    lines.push(DiffLine {
        kind: LineKind::Hunk,
        text: "@@ -20,2 +20,2 @@".into(),
    });
    lines.push(DiffLine {
        kind: LineKind::Added,
        text: "  image: redis:7.2".into(),
    });
    ResourceDiff {
        group: "apps".into(),
        kind: "Deployment".into(),
        namespace: "shop".into(),
        name: name.into(),
        change: ResourceChange::Modified,
        lines,
        hunks: vec![0, second],
        added: added + 1,
        removed,
        paths: vec![ChangedPath {
            path: "spec.replicas".into(),
            writer: Some(FieldWriter {
                manager: "kubectl-scale".into(),
                operation: "Update".into(),
                subresource: "scale".into(),
                time: Some(t0() - Duration::minutes(9)),
            }),
        }],
        masked: false,
        note: None,
    }
}

/// `names` OutOfSync and Healthy, all in one `git` group; `(name, production, diff size)`.
pub(super) fn drift_model(apps: &[(&str, bool, u32)]) -> Model {
    let mut m = model();
    let list: Vec<App> = apps
        .iter()
        .map(|(n, _, _)| {
            app(
                n,
                HealthStatus::Healthy,
                SyncStatus::OutOfSync,
                false,
                vec![],
            )
        })
        .collect();
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps { apps: list }),
        ),
    );
    let revision = RevisionMove {
        repo: "https://github.com/acme/charts.git".into(),
        source_index: 0,
        chart: String::new(),
        from: "0765b95aa".into(),
        to: SHA.into(),
    };
    for (n, production, size) in apps {
        let k = key(n);
        m.drift.apps.insert(
            k.clone(),
            AppDriftEntry {
                cause: Cause {
                    kind: CauseKind::Git,
                    revision: Some(revision.clone()),
                    reason: None,
                },
                drift: Some(Arc::new(AppDrift {
                    key: k,
                    resource_version: "1".into(),
                    fetched_at: t0(),
                    resources: vec![resource(n, *size, 1)],
                    error: None,
                })),
                production: *production,
                group: GROUP.into(),
            },
        );
    }
    m.drift.groups = vec![DriftGroup {
        id: GROUP.into(),
        cause: CauseKind::Git,
        summary: format!(
            "git 4f2a1c9 \"bump shared redis chart\" by Alice 14m ago — {} apps",
            apps.len()
        ),
        apps: apps.iter().map(|(n, _, _)| key(n)).collect(),
        production: apps.iter().filter(|a| a.1).count(),
        revision: Some(revision),
        meta: None,
        changes: vec![],
        error: None,
        since: None,
    }];
    m.screen = Screen::Drift;
    drift_view::rebuild(&mut m);
    m
}

/// Enter on the group, its first app, and that app's resource: the diff is open.
pub(super) fn open_first_diff(m: &mut Model) {
    press(m, KeyCode::Enter); // group
    press(m, KeyCode::Down);
    press(m, KeyCode::Enter); // app
    press(m, KeyCode::Down);
    press(m, KeyCode::Enter); // resource
    assert!(m.drift_screen.opened.is_some());
    assert!(m.drift_screen.diffs_opened.contains(GROUP));
    // Back to the list, on the group.
    press(m, KeyCode::Tab);
    press(m, KeyCode::Char('g'));
}

pub(super) fn syncs(effects: &[Effect]) -> Vec<(u64, String, bool)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Sync {
                request_id,
                key,
                dry_run,
                ..
            } => Some((*request_id, key.name.clone(), *dry_run)),
            _ => None,
        })
        .collect()
}

pub(super) fn accepted(m: &mut Model, request_id: u64, name: &str, dry_run: bool) -> Vec<Effect> {
    update(
        m,
        Msg::Done(EffectOutcome::AppActionDone {
            request_id,
            source: "argocd".into(),
            key: key(name),
            dry_run,
            app: Box::new(None),
            autosync_before: None,
        }),
    )
}

pub(super) fn refused(m: &mut Model, request_id: u64, error: &str) -> Vec<Effect> {
    update(
        m,
        Msg::Done(EffectOutcome::MutationFailed {
            request_id,
            source: "argocd".into(),
            error: error.into(),
            autosync_before: None,
        }),
    )
}

/// Argo CD reports the app with an operation (a dry run or a real sync) in `phase`.
pub(super) fn reported(
    m: &mut Model,
    name: &str,
    dry_run: bool,
    phase: OperationPhase,
    sync: SyncStatus,
    health: HealthStatus,
    minute: i64,
) -> Vec<Effect> {
    let mut a = m.apps.get(&key(name)).cloned().expect("app");
    a.sync = sync;
    a.health = health;
    a.operation = Some(Operation {
        phase,
        message: if phase == OperationPhase::Failed {
            "one or more objects failed to apply".into()
        } else {
            String::new()
        },
        started_at: Some(t0() + Duration::minutes(minute)),
        finished_at: (!phase.is_running()).then(|| t0() + Duration::minutes(minute)),
        initiated_by: "alice".into(),
        automated: false,
        revision: SHA.into(),
        failed_resources: vec![],
        dry_run,
        results: vec![],
    });
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

/// Confirm the plan and pass every dry run: returns the canary's real sync effects.
pub(super) fn through_dry_runs(m: &mut Model) -> Vec<Effect> {
    let effects = press(m, KeyCode::Enter);
    let dry = syncs(&effects);
    assert!(dry.iter().all(|(_, _, d)| *d), "only dry runs first");
    let mut last = Vec::new();
    for (id, name, _) in &dry {
        assert!(syncs(&accepted(m, *id, name, true)).is_empty());
    }
    for (_, name, _) in &dry {
        last = reported(
            m,
            name,
            true,
            OperationPhase::Succeeded,
            SyncStatus::OutOfSync,
            HealthStatus::Healthy,
            1,
        );
    }
    last
}

pub(super) fn four_apps() -> Model {
    // The canary: not production, then the smallest diff: b-dev.
    drift_model(&[
        ("a-dev", false, 5),
        ("b-dev", false, 1),
        ("c-dev", false, 3),
        ("d-dev", false, 4),
    ])
}

#[test]
fn the_tree_opens_group_app_resource_and_the_diff_pane_scrolls_by_hunk() {
    let mut m = four_apps();
    assert_eq!(m.drift_screen.rows.len(), 1);
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.drift_screen.rows.len(), 5, "group + 4 apps");
    press(&mut m, KeyCode::Down);
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.drift_screen.rows.len(), 6, "the app's resource");
    press(&mut m, KeyCode::Down);
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.drift_screen.focus, DriftFocus::Diff);
    let hunks = drift_view::hunk_starts(m.drift_screen.document());
    assert_eq!(hunks.len(), 2);
    press(&mut m, KeyCode::Char(']'));
    assert_eq!(m.drift_screen.diff_top.selected, hunks[0]);
    press(&mut m, KeyCode::Char(']'));
    assert_eq!(m.drift_screen.diff_top.selected, hunks[1]);
    press(&mut m, KeyCode::Char('['));
    assert_eq!(m.drift_screen.diff_top.selected, hunks[0]);
    press(&mut m, KeyCode::Right);
    assert_eq!(m.drift_screen.diff_left, 8);
    // y in the diff pane copies the diff as unified text.
    let effects = press(&mut m, KeyCode::Char('y'));
    let Some(Effect::Copy(text)) = effects.first() else {
        panic!("{effects:?}")
    };
    assert!(text.contains("+  image: redis:7.2"), "{text}");
    // Esc: out of the diff pane, then the diff closes.
    press(&mut m, KeyCode::Esc);
    assert_eq!(m.drift_screen.focus, DriftFocus::List);
    press(&mut m, KeyCode::Esc);
    assert!(m.drift_screen.opened.is_none());
    assert_eq!(m.screen, Screen::Drift);
}

#[test]
fn filter_finds_apps_by_name_kind_and_manager() {
    let mut m = four_apps();
    super::keys::set_filter(&mut m, Screen::Drift, "c-dev".into());
    assert_eq!(m.drift_screen.rows.len(), 2, "{:?}", m.drift_screen.rows);
    super::keys::set_filter(&mut m, Screen::Drift, "kubectl-scale".into());
    assert_eq!(m.drift_screen.rows.len(), 5);
    super::keys::set_filter(&mut m, Screen::Drift, "StatefulSet-nothing".into());
    assert!(m.drift_screen.rows.is_empty());
}

#[test]
fn y_on_a_git_group_copies_the_sha_then_git_revert() {
    let mut m = four_apps();
    let first = press(&mut m, KeyCode::Char('y'));
    assert_eq!(first, vec![Effect::Copy(SHA.into())]);
    let second = press(&mut m, KeyCode::Char('y'));
    assert_eq!(second, vec![Effect::Copy(format!("git revert {SHA}"))]);
}

#[test]
fn o_opens_the_commit_on_github_and_says_why_not_elsewhere() {
    let mut m = four_apps();
    let effects = press(&mut m, KeyCode::Char('o'));
    assert_eq!(
        effects,
        vec![Effect::OpenUrl(format!(
            "https://github.com/acme/charts/commit/{SHA}"
        ))]
    );
    assert!(super::drift_screen::commit_url("git@github.com:acme/charts.git", SHA).is_err());
    assert!(super::drift_screen::commit_url("https://git.example/x", SHA).is_err());
    assert!(super::drift_screen::commit_url("https://github.com/a/b", "4f2a;rm").is_err());
}

#[test]
fn deploy_diff_asks_for_the_revision_before_and_shows_the_answer() {
    use super::tests_argo::entry;
    let mut m = model();
    let a = app(
        "checkout-prod",
        HealthStatus::Healthy,
        SyncStatus::Synced,
        false,
        vec![
            entry(7, "0765b95", 60, "ci-bot"),
            entry(8, "74dd23a", 6, "ci-bot"),
        ],
    );
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps { apps: vec![a] }),
        ),
    );
    m.screen = Screen::Deploys;
    m.rebuild_view(Screen::Deploys);
    let i = m
        .deploys_view
        .iter()
        .position(|d| d.revision == "74dd23a")
        .expect("deploy listed");
    m.deploys_cursor.selected = i;
    let effects = press(&mut m, KeyCode::Char('d'));
    let Some(Effect::FetchDeployDiff {
        request_id,
        from,
        to,
        ..
    }) = effects.first().cloned()
    else {
        panic!("{effects:?}")
    };
    assert_eq!((from, to), (vec!["0765b95".into()], vec!["74dd23a".into()]));
    assert_eq!(m.screen, Screen::Drift);
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::DeployDiff {
                request_id,
                key: key("checkout-prod"),
                from: vec![],
                to: vec![],
                diff: Ok(vec![resource("checkout", 1, 1)]),
            }),
        ),
    );
    assert_eq!(drift_view::hunk_starts(m.drift_screen.document()).len(), 2);
    press(&mut m, KeyCode::Esc);
    assert_eq!(
        m.screen,
        Screen::Deploys,
        "Esc goes back where d was pressed"
    );
}

#[test]
fn deploy_diff_from_an_apps_history_and_not_elsewhere() {
    use super::tests_argo::entry;
    let mut m = model();
    let a = app(
        "checkout-prod",
        HealthStatus::Healthy,
        SyncStatus::Synced,
        false,
        vec![
            entry(6, "5d1e2f3", 600, "ci-bot"),
            entry(7, "0765b95", 60, "ci-bot"),
            entry(8, "74dd23a", 6, "ci-bot"),
        ],
    );
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps { apps: vec![a] }),
        ),
    );
    // Nothing to compare from the triage screen: it says where to go.
    assert!(press(&mut m, KeyCode::Char('d')).is_empty());
    assert!(m.flash.as_ref().unwrap().text.contains("Deploys screen"));
    m.screen = Screen::Apps;
    m.app_open = Some(key("checkout-prod"));
    m.app_pane = crate::model::app_view::AppPane::History;
    m.app_pane_cursor.selected = 1; // newest first: 0765b95
    let effects = press(&mut m, KeyCode::Char('d'));
    let Some(Effect::FetchDeployDiff { from, to, .. }) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    assert_eq!((from, to), (vec!["5d1e2f3".into()], vec!["0765b95".into()]));
    press(&mut m, KeyCode::Esc);
    assert_eq!(m.screen, Screen::Apps);
}

#[test]
fn the_document_counts_preambles_so_hunks_land_on_their_headers() {
    let mut r = resource("web", 2, 1);
    r.note = Some("live state is not valid JSON".into());
    r.masked = true;
    r.paths = (0..20)
        .map(|i| ChangedPath {
            path: format!("data.k{i}"),
            writer: None,
        })
        .collect();
    let doc = vec![r.clone(), r];
    let len = drift_view::doc_len(&doc);
    for h in drift_view::hunk_starts(&doc) {
        let line = drift_view::doc_lines(&doc, h, 1);
        assert!(
            matches!(line.as_slice(), [drift_view::DocLine::Diff(d)] if d.kind == LineKind::Hunk),
            "{h}: {line:?}"
        );
    }
    assert_eq!(drift_view::hunk_starts(&doc).len(), 4);
    assert_eq!(drift_view::doc_lines(&doc, 0, len + 10).len(), len);
    assert!(drift_view::doc_lines(&doc, len, 5).is_empty());
    // Out-of-range hunk indexes from a server are skipped, not followed.
    let mut bad = resource("x", 1, 1);
    bad.hunks = vec![0, 999];
    assert_eq!(drift_view::hunk_starts(&[bad]).len(), 1);
}
