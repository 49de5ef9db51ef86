//! Property tests of the keymap parser (`KeySpec::parse`): any text is a key or a reason why
//! not, and a key's label (what help and hints show, and `keys_for` returns) parses back.

use super::keymap::KeySpec;
use crate::sources::proptests::hostile_string;
use crossterm::event::KeyModifiers;
use proptest::prelude::*;

/// Key specs as people write them in `[keys]`, and hostile text.
fn spec_text() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        "[a-zA-Z0-9/?:;,.<>!@#$%^&*()_+=-]",
        Just("enter".to_string()),
        Just("return".to_string()),
        Just("esc".to_string()),
        Just("tab".to_string()),
        Just("backtab".to_string()),
        Just("space".to_string()),
        Just("up".to_string()),
        Just("down".to_string()),
        Just("left".to_string()),
        Just("right".to_string()),
        Just("home".to_string()),
        Just("end".to_string()),
        Just("pgup".to_string()),
        Just("pagedown".to_string()),
        Just("backspace".to_string()),
        Just("del".to_string()),
        (0u8..=255).prop_map(|n| format!("f{n}")),
        any::<char>().prop_map(String::from),
    ];
    let prefix = proptest::collection::vec(
        prop_oneof![
            Just("ctrl-"),
            Just("c-"),
            Just("alt-"),
            Just("m-"),
            Just("CTRL-")
        ],
        0..3,
    );
    prop_oneof![
        3 => (prefix, name).prop_map(|(p, n)| format!("{}{n}", p.concat())),
        1 => hostile_string(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_a_key_or_a_reason(text in spec_text()) {
        match KeySpec::parse(&text) {
            Ok(k) => prop_assert!(!(k.mods - (KeyModifiers::CONTROL | KeyModifiers::ALT)).contains(KeyModifiers::SHIFT)),
            Err(why) => prop_assert!(why.contains("is not a key"), "{why}"),
        }
    }

    /// The label of a parsed key parses back to the same key (arrows `↑`… and `shift-tab`
    /// included: help shows labels, and `[keys]` may be written from them).
    #[test]
    fn a_key_label_parses_back(text in spec_text()) {
        if let Ok(key) = KeySpec::parse(&text) {
            let label = key.label();
            prop_assert_eq!(KeySpec::parse(&label), Ok(key), "{:?} labelled {:?}", text, label);
        }
    }
}
