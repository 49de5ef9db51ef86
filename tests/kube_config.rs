//! Kubernetes sources in the config: `[[kubernetes]]`, `--kube-context`, `$KUBECONFIG` lists,
//! the kubeconfig's current context discovered, and the errors that name what is wrong.

use sitrep::cli::SourceFlags;
use sitrep::config::load::{Env, load};
use sitrep::model::source::SourceKind;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn env_with(dir: &Path, extra: &[(&str, String)]) -> Env {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), dir.join("home").display().to_string());
    vars.insert(
        "XDG_CONFIG_HOME".to_string(),
        dir.join("xdg").display().to_string(),
    );
    for (k, v) in extra {
        vars.insert(k.to_string(), v.clone());
    }
    Env { vars }
}

/// A kubeconfig with `contexts` (each on its own cluster at `https://<name>.example:6443`).
fn kubeconfig(path: &Path, current: Option<&str>, contexts: &[&str]) -> PathBuf {
    let mut text = String::from("apiVersion: v1\nkind: Config\n");
    if let Some(c) = current {
        text.push_str(&format!("current-context: {c}\n"));
    }
    text.push_str("clusters:\n");
    for c in contexts {
        text.push_str(&format!(
            "- name: {c}-cluster\n  cluster:\n    server: https://{c}.example:6443\n"
        ));
    }
    text.push_str("users:\n- name: u\n  user:\n    token: s3cr3t-token-never-shown\n");
    text.push_str("contexts:\n");
    for c in contexts {
        text.push_str(&format!(
            "- name: {c}\n  context:\n    cluster: {c}-cluster\n    user: u\n"
        ));
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

fn write_config(dir: &Path, text: &str) {
    let p = dir.join("xdg/sitrep/config.toml");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
}

#[test]
fn kube_context_twice_gives_two_sources_named_by_their_contexts() {
    let dir = tempfile::tempdir().unwrap();
    kubeconfig(
        &dir.path().join("home/.kube/config"),
        Some("prod"),
        &["prod", "staging"],
    );
    let flags = SourceFlags {
        kube_context: vec!["prod".into(), "staging".into()],
        ..SourceFlags::default()
    };
    let cfg = load(&flags, None, &env_with(dir.path(), &[])).unwrap();
    let names: Vec<_> = cfg.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["prod", "staging"]);
    let staging = &cfg.sources[1];
    assert_eq!(staging.kind, SourceKind::Kube);
    assert_eq!(staging.kube.context, "staging");
    assert_eq!(staging.url.as_str(), "https://staging.example:6443/");
    assert_eq!(
        staging.kube.kubeconfigs,
        vec![dir.path().join("home/.kube/config")]
    );
    assert!(staging.kube.namespaces.is_empty());
}

#[test]
fn a_missing_context_is_an_error_naming_it_and_the_ones_there_are() {
    let dir = tempfile::tempdir().unwrap();
    kubeconfig(
        &dir.path().join("home/.kube/config"),
        None,
        &["prod", "staging"],
    );
    let flags = SourceFlags {
        kube_context: vec!["prdo".into()],
        ..SourceFlags::default()
    };
    let err = load(&flags, None, &env_with(dir.path(), &[])).unwrap_err();
    assert!(err.0.contains("`prdo`"), "{err}");
    assert!(err.0.contains("prod, staging"), "{err}");
    assert!(!err.0.contains("s3cr3t"), "{err}");
}

#[test]
fn kubeconfig_list_is_merged_and_missing_files_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let a = kubeconfig(&dir.path().join("a.yaml"), None, &["alpha"]);
    let b = kubeconfig(&dir.path().join("b.yaml"), Some("beta"), &["beta", "alpha"]);
    let missing = dir.path().join("nope.yaml");
    let list = std::env::join_paths([&a, &missing, &b]).unwrap();
    let env = env_with(
        dir.path(),
        &[("KUBECONFIG", list.to_string_lossy().into_owned())],
    );
    let flags = SourceFlags {
        kube_context: vec!["beta".into(), "alpha".into()],
        ..SourceFlags::default()
    };
    let cfg = load(&flags, None, &env).unwrap();
    assert_eq!(cfg.sources.len(), 2);
    assert_eq!(cfg.sources[0].kube.kubeconfigs, vec![a.clone(), b.clone()]);
    // The first file naming a context wins (kubectl's rule).
    assert_eq!(cfg.sources[1].url.as_str(), "https://alpha.example:6443/");

    // Nothing named: the merged current-context (from b) is discovered.
    let cfg = load(&SourceFlags::default(), None, &env).unwrap();
    assert_eq!(cfg.sources.len(), 1);
    assert_eq!(cfg.sources[0].name, "beta");
    assert!(cfg.sources[0].origin.contains("current-context beta"));
    assert!(cfg.sources[0].origin.contains("b.yaml"));
}

#[test]
fn kubernetes_entries_with_name_namespaces_and_their_own_kubeconfig() {
    let dir = tempfile::tempdir().unwrap();
    kubeconfig(&dir.path().join("home/kc/prod.yaml"), None, &["prod-eu"]);
    write_config(
        dir.path(),
        r#"
[[kubernetes]]
context = "prod-eu"
name = "eu"
kubeconfig = "~/kc/prod.yaml"
namespaces = ["payments", " shop ", ""]
timeout = "3s"
read_only = true
"#,
    );
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    let s = &cfg.sources[0];
    assert_eq!(s.name, "eu");
    assert_eq!(s.kube.context, "prod-eu");
    assert_eq!(s.kube.namespaces, vec!["payments", "shop"]);
    assert_eq!(s.timeout, std::time::Duration::from_secs(3));
    assert!(s.read_only);
    assert_eq!(
        s.kube.kubeconfigs,
        vec![dir.path().join("home/kc/prod.yaml")]
    );
}

#[test]
fn an_entry_naming_an_unknown_context_says_where() {
    let dir = tempfile::tempdir().unwrap();
    kubeconfig(&dir.path().join("home/.kube/config"), None, &["prod"]);
    write_config(dir.path(), "[[kubernetes]]\ncontext = \"ghost\"\n");
    let err = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap_err();
    assert!(err.0.contains("config.toml:1"), "{err}");
    assert!(err.0.contains("`ghost`"), "{err}");
}

#[test]
fn a_broken_kubeconfig_names_the_file_and_never_its_contents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("home/.kube/config");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        "users:\n- name: u\n  user: {token: s3cr3t-token\n  [[[",
    )
    .unwrap();
    let flags = SourceFlags {
        kube_context: vec!["prod".into()],
        ..SourceFlags::default()
    };
    let err = load(&flags, None, &env_with(dir.path(), &[])).unwrap_err();
    assert!(err.0.contains(".kube/config"), "{err}");
    assert!(!err.0.contains("s3cr3t"), "{err}");
    // Discovery never stops sitrep from starting: a warning at most.
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    assert!(cfg.sources.is_empty());
    assert!(cfg.warnings.iter().all(|w| !w.contains("s3cr3t")));
}

#[test]
fn no_kubeconfig_means_no_discovered_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    assert!(cfg.sources.is_empty());
}
