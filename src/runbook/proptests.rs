//! Property tests of the runbook parser and linter: any bytes, any Markdown-ish text and any
//! attribute text give a runbook or a refusal, never a panic; a command's text is kept as
//! written.

use super::{attrs, lint, parse, vars};
use crate::sources::proptests::hostile_string;
use proptest::prelude::*;
use std::path::Path;

/// Lines built from the constructs the parser looks for, with hostile text between them.
fn markdownish() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("---".to_string()),
        Just("title: x".to_string()),
        Just("vars:".to_string()),
        Just("  A: {label: a, pattern: \"^[a-z]+$\"}".to_string()),
        Just("  B: {label: [".to_string()),
        Just("## Meaning".to_string()),
        Just("## Mitigation".to_string()),
        Just("### 1. Step".to_string()),
        Just("### 99999999999. Step".to_string()),
        Just("###".to_string()),
        Just("- [ ] task".to_string()),
        Just("  - [x] done".to_string()),
        Just("```sh {\"name\":\"a\",\"kind\":\"check\",\"expect\":\"exit0\"}".to_string()),
        Just("~~~~bash { name=\"b c\" kind=action confirm }".to_string()),
        Just("```sh {\"timeout\":\"99999999999h\"}".to_string()),
        Just("```".to_string()),
        Just("~~~~".to_string()),
        Just("echo \"$A\" $B '$A' $(echo ${A:-x}) `x` <<EOF".to_string()),
        Just("EOF".to_string()),
        Just("> > > > > - - - [ [ [".to_string()),
        Just("\r".to_string()),
        Just("\u{feff}".to_string()),
        hostile_string(),
    ];
    proptest::collection::vec(line, 0..60).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_parse_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(r) = parse(Path::new("x.md"), &bytes) {
            let _ = lint(&r);
            let _ = super::cli::render(&r);
        }
    }

    #[test]
    fn markdownish_text_parses_lints_and_renders(text in markdownish()) {
        let r = parse(Path::new("x.md"), text.as_bytes()).unwrap();
        let problems = lint(&r);
        for p in &problems {
            prop_assert!(p.line <= text.split('\n').count(), "{p:?}");
        }
        let shown = super::cli::render(&r);
        prop_assert!(!shown.chars().any(|c| c.is_control() && c != '\n'));
        // Keys are unique: step state can never land on the wrong step.
        let mut keys = std::collections::BTreeSet::new();
        for step in r.steps() {
            prop_assert!(keys.insert(step.key.clone()), "{}", step.key);
            for item in &step.items {
                prop_assert!(keys.insert(item.key.clone()), "{}", item.key);
            }
        }
    }

    #[test]
    fn a_command_is_kept_byte_for_byte(body in proptest::collection::vec("[^`~\n\r]{0,40}", 0..8)) {
        let body = body.join("\n");
        let text = format!("## Meaning\n```sh {{\"name\":\"c\",\"kind\":\"diagnose\"}}\n{body}\n```\n");
        let r = parse(Path::new("x.md"), text.as_bytes()).unwrap();
        let c = r.commands().next().unwrap();
        prop_assert_eq!(&c.text, &body);
    }

    #[test]
    fn any_attribute_text_is_attributes_or_a_reason(text in hostile_string()) {
        let _ = attrs::parse(&format!("{{{text}}}"));
        let _ = attrs::parse(&text);
        let _ = attrs::split_info(&text);
    }

    #[test]
    fn any_command_text_is_scanned(text in hostile_string()) {
        let refs = vars::references(&text);
        let lines = text.split('\n').count();
        for r in refs {
            prop_assert!(r.line < lines);
        }
        let _ = vars::assigned_names(&text);
    }

    #[test]
    fn any_pattern_compiles_or_says_why(text in hostile_string()) {
        if let Ok(re) = vars::compile(&text) {
            let _ = re.is_match(&text);
        }
    }
}
