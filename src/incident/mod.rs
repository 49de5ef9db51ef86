//! The incident: declared, lived and written up. Its events live in a durable journal
//! (`journal.rs`) behind [`IncidentStore`], so another store (PostgreSQL, the cluster's API)
//! can later sit behind the same interface; `state.rs` folds a journal into the incident;
//! `worker.rs` keeps the dashboard's journal off the UI loop; `export.rs` writes the
//! post-mortem.

pub mod cli;
pub mod events;
pub mod export;
pub mod journal;
pub mod state;
pub mod time_input;
pub mod worker;

use journal::{Appended, Entry, IncidentDir, Journal, JournalError, Loaded};
use state::{Incident, Status};
use std::path::PathBuf;

/// Where incidents are kept and how they are written. The file store is the only one today.
pub trait IncidentStore: Send {
    /// Declare a new incident: `declared` first, then `backfill`, durable before this returns.
    /// Refused while another incident is active.
    fn declare(
        &mut self,
        declared: crate::model::timeline::TimelineEvent,
        backfill: Vec<crate::model::timeline::TimelineEvent>,
    ) -> Result<Vec<Entry>, JournalError>;
    /// Open the active incident, if there is one (the dashboard resumes it).
    fn resume(&mut self) -> Result<Option<Loaded>, JournalError>;
    /// Append to the open incident; also brings what other writers appended.
    fn append(
        &mut self,
        events: Vec<crate::model::timeline::TimelineEvent>,
    ) -> Result<Appended, JournalError>;
    /// What other writers appended to the open incident since we last looked.
    fn poll(&mut self) -> Result<Loaded, JournalError>;
    /// The open incident's id.
    fn open_id(&self) -> Option<&str>;
    /// Every incident, oldest first.
    fn list(&self) -> Result<Vec<Incident>, JournalError>;
    /// One incident with all its events.
    fn load(&self, id: &str) -> Result<Incident, JournalError>;
    /// Where it lives, for people.
    fn location(&self) -> String;
}

/// Incidents as JSON-lines files in a directory (`$XDG_DATA_HOME/sitrep/incidents`).
pub struct FileStore {
    pub dir: IncidentDir,
    open: Option<Journal>,
    /// Each journal's status by (size, modified): looking for the active incident every half
    /// second re-reads only journals that changed.
    statuses:
        std::sync::Mutex<std::collections::HashMap<String, (u64, std::time::SystemTime, Status)>>,
}

impl FileStore {
    pub fn new(dir: impl Into<PathBuf>) -> FileStore {
        FileStore {
            dir: IncidentDir::new(dir),
            open: None,
            statuses: Default::default(),
        }
    }

    /// The id of the newest incident not resolved.
    pub fn active_id(&self) -> Result<Option<String>, JournalError> {
        for id in self.dir.ids()?.into_iter().rev() {
            let Ok(meta) = std::fs::metadata(self.dir.journal_path(&id)) else {
                continue;
            };
            let stamp = (meta.len(), meta.modified().unwrap_or(std::time::UNIX_EPOCH));
            let cached = self
                .statuses
                .lock()
                .ok()
                .and_then(|c| c.get(&id).copied())
                .filter(|(len, at, _)| (*len, *at) == stamp)
                .map(|(_, _, status)| status);
            let status = match cached {
                Some(s) => s,
                None => match self.load(&id) {
                    Ok(i) => {
                        if let Ok(mut c) = self.statuses.lock() {
                            c.insert(id.clone(), (stamp.0, stamp.1, i.meta.status));
                        }
                        i.meta.status
                    }
                    Err(_) => continue,
                },
            };
            if status != Status::Resolved {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// An id as typed: exact, any case, or `active`.
    pub fn resolve_id(&self, given: &str) -> Result<String, JournalError> {
        if given.eq_ignore_ascii_case("active") || given.eq_ignore_ascii_case("current") {
            return self.active_id()?.ok_or_else(|| {
                JournalError::Refused("no active incident (sitrep incident list)".to_string())
            });
        }
        let ids = self.dir.ids()?;
        ids.iter()
            .find(|id| id.eq_ignore_ascii_case(given))
            .cloned()
            .ok_or_else(|| JournalError::NotFound(crate::sanitize::clean_line(given, 60)))
    }
}

impl IncidentStore for FileStore {
    fn declare(
        &mut self,
        declared: crate::model::timeline::TimelineEvent,
        backfill: Vec<crate::model::timeline::TimelineEvent>,
    ) -> Result<Vec<Entry>, JournalError> {
        let (journal, entries) = self.dir.create(declared, backfill, |dir| {
            let store = FileStore::new(dir.path.clone());
            match store.active_id()? {
                Some(id) => Err(JournalError::Refused(format!(
                    "incident {id} is still active: resolve it first (one active incident per \
                     data directory)"
                ))),
                None => Ok(()),
            }
        })?;
        self.open = Some(journal);
        Ok(entries)
    }

    fn resume(&mut self) -> Result<Option<Loaded>, JournalError> {
        let Some(id) = self.active_id()? else {
            return Ok(None);
        };
        let (journal, loaded) = self.dir.open(&id)?;
        self.open = Some(journal);
        Ok(Some(loaded))
    }

    fn append(
        &mut self,
        events: Vec<crate::model::timeline::TimelineEvent>,
    ) -> Result<Appended, JournalError> {
        match &mut self.open {
            Some(j) => j.append(&self.dir, events),
            None => Err(JournalError::Refused("no incident is open".to_string())),
        }
    }

    fn poll(&mut self) -> Result<Loaded, JournalError> {
        match &mut self.open {
            Some(j) => j.poll(),
            None => Ok(Loaded::default()),
        }
    }

    fn open_id(&self) -> Option<&str> {
        self.open.as_ref().map(|j| j.id.as_str())
    }

    fn list(&self) -> Result<Vec<Incident>, JournalError> {
        let mut out = Vec::new();
        for id in self.dir.ids()? {
            match self.load(&id) {
                Ok(i) => out.push(i),
                Err(JournalError::Refused(_)) => {} // not an incident (no declaration)
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    fn load(&self, id: &str) -> Result<Incident, JournalError> {
        let loaded = self.dir.read(id)?;
        let mut incident =
            Incident::fold(loaded.entries.into_iter().map(|e| e.event)).ok_or_else(|| {
                JournalError::Refused(format!(
                    "{id}: the journal does not start with a declaration"
                ))
            })?;
        incident.warnings = loaded.warnings;
        // The file names the incident (a copied or edited journal must not send writes
        // elsewhere); its contents saying otherwise is worth a warning.
        if incident.meta.id != id {
            incident.warnings.push(format!(
                "the journal calls itself {}, its file {id}",
                crate::sanitize::clean_line(&incident.meta.id, 40)
            ));
            incident.meta.id = id.to_string();
        }
        Ok(incident)
    }

    fn location(&self) -> String {
        self.dir.path.display().to_string()
    }
}

/// The post-mortem of an incident: Markdown, or JSON.
pub fn export_text(incident: &Incident, markdown: bool) -> String {
    if markdown {
        export::markdown(incident)
    } else {
        export::json(incident)
    }
}

/// `$XDG_DATA_HOME/sitrep/incidents` (the demo's own under `…/sitrep/demo/incidents`, so
/// rehearsals never mix with real incidents).
pub fn incidents_dir(data_dir: &std::path::Path, demo: bool) -> PathBuf {
    if demo {
        data_dir.join("demo").join("incidents")
    } else {
        data_dir.join("incidents")
    }
}

#[cfg(test)]
mod tests;
