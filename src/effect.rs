//! What to do: `update` returns these; the executor (`exec`) performs them and reports back
//! with `Msg::Done`. Tests assert on them without any network.

use crate::model::silence::NewSilence;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// `POST /api/v2/silences` on one Alertmanager. Never retried by itself.
    CreateSilence {
        request_id: u64,
        source: String,
        silence: NewSilence,
    },
    /// `DELETE /api/v2/silence/{id}` on one Alertmanager. Never retried by itself.
    ExpireSilence {
        request_id: u64,
        source: String,
        silence_id: String,
    },
    /// Ask a source to fetch now (after a mutation, or the user pressed refresh).
    Refresh {
        source: String,
    },
    /// Open a URL in the user's browser.
    OpenUrl(String),
    /// Put text on the clipboard (OSC 52, works over SSH).
    Copy(String),
    /// Stop the terminal, suspend the process (Ctrl-Z), restore on resume.
    Suspend,
    Quit,
}
