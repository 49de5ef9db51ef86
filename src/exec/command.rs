//! STUB (replaced by the command runner branch): the types the runbook pane asks for.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct CommandSpec {
    pub request_id: u64,
    pub key: String,
    pub text: String,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    pub cwd: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CommandResult {
    pub request_id: u64,
    pub key: String,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub cancelled: bool,
    pub output: String,
    pub dropped_bytes: u64,
    pub duration: Duration,
    pub spawn_error: Option<String>,
}
