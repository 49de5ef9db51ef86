//! Property tests: any text splits and parses into documents or problems, never a panic; and
//! the nesting guard never says less than libyaml really nests.

use super::documents::{parse, split};
use super::guard::flow_depth;
use crate::sources::proptests::hostile_string;
use proptest::prelude::*;

/// Lines built from what the splitter and YAML care about, with hostile text between them.
fn yamlish() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("---".to_string()),
        Just("...".to_string()),
        Just("--- {kind: A}".to_string()),
        Just("%YAML 1.2".to_string()),
        Just("apiVersion: backstage.io/v1alpha1".to_string()),
        Just("kind: Component".to_string()),
        Just("metadata:".to_string()),
        Just("  name: x".to_string()),
        Just("  a: &a [1, {b: *a}]".to_string()),
        Just("  b: *a".to_string()),
        Just("  c: !Tag {x: [\"]\", '}']}".to_string()),
        Just("  d: |".to_string()),
        Just("    [[[ ' \" #".to_string()),
        Just("- ".to_string()),
        Just("? ".to_string()),
        Just("\t".to_string()),
        Just("\u{feff}".to_string()),
        hostile_string(),
    ];
    proptest::collection::vec(line, 0..40).prop_map(|lines| lines.join("\n"))
}

/// A flow-only document built from tokens that confuse a naive bracket counter.
fn flowish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        4 => Just("[".to_string()),
        4 => Just("{".to_string()),
        3 => Just("]".to_string()),
        3 => Just("}".to_string()),
        1 => Just(", ".to_string()),
        1 => Just(": ".to_string()),
        1 => Just("? ".to_string()),
        1 => Just("a".to_string()),
        1 => Just("a:b".to_string()),
        1 => Just("'x]}'".to_string()),
        1 => Just("'it''s ]'".to_string()),
        1 => Just("\"y}\\\"]\"".to_string()),
        1 => Just("# ]}\n".to_string()),
        1 => Just("#".to_string()),
        1 => Just("\n".to_string()),
        1 => Just("\u{2028}".to_string()),
        1 => Just(" ".to_string()),
        1 => Just("\t".to_string()),
        1 => Just("&n ".to_string()),
        1 => Just("!t ".to_string()),
        1 => Just("!<x[]> ".to_string()),
        1 => Just("!!str ".to_string()),
        1 => Just("'".to_string()),
        1 => Just("\"".to_string()),
        1 => Just("-".to_string()),
        1 => Just("- ".to_string()),
    ];
    proptest::collection::vec(token, 0..40).prop_map(|t| format!("[{}", t.concat()))
}

/// A well-formed flow document whose scalars, comments and tags hold brackets.
fn flow_tree() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_string()),
        Just("a:b".to_string()),
        Just("a#b".to_string()),
        Just("-x".to_string()),
        Just("'x]}'".to_string()),
        Just("'it''s ]'".to_string()),
        Just("\"y}\\\"]\"".to_string()),
        Just("\"\\\n ]\"".to_string()),
        Just("!t a".to_string()),
        Just("&n a".to_string()),
        Just("!<x[]> a".to_string()),
        Just("!!str '}'".to_string()),
    ];
    let sep = prop_oneof![
        Just(", ".to_string()),
        Just(",\n".to_string()),
        Just(", # ]} [[\n".to_string()),
        Just(",\u{2028}".to_string()),
        Just("\t,\t".to_string()),
    ];
    leaf.prop_recursive(6, 64, 5, move |inner| {
        let sep = sep.clone();
        prop_oneof![
            (proptest::collection::vec(inner.clone(), 0..5), sep.clone())
                .prop_map(|(items, sep)| format!("[{}]", items.join(&sep))),
            (proptest::collection::vec(inner, 0..5), sep).prop_map(|(items, sep)| {
                let pairs: Vec<String> = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!("k{i}: {v}"))
                    .collect();
                format!("{{{}}}", pairs.join(&sep))
            }),
        ]
    })
}

/// How many flow levels a parsed value surely took (keys included): a one-pair mapping in a
/// sequence may be written without braces (`[a: b]`), so it counts for nothing.
fn depth(v: &serde_yaml_ng::Value) -> usize {
    use serde_yaml_ng::Value as V;
    let inner = |v: &V| match v {
        V::Mapping(m) if m.len() == 1 => m
            .iter()
            .map(|(k, v)| depth(k).max(depth(v)))
            .max()
            .unwrap_or(0),
        v => depth(v),
    };
    match v {
        V::Sequence(s) => 1 + s.iter().map(inner).max().unwrap_or(0),
        V::Mapping(m) => {
            1 + m
                .iter()
                .map(|(k, v)| depth(k).max(depth(v)))
                .max()
                .unwrap_or(0)
        }
        V::Tagged(t) => depth(&t.value),
        _ => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_text_splits_and_parses_without_panic(text in yamlish()) {
        let lines = text.split('\n').count();
        for chunk in split(&text) {
            prop_assert!(chunk.first_line <= chunk.line && chunk.line <= lines);
            if let Err(broken) = parse(&chunk) {
                prop_assert!(broken.line >= chunk.first_line && broken.line <= lines + 1, "{broken:?}");
            }
        }
    }

    #[test]
    fn any_bytes_load_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("catalog-info.yaml");
        std::fs::write(&file, &bytes).unwrap();
        let c = super::load(&file, &super::LocalLimits::default());
        for p in &c.problems {
            prop_assert!(!p.to_string().chars().any(char::is_control));
        }
    }

    #[test]
    fn guard_never_underestimates_well_formed(text in flow_tree()) {
        let bound = flow_depth(&text, 200);
        let v = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text);
        prop_assert!(v.is_ok(), "{v:?} {text:?}");
        let real = depth(&v.unwrap());
        prop_assert!(bound.as_ref().is_ok_and(|&b| b >= real), "{bound:?} < {real} for {text:?}");
    }

    /// Soundness of the guard: whenever libyaml accepts a flow document, the guard's bound is
    /// at least its real depth.
    #[test]
    fn guard_never_underestimates(text in flowish()) {
        let bound = flow_depth(&text, 200);
        if let Ok(v) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text) {
            // `[a]: b` is a block mapping (no flow level) keyed by a flow sequence.
            let real = match &v {
                serde_yaml_ng::Value::Mapping(m) => {
                    m.iter().map(|(k, v)| depth(k).max(depth(v))).max().unwrap_or(0)
                }
                v => depth(v),
            };
            prop_assert!(bound.as_ref().is_ok_and(|&b| b >= real), "{bound:?} < {real} for {text:?}");
        }
    }
}
