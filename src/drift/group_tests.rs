use super::*;
use crate::drift::RevisionMove;

fn group(id: &str, cause: CauseKind, apps: usize, production: usize) -> DriftGroup {
    DriftGroup {
        id: id.into(),
        cause,
        summary: String::new(),
        apps: (0..apps)
            .map(|i| crate::drift::cause::fixtures::key(&format!("a{i}")))
            .collect(),
        production,
        revision: None,
        meta: None,
        changes: Vec::new(),
        error: None,
        since: None,
    }
}

fn change(kind: &str, path: &str, manager: &str) -> GroupChange {
    GroupChange {
        group: "apps".into(),
        kind: kind.into(),
        namespace: "shop".into(),
        name: "x".into(),
        path: path.into(),
        writer: Some(crate::drift::FieldWriter {
            manager: manager.into(),
            operation: "Update".into(),
            subresource: String::new(),
            time: Some(crate::drift::cause::fixtures::t0()),
        }),
    }
}

#[test]
fn repositories_are_named_by_owner_and_name() {
    assert_eq!(
        repo_short("https://github.com/example-org/platform-charts.git"),
        "example-org/platform-charts"
    );
    assert_eq!(
        repo_short("git@github.com:example-org/platform-charts"),
        "example-org/platform-charts"
    );
    assert_eq!(
        repo_short("https://charts.example.com/"),
        "charts.example.com"
    );
}

#[test]
fn production_first_then_size_then_id() {
    let mut gs = vec![
        group("b", CauseKind::Git, 9, 0),
        group("a", CauseKind::Live, 2, 1),
        group("c", CauseKind::Git, 9, 0),
        group("d", CauseKind::Chart, 3, 3),
    ];
    rank(&mut gs);
    let ids: Vec<&str> = gs.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["d", "a", "b", "c"]);
}

#[test]
fn summaries_read_like_findings() {
    let now = crate::drift::cause::fixtures::t0() + chrono::Duration::minutes(9);
    let mut g = group("live|x", CauseKind::Live, 3, 0);
    g.changes = vec![
        change("Deployment", "spec.replicas", "kubectl-scale"),
        change("Deployment", "spec.replicas", "kubectl-scale"),
        change("ConfigMap", "data.timeout", "kubectl-edit"),
        change("Service", "spec.ports[name=http].port", "kubectl-edit"),
    ];
    assert_eq!(
        summary(&g, None, now),
        "live Deployment spec.replicas by kubectl-scale 9m ago +2 more — 3 apps"
    );
    assert_eq!(
        short_cause(&g),
        "live Deployment spec.replicas by kubectl-scale"
    );

    let mut c = group("chart|r|redis|18.1.0", CauseKind::Chart, 4, 0);
    c.revision = Some(RevisionMove {
        repo: "https://charts.bitnami.com/bitnami".into(),
        source_index: 0,
        chart: "redis".into(),
        from: "17.3.1".into(),
        to: "18.1.0".into(),
    });
    assert_eq!(
        summary(&c, None, now),
        "chart redis 17.3.1 → 18.1.0 — 4 apps"
    );

    let mut u = group("unknown|boom", CauseKind::Unknown, 2, 0);
    u.error = Some("ComparisonError: \u{1b}[31mboom".into());
    assert_eq!(
        summary(&u, None, now),
        "unknown: ComparisonError: boom — 2 apps"
    );

    let p = group(LIVE_PENDING, CauseKind::Live, 1, 0);
    assert_eq!(summary(&p, None, now), "live, diff not fetched yet — 1 app");
}

#[test]
fn a_hostile_commit_subject_is_cleaned_and_cut() {
    let now = crate::drift::cause::fixtures::t0();
    let mut g = group("git|r|4f2a1c9", CauseKind::Git, 1, 0);
    g.revision = Some(RevisionMove {
        repo: "https://github.com/o/r".into(),
        source_index: 0,
        chart: String::new(),
        from: "a".repeat(40),
        to: "4f2a1c9".repeat(6),
    });
    g.meta = Some(std::sync::Arc::new(crate::drift::RevisionMeta {
        author: "Mallory\u{7} <m@x>".into(),
        date: None,
        message: format!("\u{1b}]0;pwned\u{7}{}", "x".repeat(5000)),
        tags: vec![],
    }));
    let s = summary(&g, None, now);
    assert!(!s.chars().any(|c| c.is_control()), "{s:?}");
    assert!(s.chars().count() < 120, "{s}");
    assert!(s.starts_with("git 4f2a1c9 \""), "{s}");
}

mod ids {
    use super::super::group_key;
    use crate::drift::cause::classify;
    use crate::drift::cause::fixtures::{app, fingerprint, git_source, modified, resource};
    use crate::drift::{CauseKind, ResourceChange};
    use crate::model::app::{App, SyncStatus};

    const REPO: &str = "https://github.com/example-org/platform-charts";

    /// An app deployed with `values` as its Helm values, now compared with `now_values`.
    fn values_changed(name: &str, values: &str, now_values: &str) -> App {
        let then = git_source(REPO, "redis", "main");
        let mut a = app(name, SyncStatus::OutOfSync, then.clone(), "aaa", "aaa");
        let mut now = then.clone();
        now.fingerprint = fingerprint(&now, now_values);
        if let Some(h) = a.history.last_mut() {
            h.sources[0].fingerprint = fingerprint(&then, values);
        }
        a.compared_to = vec![now.clone()];
        a.sources = vec![now];
        a
    }

    fn id(a: &App) -> String {
        let c = classify(a, None);
        group_key(&c, a, None)
    }

    #[test]
    fn app_spec_ids_tell_different_new_specs_apart() {
        let a = values_changed("cart-prod", "replicas: 1", "replicas: 2");
        let b = values_changed("shop-prod", "replicas: 1", "image: evil");
        let c = values_changed("web-prod", "replicas: 1", "replicas: 2");
        assert_eq!(classify(&a, None).kind, CauseKind::AppSpec);
        // Same repository, same "helm values" reason: once, one group.
        assert_eq!(classify(&a, None).reason, classify(&b, None).reason);
        assert_ne!(id(&a), id(&b));
        assert_eq!(id(&a), id(&c));
        assert!(id(&a).starts_with("app_spec|"));
    }

    fn pruning(name: &str, configmaps: &[&str]) -> App {
        let mut a = app(
            name,
            SyncStatus::OutOfSync,
            git_source(REPO, name, "main"),
            "aaa",
            "aaa",
        );
        a.resources = configmaps
            .iter()
            .map(|n| {
                let mut r = resource("ConfigMap", n, SyncStatus::OutOfSync, None);
                r.requires_pruning = true;
                r
            })
            .collect();
        a
    }

    #[test]
    fn prune_and_missing_ids_name_the_resources_not_only_kinds() {
        let a = pruning("cart-prod", &["cart-flags"]);
        let b = pruning("shop-prod", &["shop-secrets-backup"]);
        let c = pruning("cart-staging", &["cart-flags"]);
        assert_eq!(classify(&a, None).kind, CauseKind::Prune);
        assert_ne!(id(&a), id(&b));
        assert_eq!(id(&a), id(&c));
        // Order does not matter; a second resource does.
        let d = pruning("x", &["b", "a"]);
        let e = pruning("y", &["a", "b"]);
        let f = pruning("z", &["a"]);
        assert_eq!(id(&d), id(&e));
        assert_ne!(id(&d), id(&f));

        // Missing, from the diff: the names count there too.
        let mut g = pruning("g", &[]);
        let mut h = pruning("h", &[]);
        g.resources.clear();
        h.resources.clear();
        let mut gone = modified("Deployment", "cart", &[], None);
        gone.change = ResourceChange::Missing;
        let dg = crate::drift::cause::fixtures::drift_of(&g, vec![gone.clone()], None);
        gone.name = "shop".into();
        let dh = crate::drift::cause::fixtures::drift_of(&h, vec![gone], None);
        let (cg, ch) = (classify(&g, Some(&dg)), classify(&h, Some(&dh)));
        assert_eq!(cg.kind, CauseKind::Missing);
        assert_ne!(group_key(&cg, &g, Some(&dg)), group_key(&ch, &h, Some(&dh)));
    }

    #[test]
    fn live_ids_are_short_stable_hashes_however_many_paths() {
        let a = app(
            "cart-prod",
            SyncStatus::OutOfSync,
            git_source(REPO, "cart", "main"),
            "aaa",
            "aaa",
        );
        let paths: Vec<String> = (0..2_000)
            .map(|i| format!("data.key{i}{}", "x".repeat(200)))
            .collect();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let mut reversed = refs.clone();
        reversed.reverse();
        let many = modified("ConfigMap", "cart", &refs, Some("kubectl-edit"));
        let same = modified("ConfigMap", "other", &reversed, Some("kubectl-edit"));
        let d1 = crate::drift::cause::fixtures::drift_of(&a, vec![many], None);
        let d2 = crate::drift::cause::fixtures::drift_of(&a, vec![same], None);
        let c = classify(&a, Some(&d1));
        assert_eq!(c.kind, CauseKind::Live);
        let id1 = group_key(&c, &a, Some(&d1));
        assert_eq!(id1.len(), "live|".len() + 16, "{id1}");
        assert!(
            id1["live|".len()..]
                .chars()
                .all(|ch| ch.is_ascii_hexdigit())
        );
        // The same (kind, path, manager) set in another order: the same id.
        assert_eq!(id1, group_key(&c, &a, Some(&d2)));
        // Another manager: another id.
        let other = modified("ConfigMap", "cart", &refs, Some("helm"));
        let d3 = crate::drift::cause::fixtures::drift_of(&a, vec![other], None);
        assert_ne!(id1, group_key(&c, &a, Some(&d3)));
    }
}
