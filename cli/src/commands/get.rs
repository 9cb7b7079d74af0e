//! `get HASH`: one key's details.

use crate::cli::{DetailFormat, GetArgs};
use crate::context::Context;
use crate::error::CliResult;
use crate::exit::Exit;
use crate::render::{KeyRow, key_details, pretty_json};

pub async fn run(ctx: &Context, args: &GetArgs) -> CliResult<Exit> {
    let hash = &args.hash;
    let key = ctx
        .client()?
        .keys()
        .get(hash.as_str())
        .await
        .map_err(|e| ctx.api_error(&format!("reading key {hash} failed"), &e))?;
    let text = match args.format {
        DetailFormat::Table => key_details(&key),
        DetailFormat::Json => pretty_json(&KeyRow::from(&key))?,
    };
    ctx.print.data(text)?;
    Ok(Exit::Success)
}
