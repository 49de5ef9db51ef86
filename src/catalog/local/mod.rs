//! `catalog-info.yaml` files on disk: one file, or a directory searched for them, with
//! `kind: Location` targets followed. Synchronous (the caller runs it on a blocking thread).
//! Every bad path, file or document becomes a [`Problem`] and everything else still loads;
//! sizes, counts, nesting and alias expansion are bounded so no file can hang or exhaust it.
//!
//! - `walk`: which files a directory holds.
//! - `documents`: a file's text into documents, each parsed on its own (`guard`: flow nesting
//!   checked before libyaml sees it; `value`: alias expansion budgeted).
//! - `targets`: a Location's targets into paths (relative, globs).

mod documents;
mod guard;
mod targets;
mod value;
mod walk;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use super::decode::decode;
use super::entity::{Decoded, Entity, EntityRef, LocationSpec};
use crate::sanitize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Bounds on one [`load`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalLimits {
    /// How many Locations deep a chain is followed (the path given to `load` is depth 0).
    pub max_depth: usize,
    /// Most catalog files read.
    pub max_files: usize,
    /// Larger files are reported, not read. (One document of a file is further held to
    /// 1 MiB: parsing costs about a hundred times its size in memory.)
    pub max_file_bytes: usize,
    /// Most YAML documents read, over all files.
    pub max_documents: usize,
}

impl Default for LocalLimits {
    fn default() -> LocalLimits {
        LocalLimits {
            max_depth: 8,
            max_files: 2000,
            max_file_bytes: 4 * 1024 * 1024,
            max_documents: 100_000,
        }
    }
}

/// Something wrong with a path, a file or one document of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line of the file, when the problem is in one place of it.
    pub line: Option<usize>,
    /// Free of control characters.
    pub message: String,
}

/// Longest problem message kept.
const MAX_MESSAGE_CHARS: usize = 1024;

impl Problem {
    fn new(file: &Path, line: Option<usize>, message: impl AsRef<str>) -> Problem {
        Problem {
            file: file.to_path_buf(),
            line,
            message: sanitize::clean_line(message.as_ref(), MAX_MESSAGE_CHARS),
        }
    }
}

impl fmt::Display for Problem {
    /// `path/to/catalog-info.yaml:12: no metadata.name`, or `path: message`. File names are
    /// outside text too: cleaned.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = sanitize::clean_line(&self.file.to_string_lossy(), MAX_MESSAGE_CHARS);
        match self.line {
            Some(line) => write!(f, "{file}:{line}: {}", self.message),
            None => write!(f, "{file}: {}", self.message),
        }
    }
}

/// What [`load`] found.
#[derive(Clone, Debug, Default)]
pub struct LocalCatalog {
    /// In the order read; the first of two with the same reference is kept.
    pub entities: Vec<Entity>,
    pub problems: Vec<Problem>,
    /// Catalog files read (YAML files that turned out not to be catalog files not counted).
    pub files_read: usize,
}

/// Read the catalog at `path`: a file, or a directory searched recursively.
pub fn load(path: &Path, limits: &LocalLimits) -> LocalCatalog {
    let mut loader = Loader {
        limits,
        out: LocalCatalog::default(),
        read: HashSet::new(),
        first: HashMap::new(),
        documents: 0,
        files_full: false,
        documents_full: false,
    };
    loader.path(path, 0, None);
    loader.out
}

/// What Backstage's `url` Locations get.
pub const URL_TARGETS: &str =
    "url targets are not read; point --catalog at the Backstage API instead";

/// A YAML file not named like a catalog file is read only if it declares a Backstage entity.
/// (Kubernetes manifests often carry `backstage.io/…` labels; those are not catalog files.)
static DECLARES_BACKSTAGE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"apiVersion["']?\s*:\s*["']?backstage\.io/"#)
        .expect("a fixed pattern compiles")
});

fn is_backstage(doc: &Value) -> bool {
    doc.get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("backstage.io/"))
}

struct Loader<'a> {
    limits: &'a LocalLimits,
    out: LocalCatalog,
    /// Canonical paths of files already read (or refused): each is read once, so cycles end.
    read: HashSet<PathBuf>,
    /// Where each entity was first read.
    first: HashMap<EntityRef, (PathBuf, usize)>,
    documents: usize,
    files_full: bool,
    documents_full: bool,
}

impl Loader<'_> {
    fn problem(&mut self, file: &Path, line: Option<usize>, message: impl AsRef<str>) {
        self.out.problems.push(Problem::new(file, line, message));
    }

    /// A path given to `load` (`from` None) or named by a Location (`from` its file and line,
    /// where a missing target is reported).
    fn path(&mut self, path: &Path, depth: usize, from: Option<(&Path, usize)>) {
        match fs::metadata(path) {
            Err(e) => match from {
                None => self.problem(path, None, format!("cannot read: {e}")),
                Some((file, line)) => self.problem(
                    file,
                    Some(line),
                    format!("target {}: cannot read: {e}", path.display()),
                ),
            },
            Ok(meta) if meta.is_dir() => {
                for found in walk::search(path, &mut self.out.problems) {
                    self.file(&found.path, depth, found.named);
                }
            }
            Ok(_) => self.file(path, depth, true),
        }
    }

    /// One file; `named`: a catalog file by its name or by being asked for, so everything
    /// wrong with it is reported. Other YAML is read only if it declares a Backstage entity.
    fn file(&mut self, path: &Path, depth: usize, named: bool) {
        let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self.read.contains(&canonical) {
            return;
        }
        if named {
            // Even if it cannot be read: reached again, it is not reported again.
            self.read.insert(canonical.clone());
        }
        let Some(text) = self.text(path, named) else {
            return;
        };
        self.read.insert(canonical);
        self.out.files_read += 1;
        let mut locations = Vec::new();
        for chunk in documents::split(&text) {
            if self.documents >= self.limits.max_documents {
                if !self.documents_full {
                    self.documents_full = true;
                    let max = self.limits.max_documents;
                    self.problem(
                        path,
                        Some(chunk.line),
                        format!("more than {max} documents (max_documents): the rest are not read"),
                    );
                }
                break;
            }
            self.documents += 1;
            let doc = match documents::parse(&chunk) {
                Ok(doc) => doc,
                Err(broken) => {
                    self.problem(path, Some(broken.line), broken.message);
                    continue;
                }
            };
            if doc.is_null() || (!named && !is_backstage(&doc)) {
                continue;
            }
            match decode(&doc) {
                Err(message) => self.problem(path, Some(chunk.line), message),
                Ok(Decoded::Entity(entity)) => self.entity(*entity, path, chunk.line),
                Ok(Decoded::Location(location)) => {
                    let lines: Vec<usize> =
                        location.targets.iter().map(|t| chunk.line_of(t)).collect();
                    locations.push((chunk.line, lines, location));
                }
                Ok(Decoded::Ignored(_)) => {}
            }
        }
        for (line, target_lines, location) in locations {
            self.follow(path, line, &target_lines, &location, depth);
        }
    }

    /// The file's text if it is to be read: within the limits and, unless `named`, declaring
    /// a Backstage entity. Invalid UTF-8 is replaced, not refused.
    fn text(&mut self, path: &Path, named: bool) -> Option<String> {
        if self.out.files_read >= self.limits.max_files {
            if named && !self.files_full {
                self.files_full = true;
                let max = self.limits.max_files;
                self.problem(
                    path,
                    None,
                    format!("more than {max} catalog files (max_files): this one and the rest are not read"),
                );
            }
            return None;
        }
        let max = self.limits.max_file_bytes;
        let bytes = match read_capped(path, max) {
            Ok(Contents::Bytes(bytes)) => bytes,
            Ok(Contents::TooBig(size)) => {
                if named || peek_declares_backstage(path) {
                    let message =
                        format!("{size} bytes, more than {max} (max_file_bytes): not read");
                    self.problem(path, None, message);
                }
                return None;
            }
            Err(e) => {
                if named {
                    self.problem(path, None, format!("cannot read: {e}"));
                }
                return None;
            }
        };
        let mut text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        (named || DECLARES_BACKSTAGE.is_match(&text)).then_some(text)
    }

    fn entity(&mut self, entity: Entity, file: &Path, line: usize) {
        let key = entity.entity_ref();
        if let Some((first, first_line)) = self.first.get(&key) {
            let message = format!(
                "duplicate {key}: already read from {}:{first_line}; the first is kept",
                first.display()
            );
            self.problem(file, Some(line), message);
            return;
        }
        self.first.insert(key, (file.to_path_buf(), line));
        self.out.entities.push(entity);
    }

    /// The targets of a `kind: Location` document at `file:line`; `target_lines[i]` is where
    /// `location.targets[i]` is written.
    fn follow(
        &mut self,
        file: &Path,
        line: usize,
        target_lines: &[usize],
        location: &LocationSpec,
        depth: usize,
    ) {
        let kind = location.kind.as_deref().map(str::to_ascii_lowercase);
        match kind.as_deref() {
            None | Some("file") => {}
            Some("url") => {
                for (target, &line) in location.targets.iter().zip(target_lines) {
                    self.problem(file, Some(line), format!("{target}: {URL_TARGETS}"));
                }
                return;
            }
            Some(other) => {
                self.problem(
                    file,
                    Some(line),
                    format!("Location type {other:?} is not read (only file targets are)"),
                );
                return;
            }
        }
        if location.targets.is_empty() {
            self.problem(file, Some(line), "Location without target");
        }
        for (target, &line) in location.targets.iter().zip(target_lines) {
            // Without a type, a URL is what Backstage would fetch.
            if kind.is_none() && url::Url::parse(target).is_ok_and(|u| u.scheme().len() > 1) {
                self.problem(file, Some(line), format!("{target}: {URL_TARGETS}"));
                continue;
            }
            if depth >= self.limits.max_depth {
                let max = self.limits.max_depth;
                self.problem(
                    file,
                    Some(line),
                    format!(
                        "Locations chained more than {max} deep (max_depth): {target} not read"
                    ),
                );
                continue;
            }
            let base = file.parent().unwrap_or(Path::new(""));
            match targets::expand(base, target) {
                Err(message) => {
                    self.problem(file, Some(line), format!("target {target}: {message}"))
                }
                Ok(paths) if paths.is_empty() => {
                    self.problem(file, Some(line), format!("target {target} matches no file"));
                }
                Ok(paths) => {
                    for path in paths {
                        self.path(&path, depth + 1, Some((file, line)));
                    }
                }
            }
        }
    }
}

enum Contents {
    Bytes(Vec<u8>),
    TooBig(u64),
}

/// The file's bytes, if at most `max`. Only regular files: a FIFO or a device named
/// `catalog-info.yaml` would block or never end.
fn read_capped(path: &Path, max: usize) -> io::Result<Contents> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Opening a FIFO for reading blocks until a writer comes; non-blocking it does not.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    if meta.len() > max as u64 {
        return Ok(Contents::TooBig(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > max {
        return Ok(Contents::TooBig(bytes.len() as u64));
    }
    Ok(Contents::Bytes(bytes))
}

/// Whether a file too big to read looks like a catalog file (its first 64 KiB), to report it.
fn peek_declares_backstage(path: &Path) -> bool {
    let mut head = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .is_ok()
        && DECLARES_BACKSTAGE.is_match(&String::from_utf8_lossy(&head))
}
