//! `?watch=1`: newline-delimited `{"type","object"}` events from a resourceVersion on, as the
//! API server streams them: ADDED for everything first when asked from "0" (or with
//! `sendInitialEvents=true`, ended by a BOOKMARK annotated `k8s.io/initial-events-end`),
//! BOOKMARKs every so often when allowed, an ERROR carrying a 410 `Status` when the
//! resourceVersion has left the window, and the end of the stream at `timeoutSeconds`.

use super::store::{Filter, Kind, Store, event_line};
use axum::body::{Body, Bytes};
use serde_json::json;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Where the watch starts.
pub enum Start {
    /// ADDED for every current object, then changes (`resourceVersion` "" or "0").
    Everything,
    /// Changes after this resourceVersion.
    From(u64),
    /// Initial events, a BOOKMARK marking their end, then changes.
    InitialEvents,
}

pub struct WatchRequest {
    pub kind: Kind,
    pub filter: Filter,
    pub start: Start,
    pub bookmarks: bool,
    pub timeout: Duration,
    pub bookmark_every: Duration,
}

struct State {
    store: Arc<Store>,
    req: WatchRequest,
    cursor: u64,
    pending: VecDeque<String>,
    started: bool,
    done: bool,
    deadline: Instant,
    next_bookmark: Instant,
    changed: watch::Receiver<u64>,
    stopped: watch::Receiver<bool>,
}

fn bookmark(kind: Kind, rv: u64, initial_end: bool) -> String {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    let object = json!({"kind": kind.name(), "apiVersion": kind.api_version(), "metadata": meta});
    event_line("BOOKMARK", &object.to_string())
}

impl State {
    fn begin(&mut self) {
        self.started = true;
        match self.req.start {
            Start::From(rv) => self.cursor = rv,
            Start::Everything | Start::InitialEvents => {
                let (lines, rv) = self.store.snapshot(self.req.kind, &self.req.filter);
                self.pending.extend(lines);
                self.cursor = rv;
                if matches!(self.req.start, Start::InitialEvents) {
                    self.pending.push_back(bookmark(self.req.kind, rv, true));
                }
            }
        }
    }

    /// Queue what changed since the cursor; false when the stream must end (410).
    fn drain(&mut self) -> bool {
        match self
            .store
            .changes_since(self.req.kind, &self.req.filter, self.cursor)
        {
            Ok((lines, rv)) => {
                self.pending.extend(lines);
                self.cursor = rv;
                true
            }
            Err(gone) => {
                let status = json!({
                    "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": format!("too old resource version: {} ({})", gone.requested, gone.oldest + 1),
                    "reason": "Expired", "code": 410,
                });
                self.pending
                    .push_back(event_line("ERROR", &status.to_string()));
                false
            }
        }
    }

    async fn next(&mut self) -> Option<String> {
        if !self.started {
            self.begin();
        }
        loop {
            if let Some(line) = self.pending.pop_front() {
                return Some(line);
            }
            if self.done || *self.stopped.borrow() || Instant::now() >= self.deadline {
                return None;
            }
            self.changed.borrow_and_update();
            if !self.drain() {
                self.done = true;
                continue;
            }
            if !self.pending.is_empty() {
                continue;
            }
            let wake = if self.req.bookmarks {
                self.next_bookmark.min(self.deadline)
            } else {
                self.deadline
            };
            tokio::select! {
                r = self.changed.changed() => if r.is_err() { return None },
                _ = tokio::time::sleep_until(wake) => {
                    if self.req.bookmarks && Instant::now() >= self.next_bookmark {
                        self.next_bookmark = Instant::now() + self.req.bookmark_every;
                        if self.drain() {
                            self.pending.push_back(bookmark(self.req.kind, self.cursor, false));
                        } else {
                            self.done = true;
                        }
                    }
                }
                _ = self.stopped.changed() => return None,
            }
        }
    }
}

/// The response body of a watch.
pub fn stream(store: Arc<Store>, req: WatchRequest, stopped: watch::Receiver<bool>) -> Body {
    let now = Instant::now();
    let state = State {
        changed: store.subscribe(),
        cursor: 0,
        pending: VecDeque::new(),
        started: false,
        done: false,
        deadline: now + req.timeout,
        next_bookmark: now + req.bookmark_every,
        store,
        req,
        stopped,
    };
    let s = futures::stream::unfold(state, |mut st| async move {
        let line = st.next().await?;
        Some((Ok::<Bytes, std::io::Error>(Bytes::from(line)), st))
    });
    Body::from_stream(s)
}
