//! The desktop's notification daemon (D-Bus `org.freedesktop.Notifications` on Linux) through
//! notify-rust, and whether one looks reachable at all.

use super::notification::Notification;
use crate::config::load::Env;
use std::path::Path;

/// Shows a notification on the desktop. `show` may block (D-Bus): it is called only from the
/// notifier's worker thread, never from the app loop.
pub trait Desktop: Send + 'static {
    fn show(&mut self, n: &Notification) -> Result<(), String>;
}

/// The session bus's address, if one looks reachable: `$DBUS_SESSION_BUS_ADDRESS`, else the
/// systemd user bus at `$XDG_RUNTIME_DIR/bus` (where zbus looks too).
pub fn session_bus(env: &Env) -> Option<String> {
    if let Some(address) = env.var("DBUS_SESSION_BUS_ADDRESS") {
        return Some(address.to_string());
    }
    let bus = Path::new(env.var("XDG_RUNTIME_DIR")?).join("bus");
    bus.exists().then(|| format!("unix:path={}", bus.display()))
}

/// Over SSH a desktop notification would pop up on the remote machine's screen (if anywhere),
/// not in front of the user.
pub fn over_ssh(env: &Env) -> bool {
    env.var("SSH_CONNECTION").is_some() || env.var("SSH_TTY").is_some()
}

/// Does the desktop look usable (for `desktop = "auto"`)?
pub fn desktop_looks_available(env: &Env) -> bool {
    // macOS's notification centre needs no bus.
    !over_ssh(env) && (cfg!(target_os = "macos") || session_bus(env).is_some())
}

/// notify-rust. `session_bus` is the address found at start: without one there is nothing to
/// connect to, and no call is made.
pub struct NotifyRust {
    session_bus: Option<String>,
}

impl NotifyRust {
    pub fn new(session_bus: Option<String>) -> NotifyRust {
        NotifyRust { session_bus }
    }
}

impl Desktop for NotifyRust {
    fn show(&mut self, n: &Notification) -> Result<(), String> {
        if self.session_bus.is_none() && !cfg!(target_os = "macos") {
            return Err("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and there is no $XDG_RUNTIME_DIR/bus)".into());
        }
        let mut popup = notify_rust::Notification::new();
        popup
            .appname("sitrep")
            .summary(&n.title)
            .body(&escape_markup(&n.body));
        #[cfg(all(unix, not(target_os = "macos")))]
        popup.urgency(if n.urgent {
            notify_rust::Urgency::Critical
        } else {
            notify_rust::Urgency::Normal
        });
        // Only `show`: `wait_for_action` unwraps inside notify-rust and panics without a bus.
        popup.show().map(drop).map_err(|e| e.to_string())
    }
}

/// Most daemons read the body as markup: an alert annotation with `<a href=…>` must show as
/// text, not become a link.
fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn a_session_bus_is_found_by_address_or_by_socket() {
        assert_eq!(
            session_bus(&env(&[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/x/bus")])).as_deref(),
            Some("unix:path=/x/bus")
        );
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().display().to_string();
        assert_eq!(session_bus(&env(&[("XDG_RUNTIME_DIR", &runtime)])), None);
        std::fs::write(dir.path().join("bus"), "").unwrap();
        assert_eq!(
            session_bus(&env(&[("XDG_RUNTIME_DIR", &runtime)])),
            Some(format!("unix:path={runtime}/bus"))
        );
        assert_eq!(session_bus(&env(&[])), None);
    }

    #[test]
    fn over_ssh_the_desktop_is_not_ours() {
        let bus = ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/x/bus");
        assert!(desktop_looks_available(&env(&[bus])));
        assert!(!desktop_looks_available(&env(&[
            bus,
            ("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
        ])));
        assert!(!desktop_looks_available(&env(&[
            bus,
            ("SSH_TTY", "/dev/pts/3")
        ])));
    }

    #[cfg(not(target_os = "macos"))]
    #[test]
    fn without_a_bus_notify_rust_is_not_called_and_says_why() {
        let err = NotifyRust::new(None)
            .show(&Notification::new("k", "t", "b", false))
            .unwrap_err();
        assert!(err.contains("session bus"), "{err}");
    }

    #[test]
    fn markup_in_the_body_is_shown_as_text() {
        assert_eq!(
            escape_markup("<a href=\"x\">click</a> & <b>"),
            "&lt;a href=\"x\"&gt;click&lt;/a&gt; &amp; &lt;b&gt;"
        );
    }
}
