//! A command's life after it started: read its output while it runs, stop its group at the
//! timeout or on cancel (SIGTERM, then SIGKILL after a grace), end what it left in the
//! background, and say how it ended.

use super::group::Group;
use super::output::{OUTPUT_LIMIT, OutputTail};
use super::{CommandResult, CommandSpec};
use std::future::Future;
use std::os::unix::process::ExitStatusExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio::sync::Notify;
use tokio::time::{Instant, interval, sleep, sleep_until};

/// How often the leader is looked at: it cannot be awaited without reaping it.
const EXIT_POLL: Duration = Duration::from_millis(20);
/// Between SIGTERM and SIGKILL when a command is stopped.
pub const STOP_GRACE: Duration = Duration::from_secs(2);
/// How long output is still read once the group is gone: only a process that left the group
/// (a daemon) can keep the pipe open longer.
const DRAIN: Duration = Duration::from_millis(500);
const READ_CHUNK: usize = 16 * 1024;

/// Why the command stopped before it ended by itself.
enum Stop {
    TimedOut,
    Cancelled,
}

/// The read end of the pipe the command's stdout and stderr share, so their lines interleave
/// as they were written.
pub struct OutputPipe {
    reader: Option<pipe::Receiver>,
    tail: OutputTail,
    chunk: Vec<u8>,
}

impl OutputPipe {
    pub fn new(reader: pipe::Receiver) -> OutputPipe {
        OutputPipe {
            reader: Some(reader),
            tail: OutputTail::new(OUTPUT_LIMIT),
            chunk: vec![0; READ_CHUNK],
        }
    }

    /// Read what is there (cancel-safe); never ready again once the pipe is closed, so it
    /// can sit in a `select!` for as long as the command runs.
    async fn read_some(&mut self) {
        let Some(reader) = self.reader.as_mut() else {
            return std::future::pending().await;
        };
        match reader.read(&mut self.chunk).await {
            Ok(0) | Err(_) => self.reader = None,
            Ok(n) => self.tail.push(&self.chunk[..n]),
        }
    }

    fn closed(&self) -> bool {
        self.reader.is_none()
    }
}

pub async fn supervise(
    spec: CommandSpec,
    mut group: Group,
    mut output: OutputPipe,
    cancel: Arc<Notify>,
) -> CommandResult {
    let started = Instant::now();
    let deadline = started.checked_add(spec.timeout);
    let stop = async {
        tokio::select! {
            () = sleep_until_or_never(deadline) => Stop::TimedOut,
            () = cancel.notified() => Stop::Cancelled,
        }
    };
    let stopped = read_until_exit(&group, &mut output, stop).await;
    if stopped.is_some() {
        group.stop_gently();
        read_until_exit(&group, &mut output, sleep(STOP_GRACE)).await;
    }
    // Whatever is left of the group (background jobs, or all of it after the grace) ends
    // with the command. The leader is unreaped, so the group id is still this command's.
    group.kill();
    if !group.leader_exited() {
        read_until_exit(&group, &mut output, std::future::pending::<()>()).await;
    }
    let duration = started.elapsed();
    let drain_until = Instant::now() + DRAIN;
    while !output.closed() {
        tokio::select! {
            () = output.read_some() => {}
            () = sleep_until(drain_until) => break,
        }
    }
    let status = group.reap().await;
    let (text, dropped_bytes) = output.tail.into_text();
    CommandResult {
        request_id: spec.request_id,
        key: spec.key,
        exit_code: status.and_then(|s| s.code()),
        signal: status.and_then(|s| s.signal()),
        timed_out: matches!(stopped, Some(Stop::TimedOut)),
        cancelled: matches!(stopped, Some(Stop::Cancelled)),
        output: text,
        dropped_bytes,
        duration,
        spawn_error: None,
    }
}

/// Read output until the group's leader exits (`None`) or `stop` comes first (its value).
async fn read_until_exit<T>(
    group: &Group,
    output: &mut OutputPipe,
    stop: impl Future<Output = T>,
) -> Option<T> {
    let mut poll = interval(EXIT_POLL);
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            () = output.read_some() => {}
            _ = poll.tick() => {
                if group.leader_exited() {
                    return None;
                }
            }
            value = &mut stop => return Some(value),
        }
    }
}

/// A timeout too large to add to now never fires.
async fn sleep_until_or_never(deadline: Option<Instant>) {
    match deadline {
        Some(at) => sleep_until(at).await,
        None => std::future::pending().await,
    }
}
