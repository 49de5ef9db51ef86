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

/// The object as YAML text, for reading (never parsed back): block style, keys in
/// serde_json's (sorted) order, a scalar plain when YAML would read it back as the same string,
/// else double-quoted; multi-line strings as `|-` blocks so a config file's lines diff one by one.
/// Written by hand because it runs on megabyte states: serde_yaml's emitter took two thirds of a
/// 1 MB diff. `None` never happens (kept for the callers' note); deep nesting is bounded by
/// serde_json's parse depth (128).
pub fn render(value: &Value) -> Option<String> {
    let mut out = String::with_capacity(4096);
    match value {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        scalar => {
            write_scalar(&mut out, scalar, 0);
            out.push('\n');
        }
    }
    Some(out)
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, at: usize) {
    for (i, (k, v)) in map.iter().enumerate() {
        // The first key of a sequence item shares the `- ` line.
        if i > 0 {
            indent(out, at);
        }
        write_string(out, k, at);
        out.push(':');
        write_value_after_key(out, v, at);
    }
}

fn write_seq(out: &mut String, seq: &[Value], at: usize) {
    for (i, v) in seq.iter().enumerate() {
        if i > 0 {
            indent(out, at);
        }
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => write_map(out, m, at + 2),
            Value::Array(a) if !a.is_empty() => write_seq(out, a, at + 2),
            scalar => {
                write_scalar(out, scalar, at + 2);
                out.push('\n');
            }
        }
    }
}

/// After `key:`: a nested block on the next lines, or ` scalar`.
fn write_value_after_key(out: &mut String, v: &Value, at: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, at + 2);
            write_map(out, m, at + 2);
        }
        // Sequences sit at their key's indentation, as kubectl prints them.
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            indent(out, at);
            write_seq(out, a, at);
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar, at + 2);
            out.push('\n');
        }
    }
}

fn write_scalar(out: &mut String, v: &Value, block_indent: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s, block_indent),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
}

/// A string as YAML would read it back: plain, a `|-` block (multi-line text), or quoted.
fn write_string(out: &mut String, s: &str, block_indent: usize) {
    if is_plain(s) {
        out.push_str(s);
    } else if s.contains('\n') && block_safe(s) {
        out.push_str("|-");
        for line in s.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                indent(out, block_indent);
                out.push_str(line);
            }
        }
    } else {
        // JSON's quoting is YAML's double-quoted style.
        out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string()));
    }
}

/// Text a `|-` block shows as it is: no other control characters, no leading space on the
/// first line (it would change the block's indentation), no trailing newline lost.
fn block_safe(s: &str) -> bool {
    !s.starts_with(' ')
        && !s.ends_with('\n')
        && !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// A plain scalar YAML reads back as this same string. One pass over the bytes: it runs on
/// every key and value of megabyte states.
fn is_plain(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if first == b' ' || last == b' ' || last == b':' {
        return false;
    }
    let indicator = b"-?:,[]{}#&*!|>'\"%@`".contains(&first);
    // `-v`, `-Xmx512m` read back as strings; `- x` and `-5` do not.
    let dash_word = first == b'-' && bytes.len() > 1 && bytes[1] != b' ';
    if indicator && !dash_word {
        return false;
    }
    let mut prev = 0u8;
    for &b in bytes {
        if b < 0x20 || b == 0x7f || (prev == b':' && b == b' ') || (prev == b' ' && b == b'#') {
            return false;
        }
        prev = b;
    }
    // C1 controls and the like (U+0080–U+009F are 0xC2 0x80–0x9F in UTF-8).
    if !s.is_ascii() && s.chars().any(char::is_control) {
        return false;
    }
    if bytes.len() <= 5
        && [
            "true", "false", "null", "~", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf",
            ".nan",
        ]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(s))
    {
        return false;
    }
    !looks_numeric(s)
}

/// Would YAML read it as a number (`5`, `-1.5`, `1e3`, `0x1f`, `0o7`, `1_000`)?
fn looks_numeric(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    t.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'))
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
    fn strings_yaml_would_read_as_something_else_are_quoted() {
        let v = json!({
            "bool": "true", "num": "5", "neg": "-1.5", "colon": "a: b", "hash": "a #b",
            "empty": "", "dash": "- x", "flag": "-v", "plain": "redis:7.2", "star": "*x",
            "text": "line 1\nline 2", "nested": [{"name": "a", "v": [1, {"k": null}]}], "e": {}
        });
        let text = render(&v).unwrap();
        for expected in [
            "bool: \"true\"\n",
            "num: \"5\"\n",
            "neg: \"-1.5\"\n",
            "colon: \"a: b\"\n",
            "hash: \"a #b\"\n",
            "empty: \"\"\n",
            "dash: \"- x\"\n",
            "flag: -v\n",
            "plain: redis:7.2\n",
            "star: \"*x\"\n",
            "text: |-\n  line 1\n  line 2\n",
            "e: {}\n",
            "nested:\n- name: a\n  v:\n  - 1\n  - k: null\n",
        ] {
            assert!(text.contains(expected), "{expected:?} in\n{text}");
        }
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
