//! `openrouter-keys`: manage OpenRouter API keys from a shell, on the `openrouter-keys` SDK.
//!
//! Parses the command line, runs the command in its [`Context`](context::Context), and turns
//! the result into one of the documented exit codes (`exit.rs`, and `--help`). A failure is
//! written here, once; a closed stdout ends the command quietly, here too.
//!
//! Guarantees: data on stdout, diagnostics on stderr; secrets only in files created 0600 or
//! on a stdout that is not a terminal (or with `--show-secret`), never on stderr; bulk
//! creation and rotation exactly once across failures and reruns (`batch/`).

// The doc comments of `cli.rs` are clap's `--help` text, read in a terminal, where `<URL>`
// would print the angle brackets: rustdoc's bare-URL lint does not apply to them.
#![allow(rustdoc::bare_urls)]
// One module prints (`print/`); `cli/clippy.toml` refuses `std::io::{stdout, stderr,
// stdin}` outside it too.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

mod audit;
mod batch;
mod cli;
mod commands;
mod config;
mod context;
mod csv_input;
mod error;
mod exit;
mod given_hash;
mod guardrails;
mod interrupt;
mod key_spec;
mod key_state;
#[allow(clippy::disallowed_methods)]
mod print;
mod render;
mod sdk_error;
mod secrets;
mod select;
mod shell;

use clap::Parser;
use error::CliError;
use exit::Exit;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            print::Printer::new(false).clap_message(&e);
            return ExitCode::from(code.code());
        }
    };
    let ctx = context::Context::new(cli.global.clone());
    let print = ctx.print;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            print.error(&format_args!("cannot start the async runtime: {e}"));
            return ExitCode::from(Exit::Failure.code());
        }
    };
    let result = runtime.block_on(async {
        tokio::select! {
            result = commands::run(&cli.command, &ctx) => result,
            // Work in flight is dropped; the journal of a bulk command already says what may
            // have happened, and the next run reconciles it.
            _ = tokio::signal::ctrl_c() => Err(CliError::new(
                Exit::Interrupted,
                "interrupted; a bulk command resumes when run again with the same arguments",
            )),
        }
    });
    // A y/N prompt's reading thread may still be blocked on stdin: not waited for.
    runtime.shutdown_background();
    let exit = match result {
        Ok(exit) => exit,
        // Nobody is left to read the output (`| head`): nothing to say.
        Err(CliError::StdoutClosed) => Exit::Success,
        // A "no" at the prompt is an answer, not an error.
        Err(declined @ CliError::Declined) => {
            print.line(&declined);
            declined.exit()
        }
        Err(error) => {
            // The command's future is dropped by now (journals closed and unlocked): what
            // Ctrl-C leaves behind can be saved and said.
            let error = match error.exit() {
                Exit::Interrupted => match ctx.interrupt.run() {
                    Some(said) => CliError::new(Exit::Interrupted, said),
                    None => error,
                },
                _ => error,
            };
            print.error(&error);
            error.exit()
        }
    };
    ExitCode::from(exit.code())
}
