//! Desktop and terminal notifications for what changed: a new critical alert, an app turning
//! Degraded, a rollout finishing, the journal failing. Where no notification daemon exists (SSH,
//! containers) they fall back to the terminal's bell and OSC 9/777; nothing here may crash or
//! stall the dashboard.
//!
//! - `events`: which timeline events notify, and what they say (pure).
//! - `gate`: when to send: per-key window, per-minute limit, the rest coalesced (pure, time
//!   injected).
//! - `osc`: the terminal's escape sequences (pure).
//! - `desktop`: notify-rust behind a trait, and whether a session bus looks reachable.
//! - `notifier`: the worker thread that calls the desktop, with a timeout and a fallback.
//! - `outbox`: all of the above as the app loop uses it.

pub mod desktop;
pub mod events;
pub mod gate;
pub mod notification;
pub mod notifier;
pub mod osc;
pub mod outbox;
pub mod settings;

pub use events::{for_event, journal_failure};
pub use gate::Gate;
pub use notification::Notification;
pub use notifier::Notifier;
pub use osc::terminal_sequence;
pub use outbox::Outbox;
pub use settings::{DesktopMode, NotifySettings};
