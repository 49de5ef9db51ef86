//! Notifications as the app loop sees them: offer one (`Effect::Notify`), and between frames
//! take the bytes the terminal must write. The route — desktop, terminal or none — is chosen
//! once at start; a broken desktop hands its notifications to the terminal.

use super::desktop::{self, Desktop, NotifyRust};
use super::gate::Gate;
use super::notification::Notification;
use super::notifier::{Notifier, SHOW_TIMEOUT};
use super::osc::terminal_sequence;
use super::settings::{DesktopMode, NotifySettings};
use crate::config::load::Env;
use std::time::Instant;

/// Where notifications go, chosen at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Desktop,
    Terminal,
    Off,
}

/// The route for these settings in this environment.
pub fn choose_route(settings: &NotifySettings, env: &Env) -> Route {
    let terminal = if settings.terminal {
        Route::Terminal
    } else {
        Route::Off
    };
    if !settings.enabled {
        return Route::Off;
    }
    match settings.desktop {
        DesktopMode::On => Route::Desktop,
        DesktopMode::Auto if desktop::desktop_looks_available(env) => Route::Desktop,
        DesktopMode::Auto | DesktopMode::Off => terminal,
    }
}

pub struct Outbox {
    gate: Gate,
    route: Route,
    notifier: Option<Notifier>,
    /// Whether the terminal may be used at all (`terminal = false` turns the fallback off).
    terminal: bool,
    in_tmux: bool,
    /// Bytes waiting for the next gap between frames.
    pending: String,
}

impl Outbox {
    /// As the dashboard starts: route from the settings and the environment, notify-rust for
    /// the desktop. `wake` is called from the notifier's thread when the terminal has
    /// something to write; it must not block.
    pub fn start(
        settings: &NotifySettings,
        env: &Env,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Outbox {
        let route = choose_route(settings, env);
        let desktop = NotifyRust::new(desktop::session_bus(env));
        Outbox::with(settings, route, desktop, env.var("TMUX").is_some(), wake)
    }

    /// With the route and the desktop given (tests).
    pub fn with(
        settings: &NotifySettings,
        route: Route,
        desktop: impl Desktop,
        in_tmux: bool,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Outbox {
        let notifier =
            (route == Route::Desktop).then(|| Notifier::start(desktop, SHOW_TIMEOUT, wake));
        Outbox {
            gate: Gate::new(settings.per_minute),
            route,
            notifier,
            terminal: settings.terminal,
            in_tmux,
            pending: String::new(),
        }
    }

    pub fn route(&self) -> Route {
        self.route
    }

    /// `Effect::Notify`: through the gate, then on its way. Never blocks.
    pub fn offer(&mut self, n: Notification, now: Instant) {
        if self.route == Route::Off {
            return;
        }
        if let Some(n) = self.gate.offer(n, now) {
            self.deliver(n);
        }
    }

    /// Between frames, at least every tick: what was held for the rate limit and may go now,
    /// what the desktop gave back; returns the bytes to write to the terminal now.
    pub fn poll(&mut self, now: Instant) -> String {
        if let Some(n) = self.gate.due(now) {
            self.deliver(n);
        }
        if let Some(notifier) = &self.notifier {
            for n in notifier.take_fallback(now) {
                self.queue_for_terminal(&n);
            }
        }
        std::mem::take(&mut self.pending)
    }

    fn deliver(&mut self, n: Notification) {
        match (&self.notifier, self.route) {
            (Some(notifier), Route::Desktop) => notifier.send(n),
            (_, Route::Terminal) => self.queue_for_terminal(&n),
            _ => {}
        }
    }

    fn queue_for_terminal(&mut self, n: &Notification) {
        if self.terminal {
            self.pending.push_str(&terminal_sequence(n, self.in_tmux));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::mpsc;
    use std::time::Duration;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn n(key: &str) -> Notification {
        Notification::new(key, &format!("title {key}"), "body", true)
    }

    #[test]
    fn the_route_follows_the_settings_and_the_environment() {
        let settings = NotifySettings::default();
        let bus = ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus");
        let ssh = ("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22");
        assert_eq!(choose_route(&settings, &env(&[bus])), Route::Desktop);
        assert_eq!(choose_route(&settings, &env(&[bus, ssh])), Route::Terminal);
        let on = NotifySettings {
            desktop: DesktopMode::On,
            ..settings.clone()
        };
        assert_eq!(choose_route(&on, &env(&[bus, ssh])), Route::Desktop);
        let off = NotifySettings {
            desktop: DesktopMode::Off,
            ..settings.clone()
        };
        assert_eq!(choose_route(&off, &env(&[bus])), Route::Terminal);
        let quiet = NotifySettings {
            desktop: DesktopMode::Off,
            terminal: false,
            ..settings.clone()
        };
        assert_eq!(choose_route(&quiet, &env(&[bus])), Route::Off);
        let disabled = NotifySettings {
            enabled: false,
            ..settings
        };
        assert_eq!(choose_route(&disabled, &env(&[bus])), Route::Off);
    }

    #[test]
    fn the_terminal_route_writes_gated_sequences() {
        let t0 = Instant::now();
        let settings = NotifySettings {
            per_minute: 1,
            ..NotifySettings::default()
        };
        let mut outbox = Outbox::with(
            &settings,
            Route::Terminal,
            NotifyRust::new(None),
            true,
            || {},
        );
        outbox.offer(n("a"), t0);
        outbox.offer(n("a"), t0);
        outbox.offer(n("b"), t0);
        assert_eq!(outbox.poll(t0), terminal_sequence(&n("a"), true));
        assert_eq!(outbox.poll(t0 + Duration::from_secs(30)), "");
        assert_eq!(
            outbox.poll(t0 + Duration::from_secs(60)),
            terminal_sequence(&n("b"), true)
        );
    }

    #[cfg(not(target_os = "macos"))]
    #[test]
    fn a_desktop_without_a_session_bus_ends_up_on_the_terminal() {
        let (woken_tx, woken) = mpsc::channel();
        let settings = NotifySettings {
            desktop: DesktopMode::On,
            ..NotifySettings::default()
        };
        let mut outbox = Outbox::with(
            &settings,
            Route::Desktop,
            NotifyRust::new(None),
            false,
            move || {
                let _ = woken_tx.send(());
            },
        );
        outbox.offer(n("a"), Instant::now());
        woken
            .recv_timeout(Duration::from_secs(10))
            .expect("the worker wakes the app loop");
        assert_eq!(
            outbox.poll(Instant::now()),
            terminal_sequence(&n("a"), false)
        );
        outbox.offer(n("b"), Instant::now());
        assert_eq!(
            outbox.poll(Instant::now()),
            terminal_sequence(&n("b"), false)
        );
    }

    #[test]
    fn terminal_false_writes_nothing_even_after_the_desktop_fails() {
        let (woken_tx, woken) = mpsc::channel();
        let settings = NotifySettings {
            desktop: DesktopMode::On,
            terminal: false,
            ..NotifySettings::default()
        };
        struct Failing;
        impl Desktop for Failing {
            fn show(&mut self, _: &Notification) -> Result<(), String> {
                Err("no daemon".into())
            }
        }
        let mut outbox = Outbox::with(&settings, Route::Desktop, Failing, false, move || {
            let _ = woken_tx.send(());
        });
        outbox.offer(n("a"), Instant::now());
        woken.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(outbox.poll(Instant::now()), "");
    }
}
