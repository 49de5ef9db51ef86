//! The Drift screen's keys (groups → apps → resources, hunks, `/`, `y`, `o`), the deploy diff
//! view (`d`), and the staged sync of a group.

use crate::drift::ResourceDiff;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::app::AppKey;

/// What a deploy changed (or why it could not be read).
pub(super) fn on_deploy_diff(
    _model: &mut Model,
    _request_id: u64,
    _key: AppKey,
    _from: Vec<String>,
    _to: Vec<String>,
    _diff: Result<Vec<ResourceDiff>, String>,
) -> Vec<Effect> {
    Vec::new()
}

/// Enter: open the selected group, app or resource.
pub(super) fn enter(_model: &mut Model) {}

/// `y`: the selection as text (the sha, the diff, `git revert <sha>`).
pub(super) fn copy_text(_model: &mut Model) -> Option<String> {
    None
}
