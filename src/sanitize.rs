//! Outside text is hostile: labels, annotations, app names and server error bodies can carry
//! escape sequences, control characters or megabytes of text. Everything that crosses a source
//! boundary goes through here once, so the model, the screen and exports only ever see clean text.

/// Longest value we keep from outside. Longer values are cut with a visible marker.
pub const MAX_VALUE_CHARS: usize = 16 * 1024;

/// Strip control characters (C0, DEL, C1) and bidi overrides; turn tabs and newlines into
/// spaces for single-line use. Keeps at most `max_chars` characters, marking the cut.
pub fn clean_line(input: &str, max_chars: usize) -> String {
    clean(input, max_chars, false)
}

/// Like [`clean_line`] but keeps `\n` so multi-line annotations (descriptions) stay readable.
pub fn clean_text(input: &str, max_chars: usize) -> String {
    clean(input, max_chars, true)
}

/// Clean a value at the default cap.
pub fn value(input: &str) -> String {
    clean_line(input, MAX_VALUE_CHARS)
}

/// A command's output for the screen: like [`clean_text`] but tabs stay, and carriage returns
/// become line breaks (`\r\n` one break; a progress meter's `\r` a line per update) so nothing
/// can move the cursor back over what was printed. No length cap: the caller bounds the bytes.
pub fn clean_output(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\u{1b}' => skip_escape_sequence(&mut chars),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out
}

fn clean(input: &str, max_chars: usize, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(input.len().min(max_chars + 8));
    let mut kept = 0usize;
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if kept >= max_chars {
            out.push_str(" …[cut]");
            break;
        }
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\t' | '\n' | '\r' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            // ESC: drop the whole escape sequence, not only the ESC byte, so "\x1b[31m" does not
            // leave "[31m" behind.
            '\u{1b}' => skip_escape_sequence(&mut chars),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
        kept += 1;
    }
    out
}

/// Would [`clean_line`] change this (a control, escape or bidi character in it)? Lets a caller
/// that reads many already-clean values (a journal) skip the copy.
pub fn needs_cleaning(input: &str) -> bool {
    input.chars().any(|c| c == '\u{1b}' || is_unsafe(c))
}

/// Would [`clean_text`] change this (as [`needs_cleaning`], line breaks allowed)?
pub fn needs_cleaning_text(input: &str) -> bool {
    input
        .chars()
        .any(|c| c != '\n' && (c == '\u{1b}' || is_unsafe(c)))
}

/// Control characters, and the Unicode formatting characters that reorder or hide text.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

fn skip_escape_sequence(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek() {
        // CSI: ESC [ params... final byte in @..~
        Some('[') => {
            chars.next();
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
        // OSC / DCS / APC / PM / SOS: up to BEL or ESC \
        Some(']') | Some('P') | Some('_') | Some('^') | Some('X') => {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' {
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                    }
                    break;
                }
            }
        }
        // Two-character escapes (ESC c, ESC 7 …)
        Some(_) => {
            chars.next();
        }
        None => {}
    }
}

/// Decode bytes as UTF-8, replacing invalid sequences instead of failing.
pub fn lossy_utf8(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escape_sequences_whole() {
        assert_eq!(clean_line("a\x1b[31mred\x1b[0m b", 100), "ared b");
        assert_eq!(clean_line("x\x1b]0;title\x07y", 100), "xy");
        assert_eq!(clean_line("x\x1b]8;;http://e\x1b\\y", 100), "xy");
        assert_eq!(clean_line("bell\x07 del\x7f c1\u{9b}", 100), "bell del c1");
    }

    #[test]
    fn folds_whitespace_and_caps_length() {
        assert_eq!(clean_line("a\nb\tc", 100), "a b c");
        assert_eq!(clean_text("a\nb", 100), "a\nb");
        let long = "x".repeat(100_000);
        let cut = clean_line(&long, 10);
        assert!(cut.starts_with("xxxxxxxxxx"));
        assert!(cut.ends_with("…[cut]"));
    }

    #[test]
    fn output_keeps_tabs_and_lines_but_no_escapes() {
        assert_eq!(
            clean_output("\x1b[31mred\x1b[0m \x1b]0;title\x07 ok"),
            "red  ok"
        );
        assert_eq!(clean_output("a\tb\r\nc\rd\n"), "a\tb\nc\nd\n");
        assert_eq!(clean_output("x\x07\x08\u{9b}y\u{202e}z\x1b"), "xyz");
    }

    #[test]
    fn removes_bidi_overrides() {
        assert_eq!(clean_line("abc\u{202e}def", 100), "abcdef");
    }

    #[test]
    fn never_panics_on_trailing_escape() {
        assert_eq!(clean_line("abc\x1b", 100), "abc");
        assert_eq!(clean_line("abc\x1b[", 100), "abc");
        assert_eq!(clean_line("abc\x1b]", 100), "abc");
    }
}
