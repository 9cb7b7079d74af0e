//! `whoami` and `get`: one key's details.

use crate::cli::DetailFormat;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{
    CurrentKeyRow, KeyRow, current_key_details, json_error, key_details, write_error,
};
use openrouter_keys::Client;
use std::io::Write;

pub async fn whoami(client: &Client, format: DetailFormat) -> CliResult {
    let key = client
        .current_key()
        .await
        .map_err(|e| CliError::api("reading the current key failed", &e))?;
    let text = match format {
        DetailFormat::Table => current_key_details(&key),
        DetailFormat::Json => {
            serde_json::to_string_pretty(&CurrentKeyRow::from(&key)).map_err(json_error)? + "\n"
        }
    };
    print_out(&text)
}

pub async fn get(client: &Client, hash: &str, format: DetailFormat) -> CliResult {
    let key = client
        .keys()
        .get(hash)
        .await
        .map_err(|e| CliError::api(&format!("reading key {hash} failed"), &e))?;
    let text = match format {
        DetailFormat::Table => key_details(&key),
        DetailFormat::Json => {
            serde_json::to_string_pretty(&KeyRow::from(&key)).map_err(json_error)? + "\n"
        }
    };
    print_out(&text)
}

pub fn print_out(text: &str) -> CliResult {
    print_bytes(text.as_bytes())
}

/// Writes `bytes` to stdout; a closed pipe ends the command quietly (see `write_error`).
pub fn print_bytes(bytes: &[u8]) -> CliResult {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(write_error)?;
    Ok(Exit::Success)
}
