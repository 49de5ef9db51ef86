//! End to end: the real binary in a pseudo-terminal, read through a vt100 parser the way a
//! terminal would. Start on the demo world, see the incident, act, quit, terminal restored.
//! Timeouts below only bound a hang; nothing asserts on how fast anything is.

use expectrl::Session;
use expectrl::process::unix::{Signal, WaitStatus};
use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

const COLS: u16 = 120;
const ROWS: u16 = 40;

struct Tui {
    session: expectrl::session::OsSession,
    parser: vt100::Parser,
    raw: Vec<u8>,
    _home: tempfile::TempDir,
}

impl Tui {
    fn start(args: &[&str]) -> Tui {
        let home = tempfile::tempdir().unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitrep"));
        cmd.args(args)
            .env("TERM", "xterm-256color")
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("USER", "e2e")
            .env_remove("NO_COLOR")
            .env_remove("SITREP_CONFIG")
            .env("BROWSER", "true");
        let mut session = Session::spawn(cmd).expect("spawn sitrep in a pty");
        session
            .get_process_mut()
            .set_window_size(COLS, ROWS)
            .unwrap();
        Tui {
            session,
            parser: vt100::Parser::new(ROWS, COLS, 0),
            raw: Vec::new(),
            _home: home,
        }
    }

    /// Read whatever the program wrote so far.
    fn pump(&mut self) -> bool {
        let mut buf = [0u8; 65536];
        match self.session.try_read(&mut buf) {
            Ok(0) => false,
            Ok(n) => {
                self.parser.process(&buf[..n]);
                self.raw.extend_from_slice(&buf[..n]);
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
                true
            }
            Err(_) => false,
        }
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Wait (bounded) until the screen shows `text`; panics with the screen if it never does.
    fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            if !self.pump() {
                break;
            }
        }
        panic!("never saw {text:?}; screen:\n{}", self.screen());
    }

    fn send(&mut self, keys: &str) {
        use std::io::Write;
        self.session.write_all(keys.as_bytes()).unwrap();
        self.session.flush().unwrap();
    }

    /// Esc alone: a key right behind it would read as Alt+key, as in any terminal.
    fn send_esc(&mut self) {
        self.send("\x1b");
        std::thread::sleep(Duration::from_millis(150));
        self.pump();
    }

    /// Wait for the process to exit; return whether it exited 0.
    fn wait_exit(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            self.pump();
            match self.session.get_process().status() {
                Ok(WaitStatus::Exited(_, code)) => {
                    let mut rest = Vec::new();
                    let _ = self.session.read_to_end(&mut rest);
                    self.raw.extend_from_slice(&rest);
                    return code == 0;
                }
                Ok(WaitStatus::Signaled(..)) => return false,
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        panic!("sitrep did not exit; screen:\n{}", self.screen());
    }

    /// The terminal is back to normal: alternate screen left, cursor shown, cooked mode.
    fn assert_restored(&self) {
        let out = String::from_utf8_lossy(&self.raw);
        assert!(out.contains("\x1b[?1049l"), "alternate screen not left");
        assert!(out.contains("\x1b[?25h"), "cursor not shown again");
        // Raw mode clears ICANON and ISIG; restoring brings them back. (ECHO says nothing here:
        // the pty library turns it off at spawn.)
        let fd = std::os::fd::AsRawFd::as_raw_fd(&self.session);
        // SAFETY: tcgetattr only writes into the zeroed termios we own, for a pty fd we hold open.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::tcgetattr(fd, &mut termios) };
        assert_eq!(rc, 0, "tcgetattr failed");
        assert!(
            termios.c_lflag & libc::ICANON != 0,
            "terminal left in raw mode (ICANON off)"
        );
        assert!(
            termios.c_lflag & libc::ISIG != 0,
            "terminal left in raw mode (ISIG off)"
        );
    }
}

#[test]
fn demo_shows_the_incident_and_q_quits_cleanly() {
    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for("HighErrorRate");
    let screen = tui.screen();
    let checkout_line = screen
        .lines()
        .find(|l| l.contains("checkout") && !l.contains("┌ checkout") && !l.contains("┏ checkout"))
        .expect("checkout row");
    assert!(
        checkout_line.contains("CRIT"),
        "checkout is not critical: {checkout_line}"
    );
    // The ranked list starts with checkout: its row comes before any other service row.
    let first_service_row = screen
        .lines()
        .position(|l| l.contains("CRIT") || l.contains("WARN"))
        .unwrap();
    assert!(
        screen
            .lines()
            .nth(first_service_row)
            .unwrap()
            .contains("checkout"),
        "{screen}"
    );

    tui.send("2");
    tui.wait_for("KubePodCrashLooping");
    tui.send("?");
    tui.wait_for("filter");
    tui.send_esc();
    tui.send("q");
    assert!(tui.wait_exit(), "non-zero exit");
    tui.assert_restored();
}

#[test]
fn silence_from_the_keyboard_reaches_the_alertmanager() {
    let mut tui = Tui::start(&["--demo"]);
    tui.wait_for("HighErrorRate");
    // Detail pane, silence the selected alert, type a comment, submit, confirm.
    tui.send("\t");
    tui.send("s");
    tui.wait_for("New silence");
    tui.send("e2e rollback in progress\r");
    tui.wait_for("press y");
    tui.send("y");
    tui.wait_for("created on");
    tui.send("6");
    tui.wait_for("silence");
    tui.send("q");
    assert!(tui.wait_exit());
    tui.assert_restored();
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for signal in [Signal::SIGTERM, Signal::SIGHUP] {
        let mut tui = Tui::start(&["--demo"]);
        tui.wait_for("HighErrorRate");
        tui.session.get_process_mut().signal(signal).unwrap();
        let clean = tui.wait_exit();
        eprintln!("{signal:?}: exited cleanly: {clean}");
        tui.assert_restored();
    }
}

#[test]
fn rollback_of_checkout_through_the_keys_heals_it() {
    // Fast demo clock: the alerts resolve one scenario-minute after the rollback.
    let mut tui = Tui::start(&["--demo", "--demo-speed", "30"]);
    tui.wait_for("HighErrorRate");
    tui.wait_for("Degraded");
    tui.send("R");
    tui.wait_for("Auto-sync is ON");
    tui.send("a");
    tui.send("\r");
    tui.wait_for("to confirm: ");
    tui.send("checkout-prod\r");
    tui.wait_for("Healthy again");
    tui.send_esc();
    // The alerts resolve: the timeline says so.
    tui.send("6");
    tui.wait_for("HighErrorRate on checkout resolved");
    tui.wait_for("auto-sync OFF");
    tui.send("q");
    assert!(tui.wait_exit());
    tui.assert_restored();
}
