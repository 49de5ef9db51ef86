//! Sending to the desktop without ever blocking or crashing the dashboard: `show()` runs on a
//! worker thread of its own; a failure, or a `show()` still running after the timeout (a bus
//! without a daemon can stall for tens of seconds), turns the desktop off for the rest of the
//! run, and that notification and any queued behind it are handed back for the terminal.

use super::desktop::Desktop;
use super::notification::Notification;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long one `show()` may take before the desktop counts as broken.
pub const SHOW_TIMEOUT: Duration = Duration::from_secs(3);
/// Queued for the worker beyond this many (it is stuck or very slow), the rest go to the
/// terminal rather than pile up. The gate keeps the real rate far below.
const MAX_QUEUED: usize = 32;

pub struct Notifier {
    shared: Arc<Shared>,
    timeout: Duration,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the worker: something queued, or time to stop.
    work: Condvar,
    /// Set once and for all after a failure or a timeout; readable by the app loop without a
    /// lock.
    broken: AtomicBool,
    /// Tells the app loop that something waits in `fallback`.
    on_fallback: Box<dyn Fn() + Send + Sync>,
}

#[derive(Default)]
struct State {
    queued: VecDeque<Notification>,
    /// The notification in `show()`, and since when (the worker's clock).
    showing: Option<(Instant, Notification)>,
    /// For the terminal: failed, timed out, or queued behind either.
    fallback: Vec<Notification>,
    stopped: bool,
}

impl Notifier {
    /// Start the worker thread that owns `desktop`. `on_fallback` is called (from that thread)
    /// when a failure leaves notifications for the terminal; it must not block.
    pub fn start(
        desktop: impl Desktop,
        timeout: Duration,
        on_fallback: impl Fn() + Send + Sync + 'static,
    ) -> Notifier {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            broken: AtomicBool::new(false),
            on_fallback: Box::new(on_fallback),
        });
        let worker = shared.clone();
        let started = std::thread::Builder::new()
            .name("sitrep-notify".into())
            .spawn(move || work(&worker, desktop));
        if let Err(e) = started {
            tracing::warn!("no desktop notifications: cannot start their thread: {e}");
            shared.broken.store(true, Ordering::SeqCst);
        }
        Notifier { shared, timeout }
    }

    /// Queue `n` for the desktop; returns at once. Once the desktop is broken, `n` goes
    /// straight to the fallback.
    pub fn send(&self, n: Notification) {
        let mut state = lock(&self.shared.state);
        if self.shared.broken.load(Ordering::SeqCst) || state.queued.len() >= MAX_QUEUED {
            state.fallback.push(n);
            return;
        }
        state.queued.push_back(n);
        self.shared.work.notify_one();
    }

    /// What the terminal must show instead: notifications the desktop failed, and, when the
    /// `show()` running since before `now - timeout` is still running, that one and all queued
    /// behind it (the desktop then counts as broken). Never blocks beyond a short lock.
    pub fn take_fallback(&self, now: Instant) -> Vec<Notification> {
        let mut state = lock(&self.shared.state);
        let stuck = state
            .showing
            .as_ref()
            .is_some_and(|(since, _)| now.saturating_duration_since(*since) >= self.timeout);
        if stuck && let Some((_, n)) = state.showing.take() {
            tracing::warn!(
                "desktop notifications off for this run: a notification took more than {:?}",
                self.timeout
            );
            self.shared.broken.store(true, Ordering::SeqCst);
            state.fallback.push(n);
            let queued = std::mem::take(&mut state.queued);
            state.fallback.extend(queued);
        }
        std::mem::take(&mut state.fallback)
    }

    /// False once the desktop failed or stalled: everything goes to the terminal from then on.
    pub fn desktop_works(&self) -> bool {
        !self.shared.broken.load(Ordering::SeqCst)
    }
}

impl Drop for Notifier {
    /// Tell the worker to stop; never wait for it (it may be stuck in `show()`).
    fn drop(&mut self) {
        lock(&self.shared.state).stopped = true;
        self.shared.work.notify_all();
    }
}

/// The worker: one `show()` at a time, until stopped or the desktop breaks.
fn work(shared: &Shared, mut desktop: impl Desktop) {
    loop {
        let n = {
            let mut state = lock(&shared.state);
            loop {
                if state.stopped || shared.broken.load(Ordering::SeqCst) {
                    return;
                }
                if let Some(n) = state.queued.pop_front() {
                    state.showing = Some((Instant::now(), n.clone()));
                    break n;
                }
                state = shared
                    .work
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        let result = desktop.show(&n);
        let mut state = lock(&shared.state);
        // Taken already: it timed out and went to the terminal; the desktop is broken.
        let Some((_, n)) = state.showing.take() else {
            return;
        };
        if let Err(e) = result {
            tracing::warn!("desktop notifications off for this run: {e}");
            shared.broken.store(true, Ordering::SeqCst);
            state.fallback.push(n);
            let queued = std::mem::take(&mut state.queued);
            state.fallback.extend(queued);
            drop(state);
            (shared.on_fallback)();
            return;
        }
    }
}

/// A panic elsewhere while holding the lock must not take notifications down with it.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::desktop::NotifyRust;
    use std::sync::mpsc;

    /// A bounded wait for the worker; a test that would hang fails instead.
    const PATIENCE: Duration = Duration::from_secs(10);

    fn n(key: &str) -> Notification {
        Notification::new(key, &format!("title {key}"), "body", false)
    }

    /// A desktop that reports each `show()` as it starts and answers what the test says.
    struct Scripted {
        started: mpsc::Sender<String>,
        answers: mpsc::Receiver<Result<(), String>>,
    }

    impl Desktop for Scripted {
        fn show(&mut self, n: &Notification) -> Result<(), String> {
            let _ = self.started.send(n.key.clone());
            self.answers
                .recv()
                .unwrap_or_else(|_| Err("test over".into()))
        }
    }

    fn scripted() -> (
        Scripted,
        mpsc::Receiver<String>,
        mpsc::Sender<Result<(), String>>,
    ) {
        let (started_tx, started) = mpsc::channel();
        let (answer, answers) = mpsc::channel();
        let desktop = Scripted {
            started: started_tx,
            answers,
        };
        (desktop, started, answer)
    }

    #[cfg(not(target_os = "macos"))]
    #[test]
    fn without_a_session_bus_the_desktop_falls_back_to_the_terminal() {
        let (woken_tx, woken) = mpsc::channel();
        let notifier = Notifier::start(NotifyRust::new(None), SHOW_TIMEOUT, move || {
            let _ = woken_tx.send(());
        });
        notifier.send(n("a"));
        woken.recv_timeout(PATIENCE).expect("the app loop is told");
        assert!(!notifier.desktop_works());
        assert_eq!(notifier.take_fallback(Instant::now()), vec![n("a")]);
        // From now on straight to the terminal, without the worker.
        notifier.send(n("b"));
        assert_eq!(notifier.take_fallback(Instant::now()), vec![n("b")]);
        assert_eq!(notifier.take_fallback(Instant::now()), vec![]);
    }

    #[test]
    fn shown_notifications_stay_on_the_desktop() {
        let (desktop, started, answer) = scripted();
        let notifier = Notifier::start(desktop, SHOW_TIMEOUT, || {});
        notifier.send(n("a"));
        notifier.send(n("b"));
        for key in ["a", "b"] {
            assert_eq!(started.recv_timeout(PATIENCE).unwrap(), key);
            answer.send(Ok(())).unwrap();
        }
        assert!(notifier.desktop_works());
        assert_eq!(notifier.take_fallback(Instant::now()), vec![]);
    }

    #[test]
    fn a_stalled_show_hands_it_and_the_queue_to_the_terminal_without_blocking() {
        let (desktop, started, answer) = scripted();
        // Time is only ever the one passed in: an hour's timeout cannot pass by itself.
        let timeout = Duration::from_secs(3600);
        let notifier = Notifier::start(desktop, timeout, || {});
        notifier.send(n("a"));
        assert_eq!(started.recv_timeout(PATIENCE).unwrap(), "a");
        // The worker is stuck in show(): sending still returns at once.
        notifier.send(n("b"));
        notifier.send(n("c"));
        assert_eq!(
            notifier.take_fallback(Instant::now()),
            vec![],
            "not timed out yet"
        );
        assert!(notifier.desktop_works());
        let later = Instant::now() + timeout;
        assert_eq!(notifier.take_fallback(later), vec![n("a"), n("b"), n("c")]);
        assert!(!notifier.desktop_works());
        notifier.send(n("d"));
        assert_eq!(notifier.take_fallback(later), vec![n("d")]);
        // show() returning late changes nothing: "a" is not handed over twice.
        answer.send(Ok(())).unwrap();
        assert_eq!(notifier.take_fallback(later), vec![]);
    }

    #[test]
    fn a_failing_show_hands_over_what_was_queued_behind_it() {
        let (desktop, started, answer) = scripted();
        let (woken_tx, woken) = mpsc::channel();
        let notifier = Notifier::start(desktop, SHOW_TIMEOUT, move || {
            let _ = woken_tx.send(());
        });
        notifier.send(n("a"));
        assert_eq!(started.recv_timeout(PATIENCE).unwrap(), "a");
        notifier.send(n("b"));
        answer
            .send(Err("org.freedesktop.DBus.Error.ServiceUnknown".into()))
            .unwrap();
        woken.recv_timeout(PATIENCE).expect("the app loop is told");
        assert_eq!(notifier.take_fallback(Instant::now()), vec![n("a"), n("b")]);
        assert!(!notifier.desktop_works());
    }

    #[test]
    fn dropping_the_notifier_while_show_is_stuck_does_not_wait() {
        let (desktop, started, _answer) = scripted();
        let notifier = Notifier::start(desktop, SHOW_TIMEOUT, || {});
        notifier.send(n("a"));
        assert_eq!(started.recv_timeout(PATIENCE).unwrap(), "a");
        drop(notifier);
    }
}
