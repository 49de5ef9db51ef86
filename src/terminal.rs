//! Entering and leaving the full-screen terminal, safely: restored on normal exit, panic,
//! SIGTERM/SIGHUP (the app loop exits cleanly on those), and around Ctrl-Z.

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use ratatui::DefaultTerminal;
use std::io::stdout;

/// Raw mode, alternate screen, bracketed paste. ratatui installs a panic hook that restores the
/// terminal before the panic message prints; ours runs first to also turn paste mode off.
pub fn enter() -> std::io::Result<DefaultTerminal> {
    install_panic_hook_once();
    let terminal = ratatui::try_init()?;
    let _ = execute!(stdout(), EnableBracketedPaste);
    Ok(terminal)
}

pub fn leave() {
    let _ = execute!(stdout(), DisableBracketedPaste);
    ratatui::restore();
}

fn install_panic_hook_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(stdout(), DisableBracketedPaste);
            ratatui::restore();
            previous(info);
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
