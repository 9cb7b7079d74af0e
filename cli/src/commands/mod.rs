//! One module per command; `run` dispatches to them.

mod bulk_create;
mod bulk_delete;
mod change;
mod create;
mod list;
mod report;
mod rotate;
mod show;

use crate::cli::{Cli, Command};
use crate::exit::{CliResult, Exit};
use clap::CommandFactory;

pub async fn run(cli: Cli) -> CliResult {
    let global = &cli.global;
    if let Command::Completions { shell } = &cli.command {
        // Generated into memory and written by `print_out`, like every other output: clap's
        // `generate` panics when its writer fails (a closed pipe, `| head`), ours ends quietly.
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut Cli::command(), "openrouter-keys", &mut script);
        return show::print_bytes(&script);
    }
    let client = crate::config::client(global)?;
    match &cli.command {
        Command::Whoami { format } => show::whoami(&client, *format).await,
        Command::Get { hash, format } => show::get(&client, hash, *format).await,
        Command::List(args) => list::run(&client, args).await,
        Command::Create(args) => create::run(&client, args).await,
        Command::Update(args) => change::update(&client, args, global.quiet).await,
        Command::Enable(args) => change::enable(&client, args, global.quiet).await,
        Command::Disable(args) => change::disable(&client, args, global.quiet).await,
        Command::Delete(args) => change::delete(&client, args, global.quiet).await,
        Command::BulkCreate(args) => bulk_create::run(&client, args, global.quiet).await,
        Command::BulkDelete(args) => bulk_delete::run(&client, args, global.quiet).await,
        Command::Rotate(args) => rotate::run(&client, args, global).await,
        Command::Report(args) => report::run(&client, args).await,
        Command::Completions { .. } => Ok(Exit::Success),
    }
}
