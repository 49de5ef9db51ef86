//! What a runbook is once parsed: the types the pane, the executor and the linter share.
//!
//! Every step and item carries a `key` that stays the same while the file is edited around it
//! (a command's `name`, else the step's number and the item's place in it): step state lives
//! in the incident timeline under these keys, never in the file.

use regex::Regex;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// A parsed runbook. Parsing never fails on content: what is wrong is in `problems`, and what
/// could not be understood is kept as prose (a command with a broken attribute never runs as
/// something it was not meant to be).
#[derive(Debug, Clone)]
pub struct Runbook {
    /// Where it was read from (as given: relative paths stay relative).
    pub source: PathBuf,
    /// Front matter `title`, else the first `# Heading`, else the file stem.
    pub title: String,
    /// Alert names this runbook is for (front matter `alerts`).
    pub alerts: Vec<String>,
    /// Services this runbook is for (front matter `services`).
    pub services: Vec<String>,
    /// Variables commands may use, by environment variable name.
    pub vars: BTreeMap<String, VarSpec>,
    /// `## Section`s in file order; text before the first one is a section with an empty title.
    pub sections: Vec<Section>,
    /// What the parser found wrong (errors and warnings), in line order. `lint` adds its rules.
    pub problems: Vec<Problem>,
}

/// One variable: where its value comes from and what a value must look like.
#[derive(Debug, Clone)]
pub struct VarSpec {
    /// The alert label that supplies the value (`None`: only `default` can).
    pub label: Option<String>,
    /// What a value must match, whole (the pattern is anchored at both ends).
    pub pattern: VarPattern,
    /// The value when no alert supplies one (validated like any other value).
    pub default: Option<String>,
    /// The line of the var's declaration in the file.
    pub line: usize,
}

/// A compiled value pattern and the text it came from.
#[derive(Debug, Clone)]
pub struct VarPattern {
    /// As written in the front matter, or [`super::vars::DEFAULT_PATTERN`].
    pub text: String,
    /// `text` anchored: `^(?:text)$`, so `[a-z]+` cannot match inside `a;rm -rf /`.
    pub regex: Regex,
    /// False when the var has no `pattern` and the strict default applies.
    pub declared: bool,
}

#[derive(Debug, Clone)]
pub struct Section {
    /// Heading text without `## ` (empty for text before the first section).
    pub title: String,
    /// 1-based line of the heading (of the first content line for the untitled one).
    pub line: usize,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// Stable id for step state: `step-N` for `### N. Title`, else derived from the section
    /// and position; unique within the runbook.
    pub key: String,
    /// N of `### N. Title`; `None` for an unnumbered `###` and for the implicit step that holds
    /// a section's content before its first `###`.
    pub number: Option<u32>,
    /// Title without the number (empty for an implicit step).
    pub title: String,
    /// 1-based line of the `###` heading (of the first item for an implicit step).
    pub line: usize,
    pub items: Vec<Item>,
}

impl Step {
    /// True for the step that holds a section's content before its first `###`.
    pub fn is_implicit(&self) -> bool {
        self.number.is_none() && self.title.is_empty()
    }

    pub fn commands(&self) -> impl Iterator<Item = &Command> {
        self.items.iter().filter_map(|i| match &i.body {
            ItemBody::Command(c) => Some(c),
            _ => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Stable id for item state: the command's `name` when it has one, else
    /// `<step key>/<index>`; unique within the runbook.
    pub key: String,
    /// 1-based line where the item starts (a code block: its opening fence).
    pub line: usize,
    pub body: ItemBody,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemBody {
    /// A paragraph (lines joined with `\n`), as written.
    Prose(String),
    /// `- [ ] text` (`done` for `- [x]`): ticked by hand in the pane.
    Task { text: String, done: bool },
    /// A fenced block that is not a shell command (yaml, console output, no language…): shown,
    /// never run.
    Code { lang: String, text: String },
    /// A `sh`/`bash`/`shell` block: something sitrep can run.
    Command(Command),
}

/// A runnable block. `text` is the block's body unchanged: it is run by `sh -c` as written,
/// and variables reach it only through the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub name: Option<String>,
    pub kind: CommandKind,
    /// The block body, byte for byte (line endings normalised to `\n`, no trailing newline).
    pub text: String,
    /// The fence's language: `sh`, `bash` or `shell`.
    pub lang: String,
    /// The attribute `confirm`. `action` commands need confirmation whatever it says.
    pub confirm: bool,
    pub expect: Option<Expect>,
    pub timeout: Option<Duration>,
    /// Working directory, as written (not expanded).
    pub cwd: Option<String>,
    /// Attributes sitrep does not use (Runme's `interactive`, `background`…), kept as strings.
    pub extra: BTreeMap<String, String>,
    /// 1-based line of the opening fence.
    pub line: usize,
}

impl Command {
    /// Must a person see the exact command and environment and say yes before it runs?
    pub fn needs_confirmation(&self) -> bool {
        self.confirm || self.kind == CommandKind::Action
    }

    /// 1-based file line of the command text's `index`-th line (0-based).
    pub fn text_line(&self, index: usize) -> usize {
        self.line + 1 + index
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CommandKind {
    /// Reads state; runs without confirmation.
    Diagnose,
    /// Decides whether something is fixed: passes or fails by `expect`.
    Check,
    /// Changes something; always confirmed, refused under `--read-only`.
    Action,
}

impl CommandKind {
    pub fn parse(s: &str) -> Option<CommandKind> {
        match s {
            "diagnose" => Some(CommandKind::Diagnose),
            "check" => Some(CommandKind::Check),
            "action" => Some(CommandKind::Action),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::Diagnose => "diagnose",
            CommandKind::Check => "check",
            CommandKind::Action => "action",
        }
    }
}

/// When a check passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// `exit0`: the command exits with status 0.
    Exit0,
    /// `contains:TEXT`: it exits 0 and its output contains TEXT.
    Contains(String),
}

impl Expect {
    pub fn parse(s: &str) -> Option<Expect> {
        if s == "exit0" {
            return Some(Expect::Exit0);
        }
        match s.strip_prefix("contains:") {
            Some(text) if !text.is_empty() => Some(Expect::Contains(text.to_string())),
            _ => None,
        }
    }
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Exit0 => f.write_str("exit0"),
            Expect::Contains(t) => write!(f, "contains:{t}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Something wrong at a line of the file (1-based; 0 for the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    pub fn error(line: usize, message: impl Into<String>) -> Problem {
        Problem {
            line,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub fn warning(line: usize, message: impl Into<String>) -> Problem {
        Problem {
            line,
            severity: Severity::Warning,
            message: message.into(),
        }
    }
}

impl Runbook {
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.sections.iter().flat_map(|s| s.steps.iter())
    }

    pub fn commands(&self) -> impl Iterator<Item = &Command> {
        self.steps().flat_map(|s| s.commands())
    }

    pub fn section(&self, title: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.title.eq_ignore_ascii_case(title))
    }

    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}
