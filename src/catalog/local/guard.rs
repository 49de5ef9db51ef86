//! An upper bound on how deep libyaml will nest flow collections (`[…]`, `{…}`) in one document,
//! found before libyaml runs.
//!
//! Why: libyaml (inside serde_yaml_ng) does work proportional to the flow depth on every token,
//! and serde_yaml_ng checks depth only after the whole document has been scanned. Measured:
//! `{a: ` repeated 65 536 times (256 KB) takes 18 s to refuse; 1 MiB takes minutes.
//!
//! How: flow context is lexed exactly as libyaml's scanner does (quoted scalars, comments,
//! plain scalars, anchors, tags; no indentation rules apply there). Block context is not
//! lexed at all: every `[` or `{` is treated as a place where flow context may begin, and the
//! flow lexer is run from it. Where libyaml reports a scanner error the lexer may stop, since
//! libyaml stops too. Runs that reach a token start already reached at the same or a greater
//! depth stop there (what follows was checked), which keeps the whole check linear; a step
//! budget bounds it anyway.

/// Deepest flow nesting accepted: serde_yaml_ng's own recursion limit, so only documents it
/// would refuse anyway are refused, unless more than this many brackets hide in quoted text
/// and comments in one document (every bracket may open flow context, see above). Measured:
/// a 4 MiB document at this depth parses as fast as a flat one.
pub(super) const MAX_FLOW_DEPTH: usize = 128;

/// Why a document is refused, with the byte offset in its text.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    TooDeep { offset: usize },
    TooComplex { offset: usize },
}

/// The deepest flow nesting libyaml could reach in `text`, if at most `limit`.
pub(super) fn flow_depth(text: &str, limit: usize) -> Result<usize, Refusal> {
    let b = text.as_bytes();
    if !b.iter().any(|&c| c == b'[' || c == b'{') {
        return Ok(0);
    }
    let mut scan = Scan {
        b,
        // 1 + the greatest depth at which some run stood at a token start here.
        seen: vec![0; b.len()],
        steps: 0,
        budget: b.len().saturating_mul(16).saturating_add(1 << 16),
        limit: limit.min(u8::MAX as usize - 1),
        max: 0,
    };
    for (i, &c) in b.iter().enumerate() {
        if (c == b'[' || c == b'{') && scan.seen[i] == 0 {
            scan.run(i)?;
        }
    }
    Ok(scan.max)
}

struct Scan<'a> {
    b: &'a [u8],
    seen: Vec<u8>,
    steps: usize,
    budget: usize,
    limit: usize,
    max: usize,
}

impl Scan<'_> {
    /// Lex flow context from the opener at `start` until its depth returns to zero, libyaml
    /// would report an error, or the text ends.
    fn run(&mut self, start: usize) -> Result<(), Refusal> {
        let b = self.b;
        let mut depth = 0usize;
        let mut i = start;
        loop {
            let from = i;
            i = skip_to_token(b, i);
            if end(b, i) {
                return Ok(());
            }
            // `depth <= limit < u8::MAX`, so this fits.
            let mark = depth as u8 + 1;
            if self.seen[i] >= mark {
                return Ok(());
            }
            self.seen[i] = mark;
            let next = if line_start(b, i) && b[i] == b'%' {
                // A directive: libyaml reads it to the end of the line (or fails).
                Some(line_end(b, i))
            } else if line_start(b, i) && document_indicator(b, i) {
                Some(i + 3)
            } else {
                match b[i] {
                    b'[' | b'{' => {
                        depth += 1;
                        if depth > self.limit {
                            return Err(Refusal::TooDeep { offset: i });
                        }
                        self.max = self.max.max(depth);
                        Some(i + 1)
                    }
                    b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(());
                        }
                        Some(i + 1)
                    }
                    b',' | b'?' | b':' => Some(i + 1),
                    b'-' if blankz(b, i + 1) => Some(i + 1),
                    b'*' | b'&' => anchor(b, i),
                    b'!' => tag(b, i),
                    b'\'' => single_quoted(b, i),
                    b'"' => double_quoted(b, i),
                    // Cannot start a token in flow context: libyaml fails here.
                    b'|' | b'>' | b'%' | b'@' | b'`' | b'#' => None,
                    _ => plain(b, i),
                }
            };
            let Some(next) = next else {
                return Ok(());
            };
            self.steps += next - from + 1;
            if self.steps > self.budget {
                return Err(Refusal::TooComplex { offset: next });
            }
            i = next;
        }
    }
}

/// The byte at `i`, or 0 past the end (libyaml's buffer ends in NUL; a NUL in the text is
/// refused by its reader, so treating it as the end only shortens what is checked after an
/// error).
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn end(b: &[u8], i: usize) -> bool {
    at(b, i) == 0
}

/// Length of the line break at `i` (`\r\n`, `\r`, `\n`, NEL, LS, PS), 0 if none.
fn break_len(b: &[u8], i: usize) -> usize {
    match at(b, i) {
        b'\r' if at(b, i + 1) == b'\n' => 2,
        b'\r' | b'\n' => 1,
        0xC2 if at(b, i + 1) == 0x85 => 2,
        0xE2 if at(b, i + 1) == 0x80 && matches!(at(b, i + 2), 0xA8 | 0xA9) => 3,
        _ => 0,
    }
}

fn blank(b: &[u8], i: usize) -> bool {
    matches!(at(b, i), b' ' | b'\t')
}

fn blankz(b: &[u8], i: usize) -> bool {
    blank(b, i) || break_len(b, i) > 0 || end(b, i)
}

/// Column 0: the start of the text or just after a line break.
fn line_start(b: &[u8], i: usize) -> bool {
    i == 0
        || matches!(b[i - 1], b'\n' | b'\r')
        || (i >= 2 && b[i - 2] == 0xC2 && b[i - 1] == 0x85)
        || (i >= 3 && b[i - 3] == 0xE2 && b[i - 2] == 0x80 && matches!(b[i - 1], 0xA8 | 0xA9))
}

fn document_indicator(b: &[u8], i: usize) -> bool {
    let c = at(b, i);
    (c == b'-' || c == b'.') && at(b, i + 1) == c && at(b, i + 2) == c && blankz(b, i + 3)
}

fn line_end(b: &[u8], mut i: usize) -> usize {
    while !(break_len(b, i) > 0 || end(b, i)) {
        i += 1;
    }
    i
}

/// libyaml's `scan_to_next_token` in flow context: blanks, comments, line breaks.
fn skip_to_token(b: &[u8], mut i: usize) -> usize {
    loop {
        if line_start(b, i) && b.get(i..i + 3) == Some("\u{feff}".as_bytes()) {
            i += 3;
        }
        while blank(b, i) {
            i += 1;
        }
        if at(b, i) == b'#' {
            i = line_end(b, i);
        }
        match break_len(b, i) {
            0 => return i,
            n => i += n,
        }
    }
}

fn alpha(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// `*alias` or `&anchor`; `None` where libyaml reports an error.
fn anchor(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while alpha(at(b, j)) {
        j += 1;
    }
    let follows = blankz(b, j)
        || matches!(
            at(b, j),
            b'?' | b':' | b',' | b']' | b'}' | b'%' | b'@' | b'`'
        );
    (j > i + 1 && follows).then_some(j)
}

/// `!<verbatim>`, `!`, `!!suffix`, `!handle!suffix`, `!suffix`.
fn tag(b: &[u8], i: usize) -> Option<usize> {
    let mut j;
    if at(b, i + 1) == b'<' {
        let from = i + 2;
        j = uri(b, from, true)?;
        if j == from || at(b, j) != b'>' {
            return None;
        }
        j += 1;
    } else {
        j = i + 1;
        while alpha(at(b, j)) {
            j += 1;
        }
        let named = at(b, j) == b'!';
        if named {
            j += 1;
        }
        let from = j;
        j = uri(b, from, false)?;
        if named && j == from {
            return None;
        }
    }
    (blankz(b, j) || at(b, j) == b',').then_some(j)
}

/// libyaml's `scan_tag_uri`: `[]` and `,` only inside `!<…>`; `%` escapes must be whole UTF-8
/// sequences.
fn uri(b: &[u8], mut i: usize, verbatim: bool) -> Option<usize> {
    loop {
        let c = at(b, i);
        if c == b'%' {
            i = uri_escape(b, i)?;
        } else if alpha(c)
            || b";/?:@&=+$.!~*'()".contains(&c)
            || (verbatim && matches!(c, b',' | b'[' | b']'))
        {
            i += 1;
        } else {
            return Some(i);
        }
    }
}

fn uri_escape(b: &[u8], mut i: usize) -> Option<usize> {
    let mut width = 0;
    loop {
        let hex = |k| (at(b, k) as char).to_digit(16);
        if at(b, i) != b'%' {
            return None;
        }
        let octet = (hex(i + 1)? * 16 + hex(i + 2)?) as u8;
        if width == 0 {
            width = match octet {
                0x00..=0x7F => 1,
                _ if octet & 0xE0 == 0xC0 => 2,
                _ if octet & 0xF0 == 0xE0 => 3,
                _ if octet & 0xF8 == 0xF0 => 4,
                _ => return None,
            };
        } else if octet & 0xC0 != 0x80 {
            return None;
        }
        i += 3;
        width -= 1;
        if width == 0 {
            return Some(i);
        }
    }
}

fn single_quoted(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        if end(b, i) || (line_start(b, i) && document_indicator(b, i)) {
            return None;
        }
        if b[i] == b'\'' {
            if at(b, i + 1) != b'\'' {
                return Some(i + 1);
            }
            i += 2;
        } else {
            i += 1;
        }
    }
}

fn double_quoted(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        if end(b, i) || (line_start(b, i) && document_indicator(b, i)) {
            return None;
        }
        match b[i] {
            b'"' => return Some(i + 1),
            // An escape: the next character (or line break) is never the closing quote.
            b'\\' => i += 1 + break_len(b, i + 1).max(1),
            _ => i += 1,
        }
    }
}

/// libyaml's `scan_plain_scalar` in flow context: ends at `,[]{}`, at `: `, before ` #`, at a
/// document indicator; continues across line breaks.
fn plain(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        if (line_start(b, i) && document_indicator(b, i)) || at(b, i) == b'#' {
            return Some(i);
        }
        while !blankz(b, i) {
            let c = b[i];
            if c == b':' && matches!(at(b, i + 1), b',' | b'?' | b'[' | b']' | b'{' | b'}') {
                return None;
            }
            if (c == b':' && blankz(b, i + 1)) || matches!(c, b',' | b'[' | b']' | b'{' | b'}') {
                return Some(i);
            }
            i += 1;
        }
        if end(b, i) {
            return Some(i);
        }
        while blank(b, i) || break_len(b, i) > 0 {
            i += break_len(b, i).max(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        flow_depth(text, 200).unwrap()
    }

    #[test]
    fn counts_real_nesting_only() {
        assert_eq!(depth("kind: Component\nmetadata: {name: a}\n"), 1);
        assert_eq!(depth("a: [[1, 2], {b: [3]}]\n"), 3);
        assert_eq!(depth("a: \"no [brackets] here\"\n"), 1);
        // A bracket in block context may open flow context: counted, never missed.
        assert_eq!(depth("title: a[b\n"), 1);
        // Closers inside quotes, comments or verbatim tags do not close anything.
        assert_eq!(depth("x: [\"]]\", '}}', # ]]\n [\n"), 2);
        assert_eq!(depth("x: [!<a]]> [\n"), 2);
    }

    #[test]
    fn refuses_deep_flow_quickly() {
        let start = std::time::Instant::now();
        let text = "{a: ".repeat(1 << 20);
        assert_eq!(
            flow_depth(&text, MAX_FLOW_DEPTH),
            Err(Refusal::TooDeep {
                offset: 4 * MAX_FLOW_DEPTH
            })
        );
        // Hiding closers in quotes does not help.
        let text = "{a: \"}\", b: ".repeat(1 << 16);
        assert!(matches!(
            flow_depth(&text, MAX_FLOW_DEPTH),
            Err(Refusal::TooDeep { .. })
        ));
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn long_balanced_text_is_linear() {
        let start = std::time::Instant::now();
        let text = "- {a: [1, \"[x]\", '{}'], b: c} # [\n".repeat(100_000);
        assert_eq!(depth(&text), 3);
        let text = "d: \"[x\"\n".repeat(100_000);
        assert!(depth(&text) <= 2);
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }
}
