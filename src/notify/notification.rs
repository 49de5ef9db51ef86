//! One notification, as the desktop popup and the terminal show it.

use crate::sanitize;

/// Desktop daemons show about this much of a title; longer ones only wrap or get cut anyway.
pub const MAX_TITLE_CHARS: usize = 120;
/// A popup is a glance, not a report: the timeline has the rest.
pub const MAX_BODY_CHARS: usize = 400;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// What repeats of the same fact share (`alert:<fingerprint>`,
    /// `app:<instance>/<name>#degraded`): the gate sends one per key per window.
    pub key: String,
    pub title: String,
    pub body: String,
    /// Shown as critical by the desktop (most daemons keep it until dismissed).
    pub urgent: bool,
}

impl Notification {
    /// Text is sanitised where it enters sitrep, but a notification leaves through another
    /// door (a D-Bus daemon, the terminal), so it is cleaned again and capped here.
    pub fn new(key: impl Into<String>, title: &str, body: &str, urgent: bool) -> Notification {
        Notification {
            key: key.into(),
            title: fit_line(title, MAX_TITLE_CHARS),
            body: fit_text(body, MAX_BODY_CHARS),
            urgent,
        }
    }
}

/// One clean line of at most `max` characters (a cut is marked with `…`).
pub fn fit_line(text: &str, max: usize) -> String {
    cap(sanitize::clean_line(text, max).trim(), max)
}

/// Like [`fit_line`] but keeps line breaks.
pub fn fit_text(text: &str, max: usize) -> String {
    cap(sanitize::clean_text(text, max).trim(), max)
}

/// `sanitize` marks a cut with a few characters after the limit; keep the limit exact.
fn cap(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text
        .chars()
        .take(max.saturating_sub(1))
        .collect::<String>()
        .trim_end()
        .to_string();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cleaned_and_capped_again() {
        let n = Notification::new(
            "k",
            &format!("a\x1b]0;pwned\x07b\u{202e}{}", "t".repeat(500)),
            &format!("line 1\nline 2\x07\x1b[31m{}", "b".repeat(5000)),
            false,
        );
        assert!(n.title.starts_with("abttt"), "{}", n.title);
        assert!(n.title.chars().count() <= MAX_TITLE_CHARS);
        assert!(n.title.ends_with('…'));
        assert!(n.body.starts_with("line 1\nline 2bbb"), "{}", n.body);
        assert!(n.body.chars().count() <= MAX_BODY_CHARS);
        assert!(n.body.ends_with('…'));
        assert!(
            !n.title
                .chars()
                .chain(n.body.chars())
                .any(|c| c.is_control() && c != '\n')
        );
    }

    #[test]
    fn short_text_is_kept_as_is() {
        let n = Notification::new("k", " checkout is Degraded ", "", true);
        assert_eq!(n.title, "checkout is Degraded");
        assert_eq!(n.body, "");
    }
}
