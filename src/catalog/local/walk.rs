//! Finding catalog files under a directory: `catalog-info.yaml` and its kin by name, and every
//! other YAML file as a maybe (read only if it declares a Backstage `apiVersion`).

use super::Problem;
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Most directory entries looked at in one search (a catalog pointed at `/` ends, reported).
pub(super) const MAX_ENTRIES: usize = 200_000;

/// A file the search found.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Found {
    pub path: PathBuf,
    /// Named like a catalog file: everything wrong with it is reported.
    pub named: bool,
}

/// `catalog-info.yaml`, `catalog-info.yml`, `*.catalog-info.yaml|yml` (any case).
pub(super) fn is_named(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["catalog-info.yaml", "catalog-info.yml"].iter().any(|n| {
        name == *n
            || name
                .strip_suffix(n)
                .is_some_and(|stem| stem.len() > 1 && stem.ends_with('.'))
    })
}

fn is_yaml(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// Directories never searched: hidden ones (`.git`), dependencies and build output.
pub(super) fn skipped_dir(name: &str) -> bool {
    name.starts_with('.') || name == "node_modules" || name == "target"
}

/// Every YAML file under `root`, sorted by path. Directories are entered once each by their
/// canonical path, so symlink loops end.
pub(super) fn search(root: &Path, problems: &mut Vec<Problem>) -> Vec<Found> {
    let mut found = Vec::new();
    let mut entered = HashSet::new();
    let mut stack = vec![root.to_path_buf()];
    let mut entries = 0usize;
    while let Some(dir) = stack.pop() {
        if !entered.insert(fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone())) {
            continue;
        }
        let listing = match fs::read_dir(&dir) {
            Ok(listing) => listing,
            Err(e) => {
                problems.push(Problem::new(
                    &dir,
                    None,
                    format!("cannot read directory: {e}"),
                ));
                continue;
            }
        };
        for entry in listing.flatten() {
            entries += 1;
            if entries > MAX_ENTRIES {
                problems.push(Problem::new(
                    root,
                    None,
                    format!("more than {MAX_ENTRIES} files and directories; search stopped"),
                ));
                found.sort_by(|a: &Found, b| a.path.cmp(&b.path));
                return found;
            }
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            // Follows symlinks: a linked directory is searched, a linked file read.
            match fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => {
                    if !skipped_dir(&name) {
                        stack.push(path);
                    }
                }
                Ok(_) if is_named(&name) => found.push(Found { path, named: true }),
                Ok(_) if is_yaml(&name) => found.push(Found { path, named: false }),
                Ok(_) => {}
                Err(e) if is_named(&name) => {
                    problems.push(Problem::new(&path, None, format!("cannot read: {e}")));
                }
                Err(_) => {}
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for yes in [
            "catalog-info.yaml",
            "catalog-info.yml",
            "Catalog-Info.YAML",
            "api.catalog-info.yaml",
            "a.b.catalog-info.yml",
        ] {
            assert!(is_named(yes), "{yes}");
        }
        for no in [
            "catalog-info.json",
            "mycatalog-info.yaml",
            ".catalog-info.yaml",
            "catalog-info.yaml.bak",
        ] {
            assert!(!is_named(no), "{no}");
        }
        assert!(is_yaml("deploy.YML") && !is_yaml("yaml"));
    }
}
