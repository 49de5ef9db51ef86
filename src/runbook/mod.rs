//! Guided runbooks: Markdown with YAML front matter and Runme-style fenced commands, parsed
//! into steps the pane walks and the executor runs. See README "Runbooks" for the format.
//!
//! - [`model`]: the types (a [`Runbook`] of sections, steps, items, commands).
//! - [`parse`] / [`load`]: bytes to a runbook, bounded (1 MB, 10,000 steps); problems, not panics.
//! - [`vars`]: value patterns and where commands refer to variables.
//! - [`lint`]: the rules shipped runbooks pass in CI (`sitrep runbook lint`).
//! - [`cli`]: `sitrep runbook lint|show`.

pub mod attrs;
pub mod cli;
mod front_matter;
pub mod lint;
pub mod matching;
pub mod model;
pub mod parse;
pub mod shipped;
pub mod vars;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use lint::lint;
pub use model::{
    Command, CommandKind, Expect, Item, ItemBody, Problem, Runbook, Section, Severity, Step,
    VarPattern, VarSpec,
};
pub use parse::{MAX_BYTES, MAX_STEPS, parse};

use crate::config::load::Env;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Most runbook files read from one directory (a directory of thousands is a mistake).
pub const MAX_FILES_PER_DIR: usize = 1000;

/// Read and parse one file. Only regular files are read (a FIFO or a device would block or
/// never end), and never more than [`MAX_BYTES`] + 1 bytes.
pub fn load(path: &Path) -> Result<Runbook, Problem> {
    let cannot = |e: std::io::Error| Problem::error(0, format!("cannot read: {e}"));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(Problem::error(0, "not a regular file"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > MAX_BYTES {
        // Report the real size when we know it; we stopped reading at the limit.
        return Err(Problem::error(
            0,
            format!(
                "the file is {} bytes; runbooks are limited to 1 MB ({MAX_BYTES} bytes)",
                meta.len().max(bytes.len() as u64)
            ),
        ));
    }
    parse(path, &bytes)
}

/// The runbook files of a directory: `*.md` but `README.md`, sorted, at most
/// [`MAX_FILES_PER_DIR`]; not recursive.
pub fn files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"))
                && !p
                    .file_stem()
                    .is_some_and(|s| s.eq_ignore_ascii_case("readme"))
                && p.is_file()
        })
        .take(MAX_FILES_PER_DIR)
        .collect();
    files.sort();
    Ok(files)
}

/// Where runbooks are looked for, most specific first: `--runbooks` and `[runbooks] dirs`
/// (`configured`), then `$XDG_CONFIG_HOME/sitrep/runbooks`, then `runbooks/` in the current
/// directory (the ones shipped with sitrep, in a checkout).
pub fn search_dirs(configured: &[PathBuf], env: &Env) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = configured.to_vec();
    if let Some(config) = env.config_home() {
        dirs.push(config.join("sitrep").join("runbooks"));
    }
    dirs.push(PathBuf::from("runbooks"));
    let mut seen = std::collections::BTreeSet::new();
    dirs.retain(|d| seen.insert(d.clone()));
    dirs
}

/// How well a runbook matched a name given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameMatch {
    FileStem,
    Title,
    Alert,
}

/// The runbooks of `dirs` that `name` names, best first: by file stem, then title, then an
/// alert in `alerts` (all case-insensitive); in `dirs` order among equals. Files that cannot
/// be read or are refused are skipped.
pub fn find_by_name(name: &str, dirs: &[PathBuf]) -> Vec<(NameMatch, Runbook)> {
    let wanted = name.trim().trim_end_matches(".md");
    let mut found = Vec::new();
    for dir in dirs {
        let Ok(files) = files_in(dir) else { continue };
        for file in files {
            let Ok(runbook) = load(&file) else { continue };
            let by_stem = file
                .file_stem()
                .is_some_and(|s| s.to_string_lossy().eq_ignore_ascii_case(wanted));
            let how = if by_stem {
                Some(NameMatch::FileStem)
            } else if runbook.title.eq_ignore_ascii_case(wanted) {
                Some(NameMatch::Title)
            } else if runbook
                .alerts
                .iter()
                .any(|a| a.eq_ignore_ascii_case(wanted))
            {
                Some(NameMatch::Alert)
            } else {
                None
            };
            if let Some(how) = how {
                found.push((how, runbook));
            }
        }
    }
    // Stable: dirs order is kept among equal matches.
    found.sort_by_key(|(how, _)| *how);
    found
}
