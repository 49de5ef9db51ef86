//! The Drift screen's state: what is selected and opened, which diffs were opened (a group's
//! sync is offered only after that), the deploy diff view, and a staged sync's plan.

/// The Drift screen.
#[derive(Clone, Debug, Default)]
pub struct DriftScreen {}
