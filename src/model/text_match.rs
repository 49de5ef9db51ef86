//! The text part of every `/` filter: what a person would call a match. Each word of the query
//! must match one field (an alert name, a label value, a summary…) on its own:
//! - as a substring, ignoring case (`crashloop` finds `KubePodCrashLooping`), or
//! - as an abbreviation: the word's letters in order, in runs that each start where a word
//!   starts in the field (`her` and `kpcl` find `HighErrorRate` and `KubePodCrashLooping`,
//!   `chprod` finds `checkout-prod`, `chkout` does not).
//!
//! Letters scattered across a long description never match (`sea` does not find every alert
//! whose labels happen to contain an s, an e and an a).

use nucleo_matcher::{Config, Matcher, Utf32Str};

/// Most runs an abbreviation may be split into (an initialism of eight words).
const MAX_RUNS: usize = 8;

/// A parsed text query, reusable across many candidates (it holds the matcher's scratch space).
pub struct TextQuery {
    words: Vec<String>,
    matcher: Matcher,
    haystack: Vec<char>,
    needle: Vec<char>,
    indices: Vec<u32>,
}

impl std::fmt::Debug for TextQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextQuery")
            .field("words", &self.words)
            .finish()
    }
}

impl TextQuery {
    /// Split `text` into lower-case words.
    pub fn new(text: &str) -> TextQuery {
        TextQuery {
            words: text.split_whitespace().map(str::to_lowercase).collect(),
            matcher: Matcher::new(Config::DEFAULT),
            haystack: Vec::new(),
            needle: Vec::new(),
            indices: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Every word matches at least one of `fields`.
    pub fn matches<'f>(&mut self, fields: impl Iterator<Item = &'f str> + Clone) -> bool {
        for w in 0..self.words.len() {
            let mut any = false;
            for field in fields.clone() {
                if self.word_matches(w, field) {
                    any = true;
                    break;
                }
            }
            if !any {
                return false;
            }
        }
        true
    }

    fn word_matches(&mut self, w: usize, field: &str) -> bool {
        let word = &self.words[w];
        if field.len() < word.len() {
            return false;
        }
        if contains_ignore_case(field, word) {
            return true;
        }
        // Abbreviations only make sense within short fields (names, label values), and only
        // when the letters are there in order at all (a cheap scan that rules out most fields
        // before the aligner runs).
        if field.len() > 256 || !is_subsequence(field, word) {
            return false;
        }
        self.haystack.clear();
        self.haystack.extend(field.chars());
        self.needle.clear();
        self.needle.extend(word.chars());
        self.indices.clear();
        let hit = self.matcher.fuzzy_indices(
            Utf32Str::Unicode(&self.haystack),
            Utf32Str::Unicode(&self.needle),
            &mut self.indices,
        );
        hit.is_some() && is_abbreviation(&self.haystack, &self.indices)
    }
}

/// The word's characters appear in the field in order, ignoring case.
fn is_subsequence(field: &str, lower_word: &str) -> bool {
    if field.is_ascii() && lower_word.is_ascii() {
        let mut want = lower_word.bytes().peekable();
        for b in field.bytes() {
            if want.peek() == Some(&b.to_ascii_lowercase()) {
                want.next();
            }
        }
        return want.peek().is_none();
    }
    let mut want = lower_word.chars().peekable();
    for c in field.chars().flat_map(char::to_lowercase) {
        match want.peek() {
            Some(w) if *w == c => {
                want.next();
            }
            Some(_) => {}
            None => return true,
        }
    }
    want.peek().is_none()
}

/// Case-insensitive substring test without allocating for ASCII fields.
fn contains_ignore_case(field: &str, lower_word: &str) -> bool {
    if field.is_ascii() && lower_word.is_ascii() {
        let (h, n) = (field.as_bytes(), lower_word.as_bytes());
        return h
            .windows(n.len())
            .any(|win| win.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b));
    }
    field.to_lowercase().contains(lower_word)
}

/// The matched positions form at most [`MAX_RUNS`] runs, each starting at a word start.
fn is_abbreviation(haystack: &[char], indices: &[u32]) -> bool {
    let mut runs = 0;
    let mut prev: Option<u32> = None;
    for &i in indices {
        if prev.is_none_or(|p| i != p + 1) {
            runs += 1;
            if runs > MAX_RUNS || !starts_word(haystack, i as usize) {
                return false;
            }
        }
        prev = Some(i);
    }
    runs > 0
}

/// Position `i` begins a word: the start, after a separator, or a camelCase / letter-digit step.
fn starts_word(h: &[char], i: usize) -> bool {
    let Some(&c) = h.get(i) else { return false };
    if i == 0 {
        return true;
    }
    let p = h[i - 1];
    !p.is_alphanumeric()
        || (p.is_lowercase() && c.is_uppercase())
        || (p.is_alphabetic() && c.is_numeric())
        || (p.is_numeric() && c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(query: &str, fields: &[&str]) -> bool {
        TextQuery::new(query).matches(fields.iter().copied())
    }

    #[test]
    fn substrings_match_ignoring_case() {
        assert!(m("crashloop", &["KubePodCrashLooping"]));
        assert!(m("CHECKOUT", &["checkout-prod"]));
        assert!(m("sea", &["search"]));
    }

    #[test]
    fn abbreviations_match_at_word_starts() {
        assert!(m("her", &["HighErrorRate"]));
        assert!(m("kpcl", &["KubePodCrashLooping"]));
        assert!(m("chprod", &["checkout-prod"]));
    }

    #[test]
    fn scattered_letters_do_not_match() {
        // What the old fuzzy filter matched: letters strewn across a long description.
        let watchdog = [
            "Watchdog",
            "none",
            "This is an alert meant to ensure that the entire alerting pipeline is functional.",
        ];
        assert!(!m("crashloop", &watchdog));
        assert!(!m(
            "sea",
            &["severity=warning", "checkout", "Pod is crash looping"]
        ));
        assert!(!m("chkout", &["checkout-prod"]));
    }

    #[test]
    fn every_word_must_match_some_field() {
        assert!(m("checkout crit", &["checkout", "critical"]));
        assert!(!m("checkout search", &["checkout", "critical"]));
        assert!(m("", &["anything"]));
    }

    #[test]
    fn hostile_fields_do_not_panic() {
        let long = "x".repeat(100_000);
        assert!(!m("xy", &[&long]));
        assert!(m("é", &["Été"]));
        assert!(!m("\u{202e}", &["plain"]));
    }
}
