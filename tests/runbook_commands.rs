//! The safe command runner for runbook blocks (`src/exec/command.rs`): values reach commands
//! only as environment variables, a timeout, a cancel or quitting ends the whole process group,
//! output stays bounded and screen-safe. Timeouts here only bound hangs; nothing asserts on
//! how long anything took.

use sitrep::effect::Effect;
use sitrep::exec::Executor;
use sitrep::exec::command::{CommandResult, CommandRunner, CommandSpec, OUTPUT_LIMIT};
use sitrep::msg::{EffectOutcome, Msg};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Longest any test waits for anything: only there so a broken runner fails instead of hanging.
const HANG: Duration = Duration::from_secs(60);

fn spec(request_id: u64, text: &str) -> CommandSpec {
    CommandSpec {
        request_id,
        key: format!("test/{request_id}"),
        text: text.to_string(),
        env: Vec::new(),
        timeout: HANG,
        cwd: None,
    }
}

fn with_env(mut spec: CommandSpec, vars: &[(&str, &str)]) -> CommandSpec {
    spec.env = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    spec
}

/// Start `spec`; the receiver gets its result.
fn start(runner: &CommandRunner, spec: CommandSpec) -> oneshot::Receiver<CommandResult> {
    let (tx, rx) = oneshot::channel();
    runner.start(spec, move |result| {
        let _ = tx.send(result);
    });
    rx
}

async fn finished(rx: oneshot::Receiver<CommandResult>) -> CommandResult {
    tokio::time::timeout(HANG, rx)
        .await
        .expect("the command never finished")
        .expect("the runner dropped the result")
}

async fn run(spec: CommandSpec) -> CommandResult {
    let runner = CommandRunner::new();
    finished(start(&runner, spec)).await
}

/// A process that has ended: no /proc entry, or a zombie nobody reaped yet (PID 1 in a
/// container may not reap orphans).
fn ended(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state follows the command name, which is in parentheses.
        Ok(stat) => matches!(
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.trim_start().chars().next()),
            Some('Z' | 'X')
        ),
    }
}

/// Wait until `pid` has ended; a killed process takes a moment to die.
async fn assert_ends(pid: i32, what: &str) {
    let waited = tokio::time::timeout(HANG, async {
        while !ended(pid) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "{what} (pid {pid}) is still running");
}

/// Wait for the file the command writes once its background job runs; its pids.
async fn pids_in(file: &Path) -> Vec<i32> {
    tokio::time::timeout(HANG, async {
        loop {
            if let Ok(text) = std::fs::read_to_string(file)
                && text.ends_with('\n')
            {
                return text
                    .split_whitespace()
                    .map(|p| p.parse().expect("a pid"))
                    .collect();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the command never started its background job")
}

/// Starts a background grandchild and waits on another, writing "<shell pid> <grandchild
/// pid>\n" to `$PIDS` first: a group that only a group-wide kill ends.
const TWO_SLEEPERS: &str =
    r#"sleep 300 & printf '%s %s\n' "$$" "$!" > "$PIDS.tmp" && mv "$PIDS.tmp" "$PIDS"; sleep 300"#;

fn sleepers(request_id: u64, dir: &Path) -> (CommandSpec, PathBuf) {
    let file = dir.join(format!("pids-{request_id}"));
    let spec = with_env(
        spec(request_id, TWO_SLEEPERS),
        &[("PIDS", file.to_str().unwrap())],
    );
    (spec, file)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_reach_the_command_only_as_literal_environment_variables() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    let marker_str = marker.to_str().unwrap();
    let hostile = [
        format!("$(touch {marker_str})"),
        format!("`touch {marker_str}`"),
        format!("prod; touch {marker_str}"),
        format!("prod\ntouch {marker_str}\n"),
        format!("prod' ; touch {marker_str}; echo '"),
        format!("prod\" ; touch {marker_str}; echo \""),
        "'$HOME'".to_string(),
        "${HOME}".to_string(),
        "*".to_string(),
        format!("a && touch {marker_str} || touch {marker_str}"),
        format!("$(touch {marker_str}) | `touch {marker_str}` > {marker_str}"),
    ];
    for (n, value) in hostile.iter().enumerate() {
        let result = run(with_env(
            spec(n as u64, r#"printf '%s' "$V""#),
            &[("V", value)],
        ))
        .await;
        assert_eq!(result.spawn_error, None);
        assert_eq!(result.exit_code, Some(0), "value {value:?}");
        assert_eq!(&result.output, value, "the value came back changed");
    }
    assert!(!marker.exists(), "a value ran as a command");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inherited_environment_stays_and_the_text_runs_unchanged() {
    let home = std::env::var("HOME").unwrap_or_default();
    let path = std::env::var("PATH").unwrap_or_default();
    let result = run(with_env(
        spec(
            1,
            r#"printf '%s|%s|%s|%s' "$HOME" "$PATH" "$NAMESPACE" "$OTHER""#,
        ),
        &[("NAMESPACE", "checkout-prod"), ("OTHER", "two words")],
    ))
    .await;
    assert_eq!(
        result.output,
        format!("{home}|{path}|checkout-prod|two words")
    );
    // A block whose text starts with a dash is a command, not options to sh.
    let result = run(spec(2, "-no-such-command-here")).await;
    assert_eq!(result.exit_code, Some(127));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_ends_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let (mut spec, file) = sleepers(1, dir.path());
    spec.timeout = Duration::from_millis(300);
    let result = run(spec).await;
    assert!(result.timed_out);
    assert!(!result.cancelled);
    assert_eq!(result.exit_code, None);
    assert_eq!(result.signal, Some(libc::SIGTERM));
    for pid in pids_in(&file).await {
        assert_ends(pid, "a process of the timed-out command").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_ends_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let runner = CommandRunner::new();
    let (spec, file) = sleepers(7, dir.path());
    let rx = start(&runner, spec);
    let pids = pids_in(&file).await;
    assert!(runner.cancel(7));
    let result = finished(rx).await;
    assert!(result.cancelled);
    assert!(!result.timed_out);
    assert_eq!(result.signal, Some(libc::SIGTERM));
    for pid in pids {
        assert_ends(pid, "a process of the cancelled command").await;
    }
    assert!(!runner.cancel(7), "nothing runs under that id any more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_all_ends_every_running_group() {
    let dir = tempfile::tempdir().unwrap();
    let runner = CommandRunner::new();
    let (first, first_pids) = sleepers(1, dir.path());
    let (second, second_pids) = sleepers(2, dir.path());
    let first = start(&runner, first);
    let second = start(&runner, second);
    let mut pids = pids_in(&first_pids).await;
    pids.extend(pids_in(&second_pids).await);
    runner.kill_all();
    // kill_all returns once the groups are signalled, before any task has reported.
    for pid in pids {
        assert_ends(pid, "a process of a command running at quit").await;
    }
    for rx in [first, second] {
        let result = finished(rx).await;
        assert_eq!(result.exit_code, None);
        assert!(result.signal.is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_runner_ends_what_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let runner = CommandRunner::new();
    let (spec, file) = sleepers(1, dir.path());
    let rx = start(&runner, spec);
    let pids = pids_in(&file).await;
    drop(runner);
    for pid in pids {
        assert_ends(pid, "a process of a dropped runner's command").await;
    }
    assert!(finished(rx).await.signal.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_output_stays_bounded_and_does_not_stall_the_command() {
    let total = 50_000_000u64;
    let result = run(spec(1, &format!("yes | head -c {total}"))).await;
    assert_eq!(result.exit_code, Some(0));
    assert!(result.output.len() <= OUTPUT_LIMIT);
    assert!(result.output.len() > OUTPUT_LIMIT - 16, "the tail is kept");
    assert!(result.output.ends_with("y\ny\n"));
    assert_eq!(result.output.len() as u64 + result.dropped_bytes, total);

    // Without an end of its own: read and discarded until the timeout, never blocked.
    let mut endless = spec(2, "yes");
    endless.timeout = Duration::from_millis(500);
    let result = run(endless).await;
    assert!(result.timed_out);
    assert!(result.output.len() <= OUTPUT_LIMIT);
    assert!(result.dropped_bytes > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_sequences_are_removed_whole() {
    let result = run(spec(
        1,
        r"printf '\033[31mred\033[0m \033]0;title\007 ok\tend\r\n\033[2J\033P+q\033\\bell\007'",
    ))
    .await;
    assert_eq!(result.output, "red  ok\tend\nbell");
    let invalid = run(spec(2, r"printf 'a\377b'")).await;
    assert_eq!(invalid.output, "a\u{fffd}b");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_signals_and_both_streams_are_reported() {
    let result = run(spec(1, "echo out; echo err >&2; echo out again; exit 3")).await;
    assert_eq!(result.exit_code, Some(3));
    assert_eq!(result.signal, None);
    assert_eq!(result.output, "out\nerr\nout again\n");
    assert!(!result.timed_out && !result.cancelled);
    assert_eq!(result.key, "test/1");

    let result = run(spec(2, "kill -KILL $$")).await;
    assert_eq!(result.exit_code, None);
    assert_eq!(result.signal, Some(libc::SIGKILL));

    let result = run(spec(3, "true")).await;
    assert_eq!(result.exit_code, Some(0));
    assert_eq!(result.spawn_error, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_leads_its_own_session_away_from_the_terminal() {
    // /proc/PID/stat: pid (comm) state ppid pgrp session …
    let result = run(spec(1, r#"echo "$$ $(cut -d' ' -f5,6 /proc/$$/stat)""#)).await;
    let ids: Vec<&str> = result.output.split_whitespace().collect();
    assert_eq!(ids.len(), 3, "{:?}", result.output);
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "pid, group, session: {ids:?}"
    );
    let tty = run(spec(
        2,
        "(: </dev/tty) 2>/dev/null && echo has-a-terminal || echo no-terminal",
    ))
    .await;
    // Also under `cargo test` in a terminal: the command cannot reach it.
    assert_eq!(tty.output, "no-terminal\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_command_still_ends_on_cancel() {
    let runner = CommandRunner::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pid");
    let stopped = with_env(
        spec(
            1,
            r#"echo "$$" > "$PIDS.tmp" && mv "$PIDS.tmp" "$PIDS"; kill -STOP $$; sleep 300"#,
        ),
        &[("PIDS", file.to_str().unwrap())],
    );
    let rx = start(&runner, stopped);
    let pid = pids_in(&file).await[0];
    assert!(runner.cancel(1));
    let result = finished(rx).await;
    assert!(result.cancelled);
    assert_ends(pid, "the stopped command").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_is_empty_and_cwd_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let mut in_dir = spec(1, "cat; pwd");
    in_dir.cwd = Some(dir.path().to_path_buf());
    let result = run(in_dir).await;
    assert_eq!(result.exit_code, Some(0));
    let shown = std::fs::canonicalize(dir.path()).unwrap();
    assert_eq!(result.output.trim_end(), shown.to_str().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_start_says_why_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let mut missing_cwd = with_env(
        spec(1, r#"touch "$MARKER""#),
        &[("MARKER", marker.to_str().unwrap())],
    );
    missing_cwd.cwd = Some(dir.path().join("no-such-dir"));
    let result = run(missing_cwd).await;
    let why = result.spawn_error.expect("a spawn error");
    assert!(why.contains("no-such-dir"), "{why}");
    assert_eq!(result.exit_code, None);
    assert!(!marker.exists());

    let nul = run(spec(2, "echo a\0b")).await;
    assert!(nul.spawn_error.is_some());

    // The same request twice at once: the second is refused, the first runs on.
    let runner = CommandRunner::new();
    let first = start(&runner, spec(3, "sleep 300"));
    let second = finished(start(&runner, spec(3, "true"))).await;
    assert!(second.spawn_error.unwrap().contains("already running"));
    assert!(runner.cancel(3));
    assert!(finished(first).await.cancelled);
}

#[test]
fn without_a_runtime_the_result_says_so_at_once() {
    let runner = CommandRunner::new();
    let (tx, rx) = std::sync::mpsc::channel();
    runner.start(spec(1, "true"), move |r| tx.send(r).unwrap());
    let result = rx.recv_timeout(HANG).unwrap();
    assert!(result.spawn_error.unwrap().contains("runtime"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_executor_runs_cancels_and_kills_commands() {
    let (tx, mut rx) = mpsc::channel(8);
    let executor = Executor::new(
        &[],
        tx.clone(),
        sitrep::sources::spawn_sources(Vec::new(), tx),
    );
    let next =
        async |rx: &mut mpsc::Receiver<Msg>| match tokio::time::timeout(HANG, rx.recv()).await {
            Ok(Some(Msg::Done(EffectOutcome::CommandFinished(result)))) => *result,
            other => panic!("expected a command result, got {other:?}"),
        };

    executor.run(Effect::RunCommand(with_env(
        spec(41, r#"printf '%s' "$V""#),
        &[("V", "$(id)")],
    )));
    let result = next(&mut rx).await;
    assert_eq!((result.request_id, result.output.as_str()), (41, "$(id)"));

    executor.run(Effect::RunCommand(spec(42, "sleep 300")));
    executor.run(Effect::CancelCommand { request_id: 42 });
    let result = next(&mut rx).await;
    assert_eq!(result.request_id, 42);
    assert!(result.cancelled);

    let dir = tempfile::tempdir().unwrap();
    let (spec, file) = sleepers(43, dir.path());
    executor.run(Effect::RunCommand(spec));
    let pids = pids_in(&file).await;
    executor.kill_commands();
    for pid in pids {
        assert_ends(pid, "a process of a command running at quit").await;
    }
    assert_eq!(next(&mut rx).await.request_id, 43);
}

#[test]
fn command_effects_name_their_request_and_no_source() {
    let run = Effect::RunCommand(spec(9, "true"));
    assert_eq!((run.request_id(), run.source()), (9, None));
    let cancel = Effect::CancelCommand { request_id: 9 };
    assert_eq!((cancel.request_id(), cancel.source()), (9, None));
}
