//! `[[argocd]]`, `--argocd`, the token chain and discovery of the argocd CLI's context.

use super::*;
use base64::Engine;
use std::os::unix::fs::PermissionsExt;

const CA: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/// An argocd CLI config under `~/.config/argocd/config` (mode 0600).
fn write_cli_config(dir: &Path, current: &str) -> PathBuf {
    let p = dir.join("home/.config/argocd/config");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    let ca = base64::engine::general_purpose::STANDARD.encode(CA);
    std::fs::write(
        &p,
        format!(
            "current-context: {current}\ncontexts:\n- {{name: prod, server: argocd.prod.example:443, user: prod}}\n- {{name: local, server: 'localhost:8080', user: local}}\n- {{name: kube, server: kubernetes, user: kube}}\nservers:\n- server: argocd.prod.example:443\n  certificate-authority-data: {ca}\n- server: 'localhost:8080'\n  plain-text: true\n  grpc-web-root-path: argo\n- {{server: kubernetes, core: true}}\nusers:\n- {{name: prod, auth-token: cli-prod-token}}\n- {{name: local, auth-token: cli-local-token}}\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

fn bearer(spec: &SourceSpec) -> &str {
    match &spec.auth {
        Auth::Bearer(t) => t.expose(),
        other => panic!("expected a bearer token, got {other:?}"),
    }
}

#[test]
fn argocd_entries_resolve_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let tok = dir.path().join("argo.tok");
    std::fs::write(&tok, "file-token\n").unwrap();
    write_config(
        dir.path(),
        &format!(
            r#"
[[argocd]]
name = "prod-eu"
url = "https://argocd.eu.example.com"
grpc_web_root_path = "/argo-cd/"
token_env = "EU_TOKEN"
projects = ["payments", " "]
selector = "team=payments"
app_namespace = "apps"
timeout = "4s"
poll_interval = "20s"
ca_file = "/etc/ca.pem"
read_only = true
[[argocd]]
name = "prod-us"
url = "https://argocd.us.example.com"
token_file = "{}"
insecure = true
[[argocd]]
name = "bare"
url = "http://argocd.local:8080"
"#,
            tok.display()
        ),
    );
    let env = env_with(dir.path(), &[("EU_TOKEN", "eu-token")]);
    let cfg = load(&SourceFlags::default(), None, &env).unwrap();
    assert_eq!(cfg.sources.len(), 3);
    let eu = &cfg.sources[0];
    assert_eq!(eu.kind, SourceKind::Argocd);
    assert_eq!(eu.url.as_str(), "https://argocd.eu.example.com/argo-cd");
    assert_eq!(bearer(eu), "eu-token");
    assert_eq!(eu.argocd.projects, vec!["payments"]);
    assert_eq!(eu.argocd.selector.as_deref(), Some("team=payments"));
    assert_eq!(eu.argocd.app_namespace.as_deref(), Some("apps"));
    assert_eq!(eu.timeout, Duration::from_secs(4));
    assert_eq!(eu.poll_interval, Duration::from_secs(20));
    assert_eq!(eu.tls.ca_file, Some(PathBuf::from("/etc/ca.pem")));
    assert!(eu.read_only);
    assert!(eu.origin.ends_with("config.toml:2"), "{}", eu.origin);
    let us = &cfg.sources[1];
    assert_eq!(bearer(us), "file-token");
    assert!(us.tls.insecure && !us.read_only);
    assert_eq!(cfg.sources[2].auth, Auth::None);
    assert!(!format!("{cfg:?}").contains("eu-token"));
}

#[test]
fn token_comes_from_the_entry_then_the_env_then_the_cli_config() {
    let dir = tempfile::tempdir().unwrap();
    write_cli_config(dir.path(), "prod");
    write_config(
        dir.path(),
        "[[argocd]]\nname = \"a\"\nurl = \"https://argocd.prod.example\"\ntoken_env = \"A_TOKEN\"\n[[argocd]]\nname = \"b\"\nurl = \"https://argocd.prod.example/\"\n[[argocd]]\nname = \"c\"\nurl = \"https://other.example\"\n",
    );
    let with_env = env_with(
        dir.path(),
        &[
            ("A_TOKEN", "entry-token"),
            ("ARGOCD_AUTH_TOKEN", "env-token"),
        ],
    );
    let cfg = load(&SourceFlags::default(), None, &with_env).unwrap();
    assert_eq!(bearer(&cfg.sources[0]), "entry-token");
    assert_eq!(bearer(&cfg.sources[1]), "env-token");
    assert_eq!(bearer(&cfg.sources[2]), "env-token");

    let without = env_with(dir.path(), &[("A_TOKEN", "entry-token")]);
    let cfg = load(&SourceFlags::default(), None, &without).unwrap();
    assert_eq!(bearer(&cfg.sources[0]), "entry-token");
    // Same host and port as the CLI's `prod` server: its token and CA are borrowed.
    assert_eq!(bearer(&cfg.sources[1]), "cli-prod-token");
    assert_eq!(cfg.sources[1].tls.ca_pem.as_deref(), Some(CA));
    assert_eq!(cfg.sources[0].tls.ca_pem.as_deref(), Some(CA));
    // Another server borrows nothing.
    assert_eq!(cfg.sources[2].auth, Auth::None);
    assert_eq!(cfg.sources[2].tls.ca_pem, None);
    // Nothing else was discovered: the file names sources.
    assert_eq!(cfg.sources.len(), 3);
}

#[test]
fn argocd_flags_replace_the_files_sources_and_borrow_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    write_cli_config(dir.path(), "prod");
    write_config(
        dir.path(),
        "[[alertmanager]]\nurl = \"http://am:9093\"\n[[argocd]]\nurl = \"https://from-file\"\n",
    );
    let flags = SourceFlags {
        argocd: vec![
            "https://argocd.prod.example".into(),
            "lab=http://localhost:8080/argo".into(),
        ],
        ..SourceFlags::default()
    };
    let cfg = load(&flags, None, &env_with(dir.path(), &[])).unwrap();
    let names: Vec<_> = cfg.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["argocd-1", "lab"]);
    assert_eq!(cfg.sources[0].origin, "flag --argocd");
    assert_eq!(bearer(&cfg.sources[0]), "cli-prod-token");
    assert_eq!(bearer(&cfg.sources[1]), "cli-local-token");
    // One --argocd is named `argocd`.
    let flags = SourceFlags {
        argocd: vec!["http://x:1".into()],
        ..SourceFlags::default()
    };
    let cfg = load(&flags, None, &env_with(dir.path(), &[])).unwrap();
    assert_eq!(cfg.sources[0].name, "argocd");
    // A flag naming another kind leaves Argo CD out entirely.
    let flags = SourceFlags {
        prometheus: vec!["http://p:9090".into()],
        ..SourceFlags::default()
    };
    let cfg = load(&flags, None, &env_with(dir.path(), &[])).unwrap();
    assert_eq!(cfg.sources.len(), 1);
    assert_eq!(cfg.sources[0].kind, SourceKind::Prometheus);
    let flags = SourceFlags {
        argocd: vec!["argocd.example.com".into()],
        ..SourceFlags::default()
    };
    let err = load(&flags, None, &env_with(dir.path(), &[]))
        .unwrap_err()
        .0;
    assert!(
        err.contains("--argocd argocd.example.com") && err.contains("http://"),
        "{err}"
    );
}

#[test]
fn the_cli_context_is_discovered_only_when_nothing_names_a_source() {
    let dir = tempfile::tempdir().unwrap();
    let cli = write_cli_config(dir.path(), "prod");
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    assert_eq!(cfg.sources.len(), 1, "{:?}", cfg.sources);
    let s = &cfg.sources[0];
    assert_eq!((s.name.as_str(), s.kind), ("argocd", SourceKind::Argocd));
    assert_eq!(s.url.as_str(), "https://argocd.prod.example/");
    assert_eq!(bearer(s), "cli-prod-token");
    assert_eq!(s.tls.ca_pem.as_deref(), Some(CA));
    assert!(
        s.origin.contains(&cli.display().to_string()),
        "{}",
        s.origin
    );
    assert!(s.origin.contains("context prod"), "{}", s.origin);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);

    // $ARGOCD_AUTH_TOKEN wins over the context's token.
    let env = env_with(dir.path(), &[("ARGOCD_AUTH_TOKEN", "env-token")]);
    let cfg = load(&SourceFlags::default(), None, &env).unwrap();
    assert_eq!(bearer(&cfg.sources[0]), "env-token");

    // Beside amtool's Alertmanager: both discovered.
    let amtool = dir.path().join("home/.config/amtool/config.yml");
    std::fs::create_dir_all(amtool.parent().unwrap()).unwrap();
    std::fs::write(&amtool, "alertmanager.url: http://am.local:9093\n").unwrap();
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    let kinds: Vec<_> = cfg.sources.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [SourceKind::Alertmanager, SourceKind::Argocd]);

    // A config file naming any source: no discovery.
    write_config(dir.path(), "[[prometheus]]\nurl = \"http://p:9090\"\n");
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    let kinds: Vec<_> = cfg.sources.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [SourceKind::Prometheus]);
}

#[test]
fn argocd_server_env_overrides_the_contexts_server() {
    let dir = tempfile::tempdir().unwrap();
    write_cli_config(dir.path(), "local");
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    // plain-text → http, grpc-web-root-path → a path prefix.
    assert_eq!(cfg.sources[0].url.as_str(), "http://localhost:8080/argo");
    assert_eq!(bearer(&cfg.sources[0]), "cli-local-token");

    let env = env_with(dir.path(), &[("ARGOCD_SERVER", "127.0.0.1:9999")]);
    let cfg = load(&SourceFlags::default(), None, &env).unwrap();
    let s = &cfg.sources[0];
    assert_eq!(s.url.as_str(), "http://127.0.0.1:9999/argo");
    assert_eq!(bearer(s), "cli-local-token");
    assert!(s.origin.starts_with("$ARGOCD_SERVER"), "{}", s.origin);

    // Without any CLI config, $ARGOCD_SERVER and $ARGOCD_AUTH_TOKEN alone make a source.
    let empty = tempfile::tempdir().unwrap();
    let env = env_with(
        empty.path(),
        &[
            ("ARGOCD_SERVER", "argocd.example.com"),
            ("ARGOCD_AUTH_TOKEN", "t"),
        ],
    );
    let cfg = load(&SourceFlags::default(), None, &env).unwrap();
    assert_eq!(cfg.sources[0].url.as_str(), "https://argocd.example.com/");
    assert_eq!(cfg.sources[0].origin, "$ARGOCD_SERVER");
}

#[test]
fn unusable_contexts_are_warnings_not_failures() {
    let dir = tempfile::tempdir().unwrap();
    write_cli_config(dir.path(), "kube");
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    assert!(cfg.sources.is_empty());
    assert!(
        cfg.warnings.iter().any(|w| w.contains("--core")),
        "{:?}",
        cfg.warnings
    );

    write_cli_config(dir.path(), "gone");
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    assert!(cfg.sources.is_empty());
    assert!(
        cfg.warnings
            .iter()
            .any(|w| w.contains("`gone` is not among")),
        "{:?}",
        cfg.warnings
    );

    let p = write_cli_config(dir.path(), "prod");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    assert_eq!(cfg.sources.len(), 1);
    assert!(
        cfg.warnings.iter().any(|w| w.contains("0640")),
        "{:?}",
        cfg.warnings
    );
}

#[test]
fn argocd_entry_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(dir.path(), &[]);
    let cases = [
        (
            "[[argocd]]\nurl = \"http://x\"\ntoken = \"abc\"\n",
            ":3:",
            "unknown field",
        ),
        (
            "[[argocd]]\nurl = \"http://x\"\n\ntoken_env = \"NOPE\"\n",
            ":4:",
            "export NOPE",
        ),
        (
            "[[argocd]]\nurl = \"argocd.example.com\"\n",
            ":2:",
            "http://",
        ),
        ("[[argocd]]\nname = \"a\"\n", ":1:", "[[argocd]]"),
        (
            "[[argocd]]\nurl = \"http://x\"\n[[alertmanager]]\nname = \"argocd\"\nurl = \"http://y\"\n",
            "config.toml",
            "two sources are named `argocd`",
        ),
    ];
    assert_config_errors(dir.path(), &env, &cases);
}
