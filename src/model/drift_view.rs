//! The Drift screen's state: what is selected and opened, which diffs were opened (a group's
//! sync is offered only after that), the deploy diff view, and a staged sync's plan.

/// The Drift screen.
#[derive(Clone, Debug, Default)]
pub struct DriftScreen {
    pub cursor: super::ui::Cursor,
}

impl DriftScreen {
    /// The list the movement keys move now: its cursor and length.
    pub fn list(&mut self) -> (&mut super::ui::Cursor, usize) {
        (&mut self.cursor, 0)
    }
}

/// Rebuild the Drift screen's rows from `model.drift.groups` and its filter, keeping the
/// selection on its thing.
pub fn rebuild(_model: &mut super::Model) {}
