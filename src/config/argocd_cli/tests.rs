use super::*;
use std::collections::BTreeMap;

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

const CA: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIK\n-----END PRIVATE KEY-----\n";

fn sample() -> String {
    format!(
        r#"
contexts:
- name: prod
  server: argocd.example.com
  user: prod-user
- name: dev
  server: localhost:8080
  user: dev-user
- name: sub
  server: gw.example.com:8443
  user: dev-user
- name: core
  server: kubernetes
  user: core
current-context: prod
prompts-enabled: false
servers:
- server: argocd.example.com
  certificate-authority-data: {ca}
  client-certificate-data: {cert}
  client-certificate-key-data: {key}
- server: localhost:8080
  plain-text: true
  insecure: true
- grpc-web-root-path: /argo-cd/
  grpc-web: true
  server: gw.example.com:8443
- server: kubernetes
  core: true
users:
- name: prod-user
  auth-token: prod-jwt-token
  refresh-token: prod-refresh
- name: dev-user
  auth-token: dev-jwt-token
"#,
        ca = b64(CA),
        cert = b64(CERT),
        key = b64(KEY)
    )
}

#[test]
fn parses_contexts_servers_and_users() {
    let mut warnings = Vec::new();
    let cfg = parse(Path::new("/x/config"), &sample(), &mut warnings).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let prod = cfg.current().unwrap();
    assert_eq!(prod.name, "prod");
    assert_eq!(
        prod.url.as_ref().unwrap().as_str(),
        "https://argocd.example.com/"
    );
    assert_eq!(prod.ca_pem.as_deref(), Some(CA));
    let identity = prod.client_identity_pem.as_ref().unwrap().expose();
    assert!(identity.contains("MIIC") && identity.contains("MIIK"));
    assert_eq!(prod.token.as_ref().unwrap().expose(), "prod-jwt-token");
    assert!(prod.has_refresh_token);

    let dev = &cfg.contexts[1];
    assert_eq!(dev.url.as_ref().unwrap().as_str(), "http://localhost:8080/");
    assert!(dev.insecure && dev.plain_text);
    assert!(!dev.has_refresh_token);
    let sub = &cfg.contexts[2];
    assert_eq!(
        sub.url.as_ref().unwrap().as_str(),
        "https://gw.example.com:8443/argo-cd"
    );
    assert!(cfg.contexts[3].core);

    // Tokens, keys and the client certificate never show in Debug output.
    let debug = format!("{cfg:?}");
    assert!(
        !debug.contains("prod-jwt-token") && !debug.contains("MIIK"),
        "{debug}"
    );
}

#[test]
fn matches_servers_by_host_and_port() {
    let cfg = parse(Path::new("/x/config"), &sample(), &mut Vec::new()).unwrap();
    let find = |u: &str| {
        cfg.for_url(&Url::parse(u).unwrap())
            .map(|c| c.name.as_str())
    };
    assert_eq!(find("https://argocd.example.com"), Some("prod"));
    assert_eq!(find("https://ARGOCD.example.com:443/x"), Some("prod"));
    assert_eq!(find("https://argocd.example.com:8443"), None);
    assert_eq!(find("http://localhost:8080"), Some("dev"));
    assert_eq!(find("https://gw.example.com:8443/argo-cd"), Some("sub"));
    assert_eq!(find("https://elsewhere"), None);
    assert_eq!(split_host_port("[::1]:8080"), ("::1", Some(8080)));
    assert_eq!(split_host_port("h"), ("h", None));
}

#[test]
fn bad_data_fields_are_warned_about_and_dropped() {
    let text = format!(
        "current-context: a\ncontexts: [{{name: a, server: 'h:1', user: u}}]\nservers:\n- server: 'h:1'\n  certificate-authority-data: '%%%'\n  client-certificate-data: {}\nusers: [{{name: u, auth-token: t0k3n}}]\n",
        b64("not pem")
    );
    let mut warnings = Vec::new();
    let cfg = parse(Path::new("/c"), &text, &mut warnings).unwrap();
    let a = cfg.current().unwrap();
    assert!(a.ca_pem.is_none() && a.client_identity_pem.is_none());
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("certificate-authority-data") && warnings[0].contains("base64"));
    assert!(warnings[1].contains("PEM"));
}

#[test]
fn yaml_errors_never_quote_the_file() {
    let mut warnings = Vec::new();
    let e = parse(
        Path::new("/c"),
        "users: [{name: u, auth-token: supersecrettoken}]\ncontexts: {{{",
        &mut warnings,
    )
    .unwrap_err();
    assert!(!e.contains("supersecret"), "{e}");
    assert!(e.contains("line"), "{e}");
    // An empty file is an empty config.
    let cfg = parse(Path::new("/c"), "  \n", &mut warnings).unwrap();
    assert!(cfg.contexts.is_empty() && cfg.current().is_none());
}

fn env(vars: &[(&str, &std::path::Path)]) -> Env {
    Env {
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.display().to_string()))
            .collect::<BTreeMap<_, _>>(),
    }
}

#[test]
fn finds_the_config_where_the_cli_does() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let xdg = dir.path().join("xdg");
    let own = dir.path().join("own");
    let write = |p: &Path| {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "current-context: x\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).unwrap();
    };
    let e = env(&[
        ("HOME", &home),
        ("XDG_CONFIG_HOME", &xdg),
        ("ARGOCD_CONFIG_DIR", &own),
    ]);
    let found = |e: &Env| read(e, &mut Vec::new()).map(|c| c.path);
    assert_eq!(found(&e), None);
    write(&home.join(".config/argocd/config"));
    assert_eq!(found(&e), Some(home.join(".config/argocd/config")));
    write(&xdg.join("argocd/config"));
    assert_eq!(found(&e), Some(xdg.join("argocd/config")));
    // ~/.argocd counts only when the directory exists; then it wins over XDG.
    std::fs::create_dir_all(home.join(".argocd")).unwrap();
    assert_eq!(found(&e), Some(xdg.join("argocd/config")));
    write(&home.join(".argocd/config"));
    assert_eq!(found(&e), Some(home.join(".argocd/config")));
    write(&own.join("config"));
    assert_eq!(found(&e), Some(own.join("config")));
    let candidates = candidates(&e);
    assert_eq!(candidates[0], own.join("config"));
    assert_eq!(
        candidates.last().unwrap(),
        &home.join(".config/argocd/config")
    );
}

#[test]
fn warns_when_others_can_read_the_tokens() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("config");
    std::fs::write(&p, sample()).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = env(&[("ARGOCD_CONFIG_DIR", dir.path())]);
    let mut warnings = Vec::new();
    let cfg = read(&e, &mut warnings).expect("still used");
    assert_eq!(cfg.contexts.len(), 4);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("0644") && warnings[0].contains("chmod 600"));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o400)).unwrap();
    let mut warnings = Vec::new();
    read(&e, &mut warnings).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    // A broken file is a warning, not a failure.
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(&p, "contexts: [").unwrap();
    let mut warnings = Vec::new();
    assert!(read(&e, &mut warnings).is_none());
    assert!(warnings[0].contains("not valid YAML"), "{warnings:?}");
}
