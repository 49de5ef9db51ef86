//! The durable incident journal: one append-only JSON-lines file per incident.
//!
//! Durability (APIS.md §9): each event is one `write` of one line to a file opened with
//! `O_APPEND`, followed by `sync_data` before anyone is told it is recorded; the directory is
//! synced when a file is created; a torn last line (a crash mid-write) is cut off on open with a
//! warning; a failed sync is fatal for the journal — a retry can "succeed" after the kernel
//! dropped the pages, so nothing more is claimed as recorded.
//!
//! Integrity: each line carries a sequence number and a hash of the previous line's bytes, so a
//! lost line or a hand-edited file is detected and reported (never refused: the post-mortem
//! author still gets what is there).
//!
//! Several processes (the dashboard, `sitrep incident note` from a second terminal) share one
//! directory: writers take turns under an exclusive `flock` on `incidents/.lock`, and each one
//! first reads what the others appended, so the chain stays whole. Readers need no lock: they
//! consume only complete lines.

use crate::model::timeline::TimelineEvent;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// One line of a journal: the event, where it sits in the chain. On disk it is one flat JSON
/// object, `{"seq":…,"prev":…,` then the event's own fields (easy to `jq`).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// 1, 2, 3… in the order lines were written.
    pub seq: u64,
    /// Hex SHA-256 (first 16 bytes) of the previous line's bytes; empty on the first line.
    pub prev: String,
    pub event: TimelineEvent,
}

/// The chain's two fields of a line (the event's fields are skipped).
#[derive(Deserialize)]
struct ChainFields {
    seq: u64,
    prev: String,
}

/// A journal file is outside data (anyone can edit it): its text is cleaned as every source's
/// is, before it reaches a screen. Lines sitrep wrote are clean already and are not copied.
fn cleaned(mut e: TimelineEvent) -> TimelineEvent {
    use crate::sanitize::{clean_line, clean_text, needs_cleaning};
    let line = |s: &mut String| {
        if needs_cleaning(s) {
            *s = clean_line(s, crate::sanitize::MAX_VALUE_CHARS);
        }
    };
    line(&mut e.id);
    line(&mut e.actor);
    line(&mut e.summary);
    if let Some(id) = &mut e.incident_id {
        line(id);
    }
    for r in [
        &mut e.refs.service,
        &mut e.refs.app,
        &mut e.refs.cluster,
        &mut e.refs.namespace,
    ]
    .into_iter()
    .flatten()
    {
        line(r);
    }
    e.links.iter_mut().for_each(line);
    if crate::sanitize::needs_cleaning_text(&e.body) {
        e.body = clean_text(&e.body, crate::sanitize::MAX_VALUE_CHARS);
    }
    e
}

/// The chain's fields read straight off the front of a line as sitrep writes it
/// (`{"seq":12,"prev":"9f…",`), without a second full JSON pass; `None` for anything else.
fn chain_prefix(line: &[u8]) -> Option<ChainFields> {
    let rest = line.strip_prefix(b"{\"seq\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let seq: u64 = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let rest = rest[digits..].strip_prefix(b",\"prev\":\"")?;
    let hex = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    rest[hex..].strip_prefix(b"\",")?;
    let prev = std::str::from_utf8(&rest[..hex]).ok()?.to_string();
    Some(ChainFields { seq, prev })
}

/// How a line is written: the chain's fields first, then the event's.
#[derive(Serialize)]
struct LineOut<'a> {
    seq: u64,
    prev: &'a str,
    #[serde(flatten)]
    event: &'a TimelineEvent,
}

impl Entry {
    /// Parse one line. Read twice rather than with `#[serde(flatten)]`, which buffers every
    /// field of every line first: opening a 100,000-event journal is where this counts.
    fn parse(line: &[u8]) -> Result<Entry, serde_json::Error> {
        let chain = match chain_prefix(line) {
            Some(chain) => chain,
            // Not as sitrep writes it (edited by hand?): the general way.
            None => serde_json::from_slice(line)?,
        };
        let event: TimelineEvent = serde_json::from_slice(line)?;
        Ok(Entry {
            seq: chain.seq,
            prev: chain.prev,
            event: cleaned(event),
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// Writing or syncing failed: the journal may have lost data and records nothing more.
    #[error("journal {path} failed and records nothing more: {reason}")]
    Failed { path: PathBuf, reason: String },
    #[error("no incident {0}")]
    NotFound(String),
    #[error("{0}")]
    Refused(String),
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> JournalError + 'a {
    move |source| JournalError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// The directory holding every incident's journal (`$XDG_DATA_HOME/sitrep/incidents`).
#[derive(Clone, Debug)]
pub struct IncidentDir {
    pub path: PathBuf,
}

/// Held while writing: other writers wait (they take turns, never interleave).
pub struct DirLock {
    _file: File,
}

impl IncidentDir {
    pub fn new(path: impl Into<PathBuf>) -> IncidentDir {
        IncidentDir { path: path.into() }
    }

    /// Create the directory (and sync its parent, so it survives a crash) if missing.
    pub fn ensure(&self) -> Result<(), JournalError> {
        if !self.path.is_dir() {
            std::fs::create_dir_all(&self.path).map_err(io("cannot create", &self.path))?;
            if let Some(parent) = self.path.parent() {
                sync_dir(parent)?;
            }
        }
        Ok(())
    }

    /// Wait for the directory's write lock.
    pub fn lock(&self) -> Result<DirLock, JournalError> {
        self.ensure()?;
        let path = self.path.join(".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io("cannot open", &path))?;
        loop {
            // SAFETY: flock on a descriptor we own; released when `file` is closed.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if rc == 0 {
                return Ok(DirLock { _file: file });
            }
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(JournalError::Io {
                    what: "cannot lock",
                    path,
                    source: err,
                });
            }
        }
    }

    pub fn journal_path(&self, id: &str) -> PathBuf {
        self.path.join(format!("{id}.jsonl"))
    }

    /// Every incident id in the directory, oldest first (ids sort by date, then number).
    pub fn ids(&self) -> Result<Vec<String>, JournalError> {
        let mut ids = Vec::new();
        let entries = match std::fs::read_dir(&self.path) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ids),
            Err(e) => return Err(io("cannot read", &self.path)(e)),
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(id) = name.strip_suffix(".jsonl")
                && parse_id(id).is_some()
            {
                ids.push(id.to_string());
            }
        }
        ids.sort_by_key(|id| parse_id(id));
        Ok(ids)
    }

    /// A new incident's id: `INC-YYYYMMDD-N`, N counting that day's incidents from 1.
    /// Call with the lock held.
    fn next_id(&self, date: chrono::NaiveDate) -> Result<String, JournalError> {
        let day = date.format("%Y%m%d").to_string();
        let n = self
            .ids()?
            .iter()
            .filter_map(|id| parse_id(id))
            .filter(|(d, _)| *d == day)
            .map(|(_, n)| n)
            .max()
            .unwrap_or(0);
        Ok(format!("INC-{day}-{}", n + 1))
    }

    /// Create a new incident whose first event is `declared` (its `incident_id` is set here)
    /// followed by `then` (back-filled events): durable before this returns.
    pub fn create(
        &self,
        mut declared: TimelineEvent,
        then: Vec<TimelineEvent>,
        refuse_if: impl FnOnce(&IncidentDir) -> Result<(), JournalError>,
    ) -> Result<(Journal, Vec<Entry>), JournalError> {
        let lock = self.lock()?;
        refuse_if(self)?;
        let id = self.next_id(declared.occurred_at.date_naive())?;
        let path = self.journal_path(&id);
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create_new(true)
            .open(&path)
            .map_err(io("cannot create", &path))?;
        // A failed directory sync is a failed fsync: fatal, never retried.
        sync_dir(&self.path).map_err(|e| JournalError::Failed {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        declared.incident_id = Some(id.clone());
        let mut journal = Journal {
            id,
            path,
            file,
            len: 0,
            last_seq: 0,
            last_hash: String::new(),
            failed: None,
        };
        let mut events = vec![declared];
        events.extend(then);
        let entries = journal.write_locked(&lock, events)?;
        Ok((journal, entries))
    }

    /// Open an incident's journal: its entries, and what was wrong with the file (a torn last
    /// line cut off, a gap, an edited line).
    pub fn open(&self, id: &str) -> Result<(Journal, Loaded), JournalError> {
        let path = self.journal_path(id);
        if !path.exists() {
            return Err(JournalError::NotFound(id.to_string()));
        }
        let lock = self.lock()?;
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .map_err(io("cannot open", &path))?;
        let mut journal = Journal {
            id: id.to_string(),
            path,
            file,
            len: 0,
            last_seq: 0,
            last_hash: String::new(),
            failed: None,
        };
        let loaded = journal.read_new_locked(Some(&lock))?;
        Ok((journal, loaded))
    }

    /// Read an incident's journal without keeping it open or repairing it (`show`, `export`,
    /// `list`): a torn last line is skipped and reported, not cut off.
    pub fn read(&self, id: &str) -> Result<Loaded, JournalError> {
        let path = self.journal_path(id);
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => JournalError::NotFound(id.to_string()),
            _ => io("cannot read", &path)(e),
        })?;
        let mut chain = Chain::default();
        let mut loaded = chain.parse(&bytes);
        if chain.consumed < bytes.len() {
            loaded.warnings.push(format!(
                "the last line is incomplete ({} bytes: a write interrupted by a crash); ignored",
                bytes.len() - chain.consumed
            ));
        }
        Ok(loaded)
    }
}

/// `INC-20261204-3` → ("20261204", 3).
pub fn parse_id(id: &str) -> Option<(String, u32)> {
    let rest = id.strip_prefix("INC-")?;
    let (day, n) = rest.split_once('-')?;
    if day.len() != 8 || !day.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = n.parse().ok()?;
    Some((day.to_string(), n))
}

/// What reading a journal found.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub entries: Vec<Entry>,
    /// Problems found, each a sentence: torn line cut off, gap in the sequence, a line whose
    /// hash does not match (edited), a line that is not an event.
    pub warnings: Vec<String>,
}

/// Hash-chain state while reading lines in order.
#[derive(Default)]
struct Chain {
    last_seq: u64,
    last_hash: String,
    /// Bytes of complete lines consumed.
    consumed: usize,
    /// 1-based line number of the next line.
    line_no: usize,
}

impl Chain {
    /// Parse every complete line of `bytes`, checking the chain; stops before an incomplete
    /// last line.
    fn parse(&mut self, bytes: &[u8]) -> Loaded {
        let mut loaded = Loaded::default();
        // Complete lines (those ending in a newline) and their line numbers.
        let mut lines: Vec<(usize, &[u8])> = Vec::new();
        let mut start = 0;
        while let Some(nl) = bytes[start..].iter().position(|&b| b == b'\n') {
            let line = &bytes[start..start + nl];
            start += nl + 1;
            self.line_no += 1;
            if !line.is_empty() {
                lines.push((self.line_no, line));
            }
        }
        self.consumed += start;
        // Decoding and hashing each line are independent: done in parallel for a big journal
        // (opening 100,000 events is a budget); the chain is then checked in order.
        let decoded = decode_lines(&lines);
        for ((line_no, _), (parsed, hash)) in lines.iter().zip(decoded) {
            match parsed {
                Ok(entry) => {
                    if Some(entry.seq) != self.last_seq.checked_add(1) {
                        loaded.warnings.push(format!(
                            "line {line_no}: sequence {} follows {}: {} missing or reordered",
                            entry.seq,
                            self.last_seq,
                            if entry.seq > self.last_seq.saturating_add(1) {
                                "events"
                            } else {
                                "lines"
                            }
                        ));
                    } else if entry.prev != self.last_hash {
                        loaded.warnings.push(format!(
                            "line {line_no}: the line before it was changed after it was written"
                        ));
                    }
                    self.last_seq = entry.seq;
                    loaded.entries.push(entry);
                }
                Err(e) => {
                    loaded.warnings.push(format!(
                        "line {line_no}: not a journal event ({}); skipped",
                        // serde quotes the offending text: it must not reach a terminal raw.
                        crate::sanitize::clean_line(&e.to_string(), 200)
                    ));
                    self.last_seq = self.last_seq.saturating_add(1);
                }
            }
            self.last_hash = hash;
        }
        loaded
    }
}

type Decoded = (Result<Entry, serde_json::Error>, String);

/// Each line decoded and hashed, in order; split across threads when there are many.
fn decode_lines(lines: &[(usize, &[u8])]) -> Vec<Decoded> {
    let one = |(_, line): &(usize, &[u8])| (Entry::parse(line), line_hash(line));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(4);
    if lines.len() < 4096 || threads < 2 {
        return lines.iter().map(one).collect();
    }
    let chunk = lines.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = lines
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// The chain's hash of one line (without its newline).
pub fn line_hash(line: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(line);
    let mut out = String::with_capacity(32);
    for b in &digest[..16] {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// One incident's journal, open for appending.
pub struct Journal {
    pub id: String,
    pub path: PathBuf,
    file: File,
    /// Bytes of the file read and accounted for.
    len: u64,
    last_seq: u64,
    last_hash: String,
    /// Set when a write or sync failed: nothing more is written.
    failed: Option<String>,
}

impl Journal {
    pub fn failed(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    /// Append events (their `incident_id` is set here): each one `write` of one line, then one
    /// `sync_data` for the batch. Returns first the lines other processes appended since we last
    /// looked (`others`), then ours, as recorded.
    pub fn append(
        &mut self,
        dir: &IncidentDir,
        events: Vec<TimelineEvent>,
    ) -> Result<Appended, JournalError> {
        if let Some(reason) = &self.failed {
            return Err(JournalError::Failed {
                path: self.path.clone(),
                reason: reason.clone(),
            });
        }
        let lock = dir.lock()?;
        let others = self.read_new_locked(Some(&lock))?;
        let recorded = self.write_locked(&lock, events)?;
        Ok(Appended { others, recorded })
    }

    /// Lines other processes appended since we last looked; complete lines only. No lock needed
    /// to read them, but their writer may not have synced them yet (or died before it could):
    /// they are synced here before anyone is told they are recorded.
    pub fn poll(&mut self) -> Result<Loaded, JournalError> {
        if let Some(reason) = &self.failed {
            return Err(JournalError::Failed {
                path: self.path.clone(),
                reason: reason.clone(),
            });
        }
        let size = self
            .file
            .metadata()
            .map_err(io("cannot stat", &self.path))?
            .len();
        if size <= self.len {
            return Ok(Loaded::default());
        }
        let loaded = self.read_new_locked(None)?;
        if !loaded.entries.is_empty()
            && let Err(e) = self.file.sync_data()
        {
            return Err(self.fail(format!("fsync: {e}")));
        }
        Ok(loaded)
    }

    /// Read from `len` to the end. With the lock held, an incomplete last line can only be torn
    /// (its writer died): it is cut off, with a warning.
    fn read_new_locked(&mut self, lock: Option<&DirLock>) -> Result<Loaded, JournalError> {
        let mut bytes = Vec::new();
        self.file
            .seek(SeekFrom::Start(self.len))
            .map_err(io("cannot read", &self.path))?;
        (&self.file)
            .read_to_end(&mut bytes)
            .map_err(io("cannot read", &self.path))?;
        let mut chain = Chain {
            last_seq: self.last_seq,
            last_hash: std::mem::take(&mut self.last_hash),
            consumed: 0,
            line_no: self.last_seq as usize,
        };
        let mut loaded = chain.parse(&bytes);
        self.last_seq = chain.last_seq;
        self.last_hash = chain.last_hash;
        self.len += chain.consumed as u64;
        let torn = bytes.len() - chain.consumed;
        if torn > 0 && lock.is_some() {
            // Kept beside the journal, not destroyed: a person may want to read it.
            let side = self.path.with_extension("jsonl.torn");
            let kept = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&side)
                .and_then(|mut f| {
                    f.write_all(&bytes[chain.consumed..])?;
                    f.write_all(b"\n")
                })
                .is_ok();
            if let Err(e) = self
                .file
                .set_len(self.len)
                .and_then(|_| self.file.sync_data())
            {
                return Err(self.fail(format!("cutting a torn last line: {e}")));
            }
            loaded.warnings.push(format!(
                "cut off an incomplete last line ({torn} bytes: a write interrupted by a crash){}",
                if kept {
                    format!("; kept in {}", side.display())
                } else {
                    String::new()
                }
            ));
        }
        Ok(loaded)
    }

    fn write_locked(
        &mut self,
        _lock: &DirLock,
        events: Vec<TimelineEvent>,
    ) -> Result<Vec<Entry>, JournalError> {
        let mut written = Vec::with_capacity(events.len());
        for mut event in events {
            event.incident_id = Some(self.id.clone());
            let entry = Entry {
                seq: self.last_seq.saturating_add(1),
                prev: self.last_hash.clone(),
                event,
            };
            let mut line = serde_json::to_vec(&LineOut {
                seq: entry.seq,
                prev: &entry.prev,
                event: &entry.event,
            })
            .expect("events serialize");
            let hash = line_hash(&line);
            line.push(b'\n');
            // One write of the whole line: O_APPEND puts it at the end in one piece.
            match (&self.file).write(&line) {
                Ok(n) if n == line.len() => {}
                Ok(n) => {
                    return Err(self.fail(format!("short write ({n} of {} bytes)", line.len())));
                }
                Err(e) => return Err(self.fail(format!("write: {e}"))),
            }
            self.len += line.len() as u64;
            self.last_seq = entry.seq;
            self.last_hash = hash;
            written.push(entry);
        }
        if let Err(e) = self.file.sync_data() {
            return Err(self.fail(format!("fsync: {e}")));
        }
        Ok(written)
    }

    fn fail(&mut self, reason: String) -> JournalError {
        self.failed = Some(reason.clone());
        JournalError::Failed {
            path: self.path.clone(),
            reason,
        }
    }
}

/// What an append brought back.
#[derive(Debug, Default)]
pub struct Appended {
    /// Lines other processes appended before ours.
    pub others: Loaded,
    /// Our events as recorded (durable).
    pub recorded: Vec<Entry>,
}

fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("cannot sync directory", dir))
}
