use super::*;
use crate::config::source::Auth;

mod argocd;

fn env_with(dir: &Path, extra: &[(&str, &str)]) -> Env {
    let mut vars = BTreeMap::new();
    vars.insert("HOME".to_string(), dir.join("home").display().to_string());
    vars.insert(
        "XDG_CONFIG_HOME".to_string(),
        dir.join("xdg").display().to_string(),
    );
    vars.insert("USER".to_string(), "carol".to_string());
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    Env { vars }
}

fn write_config(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("xdg/sitrep/config.toml");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn full_config_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("tok");
    std::fs::write(&token_file, "file-token\n").unwrap();
    write_config(
        dir.path(),
        &format!(
            r#"
author = "alice"
theme = "light"
service_labels = ["service", "job"]
[defaults]
timeout = "3s"
[[alertmanager]]
name = "prod-eu"
url = "https://am.example.com/alertmanager"
bearer_token_env = "AM_TOKEN"
read_only = true
[[alertmanager]]
name = "prod-us"
url = "http://am-us:9093"
poll_interval = "30s"
basic_auth = {{ username = "sre", password_file = "{}" }}
[[prometheus]]
url = "http://prom:9090"
[keys]
quit = ["Q"]
"#,
            token_file.display()
        ),
    );
    let cfg = load(
        &SourceFlags::default(),
        None,
        &env_with(dir.path(), &[("AM_TOKEN", "s3cret")]),
    )
    .unwrap();
    assert_eq!(cfg.settings.author, "alice");
    assert_eq!(cfg.theme.name, "light");
    assert_eq!(cfg.settings.service_labels, vec!["service", "job"]);
    assert_eq!(cfg.sources.len(), 3);
    let eu = &cfg.sources[0];
    assert_eq!(eu.name, "prod-eu");
    assert_eq!(eu.timeout, Duration::from_secs(3));
    assert!(eu.read_only);
    assert_eq!(eu.auth, Auth::Bearer(Secret::new("s3cret")));
    assert!(eu.origin.ends_with("config.toml:7"), "{}", eu.origin);
    let us = &cfg.sources[1];
    assert_eq!(us.poll_interval, Duration::from_secs(30));
    assert!(
        matches!(&us.auth, Auth::Basic { username, password } if username == "sre" && password.expose() == "file-token")
    );
    assert_eq!(cfg.sources[2].name, "prometheus");
    // Debug output of the resolved config never shows a secret.
    let debug = format!("{cfg:?}");
    assert!(!debug.contains("s3cret") && !debug.contains("file-token"));
}

#[test]
fn flags_replace_file_sources() {
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "[[alertmanager]]\nurl = \"http://from-file:9093\"\n",
    );
    let flags = SourceFlags {
        alertmanager: vec!["http://a:9093".into(), "b=http://b:9093".into()],
        ..SourceFlags::default()
    };
    let cfg = load(&flags, None, &env_with(dir.path(), &[])).unwrap();
    let names: Vec<_> = cfg.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["alertmanager-1", "b"]);
    assert_eq!(cfg.sources[0].origin, "flag --alertmanager");
}

#[test]
fn amtool_url_is_discovered_only_when_nothing_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let amtool = dir.path().join("home/.config/amtool/config.yml");
    std::fs::create_dir_all(amtool.parent().unwrap()).unwrap();
    std::fs::write(
        &amtool,
        "alertmanager.url: http://am.local:9093\nauthor: dave\n",
    )
    .unwrap();
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    assert_eq!(cfg.sources.len(), 1);
    assert_eq!(cfg.sources[0].url.as_str(), "http://am.local:9093/");
    assert!(cfg.sources[0].origin.contains("amtool"));
    assert_eq!(cfg.settings.author, "dave");
    let flags = SourceFlags {
        prometheus: vec!["http://p:9090".into()],
        ..SourceFlags::default()
    };
    let cfg = load(&flags, None, &env_with(dir.path(), &[])).unwrap();
    assert_eq!(cfg.sources.len(), 1);
    assert_eq!(cfg.sources[0].kind, SourceKind::Prometheus);
}

#[test]
fn errors_name_file_line_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(dir.path(), &[]);
    let cases = [
        (
            "[[alertmanager]]\nurl = \"http://x\"\nurll = 1\n",
            ":3:",
            "unknown field",
        ),
        ("[[alertmanager]]\nname = \"a\"\n", ":1:", "missing field"),
        (
            "[[alertmanager]]\nurl = \"http://x\"\ntimeout = \"soon\"\n",
            ":3:",
            "duration",
        ),
        ("[[alertmanager]]\n\nurl = \"ftp://x\"\n", ":3:", "http"),
        (
            "[[alertmanager]]\nurl = \"http://x\"\nbearer_token_env = \"NOPE\"\n",
            ":3:",
            "export NOPE",
        ),
        ("theme = \"neon\"\n", ":1:", "no theme named"),
        ("[keys]\nquit = [\"hyper-q\"]\n", "config.toml", "fix:"),
        ("[keys]\nteleport = [\"t\"]\n", ":2:", "unknown variant"),
        (
            "[[alertmanager]]\nurl = \"http://u:p@x\"\n",
            ":2:",
            "credentials",
        ),
        ("[apps]\nproduction_pattern = \"(\"\n", ":2:", "regex"),
        (
            "[apps]\nsuspect_window = \"half an hour\"\n",
            ":2:",
            "duration",
        ),
    ];
    assert_config_errors(dir.path(), &env, &cases);
}

/// Each config text must fail with an error naming the file, `at` (usually `:LINE:`) and `words`.
fn assert_config_errors(dir: &Path, env: &Env, cases: &[(&str, &str, &str)]) {
    for (text, at, words) in cases {
        write_config(dir, text);
        let err = load(&SourceFlags::default(), None, env).unwrap_err().0;
        assert!(
            err.contains(at) && err.contains(words),
            "for {text:?} got: {err}"
        );
        assert!(err.contains("config.toml"), "{err}");
    }
}

#[test]
fn no_color_wins_over_theme() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = load(
        &SourceFlags::default(),
        Some("light"),
        &env_with(dir.path(), &[("NO_COLOR", "1")]),
    )
    .unwrap();
    assert!(cfg.theme.no_color);
}

#[test]
fn read_only_flag_applies_to_every_source() {
    let dir = tempfile::tempdir().unwrap();
    let flags = SourceFlags {
        alertmanager: vec!["http://a".into()],
        read_only: true,
        ..SourceFlags::default()
    };
    let cfg = load(&flags, None, &env_with(dir.path(), &[])).unwrap();
    assert!(cfg.settings.read_only && cfg.sources[0].read_only);
}

#[test]
fn apps_section_maps_services() {
    let dir = tempfile::tempdir().unwrap();
    write_config(
        dir.path(),
        "[apps]\nservice_labels = [\"team\"]\nservices = { legacy = \"checkout\" }\nsuspect_window = \"10m\"\nproduction_pattern = \"^prd-\"\n",
    );
    let cfg = load(&SourceFlags::default(), None, &env_with(dir.path(), &[])).unwrap();
    assert_eq!(cfg.settings.app_service_labels, vec!["team"]);
    assert_eq!(cfg.settings.app_services["legacy"], "checkout");
    assert_eq!(cfg.settings.suspect_window_secs, 600);
    assert_eq!(cfg.settings.production_pattern, "^prd-");
}

#[test]
fn notify_section_sets_notifications() {
    use crate::model::alert::Severity;
    use crate::notify::{DesktopMode, NotifySettings};
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(dir.path(), &[]);
    let cfg = load(&SourceFlags::default(), None, &env).unwrap();
    assert_eq!(cfg.settings.notify, NotifySettings::default());
    write_config(
        dir.path(),
        "[notify]\nenabled = true\nmin_severity = \"warning\"\ndesktop = \"off\"\nterminal = false\nper_minute = 3\n",
    );
    let cfg = load(&SourceFlags::default(), None, &env).unwrap();
    assert_eq!(
        cfg.settings.notify,
        NotifySettings {
            enabled: true,
            min_severity: Severity::Warning,
            desktop: DesktopMode::Off,
            terminal: false,
            per_minute: 3,
        }
    );
    write_config(dir.path(), "[notify]\nenabled = false\n");
    let cfg = load(&SourceFlags::default(), None, &env).unwrap();
    assert!(!cfg.settings.notify.enabled);
    assert_eq!(cfg.settings.notify.per_minute, 6);
}

#[test]
fn notify_section_errors_name_the_value_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(dir.path(), &[]);
    let cases = [
        (
            "[notify]\nenabled = true\nmin_severity = \"info\"\n",
            ":3:",
            "min_severity = \"info\"",
        ),
        (
            "[notify]\nmin_severity = \"Critical\"\n",
            ":2:",
            "\"warning\"",
        ),
        (
            "[notify]\ndesktop = \"yes\"\n",
            ":2:",
            "\"auto\", \"on\", \"off\"",
        ),
        ("[notify]\nper_minute = 0\n", ":2:", "from 1 to 60"),
        ("[notify]\nper_minute = 1000\n", ":2:", "per_minute = 1000"),
        ("[notify]\nsound = true\n", ":2:", "unknown field"),
        ("[notify]\nterminal = \"yes\"\n", ":2:", "invalid type"),
    ];
    assert_config_errors(dir.path(), &env, &cases);
}

#[test]
fn runbook_dirs_flags_first_then_the_config_relative_to_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        dir.path(),
        "[runbooks]\ndirs = [\"team\", \"~/rb\", \"/abs/rb\"]\n",
    );
    let flags = SourceFlags {
        runbooks: vec![PathBuf::from("flagged")],
        ..SourceFlags::default()
    };
    let env = env_with(dir.path(), &[]);
    let cfg = load(&flags, None, &env).unwrap();
    let base = path.parent().unwrap();
    assert_eq!(
        cfg.settings.runbook_dirs,
        [
            PathBuf::from("flagged"),
            base.join("team"),
            env.home().unwrap().join("rb"),
            PathBuf::from("/abs/rb"),
        ]
    );
}

#[test]
fn drift_section_sets_the_fleet_threshold_and_wave_size() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_with(dir.path(), &[]);
    let cfg = load(&SourceFlags::default(), None, &env).unwrap();
    assert_eq!(
        (
            cfg.settings.drift_fleet_threshold,
            cfg.settings.drift_wave_size
        ),
        (3, 3)
    );
    write_config(dir.path(), "[drift]\nfleet_threshold = 5\nwave_size = 10\n");
    let cfg = load(&SourceFlags::default(), None, &env).unwrap();
    assert_eq!(
        (
            cfg.settings.drift_fleet_threshold,
            cfg.settings.drift_wave_size
        ),
        (5, 10)
    );
    assert_config_errors(
        dir.path(),
        &env,
        &[("[drift]\nwave_size = 0\n", ":2:", "out of range")],
    );
}
