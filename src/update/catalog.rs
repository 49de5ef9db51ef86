//! Catalog and on-call reports: store them, rebuild the catalog index, re-join services.

use crate::effect::Effect;
use crate::model::Model;
use crate::model::oncall::OnCallSnapshot;
use crate::msg::CatalogPayload;
use std::sync::Arc;

pub fn on_catalog(model: &mut Model, source: &str, payload: CatalogPayload) -> Vec<Effect> {
    let _ = (model, source, payload);
    Vec::new()
}

pub fn on_oncall(model: &mut Model, source: &str, snapshot: Arc<OnCallSnapshot>) -> Vec<Effect> {
    let _ = (model, source, snapshot);
    Vec::new()
}
