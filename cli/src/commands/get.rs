//! `get HASH`: one key's details.

use crate::cli::{DetailFormat, GetArgs};
use crate::context::Context;
use crate::error::CliResult;
use crate::exit::Exit;
use crate::given_hash;
use crate::render::{KeyRow, key_details, pretty_json};

pub async fn run(ctx: &Context, args: &GetArgs) -> CliResult<Exit> {
    let hash = given_hash::checked(&args.hash, "the HASH argument")?;
    let key = ctx.client()?.keys().get(hash).await.map_err(|e| {
        let shown = given_hash::shown(hash);
        ctx.api_error(&format!("reading key {shown} failed"), &e)
    })?;
    let text = match args.format {
        DetailFormat::Table => key_details(&key, ctx.print.table_width()),
        DetailFormat::Json => pretty_json(&KeyRow::from(&key))?,
    };
    ctx.print.data(text)?;
    Ok(Exit::Success)
}
