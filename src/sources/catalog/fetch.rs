//! Reading a catalog once, whichever kind it is: the Backstage API (all pages) or local files
//! (on a blocking thread: a big directory must not stall the runtime).

use super::backstage::BackstageClient;
use crate::catalog::Entity;
use crate::catalog::local::{self, LocalLimits};
use crate::config::source::SourceSpec;
use crate::sources::bounded;
use crate::sources::error::{ErrorKind, SourceError};
use crate::sources::http::HttpOptions;
use std::time::Duration;

/// A complete catalog, or why there is none this time.
pub struct Read {
    pub entities: Vec<Entity>,
    pub problems: Vec<String>,
    /// "1,204 entities in 3 pages", "52 entities from 14 files".
    pub summary: String,
}

/// How long a whole catalog may take: many pages, each within the source's timeout.
fn whole_catalog_deadline(spec: &SourceSpec) -> Duration {
    (spec.timeout * 10).max(Duration::from_secs(60))
}

pub async fn read(
    spec: &SourceSpec,
    client: Option<&BackstageClient>,
) -> Result<Read, SourceError> {
    if let Some(path) = spec.catalog.path.clone() {
        let loaded =
            tokio::task::spawn_blocking(move || local::load(&path, &LocalLimits::default()))
                .await
                .map_err(|e| {
                    SourceError::new(
                        ErrorKind::Other,
                        None,
                        format!("reading the catalog files failed: {e}"),
                    )
                })?;
        if loaded.files_read == 0 && loaded.entities.is_empty() {
            let why = loaded
                .problems
                .first()
                .map(|p| p.to_string())
                .unwrap_or_else(|| "no catalog-info.yaml found".to_string());
            return Err(SourceError::new(ErrorKind::Config, None, why));
        }
        let summary = format!(
            "{} from {}",
            entities(loaded.entities.len()),
            crate::ui::format::plural(loaded.files_read, "file")
        );
        return Ok(Read {
            entities: loaded.entities,
            problems: loaded.problems.iter().map(|p| p.to_string()).collect(),
            summary,
        });
    }
    let owned;
    let client = match client {
        Some(c) => c,
        None => {
            owned = BackstageClient::new(spec, &HttpOptions::default())?;
            &owned
        }
    };
    let fetched = bounded(
        whole_catalog_deadline(spec),
        client.fetch_all(&spec.catalog.filters),
    )
    .await?;
    let summary = format!(
        "{} in {}",
        entities(fetched.entities.len()),
        crate::ui::format::plural(fetched.pages, "page")
    );
    Ok(Read {
        entities: fetched.entities,
        problems: fetched.problems,
        summary,
    })
}

/// "1 entity", "87 entities".
fn entities(n: usize) -> String {
    if n == 1 {
        "1 entity".to_string()
    } else {
        format!("{n} entities")
    }
}
