//! Any text in a note, an actor or an alert keeps every timeline row at four cells and the
//! document free of raw HTML and control characters.

use super::markdown;
use super::tests::{Record, alert, assert_inert, declaration, t, unescaped_pipes};
use crate::incident::events;
use crate::model::timeline::EventKind;
use crate::sources::proptests::hostile_string;
use proptest::prelude::*;

proptest! {
    #[test]
    fn any_note_keeps_the_timeline_at_four_columns(
        note in hostile_string(),
        actor in hostile_string(),
        name in hostile_string(),
    ) {
        let mut r = Record::new(&declaration(), "ana", t(12, 0, 0));
        r.push(events::note(&note, &actor, t(12, 1, 0)));
        r.push(alert(EventKind::AlertFiring, &name, "critical", &name, t(12, 2, 0), &note));
        let md = markdown(&r.incident());
        let timeline = md
            .split("## Timeline")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .unwrap();
        let rows: Vec<&str> = timeline.lines().filter(|l| l.starts_with('|')).collect();
        prop_assert!(rows.len() >= 5);
        for row in rows {
            prop_assert_eq!(unescaped_pipes(row), 5, "{:.200}", row);
        }
        assert_inert(&md);
    }
}
