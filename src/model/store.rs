//! The merged alert store: the latest snapshot of every source, deduplicated by fingerprint.
//! A failing source keeps its last snapshot (shown as stale), so one dead source never blanks
//! the view nor makes its alerts look resolved.

use super::alert::{Alert, AlertState};
use super::source::SourceKind;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Default, Clone)]
pub struct AlertStore {
    /// Latest snapshot per source, keyed by (merge priority, source name).
    per_source: BTreeMap<(u8, String), Vec<Alert>>,
    /// One alert per fingerprint, most urgent first (severity, state, oldest).
    pub merged: Vec<Alert>,
    /// fingerprint -> index into `merged`.
    pub by_fingerprint: HashMap<String, usize>,
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

    pub fn get(&self, fingerprint: &str) -> Option<&Alert> {
        self.by_fingerprint
            .get(fingerprint)
            .map(|i| &self.merged[*i])
    }

    /// Replace one source's snapshot and re-merge. Returns what changed.
    pub fn replace_source(
        &mut self,
        source: &str,
        kind: SourceKind,
        alerts: Vec<Alert>,
    ) -> AlertChanges {
        self.per_source
            .insert((priority(kind), source.to_string()), alerts);
        self.remerge()
    }

    /// Forget a source entirely (its alerts count as resolved only if no one else reports them).
    pub fn remove_source(&mut self, source: &str) -> AlertChanges {
        self.per_source.retain(|(_, name), _| name != source);
        self.remerge()
    }

    fn remerge(&mut self) -> AlertChanges {
        let total: usize = self.per_source.values().map(Vec::len).sum();
        let mut merged: Vec<Alert> = Vec::with_capacity(total);
        let mut index: HashMap<String, usize> = HashMap::with_capacity(total);
        for alerts in self.per_source.values() {
            for alert in alerts {
                match index.get(&alert.fingerprint) {
                    Some(&i) => {
                        let kept = &mut merged[i];
                        if kept.source != alert.source && !kept.also_from.contains(&alert.source) {
                            kept.also_from.push(alert.source.clone());
                        }
                    }
                    None => {
                        index.insert(alert.fingerprint.clone(), merged.len());
                        merged.push(alert.clone());
                    }
                }
            }
        }
        merged.sort_by(|a, b| {
            (
                a.severity(),
                state_rank(a.state),
                a.starts_at,
                &a.fingerprint,
            )
                .cmp(&(
                    b.severity(),
                    state_rank(b.state),
                    b.starts_at,
                    &b.fingerprint,
                ))
        });
        index.clear();
        for (i, a) in merged.iter().enumerate() {
            index.insert(a.fingerprint.clone(), i);
        }

        let mut changes = AlertChanges::default();
        for a in &merged {
            match self.get(&a.fingerprint) {
                None => changes.appeared.push(a.fingerprint.clone()),
                Some(old) if old.state != a.state => changes
                    .state_changed
                    .push((a.fingerprint.clone(), old.state)),
                Some(_) => {}
            }
        }
        for old in &self.merged {
            if !index.contains_key(&old.fingerprint) {
                changes.resolved.push(old.clone());
            }
        }
        self.merged = merged;
        self.by_fingerprint = index;
        changes
    }
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
