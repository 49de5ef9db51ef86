//! What sitrep actually knows right now. A view that shows the *absence* of something (no
//! alerts, nothing degraded, no deploys) may only call that healthy when every source it
//! depends on answered recently; otherwise it must say which sources are stale (with the age
//! of their last answer) or unknown (never answered). Every screen, the status line and
//! `snapshot` ask this one place.

use super::source::{SourceKind, SourceState, SourceStatus};
use chrono::{DateTime, Utc};

/// How far a source's data can be trusted now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knowledge {
    /// Answered within its freshness budget (or its watch stream is connected).
    Fresh,
    /// Answered once, but its last answer is older than its budget: what is shown is the last
    /// known state, as of `since`.
    Stale { since: DateTime<Utc> },
    /// Never answered: nothing is known from it.
    Unknown,
}

/// The data a view shows, by the source kinds it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// Alertmanager and Prometheus.
    Alerts,
    /// Argo CD apps and their deploys.
    Apps,
    /// The service catalogs.
    Catalog,
    /// Every source that can say something is wrong (the triage view, `snapshot`): not the
    /// catalog or the paging service, which say who owns and who answers, not what broke.
    All,
}

impl Domain {
    pub fn includes(self, kind: SourceKind) -> bool {
        match self {
            Domain::Alerts => matches!(kind, SourceKind::Alertmanager | SourceKind::Prometheus),
            Domain::Apps => kind == SourceKind::Argocd,
            Domain::Catalog => kind == SourceKind::Catalog,
            Domain::All => !matches!(kind, SourceKind::Catalog | SourceKind::OnCall),
        }
    }
}

impl SourceStatus {
    /// Data older than this is no longer shown as current: three poll intervals (a watched
    /// source re-lists at its poll interval when its stream is down).
    fn freshness_budget_secs(&self) -> i64 {
        3 * self.poll_interval_secs.max(1) as i64
    }

    fn knowledge(&self, now: DateTime<Utc>) -> Knowledge {
        let Some(last_ok) = self.last_ok else {
            return Knowledge::Unknown;
        };
        // A connected watch stream is fresh by definition: changes arrive as they happen.
        if self.state == SourceState::Ok && self.live == Some(true) {
            return Knowledge::Fresh;
        }
        if (now - last_ok).num_seconds() > self.freshness_budget_secs() {
            Knowledge::Stale { since: last_ok }
        } else {
            Knowledge::Fresh
        }
    }

    pub fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        self.knowledge(now) == Knowledge::Fresh
    }
}

/// The sources one view depends on, sorted by what is known from them.
#[derive(Clone, Debug, Default)]
pub struct Coverage<'a> {
    pub fresh: Vec<&'a SourceStatus>,
    /// Sources whose data is shown as last known, with when it was fetched.
    pub stale: Vec<(&'a SourceStatus, DateTime<Utc>)>,
    pub unknown: Vec<&'a SourceStatus>,
}

impl<'a> Coverage<'a> {
    pub fn of(sources: &'a [SourceStatus], domain: Domain, now: DateTime<Utc>) -> Coverage<'a> {
        let mut c = Coverage::default();
        for s in sources.iter().filter(|s| domain.includes(s.kind)) {
            match s.knowledge(now) {
                Knowledge::Fresh => c.fresh.push(s),
                Knowledge::Stale { since } => c.stale.push((s, since)),
                Knowledge::Unknown => c.unknown.push(s),
            }
        }
        c
    }

    pub fn total(&self) -> usize {
        self.fresh.len() + self.stale.len() + self.unknown.len()
    }

    /// Every source of the view answered recently (and there is at least one).
    pub fn complete(&self) -> bool {
        !self.fresh.is_empty() && self.stale.is_empty() && self.unknown.is_empty()
    }

    /// No source of the view is configured at all.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// `all 3 sources answered` / `its 1 source answered`, for "all quiet" lines.
    pub fn all_answered(&self) -> String {
        match self.total() {
            1 => "its 1 source answered".to_string(),
            n => format!("all {n} sources answered"),
        }
    }
}
