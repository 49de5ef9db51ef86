//! What the user meant: keys map to these through the keymap, so bindings are configurable and
//! the help overlay is generated from the same table.

use crate::model::source::SourceKind;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Enter,
    Back,
    NextPane,
    ScreenTriage,
    ScreenAlerts,
    ScreenApps,
    ScreenDeploys,
    ScreenServices,
    ScreenTimeline,
    Filter,
    Command,
    Help,
    Quit,
    Silence,
    Rollback,
    Sync,
    Terminate,
    Runbook,
    Incident,
    Note,
    Milestone,
    Export,
    Open,
    Copy,
    Refresh,
    Suspend,
}

impl Action {
    /// Every action, in the order the help overlay lists them.
    pub const ALL: [Action; 32] = [
        Action::Down,
        Action::Up,
        Action::PageDown,
        Action::PageUp,
        Action::Top,
        Action::Bottom,
        Action::Enter,
        Action::Back,
        Action::NextPane,
        Action::ScreenTriage,
        Action::ScreenAlerts,
        Action::ScreenApps,
        Action::ScreenDeploys,
        Action::ScreenServices,
        Action::ScreenTimeline,
        Action::Filter,
        Action::Command,
        Action::Help,
        Action::Quit,
        Action::Silence,
        Action::Rollback,
        Action::Sync,
        Action::Terminate,
        Action::Runbook,
        Action::Incident,
        Action::Note,
        Action::Milestone,
        Action::Export,
        Action::Open,
        Action::Copy,
        Action::Refresh,
        Action::Suspend,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Action::Down => "move down",
            Action::Up => "move up",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::Top => "go to top",
            Action::Bottom => "go to bottom",
            Action::Enter => "drill in / expand group",
            Action::Back => "back / close / clear filter",
            Action::NextPane => "next pane",
            Action::ScreenTriage => "Triage screen",
            Action::ScreenAlerts => "Alerts screen",
            Action::ScreenApps => "Apps screen",
            Action::ScreenDeploys => "Deploys screen",
            Action::ScreenServices => "Services screen",
            Action::ScreenTimeline => "Timeline screen",
            Action::Filter => "filter (fuzzy text, or matchers like severity=critical)",
            Action::Command => "command palette (:alerts, :theme light, :q …)",
            Action::Help => "this help",
            Action::Quit => "quit",
            Action::Silence => "silence the selected alert or group / expire its silence",
            Action::Rollback => "roll back the selected app (Argo CD)",
            Action::Sync => "sync the selected app (Argo CD)",
            Action::Terminate => "terminate the running operation (Argo CD)",
            Action::Runbook => "open the matched runbook",
            Action::Incident => "declare an incident",
            Action::Note => "add a note to the timeline",
            Action::Milestone => "mark a milestone",
            Action::Export => "export the timeline",
            Action::Open => "open the selection's link in a browser",
            Action::Copy => "copy the selection",
            Action::Refresh => "refresh all sources now",
            Action::Suspend => "suspend to the shell (fg to return)",
        }
    }

    /// The kind of source the action changes, if it changes the outside world (removed
    /// entirely in read-only mode; `model::permissions` decides when it may run).
    pub fn mutates(self) -> Option<SourceKind> {
        match self {
            Action::Silence => Some(SourceKind::Alertmanager),
            Action::Rollback | Action::Sync | Action::Terminate => Some(SourceKind::Argocd),
            _ => None,
        }
    }
}
