//! `whoami`: the key the CLI authenticates with (`GET /key`).

use crate::cli::{DetailFormat, WhoamiArgs};
use crate::context::Context;
use crate::error::CliResult;
use crate::exit::Exit;
use crate::render::{CurrentKeyRow, current_key_details, pretty_json};

pub async fn run(ctx: &Context, args: &WhoamiArgs) -> CliResult<Exit> {
    let key = ctx
        .client()?
        .current_key()
        .await
        .map_err(|e| ctx.api_error("reading the current key failed", &e))?;
    let text = match args.format {
        DetailFormat::Table => current_key_details(&key, ctx.print.table_width()),
        DetailFormat::Json => pretty_json(&CurrentKeyRow::from(&key))?,
    };
    ctx.print.data(text)?;
    Ok(Exit::Success)
}
