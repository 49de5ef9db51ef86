//! The runbook pane's state: which runbook, for which alert and service, where the cursor is,
//! and each step's state (kept in the timeline too, so it survives a restart in an incident).

use crate::runbook::{Command, ItemBody, Runbook};
use std::collections::HashMap;
use std::sync::Arc;

/// Where a step or item stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemState {
    Pending,
    /// A manual task ticked, or a diagnose/action command that exited 0.
    Done,
    Skipped(String),
    /// Running as this request.
    Running(u64),
    /// A check whose expectation held.
    Passed,
    /// A check whose expectation failed, or a command that failed (the reason).
    Failed(String),
}

impl ItemState {
    pub fn finished(&self) -> bool {
        matches!(
            self,
            ItemState::Done | ItemState::Passed | ItemState::Skipped(_)
        )
    }
}

/// The last result of a command, as the pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    pub exit: String,
    pub output: String,
    pub duration_ms: u128,
}

/// A variable as the next command would receive it.
#[derive(Debug, Clone, PartialEq)]
pub struct VarValue {
    pub name: String,
    /// The value, or why there is none that may be used.
    pub value: Result<String, String>,
    /// Where it came from: `label namespace of HighErrorRate`, `default`.
    pub origin: String,
}

/// A command started from the pane, kept until its result arrives whatever happens to the
/// pane meanwhile (closed, another runbook opened): the result is recorded from this.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub runbook: String,
    pub title: String,
    pub key: String,
    pub command: Command,
    /// The variables it got (not the sources' URLs).
    pub vars: Vec<(String, String)>,
    /// The alert whose labels gave them (fingerprint).
    pub alert: Option<String>,
    pub service: Option<String>,
}

/// A command waiting for the user's `y` (or typed name) before it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRun {
    pub key: String,
    pub confirm: super::popup::Confirmation,
}

#[derive(Debug, Clone)]
pub struct RunbookPane {
    pub book: Arc<Runbook>,
    /// Why this runbook (`runbook_url names high-error-rate.md`).
    pub why: String,
    /// Other runbooks that matched, by title.
    pub others: Vec<String>,
    /// The alert whose labels give the variables (fingerprint), and its name.
    pub alert: Option<(String, String)>,
    /// The alert's labels when the pane opened: the variables keep their values after it
    /// resolves (the Verify steps run exactly then).
    pub labels: crate::model::alert::Labels,
    pub service: Option<String>,
    /// Index into [`RunbookPane::actionable`].
    pub cursor: usize,
    pub states: HashMap<String, ItemState>,
    pub outputs: HashMap<String, RunOutput>,
    pub pending: Option<PendingRun>,
}

impl RunbookPane {
    /// The items the cursor visits, in order: commands and manual tasks (prose is read, not
    /// worked).
    pub fn actionable(&self) -> Vec<(&str, &ItemBody)> {
        self.book
            .steps()
            .flat_map(|s| s.items.iter())
            .filter(|i| matches!(i.body, ItemBody::Command(_) | ItemBody::Task { .. }))
            .map(|i| (i.key.as_str(), &i.body))
            .collect()
    }

    pub fn selected(&self) -> Option<(String, ItemBody)> {
        self.actionable()
            .get(self.cursor)
            .map(|(k, b)| (k.to_string(), (*b).clone()))
    }

    pub fn state(&self, key: &str) -> ItemState {
        self.states.get(key).cloned().unwrap_or(ItemState::Pending)
    }

    /// The first item not finished (where the cursor starts).
    pub fn first_open(&self) -> usize {
        let items = self.actionable();
        items
            .iter()
            .position(|(k, _)| !self.state(k).finished())
            .unwrap_or(0)
    }

    pub fn command(&self, key: &str) -> Option<&Command> {
        self.book
            .steps()
            .flat_map(|s| s.items.iter())
            .find(|i| i.key == key)
            .and_then(|i| match &i.body {
                ItemBody::Command(c) => Some(c),
                _ => None,
            })
    }
}
