//! `[[oncall]]` entries and discovery, through the real config loader.

use super::config::{OPSGENIE_URL, PAGERDUTY_URL};
use crate::cli::SourceFlags;
use crate::config::load::{Config, ConfigError, Env, load};
use crate::config::source::{Auth, SourceSpec};
use crate::model::oncall::Provider;
use crate::model::source::SourceKind;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

fn env_with(dir: &Path, extra: &[(&str, &str)]) -> Env {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), dir.join("home").display().to_string());
    vars.insert(
        "XDG_CONFIG_HOME".to_string(),
        dir.join("xdg").display().to_string(),
    );
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    Env { vars }
}

/// Load `text` as the config file (none when `None`) with `vars` as the environment.
fn load_with(text: Option<&str>, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    if let Some(text) = text {
        let p = dir.path().join("xdg/sitrep/config.toml");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    load(&SourceFlags::default(), None, &env_with(dir.path(), vars))
}

fn oncall_sources(cfg: &Config) -> Vec<&SourceSpec> {
    cfg.sources
        .iter()
        .filter(|s| s.kind == SourceKind::OnCall)
        .collect()
}

fn scheme(spec: &SourceSpec) -> (String, String) {
    match &spec.auth {
        Auth::Scheme { prefix, secret } => (prefix.clone(), secret.expose().to_string()),
        other => panic!("expected a scheme key, got {other:?}"),
    }
}

#[test]
fn entries_resolve_with_defaults_and_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("og.key");
    std::fs::write(&key_file, "og-file-key\n").unwrap();
    let cfg = load_with(
        Some(&format!(
            r#"
[[oncall]]
provider = "pagerduty"
token_env = "PD_KEY"

[[oncall]]
provider = "OpsGenie"
name = "og-eu"
url = "https://api.eu.opsgenie.com"
token_file = "{}"
refresh = "5m"
timeout = "4s"
insecure = true
"#,
            key_file.display()
        )),
        &[("PD_KEY", " pd-secret \n")],
    )
    .unwrap();
    let s = oncall_sources(&cfg);
    assert_eq!(s.len(), 2);

    let pd = s[0];
    assert_eq!(pd.name, "pagerduty");
    assert_eq!(pd.url.as_str(), format!("{PAGERDUTY_URL}/"));
    assert_eq!(pd.poll_interval, Duration::from_secs(180));
    assert_eq!(pd.timeout, Duration::from_secs(10));
    assert_eq!(
        scheme(pd),
        ("Token token=".to_string(), "pd-secret".to_string())
    );
    let o = pd.oncall.as_ref().unwrap();
    assert_eq!(o.provider, Provider::PagerDuty);
    assert_eq!(o.key_from, "token_env PD_KEY");
    assert!(pd.origin.ends_with(":2"), "{}", pd.origin);

    let og = s[1];
    assert_eq!(og.name, "og-eu");
    assert_eq!(og.url.host_str(), Some("api.eu.opsgenie.com"));
    assert_eq!(og.poll_interval, Duration::from_secs(300));
    assert_eq!(og.timeout, Duration::from_secs(4));
    assert!(og.tls.insecure);
    assert_eq!(
        scheme(og),
        ("GenieKey ".to_string(), "og-file-key".to_string())
    );
    assert_eq!(og.oncall.as_ref().unwrap().provider, Provider::Opsgenie);
    // The key never shows in a spec's Debug output.
    assert!(!format!("{:?}", cfg.sources).contains("pd-secret"));
}

#[test]
fn unnamed_entries_are_numbered_per_provider() {
    let cfg = load_with(
        Some(
            r#"
[[oncall]]
provider = "pagerduty"
token_env = "K"
[[oncall]]
provider = "opsgenie"
token_env = "K"
[[oncall]]
provider = "pagerduty"
token_env = "K"
url = "http://127.0.0.1:1"
"#,
        ),
        &[("K", "k")],
    )
    .unwrap();
    let names: Vec<_> = oncall_sources(&cfg)
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["pagerduty-1", "opsgenie", "pagerduty-2"]);
}

#[test]
fn config_errors_name_the_variable_or_file_and_the_fix() {
    let cases: &[(&str, &[&str])] = &[
        (
            "[[oncall]]\nprovider = \"pagerduty\"\ntoken_env = \"PD_MISSING\"\n",
            &[
                "config.toml:3",
                "$PD_MISSING",
                "not set",
                "export PD_MISSING",
            ],
        ),
        (
            "[[oncall]]\nprovider = \"victorops\"\ntoken_env = \"K\"\n",
            &[
                "config.toml:2",
                "victorops",
                "\"pagerduty\" or \"opsgenie\"",
            ],
        ),
        (
            "[[oncall]]\nprovider = \"opsgenie\"\n",
            &["config.toml:1", "no API key", "OPSGENIE_API_KEY"],
        ),
        (
            "[[oncall]]\nprovider = \"pagerduty\"\ntoken_file = \"/nonexistent/pd.key\"\n",
            &["config.toml:3", "/nonexistent/pd.key"],
        ),
        (
            "[[oncall]]\nprovider = \"pagerduty\"\ntoken_env = \"K\"\ntoken_file = \"/x\"\n",
            &["both token_env and token_file"],
        ),
        (
            "[[oncall]]\nprovider = \"pagerduty\"\ntoken_env = \"K\"\nrefresh = \"soon\"\n",
            &["config.toml:4", "refresh"],
        ),
        (
            "[[oncall]]\nprovider = \"pagerduty\"\ntoken_env = \"K\"\nurl = \"ftp://x\"\n",
            &["config.toml:4", "only http:// and https://"],
        ),
        (
            "[[oncall]]\nprovider = \"pagerduty\"\ntoken_env = \"K\"\nschedule = \"x\"\n",
            &["unknown field"],
        ),
    ];
    for (text, wanted) in cases {
        let err = load_with(Some(text), &[("K", "secret-value")])
            .unwrap_err()
            .0;
        for w in *wanted {
            assert!(err.contains(w), "{text:?}: `{err}` lacks `{w}`");
        }
        assert!(!err.contains("secret-value"), "{err}");
    }
}

#[test]
fn keys_in_the_environment_are_discovered_when_nothing_is_configured() {
    let cfg = load_with(None, &[("PAGERDUTY_TOKEN", "pd-env")]).unwrap();
    let s = oncall_sources(&cfg);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].name, "pagerduty");
    assert_eq!(s[0].origin, "$PAGERDUTY_TOKEN");
    assert_eq!(s[0].url.as_str(), format!("{PAGERDUTY_URL}/"));
    assert_eq!(scheme(s[0]).1, "pd-env");

    // sitrep's own variable wins over the shared one.
    let cfg = load_with(
        None,
        &[
            ("PAGERDUTY_TOKEN", "pd-env"),
            ("SITREP_PAGERDUTY_TOKEN", "pd-sitrep"),
        ],
    )
    .unwrap();
    assert_eq!(scheme(oncall_sources(&cfg)[0]).1, "pd-sitrep");
    assert_eq!(
        oncall_sources(&cfg)[0].oncall.as_ref().unwrap().key_from,
        "$SITREP_PAGERDUTY_TOKEN"
    );

    let cfg = load_with(None, &[("OPSGENIE_API_KEY", "og-env")]).unwrap();
    let s = oncall_sources(&cfg);
    assert_eq!(s[0].name, "opsgenie");
    assert_eq!(s[0].url.as_str(), format!("{OPSGENIE_URL}/"));
    assert_eq!(
        scheme(s[0]),
        ("GenieKey ".to_string(), "og-env".to_string())
    );

    // Both: PagerDuty, and a warning naming the other.
    let cfg = load_with(None, &[("PAGERDUTY_TOKEN", "a"), ("OPSGENIE_API_KEY", "b")]).unwrap();
    assert_eq!(oncall_sources(&cfg).len(), 1);
    assert!(
        cfg.warnings.iter().any(|w| w.contains("OPSGENIE_API_KEY")),
        "{:?}",
        cfg.warnings
    );

    // A configured source turns discovery off.
    let cfg = load_with(
        Some("[[prometheus]]\nurl = \"http://127.0.0.1:9090\"\n"),
        &[("PAGERDUTY_TOKEN", "pd-env")],
    )
    .unwrap();
    assert!(oncall_sources(&cfg).is_empty());
}
