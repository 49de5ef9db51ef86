//! Variables: what a declared value must look like, and where a command's text refers to one.
//!
//! Values come from alert labels, which anyone who can push an alert controls. They reach a
//! command only as environment variables, so the text must say `"$NAMESPACE"`: unquoted, the
//! shell splits and globs the value; in single quotes it never expands. The scanner below
//! finds each `$NAME` / `${NAME}` and how it is quoted, without running anything.

use super::model::{VarPattern, VarSpec};
use regex::{Regex, RegexBuilder};
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// The pattern of a var that declares none: a name, namespace, host, path or version. The
/// first character may not be `-`, so a value can never be read as an option (`--kubeconfig=…`).
pub const DEFAULT_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9._:/-]{0,252}$";

/// Longest value kept from a label before it is validated.
pub const MAX_VALUE_CHARS: usize = 4096;

/// Environment variables sitrep itself gives every command (the executor must set them):
/// the URL of the first configured source of each kind (the demo world's in `--demo`).
pub const PROVIDED_VARS: &[&str] = &[
    "SITREP_ALERTMANAGER_URL",
    "SITREP_PROMETHEUS_URL",
    "SITREP_ARGOCD_URL",
];

/// Variables every shell or login has: commands may use them without declaring them.
pub const WELL_KNOWN_VARS: &[&str] = &[
    "HOME",
    "PATH",
    "USER",
    "LOGNAME",
    "PWD",
    "OLDPWD",
    "SHELL",
    "TMPDIR",
    "LANG",
    "LC_ALL",
    "TERM",
    "HOSTNAME",
    "KUBECONFIG",
    "RANDOM",
    "LINENO",
    "SECONDS",
    "PPID",
    "UID",
    "EUID",
    "IFS",
    "OPTARG",
    "OPTIND",
    "REPLY",
];

/// A value pattern compiled, anchored at both ends. Bounded so a hostile pattern cannot make
/// compiling it take unbounded memory.
pub fn compile(text: &str) -> Result<Regex, String> {
    RegexBuilder::new(&format!("^(?:{text})$"))
        .size_limit(1 << 20)
        .nest_limit(64)
        .build()
        .map_err(|e| {
            // The regex crate's message spans several lines with a caret diagram.
            let msg = e.to_string();
            msg.lines()
                .rfind(|l| l.starts_with("error:"))
                .map(|l| l.trim_start_matches("error:").trim().to_string())
                .unwrap_or(msg)
        })
}

pub fn default_pattern() -> VarPattern {
    VarPattern {
        text: DEFAULT_PATTERN.to_string(),
        regex: compile(DEFAULT_PATTERN).expect("the default pattern compiles"),
        declared: false,
    }
}

impl VarSpec {
    /// The value a command will receive, or why `raw` is refused. Control characters are
    /// stripped first; the pattern must then match the whole value.
    pub fn validate(&self, raw: &str) -> Result<String, String> {
        let value = crate::sanitize::clean_line(raw, MAX_VALUE_CHARS);
        if self.pattern.regex.is_match(&value) {
            Ok(value)
        } else {
            Err(format!("does not match {}", self.pattern.text))
        }
    }
}

/// Can `name` be an environment variable?
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 64
}

/// Why a runbook may not declare `name`: it would let an alert label change how the shell,
/// the dynamic linker, kubectl or argocd behave, or shadow what sitrep provides.
pub fn reserved_reason(name: &str) -> Option<&'static str> {
    const SHELL: &[&str] = &[
        "ENV",
        "BASH_ENV",
        "SHELLOPTS",
        "BASHOPTS",
        "PS4",
        "PROMPT_COMMAND",
        "CDPATH",
        "GLOBIGNORE",
        "HISTFILE",
    ];
    const PROXIES: &[&str] = &[
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
    ];
    if WELL_KNOWN_VARS.contains(&name) || SHELL.contains(&name) {
        Some("the shell and the programs it runs use it")
    } else if PROXIES.contains(&name) {
        Some("it redirects or changes how HTTP clients connect")
    } else if ["LD_", "DYLD_", "BASH_FUNC_"]
        .iter()
        .any(|p| name.starts_with(p))
    {
        Some("it changes which code programs load")
    } else if name.starts_with("ARGOCD_") || name.starts_with("KUBE") {
        Some("argocd or kubectl read it (server, token, config)")
    } else if name.starts_with("SITREP_") {
        Some("SITREP_* names are sitrep's own")
    } else {
        None
    }
}

/// How a `$NAME` is quoted where it appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    /// Bare: split into words and globbed.
    Unquoted,
    /// In `"…"`: expanded as one word.
    Double,
    /// In `'…'`, `$'…'` or a heredoc with a quoted delimiter: not expanded at all.
    Literal,
    /// In a heredoc body: expanded, not split.
    Heredoc,
}

/// One reference to a variable in a command's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    pub name: String,
    /// 0-based line within the text.
    pub line: usize,
    pub quoting: Quoting,
}

/// Every `$NAME` and `${NAME…}` in `text` with its quoting. Special and positional parameters
/// (`$?`, `$1`, `$@`…) are not variables and are left out. Linear in the text, no recursion.
pub fn references(text: &str) -> Vec<VarRef> {
    let mut s = Scanner {
        chars: text.chars().collect(),
        i: 0,
        line: 0,
        refs: Vec::new(),
        stack: vec![Ctx::top()],
        heredocs: Vec::new(),
    };
    s.run();
    s.refs
}

/// Names the command assigns itself (`x=…`, `for x in`, `read x`, `export x`): shell-local
/// variables, not ones the runbook must declare.
pub fn assigned_names(text: &str) -> BTreeSet<String> {
    static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)\+?=").expect("valid")
    });
    static DECLARE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"\b(?:for|select)\s+([A-Za-z_][A-Za-z0-9_]*)\b|\b(?:read|export|local|declare|readonly|typeset)((?:\s+-[A-Za-z]+(?:\s+[^\s-]\S*)?)*(?:\s+[A-Za-z_][A-Za-z0-9_]*)+)",
        )
        .expect("valid")
    });
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)").expect("valid"));
    let mut names: BTreeSet<String> = ASSIGN
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .collect();
    for c in DECLARE.captures_iter(text) {
        if let Some(m) = c.get(1) {
            names.insert(m.as_str().to_string());
        }
        if let Some(list) = c.get(2) {
            names.extend(NAME.captures_iter(list.as_str()).map(|n| n[1].to_string()));
        }
    }
    names
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Top,
    /// `$(…)`: closed by the `)` that brings `depth` back below zero.
    Subst {
        depth: usize,
    },
    /// `` `…` ``
    Backtick,
}

#[derive(Debug, Clone, Copy)]
struct Ctx {
    frame: Frame,
    in_double: bool,
    /// `(` `)` nesting inside this frame (subshells, arithmetic).
    parens: usize,
}

impl Ctx {
    fn top() -> Ctx {
        Ctx {
            frame: Frame::Top,
            in_double: false,
            parens: 0,
        }
    }
}

struct Heredoc {
    delimiter: String,
    strip_tabs: bool,
    literal: bool,
}

struct Scanner {
    chars: Vec<char>,
    i: usize,
    line: usize,
    refs: Vec<VarRef>,
    stack: Vec<Ctx>,
    heredocs: Vec<Heredoc>,
}

impl Scanner {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn ctx(&mut self) -> &mut Ctx {
        if self.stack.is_empty() {
            self.stack.push(Ctx::top());
        }
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn at_word_start(&self) -> bool {
        self.i == 0
            || self
                .chars
                .get(self.i - 1)
                .is_some_and(|c| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')'))
    }

    fn run(&mut self) {
        while let Some(c) = self.peek(0) {
            let in_double = self.ctx().in_double;
            match c {
                '\\' => {
                    self.bump();
                    self.bump();
                }
                '$' => self.dollar(in_double),
                '`' => {
                    self.bump();
                    if self.ctx().frame == Frame::Backtick && !in_double {
                        self.stack.pop();
                    } else {
                        self.stack.push(Ctx {
                            frame: Frame::Backtick,
                            in_double: false,
                            parens: 0,
                        });
                    }
                }
                '"' => {
                    self.bump();
                    let ctx = self.ctx();
                    ctx.in_double = !ctx.in_double;
                }
                '\'' if !in_double => {
                    self.bump();
                    self.literal_until('\'');
                }
                '#' if !in_double && self.at_word_start() => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                '(' if !in_double => {
                    self.bump();
                    self.ctx().parens += 1;
                }
                ')' if !in_double => {
                    self.bump();
                    let ctx = self.ctx();
                    if ctx.parens > 0 {
                        ctx.parens -= 1;
                    } else if matches!(ctx.frame, Frame::Subst { .. }) {
                        self.stack.pop();
                    }
                }
                '<' if !in_double && self.peek(1) == Some('<') && self.peek(2) != Some('<') => {
                    self.bump();
                    self.bump();
                    self.heredoc_start();
                }
                '\n' => {
                    self.bump();
                    if !self.heredocs.is_empty() {
                        self.heredoc_bodies();
                    }
                }
                _ => {
                    self.bump();
                }
            }
        }
    }

    fn dollar(&mut self, in_double: bool) {
        let quoting = if in_double {
            Quoting::Double
        } else {
            Quoting::Unquoted
        };
        self.bump();
        match self.peek(0) {
            Some('{') => {
                self.bump();
                let line = self.line;
                // `${#NAME}` is a length, `${!NAME}` an indirection: the name follows.
                if matches!(self.peek(0), Some('#' | '!')) {
                    self.bump();
                }
                let name = self.name();
                self.skip_braces();
                self.push(name, line, quoting);
            }
            Some('(') => {
                self.bump();
                self.stack.push(Ctx {
                    frame: Frame::Subst { depth: 0 },
                    in_double: false,
                    parens: 0,
                });
            }
            Some('\'') if !in_double => {
                self.bump();
                self.literal_until('\'');
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let line = self.line;
                let name = self.name();
                self.push(name, line, quoting);
            }
            _ => {}
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self
            .peek(0)
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            name.push(c);
            self.bump();
        }
        name
    }

    fn push(&mut self, name: String, line: usize, quoting: Quoting) {
        if is_valid_name(&name) {
            self.refs.push(VarRef {
                name,
                line,
                quoting,
            });
        }
    }

    /// To the `}` closing a `${`, nested braces counted; an unclosed one ends at the text's end.
    fn skip_braces(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.bump() {
            match c {
                '\\' => {
                    self.bump();
                }
                '{' => depth += 1,
                '}' if depth == 0 => return,
                '}' => depth -= 1,
                _ => {}
            }
        }
    }

    /// Inside `'…'` nothing expands; a `$NAME` there is recorded as literal.
    fn literal_until(&mut self, close: char) {
        while let Some(c) = self.bump() {
            if c == close {
                return;
            }
            if c == '$'
                && self
                    .peek(0)
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            {
                let line = self.line;
                let name = self.name();
                self.push(name, line, Quoting::Literal);
            }
        }
    }

    fn heredoc_start(&mut self) {
        let strip_tabs = self.peek(0) == Some('-');
        if strip_tabs {
            self.bump();
        }
        while self.peek(0).is_some_and(|c| c == ' ' || c == '\t') {
            self.bump();
        }
        let mut delimiter = String::new();
        let mut literal = false;
        while let Some(c) = self.peek(0) {
            match c {
                '\'' | '"' | '\\' => {
                    literal = true;
                    self.bump();
                }
                c if c.is_whitespace() || matches!(c, ';' | '&' | '|' | '<' | '>' | ')') => break,
                c => {
                    delimiter.push(c);
                    self.bump();
                }
            }
        }
        if !delimiter.is_empty() {
            self.heredocs.push(Heredoc {
                delimiter,
                strip_tabs,
                literal,
            });
        }
    }

    /// After the line that opened them: each pending heredoc's body, line by line.
    fn heredoc_bodies(&mut self) {
        for doc in std::mem::take(&mut self.heredocs) {
            while self.peek(0).is_some() {
                let start = self.i;
                while self.peek(0).is_some_and(|c| c != '\n') {
                    self.i += 1;
                }
                let text: String = self.chars[start..self.i].iter().collect();
                let line = self.line;
                self.bump();
                let body_line = if doc.strip_tabs {
                    text.trim_start_matches('\t')
                } else {
                    text.as_str()
                };
                if body_line == doc.delimiter {
                    break;
                }
                let quoting = if doc.literal {
                    Quoting::Literal
                } else {
                    Quoting::Heredoc
                };
                for r in references(&text) {
                    self.refs.push(VarRef {
                        name: r.name,
                        line,
                        quoting,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(text: &str) -> Vec<(String, usize, Quoting)> {
        references(text)
            .into_iter()
            .map(|r| (r.name, r.line, r.quoting))
            .collect()
    }

    fn one(name: &str, line: usize, q: Quoting) -> (String, usize, Quoting) {
        (name.to_string(), line, q)
    }

    use Quoting::*;

    #[test]
    fn quoting_of_each_reference() {
        assert_eq!(
            refs(r#"kubectl get pods -n "$NS" -l app="${SVC}" $X '$Y' ${Z:-a}"#),
            [
                one("NS", 0, Double),
                one("SVC", 0, Double),
                one("X", 0, Unquoted),
                one("Y", 0, Literal),
                one("Z", 0, Unquoted)
            ]
        );
    }

    #[test]
    fn special_parameters_escapes_and_comments_are_not_variables() {
        assert_eq!(refs(r#"echo $? $1 $@ $# $$ \$NOT "\$NOT" # $NOT"#), []);
        assert_eq!(refs("a=1 # c\n echo \"$A\""), [one("A", 1, Double)]);
        // `#` inside a word is not a comment.
        assert_eq!(refs("echo a#$B"), [one("B", 0, Unquoted)]);
    }

    #[test]
    fn command_substitution_resets_quoting() {
        assert_eq!(
            refs(r#"echo "$(kubectl get -n $NS pods) $(echo "$OK")" `echo $BT`"#),
            [
                one("NS", 0, Unquoted),
                one("OK", 0, Double),
                one("BT", 0, Unquoted)
            ]
        );
        assert_eq!(refs(r#"echo "$((1 + (2)))" "$A""#), [one("A", 0, Double)]);
    }

    #[test]
    fn heredocs_expand_unless_their_delimiter_is_quoted() {
        let text = "cat <<EOF | kubectl apply -f -\nns: $NS\nEOF\ncat <<'X'\n$LIT\nX\necho $AFTER";
        assert_eq!(
            refs(text),
            [
                one("NS", 1, Heredoc),
                one("LIT", 4, Literal),
                one("AFTER", 6, Unquoted)
            ]
        );
        assert_eq!(
            refs("cat <<-E\n\t$A\n\tE\n$B"),
            [one("A", 1, Heredoc), one("B", 3, Unquoted)]
        );
    }

    #[test]
    fn ansi_c_quotes_and_awk_programs_are_literal() {
        assert_eq!(
            refs(r#"awk '{print $NF}' $'a\n$B'"#),
            [one("NF", 0, Literal), one("B", 0, Literal)]
        );
    }

    #[test]
    fn unterminated_constructs_end_at_the_text_end() {
        for text in [
            "\"$A",
            "${A",
            "$(echo $A",
            "'$A",
            "`$A",
            "cat <<EOF\n$A",
            "$",
            "\\",
        ] {
            let _ = refs(text);
        }
        assert_eq!(refs("${A"), [one("A", 0, Unquoted)]);
    }

    #[test]
    fn local_shell_variables_are_found() {
        let names = assigned_names(
            "n=1; for pod in a b; do :; done\nwhile read -r ns name; do :; done\nexport FOO=1 BAR\nkubectl -l app=x",
        );
        for want in ["n", "pod", "ns", "name", "FOO", "app"] {
            assert!(names.contains(want), "{want} missing from {names:?}");
        }
        assert!(!names.contains("kubectl"));
    }

    #[test]
    fn patterns_match_whole_values() {
        let re = compile("[a-z]+").unwrap();
        assert!(re.is_match("abc"));
        assert!(!re.is_match("abc;rm -rf /"));
        let strict = default_pattern().regex;
        assert!(strict.is_match("checkout-prod"));
        assert!(strict.is_match("10.0.0.1:9090"));
        for bad in [
            "-n",
            "--kubeconfig=/x",
            "a b",
            "a;b",
            "$(x)",
            "`x`",
            "a\"b",
            "",
        ] {
            assert!(!strict.is_match(bad), "{bad}");
        }
        assert!(compile("(").unwrap_err().contains("unclosed"));
    }

    #[test]
    fn values_are_cleaned_then_validated() {
        let spec = VarSpec {
            label: Some("namespace".into()),
            pattern: default_pattern(),
            default: None,
            line: 1,
        };
        assert_eq!(spec.validate("pay\u{1b}[31mments").unwrap(), "payments");
        assert!(spec.validate("a\nb").is_err());
        assert!(spec.validate("$(touch /tmp/x)").is_err());
    }

    #[test]
    fn reserved_names() {
        for name in [
            "PATH",
            "LD_PRELOAD",
            "BASH_ENV",
            "ARGOCD_SERVER",
            "KUBECONFIG",
            "SITREP_X",
            "https_proxy",
        ] {
            assert!(reserved_reason(name).is_some(), "{name}");
        }
        assert!(reserved_reason("NAMESPACE").is_none());
        assert!(is_valid_name("_A1") && !is_valid_name("1A") && !is_valid_name("A-B"));
    }
}
