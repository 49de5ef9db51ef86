//! The scenario clock: where the demo world is in its script.
//!
//! Scenario time is an offset from launch (`0` = launch, negative = the past that was already
//! scripted before sitrep started, e.g. the deploy at −6 min). `--demo-speed N` makes the
//! scripted future arrive N times faster.
//!
//! Timestamps the emulated servers put on the wire ([`ScenarioClock::to_utc`]) must agree with
//! the wall clock of whoever reads them, exactly as a real server's would: sitrep computes ages
//! with its own clock and knows nothing of the demo. So the past keeps its real length (the
//! deploy shows "6 min ago" at any speed) and the future is compressed onto the wall clock
//! (at speed 10, the event scripted for +2 min happens, and is stamped, 12 s after launch).
//! At speed 1 scenario time and wall time are the same thing.

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

/// A point in the script, relative to launch.
pub type Offset = TimeDelta;

#[derive(Clone, Debug)]
pub struct ScenarioClock {
    /// Scenario time 0 on the wall clock.
    launch: DateTime<Utc>,
    started: Instant,
    speed: f64,
    /// A frozen clock only moves by [`ScenarioClock::advance`] (tests: no sleeps, no races).
    frozen: bool,
    /// Scenario milliseconds added by `advance`, shared by every clone.
    jumped_ms: Arc<AtomicI64>,
}

impl ScenarioClock {
    /// A running clock launched now. Speeds that are not finite and positive mean 1.
    pub fn new(speed: f64) -> ScenarioClock {
        ScenarioClock {
            launch: Utc::now(),
            started: Instant::now(),
            speed: sanitize_speed(speed),
            frozen: false,
            jumped_ms: Arc::new(AtomicI64::new(0)),
        }
    }

    /// A clock stopped at scenario time 0, launched at `launch`; move it with `advance`.
    pub fn frozen(launch: DateTime<Utc>, speed: f64) -> ScenarioClock {
        ScenarioClock {
            launch,
            started: Instant::now(),
            speed: sanitize_speed(speed),
            frozen: true,
            jumped_ms: Arc::new(AtomicI64::new(0)),
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Scenario time 0 on the wall clock.
    pub fn launch(&self) -> DateTime<Utc> {
        self.launch
    }

    /// Where the script is now.
    pub fn offset(&self) -> Offset {
        let jumped = TimeDelta::milliseconds(self.jumped_ms.load(Ordering::Relaxed));
        if self.frozen {
            return jumped;
        }
        let real = self.started.elapsed().as_secs_f64() * self.speed;
        TimeDelta::microseconds((real * 1e6) as i64) + jumped
    }

    /// Jump the script forward (or back, with a negative delta). On a running clock this puts
    /// the world ahead of the wall clock; it is meant for tests and demo controls.
    pub fn advance(&self, by: Offset) {
        self.jumped_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }

    /// Scenario "now" as a wall-clock timestamp: what a server of this world says the time is.
    pub fn now(&self) -> DateTime<Utc> {
        self.to_utc(self.offset())
    }

    /// The wall-clock timestamp of a scripted moment (see the module comment for why the past
    /// is real-length and the future compressed).
    pub fn to_utc(&self, at: Offset) -> DateTime<Utc> {
        if at <= TimeDelta::zero() {
            self.launch + at
        } else {
            self.launch + scale(at, 1.0 / self.speed)
        }
    }

    /// The scripted moment a wall-clock timestamp stands for (inverse of [`Self::to_utc`]).
    pub fn offset_of(&self, t: DateTime<Utc>) -> Offset {
        let since = t - self.launch;
        if since <= TimeDelta::zero() {
            since
        } else {
            scale(since, self.speed)
        }
    }
}

fn sanitize_speed(speed: f64) -> f64 {
    if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    }
}

fn scale(d: TimeDelta, factor: f64) -> TimeDelta {
    let micros = d.num_microseconds().unwrap_or(i64::MAX) as f64 * factor;
    TimeDelta::microseconds(micros.clamp(i64::MIN as f64, i64::MAX as f64) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_keeps_real_length_future_is_compressed() {
        let launch = DateTime::parse_from_rfc3339("2026-01-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = ScenarioClock::frozen(launch, 10.0);
        assert_eq!(
            clock.to_utc(TimeDelta::minutes(-6)),
            launch - TimeDelta::minutes(6)
        );
        assert_eq!(
            clock.to_utc(TimeDelta::minutes(2)),
            launch + TimeDelta::seconds(12)
        );
        for s in [-600, -1, 0, 1, 120, 3600] {
            let at = TimeDelta::seconds(s);
            assert_eq!(clock.offset_of(clock.to_utc(at)), at);
        }
    }

    #[test]
    fn frozen_clock_moves_only_when_advanced_and_clones_share_it() {
        let clock = ScenarioClock::frozen(Utc::now(), 1.0);
        let other = clock.clone();
        assert_eq!(clock.offset(), TimeDelta::zero());
        other.advance(TimeDelta::seconds(90));
        assert_eq!(clock.offset(), TimeDelta::seconds(90));
    }

    #[test]
    fn running_clock_is_scaled() {
        let clock = ScenarioClock::new(1000.0);
        std::thread::sleep(std::time::Duration::from_millis(5));
        // At least 5 s of scenario time went by in 5 ms of wall time.
        assert!(clock.offset() >= TimeDelta::seconds(5));
        assert_eq!(ScenarioClock::new(f64::NAN).speed(), 1.0);
        assert_eq!(ScenarioClock::new(-3.0).speed(), 1.0);
    }
}
