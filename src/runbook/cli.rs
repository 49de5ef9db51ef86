//! `sitrep runbook lint [PATH…]` and `sitrep runbook show NAME`: text for people, every piece
//! of the file's text cleaned of control characters before it is printed.

use super::lint::{has_errors, lint};
use super::model::{Command, ItemBody, Problem, Runbook, Severity};
use crate::sanitize::{clean_line, clean_text};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where `lint` looks without arguments: the runbooks shipped in a checkout.
pub const DEFAULT_DIR: &str = "runbooks";

/// Lint files and directories (their `*.md`, README excepted). Prints `path:line: severity:
/// message` on `out` and a count on `err`; 1 when any error was found, 2 when there was
/// nothing to lint.
pub fn lint_paths(
    paths: &[PathBuf],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<ExitCode> {
    let paths = if paths.is_empty() {
        let dir = PathBuf::from(DEFAULT_DIR);
        if !dir.is_dir() {
            writeln!(
                err,
                "sitrep: no {DEFAULT_DIR}/ directory here; name the runbooks to lint: \
                 sitrep runbook lint FILE.md|DIR…"
            )?;
            return Ok(ExitCode::from(2));
        }
        vec![dir]
    } else {
        paths.to_vec()
    };
    let (mut files, mut errors, mut warnings) = (0usize, 0usize, 0usize);
    for path in &paths {
        let targets = if path.is_dir() {
            match super::files_in(path) {
                Ok(files) => files,
                Err(e) => {
                    writeln!(
                        out,
                        "{}: error: cannot read the directory: {e}",
                        shown(path)
                    )?;
                    errors += 1;
                    continue;
                }
            }
        } else {
            vec![path.clone()]
        };
        for file in targets {
            files += 1;
            let problems = match super::load(&file) {
                Ok(runbook) => lint(&runbook),
                Err(refused) => vec![refused],
            };
            for p in &problems {
                match p.severity {
                    Severity::Error => errors += 1,
                    Severity::Warning => warnings += 1,
                }
                writeln!(out, "{}", format_problem(&file, p))?;
            }
        }
    }
    writeln!(
        err,
        "{files} runbook{}: {errors} error{}, {warnings} warning{}",
        plural(files),
        plural(errors),
        plural(warnings)
    )?;
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `path:line: error: message` (no line for a problem of the file as a whole).
pub fn format_problem(path: &Path, p: &Problem) -> String {
    let message = clean_line(&p.message, 1000);
    match p.line {
        0 => format!("{}: {}: {message}", shown(path), p.severity.as_str()),
        line => format!("{}:{line}: {}: {message}", shown(path), p.severity.as_str()),
    }
}

/// Print one runbook as the pane shows it. `name` is a path to a file, else a file stem, title
/// or alert name looked up in `dirs`.
pub fn show(
    name: &str,
    dirs: &[PathBuf],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<ExitCode> {
    let path = Path::new(name);
    let runbook = if path.is_file() {
        match super::load(path) {
            Ok(r) => r,
            Err(p) => {
                writeln!(err, "sitrep: {}", format_problem(path, &p))?;
                return Ok(ExitCode::from(1));
            }
        }
    } else {
        let mut found = super::find_by_name(name, dirs);
        if found.is_empty() {
            let looked: Vec<String> = dirs.iter().map(|d| shown(d)).collect();
            writeln!(
                err,
                "sitrep: no runbook named '{}' (by file name, title or alert) in {}",
                clean_line(name, 200),
                looked.join(", ")
            )?;
            return Ok(ExitCode::from(1));
        }
        let (_, best) = found.remove(0);
        if !found.is_empty() {
            let others: Vec<String> = found.iter().map(|(_, r)| shown(&r.source)).collect();
            writeln!(err, "sitrep: also matching: {}", others.join(", "))?;
        }
        best
    };
    out.write_all(render(&runbook).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The runbook as text: header, vars, then each section with its numbered steps, task items
/// and commands (kind, name, confirm/expect/timeout, the command text).
pub fn render(runbook: &Runbook) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", clean_line(&runbook.title, 200));
    let _ = writeln!(s, "  file      {}", shown(&runbook.source));
    if !runbook.alerts.is_empty() {
        let _ = writeln!(
            s,
            "  alerts    {}",
            clean_line(&runbook.alerts.join(", "), 500)
        );
    }
    if !runbook.services.is_empty() {
        let _ = writeln!(
            s,
            "  services  {}",
            clean_line(&runbook.services.join(", "), 500)
        );
    }
    let width = runbook
        .vars
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .min(32);
    let source_of = |spec: &super::model::VarSpec| match &spec.label {
        Some(label) => format!("label {}", clean_line(label, 100)),
        None => "no label".to_string(),
    };
    let source_width = runbook
        .vars
        .values()
        .map(|v| source_of(v).chars().count())
        .max()
        .unwrap_or(0);
    for (i, (name, spec)) in runbook.vars.iter().enumerate() {
        let source = source_of(spec);
        let mut line = format!(
            "{:<width$}  {source:<source_width$}  pattern {}",
            clean_line(name, 64),
            clean_line(&spec.pattern.text, 200)
        );
        if !spec.pattern.declared {
            line.push_str(" (default)");
        }
        if let Some(d) = &spec.default {
            let _ = write!(line, "  default {}", clean_line(d, 100));
        }
        let _ = writeln!(
            s,
            "  {}  {line}",
            if i == 0 { "vars    " } else { "        " }
        );
    }
    for section in &runbook.sections {
        s.push('\n');
        if !section.title.is_empty() {
            let _ = writeln!(s, "## {}", clean_line(&section.title, 200));
        }
        for step in &section.steps {
            let indent = if step.is_implicit() {
                "   "
            } else {
                let title = clean_line(&step.title, 200);
                let _ = match step.number {
                    Some(n) => writeln!(s, "{n:>2}. {title}"),
                    None => writeln!(s, " -  {title}"),
                };
                "    "
            };
            for item in &step.items {
                render_item(&mut s, indent, &item.body);
            }
        }
    }
    let problems = lint(runbook);
    if !problems.is_empty() {
        let errors = problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        let warnings = problems.len() - errors;
        let _ = writeln!(
            s,
            "\nlint: {errors} error{}, {warnings} warning{} (sitrep runbook lint {}){}",
            plural(errors),
            plural(warnings),
            shown(&runbook.source),
            if has_errors(&problems) {
                ": sitrep will not run its commands"
            } else {
                ""
            }
        );
    }
    s
}

fn render_item(s: &mut String, indent: &str, body: &ItemBody) {
    match body {
        ItemBody::Prose(text) => {
            for line in clean_text(text, 10_000).lines() {
                let _ = writeln!(s, "{indent}{line}");
            }
        }
        ItemBody::Task { text, done } => {
            let _ = writeln!(
                s,
                "{indent}[{}] {}",
                if *done { "x" } else { " " },
                clean_line(text, 1000)
            );
        }
        ItemBody::Code { lang, text } => {
            let _ = writeln!(
                s,
                "{indent}┆ {}",
                if lang.is_empty() {
                    "text".to_string()
                } else {
                    clean_line(lang, 40)
                }
            );
            for line in text.lines() {
                let _ = writeln!(s, "{indent}┆   {}", clean_line(line, 1000));
            }
        }
        ItemBody::Command(c) => {
            let _ = writeln!(s, "{indent}▸ {}", command_header(c));
            // `$` marks where the command starts; continuation lines are indented under it.
            for (i, line) in c.text.lines().enumerate() {
                let prompt = if i == 0 { "$" } else { " " };
                let _ = writeln!(s, "{indent}  {prompt} {}", clean_line(line, 1000));
            }
        }
    }
}

/// `check error-rate · expect exit0 · timeout 30s`
pub fn command_header(c: &Command) -> String {
    let mut parts = vec![match &c.name {
        Some(name) => format!("{} {}", c.kind.as_str(), clean_line(name, 64)),
        None => c.kind.as_str().to_string(),
    }];
    if c.needs_confirmation() {
        parts.push("confirm".to_string());
    }
    if let Some(e) = &c.expect {
        parts.push(format!("expect {}", clean_line(&e.to_string(), 200)));
    }
    if let Some(t) = c.timeout {
        parts.push(format!("timeout {}", humantime::format_duration(t)));
    }
    if let Some(cwd) = &c.cwd {
        parts.push(format!("in {}", clean_line(cwd, 200)));
    }
    parts.join(" · ")
}

fn shown(path: &Path) -> String {
    clean_line(&path.display().to_string(), 1000)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
