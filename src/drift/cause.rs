//! Why one app is OutOfSync or Unknown, from the app itself and (for live drift, prune,
//! missing) what its managed-resources fetch found.

use super::{AppDrift, Cause, CauseKind};
use crate::model::app::App;

/// The cause of an OutOfSync or Unknown app (a Synced app has none).
pub fn classify(_app: &App, _drift: Option<&AppDrift>) -> Cause {
    Cause {
        kind: CauseKind::Unknown,
        revision: None,
        reason: Some("not classified yet".to_string()),
    }
}
