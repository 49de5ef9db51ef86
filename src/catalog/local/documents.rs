//! A file's text into its YAML documents, each parsed on its own.
//!
//! Why not iterate `serde_yaml_ng::Deserializer::from_str(text)`: after a syntax error that
//! iterator yields the same error forever, and after an unknown alias the rest of the broken
//! document comes back as a document of its own. Cutting the text at its `---` and `...` lines
//! (where YAML itself ends a document, whatever the quoting) gives every document its own
//! parser: one broken document cannot take the others with it, and each knows its first line.

use super::guard::{self, Refusal};
use super::value::{self, Budget};
use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// One document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Chunk<'a> {
    pub text: &'a str,
    /// 1-based line of the file where `text` starts.
    pub first_line: usize,
    /// 1-based line of its first content (what a reader calls the document's start).
    pub line: usize,
}

impl Chunk<'_> {
    /// The file line of byte `offset` of this document (its last line for its very end:
    /// "unexpected end" belongs to this document, not the next one).
    pub fn line_at(&self, offset: usize) -> usize {
        let newlines = |s: &str| s.bytes().filter(|&b| b == b'\n').count();
        let before = self.text.get(..offset).unwrap_or(self.text);
        let last = newlines(self.text.trim_end_matches(['\n', '\r']));
        self.first_line + newlines(before).min(last)
    }

    /// The file line where `needle` first appears in this document (its start if nowhere).
    pub fn line_of(&self, needle: &str) -> usize {
        self.text
            .find(needle)
            .map_or(self.line, |at| self.line_at(at))
    }
}

/// What one line means to the splitting.
#[derive(PartialEq)]
enum Line {
    /// `---` (with or without content after it).
    Start {
        content: bool,
    },
    /// `...`
    End,
    /// Blank or comment.
    Trivia,
    /// `%YAML`, `%TAG`: belongs to the next `---`.
    Directive,
    Content,
}

fn classify(line: &str) -> Line {
    let marker = |m: &str| {
        line.strip_prefix(m)
            .filter(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
    };
    if let Some(rest) = marker("---") {
        let rest = rest.trim();
        return Line::Start {
            content: !(rest.is_empty() || rest.starts_with('#')),
        };
    }
    if marker("...").is_some() {
        return Line::End;
    }
    if line.starts_with('%') {
        return Line::Directive;
    }
    let t = line.trim();
    if t.is_empty() || t.starts_with('#') {
        Line::Trivia
    } else {
        Line::Content
    }
}

/// The documents of `text` that hold something (empty ones are skipped).
pub(super) fn split(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    // The chunk being gathered: byte start, first line, line of its first content, whether
    // it has begun its document (`---` or content).
    let mut start = 0;
    let mut first_line = 1;
    let mut content: Option<usize> = None;
    let mut begun = false;
    let mut offset = 0;
    let mut close = |from: usize, to: usize, first_line: usize, content: Option<usize>| {
        if let Some(line) = content {
            chunks.push(Chunk {
                text: &text[from..to],
                first_line,
                line,
            });
        }
    };
    for (n, raw) in text.split_inclusive('\n').enumerate() {
        let number = n + 1;
        match classify(raw.trim_end_matches('\n')) {
            Line::Start { content: c } => {
                if begun {
                    close(start, offset, first_line, content);
                    start = offset;
                    first_line = number;
                    content = None;
                }
                begun = true;
                if c {
                    content.get_or_insert(number);
                }
            }
            Line::End => {
                close(start, offset + raw.len(), first_line, content);
                start = offset + raw.len();
                first_line = number + 1;
                content = None;
                begun = false;
            }
            Line::Directive if !begun => {}
            Line::Trivia => {}
            Line::Directive | Line::Content => {
                begun = true;
                content.get_or_insert(number);
            }
        }
        offset += raw.len();
    }
    close(start, text.len(), first_line, content);
    chunks
}

/// A document that could not be read: the file's line and what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Broken {
    pub line: usize,
    pub message: String,
}

/// Largest document parsed. serde_yaml_ng holds every event of a document before building
/// it, 100 to 150 bytes of memory per byte of text (measured: 4 MiB of `- - - …` took 630 MB
/// before its recursion limit refused it). Entities are kilobytes; big files (4 MiB) are many
/// documents.
pub(super) const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// Parse one document (`Value::Null` when it holds only a null).
pub(super) fn parse(chunk: &Chunk) -> Result<Value, Broken> {
    if chunk.text.len() > MAX_DOCUMENT_BYTES {
        return Err(Broken {
            line: chunk.line,
            message: format!(
                "document of {} bytes, more than {MAX_DOCUMENT_BYTES}: not read",
                chunk.text.len()
            ),
        });
    }
    match guard::flow_depth(chunk.text, guard::MAX_FLOW_DEPTH) {
        Ok(_) => {}
        Err(Refusal::TooDeep { offset }) => {
            return Err(Broken {
                line: chunk.line_at(offset),
                message: format!(
                    "flow collections ([ ] or {{ }}) nested more than {} deep",
                    guard::MAX_FLOW_DEPTH
                ),
            });
        }
        Err(Refusal::TooComplex { offset }) => {
            return Err(Broken {
                line: chunk.line_at(offset),
                message: "too many brackets to check the nesting of".into(),
            });
        }
    }
    let budget = Budget::for_len(chunk.text.len());
    value::read(serde_yaml_ng::Deserializer::from_str(chunk.text), &budget)
        .map_err(|e| broken(chunk, &e))
}

/// `at line N column M` (libyaml counts lines its own way, `\r` alone included) and `at
/// position N` (a byte offset, for errors in reading the text).
static MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r" at line (\d+) column \d+| at position (\d+)").expect("a fixed pattern compiles")
});

/// serde_yaml_ng's error as a file line and a message: the line from the error's byte offset;
/// its own place dropped from the message (the Problem carries it), a second place (where
/// the construct began) given as a file line.
fn broken(chunk: &Chunk, e: &serde_yaml_ng::Error) -> Broken {
    let text = e.to_string();
    // A mark at the very start of the text is left out of the message.
    let mut first_is_problem = e
        .location()
        .is_some_and(|l| (l.line(), l.column()) != (1, 1));
    let mut line = e
        .location()
        .filter(|_| first_is_problem)
        .map_or(chunk.line, |l| chunk.line_at(l.index()));
    let message = MARK.replace_all(&text, |caps: &regex::Captures| {
        let number = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<usize>().ok());
        if let Some(offset) = number(2) {
            line = chunk.line_at(offset);
            return String::new();
        }
        if std::mem::take(&mut first_is_problem) {
            return String::new();
        }
        number(1).map_or_else(String::new, |n| {
            format!(" at line {}", chunk.first_line + n.saturating_sub(1))
        })
    });
    Broken {
        line,
        message: message.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<(&str, usize, usize)> {
        split(text)
            .into_iter()
            .map(|c| (c.text, c.first_line, c.line))
            .collect()
    }

    #[test]
    fn splits_at_markers_and_skips_empty_documents() {
        let text = "# head\n---\n# only a comment\n---\nkind: A\n---\n\n\nkind: B\n...\n---\n";
        assert_eq!(
            texts(text),
            vec![("---\nkind: A\n", 4, 5), ("---\n\n\nkind: B\n...\n", 6, 9)]
        );
        assert_eq!(texts("kind: A\n"), vec![("kind: A\n", 1, 1)]);
        assert_eq!(texts("--- {kind: A}"), vec![("--- {kind: A}", 1, 1)]);
        assert_eq!(texts(""), vec![]);
        // A directive belongs to the document after it.
        assert_eq!(
            texts("a: 1\n...\n%YAML 1.2\n---\nb: 2\n"),
            vec![("a: 1\n...\n", 1, 1), ("%YAML 1.2\n---\nb: 2\n", 3, 5)]
        );
        // `---x` and ` ---` are content, not markers; CRLF works.
        assert_eq!(texts("a: |\n ---\n---x: 1\n").len(), 1);
        assert_eq!(texts("a: 1\r\n---\r\nb: 2\r\n").len(), 2);
    }

    #[test]
    fn errors_carry_the_file_line() {
        let text = "kind: A\n---\nkind: B\nlist: [1, 2\n---\nkind: C\n";
        let chunks = split(text);
        assert_eq!(chunks.len(), 3);
        let broken = parse(&chunks[1]).unwrap_err();
        // Where the list began is given as a file line too.
        assert_eq!(
            broken,
            Broken {
                line: 4,
                message:
                    "did not find expected ',' or ']', while parsing a flow sequence at line 4"
                        .into()
            }
        );
        assert!(parse(&chunks[2]).is_ok());
        assert_eq!(
            parse(&split("a: *nope\n")[0]).unwrap_err().line,
            1,
            "unknown alias"
        );
        assert!(
            parse(&split("a: 1\na: 2\n")[0])
                .unwrap_err()
                .message
                .contains("duplicate key")
        );
        // Errors in reading the text carry a byte offset; libyaml counts a lone `\r` as a line.
        let text = "---\na: 1\r\rb: \u{7}\n";
        assert_eq!(
            parse(&split(text)[0]).unwrap_err(),
            Broken {
                line: 2,
                message: "control characters are not allowed".into()
            }
        );
    }

    #[test]
    fn tags_are_dropped_and_keys_become_text() {
        let v = parse(&split("a: !Ref x\n1: true\ntrue: 2\nn: ~\nf: .nan\n")[0]).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": "x", "1": true, "true": 2, "n": null, "f": null})
        );
        assert!(parse(&split("? [a]\n: b\n")[0]).is_err());
    }
}
