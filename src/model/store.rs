//! The merged alert store: the latest snapshot of every source, deduplicated by fingerprint.
//! A failing source keeps its last snapshot (shown as stale), so one dead source never blanks
//! the view nor makes its alerts look resolved.

use super::alert::{Alert, AlertState, Severity};
use super::fasthash::{FastMap, map_with_capacity};
use super::source::SourceKind;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Default, Clone)]
pub struct AlertStore {
    /// Latest snapshot per source, keyed by (merge priority, source name).
    /// Shared with `merged` (`Arc`): re-merging 10,000 alerts copies pointers, not label maps.
    per_source: BTreeMap<(u8, String), Vec<Arc<Alert>>>,
    /// One alert per fingerprint, most urgent first (severity, state, oldest).
    pub merged: Vec<Arc<Alert>>,
    /// fingerprint (as a number, see [`fingerprint_key`]) -> index into `merged`.
    by_fingerprint: FastMap<u64, usize>,
    /// Snapshots replaced by newer ones, waiting to be freed off the UI loop (freeing 10,000
    /// label maps costs milliseconds). Whoever runs the loop takes them with `take_retired`;
    /// if nobody does, the next replacement frees them here.
    retired: Vec<Vec<Arc<Alert>>>,
    /// `merged[i].severity()`, computed once per merge (the label lookup is not free at 10k).
    pub severities: Vec<Severity>,
}

/// What changed between two merges, for the timeline.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AlertChanges {
    /// Fingerprints that appeared.
    pub appeared: Vec<String>,
    /// Alerts that are gone (resolved), with their last known content.
    pub resolved: Vec<Alert>,
    /// (fingerprint, old state) for alerts whose state changed.
    pub state_changed: Vec<(String, AlertState)>,
    /// (fingerprint, old start) for alerts whose start moved: a better source's copy took over (Alertmanager's `startsAt` over Prometheus' estimate).
    pub retimed: Vec<(String, chrono::DateTime<chrono::Utc>)>,
}

/// Alertmanager knows silences and inhibitions, so its copy of an alert wins over Prometheus'.
fn priority(kind: SourceKind) -> u8 {
    match kind {
        SourceKind::Alertmanager => 0,
        _ => 1,
    }
}

impl AlertStore {
    pub fn len(&self) -> usize {
        self.merged.len()
    }

    pub fn is_empty(&self) -> bool {
        self.merged.is_empty()
    }

    /// The alert at a merged index (what service rows and alert rows point at).
    pub fn at(&self, index: usize) -> Option<&Alert> {
        self.merged.get(index).map(|a| &**a)
    }

    pub fn get(&self, fingerprint: &str) -> Option<&Alert> {
        self.by_fingerprint
            .get(&fingerprint_key(fingerprint))
            .map(|i| &*self.merged[*i])
            .filter(|a| a.fingerprint == fingerprint)
    }

    /// Old snapshots to free somewhere that is not the UI loop.
    pub fn take_retired(&mut self) -> Vec<Vec<Arc<Alert>>> {
        std::mem::take(&mut self.retired)
    }

    /// Replace one source's snapshot and re-merge. Returns what changed.
    pub fn replace_source(
        &mut self,
        source: &str,
        kind: SourceKind,
        alerts: Vec<Alert>,
    ) -> AlertChanges {
        self.retired.clear();
        if let Some(old) = self.per_source.insert(
            (priority(kind), source.to_string()),
            alerts.into_iter().map(Arc::new).collect(),
        ) {
            self.retired.push(old);
        }
        self.remerge()
    }

    /// Forget a source entirely (its alerts count as resolved only if no one else reports them).
    pub fn remove_source(&mut self, source: &str) -> AlertChanges {
        self.per_source.retain(|(_, name), _| name != source);
        self.remerge()
    }

    fn remerge(&mut self) -> AlertChanges {
        let total: usize = self.per_source.values().map(Vec::len).sum();
        let mut merged: Vec<Arc<Alert>> = Vec::with_capacity(total);
        {
            // Borrowed keys while merging: no string copies for the common single-source case.
            let mut seen: FastMap<&str, usize> = map_with_capacity(total);
            let mut extra_sources: Vec<(usize, &str)> = Vec::new();
            for alerts in self.per_source.values() {
                for alert in alerts {
                    match seen.get(alert.fingerprint.as_str()) {
                        Some(&i) => extra_sources.push((i, alert.source.as_str())),
                        None => {
                            seen.insert(alert.fingerprint.as_str(), merged.len());
                            merged.push(Arc::clone(alert));
                        }
                    }
                }
            }
            // Only alerts seen by several sources get their own copy.
            for (i, source) in extra_sources {
                let kept = Arc::make_mut(&mut merged[i]);
                if kept.source != source && !kept.also_from.iter().any(|s| s == source) {
                    kept.also_from.push(source.to_string());
                }
            }
        }
        // Sort keys computed once per alert; fingerprints only break ties.
        let keys: Vec<(Severity, u8, chrono::DateTime<chrono::Utc>)> = merged
            .iter()
            .map(|a| (a.severity(), state_rank(a.state), a.starts_at))
            .collect();
        let mut order: Vec<usize> = (0..merged.len()).collect();
        order.sort_unstable_by(|&x, &y| {
            keys[x]
                .cmp(&keys[y])
                .then_with(|| merged[x].fingerprint.cmp(&merged[y].fingerprint))
        });
        self.severities = order.iter().map(|&i| keys[i].0).collect();
        let merged: Vec<Arc<Alert>> = order.into_iter().map(|i| Arc::clone(&merged[i])).collect();
        let fkeys: Vec<u64> = merged
            .iter()
            .map(|a| fingerprint_key(&a.fingerprint))
            .collect();
        let mut index: FastMap<u64, usize> = map_with_capacity(merged.len());
        for (i, k) in fkeys.iter().enumerate() {
            index.insert(*k, i);
        }

        let mut changes = AlertChanges::default();
        for (a, k) in merged.iter().zip(&fkeys) {
            let old = self
                .by_fingerprint
                .get(k)
                .map(|&i| &self.merged[i])
                .filter(|o| o.fingerprint == a.fingerprint);
            match old {
                None => changes.appeared.push(a.fingerprint.clone()),
                Some(old) => {
                    if old.state != a.state {
                        changes
                            .state_changed
                            .push((a.fingerprint.clone(), old.state));
                    }
                    if old.starts_at != a.starts_at {
                        changes.retimed.push((a.fingerprint.clone(), old.starts_at));
                    }
                }
            }
        }
        for old in &self.merged {
            let gone = match index.get(&fingerprint_key(&old.fingerprint)) {
                Some(&i) => merged[i].fingerprint != old.fingerprint,
                None => true,
            };
            if gone {
                changes.resolved.push(Alert::clone(old));
            }
        }
        self.merged = merged;
        self.by_fingerprint = index;
        changes
    }
}

/// Alertmanager fingerprints are 16 hex digits of a u64: index by the number (no string copies,
/// cheap hashing). Anything else is hashed; lookups compare the full string, so a collision can
/// only cost a miss, never a wrong alert.
fn fingerprint_key(fingerprint: &str) -> u64 {
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
