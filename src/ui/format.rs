//! Text formatting for cells: ages, times, display-width-aware fitting. Every function here is
//! bounded by the width asked for, not by the length of the input, so a 16 KB label costs the
//! same as a short one.

use chrono::{DateTime, Utc};
use ratatui::buffer::CellWidth;
use unicode_segmentation::UnicodeSegmentation;

/// The ellipsis that marks cut text.
pub const ELLIPSIS: &str = "…";
/// What an unknown or not-yet-configured value shows.
pub const NONE: &str = "—";

/// Display width in terminal cells, measured the way the buffer draws it (grapheme clusters).
pub fn width(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.graphemes(true).map(grapheme_width).sum()
}

fn grapheme_width(g: &str) -> usize {
    if g.contains(char::is_control) {
        0
    } else {
        usize::from(g.cell_width())
    }
}

/// `s` cut to at most `max` cells, with `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    cut(s, max).0
}

/// `s` cut or padded with spaces to exactly `w` cells.
pub fn fit(s: &str, w: usize) -> String {
    let (mut out, used) = cut(s, w);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    out
}

/// `s` right-aligned in exactly `w` cells (cut on the right when too long).
pub fn fit_right(s: &str, w: usize) -> String {
    let (out, used) = cut(s, w);
    let mut padded = " ".repeat(w.saturating_sub(used));
    padded.push_str(&out);
    padded
}

/// The end of `s` in at most `max` cells, with `…` in front when the start was cut (an input
/// line keeps its cursor end visible).
pub fn tail(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut used = 1; // the ellipsis
    let mut start = s.len();
    for (i, g) in s.grapheme_indices(true).rev() {
        let gw = grapheme_width(g);
        if used + gw > max {
            break;
        }
        used += gw;
        start = i;
    }
    format!("{ELLIPSIS}{}", &s[start..])
}

/// The longest prefix of `s` that fits in `max` cells, with `…` if cut. Returns the text and its
/// width. Stops reading `s` as soon as it is known not to fit.
fn cut(s: &str, max: usize) -> (String, usize) {
    if max == 0 {
        return (String::new(), 0);
    }
    if s.is_ascii() {
        if s.len() <= max {
            return (s.to_string(), s.len());
        }
        let mut out = String::with_capacity(max + 3);
        out.push_str(&s[..max - 1]);
        out.push_str(ELLIPSIS);
        return (out, max);
    }
    // Walk graphemes, remembering the longest prefix that leaves room for the `…`.
    let mut used = 0usize;
    let mut before_ellipsis = (0usize, 0usize); // (byte end, width)
    for (i, g) in s.grapheme_indices(true) {
        let gw = grapheme_width(g);
        if used + gw > max {
            let (end, w) = before_ellipsis;
            let mut out = String::with_capacity(end + 3);
            out.push_str(&s[..end]);
            out.push_str(ELLIPSIS);
            return (out, w + 1);
        }
        used += gw;
        if used < max {
            before_ellipsis = (i + g.len(), used);
        }
    }
    (s.to_string(), used)
}

/// Word-wrap `s` into at most `max_lines` lines of at most `w` cells. Words longer than a line
/// are split; when text is left over, the last line ends in `…`. Whitespace runs (including
/// newlines) fold into one space.
pub fn wrap(s: &str, w: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    if w == 0 || max_lines == 0 {
        return lines;
    }
    let mut cur = String::new();
    let mut cur_w = 0usize;
    let mut cut = false;
    'words: for word in s.split_whitespace() {
        let ww = width(word);
        if cur_w > 0 && cur_w + 1 + ww <= w {
            cur.push(' ');
            cur.push_str(word);
            cur_w += 1 + ww;
            continue;
        }
        if cur_w > 0 {
            if lines.len() + 1 == max_lines {
                cut = true;
                break;
            }
            lines.push(std::mem::take(&mut cur));
            cur_w = 0;
        }
        if ww <= w {
            cur.push_str(word);
            cur_w = ww;
            continue;
        }
        // A word longer than a line: split it by graphemes.
        for g in word.graphemes(true) {
            let gw = grapheme_width(g);
            if cur_w + gw > w {
                if lines.len() + 1 == max_lines {
                    cut = true;
                    break 'words;
                }
                lines.push(std::mem::take(&mut cur));
                cur_w = 0;
            }
            cur.push_str(g);
            cur_w += gw;
        }
    }
    if cut {
        let mut last = prefix(&cur, w - 1).to_string();
        last.push_str(ELLIPSIS);
        lines.push(last);
    } else if cur_w > 0 {
        lines.push(cur);
    }
    lines
}

/// The longest prefix of `s` at most `max` cells wide.
fn prefix(s: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, g) in s.grapheme_indices(true) {
        used += grapheme_width(g);
        if used > max {
            return &s[..i];
        }
    }
    s
}

/// Whitespace runs (newlines from multi-line server messages) folded into single spaces.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Age of `t` at `now` in one unit: `45s`, `12m`, `3h`, `2d`. Future times read `0s`.
pub fn age(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    duration((now - t).num_seconds().max(0))
}

/// A span of seconds in its largest whole unit: `45s`, `12m`, `3h`, `2d`.
pub fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{}m", secs / 60)
    } else if secs < 86_400 {
        format!("{}h", secs / 3600)
    } else {
        format!("{}d", secs / 86_400)
    }
}

/// A preset-style duration: `2h`, `1d`, `90m`, `1d12h`.
pub fn duration_exact(secs: i64) -> String {
    let secs = secs.max(0);
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let mut out = String::new();
    if d > 0 {
        out.push_str(&format!("{d}d"));
    }
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 || out.is_empty() {
        out.push_str(&format!("{m}m"));
    }
    out
}

/// `14:05` (UTC), for times of day within the next hours (on-call shifts end).
pub fn hm(t: DateTime<Utc>) -> String {
    t.format("%H:%M").to_string()
}

/// `03:12:00`
pub fn hms(t: DateTime<Utc>) -> String {
    t.format("%H:%M:%S").to_string()
}

/// A time for a list of events: `03:12:00` on the day of `now` (UTC), `11-20 03:12:00` on
/// another day, so an event from three days ago never looks like one from this morning.
pub fn when(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    if now.date_naive() == t.date_naive() {
        t.format("%H:%M:%S").to_string()
    } else if now.format("%Y").to_string() == t.format("%Y").to_string() {
        t.format("%m-%d %H:%M:%S").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// `2026-11-23 03:12:00 UTC`
pub fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// `12m ago` / `in 2h` relative to now.
pub fn relative(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    let secs = (t - now).num_seconds();
    if secs > 0 {
        format!("in {}", duration(secs))
    } else {
        format!("{} ago", duration(-secs))
    }
}

/// `1 source`, `3 sources`: a count with its noun, singular for one.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A source error shortened for the status line: the kind of failure in a word or two.
pub fn short_error(error: &str) -> String {
    let lower = error.to_ascii_lowercase();
    let known = [
        ("timed out", "timeout"),
        ("timeout", "timeout"),
        ("connection refused", "refused"),
        ("dns", "dns error"),
        ("resolve", "dns error"),
        ("certificate", "tls error"),
        ("tls", "tls error"),
        ("401", "unauthorized"),
        ("unauthorized", "unauthorized"),
        ("403", "forbidden"),
        ("forbidden", "forbidden"),
        ("404", "not found"),
        ("502", "bad gateway"),
        ("503", "unavailable"),
        ("500", "server error"),
        ("decode", "bad response"),
        ("invalid", "bad response"),
        ("reset", "conn reset"),
    ];
    known
        .iter()
        .find(|(needle, _)| lower.contains(needle))
        .map(|(_, word)| word.to_string())
        .unwrap_or_else(|| truncate(error, 20))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn plural_is_singular_for_one_only() {
        assert_eq!(plural(0, "warning"), "0 warnings");
        assert_eq!(plural(1, "warning"), "1 warning");
        assert_eq!(plural(2, "event"), "2 events");
    }

    #[test]
    fn fits_ascii() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abcd", 4), "abcd");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("abc", 1), "…");
        assert_eq!(fit_right("7", 3), "  7");
        assert_eq!(tail("abcdef", 4), "…def");
        assert_eq!(tail("abc", 4), "abc");
    }

    #[test]
    fn fits_wide_text_by_cells() {
        // Each CJK char is two cells wide.
        assert_eq!(width("日本語"), 6);
        assert_eq!(fit("日本語", 6), "日本語");
        let f = fit("日本語", 5);
        assert_eq!(width(&f), 5);
        assert_eq!(f, "日本…");
        let f = fit("日本語テキスト", 4);
        assert_eq!(width(&f), 4);
        assert_eq!(width(&fit("👨‍👩‍👧‍👦 family", 3)), 3);
        assert_eq!(width(&truncate("é日x", 2)), 2);
    }

    #[test]
    fn wraps_words_and_marks_the_cut() {
        assert_eq!(
            wrap("the quick brown fox", 9, 5),
            vec!["the quick", "brown fox"]
        );
        assert_eq!(wrap("the quick brown fox", 9, 1), vec!["the quic…"]);
        assert_eq!(wrap("abcdefghij", 4, 5), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("abcdefghij", 4, 2), vec!["abcd", "efg…"]);
        assert_eq!(
            wrap("日本語テキスト", 5, 5),
            vec!["日本", "語テ", "キス", "ト"]
        );
        assert!(wrap("x", 0, 3).is_empty());
        assert_eq!(one_line("a\n  b\tc"), "a b c");
    }

    #[test]
    fn long_values_are_cheap_and_exact() {
        let long = "ü".repeat(16 * 1024);
        let f = fit(&long, 10);
        assert_eq!(width(&f), 10);
        assert!(f.ends_with('…'));
    }

    #[test]
    fn ages_in_one_unit() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 3, 12, 0).unwrap();
        let t = |s: i64| now - chrono::Duration::seconds(s);
        assert_eq!(age(now, t(3)), "3s");
        assert_eq!(age(now, t(12 * 60 + 5)), "12m");
        assert_eq!(age(now, t(3 * 3600 + 100)), "3h");
        assert_eq!(age(now, t(2 * 86_400 + 5)), "2d");
        assert_eq!(age(now, now + chrono::Duration::seconds(30)), "0s");
        assert_eq!(relative(now, t(-7200)), "in 2h");
        assert_eq!(duration_exact(2 * 3600), "2h");
        assert_eq!(duration_exact(86_400 + 1800), "1d30m");
    }

    #[test]
    fn errors_shorten_to_a_word() {
        assert_eq!(
            short_error("request timed out after 10s (GET /api/v2/alerts)"),
            "timeout"
        );
        assert_eq!(short_error("tcp connect: Connection refused"), "refused");
        assert_eq!(
            short_error("something entirely different happened here"),
            "something entirely …"
        );
    }
}
