//! Running a runbook block's command, safely. The text runs unchanged by `sh -c`; values
//! (alert labels are attacker-controllable) reach it only as environment variables, never
//! spliced into the text. Each command leads its own session and process group, away from the
//! terminal, so a timeout, a cancel or sitrep quitting ends everything it started. Its output
//! is kept bounded (the last 64 KB) and made safe for the screen. Nothing here blocks the
//! caller: the command runs on a tokio task and its result is handed to a callback.

mod group;
mod output;
mod process_group;
mod supervise;

pub use output::OUTPUT_LIMIT;

use group::{Group, Registry, Running, lock};
use process_group::{leader_exited, signal_group, stop_gently};
use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use supervise::{OutputPipe, supervise};
use tokio::net::unix::pipe;
use tokio::sync::Notify;

/// The shell every block runs in: a fixed path, not whatever `sh` the PATH finds first.
const SHELL: &str = "/bin/sh";
/// When sitrep quits: how long commands get between SIGTERM and SIGKILL. Short, since the
/// user is waiting for their prompt.
const QUIT_GRACE: Duration = Duration::from_secs(1);

/// One command to run.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandSpec {
    /// Comes back in the result, so the caller knows which run it answers.
    pub request_id: u64,
    /// The caller's name for what runs (e.g. the runbook and block); comes back as is.
    pub key: String,
    /// The block's text, run unchanged by `sh -c`.
    pub text: String,
    /// Added to sitrep's own environment (PATH, HOME, KUBECONFIG stay).
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    pub cwd: Option<PathBuf>,
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandResult {
    pub request_id: u64,
    pub key: String,
    /// The exit status, when it exited by itself.
    pub exit_code: Option<i32>,
    /// The signal that ended it (SIGTERM or SIGKILL after a timeout or cancel).
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub cancelled: bool,
    /// The end of stdout and stderr, interleaved, at most [`OUTPUT_LIMIT`] bytes before
    /// sanitising: lossy UTF-8, escape sequences and control characters removed (`\n`, `\t` kept).
    pub output: String,
    /// Output bytes not kept (the start of a long output).
    pub dropped_bytes: u64,
    /// From spawn to exit.
    pub duration: Duration,
    /// Set when the command could not be started; nothing ran then.
    pub spawn_error: Option<String>,
}

impl CommandResult {
    fn not_started(spec: &CommandSpec, why: String) -> CommandResult {
        CommandResult {
            request_id: spec.request_id,
            key: spec.key.clone(),
            exit_code: None,
            signal: None,
            timed_out: false,
            cancelled: false,
            output: String::new(),
            dropped_bytes: 0,
            duration: Duration::ZERO,
            spawn_error: Some(why),
        }
    }
}

/// Runs commands and keeps track of the ones running, to cancel or kill them.
pub struct CommandRunner {
    running: Registry,
}

impl Default for CommandRunner {
    fn default() -> Self {
        CommandRunner::new()
    }
}

impl CommandRunner {
    pub fn new() -> CommandRunner {
        CommandRunner {
            running: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Start `spec` and return at once; `done` gets the result on a tokio task when the
    /// command ended (or at once, with `spawn_error`, when it could not start). Needs a tokio
    /// runtime. A request id that is already running is refused.
    pub fn start(&self, spec: CommandSpec, done: impl FnOnce(CommandResult) + Send + 'static) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            done(CommandResult::not_started(
                &spec,
                "no async runtime to run the command on".to_string(),
            ));
            return;
        };
        // The pipe and the child register with this runtime's reactor.
        let _entered = runtime.enter();
        // Held across the spawn, so `kill_all` cannot miss a command that is just starting.
        let mut running = lock(&self.running);
        if running.contains_key(&spec.request_id) {
            let why = format!("request {} is already running", spec.request_id);
            runtime.spawn(async move { done(CommandResult::not_started(&spec, why)) });
            return;
        }
        let (child, reader) = match spawn(&spec) {
            Ok(started) => started,
            Err(why) => {
                runtime.spawn(async move { done(CommandResult::not_started(&spec, why)) });
                return;
            }
        };
        // The child leads its own group: its pid is the group id.
        let Some(pgid) = child.id().and_then(|pid| i32::try_from(pid).ok()) else {
            let why = "the command exited before it could be tracked".to_string();
            runtime.spawn(async move { done(CommandResult::not_started(&spec, why)) });
            return;
        };
        let cancel = Arc::new(Notify::new());
        running.insert(
            spec.request_id,
            Running {
                pgid,
                cancel: cancel.clone(),
            },
        );
        drop(running);
        let group = Group::new(child, pgid, spec.request_id, self.running.clone());
        runtime.spawn(async move {
            done(supervise(spec, group, OutputPipe::new(reader), cancel).await);
        });
    }

    /// Stop a running command: SIGTERM to its group, SIGKILL after a grace; its result says
    /// `cancelled` unless it had ended by itself first. False when it was not running.
    pub fn cancel(&self, request_id: u64) -> bool {
        match lock(&self.running).get(&request_id) {
            Some(running) => {
                running.cancel.notify_one();
                true
            }
            None => false,
        }
    }

    /// End every running command now (sitrep is quitting): SIGTERM to each group, at most
    /// [`QUIT_GRACE`] for their leaders to exit, then SIGKILL. Blocks for that long at most.
    pub fn kill_all(&self) {
        let running = lock(&self.running);
        if running.is_empty() {
            return;
        }
        for command in running.values() {
            stop_gently(command.pgid);
        }
        let until = std::time::Instant::now() + QUIT_GRACE;
        while std::time::Instant::now() < until && !running.values().all(|c| leader_exited(c.pgid))
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        // The registry is held throughout, so no leader was reaped and each id is still ours.
        for command in running.values() {
            signal_group(command.pgid, libc::SIGKILL);
            command.cancel.notify_one();
        }
    }
}

impl Drop for CommandRunner {
    fn drop(&mut self) {
        self.kill_all();
    }
}

/// Start `sh -c TEXT` as the leader of a new session (so of a new process group), stdin from
/// /dev/null, stdout and stderr into one pipe. The child and the pipe's read end, or why it
/// could not start.
fn spawn(spec: &CommandSpec) -> Result<(tokio::process::Child, pipe::Receiver), String> {
    if let Some(cwd) = &spec.cwd
        && !cwd.is_dir()
    {
        let shown = crate::sanitize::value(&cwd.display().to_string());
        return Err(format!("the working directory {shown} does not exist"));
    }
    let why = |e: std::io::Error| format!("could not start {SHELL}: {e}");
    let (read_end, write_end) = std::io::pipe().map_err(why)?;
    let reader = pipe::Receiver::from_owned_fd(OwnedFd::from(read_end)).map_err(why)?;
    let mut command = tokio::process::Command::new(SHELL);
    // `--`: a block whose text starts with `-` or `+` is a command, not shell options.
    command
        .arg("-c")
        .arg("--")
        .arg(&spec.text)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(write_end.try_clone().map_err(why)?)
        .stderr(write_end);
    // SAFETY: setsid is async-signal-safe and touches no memory of ours.
    unsafe {
        command.pre_exec(new_session);
    }
    if let Some(cwd) = &spec.cwd {
        command.current_dir(cwd);
    }
    let child = command.spawn().map_err(why)?;
    // Our copies of the write end go with the command, so the pipe closes when the group is
    // gone.
    drop(command);
    Ok((child, reader))
}

/// In the child, before `sh` starts: a new session, which also makes it the leader of a new
/// process group. Without a controlling terminal a command cannot draw over the dashboard or
/// read its keys: a prompt on /dev/tty (ssh, sudo, a kubectl login plugin) fails at once
/// instead of stopping the command until its timeout.
fn new_session() -> std::io::Result<()> {
    if unsafe { libc::setsid() } == -1 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}
