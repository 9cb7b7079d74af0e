//! One file per command, each with the one command signature:
//! `pub async fn run(ctx: &Context, args: &ItsArgs) -> CliResult<Exit>` (the four changes
//! to selected keys share `change.rs`: `update`, `enable`, `disable`, `delete`).
//!
//! A new command: its arguments in `cli.rs` (a `Command` variant with an `…Args` struct),
//! its file here, one line in [`run`]. A command files nothing for others to use: what two
//! commands share lives in a module named for what it is (`key_spec.rs`, `select.rs`,
//! `batch/`, `render/`).

mod audit;
mod bulk_create;
mod bulk_delete;
mod change;
mod completions;
mod create;
mod get;
mod list;
mod report;
mod rotate;
mod whoami;

use crate::cli::Command;
use crate::context::Context;
use crate::error::CliResult;
use crate::exit::Exit;

pub async fn run(command: &Command, ctx: &Context) -> CliResult<Exit> {
    if command.uses_api() {
        // The key first: a missing or unreadable key is said before any other work.
        ctx.client()?;
    }
    match command {
        Command::Whoami(args) => whoami::run(ctx, args).await,
        Command::Get(args) => get::run(ctx, args).await,
        Command::List(args) => list::run(ctx, args).await,
        Command::Create(args) => create::run(ctx, args).await,
        Command::Update(args) => change::update(ctx, args).await,
        Command::Enable(args) => change::enable(ctx, args).await,
        Command::Disable(args) => change::disable(ctx, args).await,
        Command::Delete(args) => change::delete(ctx, args).await,
        Command::BulkCreate(args) => bulk_create::run(ctx, args).await,
        Command::BulkDelete(args) => bulk_delete::run(ctx, args).await,
        Command::Rotate(args) => rotate::run(ctx, args).await,
        Command::Report(args) => report::run(ctx, args).await,
        Command::Audit(args) => audit::run(ctx, args).await,
        Command::Completions(args) => completions::run(ctx, args).await,
    }
}
