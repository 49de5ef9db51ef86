use super::*;
use crate::catalog::decode::MAX_DESCRIPTION_CHARS;
use crate::catalog::entity::{EntityKind, Spec};
use std::time::{Duration, Instant};

fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
}

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  owner: team-a\n"
    )
}

/// A component with more lines under `metadata` (each indented by two spaces).
fn component_with(name: &str, metadata: &str) -> String {
    component(name).replace("spec:\n", &format!("{metadata}spec:\n"))
}

fn location(targets: &[&str]) -> String {
    let mut text = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: more\nspec:\n  type: file\n  targets:\n".to_string();
    for t in targets {
        text.push_str(&format!("    - {t}\n"));
    }
    text
}

fn refs(c: &LocalCatalog) -> Vec<String> {
    c.entities
        .iter()
        .map(|e| e.entity_ref().to_string())
        .collect()
}

fn shown(c: &LocalCatalog) -> Vec<String> {
    c.problems.iter().map(ToString::to_string).collect()
}

fn load_all(path: &Path) -> LocalCatalog {
    load(path, &LocalLimits::default())
}

/// Billion laughs: nine levels, each ten references to the one before (10^9 strings).
fn laughs() -> String {
    let mut text = "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n".to_string();
    for level in 1..=9 {
        let refs = vec![format!("*l{}", level - 1); 10].join(", ");
        text.push_str(&format!("  l{level}: &l{level} [{refs}]\n"));
    }
    text
}

#[test]
fn multi_document_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "---\n{}---\n# empty\n---\n{}...\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {{name: alice}}\nspec: {{memberOf: [team-a]}}\n",
        component("a"),
        component("b")
    );
    let file = write(dir.path(), "catalog-info.yaml", text);
    let c = load_all(&file);
    assert_eq!(
        refs(&c),
        [
            "component:default/a",
            "component:default/b",
            "user:default/alice"
        ]
    );
    assert!(c.problems.is_empty(), "{:?}", shown(&c));
    assert_eq!(c.files_read, 1);
}

#[test]
fn directory_search_skips_hidden_dependencies_and_other_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "z/catalog-info.yaml", component("z"));
    write(d, "a/b/c/api.catalog-info.yml", component("nested"));
    write(d, "catalog-info.yml", component("top"));
    write(d, ".git/catalog-info.yaml", component("git"));
    write(
        d,
        ".github/workflows/ci.yml",
        "on: [push]\njobs: {build: {runs-on: x}}\n",
    );
    write(d, "node_modules/pkg/catalog-info.yaml", component("dep"));
    write(d, "target/catalog-info.yaml", component("built"));
    // Kubernetes manifest with a Backstage label, a Helm template, a broken CI file: not
    // catalog files, nothing reported.
    write(
        d,
        "deploy/app.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    backstage.io/kubernetes-id: web\n",
    );
    write(
        d,
        "deploy/templates/svc.yaml",
        "metadata:\n  labels:\n    backstage.io/kubernetes-id: {{ .Release.Name }}\n  x: [\n",
    );
    write(d, "ci.yml", "steps: [unclosed\n");
    // Any YAML declaring a Backstage entity counts; its other documents are skipped quietly.
    write(
        d,
        "all.yaml",
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm}}\n---\n{}",
            component("from-all")
        ),
    );
    let c = load_all(d);
    assert_eq!(
        refs(&c),
        [
            "component:default/nested",
            "component:default/from-all",
            "component:default/top",
            "component:default/z",
        ]
    );
    assert!(c.problems.is_empty(), "{:?}", shown(&c));
    assert_eq!(c.files_read, 4);

    // The same directory again: same order (sorted, not directory order).
    assert_eq!(refs(&load_all(d)), refs(&c));
}

#[test]
fn broken_documents_are_reported_with_file_and_line_and_the_rest_loads() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  title: no name\n---\n{}---\nkind: Group\nmetadata: {{name: [unclosed\n---\n- a list\n---\n{}",
        component("first"),
        component("second"),
        component("third")
    );
    let file = write(dir.path(), "catalog-info.yaml", text);
    let c = load_all(&file);
    assert_eq!(
        refs(&c),
        [
            "component:default/first",
            "component:default/second",
            "component:default/third"
        ]
    );
    let f = file.display();
    let problems = shown(&c);
    assert_eq!(
        problems,
        [
            format!("{f}:8: no metadata.name"),
            format!(
                "{f}:21: did not find expected ',' or ']', while parsing a flow sequence at line 21"
            ),
            format!("{f}:23: not a mapping"),
        ]
    );
    assert_eq!(c.problems[0].line, Some(8));
}

#[test]
fn problem_display() {
    let p = Problem::new(
        Path::new("a/catalog-info.yaml"),
        Some(12),
        "no metadata.name",
    );
    assert_eq!(p.to_string(), "a/catalog-info.yaml:12: no metadata.name");
    let p = Problem::new(Path::new("a\u{1b}[2Jb"), None, "bad\u{7}\nthing");
    assert_eq!(p.to_string(), "ab: bad thing");
}

#[test]
fn unknown_kinds_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for kind in ["API", "Resource", "Domain", "Template", "SomethingNew"] {
        text.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata: {{name: x}}\nspec: {{}}\n"
        ));
    }
    text.push_str(&format!("---\n{}", component("kept")));
    let c = load_all(&write(dir.path(), "catalog-info.yaml", text));
    assert_eq!(refs(&c), ["component:default/kept"]);
    assert!(c.problems.is_empty(), "{:?}", shown(&c));
}

#[test]
fn locations_relative_glob_cycle_url_and_missing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let root = write(
        d,
        "catalog-info.yaml",
        format!(
            "{}---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {{name: remote}}\nspec:\n  target: https://github.com/acme/x/blob/main/catalog-info.yaml\n---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {{name: typed}}\nspec: {{type: url, target: 'https://example.com/c.yaml'}}\n",
            location(&[
                "./org/teams.yaml",
                "./services/*/catalog-info.yaml",
                "./missing.yaml",
                "./nothing/*.yaml",
            ])
        ),
    );
    write(
        d,
        "org/teams.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team}\n",
    );
    // b points back at the root: a cycle, read once, nothing reported.
    write(
        d,
        "services/b/catalog-info.yaml",
        format!(
            "{}---\n{}",
            component("b"),
            location(&["../../catalog-info.yaml"])
        ),
    );
    write(d, "services/a/catalog-info.yaml", component("a"));
    write(d, "services/.hidden/catalog-info.yaml", component("hidden"));
    let c = load_all(&root);
    assert_eq!(
        refs(&c),
        [
            "group:default/team-a",
            "component:default/a",
            "component:default/b"
        ]
    );
    let r = root.display();
    let problems = shown(&c);
    assert_eq!(
        problems,
        [
            format!(
                "{r}:10: target {}: cannot read: No such file or directory (os error 2)",
                d.join("missing.yaml").display()
            ),
            format!("{r}:11: target ./nothing/*.yaml matches no file"),
            format!("{r}:17: https://github.com/acme/x/blob/main/catalog-info.yaml: {URL_TARGETS}"),
            format!("{r}:22: https://example.com/c.yaml: {URL_TARGETS}"),
        ]
    );
    assert_eq!(c.files_read, 4);

    // `**` reaches any depth; the file holding the Location is matched too and not read twice.
    let any = write(d, "any.yaml", location(&["./**/catalog-info.yaml"]));
    let c = load_all(&any);
    assert!(refs(&c).contains(&"component:default/a".to_string()));
    assert!(!refs(&c).contains(&"component:default/hidden".to_string()));
    assert_eq!(
        c.problems.len(),
        4,
        "the root's own problems only: {:?}",
        shown(&c)
    );
}

#[test]
fn location_chains_stop_at_max_depth() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 0..5 {
        write(
            d,
            &format!("c{i}.yaml"),
            format!(
                "{}---\n{}",
                component(&format!("c{i}")),
                location(&[&format!("c{}.yaml", i + 1)])
            ),
        );
    }
    let limits = LocalLimits {
        max_depth: 2,
        ..LocalLimits::default()
    };
    let c = load(&d.join("c0.yaml"), &limits);
    assert_eq!(
        refs(&c),
        [
            "component:default/c0",
            "component:default/c1",
            "component:default/c2"
        ]
    );
    assert_eq!(
        shown(&c),
        [format!(
            "{}:15: Locations chained more than 2 deep (max_depth): c3.yaml not read",
            d.join("c2.yaml").display()
        )]
    );
}

#[test]
fn max_files_bounds_what_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let names: Vec<String> = (0..5).map(|i| format!("s{i}.yaml")).collect();
    for n in &names {
        write(d, n, component(n.trim_end_matches(".yaml")));
    }
    let targets: Vec<&str> = names.iter().map(String::as_str).collect();
    let root = write(d, "catalog-info.yaml", location(&targets));
    let limits = LocalLimits {
        max_files: 3,
        ..LocalLimits::default()
    };
    let c = load(&root, &limits);
    assert_eq!(c.files_read, 3);
    assert_eq!(refs(&c), ["component:default/s0", "component:default/s1"]);
    assert_eq!(
        shown(&c),
        [format!(
            "{}: more than 3 catalog files (max_files): this one and the rest are not read",
            d.join("s2.yaml").display()
        )]
    );
}

#[test]
fn max_documents_bounds_what_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let text = ["a", "b", "c", "d"].map(component).join("---\n");
    let limits = LocalLimits {
        max_documents: 2,
        ..LocalLimits::default()
    };
    let c = load(&write(dir.path(), "catalog-info.yaml", text), &limits);
    assert_eq!(refs(&c), ["component:default/a", "component:default/b"]);
    assert_eq!(c.problems.len(), 1);
    assert_eq!(c.problems[0].line, Some(15));
}

#[test]
fn billion_laughs_fail_fast() {
    let dir = tempfile::tempdir().unwrap();
    let lol = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: lol\n{}spec: {{}}\n",
        laughs()
    );
    let text = format!(
        "{}---\n{lol}---\n{}",
        component("before"),
        component("after")
    );
    let file = write(dir.path(), "catalog-info.yaml", text);
    let start = Instant::now();
    let c = load_all(&file);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        refs(&c),
        ["component:default/before", "component:default/after"]
    );
    assert_eq!(c.problems.len(), 1, "{:?}", shown(&c));
    // Somewhere in the document (where expansion ran out).
    assert!(
        (8..=21).contains(&c.problems[0].line.unwrap()),
        "{:?}",
        shown(&c)
    );

    // serde_yaml_ng allows 100 alias jumps per event of the document, so padding raises its
    // limit (without the budget this one grows to gigabytes); the budget still stops it.
    let pad = format!("  pad: [{}0]\n", "0,".repeat(150_000));
    let text = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: lol\n{pad}{}",
        laughs()
    );
    let file = write(dir.path(), "padded.catalog-info.yaml", text);
    let start = Instant::now();
    let c = load_all(&file);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(c.entities.is_empty());
    assert!(
        c.problems[0].message.contains(value::EXPANDS),
        "{:?}",
        shown(&c)
    );
}

#[test]
fn deep_nesting_fails_fast() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let start = Instant::now();
    let head = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: deep\n  x: ";
    // Flow nesting: refused before libyaml sees it (it is quadratic on `{a: {a: …`).
    for filler in ["[", "{a: ", "{a: \"}\", b: "] {
        let text = format!("{head}{}\n---\n{}", filler.repeat(50_000), component("ok"));
        let c = load_all(&write(d, "flow/catalog-info.yaml", text));
        assert_eq!(refs(&c), ["component:default/ok"]);
        assert_eq!(c.problems.len(), 1);
        assert_eq!(c.problems[0].line, Some(5));
        assert!(c.problems[0].message.contains("nested more than"));
    }
    // Block nesting: serde_yaml_ng's recursion limit (128).
    let mut text = head.trim_end_matches(" x: ").to_string();
    text.push('\n');
    for i in 0..300 {
        text.push_str(&format!("{}k{i}:\n", " ".repeat(2 + i)));
    }
    let c = load_all(&write(d, "block/catalog-info.yaml", text));
    assert!(c.entities.is_empty());
    assert!(
        c.problems[0].message.contains("recursion limit"),
        "{:?}",
        shown(&c)
    );
    // A line of block sequences nests too.
    let text = format!("{head}\n  {}x\n", "- ".repeat(400_000));
    let c = load_all(&write(d, "dashes/catalog-info.yaml", text));
    assert!(c.entities.is_empty());
    assert!(
        c.problems[0].message.contains("recursion limit"),
        "{:?}",
        shown(&c)
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn files_over_max_file_bytes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let big = component_with("big", &format!("  description: {}\n", "x".repeat(5 << 20)));
    let file = write(d, "catalog-info.yaml", &big);
    let c = load_all(&file);
    assert!(c.entities.is_empty());
    assert_eq!(c.files_read, 0);
    assert_eq!(
        shown(&c),
        [format!(
            "{}: {} bytes, more than 4194304 (max_file_bytes): not read",
            file.display(),
            big.len()
        )]
    );
    // Another big YAML file is reported only if it declares a Backstage entity.
    fs::remove_file(&file).unwrap();
    write(
        d,
        "k8s.yaml",
        format!("kind: List\nitems: [{}]\n", "1,".repeat(3 << 20)),
    );
    write(d, "entities.yaml", &big);
    let c = load_all(d);
    assert_eq!(c.problems.len(), 1, "{:?}", shown(&c));
    assert_eq!(c.problems[0].file, d.join("entities.yaml"));
}

#[test]
fn documents_over_a_mebibyte_are_refused_and_the_others_load() {
    let dir = tempfile::tempdir().unwrap();
    let big = component_with("big", &format!("  description: {}\n", "x".repeat(1 << 20)));
    let text = format!("{big}---\n{}", component("small"));
    let file = write(dir.path(), "catalog-info.yaml", text);
    let c = load_all(&file);
    assert_eq!(refs(&c), ["component:default/small"]);
    assert_eq!(
        shown(&c),
        [format!(
            "{}:1: document of {} bytes, more than 1048576: not read",
            file.display(),
            big.len()
        )]
    );
}

#[test]
fn invalid_utf8_is_read_lossily() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = component("bytes").into_bytes();
    let at = bytes.len() - "spec:\n  owner: team-a\n".len();
    bytes.splice(
        at..at,
        b"  description: caf\xe9 \xff\xfe ok\n".iter().copied(),
    );
    let c = load_all(&write(dir.path(), "catalog-info.yaml", bytes));
    assert!(c.problems.is_empty(), "{:?}", shown(&c));
    assert_eq!(
        c.entities[0].meta.description.as_deref(),
        Some("caf\u{fffd} \u{fffd}\u{fffd} ok")
    );
}

#[test]
fn duplicates_keep_the_first_and_name_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = write(d, "a/catalog-info.yaml", component("same"));
    let second = write(
        d,
        "b/catalog-info.yaml",
        format!(
            "{}---\n{}",
            component("other"),
            component("Same").replace("team-a", "team-b")
        ),
    );
    let c = load_all(d);
    assert_eq!(
        refs(&c),
        ["component:default/same", "component:default/other"]
    );
    assert_eq!(
        c.entities[0].owner().unwrap().to_string(),
        "group:default/team-a"
    );
    assert_eq!(
        shown(&c),
        [format!(
            "{}:8: duplicate component:default/same: already read from {}:1; the first is kept",
            second.display(),
            first.display()
        )]
    );
}

#[test]
fn hostile_text_comes_out_cleaned_and_capped() {
    let dir = tempfile::tempdir().unwrap();
    // YAML escapes produce the control characters; decode must remove them.
    let text = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: \"x\\e[2Jy\"\n  title: \"t\\u202Eevil\"\n  description: \"\\e]52;c;QUFBQQ==\\a\\e[31m{}\"\n  annotations:\n    argocd/app-name: \"app\\r\\n\\e[1A\"\nspec: {{}}\n---\n{}",
        "d".repeat(200_000),
        // A raw ESC byte: libyaml refuses control characters in the text.
        component("raw\u{1b}[2J"),
    );
    let file = write(dir.path(), "catalog-info.yaml", text);
    let c = load_all(&file);
    assert_eq!(c.entities.len(), 1);
    let e = &c.entities[0];
    assert_eq!(e.meta.name, "xy");
    assert_eq!(e.meta.title.as_deref(), Some("tevil"));
    assert_eq!(e.annotation("argocd/app-name"), Some("app"));
    let d = e.meta.description.as_deref().unwrap();
    assert!(d.starts_with("ddd"), "{:?}", &d[..20]);
    assert!(d.chars().count() <= MAX_DESCRIPTION_CHARS + 10);
    assert!(d.ends_with("…[cut]"));
    assert!(!d.chars().any(char::is_control));
    assert_eq!(c.problems.len(), 1, "{:?}", shown(&c));
    assert_eq!(
        shown(&c),
        [format!(
            "{}:14: control characters are not allowed",
            file.display()
        )]
    );
    assert!(!c.problems[0].to_string().chars().any(char::is_control));
}

#[test]
fn paths_that_cannot_be_read_are_problems() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = d.join("nope");
    let c = load_all(&missing);
    assert_eq!(
        shown(&c),
        [format!(
            "{}: cannot read: No such file or directory (os error 2)",
            missing.display()
        )]
    );
    // A FIFO named like a catalog file would block a reader forever.
    let fifo = d.join("fifo/catalog-info.yaml");
    fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let c = load_all(&fifo);
        assert_eq!(
            shown(&c),
            [format!(
                "{}: cannot read: not a regular file",
                fifo.display()
            )]
        );
        let c = load_all(fifo.parent().unwrap());
        assert_eq!(c.problems.len(), 1);
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_end_and_files_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "repo/svc/catalog-info.yaml", component("svc"));
    std::os::unix::fs::symlink(d.join("repo"), d.join("repo/svc/loop")).unwrap();
    std::os::unix::fs::symlink(
        d.join("repo/svc/catalog-info.yaml"),
        d.join("repo/link.catalog-info.yaml"),
    )
    .unwrap();
    let c = load_all(&d.join("repo"));
    assert_eq!(refs(&c), ["component:default/svc"]);
    assert!(c.problems.is_empty(), "{:?}", shown(&c));
    assert_eq!(c.files_read, 1);
}

#[test]
fn realistic_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/catalog/realistic/catalog-info.yaml");
    let c = load_all(&path);
    assert!(c.problems.is_empty(), "{:?}", shown(&c));
    assert_eq!(
        refs(&c),
        [
            "component:default/checkout",
            "group:default/team-payments",
            "user:default/alice",
            "system:shop/storefront"
        ]
    );
    let checkout = &c.entities[0];
    assert_eq!(
        checkout.annotation("argocd/app-name"),
        Some("checkout-prod")
    );
    assert_eq!(
        checkout.annotation("backstage.io/kubernetes-id"),
        Some("checkout")
    );
    assert_eq!(
        checkout.annotation("pagerduty.com/service-id"),
        Some("PX1CHK7")
    );
    assert_eq!(checkout.meta.title.as_deref(), Some("Checkout"));
    assert_eq!(
        checkout.meta.description.as_deref(),
        Some(
            "Takes the basket to a paid order.\nPages payments-oncall when the error budget burns.\n"
        )
    );
    assert_eq!(
        checkout.meta.labels.get("tier").map(String::as_str),
        Some("1")
    );
    assert_eq!(checkout.meta.tags, ["java", "payments"]);
    let links: Vec<(&str, Option<&str>)> = checkout
        .meta
        .links
        .iter()
        .map(|l| (l.url.as_str(), l.purpose()))
        .collect();
    assert_eq!(
        links,
        [
            ("https://grafana.acme.example/d/checkout", Some("dashboard")),
            ("https://runbooks.acme.example/checkout", Some("docs"))
        ]
    );
    assert_eq!(
        checkout.owner().unwrap().to_string(),
        "group:default/team-payments"
    );
    assert_eq!(
        checkout.system().unwrap().to_string(),
        "system:default/storefront"
    );
    let Spec::Component(spec) = &checkout.spec else {
        panic!("{:?}", checkout.spec)
    };
    assert_eq!(spec.kind.as_deref(), Some("service"));
    assert_eq!(spec.lifecycle.as_deref(), Some("production"));

    let team = &c.entities[1];
    assert_eq!(team.kind, EntityKind::Group);
    assert_eq!(team.display_name(), "Payments Team");
    assert_eq!(team.email(), Some("payments@acme.example"));
    let Spec::Group(group) = &team.spec else {
        panic!()
    };
    assert_eq!(group.kind.as_deref(), Some("team"));
    assert_eq!(
        group.parent.as_ref().unwrap().to_string(),
        "group:default/engineering"
    );
    let members: Vec<String> = group.members.iter().map(ToString::to_string).collect();
    assert_eq!(members, ["user:default/alice", "user:default/bob"]);

    let alice = &c.entities[2];
    assert_eq!(alice.display_name(), "Alice Martin");
    assert_eq!(alice.email(), Some("alice@acme.example"));
    let Spec::User(user) = &alice.spec else {
        panic!()
    };
    assert_eq!(user.member_of[0].to_string(), "group:default/team-payments");

    let system = &c.entities[3];
    assert_eq!(
        system.owner().unwrap().to_string(),
        "group:default/team-payments"
    );
    let Spec::System(s) = &system.spec else {
        panic!()
    };
    assert_eq!(s.domain.as_deref(), Some("commerce"));
}
