//! The emulated Backstage catalog API (`/api/catalog/...`): the demo world's services, teams,
//! people and systems as Backstage serves them. Wants `Authorization: Bearer`
//! [`DEMO_CATALOG_TOKEN`].

use super::Shared;
use std::sync::Arc;

/// The token the emulated catalog accepts.
pub const DEMO_CATALOG_TOKEN: &str = "demo-backstage-token";

pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    let _ = shared;
    axum::Router::new()
}
