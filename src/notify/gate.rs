//! When to send: a fact is notified once per key window, at most `per_minute` notifications go
//! out in any minute, and what is over the limit waits and then goes out as one "N more: …".
//! Pure: every call is told what time it is.

use super::notification::Notification;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The same key (a flapping alert, a retrying sync) notifies at most once in this long.
pub const KEY_WINDOW: Duration = Duration::from_secs(5 * 60);
/// The rate limit counts sends in a sliding window of this length.
pub const RATE_WINDOW: Duration = Duration::from_secs(60);
/// The key of a notification standing for several.
pub const COALESCED_KEY: &str = "coalesced";

#[derive(Debug)]
pub struct Gate {
    per_minute: usize,
    key_window: Duration,
    /// When each notification of the last `RATE_WINDOW` went out.
    sent: VecDeque<Instant>,
    /// When each key was last let in (only within `key_window`).
    seen: HashMap<String, Instant>,
    /// Over the limit, waiting to go out as one.
    held: Vec<Notification>,
}

impl Gate {
    pub fn new(per_minute: u32) -> Gate {
        Gate::with_key_window(per_minute, KEY_WINDOW)
    }

    pub fn with_key_window(per_minute: u32, key_window: Duration) -> Gate {
        Gate {
            per_minute: per_minute.max(1) as usize,
            key_window,
            sent: VecDeque::new(),
            seen: HashMap::new(),
            held: Vec::new(),
        }
    }

    /// A notification wants out at `now`: what to send now, if anything. A key seen within the
    /// window is dropped; over the limit, it is held for [`Gate::due`].
    pub fn offer(&mut self, n: Notification, now: Instant) -> Option<Notification> {
        self.forget_old(now);
        if self.seen.contains_key(&n.key) {
            return None;
        }
        self.seen.insert(n.key.clone(), now);
        self.held.push(n);
        self.due(now)
    }

    /// What is held and may go out at `now` (call it every tick): one held notification as
    /// itself, several as one.
    pub fn due(&mut self, now: Instant) -> Option<Notification> {
        self.forget_old(now);
        if self.held.is_empty() || self.sent.len() >= self.per_minute {
            return None;
        }
        self.sent.push_back(now);
        Some(coalesce(std::mem::take(&mut self.held)))
    }

    /// How many notifications are waiting for the limit.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    fn forget_old(&mut self, now: Instant) {
        while self
            .sent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= RATE_WINDOW)
        {
            self.sent.pop_front();
        }
        let window = self.key_window;
        self.seen
            .retain(|_, t| now.saturating_duration_since(*t) < window);
    }
}

/// Several notifications as one: "3 more: a, b, c", urgent if any of them was.
fn coalesce(mut held: Vec<Notification>) -> Notification {
    if held.len() == 1 {
        return held.remove(0);
    }
    let titles: Vec<&str> = held.iter().map(|n| n.title.as_str()).collect();
    let title = format!("{} more: {}", held.len(), titles.join(", "));
    Notification::new(
        COALESCED_KEY,
        &title,
        &titles.join("\n"),
        held.iter().any(|n| n.urgent),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::notification::MAX_TITLE_CHARS;

    fn n(key: &str) -> Notification {
        Notification::new(key, &format!("title {key}"), "body", false)
    }

    fn at(t0: Instant, secs: u64) -> Instant {
        t0 + Duration::from_secs(secs)
    }

    #[test]
    fn distinct_keys_under_the_limit_go_out_at_once() {
        let t0 = Instant::now();
        let mut gate = Gate::new(6);
        for i in 0..6 {
            let key = format!("k{i}");
            assert_eq!(gate.offer(n(&key), at(t0, i)), Some(n(&key)));
        }
        assert_eq!(gate.held(), 0);
    }

    #[test]
    fn the_same_key_is_sent_once_per_window() {
        let t0 = Instant::now();
        let mut gate = Gate::new(6);
        assert!(gate.offer(n("alert:a"), t0).is_some());
        assert_eq!(gate.offer(n("alert:a"), at(t0, 10)), None);
        assert_eq!(gate.offer(n("alert:a"), at(t0, 299)), None);
        // Repeats did not push the window on: once it has passed the key notifies again.
        assert!(gate.offer(n("alert:a"), at(t0, 300)).is_some());
        assert!(gate.offer(n("alert:b"), at(t0, 301)).is_some());
    }

    #[test]
    fn over_the_limit_the_rest_go_out_as_one_when_the_minute_allows() {
        let t0 = Instant::now();
        let mut gate = Gate::new(2);
        assert!(gate.offer(n("a"), t0).is_some());
        assert!(gate.offer(n("b"), at(t0, 1)).is_some());
        assert_eq!(gate.offer(n("c"), at(t0, 2)), None);
        assert_eq!(gate.offer(n("d"), at(t0, 3)), None);
        assert_eq!(gate.offer(n("e"), at(t0, 4)), None);
        assert_eq!(gate.held(), 3);
        // Repeats of a held key are not counted twice.
        assert_eq!(gate.offer(n("c"), at(t0, 5)), None);
        assert_eq!(gate.held(), 3);
        assert_eq!(
            gate.due(at(t0, 59)),
            None,
            "the first send is still in the minute"
        );
        let all = gate.due(at(t0, 60)).expect("a slot is free");
        assert_eq!(all.key, COALESCED_KEY);
        assert_eq!(all.title, "3 more: title c, title d, title e");
        assert_eq!(all.body, "title c\ntitle d\ntitle e");
        assert!(!all.urgent);
        assert_eq!(gate.held(), 0);
        assert_eq!(gate.due(at(t0, 61)), None, "nothing left");
    }

    #[test]
    fn a_single_held_notification_goes_out_as_itself() {
        let t0 = Instant::now();
        let mut gate = Gate::new(1);
        assert!(gate.offer(n("a"), t0).is_some());
        let urgent = Notification::new("b", "title b", "body b", true);
        assert_eq!(gate.offer(urgent.clone(), at(t0, 1)), None);
        assert_eq!(gate.due(at(t0, 60)), Some(urgent));
    }

    #[test]
    fn the_coalesced_one_is_urgent_if_any_was_and_counts_against_the_limit() {
        let t0 = Instant::now();
        let mut gate = Gate::new(1);
        assert!(gate.offer(n("a"), t0).is_some());
        assert_eq!(gate.offer(n("b"), at(t0, 1)), None);
        let urgent = Notification::new("c", "title c", "", true);
        assert_eq!(gate.offer(urgent, at(t0, 2)), None);
        assert!(gate.due(at(t0, 60)).unwrap().urgent);
        // Sent at 60 s: the next may go at 120 s.
        assert_eq!(gate.offer(n("d"), at(t0, 61)), None);
        assert_eq!(gate.due(at(t0, 119)), None);
        assert_eq!(gate.due(at(t0, 120)), Some(n("d")));
    }

    #[test]
    fn a_flood_stays_within_the_limit_and_loses_nothing() {
        let t0 = Instant::now();
        let mut gate = Gate::new(6);
        let mut out = Vec::new();
        for i in 0..1000u64 {
            out.extend(gate.offer(n(&format!("k{i}")), t0 + Duration::from_millis(i * 10)));
        }
        assert_eq!(out.len(), 6);
        let rest = gate.due(at(t0, 60)).unwrap();
        assert!(
            rest.title.starts_with("994 more: title k6, title k7"),
            "{}",
            rest.title
        );
        assert!(rest.title.chars().count() <= MAX_TITLE_CHARS);
    }

    #[test]
    fn a_limit_of_zero_still_lets_one_a_minute_through() {
        let t0 = Instant::now();
        let mut gate = Gate::new(0);
        assert!(gate.offer(n("a"), t0).is_some());
        assert_eq!(gate.offer(n("b"), at(t0, 1)), None);
    }
}
