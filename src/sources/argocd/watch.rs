//! One Argo CD instance, live: list once, then follow the watch stream.
//!
//! What the task sends (`Msg::Source` for the source's name), in order:
//! - `Version(v)` once, the first time `GET /api/version` answers (beside the first list);
//! - `Apps { apps }` after the first list (and after every re-list);
//! - `Live(true)` when the watch stream is open; then `AppChanged { change, app }` per event;
//! - on close or failure: `Error(msg)` (failures only, not a clean close) and `Live(false)`,
//!   then a reconnect after a backoff with jitter, resuming after the last `resourceVersion`
//!   seen. Argo CD does not replay what happened while the stream was down (its watch only
//!   sends ADDED for everything when asked without a `resourceVersion`), so after a reconnect
//!   the apps are listed again while the stream is already open; events that arrive meanwhile
//!   are held back and replayed after the `Apps` if they are newer than the list.
//! - A server that refuses the resume (400/410, "resourceVersion too old") gets a fresh list.
//!
//! The stream is asked for as Server-Sent Events: Argo CD then sends a keepalive every 15 s, so
//! a stream that went silent for `sse_idle` is known dead (an idle proxy or a vanished peer).
//! A server answering newline-delimited JSON instead is read just the same, with TCP keepalives
//! as the only guard.

use super::client::{ArgocdClient, DEFAULT_LINE_CAP, DEFAULT_LIST_CAP};
use super::{convert, wire};
use crate::config::source::SourceSpec;
use crate::model::app::App;
use crate::msg::{ArgocdPayload, Msg, SourcePayload, SourceUpdate, WatchChange};
use crate::sources::bounded;
use crate::sources::error::{ErrorKind, SourceError};
use crate::sources::http::{HttpOptions, LineStream};
use crate::sources::poller::{MIN_INTERVAL, backoff_delay};
use chrono::Utc;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

#[derive(Clone, Debug)]
pub struct WatchOptions {
    /// Cap on a list answer.
    pub list_cap: usize,
    /// Cap on one line of the stream (one app: Argo CD events of 10–32 MB are seen).
    pub line_cap: usize,
    /// Ask for Server-Sent Events (keepalives every 15 s).
    pub sse: bool,
    /// An SSE stream silent for this long is dead.
    pub sse_idle: Duration,
    /// A stream that stayed open this long was healthy: its close is not a failure, and the
    /// reconnect comes at once (after a little jitter).
    pub healthy_after: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            list_cap: DEFAULT_LIST_CAP,
            line_cap: DEFAULT_LINE_CAP,
            sse: true,
            sse_idle: Duration::from_secs(50),
            healthy_after: Duration::from_secs(30),
        }
    }
}

/// How one connection ended.
enum Ended {
    /// The server closed the stream (or it went silent).
    Closed { open_for: Duration },
    /// Something failed; already reported.
    Failed,
    /// The receiving side is gone: stop.
    UiGone,
}

struct Watcher {
    spec: SourceSpec,
    options: WatchOptions,
    tx: mpsc::Sender<Msg>,
    client: Option<ArgocdClient>,
    version_known: bool,
    /// The last resourceVersion seen (list or event).
    rv: Option<String>,
    /// `Apps` was sent and the watch can resume; false means list (again) first.
    listed: bool,
    live: bool,
    failures: u32,
}

struct UiGone;

/// The source task: runs until the receiver is dropped (or the task is aborted).
pub async fn run(
    spec: SourceSpec,
    options: WatchOptions,
    tx: mpsc::Sender<Msg>,
    wake: Arc<Notify>,
) {
    let mut w = Watcher {
        spec,
        options,
        tx,
        client: None,
        version_known: false,
        rv: None,
        listed: false,
        live: false,
        failures: 0,
    };
    loop {
        let ended = w.connect().await;
        if w.live {
            w.live = false;
            if w.send(SourcePayload::Live(false)).await.is_err() {
                return;
            }
        }
        let delay = match ended {
            Ended::UiGone => return,
            Ended::Closed { open_for } if open_for >= w.options.healthy_after => {
                w.failures = 0;
                Duration::from_millis(100 + fastrand::u64(..900))
            }
            Ended::Closed { .. } | Ended::Failed => {
                w.failures += 1;
                backoff_delay(w.spec.poll_interval.max(MIN_INTERVAL), w.failures)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = wake.notified() => {}
        }
    }
}

impl Watcher {
    async fn send(&self, payload: impl Into<SourcePayload>) -> Result<(), UiGone> {
        let msg = Msg::Source(SourceUpdate {
            source: self.spec.name.clone(),
            at: Utc::now(),
            payload: payload.into(),
        });
        self.tx.send(msg).await.map_err(|_| UiGone)
    }

    async fn fail(&self, e: &SourceError) -> Ended {
        tracing::debug!(source = %self.spec.name, error = %e, "argocd watch failed");
        match self.send(SourcePayload::Error(e.message.clone())).await {
            Ok(()) => Ended::Failed,
            Err(UiGone) => Ended::UiGone,
        }
    }

    /// One connection: (list,) open the stream, follow it until it ends.
    async fn connect(&mut self) -> Ended {
        if self.client.is_none() {
            let options = HttpOptions {
                body_cap: self.options.list_cap,
            };
            match ArgocdClient::with_options(&self.spec, &options, self.options.line_cap) {
                Ok(c) => self.client = Some(c),
                Err(e) => return self.fail(&e).await,
            }
        }
        let Some(client) = self.client.clone() else {
            return Ended::Failed;
        };
        let timeout = self.spec.timeout;
        let resync = self.listed;
        let ask_version = !self.version_known;
        let version = async {
            match ask_version {
                true => probe_version(&client, timeout).await,
                false => (None, true),
            }
        };
        if !self.listed {
            // Learning the version never delays the first apps.
            let ((version, known), list) = tokio::join!(version, bounded(timeout, client.list()));
            self.version_known = known;
            if let Some(v) = version
                && self.send(SourcePayload::Version(v)).await.is_err()
            {
                return Ended::UiGone;
            }
            match list {
                Ok((apps, rv)) => {
                    self.rv = Some(rv).filter(|r| !r.is_empty());
                    self.listed = true;
                    if self.send(ArgocdPayload::Apps { apps }).await.is_err() {
                        return Ended::UiGone;
                    }
                }
                Err(e) => return self.fail(&e).await,
            }
        } else {
            let (version, known) = version.await;
            self.version_known = known;
            if let Some(v) = version
                && self.send(SourcePayload::Version(v)).await.is_err()
            {
                return Ended::UiGone;
            }
        }

        let resume = self.rv.clone();
        let mut stream =
            match bounded(timeout, client.watch(resume.as_deref(), self.options.sse)).await {
                Ok(s) => s,
                Err(e) => {
                    if resume.is_some() && resume_refused(&e) {
                        self.listed = false;
                    }
                    return self.fail(&e).await;
                }
            };
        let opened = Instant::now();
        self.live = true;
        self.failures = 0;
        if self.send(SourcePayload::Live(true)).await.is_err() {
            return Ended::UiGone;
        }
        let idle = stream
            .content_type()
            .is_some_and(|c| c.contains("event-stream"))
            .then_some(self.options.sse_idle);

        // After a reconnect: list again beside the open stream (see the module docs).
        let mut relist = resync.then(|| Box::pin(bounded(timeout, client.list())));
        let mut held: Vec<(WatchChange, App)> = Vec::new();
        loop {
            let next = tokio::select! {
                listed = async { relist.as_mut().expect("guarded").await }, if relist.is_some() => {
                    relist = None;
                    match listed {
                        Ok((apps, _)) => {
                            let newer = Newer::of(&apps);
                            if self.send(ArgocdPayload::Apps { apps }).await.is_err() {
                                return Ended::UiGone;
                            }
                            for (change, app) in held.drain(..) {
                                if newer.keeps(&app)
                                    && self
                                        .send(ArgocdPayload::AppChanged { change, app: Box::new(app) })
                                        .await
                                        .is_err()
                                {
                                    return Ended::UiGone;
                                }
                            }
                        }
                        Err(e) => {
                            tracing::warn!(source = %self.spec.name, error = %e, "re-list after reconnect failed; following the stream");
                            for (change, app) in held.drain(..) {
                                if self.send(ArgocdPayload::AppChanged { change, app: Box::new(app) }).await.is_err() {
                                    return Ended::UiGone;
                                }
                            }
                        }
                    }
                    continue;
                }
                line = next_line(&mut stream, idle) => line,
            };
            let line = match next {
                Ok(Some(line)) => line,
                Ok(None) => {
                    tracing::debug!(source = %self.spec.name, "argocd watch closed");
                    return Ended::Closed {
                        open_for: opened.elapsed(),
                    };
                }
                Err(e) if e.kind == ErrorKind::Timeout => {
                    tracing::debug!(source = %self.spec.name, "argocd watch went silent; reconnecting");
                    return Ended::Closed {
                        open_for: opened.elapsed(),
                    };
                }
                Err(e) => return self.fail(&e).await,
            };
            match parse_line(&line) {
                Line::Skip => {}
                Line::Garbage(why) => {
                    tracing::warn!(source = %self.spec.name, %why, "unreadable line on the argocd watch; skipped");
                }
                Line::Error(e) => {
                    let e = client.stream_error(e).await;
                    if resume_refused(&e) {
                        self.listed = false;
                    }
                    return self.fail(&e).await;
                }
                Line::Event(change, app) => {
                    let app = convert::app(&self.spec.name, *app);
                    if !app.resource_version.is_empty() {
                        self.rv = Some(app.resource_version.clone());
                    }
                    if relist.is_some() {
                        held.push((change, app));
                    } else if self
                        .send(ArgocdPayload::AppChanged {
                            change,
                            app: Box::new(app),
                        })
                        .await
                        .is_err()
                    {
                        return Ended::UiGone;
                    }
                }
            }
        }
    }
}

/// Ask the version: (the version, whether to stop asking). A server that answered but will
/// not say is not asked again.
async fn probe_version(client: &ArgocdClient, timeout: Duration) -> (Option<String>, bool) {
    match bounded(timeout, client.version()).await {
        Ok(v) => (Some(v), true),
        Err(e) if e.reached_server() && !e.is_auth() => (None, true),
        Err(_) => (None, false),
    }
}

/// JSON from bytes; bytes that are not UTF-8 are decoded lossily and parsed again.
fn decode_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    match serde_json::from_slice::<T>(bytes) {
        Ok(v) => Ok(v),
        Err(first) if std::str::from_utf8(bytes).is_err() => {
            serde_json::from_str::<T>(&String::from_utf8_lossy(bytes))
                .map_err(|_| first.to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

async fn next_line(
    stream: &mut LineStream,
    idle: Option<Duration>,
) -> Result<Option<Vec<u8>>, SourceError> {
    match idle {
        None => stream.next_line().await,
        Some(idle) => match tokio::time::timeout(idle, stream.next_line()).await {
            Ok(r) => r,
            Err(_) => Err(SourceError::new(
                ErrorKind::Timeout,
                None,
                "the watch stream went silent",
            )),
        },
    }
}

/// Did the server refuse to resume from our resourceVersion?
fn resume_refused(e: &SourceError) -> bool {
    let m = e.message.to_ascii_lowercase();
    e.status == Some(410)
        || (e.status == Some(400) && m.contains("resourceversion"))
        || m.contains("too old resource version")
        || m.contains("resourceversion too old")
}

/// Apps of a fresh list by name, with their resourceVersions, to tell held-back events that
/// are newer than the list from those it already includes.
struct Newer(HashMap<(String, String), String>);

impl Newer {
    fn of(apps: &[App]) -> Newer {
        Newer(
            apps.iter()
                .map(|a| {
                    (
                        (a.key.namespace.clone(), a.key.name.clone()),
                        a.resource_version.clone(),
                    )
                })
                .collect(),
        )
    }

    fn keeps(&self, app: &App) -> bool {
        let Some(listed) = self
            .0
            .get(&(app.key.namespace.clone(), app.key.name.clone()))
        else {
            return true;
        };
        match (app.resource_version.parse::<u64>(), listed.parse::<u64>()) {
            (Ok(event), Ok(list)) => event > list,
            // Opaque versions: replaying is safe, dropping might lose a change.
            _ => app.resource_version != *listed,
        }
    }
}

enum Line {
    /// Keepalive, blank line, SSE field we do not use.
    Skip,
    Event(WatchChange, Box<wire::Application>),
    Error(wire::StreamError),
    Garbage(String),
}

/// One line of the stream, NDJSON or SSE.
fn parse_line(line: &[u8]) -> Line {
    let line = line.trim_ascii();
    if line.is_empty() || line.starts_with(b":") {
        return Line::Skip;
    }
    let json = match line.strip_prefix(b"data:") {
        Some(rest) => rest.trim_ascii_start(),
        None if line.starts_with(b"event:")
            || line.starts_with(b"id:")
            || line.starts_with(b"retry:") =>
        {
            return Line::Skip;
        }
        None => line,
    };
    let parsed: wire::WatchLine = match decode_json(json) {
        Ok(p) => p,
        Err(e) => return Line::Garbage(e),
    };
    if let Some(e) = parsed.error {
        return Line::Error(e);
    }
    let Some(event) = parsed.result else {
        return Line::Skip;
    };
    let change = match event.event_type.as_str() {
        "ADDED" => WatchChange::Added,
        "MODIFIED" => WatchChange::Modified,
        "DELETED" => WatchChange::Deleted,
        _ => return Line::Skip,
    };
    match event.application {
        Some(app) if !app.metadata.name.is_empty() => Line::Event(change, Box::new(app)),
        _ => Line::Garbage("an event without an application name".to_string()),
    }
}

#[cfg(test)]
mod proptests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_both_framings() {
        let ndjson = br#"{"result":{"type":"MODIFIED","application":{"metadata":{"name":"a","resourceVersion":"7"}}}}"#;
        assert!(matches!(
            parse_line(ndjson),
            Line::Event(WatchChange::Modified, _)
        ));
        let sse = [b"data: ".as_slice(), ndjson].concat();
        assert!(matches!(
            parse_line(&sse),
            Line::Event(WatchChange::Modified, _)
        ));
        assert!(matches!(parse_line(b":"), Line::Skip));
        assert!(matches!(parse_line(b"  \r"), Line::Skip));
        assert!(matches!(parse_line(b"event: message"), Line::Skip));
        assert!(matches!(
            parse_line(br#"{"result":{"type":"BOOKMARK","application":{}}}"#),
            Line::Skip
        ));
        assert!(matches!(
            parse_line(br#"{"error":{"grpc_code":16,"http_code":401,"message":"no session"}}"#),
            Line::Error(_)
        ));
        assert!(matches!(parse_line(b"{not json"), Line::Garbage(_)));
        assert!(matches!(
            parse_line(br#"{"result":{"type":"ADDED","application":{"metadata":{}}}}"#),
            Line::Garbage(_)
        ));
    }

    #[test]
    fn held_back_events_replay_only_when_newer_than_the_list() {
        let app = |name: &str, rv: &str| {
            let mut a = convert::app(
                "prod",
                serde_json::from_value(serde_json::json!({
                    "metadata": {"name": name, "namespace": "argocd", "resourceVersion": rv}
                }))
                .unwrap(),
            );
            a.resource_version = rv.to_string();
            a
        };
        let newer = Newer::of(&[app("a", "10"), app("b", "opaque-1")]);
        assert!(!newer.keeps(&app("a", "9")));
        assert!(!newer.keeps(&app("a", "10")));
        assert!(newer.keeps(&app("a", "11")));
        assert!(newer.keeps(&app("c", "1")), "not listed: replay");
        assert!(!newer.keeps(&app("b", "opaque-1")));
        assert!(newer.keeps(&app("b", "opaque-2")));
    }

    #[test]
    fn refused_resumes_are_recognised() {
        let e = |status, msg: &str| SourceError::new(ErrorKind::Rejected, status, msg);
        assert!(resume_refused(&e(Some(410), "gone")));
        assert!(resume_refused(&e(Some(400), "invalid resourceVersion")));
        assert!(resume_refused(&e(None, "too old resource version: 5 (9)")));
        assert!(!resume_refused(&e(Some(400), "bad selector")));
    }
}
