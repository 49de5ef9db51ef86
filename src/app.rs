//! The main loop: terminal events, a 1 s tick and source messages in; `update`; effects out;
//! redraw when something changed, at most every 16 ms for source floods, at once for keys.

use crate::config::source::SourceSpec;
use crate::effect::Effect;
use crate::exec::Executor;
use crate::model::Model;
use crate::msg::Msg;
use crate::notify::Outbox;
use crate::terminal;
use crate::ui::{self, RenderState};
use crate::update::{apply, settle};
use chrono::Utc;
use crossterm::event::EventStream;
use futures::StreamExt;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};

/// Messages drained per wake-up before drawing, so a flooding source can't starve keys.
const BATCH: usize = 512;
const FRAME: Duration = Duration::from_millis(16);

/// What ended the dashboard, for the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The user quit (`q`, ctrl-c): status 0.
    Quit,
    /// A signal ended it: status 128 + the signal's number, as a shell reports it.
    Signal(i32),
}

impl Ended {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Ended::Quit => ExitCode::SUCCESS,
            Ended::Signal(n) => ExitCode::from(u8::try_from(128 + n).unwrap_or(u8::MAX)),
        }
    }
}

pub async fn run(mut model: Model, specs: Vec<SourceSpec>) -> anyhow::Result<Ended> {
    // Listen before the terminal goes raw, so no signal can end us with it left that way.
    // SIGINT only comes from outside (in raw mode ctrl-c is a key, bound to quit).
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut terminal = terminal::enter()?;
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let handles = crate::sources::spawn_sources(specs.clone(), tx.clone());
    // The incident journal writes and fsyncs on its own thread: a slow disk never delays a key.
    let journal = model.settings.incidents_dir.clone().map(|dir| {
        crate::incident::worker::spawn(Box::new(crate::incident::FileStore::new(dir)), tx.clone())
    });
    let mut executor = Executor::new(&specs, tx.clone(), handles).with_journal(journal);
    let size = terminal.size()?;
    model.size = (size.width, size.height);
    let mut events = EventStream::new();
    let mut tick = interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut render_state = RenderState::default();
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    let far = Duration::from_secs(3600);
    // The notifier's thread wakes the loop when a failed desktop notification needs the
    // terminal; the 1 s tick covers the rate limit and a stalled desktop.
    let notify_wake = Arc::new(tokio::sync::Notify::new());
    let mut outbox = {
        let wake = notify_wake.clone();
        Outbox::start(
            &model.settings.notify,
            &crate::config::load::Env::process(),
            move || wake.notify_one(),
        )
    };

    let hyperlinks = ui::hyperlinks::enabled();
    let result: anyhow::Result<Ended> = loop {
        // Notification bytes go out between frames, from this loop only: written from anywhere
        // else they could land inside a frame's escape sequence.
        let bytes = outbox.poll(std::time::Instant::now());
        if !bytes.is_empty() {
            write_between_frames(&mut terminal, &bytes);
        }
        if dirty && last_draw.elapsed() >= FRAME {
            let links = match terminal.draw(|f| ui::render(&model, &mut render_state, f)) {
                Err(e) => break Err(e.into()),
                Ok(frame) if hyperlinks && !render_state.hyperlinks.is_empty() => {
                    ui::hyperlinks::bytes(&render_state.hyperlinks, frame.buffer)
                }
                Ok(_) => Vec::new(),
            };
            if !links.is_empty() {
                write_between_frames(&mut terminal, &String::from_utf8_lossy(&links));
            }
            dirty = false;
            last_draw = Instant::now();
        }
        let redraw_at = if dirty {
            last_draw + FRAME
        } else {
            Instant::now() + far
        };
        let mut urgent = false;
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(e)) => { urgent = true; Some(Msg::Input(e)) }
                // The terminal went away (a dropped SSH session without SIGHUP): say so.
                Some(Err(e)) => break Err(anyhow::anyhow!("lost the terminal: {e}")),
                None => break Err(anyhow::anyhow!("lost the terminal: its input ended")),
            },
            _ = tick.tick() => Some(Msg::Tick(Utc::now())),
            Some(m) = rx.recv() => Some(m),
            _ = sleep_until(redraw_at), if dirty => None,
            _ = notify_wake.notified() => None,
            _ = sigterm.recv() => break Ok(Ended::Signal(libc::SIGTERM)),
            _ = sighup.recv() => break Ok(Ended::Signal(libc::SIGHUP)),
            _ = sigint.recv() => break Ok(Ended::Signal(libc::SIGINT)),
        };
        let Some(msg) = msg else { continue };
        // Apply the message and whatever else is queued, then rebuild derived views once.
        let mut effects = apply(&mut model, msg);
        for _ in 0..BATCH {
            match rx.try_recv() {
                Ok(m) => effects.extend(apply(&mut model, m)),
                Err(_) => break,
            }
        }
        effects.extend(settle(&mut model));
        // Free replaced alert snapshots off the loop: a key press must not wait on it.
        let garbage = model.alerts.take_retired();
        if !garbage.is_empty() {
            tokio::task::spawn_blocking(move || drop(garbage));
        }
        dirty = true;
        if urgent {
            last_draw = Instant::now() - FRAME;
        }
        let mut failure = None;
        for effect in effects {
            match effect {
                Effect::Quit => {}
                Effect::Suspend => {
                    if let Err(e) = terminal::suspend(&mut terminal) {
                        failure = Some(e);
                    }
                    last_draw = Instant::now() - FRAME;
                }
                Effect::Copy(text) => terminal::copy_to_clipboard(&text),
                Effect::Notify(n) => outbox.offer(n, std::time::Instant::now()),
                other => executor.run(other),
            }
        }
        if let Some(e) = failure {
            break Err(e.into());
        }
        if model.quit {
            break Ok(Ended::Quit);
        }
    };
    terminal::leave();
    // Runbook commands do not outlive sitrep: each one's whole process group is ended.
    executor.kill_commands();
    // Events queued for the incident journal are written before we go (a note typed just
    // before `q` is not lost); a disk that hangs does not keep us here forever.
    if !executor.finish_journal(Duration::from_secs(5)) {
        eprintln!(
            "sitrep: the incident journal had not finished writing when sitrep stopped; the last \
             events may be missing (sitrep incident show active)"
        );
    }
    result
}

/// Best effort: a terminal that cannot be written to fails the next draw, which says so.
fn write_between_frames(terminal: &mut ratatui::DefaultTerminal, bytes: &str) {
    let out = terminal.backend_mut();
    if let Err(e) = out.write_all(bytes.as_bytes()).and_then(|()| out.flush()) {
        tracing::debug!("notification not written to the terminal: {e}");
    }
}
