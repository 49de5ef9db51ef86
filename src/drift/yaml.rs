//! Rendering states as YAML (keys sorted: serde_json's map is ordered) and the unified diff of
//! two renderings, every line cleaned of control characters and escape sequences and capped.

use super::{DiffLine, LineKind};
use serde_json::Value;
use similar::{Algorithm, ChangeTag, TextDiff};
use std::time::Duration;

/// A longer line is cut (a minified JSON blob in a ConfigMap): the screen cannot show it anyway.
pub const MAX_LINE_CHARS: usize = 2_000;
/// Lines kept per resource; the counts stay exact past it.
pub const MAX_LINES: usize = 5_000;
/// Lines of context around each change.
const CONTEXT: usize = 3;
/// Myers' worst case on two unrelated megabyte states is slow; past this the diff is coarser
/// but still correct (similar falls back to a cheaper approximation).
const DIFF_TIMEOUT: Duration = Duration::from_millis(500);

/// The object as YAML text. `None` only if the serializer refuses the value.
pub fn render(value: &Value) -> Option<String> {
    serde_yaml_ng::to_string(value).ok()
}

/// The lines of a diff, ready for [`super::ResourceDiff`].
#[derive(Debug, Default)]
pub struct Lines {
    pub lines: Vec<DiffLine>,
    pub hunks: Vec<usize>,
    pub added: u32,
    pub removed: u32,
    /// Lines that were not kept (past [`MAX_LINES`]).
    pub dropped: usize,
}

impl Lines {
    fn push(&mut self, kind: LineKind, text: &str) {
        match kind {
            LineKind::Added => self.added = self.added.saturating_add(1),
            LineKind::Removed => self.removed = self.removed.saturating_add(1),
            LineKind::Hunk | LineKind::Context => {}
        }
        if self.lines.len() >= MAX_LINES {
            self.dropped += 1;
            return;
        }
        if kind == LineKind::Hunk {
            self.hunks.push(self.lines.len());
        }
        self.lines.push(DiffLine {
            kind,
            text: clean(text),
        });
    }

    /// What to say when lines were dropped.
    pub fn note(&self) -> Option<String> {
        (self.dropped > 0).then(|| {
            format!(
                "diff cut at {MAX_LINES} lines ({} more not shown)",
                self.dropped
            )
        })
    }
}

/// A line without its line break, control characters and escape sequences removed, capped.
fn clean(text: &str) -> String {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.len() <= MAX_LINE_CHARS && !crate::sanitize::needs_cleaning(text) {
        return text.to_string();
    }
    let mut out = crate::sanitize::clean_line(text, text.len());
    if let Some((cut, _)) = out.char_indices().nth(MAX_LINE_CHARS) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// The unified diff of `old` (live, or before) and `new` (desired, or after) with 3 lines of
/// context, hunk headers `@@ -a,b +c,d @@` included.
pub fn unified(old: &str, new: &str) -> Lines {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(DIFF_TIMEOUT)
        .diff_lines(old, new);
    let mut out = Lines::default();
    for hunk in diff.unified_diff().context_radius(CONTEXT).iter_hunks() {
        out.push(LineKind::Hunk, &hunk.header().to_string());
        for change in hunk.iter_changes() {
            let kind = match change.tag() {
                ChangeTag::Equal => LineKind::Context,
                ChangeTag::Insert => LineKind::Added,
                ChangeTag::Delete => LineKind::Removed,
            };
            out.push(kind, change.value());
        }
    }
    out
}

/// A whole object as added (missing, or new in a deploy) or removed (extra, or deleted) lines
/// under one hunk header.
pub fn whole(text: &str, kind: LineKind) -> Lines {
    let count = text.lines().count();
    let header = match kind {
        LineKind::Removed => format!("@@ -1,{count} +0,0 @@"),
        _ => format!("@@ -0,0 +1,{count} @@"),
    };
    let mut out = Lines::default();
    out.push(LineKind::Hunk, &header);
    for line in text.lines() {
        out.push(kind, line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_and_the_rendering_is_deterministic() {
        let v = json!({"b": 1, "a": {"z": [1, 2], "c": "x"}});
        let text = render(&v).unwrap();
        assert_eq!(text, "a:\n  c: x\n  z:\n  - 1\n  - 2\nb: 1\n");
        assert_eq!(render(&v), render(&v.clone()));
    }

    #[test]
    fn a_unified_diff_has_hunks_with_three_lines_of_context() {
        let old: String = (0..20).map(|i| format!("line{i}\n")).collect();
        let new = old
            .replace("line2\n", "line2 changed\n")
            .replace("line15\n", "");
        let d = unified(&old, &new);
        assert_eq!(d.hunks.len(), 2);
        assert_eq!(d.lines[0].text, "@@ -1,6 +1,6 @@");
        assert_eq!(d.lines[0].kind, LineKind::Hunk);
        assert_eq!((d.added, d.removed), (1, 2));
        let second = &d.lines[d.hunks[1]];
        assert_eq!(second.text, "@@ -13,7 +13,6 @@");
        let kinds: Vec<_> = d.lines[1..d.hunks[1]].iter().map(|l| l.kind).collect();
        use LineKind::*;
        assert_eq!(
            kinds,
            [Context, Context, Removed, Added, Context, Context, Context]
        );
        assert_eq!(d.lines[3].text, "line2");
        assert_eq!(d.lines[4].text, "line2 changed");
        assert!(d.note().is_none());
    }

    #[test]
    fn equal_texts_have_no_lines() {
        let d = unified("a\nb\n", "a\nb\n");
        assert!(d.lines.is_empty() && d.hunks.is_empty());
    }

    #[test]
    fn lines_are_cleaned_and_capped() {
        let long = "x".repeat(10_000);
        let new = format!("\u{1b}[31mred\u{1b}[0m\u{202e}\n{long}\n");
        let d = unified("", &new);
        assert_eq!(d.lines[1].text, "red");
        assert_eq!(d.lines[2].text.chars().count(), MAX_LINE_CHARS + 1);
        assert!(d.lines[2].text.ends_with('…'));
    }

    #[test]
    fn the_total_is_capped_with_a_note_and_exact_counts() {
        let text: String = (0..12_000).map(|i| format!("l{i}\n")).collect();
        let d = whole(&text, LineKind::Added);
        assert_eq!(d.lines.len(), MAX_LINES);
        assert_eq!(d.added, 12_000);
        assert_eq!(d.lines[0].text, "@@ -0,0 +1,12000 @@");
        assert_eq!(
            d.note().unwrap(),
            "diff cut at 5000 lines (7001 more not shown)"
        );
        let d = unified("", &text);
        assert_eq!(d.lines.len(), MAX_LINES);
        assert_eq!(d.added, 12_000);
    }
}
