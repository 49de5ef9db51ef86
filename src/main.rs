use clap::Parser;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = sitrep::cli::Cli::parse();
    sitrep::logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sitrep: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let code = match runtime.block_on(sitrep::commands::run(cli)) {
        Ok(code) => code,
        // Whoever read our output stopped (`| head`): nothing to report, as with SIGPIPE.
        Err(e) if is_broken_pipe(&e) => ExitCode::from(sitrep::commands::BROKEN_PIPE_STATUS as u8),
        Err(e) => {
            eprintln!("sitrep: {e:#}");
            ExitCode::from(2)
        }
    };
    // Source tasks may be mid-request; don't wait for them to wind down.
    runtime.shutdown_background();
    code
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
