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
