//! Property tests of the parsers of what people type: silence matchers (`Matcher::parse`), the
//! alert filter (`AlertFilter::parse`) and the fuzzy text query (`TextQuery`). Any text is
//! parsed or refused with a reason, never a panic; a matcher printed parses back to itself.

use super::alert::Labels;
use super::alerts_view::AlertFilter;
use super::silence::Matcher;
use super::text_match::TextQuery;
use crate::sources::proptests::hostile_string;
use proptest::prelude::*;

/// Typed text: hostile strings, and strings made of the filter language's own pieces.
fn typed() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("=".to_string()),
        Just("!=".to_string()),
        Just("=~".to_string()),
        Just("!~".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just(" ".to_string()),
        Just("(".to_string()),
        Just("[".to_string()),
        Just("*".to_string()),
        Just("severity".to_string()),
        Just("a_1".to_string()),
        "[a-z]{1,6}",
        hostile_string(),
    ];
    prop_oneof![
        hostile_string(),
        proptest::collection::vec(piece, 0..10).prop_map(|v| v.concat()),
    ]
}

fn matcher() -> impl Strategy<Value = Matcher> {
    // Any text: printable, quotes, backslashes, control, format and unassigned characters.
    let plain = proptest::collection::vec(
        prop_oneof![
            "[ -~]".boxed(),
            any::<char>().prop_map(String::from).boxed(),
            Just("\u{18d1f}".to_string()).boxed(),
            Just("\u{200b}".to_string()).boxed(),
            Just("\u{301}".to_string()).boxed(),
            Just("\u{7}".to_string()).boxed(),
            Just("日".to_string()).boxed(),
            Just("é".to_string()).boxed(),
            Just("🔥".to_string()).boxed(),
            Just("\"".to_string()).boxed(),
            Just("\\".to_string()).boxed(),
            Just("\n".to_string()).boxed(),
        ],
        0..16,
    )
    .prop_map(|v| v.concat());
    let value = prop_oneof![
        plain,
        // Valid regexes (and plain values) made of regex pieces.
        proptest::collection::vec(
            prop_oneof![
                Just("a".to_string()),
                Just(".*".to_string()),
                Just("(x|y)".to_string()),
                Just("[0-9]+".to_string()),
                Just("\\.".to_string()),
                Just("\"".to_string()),
                Just(" ".to_string()),
                Just("日".to_string()),
            ],
            0..6
        )
        .prop_map(|v| v.concat()),
    ];
    (
        "[a-zA-Z_][a-zA-Z0-9_]{0,12}",
        value,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(name, value, is_regex, is_equal)| Matcher {
            name,
            value,
            is_regex,
            is_equal,
        })
}

fn labels() -> impl Strategy<Value = Labels> {
    proptest::collection::btree_map("[a-z_]{1,8}", hostile_string(), 0..5)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any text is a matcher or a reason why not; a regex matcher that parsed compiles.
    #[test]
    fn matcher_parse_never_panics(text in typed(), l in labels()) {
        match Matcher::parse(&text) {
            Ok(m) => {
                prop_assert!(!m.name.is_empty());
                let compiled = m.compile();
                let _ = compiled.matches(&l);
            }
            Err(why) => prop_assert!(!why.is_empty()),
        }
    }

    /// What `Display` prints (`name="value"` with the value quoted) parses back to the same
    /// matcher (a regex one when the regex is valid), whatever characters the value holds.
    #[test]
    fn a_printed_matcher_parses_back_to_itself(m in matcher()) {
        let printed = m.to_string();
        match Matcher::parse(&printed) {
            Ok(back) => prop_assert_eq!(back, m, "printed as {}", printed),
            Err(why) => {
                let valid = regex::Regex::new(&format!("^(?:{})$", m.value)).is_ok();
                prop_assert!(m.is_regex && !valid, "{} was refused: {}", printed, why);
            }
        }
    }

    /// Any filter text parses; every token is used, or ignored with its reason.
    #[test]
    fn alert_filter_parse_never_panics(text in typed(), l in labels()) {
        let f = AlertFilter::parse(&text);
        let _ = f.labels_match(&l);
        let _ = super::alerts_view::filter_error(&f);
        for e in &f.errors {
            prop_assert!(!e.is_empty());
        }
    }

    /// The fuzzy text query takes any text and any fields.
    #[test]
    fn text_query_never_panics(text in typed(), fields in proptest::collection::vec(hostile_string(), 0..4)) {
        let mut q = TextQuery::new(&text);
        let _ = q.matches(fields.iter().map(String::as_str));
        prop_assert_eq!(q.is_empty(), text.split_whitespace().next().is_none());
    }
}
