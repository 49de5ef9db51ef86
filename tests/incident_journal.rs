//! The journal under a crash and under two writers, with real processes: this test binary
//! re-runs itself as the child (`SITREP_JOURNAL_CHILD`), so the writer is the real journal code
//! in a process that really dies. Nothing asserts on time.

use sitrep::incident::events;
use sitrep::incident::state::Declaration;
use sitrep::incident::{FileStore, IncidentStore};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const CHILD: &str = "SITREP_JOURNAL_CHILD";

fn declaration() -> Declaration {
    Declaration {
        title: "crash test".into(),
        severity: "SEV3".into(),
        commander: "ci".into(),
        services: vec!["checkout".into()],
        backfill_minutes: 0,
    }
}

/// The child: append notes to the active incident of `dir` forever (or `count` of them),
/// printing `recorded N` after each append returned (durable).
fn child(dir: &str, tag: &str, count: Option<usize>) {
    let mut store = FileStore::new(dir);
    store.resume().unwrap().expect("an active incident");
    let mut out = std::io::stdout().lock();
    let mut i = 0usize;
    while count.is_none_or(|c| i < c) {
        // Big enough that a kill often lands mid-write.
        let text = format!("{tag}-{i} {}", "x".repeat(fastrand::usize(10..4000)));
        let mut e = events::note(&text, tag, chrono::Utc::now());
        e.id = format!("{tag}-{i}");
        store.append(vec![e]).unwrap();
        writeln!(out, "recorded {tag}-{i}").unwrap();
        out.flush().unwrap();
        i += 1;
    }
}

fn spawn_child(
    test: &str,
    dir: &std::path::Path,
    tag: &str,
    count: Option<usize>,
) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(
            CHILD,
            format!(
                "{}|{tag}|{}",
                dir.display(),
                count.map(|c| c.to_string()).unwrap_or_default()
            ),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// In a child process: do the child's work and exit.
fn run_child_if_asked() -> bool {
    let Ok(spec) = std::env::var(CHILD) else {
        return false;
    };
    let mut parts = spec.split('|');
    let dir = parts.next().unwrap();
    let tag = parts.next().unwrap();
    let count = parts.next().and_then(|c| c.parse().ok());
    child(dir, tag, count);
    true
}

#[test]
fn every_event_reported_recorded_survives_sigkill_at_random_points() {
    if run_child_if_asked() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path());
    store
        .declare(
            events::declared(&declaration(), "ci", chrono::Utc::now()),
            vec![],
        )
        .unwrap();
    let id = store.open_id().unwrap().to_string();
    let mut reported = Vec::new();
    for round in 0..25 {
        let mut child = spawn_child(
            "every_event_reported_recorded_survives_sigkill_at_random_points",
            dir.path(),
            &format!("r{round}"),
            None,
        );
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Let it record a random number of events, then kill it wherever it is.
        // (Plus the test harness's own lines.)
        let n = fastrand::usize(3..40);
        for _ in 0..n {
            match lines.next() {
                Some(Ok(l)) => {
                    if let Some((_, r)) = l.split_once("recorded ") {
                        reported.push(r.to_string());
                    }
                }
                _ => break,
            }
        }
        // SIGKILL: no destructor, no flush, mid-write as often as not.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        child.wait().unwrap();
        // Anything it printed after our last read was also recorded.
        for l in lines.map_while(Result::ok) {
            if let Some((_, r)) = l.split_once("recorded ") {
                reported.push(r.to_string());
            }
        }
        // The file opens (a torn last line is cut off), every reported event is there.
        let mut reopened = FileStore::new(dir.path());
        let loaded = reopened.resume().unwrap().expect("still active");
        let ids: std::collections::HashSet<String> =
            loaded.entries.iter().map(|e| e.event.id.clone()).collect();
        for r in &reported {
            assert!(
                ids.contains(r),
                "round {round}: {r} was reported recorded but is missing"
            );
        }
        for w in &loaded.warnings {
            assert!(w.contains("incomplete last line"), "round {round}: {w}");
        }
    }
    let incident = store.load(&id).unwrap();
    assert!(incident.warnings.is_empty(), "{:?}", incident.warnings);
    assert!(reported.len() >= 25);
}

#[test]
fn two_writers_at_once_take_turns_and_keep_the_chain_whole() {
    if run_child_if_asked() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path());
    store
        .declare(
            events::declared(&declaration(), "ci", chrono::Utc::now()),
            vec![],
        )
        .unwrap();
    let id = store.open_id().unwrap().to_string();
    let test = "two_writers_at_once_take_turns_and_keep_the_chain_whole";
    let mut a = spawn_child(test, dir.path(), "a", Some(150));
    let mut b = spawn_child(test, dir.path(), "b", Some(150));
    let out_a = std::io::read_to_string(a.stdout.take().unwrap()).unwrap();
    let out_b = std::io::read_to_string(b.stdout.take().unwrap()).unwrap();
    assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    let recorded = |out: &str| out.lines().filter(|l| l.contains("recorded ")).count();
    assert_eq!(recorded(&out_a) + recorded(&out_b), 300);
    let incident = store.load(&id).unwrap();
    assert!(incident.warnings.is_empty(), "{:?}", incident.warnings);
    assert_eq!(incident.events.len(), 301);
    let raw = std::fs::read_to_string(store.dir.journal_path(&id)).unwrap();
    assert!(
        raw.lines().all(|l| l.starts_with('{') && l.ends_with('}')),
        "no interleaved half-lines"
    );
}
