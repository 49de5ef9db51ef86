//! The command line tells the truth: help texts, what `check` says with nothing configured, and
//! how the one-shot commands behave when whoever reads their output goes away.

use clap::CommandFactory;
use std::process::{Command, Output, Stdio};

/// The binary in an empty home: no config file, no amtool or argocd CLI config, no tokens.
fn sitrep(home: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitrep"));
    cmd.args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("SITREP_CONFIG")
        .env_remove("ARGOCD_AUTH_TOKEN")
        .env_remove("ARGOCD_SERVER")
        .env_remove("ARGOCD_CONFIG_DIR")
        .env_remove("SITREP_LOG")
        .stdin(Stdio::null());
    cmd
}

fn run(args: &[&str]) -> (Output, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let out = sitrep(home.path(), args).output().unwrap();
    (out, home)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn every_option_of_every_subcommand_says_what_it_does() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            if arg.get_help().is_none() && !arg.is_positional() {
                missing.push(format!("{path} --{}", arg.get_id()));
            }
        }
        for sub in cmd.get_subcommands() {
            if sub.get_about().is_none() {
                missing.push(format!("{path} {} (no about)", sub.get_name()));
            }
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    let mut cmd = sitrep::cli::Cli::command();
    cmd.build();
    walk(&cmd, "sitrep", &mut missing);
    assert!(missing.is_empty(), "undocumented: {missing:?}");
}

#[test]
fn help_describes_what_exists_now() {
    let mut all = String::new();
    for args in [
        &["--help"][..],
        &["snapshot", "--help"],
        &["check", "--help"],
        &["demo", "--help"],
        &["demo", "serve", "--help"],
        &["demo", "screenshots", "--help"],
    ] {
        let (out, _home) = run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        all.push_str(&stdout(&out));
    }
    // Rollbacks and syncs exist; read-only removes them too.
    assert!(!all.contains("later"), "{all}");
    assert!(
        all.contains("No mutations at all: silencing, expiring silences, rollbacks, syncs"),
        "{all}"
    );
    // The demo emulates Argo CD as well.
    assert!(
        !all.contains("emulated Alertmanager and Prometheus on loopback)"),
        "{all}"
    );
    assert!(
        all.contains("emulated Alertmanager, Prometheus and Argo CD on loopback"),
        "{all}"
    );
    // What the tool is, and what its exit status means.
    let (top, _home) = run(&["--help"]);
    let top = stdout(&top);
    assert!(top.contains("Argo CD apps"), "{top}");
    // Incidents are not there yet: the timeline is not called one.
    assert!(!top.contains("incident timeline"), "{top}");
    assert!(top.contains("128+N when signal N ended sitrep"), "{top}");
    assert!(top.contains("for scripts use `sitrep snapshot`"), "{top}");
}

#[test]
fn check_with_no_sources_says_where_it_looked_and_what_to_write() {
    let (out, home) = run(&["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stdout(&out);
    let config = home.path().join("config/sitrep/config.toml");
    for needle in [
        "no sources configured",
        &format!("{}: not found", config.display()),
        "amtool config    not found",
        "/etc/amtool/config.yml",
        "argocd CLI       not found",
        "sitrep --alertmanager http://localhost:9093 --argocd https://argocd.example.com",
        "[[alertmanager]]\n  url = \"http://localhost:9093\"",
        "[[argocd]]",
        "$ARGOCD_AUTH_TOKEN",
        "sitrep --demo",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // The same explanation where the dashboard and snapshot stop for the same reason.
    let (out, _home) = run(&["snapshot"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("amtool config    not found"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_config_file_without_sources_is_named_as_read() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/sitrep");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "author = \"alice\"\n").unwrap();
    let out = sitrep(home.path(), &["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "{}: read; it has no [[alertmanager]], [[prometheus]] or [[argocd]] entry",
            dir.join("config.toml").display()
        )),
        "{text}"
    );
}

#[test]
fn the_dashboard_without_a_terminal_says_so() {
    // stdin is /dev/null and stdout a pipe here: neither is a terminal.
    let (out, _home) = run(&["--demo"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("sitrep: the dashboard needs a terminal (neither stdin nor stdout is a terminal); for scripts use `sitrep snapshot`"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
    assert!(stdout(&out).is_empty(), "nothing drawn on a pipe");
}

/// Run with stdout a pipe whose reader is already gone.
fn into_a_closed_pipe(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut child = sitrep(home.path(), args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn snapshot_and_check_into_a_closed_pipe_stop_quietly() {
    for args in [&["--demo", "snapshot"][..], &["--demo", "check"]] {
        let out = into_a_closed_pipe(args);
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        // What a process ended by SIGPIPE would report.
        assert_eq!(out.status.code(), Some(141), "{args:?}: {err}");
    }
}

#[test]
fn demo_subcommands_refuse_flags_they_would_ignore() {
    let (out, _home) = run(&["demo", "serve", "--alertmanager", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--alertmanager does not apply to `sitrep demo serve`"),
        "{err}"
    );
    let (out, _home) = run(&["demo", "screenshots", "--demo-speed", "10"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--demo-speed does not apply to `sitrep demo screenshots`"),
        "{}",
        stderr(&out)
    );
    let (out, _home) = run(&["demo", "screenshots", "--theme", "light"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--theme does not apply to `sitrep demo screenshots`"),
        "{}",
        stderr(&out)
    );
}

/// `sitrep demo serve` runs until a signal stops it; its exit status says which (128 + n).
#[test]
fn demo_serve_exit_status_names_the_signal() {
    use std::io::{BufRead, BufReader};
    for (signal, status) in [
        (libc::SIGTERM, 143),
        (libc::SIGHUP, 129),
        (libc::SIGINT, 130),
    ] {
        let home = tempfile::tempdir().unwrap();
        let mut child = sitrep(home.path(), &["demo", "serve"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Serving once the URLs are printed (bounded by the test harness, not timed).
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        assert!(
            first.starts_with("alertmanager http://127.0.0.1:"),
            "{first}"
        );
        unsafe { libc::kill(child.id() as i32, signal) };
        let code = child.wait().unwrap().code();
        assert_eq!(code, Some(status), "after signal {signal}");
    }
}
