//! One running command: its child (the group leader), its place in the runner's registry and
//! the signals sent to its group. It leaves the registry before its leader is reaped, so the
//! runner never signals a group id that could already belong to someone else.

use super::process_group::{leader_exited, signal_group, stop_gently};
use std::collections::HashMap;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

/// The runner's view of the commands that run, by request id.
pub type Registry = Arc<Mutex<HashMap<u64, Running>>>;

/// What the runner needs to stop a command: its group and a way to tell its task.
pub struct Running {
    pub pgid: i32,
    pub cancel: Arc<Notify>,
}

/// The registry, even after a panic elsewhere while it was held: it stays consistent (one
/// insert or remove at a time).
pub fn lock(registry: &Registry) -> MutexGuard<'_, HashMap<u64, Running>> {
    registry
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub struct Group {
    child: tokio::process::Child,
    pgid: i32,
    request_id: u64,
    registry: Registry,
    reaped: bool,
}

impl Group {
    /// Takes a child that was started as the leader of its own group and is in the registry.
    pub fn new(
        child: tokio::process::Child,
        pgid: i32,
        request_id: u64,
        registry: Registry,
    ) -> Group {
        Group {
            child,
            pgid,
            request_id,
            registry,
            reaped: false,
        }
    }

    /// SIGTERM (and SIGCONT) to the whole group.
    pub fn stop_gently(&self) {
        stop_gently(self.pgid);
    }

    pub fn kill(&self) {
        signal_group(self.pgid, libc::SIGKILL);
    }

    pub fn leader_exited(&self) -> bool {
        leader_exited(self.pgid)
    }

    /// Leave the registry, then collect the leader's exit status. Call once the leader exited.
    pub async fn reap(&mut self) -> Option<ExitStatus> {
        self.leave_registry();
        self.reaped = true;
        self.child.wait().await.ok()
    }

    fn leave_registry(&self) {
        let mut running = lock(&self.registry);
        if running.get(&self.request_id).map(|r| r.pgid) == Some(self.pgid) {
            running.remove(&self.request_id);
        }
    }
}

impl Drop for Group {
    /// The task was dropped before its command ended (the runtime is shutting down): take the
    /// group with it rather than leave it running. The leader is still unreaped here.
    fn drop(&mut self) {
        if !self.reaped {
            self.kill();
            self.leave_registry();
        }
    }
}
