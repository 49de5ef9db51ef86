//! The rules a runbook must pass before sitrep runs anything from it, as `file:line` problems.
//! The parser's own findings come first; these add what needs the whole runbook: variables
//! against their uses, required sections, kinds without their safety attributes.

use super::model::{CommandKind, Problem, Runbook, Severity};
use super::vars::{self, Quoting};
use std::collections::BTreeSet;

/// Sections a runbook must have: what the alert means and how to stop the bleeding.
pub const REQUIRED_SECTIONS: &[&str] = &["Meaning", "Mitigation"];

/// Every problem of `runbook`, the parser's included, in line order (errors first on a line).
pub fn lint(runbook: &Runbook) -> Vec<Problem> {
    let mut problems = runbook.problems.clone();
    sections(runbook, &mut problems);
    declarations(runbook, &mut problems);
    uses(runbook, &mut problems);
    commands(runbook, &mut problems);
    // A broken front matter already explains why there are none.
    let front_matter_broken = runbook
        .problems
        .iter()
        .any(|p| p.message.starts_with("front matter"));
    if runbook.alerts.is_empty() && runbook.services.is_empty() && !front_matter_broken {
        problems.push(Problem::warning(
            1,
            "front matter names no alerts and no services: no alert will open this runbook",
        ));
    }
    let mut seen = BTreeSet::new();
    problems.retain(|p| seen.insert((p.line, p.message.clone())));
    problems.sort_by_key(|p| (p.line, std::cmp::Reverse(p.severity)));
    problems
}

pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(|p| p.severity == Severity::Error)
}

fn sections(runbook: &Runbook, problems: &mut Vec<Problem>) {
    for required in REQUIRED_SECTIONS {
        if runbook.section(required).is_none() {
            problems.push(Problem::error(1, format!("no '## {required}' section")));
        }
    }
}

fn declarations(runbook: &Runbook, problems: &mut Vec<Problem>) {
    // Scanned once: a runbook may declare thousands of vars and hold thousands of commands.
    let references: Vec<vars::VarRef> = runbook
        .commands()
        .flat_map(|c| vars::references(&c.text))
        .collect();
    let used: BTreeSet<&str> = references.iter().map(|r| r.name.as_str()).collect();
    for (name, spec) in &runbook.vars {
        let line = spec.line;
        if !vars::is_valid_name(name) {
            problems.push(Problem::error(
                line,
                format!(
                    "var '{}' cannot be an environment variable: letters, digits and _, not starting with a digit",
                    crate::sanitize::clean_line(name, 64)
                ),
            ));
            continue;
        }
        if let Some(why) = vars::reserved_reason(name) {
            problems.push(Problem::error(
                line,
                format!("var {name} may not be declared: {why}"),
            ));
        }
        if !spec.pattern.declared {
            problems.push(Problem::warning(
                line,
                format!(
                    "var {name} has no pattern: the strict default {} applies",
                    vars::DEFAULT_PATTERN
                ),
            ));
        }
        match (&spec.label, &spec.default) {
            (None, None) => problems.push(Problem::error(
                line,
                format!("var {name} has neither a label nor a default: it can never have a value"),
            )),
            (_, Some(default)) => {
                if let Err(why) = spec.validate(default) {
                    problems.push(Problem::error(
                        line,
                        format!(
                            "var {name}: default '{}' {why}",
                            crate::sanitize::clean_line(default, 80)
                        ),
                    ));
                }
            }
            _ => {}
        }
        if !used.contains(name.as_str()) {
            problems.push(Problem::warning(
                line,
                format!("var {name} is declared but no command uses it"),
            ));
        }
    }
}

/// Each `$NAME` of each command: declared (or provided), and double-quoted.
fn uses(runbook: &Runbook, problems: &mut Vec<Problem>) {
    for command in runbook.commands() {
        let local = vars::assigned_names(&command.text);
        for r in vars::references(&command.text) {
            let line = command.text_line(r.line);
            let name = r.name.as_str();
            let declared = runbook.vars.contains_key(name);
            let provided = vars::PROVIDED_VARS.contains(&name);
            let known = declared
                || provided
                || vars::WELL_KNOWN_VARS.contains(&name)
                || local.contains(name);
            match r.quoting {
                Quoting::Literal => {
                    if declared || provided {
                        problems.push(Problem::error(
                            line,
                            format!("${name} is in single quotes or a quoted heredoc: it will not expand; write \"${name}\""),
                        ));
                    }
                    continue;
                }
                Quoting::Unquoted if declared || provided => problems.push(Problem::error(
                    line,
                    format!("${name} is unquoted: the shell would split and glob its value; write \"${name}\""),
                )),
                Quoting::Unquoted => problems.push(Problem::warning(
                    line,
                    format!("${name} is unquoted: write \"${name}\""),
                )),
                Quoting::Double | Quoting::Heredoc => {}
            }
            if !known {
                let message = if name.starts_with("SITREP_") {
                    format!(
                        "${name} is not a variable sitrep provides ({})",
                        vars::PROVIDED_VARS.join(", ")
                    )
                } else {
                    format!("${name} is not declared in the front matter's vars")
                };
                problems.push(Problem::error(line, message));
            }
        }
    }
}

fn commands(runbook: &Runbook, problems: &mut Vec<Problem>) {
    for command in runbook.commands() {
        match command.kind {
            CommandKind::Action if !command.confirm => problems.push(Problem::warning(
                command.line,
                "action without \"confirm\":true (sitrep asks before every action anyway: say so)",
            )),
            CommandKind::Check if command.expect.is_none() => problems.push(Problem::warning(
                command.line,
                "check without expect: it passes on exit status 0; say \"expect\":\"exit0\" or \"contains:TEXT\"",
            )),
            CommandKind::Diagnose | CommandKind::Action if command.expect.is_some() => {
                problems.push(Problem::warning(
                    command.line,
                    format!("expect only decides checks; this is a {}", command.kind.as_str()),
                ))
            }
            _ => {}
        }
        if command.text.trim().is_empty() {
            problems.push(Problem::error(command.line, "the command is empty"));
        }
    }
}
