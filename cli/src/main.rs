//! `openrouter-keys`: manage OpenRouter API keys from a shell, on the `openrouter-keys` SDK.
//!
//! Parses the command line, builds the client, runs the command and turns the result into
//! one of the documented exit codes (see `exit.rs` and `--help`).
//!
//! Guarantees: data on stdout, diagnostics on stderr; secrets only in files created 0600 or
//! on a stdout that is not a terminal (or with `--show-secret`), never on stderr; bulk
//! creation and rotation exactly once across failures and reruns (`journal.rs`).

// The doc comments of `cli.rs` are clap's `--help` text, read in a terminal, where `<URL>`
// would print the angle brackets: rustdoc's bare-URL lint does not apply to them.
#![allow(rustdoc::bare_urls)]

mod cli;
mod commands;
mod config;
mod exit;
mod interrupt;
mod journal;
mod output;
mod progress;
mod provision;
mod secrets;
mod select;

use clap::Parser;
use exit::Exit;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage.code()
            } else {
                0
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(Exit::Failure.code());
        }
    };
    let result = runtime.block_on(async {
        tokio::select! {
            result = commands::run(cli) => result,
            // Work in flight is dropped; the journal of a bulk command already says what may
            // have happened, and the next run reconciles it.
            _ = tokio::signal::ctrl_c() => Err(exit::CliError {
                exit: Exit::Interrupted,
                message: "interrupted; a bulk command resumes when run again with the same \
                          arguments".to_string(),
            }),
        }
    });
    // A y/N prompt's reading thread may still be blocked on stdin: not waited for.
    runtime.shutdown_background();
    // The command's future is dropped by now (journals closed and unlocked): what Ctrl-C
    // leaves behind can be saved and said.
    let result = match result {
        Err(mut error) if error.exit == Exit::Interrupted => {
            if let Some(message) = interrupt::run_hook() {
                error.message = message;
            }
            Err(error)
        }
        other => other,
    };
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(error) => {
            if !error.message.is_empty() {
                let style = anstyle::Style::new()
                    .bold()
                    .fg_color(Some(anstyle::AnsiColor::Red.into()));
                let _ = writeln!(
                    anstream::stderr(),
                    "{style}error:{style:#} {}",
                    error.message
                );
            }
            ExitCode::from(error.exit.code())
        }
    }
}
