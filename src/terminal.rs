//! Entering and leaving the full-screen terminal, safely: restored on normal exit, panic,
//! SIGTERM/SIGHUP/SIGINT (the app loop exits cleanly on those), and around Ctrl-Z.

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::DefaultTerminal;
use ratatui::backend::CrosstermBackend;
use std::io::{IsTerminal, stdout};

/// Why the dashboard cannot run here, if it cannot: it reads keys from stdin and draws on
/// stdout, so both must be terminals. (Without this check, crossterm reports the missing
/// terminal as `No such device or address (os error 6)` after raw mode may already be half on.)
pub fn missing_terminal() -> Option<String> {
    describe_missing(
        std::io::stdin().is_terminal(),
        std::io::stdout().is_terminal(),
    )
}

fn describe_missing(stdin_tty: bool, stdout_tty: bool) -> Option<String> {
    let which = match (stdin_tty, stdout_tty) {
        (true, true) => return None,
        (false, true) => "stdin is not a terminal",
        (true, false) => "stdout is not a terminal",
        (false, false) => "neither stdin nor stdout is a terminal",
    };
    Some(format!(
        "the dashboard needs a terminal ({which}); for scripts use `sitrep snapshot`"
    ))
}

/// Raw mode, alternate screen, bracketed paste. If any step fails, whatever was already
/// switched on is switched off again before the error is returned.
pub fn enter() -> std::io::Result<DefaultTerminal> {
    install_panic_hook_once();
    let entered = (|| {
        enable_raw_mode()?;
        execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
        ratatui::Terminal::new(CrosstermBackend::new(stdout()))
    })();
    if entered.is_err() {
        leave();
    }
    entered
}

/// Give the terminal back: paste mode off, cooked mode, main screen, cursor shown. Safe to
/// call more than once, and when `enter` never finished.
pub fn leave() {
    let _ = execute!(stdout(), DisableBracketedPaste);
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), LeaveAlternateScreen, Show);
}

/// A panic anywhere (the loop, a source task, the executor) restores the terminal first, so the
/// message lands on a normal screen, then ends the process with status 101: a dashboard whose
/// terminal was taken back under it cannot go on drawing.
fn install_panic_hook_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            leave();
            previous(info);
            eprintln!(
                "sitrep: internal error (a bug): the terminal was restored; \
                 please report the message above"
            );
            std::process::exit(101);
        }));
    });
}

/// Ctrl-Z: give the terminal back, stop like any job (`fg` resumes), then take it again.
pub fn suspend(terminal: &mut DefaultTerminal) -> std::io::Result<()> {
    leave();
    // SAFETY: raising SIGTSTP on ourselves is the documented way to stop as a shell job; it has
    // no memory effects. We resume here after SIGCONT.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    *terminal = enter()?;
    terminal.clear()
}

/// Put text on the user's clipboard via OSC 52: works over SSH, needs no X11/Wayland.
pub fn copy_to_clipboard(text: &str) {
    use crossterm::clipboard::CopyToClipboard;
    let _ = execute!(stdout(), CopyToClipboard::to_clipboard_from(text));
}

#[cfg(test)]
mod tests {
    use super::describe_missing;

    #[test]
    fn a_missing_terminal_is_named_with_the_way_out() {
        assert_eq!(describe_missing(true, true), None);
        let stdin = describe_missing(false, true).unwrap();
        assert!(stdin.contains("stdin is not a terminal"), "{stdin}");
        assert!(stdin.contains("sitrep snapshot"), "{stdin}");
        let stdout = describe_missing(true, false).unwrap();
        assert!(stdout.contains("stdout is not a terminal"), "{stdout}");
        let both = describe_missing(false, false).unwrap();
        assert!(both.contains("neither stdin nor stdout"), "{both}");
    }
}
