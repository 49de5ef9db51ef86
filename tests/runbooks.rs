//! `sitrep runbook lint|show` through the real binary: the shipped runbooks pass lint (this is
//! the CI gate for them), problems come out as `file:line: severity: message` with status 1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary in `cwd`, in an empty home (no config, no user runbooks).
fn sitrep(cwd: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sitrep"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("SITREP_CONFIG")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn shipped_runbooks_pass_lint_without_warnings() {
    let home = tempfile::tempdir().unwrap();
    let out = sitrep(&repo(), home.path(), &["runbook", "lint"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // Warnings are not fatal, but the runbooks we ship have none.
    assert_eq!(text(&out.stdout), "");
    let count = std::fs::read_dir(repo().join("runbooks"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "md")
        })
        .count();
    assert!(count >= 8, "{count}");
    assert_eq!(
        text(&out.stderr),
        format!("{count} runbooks: 0 errors, 0 warnings\n")
    );
}

#[test]
fn the_shipped_runbooks_cover_the_issue_list() {
    let home = tempfile::tempdir().unwrap();
    for alert in [
        "HighErrorRate",
        "KubePodCrashLooping",
        "ArgoCdAppDegraded",
        "ArgoCdAppsOutOfSync",
        "LatencySLOBurnRate",
        "KubeDeploymentRolloutStuck",
        "CertManagerCertExpirySoon",
        "TargetDown",
    ] {
        let out = sitrep(&repo(), home.path(), &["runbook", "show", alert]);
        assert_eq!(out.status.code(), Some(0), "{alert}: {}", text(&out.stderr));
        let shown = text(&out.stdout);
        for section in [
            "## Meaning",
            "## Impact",
            "## Diagnosis",
            "## Mitigation",
            "## Verify",
        ] {
            assert!(
                shown.contains(section),
                "{alert} has no {section}:\n{shown}"
            );
        }
        for kind in ["▸ diagnose", "▸ check"] {
            assert!(shown.contains(kind), "{alert} has no {kind}:\n{shown}");
        }
    }
}

#[test]
fn problems_are_file_line_severity_message_and_errors_exit_1() {
    let home = tempfile::tempdir().unwrap();
    let out = sitrep(
        &repo(),
        home.path(),
        &[
            "runbook",
            "lint",
            "tests/fixtures/runbooks/unterminated-fence.md",
            "tests/fixtures/runbooks/broken-front-matter.md",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "tests/fixtures/runbooks/unterminated-fence.md:11: warning: code block is never closed: it runs to the end of the file\n\
         tests/fixtures/runbooks/broken-front-matter.md:4: error: front matter is not valid YAML: did not find expected ',' or ']'\n"
    );
    assert_eq!(text(&out.stderr), "2 runbooks: 1 error, 1 warning\n");

    // Warnings alone pass.
    let out = sitrep(
        &repo(),
        home.path(),
        &[
            "runbook",
            "lint",
            "tests/fixtures/runbooks/attribute-forms.md",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn lint_without_paths_outside_a_checkout_says_what_to_pass() {
    let home = tempfile::tempdir().unwrap();
    let out = sitrep(home.path(), home.path(), &["runbook", "lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no runbooks/ directory here; name the runbooks to lint"),
        "{}",
        text(&out.stderr)
    );
    let out = sitrep(home.path(), home.path(), &["runbook", "lint", "missing.md"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with("missing.md: error: cannot read: "));
}

#[test]
fn show_finds_user_runbooks_and_strips_control_characters() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/sitrep/runbooks");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("mine.md"),
        "---\ntitle: \"Mine\\e]0;owned\\a\"\nalerts: [MyAlert]\n---\n## Meaning\nx\u{1b}[2Jy\n",
    )
    .unwrap();
    let out = sitrep(home.path(), home.path(), &["runbook", "show", "MyAlert"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.starts_with("Mine\n"), "{shown:?}");
    assert!(shown.contains("   xy\n"), "{shown:?}");
    assert!(
        !shown.chars().any(|c| c.is_control() && c != '\n'),
        "{shown:?}"
    );

    // --runbooks DIR is looked in first.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(
        other.path().join("mine.md"),
        "---\ntitle: From the flag\nalerts: [MyAlert]\n---\n## Meaning\n",
    )
    .unwrap();
    let flag = other.path().to_str().unwrap();
    let out = sitrep(
        home.path(),
        home.path(),
        &["runbook", "show", "mine", "--runbooks", flag],
    );
    assert!(
        text(&out.stdout).starts_with("From the flag\n"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("also matching:"),
        "{}",
        text(&out.stderr)
    );

    let out = sitrep(
        home.path(),
        home.path(),
        &["runbook", "show", "nothing-like-it"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no runbook named 'nothing-like-it'"));
}

/// Every file of `runbooks/` is built into the binary (an installed sitrep has them).
#[test]
fn every_shipped_runbook_is_built_in() {
    let mut files: Vec<String> = std::fs::read_dir("runbooks")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && !n.eq_ignore_ascii_case("README.md"))
        .collect();
    files.sort();
    let mut built: Vec<String> = sitrep::runbook::shipped::SHIPPED
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    built.sort();
    assert_eq!(files, built);
}
