//! The dashboard's journal, off the UI loop: a thread owns the store, writes what `update`
//! asks for (write + fsync can take long on a slow disk; a key press must not wait for it) and
//! reports back as messages. Every half second it also looks for lines other processes
//! appended (`sitrep incident note` from a second terminal) and for an incident declared
//! elsewhere, so both show within a second.

use super::IncidentStore;
use super::journal::{Entry, JournalError};
use super::state::{IncidentMeta, Status};
use crate::model::timeline::TimelineEvent;
use crate::msg::Msg;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// How often the journal is checked for other writers' lines.
const POLL: Duration = Duration::from_millis(500);

/// What `update` asks of the journal.
#[derive(Debug, Clone, PartialEq)]
pub enum JournalRequest {
    /// Declare: the declaration first, then back-filled events.
    Declare {
        declared: Box<TimelineEvent>,
        backfill: Vec<TimelineEvent>,
    },
    /// Append to the open incident.
    Append(Vec<TimelineEvent>),
    /// Write the open incident's post-mortem next to its journal.
    Export { markdown: bool },
}

/// What the journal reports.
#[derive(Debug, Clone)]
pub enum JournalReport {
    /// The incident is open (resumed at start, declared here or elsewhere): its metadata and
    /// every event of its journal, in journal order; what was wrong with the file.
    Opened {
        meta: Box<IncidentMeta>,
        entries: Vec<Entry>,
        warnings: Vec<String>,
        declared_here: bool,
    },
    /// These events are durable.
    Recorded(Vec<Entry>),
    /// Another process appended these.
    Others(Vec<Entry>),
    /// The journal failed: nothing more is recorded. Never retried.
    Failed(String),
    /// A request was refused (no incident, another is active…); nothing was written.
    Refused(String),
    /// The incident was resolved: the journal is closed.
    Closed(String),
    /// The post-mortem was written (or why not).
    Exported(Result<PathBuf, String>),
}

/// Send requests to the journal thread.
pub struct JournalHandle {
    tx: Sender<JournalRequest>,
    thread: std::thread::JoinHandle<()>,
}

impl JournalHandle {
    /// Never blocks; a stopped worker is reported by its last message.
    pub fn send(&self, request: JournalRequest) {
        let _ = self.tx.send(request);
    }

    /// On exit: let the thread write what is queued (it drains its queue before it stops),
    /// waiting at most `within`. False when it had not finished (a disk that hangs).
    pub fn finish(self, within: Duration) -> bool {
        drop(self.tx);
        let deadline = std::time::Instant::now() + within;
        while !self.thread.is_finished() {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.thread.join();
        true
    }
}

/// Start the journal thread on `store`; it resumes the active incident first.
pub fn spawn(store: Box<dyn IncidentStore>, out: tokio::sync::mpsc::Sender<Msg>) -> JournalHandle {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("sitrep-journal".to_string())
        .spawn(move || {
            Worker {
                store,
                out,
                failed: false,
                closed: false,
            }
            .run(rx)
        })
        .expect("spawn the journal thread");
    JournalHandle { tx, thread }
}

struct Worker {
    store: Box<dyn IncidentStore>,
    out: tokio::sync::mpsc::Sender<Msg>,
    failed: bool,
    /// The open incident was resolved: late events still go to its journal, and a new
    /// incident (declared elsewhere) is looked for.
    closed: bool,
}

impl Worker {
    /// Report to the dashboard. A dashboard that has stopped listening (quitting) does not
    /// stop the thread: what is queued is still written.
    fn report(&self, r: JournalReport) -> bool {
        let _ = self.out.blocking_send(Msg::Journal(r));
        true
    }

    fn run(mut self, rx: Receiver<JournalRequest>) {
        self.look_for_incident(false);
        loop {
            match rx.recv_timeout(POLL) {
                Ok(req) => {
                    if !self.handle(req) {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    if !self.poll() {
                        return;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Open the active incident, if any (at start, and while none is open: one declared by
    /// `sitrep incident new` elsewhere).
    fn look_for_incident(&mut self, quiet: bool) -> bool {
        match self.store.resume() {
            Ok(Some(loaded)) => {
                let Some(first) = loaded.entries.first() else {
                    return true;
                };
                let Some(mut meta) = IncidentMeta::from_declaration(&first.event) else {
                    return true;
                };
                // The file names the incident, whatever its contents say.
                if let Some(id) = self.store.open_id() {
                    meta.id = id.to_string();
                }
                for e in &loaded.entries[1..] {
                    meta.apply(&e.event);
                }
                self.report(JournalReport::Opened {
                    meta: Box::new(meta),
                    entries: loaded.entries,
                    warnings: loaded.warnings,
                    declared_here: false,
                })
            }
            Ok(None) => true,
            Err(e @ JournalError::Failed { .. }) => self.fail_or_refuse(e),
            Err(e) if quiet => {
                tracing::debug!("looking for an incident: {e}");
                true
            }
            Err(e) => self.report(JournalReport::Refused(format!("incidents: {e}"))),
        }
    }

    fn poll(&mut self) -> bool {
        if self.failed {
            return true;
        }
        if self.store.open_id().is_none() || self.closed {
            let before = self.store.open_id().map(str::to_string);
            let ok = self.look_for_incident(true);
            if self.store.open_id().map(str::to_string) != before {
                self.closed = false;
            }
            return ok;
        }
        match self.store.poll() {
            Ok(loaded) if loaded.entries.is_empty() => true,
            Ok(loaded) => {
                let resolved = self.resolved_by(&loaded.entries);
                let ok = self.report(JournalReport::Others(loaded.entries));
                self.close_if(resolved);
                ok
            }
            Err(e @ JournalError::Failed { .. }) => self.fail_or_refuse(e),
            Err(e) => {
                tracing::debug!("journal poll: {e}");
                true
            }
        }
    }

    fn handle(&mut self, req: JournalRequest) -> bool {
        match req {
            JournalRequest::Declare { declared, backfill } => {
                if self.failed {
                    return self.report(JournalReport::Failed(
                        "the journal failed earlier; restart sitrep to declare".to_string(),
                    ));
                }
                match self.store.declare(*declared, backfill) {
                    Ok(entries) => {
                        self.closed = false;
                        let Some(mut meta) = entries
                            .first()
                            .and_then(|e| IncidentMeta::from_declaration(&e.event))
                        else {
                            return true;
                        };
                        if let Some(id) = self.store.open_id() {
                            meta.id = id.to_string();
                        }
                        for e in &entries[1..] {
                            meta.apply(&e.event);
                        }
                        self.report(JournalReport::Opened {
                            meta: Box::new(meta),
                            entries,
                            warnings: Vec::new(),
                            declared_here: true,
                        })
                    }
                    Err(e) => self.fail_or_refuse(e),
                }
            }
            JournalRequest::Append(events) => {
                if self.failed {
                    return true;
                }
                match self.store.append(events) {
                    Ok(appended) => {
                        let mut resolved = self.resolved_by(&appended.others.entries);
                        resolved |= self.resolved_by(&appended.recorded);
                        if !appended.others.entries.is_empty() {
                            self.report(JournalReport::Others(appended.others.entries));
                        }
                        let ok = self.report(JournalReport::Recorded(appended.recorded));
                        self.close_if(resolved);
                        ok
                    }
                    // Whatever kept these events from the disk (a lock or a read that
                    // failed too), they are not recorded and nothing later may pretend the
                    // journal is whole: fatal, said loudly.
                    Err(e) => {
                        let e = match e {
                            JournalError::Failed { .. } => e,
                            other => JournalError::Failed {
                                path: PathBuf::from(self.store.location()),
                                reason: other.to_string(),
                            },
                        };
                        self.fail_or_refuse(e)
                    }
                }
            }
            JournalRequest::Export { markdown } => {
                let result = self.export(markdown);
                self.report(JournalReport::Exported(result))
            }
        }
    }

    /// Did these entries resolve the open incident?
    fn resolved_by(&self, entries: &[Entry]) -> bool {
        entries.iter().any(|e| {
            e.event.kind == crate::model::timeline::EventKind::Milestone
                && super::state::milestone_of(&e.event) == Some(super::state::Milestone::Resolved)
        })
    }

    fn close_if(&mut self, resolved: bool) {
        if !resolved {
            return;
        }
        let Some(id) = self.store.open_id().map(str::to_string) else {
            return;
        };
        // Only when the fold agrees (a later status change may have reopened it).
        if self
            .store
            .load(&id)
            .is_ok_and(|i| i.meta.status == Status::Resolved)
        {
            // Kept open for events already on their way; a new incident replaces it.
            self.closed = true;
            self.report(JournalReport::Closed(id));
        }
    }

    fn export(&self, markdown: bool) -> Result<PathBuf, String> {
        let id = self
            .store
            .open_id()
            .map(str::to_string)
            .or_else(|| self.last_id())
            .ok_or("no incident to export: declare one with i")?;
        let incident = self.store.load(&id).map_err(|e| e.to_string())?;
        let text = super::export_text(&incident, markdown);
        let dir = PathBuf::from(self.store.location());
        let path = dir.join(format!(
            "{id}-postmortem.{}",
            if markdown { "md" } else { "json" }
        ));
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }

    /// The newest incident (to export one just resolved).
    fn last_id(&self) -> Option<String> {
        self.store.list().ok()?.pop().map(|i| i.meta.id)
    }

    fn fail_or_refuse(&mut self, e: JournalError) -> bool {
        match e {
            JournalError::Failed { .. } => {
                self.failed = true;
                self.report(JournalReport::Failed(e.to_string()))
            }
            other => self.report(JournalReport::Refused(other.to_string())),
        }
    }
}
