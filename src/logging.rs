//! Diagnostics go to a file, never to the terminal the TUI owns: set `SITREP_LOG=debug` (any
//! tracing filter) and read `$XDG_STATE_HOME/sitrep/sitrep.log`. Off by default. Secrets never
//! reach it: credentials are `Secret`s whose Debug is redacted.

use std::path::PathBuf;

pub fn init() {
    let Ok(filter) = std::env::var("SITREP_LOG") else {
        return;
    };
    let Some(path) = log_path() else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
}

fn log_path() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("sitrep").join("sitrep.log"))
}
