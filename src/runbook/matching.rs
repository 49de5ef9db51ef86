//! Which runbook answers an alert or a service, best first: the alert's `runbook_url` naming a
//! file of a runbooks directory, then a runbook whose front matter lists the alert, then one
//! that lists the service. A `runbook_url` that is a web link is shown and opened, never run.

use super::Runbook;
use std::sync::Arc;

/// One candidate, with why it matched (shown in the pane).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub book: Arc<Runbook>,
    pub why: String,
}

/// What was found for an alert or service.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Runbooks that can be worked, best first.
    pub books: Vec<Candidate>,
    /// The alert's `runbook_url`, when it is a web link (opened with `o`, never executed).
    pub link: Option<String>,
}

/// Match `alert` (its name, labels' service, `runbook_url`), the service's catalog runbook
/// links (`links[type=runbook]`) and `service` against `library`.
pub fn find(
    library: &[Arc<Runbook>],
    alertname: Option<&str>,
    runbook_url: Option<&str>,
    catalog_runbooks: &[String],
    service: Option<&str>,
) -> Found {
    let mut found = Found::default();
    let push = |book: &Arc<Runbook>, why: String, found: &mut Found| {
        if !found.books.iter().any(|c| Arc::ptr_eq(&c.book, book)) {
            found.books.push(Candidate {
                book: book.clone(),
                why,
            });
        }
    };
    if let Some(url) = runbook_url.map(str::trim).filter(|u| !u.is_empty()) {
        if url.starts_with("http://") || url.starts_with("https://") {
            found.link = Some(url.to_string());
        }
        // `high-error-rate.md`, `runbooks/high-error-rate.md`, or a URL ending in the file name.
        let name = url.rsplit('/').next().unwrap_or(url);
        let stem = name.trim_end_matches(".md");
        for book in library {
            let file = book
                .source
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("");
            if !stem.is_empty() && file.eq_ignore_ascii_case(stem) {
                push(book, format!("runbook_url names {name}"), &mut found);
            }
        }
    }
    for url in catalog_runbooks {
        let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url);
        let stem = name.trim_end_matches(".md");
        let before = found.books.len();
        for book in library {
            let file = book
                .source
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("");
            if !stem.is_empty() && file.eq_ignore_ascii_case(stem) {
                push(
                    book,
                    format!("the catalog's runbook link names {name}"),
                    &mut found,
                );
            }
        }
        // A catalog link to a page, not a runbook file here: offered to open.
        if found.books.len() == before && found.link.is_none() {
            found.link = Some(url.clone());
        }
    }
    if let Some(alert) = alertname {
        for book in library {
            if book.alerts.iter().any(|a| a.eq_ignore_ascii_case(alert)) {
                push(book, format!("lists the alert {alert}"), &mut found);
            }
        }
    }
    if let Some(service) = service {
        for book in library {
            if book
                .services
                .iter()
                .any(|s| s.eq_ignore_ascii_case(service))
            {
                push(book, format!("lists the service {service}"), &mut found);
            }
        }
    }
    found
}

/// Every runbook of `dirs` that parses (a file that does not is left out; `sitrep runbook lint`
/// says why), each directory's files in name order, first directory first.
pub fn load_library(dirs: &[std::path::PathBuf]) -> Vec<Arc<Runbook>> {
    let mut books: Vec<Arc<Runbook>> = Vec::new();
    for dir in dirs {
        let Ok(files) = super::files_in(dir) else {
            continue;
        };
        for file in files {
            if let Ok(book) = super::load(&file) {
                books.push(Arc::new(book));
            }
        }
    }
    // Then the shipped ones no directory already provided (by file name).
    for (name, text) in super::shipped::SHIPPED {
        let have = books
            .iter()
            .any(|b| b.source.file_name().and_then(|n| n.to_str()) == Some(*name));
        if !have
            && let Ok(book) = super::parse(
                &std::path::Path::new("runbooks").join(name),
                text.as_bytes(),
            )
        {
            books.push(Arc::new(book));
        }
    }
    books
}
