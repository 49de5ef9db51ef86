//! Markdown to [`Runbook`]: a line-based reader of the few constructs runbooks use (ATX
//! headings, task items, fenced blocks, paragraphs). Line-based because it is easy to bound:
//! one pass, no recursion, so a megabyte of `> > > >` or unclosed fences costs one pass.

use super::attrs;
use super::front_matter::{self, FrontMatter};
use super::model::{Command, CommandKind, Expect, Item, ItemBody, Problem, Runbook, Section, Step};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Duration;

/// Larger files are refused: a runbook is read at 3 a.m., not a book.
pub const MAX_BYTES: usize = 1024 * 1024;
/// More steps than this is refused (each is a row in the pane and a key in step state).
pub const MAX_STEPS: usize = 10_000;
/// Longest `timeout` a block may ask for (a larger one would also overflow timer arithmetic).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// Languages whose blocks are commands; every other block is shown and never run.
pub const SHELL_LANGS: &[&str] = &["sh", "bash", "shell"];

/// Parse a runbook's bytes. `Err` only when the file is refused whole (too large, too many
/// steps); everything else is a [`Problem`] in the result.
pub fn parse(source: &Path, bytes: &[u8]) -> Result<Runbook, Problem> {
    if bytes.len() > MAX_BYTES {
        return Err(Problem::error(
            0,
            format!(
                "the file is {} bytes; runbooks are limited to 1 MB ({MAX_BYTES} bytes)",
                bytes.len()
            ),
        ));
    }
    let mut problems = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            problems.push(Problem::warning(
                line,
                "the file is not valid UTF-8: invalid bytes are shown as \u{fffd}",
            ));
            crate::sanitize::lossy_utf8(bytes)
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();

    let (front, body_start) = match front_matter::split(&lines, &mut problems) {
        Some(block) => (front_matter::parse(&block, &mut problems), block.lines),
        None => (FrontMatter::default(), 0),
    };
    let mut builder = Builder {
        problems,
        ..Builder::default()
    };
    for (i, line) in lines.iter().enumerate().skip(body_start) {
        builder.line(i + 1, line)?;
    }
    builder.finish()?;

    let title = front
        .title
        .clone()
        .or(builder.h1.take())
        .unwrap_or_else(|| {
            source
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    let mut sections = builder.sections;
    let mut problems = builder.problems;
    assign_keys(&mut sections, &mut problems);
    problems.sort_by_key(|p| p.line);
    Ok(Runbook {
        source: source.to_path_buf(),
        title,
        alerts: front.alerts,
        services: front.services,
        vars: front.vars,
        sections,
        problems,
    })
}

struct OpenFence {
    marker: char,
    len: usize,
    indent: usize,
    info: String,
    line: usize,
    body: Vec<String>,
}

#[derive(Default)]
struct Builder {
    sections: Vec<Section>,
    problems: Vec<Problem>,
    h1: Option<String>,
    paragraph: Vec<String>,
    paragraph_line: usize,
    fence: Option<OpenFence>,
    /// The last item is a task that following indented lines continue.
    in_task: bool,
    steps: usize,
}

impl Builder {
    fn line(&mut self, n: usize, line: &str) -> Result<(), Problem> {
        if let Some(fence) = &mut self.fence {
            if closes(fence, line) {
                self.close_fence()?;
            } else {
                fence
                    .body
                    .push(strip_indent(line, fence.indent).to_string());
            }
            return Ok(());
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            self.flush_paragraph()?;
            self.in_task = false;
            return Ok(());
        }
        if let Some(fence) = opens_fence(n, line) {
            self.flush_paragraph()?;
            self.in_task = false;
            self.fence = Some(fence);
            return Ok(());
        }
        let indent = line.len() - trimmed.len();
        if indent < 4
            && let Some((level, text)) = heading(trimmed)
        {
            self.flush_paragraph()?;
            self.in_task = false;
            match level {
                1 => {
                    if self.h1.is_none() {
                        self.h1 = Some(text.to_string());
                    }
                }
                2 => self.sections.push(Section {
                    title: text.to_string(),
                    line: n,
                    steps: Vec::new(),
                }),
                3 => self.step(n, text)?,
                _ => self.add_prose_line(n, trimmed),
            }
            return Ok(());
        }
        if let Some((done, text)) = task(trimmed) {
            self.flush_paragraph()?;
            self.push(
                n,
                ItemBody::Task {
                    text: text.to_string(),
                    done,
                },
            )?;
            self.in_task = true;
            return Ok(());
        }
        if self.in_task && indent > 0 && self.paragraph.is_empty() && !is_list_item(trimmed) {
            if let Some(Item {
                body: ItemBody::Task { text, .. },
                ..
            }) = self.last_item_mut()
            {
                text.push(' ');
                text.push_str(trimmed.trim_end());
            }
            return Ok(());
        }
        self.in_task = false;
        self.add_prose_line(n, line.trim_end());
        Ok(())
    }

    fn add_prose_line(&mut self, n: usize, text: &str) {
        if self.paragraph.is_empty() {
            self.paragraph_line = n;
        }
        self.paragraph.push(text.to_string());
    }

    fn flush_paragraph(&mut self) -> Result<(), Problem> {
        if self.paragraph.is_empty() {
            return Ok(());
        }
        let text = std::mem::take(&mut self.paragraph).join("\n");
        self.push(self.paragraph_line, ItemBody::Prose(text))
    }

    fn step(&mut self, n: usize, heading: &str) -> Result<(), Problem> {
        let (number, title) = match step_number(heading) {
            Some((number, title)) => (Some(number), title),
            None => {
                self.problems.push(Problem::warning(
                    n,
                    "step heading has no number: write ### N. Title",
                ));
                (None, heading)
            }
        };
        self.new_step(n, number, title.to_string())
    }

    fn new_step(&mut self, n: usize, number: Option<u32>, title: String) -> Result<(), Problem> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(Problem::error(
                n,
                format!("more than {MAX_STEPS} steps: the runbook is refused"),
            ));
        }
        if self.sections.is_empty() {
            self.sections.push(Section {
                title: String::new(),
                line: n,
                steps: Vec::new(),
            });
        }
        if let Some(section) = self.sections.last_mut() {
            section.steps.push(Step {
                key: String::new(),
                number,
                title,
                line: n,
                items: Vec::new(),
            });
        }
        Ok(())
    }

    /// Add an item to the current step, opening an implicit one (and an untitled section)
    /// when the text comes before any `###`.
    fn push(&mut self, n: usize, body: ItemBody) -> Result<(), Problem> {
        if self.sections.last().is_none_or(|s| s.steps.is_empty()) {
            self.new_step(n, None, String::new())?;
        }
        if let Some(step) = self.sections.last_mut().and_then(|s| s.steps.last_mut()) {
            step.items.push(Item {
                key: String::new(),
                line: n,
                body,
            });
        }
        Ok(())
    }

    fn last_item_mut(&mut self) -> Option<&mut Item> {
        self.sections.last_mut()?.steps.last_mut()?.items.last_mut()
    }

    fn close_fence(&mut self) -> Result<(), Problem> {
        let Some(fence) = self.fence.take() else {
            return Ok(());
        };
        let (line, body) = block(fence, &mut self.problems);
        self.push(line, body)
    }

    fn finish(&mut self) -> Result<(), Problem> {
        if let Some(fence) = &self.fence {
            self.problems.push(Problem::warning(
                fence.line,
                "code block is never closed: it runs to the end of the file",
            ));
            self.close_fence()?;
        }
        self.flush_paragraph()
    }
}

/// A fence's body as an item: a command for shell languages with readable attributes, shown
/// code for everything else (and for a shell block whose attributes cannot be trusted).
fn block(fence: OpenFence, problems: &mut Vec<Problem>) -> (usize, ItemBody) {
    let line = fence.line;
    let text = fence.body.join("\n");
    let info = attrs::split_info(&fence.info);
    let lang = info.lang.to_string();
    let code = |text: String| ItemBody::Code {
        lang: lang.clone(),
        text,
    };
    if !SHELL_LANGS.contains(&lang.to_ascii_lowercase().as_str()) {
        if info.attrs.is_some_and(|a| a.contains("kind")) {
            problems.push(Problem::warning(
                line,
                format!(
                    "a {} block never runs: only {} blocks are commands",
                    if lang.is_empty() { "plain" } else { &lang },
                    SHELL_LANGS.join(", ")
                ),
            ));
        }
        return (line, code(text));
    }
    if !info.rest.is_empty() {
        problems.push(Problem::warning(
            line,
            "text after the language is ignored: attributes go in { }",
        ));
    }
    let attributes = match info.attrs.map(attrs::parse) {
        None => attrs::Attributes::default(),
        Some(Ok(a)) => a,
        Some(Err(why)) => {
            problems.push(Problem::error(
                line,
                format!("{why}; the block will not run"),
            ));
            return (line, code(text));
        }
    };
    for remark in &attributes.remarks {
        problems.push(Problem::warning(line, remark.clone()));
    }
    let mut values = attributes.values;
    let kind = match values.remove("kind") {
        None => {
            problems.push(Problem::warning(
                line,
                "command has no kind: treated as an action (confirmed before it runs); \
                 say \"kind\":\"diagnose\", \"check\" or \"action\"",
            ));
            CommandKind::Action
        }
        Some(k) => match CommandKind::parse(&k) {
            Some(kind) => kind,
            None => {
                problems.push(Problem::error(
                    line,
                    format!(
                        "unknown kind '{}': diagnose, check or action; the block will not run",
                        crate::sanitize::clean_line(&k, 40)
                    ),
                ));
                return (line, code(text));
            }
        },
    };
    let confirm = match values.remove("confirm").as_deref() {
        None | Some("false") => false,
        Some("true" | "") => true,
        Some(other) => {
            problems.push(Problem::error(
                line,
                format!(
                    "confirm must be true or false, not '{}' (taken as true)",
                    crate::sanitize::clean_line(other, 40)
                ),
            ));
            true
        }
    };
    let expect = values.remove("expect").and_then(|e| {
        let parsed = Expect::parse(&e);
        if parsed.is_none() {
            problems.push(Problem::error(
                line,
                format!(
                    "expect must be exit0 or contains:TEXT, not '{}'",
                    crate::sanitize::clean_line(&e, 40)
                ),
            ));
        }
        parsed
    });
    let timeout = values
        .remove("timeout")
        .and_then(|t| match parse_timeout(&t) {
            Ok(d) => Some(d),
            Err(why) => {
                problems.push(Problem::error(line, why));
                None
            }
        });
    let cwd = values.remove("cwd").filter(|c| !c.is_empty());
    let name = values.remove("name").filter(|n| !n.is_empty());
    for key in values.keys() {
        problems.push(Problem::warning(
            line,
            format!(
                "attribute '{}' is not used by sitrep (kept)",
                crate::sanitize::clean_line(key, 40)
            ),
        ));
    }
    (
        line,
        ItemBody::Command(Command {
            name,
            kind,
            text,
            lang,
            confirm,
            expect,
            timeout,
            cwd,
            extra: values,
            line,
        }),
    )
}

/// `30s`, `2m`, `1h 30m` (humantime), or a bare number of seconds.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let shown = crate::sanitize::clean_line(text, 40);
    let d = match text.trim().parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => humantime::parse_duration(text.trim())
            .map_err(|e| format!("timeout '{shown}' is not a duration like 30s or 2m: {e}"))?,
    };
    if d.is_zero() || d > MAX_TIMEOUT {
        return Err(format!(
            "timeout '{shown}' must be more than 0 and at most 1h"
        ));
    }
    Ok(d)
}

/// An opening fence: three or more backticks or tildes (any indentation: fences inside list
/// items are indented). A backtick fence's info string cannot hold a backtick (that is inline
/// code).
fn opens_fence(n: usize, line: &str) -> Option<OpenFence> {
    let trimmed = line.trim_start();
    let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.chars().take_while(|c| *c == marker).count();
    if len < 3 {
        return None;
    }
    let info = &trimmed[len..];
    if marker == '`' && info.contains('`') {
        return None;
    }
    Some(OpenFence {
        marker,
        len,
        indent: line.len() - trimmed.len(),
        info: info.trim().to_string(),
        line: n,
        body: Vec::new(),
    })
}

fn closes(fence: &OpenFence, line: &str) -> bool {
    let trimmed = line.trim();
    let run = trimmed.chars().take_while(|c| *c == fence.marker).count();
    run >= fence.len && run == trimmed.chars().count()
}

/// Remove up to `indent` leading spaces (the fence's own indentation), as CommonMark does.
fn strip_indent(line: &str, indent: usize) -> &str {
    let spaces = line.bytes().take(indent).take_while(|b| *b == b' ').count();
    &line[spaces..]
}

/// `## Title` -> (2, "Title"); the closing `#`s of `## Title ##` are dropped.
fn heading(trimmed: &str) -> Option<(usize, &str)> {
    let level = trimmed.bytes().take_while(|b| *b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &trimmed[level..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let text = rest.trim();
    let text = match text.trim_end_matches('#') {
        t if t.is_empty() || t.ends_with([' ', '\t']) => t.trim_end(),
        _ => text,
    };
    Some((level, text))
}

/// `3. Title` or `3) Title` -> (3, "Title").
fn step_number(heading: &str) -> Option<(u32, &str)> {
    let digits = heading.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let number = heading[..digits].parse().ok()?;
    let rest = heading[digits..].strip_prefix(['.', ')'])?;
    Some((number, rest.trim()))
}

/// `- [ ] text`, `* [x] text`, `1. [ ] text` -> (done, text).
fn task(trimmed: &str) -> Option<(bool, &str)> {
    let after_marker = list_marker(trimmed)?;
    let rest = after_marker.trim_start();
    let (done, rest) = if let Some(r) = rest.strip_prefix("[ ]") {
        (false, r)
    } else if let Some(r) = rest
        .strip_prefix("[x]")
        .or_else(|| rest.strip_prefix("[X]"))
    {
        (true, r)
    } else {
        return None;
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((done, rest.trim()))
}

fn is_list_item(trimmed: &str) -> bool {
    list_marker(trimmed).is_some()
}

/// The text after a list marker (`-`, `*`, `+`, `1.`, `1)`) and its space.
fn list_marker(trimmed: &str) -> Option<&str> {
    let rest = if let Some(r) = trimmed.strip_prefix(['-', '*', '+']) {
        r
    } else {
        let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        trimmed[digits..].strip_prefix(['.', ')'])?
    };
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some(rest)
}

/// Keys for step state: `step-N`, a command's `name`, else derived from position; duplicates
/// get `~2`, `~3` so no two steps or items ever share one.
fn assign_keys(sections: &mut [Section], problems: &mut Vec<Problem>) {
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    let mut numbers: BTreeMap<u32, usize> = BTreeMap::new();
    for section in sections.iter_mut() {
        let section_slug = slug(&section.title);
        for (step_index, step) in section.steps.iter_mut().enumerate() {
            let base = match step.number {
                Some(n) => {
                    if let Some(first) = numbers.get(&n) {
                        problems.push(Problem::warning(
                            step.line,
                            format!("step {n} is already numbered at line {first}"),
                        ));
                    } else {
                        numbers.insert(n, step.line);
                    }
                    format!("step-{n}")
                }
                None if step.title.is_empty() => format!("{section_slug}-{step_index}"),
                None => format!("{section_slug}-{}", slug(&step.title)),
            };
            step.key = unique(base, &mut used);
            for (index, item) in step.items.iter_mut().enumerate() {
                let named = match &item.body {
                    ItemBody::Command(Command {
                        name: Some(name), ..
                    }) => Some(name.clone()),
                    _ => None,
                };
                let base = match named {
                    Some(name) if is_key_name(&name) => {
                        if let Some(first) = names.get(&name) {
                            problems.push(Problem::error(
                                item.line,
                                format!("command name '{name}' is already used at line {first}"),
                            ));
                        } else {
                            names.insert(name.clone(), item.line);
                        }
                        name
                    }
                    Some(name) => {
                        problems.push(Problem::warning(
                            item.line,
                            format!(
                                "command name '{}' should be letters, digits, '.', '_' or '-' (at most 64)",
                                crate::sanitize::clean_line(&name, 40)
                            ),
                        ));
                        format!("{}/{index}", step.key)
                    }
                    None => format!("{}/{index}", step.key),
                };
                item.key = unique(base, &mut used);
            }
        }
    }
}

fn is_key_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn unique(base: String, used: &mut HashMap<String, usize>) -> String {
    let count = used.entry(base.clone()).or_insert(0);
    *count += 1;
    if *count == 1 {
        return base;
    }
    let mut n = *count;
    loop {
        let candidate = format!("{base}~{n}");
        if !used.contains_key(&candidate) {
            used.insert(candidate.clone(), 1);
            return candidate;
        }
        n += 1;
    }
}

/// `Diagnosis` -> `diagnosis`, `Roll back!` -> `roll-back`; `intro` for the untitled section.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "intro".to_string()
    } else {
        out.to_string()
    }
}
