//! A command's output, bounded: the last [`OUTPUT_LIMIT`] bytes are kept and the rest counted,
//! so a command that floods (`yes`) costs a fixed amount of memory however long it runs.

use std::collections::VecDeque;

/// The most of a command's output kept: its end, where the error usually is.
pub const OUTPUT_LIMIT: usize = 64 * 1024;

/// When the front was dropped, the partial line left at the start of what is kept is dropped
/// too if it is at most this long (its escape sequence may have been cut in half).
const PARTIAL_LINE_LIMIT: usize = 512;

/// The tail of a byte stream.
#[derive(Debug)]
pub struct OutputTail {
    kept: VecDeque<u8>,
    limit: usize,
    dropped: u64,
    /// The last byte dropped: a newline means what is kept starts a line.
    last_dropped: Option<u8>,
}

impl OutputTail {
    pub fn new(limit: usize) -> OutputTail {
        OutputTail {
            kept: VecDeque::new(),
            limit,
            dropped: 0,
            last_dropped: None,
        }
    }

    pub fn push(&mut self, chunk: &[u8]) {
        if chunk.len() >= self.limit {
            let cut = chunk.len() - self.limit;
            if cut > 0 {
                self.last_dropped = Some(chunk[cut - 1]);
            } else if let Some(&last) = self.kept.back() {
                self.last_dropped = Some(last);
            }
            self.dropped += (self.kept.len() + cut) as u64;
            self.kept.clear();
            self.kept.extend(&chunk[chunk.len() - self.limit..]);
            return;
        }
        let overflow = (self.kept.len() + chunk.len()).saturating_sub(self.limit);
        if overflow > 0 {
            self.last_dropped = self.kept.get(overflow - 1).copied();
        }
        self.kept.drain(..overflow);
        self.dropped += overflow as u64;
        self.kept.extend(chunk);
    }

    #[cfg(test)]
    pub fn kept_len(&self) -> usize {
        self.kept.len()
    }

    #[cfg(test)]
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The kept bytes as screen-safe text, and how many bytes were dropped in all. Starts at a
    /// line boundary when the front was cut, so no half escape sequence or character shows.
    pub fn into_text(self) -> (String, u64) {
        let mut bytes = Vec::from(self.kept);
        let mut dropped = self.dropped;
        if dropped > 0 && self.last_dropped != Some(b'\n') {
            let cut = partial_front(&bytes);
            bytes.drain(..cut);
            dropped += cut as u64;
        }
        let text = crate::sanitize::clean_output(&String::from_utf8_lossy(&bytes));
        (text, dropped)
    }
}

/// How many bytes at the front belong to a line whose start was dropped: up to and including
/// its newline when that is near, else only the UTF-8 continuation bytes of a cut character.
fn partial_front(bytes: &[u8]) -> usize {
    let near = &bytes[..bytes.len().min(PARTIAL_LINE_LIMIT)];
    match near.iter().position(|&b| b == b'\n') {
        Some(newline) => newline + 1,
        None => bytes.iter().take_while(|&&b| b & 0xC0 == 0x80).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_everything_under_the_limit() {
        let mut tail = OutputTail::new(10);
        tail.push(b"abc");
        tail.push(b"def\n");
        assert_eq!(tail.kept_len(), 7);
        assert_eq!(tail.into_text(), ("abcdef\n".to_string(), 0));
    }

    #[test]
    fn keeps_the_end_and_counts_the_rest() {
        let mut tail = OutputTail::new(8);
        for _ in 0..1000 {
            tail.push(b"y\n");
            assert!(tail.kept_len() <= 8);
        }
        assert_eq!(tail.dropped(), 2000 - 8);
        let (text, dropped) = tail.into_text();
        // The cut fell between lines: nothing more is dropped.
        assert_eq!(text, "y\ny\ny\ny\n");
        assert_eq!(dropped, 2000 - 8);
    }

    #[test]
    fn a_cut_line_goes_whole() {
        let mut tail = OutputTail::new(8);
        tail.push(b"first\nsecond\nthird\n");
        assert_eq!(tail.into_text(), ("third\n".to_string(), 13));
    }

    #[test]
    fn a_chunk_larger_than_the_limit_keeps_its_end() {
        let mut tail = OutputTail::new(4);
        tail.push(b"ab");
        tail.push(b"0123456789");
        assert_eq!(tail.kept_len(), 4);
        assert_eq!(tail.dropped(), 8);
        assert_eq!(tail.into_text(), ("6789".to_string(), 8));
    }

    #[test]
    fn a_cut_escape_sequence_leaves_no_debris() {
        let mut tail = OutputTail::new(12);
        tail.push(b"\x1b[38;5;196mred\nok\n");
        let (text, _) = tail.into_text();
        assert_eq!(text, "ok\n");
    }

    #[test]
    fn a_cut_character_leaves_no_replacement_mark() {
        let mut tail = OutputTail::new(5);
        tail.push("éééé".as_bytes());
        let (text, dropped) = tail.into_text();
        assert_eq!(text, "éé");
        assert_eq!(dropped, 4);
    }
}
