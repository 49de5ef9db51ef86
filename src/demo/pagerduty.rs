//! The emulated PagerDuty REST API (`/services`, `/oncalls`): each demo team's escalation
//! policy and its `<team>-primary` rotation. Wants `Authorization: Token token=`
//! [`DEMO_PAGERDUTY_TOKEN`].

use super::Shared;
use std::sync::Arc;

/// The API key the emulated PagerDuty accepts.
pub const DEMO_PAGERDUTY_TOKEN: &str = "demo-pagerduty-token";

pub(crate) fn router(shared: Arc<Shared>) -> axum::Router {
    let _ = shared;
    axum::Router::new()
}
