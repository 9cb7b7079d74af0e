//! `completions bash|zsh|fish`: a shell completion script from the same clap definition.

use crate::cli::{Cli, CompletionsArgs};
use crate::context::Context;
use crate::error::CliResult;
use crate::exit::Exit;
use clap::CommandFactory;

pub async fn run(ctx: &Context, args: &CompletionsArgs) -> CliResult<Exit> {
    // Generated into memory and written by the printer, like every other output: clap's
    // `generate` panics when its writer fails (a closed pipe, `| head`).
    let mut script = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "openrouter-keys",
        &mut script,
    );
    ctx.print.data(&script)?;
    Ok(Exit::Success)
}
