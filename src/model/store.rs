//! The merged alert store: the latest answer of every source, deduplicated by fingerprint,
//! updated by what changed. A failing source keeps its last answer (shown as stale), so one
//! dead source never blanks the view nor makes its alerts look resolved.
//!
//! A poll that changed nothing costs one lookup and comparison per alert and touches nothing
//! else; a poll where a few alerts changed re-merges only those fingerprints. Whoever derives
//! views from the store asks [`AlertChanges`] which fingerprints to look at again.

use super::alert::{Alert, AlertState, Severity};
use super::fasthash::{FastMap, map_with_capacity};
use super::source::SourceKind;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Default, Clone)]
pub struct AlertStore {
    /// Latest answer per source, keyed by (merge priority, source name), each by fingerprint.
    per_source: BTreeMap<(u8, String), FastMap<u64, Arc<Alert>>>,
    /// One alert per fingerprint: the copy of the source with the best priority, its
    /// `also_from` naming the others. Shared (`Arc`) with the derived views.
    merged: FastMap<u64, Arc<Alert>>,
    /// Every alert most urgent first, kept until the store changes (a filter keystroke on the
    /// Alerts screen re-reads it instead of sorting 10,000 alerts again).
    ranked: Option<Vec<Arc<Alert>>>,
    /// What a replacement made garbage, waiting to be freed off the UI loop (freeing 10,000
    /// label maps costs milliseconds). Whoever runs the loop takes it with `take_retired`; if
    /// nobody does, the next replacement frees it here.
    retired: Retired,
}

/// Garbage of replaced answers: old per-source maps, and new copies identical to the ones
/// kept.
#[derive(Debug, Default, Clone)]
pub struct Retired {
    maps: Vec<FastMap<u64, Arc<Alert>>>,
    /// Whole answers as they arrived, minus the alerts taken out of them (left as cheap
    /// placeholders): moving the vector is one move, not one per alert.
    alerts: Vec<Vec<Alert>>,
}

impl Retired {
    pub fn is_empty(&self) -> bool {
        self.maps.is_empty() && self.alerts.is_empty()
    }
}

/// What changed in one update of the store, for the timeline and the derived views.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AlertChanges {
    /// Fingerprints that appeared.
    pub appeared: Vec<String>,
    /// Alerts that are gone (resolved), with their last known content.
    pub resolved: Vec<Alert>,
    /// (fingerprint, old state) for alerts whose state changed.
    pub state_changed: Vec<(String, AlertState)>,
    /// (fingerprint, old start) for alerts whose start moved: a better source's copy took over
    /// (Alertmanager's `startsAt` over Prometheus' estimate).
    pub retimed: Vec<(String, DateTime<Utc>)>,
    /// Every fingerprint whose merged alert appeared, went or changed in any way the views
    /// show (the three lists above, plus label, annotation and silence changes). Empty when
    /// nothing changed: then nothing needs re-deriving.
    pub touched: Vec<Arc<Alert>>,
    /// The old copies of touched alerts that existed before (for moving them between services).
    pub before: Vec<Arc<Alert>>,
}

impl AlertChanges {
    pub fn is_empty(&self) -> bool {
        self.touched.is_empty() && self.before.is_empty()
    }
}

/// Alertmanager knows silences and inhibitions, so its copy of an alert wins over Prometheus'.
fn priority(kind: SourceKind) -> u8 {
    match kind {
        SourceKind::Alertmanager => 0,
        _ => 1,
    }
}

/// Two copies mean the same to every view: all but `ends_at`, which Alertmanager moves on every
/// re-send from Prometheus (a timeout, not news). Labels are what the fingerprint is a hash of:
/// with equal fingerprints only their number is compared.
fn same_meaning(a: &Alert, b: &Alert) -> bool {
    if a.digest != 0 && b.digest != 0 {
        return a.digest == b.digest && a.fingerprint == b.fingerprint;
    }
    a.state == b.state
        && a.starts_at == b.starts_at
        && a.fingerprint == b.fingerprint
        && a.labels.len() == b.labels.len()
        && a.annotations == b.annotations
        && a.silenced_by == b.silenced_by
        && a.inhibited_by == b.inhibited_by
        && a.muted_by == b.muted_by
        && a.generator_url == b.generator_url
        && a.receivers == b.receivers
        && a.source == b.source
}

impl AlertStore {
    pub fn len(&self) -> usize {
        self.merged.len()
    }

    pub fn is_empty(&self) -> bool {
        self.merged.is_empty()
    }

    pub fn get(&self, fingerprint: &str) -> Option<&Alert> {
        self.get_arc(fingerprint).map(|a| &**a)
    }

    fn get_arc(&self, fingerprint: &str) -> Option<&Arc<Alert>> {
        self.merged
            .get(&fingerprint_key(fingerprint))
            .filter(|a| a.fingerprint == fingerprint)
    }

    /// Every alert, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Alert>> {
        self.merged.values()
    }

    /// Every alert, most urgent first, from the cache (computed once per change of the store).
    pub fn ranked_cached(&mut self) -> &[Arc<Alert>] {
        if self.ranked.is_none() {
            self.ranked = Some(self.ranked().into_iter().cloned().collect());
        }
        self.ranked.as_deref().unwrap_or_default()
    }

    /// Every alert, most urgent first (severity, state, oldest, fingerprint).
    pub fn ranked(&self) -> Vec<&Arc<Alert>> {
        let mut all: Vec<(AlertRank, &Arc<Alert>)> = self
            .merged
            .values()
            .map(|a| (AlertRank::of(a), a))
            .collect();
        all.sort_unstable_by(|(x, a), (y, b)| {
            x.cmp(y).then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });
        all.into_iter().map(|(_, a)| a).collect()
    }

    /// Old answers to free somewhere that is not the UI loop.
    pub fn take_retired(&mut self) -> Retired {
        std::mem::take(&mut self.retired)
    }

    /// Replace one source's answer; re-merge only the fingerprints whose copy changed.
    pub fn replace_source(
        &mut self,
        source: &str,
        kind: SourceKind,
        mut alerts: Vec<Alert>,
    ) -> AlertChanges {
        self.retired = Retired::default();
        let slot = (priority(kind), source.to_string());
        let old = self.per_source.remove(&slot).unwrap_or_default();
        let mut new: FastMap<u64, Arc<Alert>> = map_with_capacity(alerts.len());
        let mut dirty: Vec<u64> = Vec::new();
        let mut seen_before = 0usize;
        for alert in alerts.iter_mut() {
            let key = fingerprint_key(&alert.fingerprint);
            let before = old.get(&key);
            seen_before += usize::from(before.is_some());
            match before {
                // Unchanged: keep the copy the views already share; the new one is garbage.
                Some(o) if same_meaning(o, alert) => {
                    new.insert(key, Arc::clone(o));
                }
                _ => {
                    dirty.push(key);
                    let owned = std::mem::replace(alert, Alert::placeholder());
                    new.insert(key, Arc::new(owned));
                }
            }
        }
        self.retired.alerts.push(alerts);
        // Only look for alerts that went when some of the old ones were not seen again.
        if seen_before < old.len() {
            for key in old.keys() {
                if !new.contains_key(key) {
                    dirty.push(*key);
                }
            }
        }
        self.per_source.insert(slot, new);
        self.retired.maps.push(old);
        self.remerge(dirty)
    }

    /// Merge the copies of each dirty fingerprint again and say what that changed.
    fn remerge(&mut self, mut dirty: Vec<u64>) -> AlertChanges {
        dirty.sort_unstable();
        dirty.dedup();
        let mut changes = AlertChanges::default();
        if !dirty.is_empty() {
            self.ranked = None;
        }
        for key in dirty {
            let merged = self.merge_one(key);
            let old = self.merged.get(&key).cloned();
            match (old, merged) {
                (None, None) => {}
                (None, Some(new)) => {
                    changes.appeared.push(new.fingerprint.clone());
                    self.merged.insert(key, Arc::clone(&new));
                    changes.touched.push(new);
                }
                (Some(old), None) => {
                    self.merged.remove(&key);
                    changes.resolved.push(Alert::clone(&old));
                    changes.before.push(old);
                }
                (Some(old), Some(new)) => {
                    if old.state != new.state {
                        changes
                            .state_changed
                            .push((new.fingerprint.clone(), old.state));
                    }
                    if old.starts_at != new.starts_at {
                        changes
                            .retimed
                            .push((new.fingerprint.clone(), old.starts_at));
                    }
                    let same = same_meaning(&old, &new) && old.also_from == new.also_from;
                    self.merged.insert(key, Arc::clone(&new));
                    if !same {
                        changes.touched.push(new);
                        changes.before.push(old);
                    }
                }
            }
        }
        changes
    }

    /// The merged alert for one fingerprint: the best source's copy, others in `also_from`.
    fn merge_one(&self, key: u64) -> Option<Arc<Alert>> {
        let mut copies = self.per_source.values().filter_map(|m| m.get(&key));
        let first = copies.next()?;
        let others: Vec<&str> = copies
            .filter(|a| a.source != first.source && a.fingerprint == first.fingerprint)
            .map(|a| a.source.as_str())
            .collect();
        if others.is_empty() && first.also_from.is_empty() {
            return Some(Arc::clone(first));
        }
        let mut merged = Alert::clone(first);
        merged.also_from.clear();
        for s in others {
            if !merged.also_from.iter().any(|x| x == s) {
                merged.also_from.push(s.to_string());
            }
        }
        // Keep the shared copy when nothing differs (HA peers polled again).
        match self.merged.get(&key) {
            Some(old) if **old == merged => Some(Arc::clone(old)),
            _ => Some(Arc::new(merged)),
        }
    }
}

/// How urgent an alert is, for ordering: severity, then state (firing first), then the oldest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AlertRank {
    pub severity: Severity,
    pub state: u8,
    pub starts_at: DateTime<Utc>,
}

impl AlertRank {
    pub fn of(a: &Alert) -> AlertRank {
        AlertRank {
            severity: a.severity(),
            state: state_rank(a.state),
            starts_at: a.starts_at,
        }
    }
}

/// Alertmanager fingerprints are 16 hex digits of a u64: index by the number (no string copies,
/// cheap hashing). Anything else is hashed; lookups compare the full string, so a collision can
/// only cost a miss, never a wrong alert.
pub fn fingerprint_key(fingerprint: &str) -> u64 {
    if fingerprint.len() == 16
        && let Ok(n) = u64::from_str_radix(fingerprint, 16)
    {
        return n;
    }
    let mut hash: u64 = 0xcbf29ce484222325;
    for b in fingerprint.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    hash
}

fn state_rank(state: AlertState) -> u8 {
    match state {
        AlertState::Firing => 0,
        AlertState::Unprocessed => 1,
        AlertState::Pending => 2,
        AlertState::Inhibited => 3,
        AlertState::Muted => 4,
        AlertState::Silenced => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alert::{Labels, fingerprint};

    fn alert(name: &str, source: &str, state: AlertState) -> Alert {
        let mut labels = Labels::new();
        labels.insert("alertname".into(), name.into());
        Alert {
            fingerprint: fingerprint(&labels),
            labels,
            annotations: Labels::new(),
            state,
            starts_at: DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap(),
            ends_at: None,
            generator_url: None,
            silenced_by: vec![],
            inhibited_by: vec![],
            muted_by: vec![],
            receivers: vec![],
            source: source.into(),
            also_from: vec![],
            digest: 0,
        }
    }

    #[test]
    fn an_unchanged_poll_changes_nothing_and_keeps_the_shared_copies() {
        let mut s = AlertStore::default();
        let a = alert("A", "am", AlertState::Firing);
        let c = s.replace_source("am", SourceKind::Alertmanager, vec![a.clone()]);
        assert_eq!(c.appeared.len(), 1);
        let before = Arc::clone(s.get_arc(&a.fingerprint).unwrap());
        let mut again = a.clone();
        again.ends_at = DateTime::<Utc>::from_timestamp(1_700_000_999, 0);
        let c = s.replace_source("am", SourceKind::Alertmanager, vec![again]);
        assert!(c.is_empty(), "{c:?}");
        assert!(Arc::ptr_eq(&before, s.get_arc(&a.fingerprint).unwrap()));
    }

    #[test]
    fn peers_merge_and_the_better_source_wins() {
        let mut s = AlertStore::default();
        let p = alert("A", "prom", AlertState::Pending);
        s.replace_source("prom", SourceKind::Prometheus, vec![p.clone()]);
        let a = alert("A", "am", AlertState::Firing);
        let c = s.replace_source("am", SourceKind::Alertmanager, vec![a.clone()]);
        assert_eq!(
            c.state_changed,
            vec![(a.fingerprint.clone(), AlertState::Pending)]
        );
        let m = s.get(&a.fingerprint).unwrap();
        assert_eq!(m.source, "am");
        assert_eq!(m.also_from, vec!["prom".to_string()]);
        // Prometheus goes: Alertmanager's copy stays, without the peer.
        let c = s.replace_source("prom", SourceKind::Prometheus, vec![]);
        assert!(c.resolved.is_empty());
        assert!(s.get(&a.fingerprint).unwrap().also_from.is_empty());
        let c = s.replace_source("am", SourceKind::Alertmanager, vec![]);
        assert_eq!(c.resolved.len(), 1);
        assert!(s.is_empty());
    }
}

#[cfg(test)]
mod digest_tests {
    use super::*;
    use crate::model::alert::{Labels, fingerprint};

    fn sealed(summary: &str) -> Alert {
        let mut labels = Labels::new();
        labels.insert("alertname".into(), "A".into());
        let mut annotations = Labels::new();
        annotations.insert("summary".into(), summary.into());
        Alert {
            fingerprint: fingerprint(&labels),
            labels,
            annotations,
            state: AlertState::Firing,
            starts_at: DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap(),
            ends_at: None,
            generator_url: None,
            silenced_by: vec![],
            inhibited_by: vec![],
            muted_by: vec![],
            receivers: vec![],
            source: "am".into(),
            also_from: vec![],
            digest: 0,
        }
        .sealed()
    }

    /// A sealed copy whose summary changed is a change; one that did not is none.
    #[test]
    fn digests_tell_changed_copies_from_unchanged_ones() {
        let mut s = AlertStore::default();
        s.replace_source("am", SourceKind::Alertmanager, vec![sealed("one")]);
        let c = s.replace_source("am", SourceKind::Alertmanager, vec![sealed("two")]);
        assert_eq!(c.touched.len(), 1);
        assert_eq!(s.iter().next().unwrap().summary(), "two");
        let c = s.replace_source("am", SourceKind::Alertmanager, vec![sealed("two")]);
        assert!(c.is_empty());
    }
}
