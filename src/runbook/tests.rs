//! The parser and the linter on fixtures (`tests/fixtures/runbooks/`) and on generated
//! hostile files: exact structure, exact `line: severity: message`.

use super::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runbooks")
        .join(name)
}

fn lint_lines(runbook: &Runbook) -> Vec<String> {
    lint(runbook)
        .iter()
        .map(|p| format!("{}: {}: {}", p.line, p.severity.as_str(), p.message))
        .collect()
}

fn parse_str(text: &str) -> Runbook {
    parse(Path::new("t.md"), text.as_bytes()).unwrap()
}

fn command(runbook: &Runbook, name: &str) -> Command {
    runbook
        .commands()
        .find(|c| c.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no command {name}"))
        .clone()
}

#[test]
fn each_attribute_form_gives_the_same_command_fields() {
    let r = load(&fixture("attribute-forms.md")).unwrap();
    let json = command(&r, "json");
    assert_eq!(json.kind, CommandKind::Check);
    assert_eq!(json.expect, Some(Expect::Exit0));
    assert!(json.confirm);
    assert_eq!(json.timeout, Some(Duration::from_secs(30)));
    assert_eq!(json.cwd.as_deref(), Some("/tmp"));
    assert_eq!(json.text, r#"kubectl get ns "$NAMESPACE""#);
    assert_eq!((json.line, json.lang.as_str()), (13, "sh"));

    let native = command(&r, "native");
    assert_eq!(native.kind, CommandKind::Action);
    assert!(native.confirm && native.needs_confirmation());
    assert_eq!(native.timeout, Some(Duration::from_secs(90)));

    let html = command(&r, "html");
    assert_eq!(html.kind, CommandKind::Check);
    assert_eq!(html.expect, Some(Expect::Contains("two words".into())));
    assert_eq!(
        html.extra.get("interactive").map(String::as_str),
        Some("false")
    );
    assert!(!html.confirm);

    // A longer tilde fence holds a backtick fence as text.
    let tilde = command(&r, "tilde");
    assert_eq!(tilde.text, "```\necho \"a fence inside is text\"\n```");

    // yaml and console blocks are shown, never run; tasks keep their state.
    let last = r.steps().last().unwrap();
    let bodies: Vec<_> = last.items.iter().map(|i| &i.body).collect();
    assert!(matches!(bodies[0], ItemBody::Code { lang, .. } if lang == "yaml"));
    assert!(matches!(bodies[1], ItemBody::Code { lang, .. } if lang == "console"));
    assert_eq!(
        bodies[2],
        &ItemBody::Task {
            text: "Done by hand".into(),
            done: false
        }
    );
    assert_eq!(
        bodies[3],
        &ItemBody::Task {
            text: "Already done".into(),
            done: true
        }
    );
    assert_eq!(r.commands().count(), 4);
    assert_eq!(
        lint_lines(&r),
        [
            "23: warning: attribute 'interactive' is not used by sitrep (kept)",
            "35: warning: a yaml block never runs: only sh, bash, shell blocks are commands",
        ]
    );
}

#[test]
fn sections_steps_and_stable_keys() {
    let r = load(&fixture("attribute-forms.md")).unwrap();
    assert_eq!(r.title, "Attribute forms");
    assert_eq!(r.alerts, ["AttrTest"]);
    let titles: Vec<_> = r
        .sections
        .iter()
        .map(|s| (s.title.as_str(), s.line))
        .collect();
    assert_eq!(titles, [("Meaning", 8), ("Mitigation", 11)]);
    // Meaning's paragraph sits in an implicit step.
    let meaning = &r.sections[0].steps[0];
    assert!(meaning.is_implicit());
    assert_eq!(meaning.key, "meaning-0");
    assert_eq!(meaning.items[0].key, "meaning-0/0");
    let steps: Vec<_> = r.sections[1]
        .steps
        .iter()
        .map(|s| (s.number, s.title.as_str(), s.key.as_str(), s.line))
        .collect();
    assert_eq!(
        steps,
        [
            (Some(1), "JSON", "step-1", 12),
            (Some(2), "JSON with native types", "step-2", 17),
            (Some(3), "HTML-style", "step-3", 22),
            (Some(4), "Longer fence, tildes", "step-4", 27),
            (Some(5), "Not a command", "step-5", 34),
        ]
    );
    let keys: Vec<_> = r
        .steps()
        .last()
        .unwrap()
        .items
        .iter()
        .map(|i| i.key.as_str())
        .collect();
    assert_eq!(keys, ["step-5/0", "step-5/1", "step-5/2", "step-5/3"]);
    assert_eq!(r.sections[1].steps[0].items[0].key, "json");
}

#[test]
fn duplicate_names_and_numbers_still_get_unique_keys() {
    let r = parse_str(
        "## Meaning\n### 1. A\n```sh {\"name\":\"x\",\"kind\":\"diagnose\"}\ntrue\n```\n### 1. B\n```sh {\"name\":\"x\",\"kind\":\"diagnose\"}\ntrue\n```\n",
    );
    let steps: Vec<_> = r.steps().map(|s| s.key.clone()).collect();
    assert_eq!(steps, ["step-1", "step-1~2"]);
    let items: Vec<_> = r
        .steps()
        .flat_map(|s| s.items.iter().map(|i| i.key.clone()))
        .collect();
    assert_eq!(items, ["x", "x~2"]);
    assert!(
        r.problems
            .iter()
            .any(|p| p.line == 6 && p.message == "step 1 is already numbered at line 2")
    );
    assert!(r.problems.iter().any(|p| p.line == 7
        && p.severity == Severity::Error
        && p.message == "command name 'x' is already used at line 3"));
}

#[test]
fn broken_front_matter_points_at_the_file_line() {
    let r = load(&fixture("broken-front-matter.md")).unwrap();
    assert_eq!(
        lint_lines(&r),
        ["4: error: front matter is not valid YAML: did not find expected ',' or ']'"]
    );
    // The body is still read.
    assert!(r.section("Meaning").is_some());

    let r = load(&fixture("misspelt-var-field.md")).unwrap();
    assert_eq!(
        lint_lines(&r)[0],
        "7: error: front matter: vars.NAMESPACE: unknown field `patern`, expected one of `label`, `pattern`, `default`"
    );

    let r = parse_str("---\ntitle: x\n## Meaning\n");
    assert_eq!(
        r.problems[0].message,
        "front matter opened by --- is never closed (a line with only --- ends it)"
    );
    let r = parse_str("---\nalerts: HighErrorRate\n---\n");
    assert_eq!(r.problems[0].line, 2);
    assert!(
        r.problems[0].message.contains("expected a sequence"),
        "{:?}",
        r.problems
    );
    let r =
        parse_str("---\nrunme: {id: x}\ntitle: 7\nvars:\n  A: {label: a, default: 8080}\n---\n");
    assert_eq!(r.title, "7");
    assert_eq!(r.vars["A"].default.as_deref(), Some("8080"));
    assert_eq!(
        r.problems[0].message,
        "front matter key 'runme' is not used by sitrep (known: title, alerts, services, vars)"
    );
}

#[test]
fn an_unterminated_fence_runs_to_the_end_of_the_file() {
    let r = load(&fixture("unterminated-fence.md")).unwrap();
    assert_eq!(
        lint_lines(&r),
        ["11: warning: code block is never closed: it runs to the end of the file"]
    );
    let open = command(&r, "open");
    assert_eq!(
        open.text,
        "kubectl get pods\n### 2. Still inside the fence\n"
    );
    assert_eq!(r.section("Mitigation").unwrap().steps.len(), 1);
}

#[test]
fn every_lint_rule_at_its_line() {
    let r = load(&fixture("lint-rules.md")).unwrap();
    let strict = vars::DEFAULT_PATTERN;
    assert_eq!(
        lint_lines(&r),
        [
            "1: error: no '## Mitigation' section".to_string(),
            format!("5: warning: var NAMESPACE has no pattern: the strict default {strict} applies"),
            "6: error: var BAD: pattern is not a valid regex: unclosed group".into(),
            "7: warning: var UNUSED is declared but no command uses it".into(),
            "8: error: var PATH may not be declared: the shell and the programs it runs use it".into(),
            "9: error: var NOVALUE has neither a label nor a default: it can never have a value".into(),
            "10: error: var PORT: default 'http' does not match ^[0-9]+$".into(),
            "19: error: $NAMESPACE is unquoted: the shell would split and glob its value; write \"$NAMESPACE\"".into(),
            "20: error: $NAMESPACE is in single quotes or a quoted heredoc: it will not expand; write \"$NAMESPACE\"".into(),
            "21: error: $UNDECLARED is not declared in the front matter's vars".into(),
            "21: error: $SITREP_NOPE is not a variable sitrep provides (SITREP_ALERTMANAGER_URL, SITREP_PROMETHEUS_URL, SITREP_ARGOCD_URL)".into(),
            "23: warning: $pod is unquoted: write \"$pod\"".into(),
            "27: error: unknown kind 'destroy': diagnose, check or action; the block will not run".into(),
            "30: warning: check without expect: it passes on exit status 0; say \"expect\":\"exit0\" or \"contains:TEXT\"".into(),
            "33: warning: action without \"confirm\":true (sitrep asks before every action anyway: say so)".into(),
            "36: warning: command has no kind: treated as an action (confirmed before it runs); say \"kind\":\"diagnose\", \"check\" or \"action\"".into(),
            "36: warning: action without \"confirm\":true (sitrep asks before every action anyway: say so)".into(),
        ]
    );
    // A broken pattern refuses every value, never accepts any.
    assert!(r.vars["BAD"].validate("a").is_err());
    assert!(r.vars["BAD"].validate("").is_err());
    // The block with an unknown kind is shown, not run.
    assert_eq!(
        r.commands()
            .filter(|c| c.name.as_deref() == Some("kind"))
            .count(),
        0
    );
}

#[test]
fn crlf_and_a_byte_order_mark_read_like_plain_lines() {
    let plain = "---\ntitle: T\nalerts: [A]\n---\n## Meaning\n### 1. S\n```sh {\"name\":\"c\",\"kind\":\"diagnose\"}\necho \"$HOME\"\n```\n";
    let crlf = format!("\u{feff}{}", plain.replace('\n', "\r\n"));
    let a = parse_str(plain);
    let b = parse(Path::new("t.md"), crlf.as_bytes()).unwrap();
    assert_eq!(b.title, "T");
    assert_eq!(command(&a, "c"), command(&b, "c"));
    assert_eq!(command(&b, "c").text, "echo \"$HOME\"");
    assert_eq!(lint_lines(&a), lint_lines(&b));
}

#[test]
fn invalid_utf8_is_read_lossily_with_a_warning() {
    let r = parse(Path::new("t.md"), b"## Meaning\nok\n\xff\xfe bad\n").unwrap();
    assert_eq!(r.problems[0].line, 3);
    assert_eq!(r.problems[0].severity, Severity::Warning);
    assert!(r.problems[0].message.contains("not valid UTF-8"));
}

#[test]
fn a_one_megabyte_file_is_read_and_a_larger_one_refused() {
    // About 5,000 steps: under the step cap, so the size limit is what is tested.
    let step = format!(
        "### 1. Step\n{}\n```sh {{\"kind\":\"diagnose\"}}\necho hi\n```\n- [ ] task\n\n",
        "prose ".repeat(20)
    );
    let mut text = String::from("## Meaning\n");
    while text.len() + step.len() <= MAX_BYTES {
        text.push_str(&step);
    }
    text.push_str(&"x".repeat(MAX_BYTES - text.len()));
    assert_eq!(text.len(), MAX_BYTES);
    let r = parse(Path::new("big.md"), text.as_bytes()).unwrap();
    assert!(r.steps().count() > 1000);

    text.push('x');
    let refused = parse(Path::new("big.md"), text.as_bytes()).unwrap_err();
    assert_eq!(
        refused.message,
        "the file is 1048577 bytes; runbooks are limited to 1 MB (1048576 bytes)"
    );
    // From disk: the same refusal, without reading more than the limit.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.md");
    std::fs::write(&path, &text).unwrap();
    assert_eq!(load(&path).unwrap_err().message, refused.message);
}

#[test]
fn ten_thousand_steps_are_read_and_one_more_refused() {
    let steps = |n: usize| {
        let mut t = String::from("## Meaning\n");
        for i in 1..=n {
            t.push_str(&format!("### {i}. S\n"));
        }
        t
    };
    let r = parse_str(&steps(MAX_STEPS));
    assert_eq!(r.steps().count(), MAX_STEPS);
    let refused = parse(Path::new("t.md"), steps(MAX_STEPS + 1).as_bytes()).unwrap_err();
    assert_eq!(refused.line, MAX_STEPS + 2);
    assert_eq!(
        refused.message,
        "more than 10000 steps: the runbook is refused"
    );
}

#[test]
fn deep_nesting_is_just_text() {
    let mut text = String::from("## Meaning\n");
    text.push_str(&"> ".repeat(100_000));
    text.push('\n');
    text.push_str(&"- ".repeat(100_000));
    text.push('\n');
    text.push_str(&"[".repeat(100_000));
    text.push('\n');
    let r = parse_str(&text);
    assert_eq!(r.sections.len(), 1);
}

#[test]
fn a_fifo_or_directory_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(load(dir.path()).unwrap_err().message, "not a regular file");
    assert!(
        load(&dir.path().join("missing.md"))
            .unwrap_err()
            .message
            .starts_with("cannot read")
    );
}

#[test]
fn show_prints_steps_commands_and_vars_without_control_characters() {
    let r = parse_str(
        "---\ntitle: \"Evil\\e[31m title\"\nalerts: [A]\nvars:\n  NS: {label: \"name\\u0007space\", pattern: \"^[a-z]+$\"}\n---\n## Meaning\nText \u{1b}]0;pwned\u{7} here\n## Mitigation\n### 1. Roll back\n```sh {\"name\":\"rb\",\"kind\":\"action\",\"confirm\":true}\nargocd app rollback \"$NS\" \u{1b}[2J\n```\n- [ ] tick\n",
    );
    let text = cli::render(&r);
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    for want in [
        "Evil title",
        "  vars      NS  label namespace  pattern ^[a-z]+$",
        "## Meaning",
        "   Text  here",
        " 1. Roll back",
        "    ▸ action rb · confirm",
        "      $ argocd app rollback \"$NS\" ",
        "    [ ] tick",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
}

#[test]
fn find_by_name_matches_stem_then_title_then_alert() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, title: &str, alert: &str| {
        std::fs::write(
            dir.path().join(name),
            format!("---\ntitle: {title}\nalerts: [{alert}]\n---\n## Meaning\n"),
        )
        .unwrap();
    };
    write("a.md", "Latency", "SloBurn");
    write("b.md", "Other", "Latency");
    write("latency.md", "Third", "X");
    std::fs::write(dir.path().join("README.md"), "not a runbook").unwrap();
    let found = find_by_name("latency", &[dir.path().to_path_buf()]);
    let order: Vec<_> = found
        .iter()
        .map(|(how, r)| {
            (
                *how,
                r.source.file_name().unwrap().to_string_lossy().into_owned(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            (NameMatch::FileStem, "latency.md".to_string()),
            (NameMatch::Title, "a.md".to_string()),
            (NameMatch::Alert, "b.md".to_string()),
        ]
    );
    assert_eq!(files_in(dir.path()).unwrap().len(), 3);
}

#[test]
fn a_megabyte_of_vars_and_commands_is_linted_in_one_pass_each() {
    let mut text = String::from("---\nalerts: [A]\nvars:\n");
    for i in 0..15_000 {
        text.push_str(&format!("  V{i}: {{label: l, pattern: \"^a$\"}}\n"));
    }
    text.push_str("---\n## Meaning\n## Mitigation\n");
    while text.len() < MAX_BYTES - 100 {
        text.push_str("```sh {\"kind\":\"diagnose\"}\necho \"$V1\"\n```\n");
    }
    let r = parse_str(&text);
    assert_eq!(r.vars.len(), 15_000);
    assert_eq!(r.vars["V14999"].line, 15_003);
    let problems = lint(&r);
    assert_eq!(
        problems
            .iter()
            .filter(|p| p.message.ends_with("no command uses it"))
            .count(),
        14_999
    );
}
