//! Fleet drift as the model keeps it: each OutOfSync or Unknown app's cause and diff, the
//! commit metadata fetched once per (repository, revision), the requests in flight, and the
//! derived groups the triage fleet row, the Drift screen and `snapshot` read.

use crate::drift::{AppDrift, Cause, CauseKind, FieldWriter, RevisionMeta, RevisionMove};
use crate::model::app::AppKey;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// At most this many `managed-resources` requests in flight (all Argo CD instances).
pub const DRIFT_FETCHES_IN_FLIGHT: usize = 8;

/// One drifted app as the model knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct AppDriftEntry {
    pub cause: Cause,
    /// Its last managed-resources answer (None: not fetched yet).
    pub drift: Option<Arc<AppDrift>>,
    /// Its target is production (`Settings::is_production`).
    pub production: bool,
    /// The id of the group it is in ([`crate::drift::group::group_key`]): a change moves
    /// only this app between groups.
    pub group: String,
}

/// A commit's metadata, once per (repository, revision).
#[derive(Clone, Debug, PartialEq)]
pub enum MetaState {
    Fetching,
    Known(Arc<RevisionMeta>),
    Failed(String),
}

/// One changed field of a group's live drift: `Deployment spec.replicas by kubectl-scale`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct GroupChange {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub path: String,
    pub writer: Option<FieldWriter>,
}

/// Apps sharing one cause.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DriftGroup {
    /// Stable identity of the cause (what the Drift screen's cursor and "diff opened" remember).
    pub id: String,
    pub cause: CauseKind,
    /// One line that reads like a finding: `git 4f2a1c9 "bump shared redis chart…" by Alice
    /// 14m ago — 11 apps` (ages relative to the model's clock when built).
    pub summary: String,
    /// Its apps, production first, then by key.
    pub apps: Vec<AppKey>,
    /// How many of them are production.
    pub production: usize,
    /// `git` / `chart`: the source that moved, with its commit metadata when known.
    pub revision: Option<RevisionMove>,
    pub meta: Option<Arc<RevisionMeta>>,
    /// `live`, `prune`, `missing`: the changes the apps share (one entry per app resource).
    pub changes: Vec<GroupChange>,
    /// `unknown`: the reason (a comparison error's text).
    pub error: Option<String>,
    /// When it started: the commit's date, or the newest field write, when known.
    pub since: Option<DateTime<Utc>>,
}

/// Everything drift.
#[derive(Clone, Debug, Default)]
pub struct DriftStore {
    /// Every OutOfSync or Unknown app.
    pub apps: BTreeMap<AppKey, AppDriftEntry>,
    /// Derived from `apps`: ranked production first, then size.
    pub groups: Vec<DriftGroup>,
    /// Commit metadata by (repository URL, revision).
    pub revisions: HashMap<(String, String), MetaState>,
    /// `managed-resources` requests in flight, with the resourceVersion each was asked for.
    pub fetching: BTreeMap<AppKey, String>,
    /// Apps waiting for a fetch (changed while the in-flight budget was used up).
    pub queued: BTreeSet<AppKey>,
    /// Groups already on the timeline (or present at the first load): each new cause is told
    /// once, not on every change.
    pub announced: HashSet<String>,
    /// Apps already OutOfSync when their instance first answered: what they share is not news.
    pub preexisting: BTreeSet<AppKey>,
    /// The minute (Unix minutes) the summaries' ages were written for: refreshed on the tick
    /// that changes it, never per frame.
    pub summaries_minute: i64,
}

impl DriftStore {
    /// How many apps are OutOfSync or Unknown.
    pub fn unsynced(&self) -> usize {
        self.apps.len()
    }

    /// The group an app is in.
    pub fn group_of(&self, key: &AppKey) -> Option<&DriftGroup> {
        let id = &self.apps.get(key)?.group;
        self.groups.iter().find(|g| &g.id == id)
    }
}
