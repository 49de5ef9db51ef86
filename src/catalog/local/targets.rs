//! A Location's `target` into paths: relative to the directory of the file that names it;
//! `*` and `?` match within one path component, `**` any number of directories (as Backstage's
//! glob targets, e.g. `./services/*/catalog-info.yaml`). Wildcards skip hidden names.

use super::walk::{self, MAX_ENTRIES};
use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// The paths `target` names. Without wildcards: the one path, existing or not (reading it
/// reports what is wrong). With: the existing files it matches, sorted.
pub(super) fn expand(base: &Path, target: &str) -> Result<Vec<PathBuf>, String> {
    // `./a` under `dir` is `dir/a`, not `dir/./a` (paths show in problems).
    let path = Path::new(target.trim())
        .components()
        .filter(|c| *c != Component::CurDir)
        .fold(base.to_path_buf(), |p, c| p.join(c));
    if !has_wildcard(target) {
        return Ok(vec![path]);
    }
    let mut lister = Lister { looked: 0 };
    let mut current = vec![PathBuf::new()];
    for component in path.components() {
        let Component::Normal(part) = component else {
            for c in &mut current {
                c.push(component.as_os_str());
            }
            continue;
        };
        let part = part.to_string_lossy();
        current = if part == "**" {
            lister.all_dirs(&current)?
        } else if has_wildcard(&part) {
            let pattern: Vec<char> = part.chars().collect();
            let mut next = Vec::new();
            for dir in &current {
                next.extend(lister.matching(dir, &pattern)?);
            }
            next
        } else {
            current.into_iter().map(|c| c.join(&*part)).collect()
        };
    }
    current.retain(|p| p.is_file());
    current.sort();
    current.dedup();
    Ok(current)
}

/// Directory listing with one budget for the whole expansion: `**/**` or `*/*/*` over a huge
/// tree ends with an error instead of listing it again and again.
struct Lister {
    looked: usize,
}

impl Lister {
    fn list(&mut self, dir: &Path) -> Result<Vec<String>, String> {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let mut names = Vec::new();
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            self.looked += 1;
            if self.looked > MAX_ENTRIES {
                return Err(format!("looks at more than {MAX_ENTRIES} paths"));
            }
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }

    /// Entries of `dir` whose name matches `pattern` (hidden names only if it asks), sorted.
    fn matching(&mut self, dir: &Path, pattern: &[char]) -> Result<Vec<PathBuf>, String> {
        Ok(self
            .list(dir)?
            .into_iter()
            .filter(|name| {
                let hidden = name.starts_with('.') && pattern.first() != Some(&'.');
                let chars: Vec<char> = name.chars().collect();
                !hidden && wildcard_match(pattern, &chars)
            })
            .map(|name| dir.join(name))
            .collect())
    }

    /// The directories and every directory under them (hidden ones, `node_modules` and
    /// `target` skipped; each entered once, so symlink loops end), sorted.
    fn all_dirs(&mut self, dirs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
        let mut out = Vec::new();
        let mut entered = HashSet::new();
        let mut stack: Vec<PathBuf> = dirs.iter().rev().cloned().collect();
        while let Some(d) = stack.pop() {
            if !entered.insert(fs::canonicalize(&d).unwrap_or_else(|_| d.clone())) {
                continue;
            }
            for name in self.list(&d)?.into_iter().rev() {
                let path = d.join(&name);
                if !walk::skipped_dir(&name) && path.is_dir() {
                    stack.push(path);
                }
            }
            out.push(d);
        }
        out.sort();
        Ok(out)
    }
}

/// `*` any run of characters, `?` one character, anything else itself.
fn wildcard_match(pattern: &[char], name: &[char]) -> bool {
    let (mut p, mut n) = (0, 0);
    // Where the last `*` was, and how much of the name it has taken so far.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, n));
            p += 1;
        } else if let Some((sp, sn)) = star {
            p = sp + 1;
            n = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> bool {
        wildcard_match(
            &p.chars().collect::<Vec<_>>(),
            &n.chars().collect::<Vec<_>>(),
        )
    }

    #[test]
    fn wildcards() {
        assert!(m("*", "anything"));
        assert!(m("*.yaml", "a.yaml"));
        assert!(!m("*.yaml", "a.yml"));
        assert!(m("catalog-*.y?ml", "catalog-info.yaml"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(!m("a*b*c", "aXXbYY"));
        assert!(m("", "") && !m("", "a"));
        // Many stars on a long name stay quick.
        assert!(!m(&"*a".repeat(50), &"a".repeat(40)));
    }
}
