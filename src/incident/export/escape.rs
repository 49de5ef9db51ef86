//! Outside text made inert for GitHub Markdown. Escape sequences and control characters are
//! dropped (`crate::sanitize`), long values cut with a visible marker, HTML turned into
//! entities, and every character that could start emphasis, a link, code, math, a
//! strikethrough or a table cell escaped. Only `http(s)` URLs become links.

use crate::sanitize;
use std::collections::HashMap;

/// Longest one-line value kept (summaries, names, errors).
pub const LINE_CAP: usize = 500;
/// Longest short value kept (actors, services, revisions).
pub const NAME_CAP: usize = 80;
/// Longest multi-line value kept (notes, failed resources), and its most lines.
pub const BODY_CAP: usize = 4000;
pub const BODY_LINES: usize = 40;
/// Longer URLs are shown as text, not linked.
const URL_CAP: usize = 2000;

/// One line of outside text, safe in a table cell and in running text.
pub fn inline(s: &str, cap: usize) -> String {
    // Most values (names, times, ordinary summaries) need nothing done: skip the copies.
    if s.len() <= cap && s.bytes().all(is_plain) {
        return s.trim().to_string();
    }
    escape(sanitize::clean_line(s, cap).trim())
}

/// Printable ASCII that means nothing to Markdown or HTML.
fn is_plain(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && !matches!(b, b'&' | b'<' | b'>') && !is_markdown(b as char)
}

/// Characters escaped with a backslash.
fn is_markdown(c: char) -> bool {
    matches!(
        c,
        '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '$'
    )
}

/// Outside text of several lines inside one table cell: its lines joined with `<br>`.
pub fn folded(s: &str, cap: usize, max_lines: usize) -> String {
    let clean = sanitize::clean_text(s, cap);
    let lines: Vec<&str> = clean.trim_end().lines().map(str::trim_end).collect();
    let mut out = lines
        .iter()
        .take(max_lines)
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("<br>");
    if lines.len() > max_lines {
        out.push_str(&format!("<br>… ({} more lines)", lines.len() - max_lines));
    }
    out
}

/// One line of outside text starting a line of running text (a list item, a quote): also
/// inert where a line's first characters would make a list, a heading or a quote.
pub fn line_start(s: &str, cap: usize) -> String {
    let text = inline(s, cap);
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if text.starts_with(['-', '+', '=']) {
        format!("\\{text}")
    } else if digits > 0 && text[digits..].starts_with(['.', ')']) {
        format!("{}\\{}", &text[..digits], &text[digits..])
    } else {
        text
    }
}

/// A revision, a fingerprint or an id: in a code span when it is made of plain characters
/// (a code span shows backslashes as typed, so nothing in it may need escaping), else as text.
pub fn code(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().count() <= NAME_CAP
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '/' | ':' | '+'));
    if plain {
        format!("`{s}`")
    } else {
        inline(s, NAME_CAP)
    }
}

/// A link to `url` reading the host it points at, when the URL is `http(s)`; anything else
/// (`javascript:`, `file:`, junk) is shown as text and never becomes clickable.
pub fn link(url: &str) -> String {
    match safe_url(url) {
        Some((host, href)) => format!("[{}]({href})", inline(&host, NAME_CAP)),
        None => inline(url, NAME_CAP),
    }
}

/// Links written once per URL: every event of an alert carries the same generator URL, and
/// parsing it again for each is most of a large export's link work.
#[derive(Default)]
pub struct Links<'a>(HashMap<&'a str, String>);

impl<'a> Links<'a> {
    pub fn link(&mut self, url: &'a str) -> &str {
        self.0.entry(url).or_insert_with(|| link(url))
    }
}

/// An `http(s)` URL's host, and the URL written so a link destination cannot end early or
/// break a table: spaces, brackets, quotes and pipes percent-encoded, `&` as an entity.
fn safe_url(raw: &str) -> Option<(String, String)> {
    let raw = raw.trim();
    if raw.len() > URL_CAP || raw.chars().any(char::is_control) {
        return None;
    }
    let parsed = url::Url::parse(raw).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?.to_string();
    let mut out = String::with_capacity(parsed.as_str().len());
    for c in parsed.as_str().chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '"' => out.push_str("%22"),
            '\'' => out.push_str("%27"),
            '`' => out.push_str("%60"),
            '|' => out.push_str("%7C"),
            '[' => out.push_str("%5B"),
            ']' => out.push_str("%5D"),
            '\\' => out.push_str("%5C"),
            '&' => out.push_str("&amp;"),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    Some((host, out))
}

/// Clean text (no control characters left) made inert: HTML as entities, Markdown's own
/// characters backslash-escaped. `\|` is how GitHub keeps a pipe inside a table cell.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if is_markdown(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_html_are_inert() {
        assert_eq!(
            inline("a|b `x` *y* _z_ [l](u) <script>&", 100),
            r"a\|b \`x\` \*y\* \_z\_ \[l\](u) &lt;script&gt;&amp;"
        );
        assert_eq!(inline("back\\|slash", 100), r"back\\\|slash");
        assert_eq!(
            inline("\x1b[31mred\x1b[0m\0 line\nbreak", 100),
            "red line break"
        );
    }

    #[test]
    fn long_values_are_cut_visibly() {
        let cut = inline(&"x".repeat(100_000), 10);
        assert!(cut.starts_with("xxxxxxxxxx") && cut.contains('…'), "{cut}");
        assert!(cut.len() < 40);
    }

    #[test]
    fn multi_line_text_folds_into_one_cell() {
        assert_eq!(
            folded("one\ntwo|\n\nfour\n", 100, 10),
            r"one<br>two\|<br><br>four"
        );
        assert_eq!(folded("a\nb\nc", 100, 2), "a<br>b<br>… (1 more lines)");
    }

    #[test]
    fn line_starts_cannot_make_blocks() {
        assert_eq!(line_start("- item", 100), r"\- item");
        assert_eq!(line_start("12. item", 100), r"12\. item");
        assert_eq!(line_start("# heading", 100), r"\# heading");
        assert_eq!(line_start("> quote", 100), "&gt; quote");
    }

    #[test]
    fn only_http_urls_become_links() {
        assert_eq!(
            link("https://prom.example/graph?g0.expr=rate(x[5m]) > 1&a=b c"),
            "[prom.example](https://prom.example/graph?g0.expr=rate%28x%5B5m%5D%29%20%3E%201&amp;a=b%20c)"
        );
        assert_eq!(link("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(link("file:///etc/passwd"), "file:///etc/passwd");
        assert_eq!(link("](javascript:alert(1))"), r"\](javascript:alert(1))");
        assert_eq!(link("http://a\x1b[2Jb.example/"), "http://ab.example/");
    }

    #[test]
    fn code_spans_only_for_plain_ids() {
        assert_eq!(code("v2.14.0"), "`v2.14.0`");
        assert_eq!(code("a`b"), r"a\`b");
        assert_eq!(code(""), "");
    }
}
