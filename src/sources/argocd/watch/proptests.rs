//! Property tests of the watch stream's line parser: any bytes (NDJSON or SSE framed) are a
//! skip, an event, a stream error or garbage, never a panic; an event's app is named.

use super::{Line, parse_line};
use crate::sources::proptests::{hostile_string, json};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_a_line_kind_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_line(&bytes);
        let mut sse = b"data: ".to_vec();
        sse.extend_from_slice(&bytes);
        let _ = parse_line(&sse);
    }

    #[test]
    fn any_json_line_is_a_line_kind_and_events_carry_a_named_app(
        v in json(),
        kind in prop_oneof![Just("ADDED".to_string()), Just("MODIFIED".to_string()),
                            Just("DELETED".to_string()), hostile_string()],
        name in hostile_string(),
    ) {
        let lines = [
            v.clone(),
            serde_json::json!({"result": {"type": kind, "application": v}}),
            serde_json::json!({"result": {"type": kind, "application": {"metadata": {"name": name}}}}),
            serde_json::json!({"error": v}),
        ];
        for line in lines {
            let text = serde_json::to_vec(&line).unwrap();
            for framed in [text.clone(), [b"data:".as_slice(), &text].concat()] {
                if let Line::Event(_, app) = parse_line(&framed) {
                    prop_assert!(!app.metadata.name.is_empty());
                }
            }
        }
    }
}
