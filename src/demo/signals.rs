//! The numbers behind the alerts: deterministic, plausible time series for every service.
//!
//! A scripted alert's signal rises across its threshold around the moment the alert turns
//! active and falls back around the moment it ends (including an end brought forward by a
//! rollback), so graphs, alert values and alert states tell the same story. Services without a
//! scripted excursion get a quiet baseline with a little noise. Same inputs, same numbers.

use super::clock::Offset;
use super::scenario::{World, fnv64};
use chrono::TimeDelta;

/// The scrape interval: noise changes at this rate, whatever step a graph asks for.
const SCRAPE_SECS: i64 = 15;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignalKind {
    /// Share of requests answered 5xx (0..1).
    ErrorRatio,
    /// 99th percentile request latency, seconds.
    LatencyP99,
    /// Requests per second.
    RequestRate,
    /// 1 while a container waits in CrashLoopBackOff.
    CrashLoop,
    /// Free share of the data volume (0..1).
    DiskFree,
    /// Consumer group lag, messages.
    ConsumerLag,
    /// Current replicas as a share of the HPA's maximum (0..1).
    HpaSaturation,
    /// Target up (1).
    Up,
    /// `vector(1)` and friends.
    Constant,
}

impl SignalKind {
    pub const ALL: [SignalKind; 9] = [
        SignalKind::ErrorRatio,
        SignalKind::LatencyP99,
        SignalKind::RequestRate,
        SignalKind::CrashLoop,
        SignalKind::DiskFree,
        SignalKind::ConsumerLag,
        SignalKind::HpaSaturation,
        SignalKind::Up,
        SignalKind::Constant,
    ];

    fn tag(self) -> &'static str {
        match self {
            SignalKind::ErrorRatio => "errors",
            SignalKind::LatencyP99 => "latency",
            SignalKind::RequestRate => "rps",
            SignalKind::CrashLoop => "crashloop",
            SignalKind::DiskFree => "disk",
            SignalKind::ConsumerLag => "lag",
            SignalKind::HpaSaturation => "hpa",
            SignalKind::Up => "up",
            SignalKind::Constant => "const",
        }
    }

    /// A quiet service's level, varied per service so the fleet does not look cloned.
    fn baseline(self, service: &str) -> f64 {
        let h = unit(fnv64(&format!("{service}/{}", self.tag())));
        match self {
            SignalKind::ErrorRatio => 0.0005 + 0.002 * h,
            SignalKind::LatencyP99 => 0.06 + 0.2 * h,
            SignalKind::RequestRate => 15.0 + 600.0 * h,
            SignalKind::CrashLoop => 0.0,
            SignalKind::DiskFree => 0.35 + 0.4 * h,
            SignalKind::ConsumerLag => 40.0 + 150.0 * h,
            SignalKind::HpaSaturation => 0.3 + 0.3 * h,
            SignalKind::Up | SignalKind::Constant => 1.0,
        }
    }

    /// Relative noise: exact signals (states, constants) have none.
    fn noise(self) -> f64 {
        match self {
            SignalKind::CrashLoop
            | SignalKind::Up
            | SignalKind::Constant
            | SignalKind::HpaSaturation => 0.0,
            SignalKind::DiskFree => 0.005,
            _ => 0.06,
        }
    }
}

/// How a scripted alert's series moves: from `base` to `peak` across `ramp_up` centred on the
/// window's start, back across `ramp_down` ending at the window's end (so it crosses the
/// threshold, set between the two, as the alert ends).
#[derive(Clone, Debug, PartialEq)]
pub struct SignalSpec {
    pub kind: SignalKind,
    pub base: f64,
    pub peak: f64,
    pub ramp_up: Offset,
    pub ramp_down: Offset,
}

impl SignalSpec {
    pub fn new(kind: SignalKind, base: f64, peak: f64) -> SignalSpec {
        SignalSpec {
            kind,
            base,
            peak,
            ramp_up: TimeDelta::seconds(20),
            ramp_down: TimeDelta::seconds(40),
        }
    }

    pub fn ramps(mut self, up: Offset, down: Offset) -> SignalSpec {
        self.ramp_up = up;
        self.ramp_down = down;
        self
    }
}

impl World {
    /// The value of `kind` for `service` (None: fleet-wide/unlabelled) at scenario time `at`.
    pub fn signal(&self, service: Option<&str>, kind: SignalKind, at: Offset) -> f64 {
        let svc = service.unwrap_or("");
        let scripted: Vec<_> = self
            .alerts
            .iter()
            .filter_map(|a| a.signal.as_ref().map(|s| (a, s)))
            .filter(|(a, s)| s.kind == kind && a.label("service").unwrap_or("") == svc)
            .collect();
        let clean = if scripted.is_empty() {
            kind.baseline(svc) * daily_swing(kind, at)
        } else {
            scripted
                .iter()
                .map(|(alert, spec)| {
                    let lift = self
                        .windows(alert)
                        .iter()
                        .map(|w| {
                            let up = ramp(at, w.active_at - spec.ramp_up / 2, spec.ramp_up);
                            let down = match self.window_end(alert, w) {
                                Some(end) => 1.0 - ramp(at, end - spec.ramp_down, spec.ramp_down),
                                None => 1.0,
                            };
                            up.min(down)
                        })
                        .fold(0.0, f64::max);
                    spec.base + (spec.peak - spec.base) * lift
                })
                .fold(f64::NEG_INFINITY, f64::max)
        };
        let tick = at.num_seconds().div_euclid(SCRAPE_SECS);
        let n = unit(fnv64(&format!("{svc}/{}/{tick}", kind.tag()))) * 2.0 - 1.0;
        let v = clean * (1.0 + kind.noise() * n);
        match kind {
            SignalKind::ErrorRatio | SignalKind::DiskFree | SignalKind::HpaSaturation => {
                v.clamp(0.0, 1.0)
            }
            _ => v.max(0.0),
        }
    }
}

/// 0 before `from`, 1 after `from + len`, smooth in between.
fn ramp(at: Offset, from: Offset, len: Offset) -> f64 {
    let len_ms = len.num_milliseconds().max(1) as f64;
    let x = ((at - from).num_milliseconds() as f64 / len_ms).clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// Traffic-shaped signals breathe a little over an hour so graphs are not ruler-flat.
fn daily_swing(kind: SignalKind, at: Offset) -> f64 {
    match kind {
        SignalKind::RequestRate | SignalKind::LatencyP99 => {
            let phase = at.num_seconds() as f64 / 3600.0 * std::f64::consts::TAU;
            1.0 + 0.08 * phase.sin()
        }
        _ => 1.0,
    }
}

/// A hash as a number in [0, 1).
fn unit(hash: u64) -> f64 {
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(n: i64) -> Offset {
        TimeDelta::minutes(n)
    }

    #[test]
    fn checkout_errors_rise_after_the_deploy_and_fall_after_a_rollback() {
        let mut world = World::demo();
        let errors = |w: &World, t: Offset| w.signal(Some("checkout"), SignalKind::ErrorRatio, t);
        assert!(errors(&world, m(-10)) < 0.01);
        assert!(errors(&world, m(-5)) > 0.05);
        assert!(
            errors(&world, m(20)) > 0.05,
            "stays broken without a rollback"
        );
        world
            .rollback("checkout-prod", None, m(1), "alice")
            .unwrap();
        assert!(errors(&world, m(1)) > 0.05);
        assert!(errors(&world, m(2) + TimeDelta::seconds(1)) < 0.05);
        assert!(errors(&world, m(5)) < 0.01);
    }

    #[test]
    fn deterministic_and_varied() {
        let world = World::demo();
        let a = world.signal(Some("cart"), SignalKind::RequestRate, m(-30));
        assert_eq!(
            a,
            world.signal(Some("cart"), SignalKind::RequestRate, m(-30))
        );
        assert_ne!(
            a,
            world.signal(Some("orders"), SignalKind::RequestRate, m(-30))
        );
        assert_eq!(world.signal(None, SignalKind::Up, m(3)), 1.0);
        let latency = world.signal(Some("recommendations"), SignalKind::LatencyP99, m(4));
        assert!(latency > 1.0, "{latency}");
        let latency = world.signal(Some("recommendations"), SignalKind::LatencyP99, m(8));
        assert!(latency < 1.0, "{latency}");
    }
}
