//! The system calls a command's process group needs. The group id is the leader's pid, and
//! the leader is never reaped while anyone may still signal its group: an unreaped leader keeps
//! that id from being reused, so a signal can never reach a stranger's processes.

/// Send `signal` to every process of the group. False when there was no one to send it to.
pub fn signal_group(pgid: i32, signal: i32) -> bool {
    // killpg(0 or negative) would mean our own group or every process we may signal.
    pgid > 0 && unsafe { libc::killpg(pgid, signal) } == 0
}

/// Ask the group to end: SIGTERM, and SIGCONT so that a stopped process gets to act on it.
pub fn stop_gently(pgid: i32) {
    signal_group(pgid, libc::SIGTERM);
    signal_group(pgid, libc::SIGCONT);
}

/// Whether the group's leader has exited, without reaping it (`WNOWAIT`).
pub fn leader_exited(pid: i32) -> bool {
    if pid <= 0 {
        return true;
    }
    // SAFETY: siginfo_t is plain data; waitid only writes into it.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
    let status = unsafe { libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, flags) };
    if status != 0 {
        // EINTR: ask again next time. ECHILD: already reaped, nothing left to wait for.
        return std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR);
    }
    // With WNOHANG and no state change, waitid leaves the zeroed info as it was.
    info.si_signo == libc::SIGCHLD
}
