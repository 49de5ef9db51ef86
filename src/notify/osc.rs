//! The terminal's notifications: the bell, OSC 777 (WezTerm, Ghostty, VTE terminals, foot…)
//! and OSC 9 (iTerm2, Windows Terminal, kitty…); a terminal ignores the ones it does not know.
//! Inside tmux each is wrapped for passthrough (it needs `allow-passthrough on`).
//!
//! The app loop writes these between frames, never another thread: a frame's bytes and these
//! must not interleave mid-sequence.

use super::notification::{MAX_BODY_CHARS, MAX_TITLE_CHARS, Notification, fit_line};

const BEL: char = '\u{7}';
const ESC: char = '\u{1b}';

/// The bytes that announce `n` on the terminal: BEL, then OSC 777, then OSC 9.
pub fn terminal_sequence(n: &Notification, in_tmux: bool) -> String {
    let title = field(&n.title, MAX_TITLE_CHARS);
    let body = field(&n.body, MAX_BODY_CHARS);
    let text = if body.is_empty() {
        title.clone()
    } else {
        format!("{title}: {body}")
    };
    let osc777 = format!("{ESC}]777;notify;{title};{body}{BEL}");
    let osc9 = format!("{ESC}]9;{}{BEL}", osc9_text(text));
    // The bell stays outside any passthrough: tmux handles it itself (marks the window,
    // forwards it per `bell-action`).
    let mut out = String::from(BEL);
    for sequence in [osc777, osc9] {
        if in_tmux {
            out.push_str(&tmux_passthrough(&sequence));
        } else {
            out.push_str(&sequence);
        }
    }
    out
}

/// One field of a sequence: one line, no control characters (an ESC or BEL would end the
/// sequence early), no `;` (it separates the fields).
fn field(text: &str, max: usize) -> String {
    fit_line(&text.replace(';', " "), max)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// OSC 9 text starting with digits and `;` is another command to some terminals (ConEmu and
/// Windows Terminal: `9;4;…` is progress). Fields never hold `;`, but the guard stays here,
/// where the rule is.
fn osc9_text(text: String) -> String {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && text[digits..].starts_with(';') {
        format!("sitrep: {text}")
    } else {
        text
    }
}

/// `ESC P tmux; … ESC \` with every ESC inside doubled: tmux passes it to the outer terminal.
fn tmux_passthrough(sequence: &str) -> String {
    format!(
        "{ESC}Ptmux;{}{ESC}\\",
        sequence.replace(ESC, &format!("{ESC}{ESC}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(title: &str, body: &str) -> Notification {
        // Built by hand, not with `new`: the terminal path must hold even for raw text.
        Notification {
            key: "k".into(),
            title: title.into(),
            body: body.into(),
            urgent: false,
        }
    }

    #[test]
    fn exact_bytes() {
        assert_eq!(
            terminal_sequence(&note("checkout is Degraded", "pods crash-looping"), false),
            "\x07\x1b]777;notify;checkout is Degraded;pods crash-looping\x07\
             \x1b]9;checkout is Degraded: pods crash-looping\x07"
        );
        assert_eq!(
            terminal_sequence(&note("3 more: a, b", ""), false),
            "\x07\x1b]777;notify;3 more: a, b;\x07\x1b]9;3 more: a, b\x07"
        );
    }

    #[test]
    fn inside_tmux_each_sequence_is_passed_through_with_esc_doubled() {
        assert_eq!(
            terminal_sequence(&note("t", "b"), true),
            "\x07\
             \x1bPtmux;\x1b\x1b]777;notify;t;b\x07\x1b\\\
             \x1bPtmux;\x1b\x1b]9;t: b\x07\x1b\\"
        );
    }

    #[test]
    fn hostile_text_cannot_end_or_forge_a_sequence() {
        let hostile = note(
            "a;b\x1b]0;owned\x07c\u{9c}d\x07e\x1b\\f",
            "x;y\nz\r\n\x1b[2J\x1bP+q\x1b\\w\u{202e}",
        );
        for tmux in [false, true] {
            let out = terminal_sequence(&hostile, tmux);
            let (title_body, osc9) = payloads(&out, tmux);
            assert_eq!(title_body, "notify;a bcdef;x y z w");
            assert_eq!(osc9, "a bcdef: x y z w");
        }
    }

    /// The payloads of the OSC 777 and OSC 9 in `out`, checking the framing on the way.
    fn payloads(out: &str, tmux: bool) -> (String, String) {
        let mut rest = out.strip_prefix('\x07').expect("starts with BEL");
        let mut found = Vec::new();
        for number in ["777;", "9;"] {
            let (open, close) = if tmux {
                (format!("\x1bPtmux;\x1b\x1b]{number}"), "\x07\x1b\\")
            } else {
                (format!("\x1b]{number}"), "\x07")
            };
            rest = rest.strip_prefix(open.as_str()).expect("sequence opens");
            let end = rest.find(close).expect("sequence closes");
            let payload = &rest[..end];
            assert!(!payload.chars().any(|c| c.is_control()), "{payload:?}");
            found.push(payload.to_string());
            rest = &rest[end + close.len()..];
        }
        assert_eq!(rest, "", "nothing after the two sequences");
        (found.remove(0), found.remove(0))
    }

    #[test]
    fn osc9_never_starts_with_a_number_and_a_semicolon() {
        let out = terminal_sequence(&note("4;3;99", "progress"), false);
        assert!(out.contains("\x1b]9;4 3 99: progress\x07"), "{out:?}");
        assert_eq!(osc9_text("4;3".into()), "sitrep: 4;3");
        assert_eq!(osc9_text("42 pods down".into()), "42 pods down");
    }

    #[test]
    fn huge_text_is_capped() {
        let big = "x".repeat(100 * 1024);
        let out = terminal_sequence(&note(&big, &big), true);
        assert!(
            out.len() < 3 * (MAX_TITLE_CHARS + MAX_BODY_CHARS) * 4,
            "{}",
            out.len()
        );
        let (title_body, _) = payloads(&out, true);
        assert!(title_body.ends_with('…'));
    }
}
