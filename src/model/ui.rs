//! Interface state that `update` owns alongside the data: which screen, what is selected, which
//! popup is open. Rendering reads it; only `update` changes it.

use crate::screens::SCREENS;
use chrono::{DateTime, Utc};

/// Which screen shows. Everything else about a screen (its number, name, command, cursor,
/// rendering) is its entry in [`crate::screens::SCREENS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Screen {
    Triage,
    Alerts,
    Apps,
    Deploys,
    Services,
    Timeline,
    /// One cluster's workloads, pods and warning events.
    Kube,
    /// Fleet drift: OutOfSync apps grouped by cause, their diffs, a group's staged sync.
    Drift,
}

impl Screen {
    /// Every screen in number-key order, read off the screen table.
    pub const ALL: [Screen; SCREENS.len()] = {
        let mut all = [Screen::Triage; SCREENS.len()];
        let mut i = 0;
        while i < all.len() {
            all[i] = SCREENS[i].screen;
            i += 1;
        }
        all
    };

    pub fn title(self) -> &'static str {
        crate::screens::def(self).title
    }

    /// Its number key: its place in the screen table.
    pub fn number(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }
}

/// Which pane of the triage screen has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TriagePane {
    #[default]
    Services,
    Detail,
    Changes,
}

/// A selectable list position. Scroll offsets are the renderer's business.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
}

impl Cursor {
    pub fn clamp(&mut self, len: usize) {
        if len == 0 {
            self.selected = 0;
        } else if self.selected >= len {
            self.selected = len - 1;
        }
    }
    pub fn down(&mut self, len: usize, by: usize) {
        if len > 0 {
            self.selected = (self.selected + by).min(len - 1);
        }
    }
    pub fn up(&mut self, by: usize) {
        self.selected = self.selected.saturating_sub(by);
    }
}

/// The one-line input at the bottom: a filter (`/`) or a command (`:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Filter,
    Command,
    /// A note for the timeline.
    Note,
    /// The right time of a timeline event (by id), and why.
    CorrectTime(String),
    /// Why a runbook step (by key) is skipped.
    SkipStep(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
    /// The text is shown selected (a filter reopened with its current text): the first
    /// character typed replaces it, Backspace clears it, → keeps it for editing.
    pub select_all: bool,
    /// A filter's text when the prompt opened: Esc puts it back (filters apply as you type).
    pub original: String,
    /// Completions for a command prompt, computed as the user types.
    pub completions: Vec<String>,
    /// The completion Tab last put in the line (Tab / shift-Tab cycle through them).
    pub completion: Option<usize>,
    pub error: Option<String>,
}

impl Prompt {
    pub fn new(kind: PromptKind, text: String) -> Prompt {
        Prompt {
            kind,
            select_all: !text.is_empty(),
            original: text.clone(),
            text,
            completions: Vec::new(),
            completion: None,
            error: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashLevel {
    Info,
    Success,
    Error,
}

/// A short message in the status line that goes away by itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub level: FlashLevel,
    pub until: DateTime<Utc>,
}
