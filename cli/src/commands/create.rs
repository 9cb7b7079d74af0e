//! `create`: one key. The secret is written where the user can keep it, or the key is not
//! created at all: on a terminal without `--show-secret` or `--secret-file`, the command
//! refuses before calling the API (a secret scrolled past on screen is a leaked secret).

use crate::cli::{CreateArgs, DetailFormat};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::Exit;
use crate::key_spec::KeySpec;
use crate::render::{CreatedRow, KeyRow, pretty_json, printable, shown_name};
use crate::secrets::ReservedFile;
use crate::select::literal_glob_arg;
use openrouter_keys::ExposeSecret;

pub async fn run(ctx: &Context, args: &CreateArgs) -> CliResult<Exit> {
    let print = ctx.print;
    let spec = KeySpec::from_settings(&args.name, &args.settings)?;
    // The secret file is created (empty, 0600) before the key: a path that cannot take it
    // is found while nothing exists yet.
    let reserved = match &args.secret_file {
        Some(path) => Some(ReservedFile::new(path, args.force)?),
        None => None,
    };
    if reserved.is_none() && print.stdout_is_terminal() && !args.show_secret {
        return Err(CliError::usage(
            "stdout is a terminal: the new key's secret would be shown on screen",
        )
        .hint(
            "pass --secret-file PATH to keep it in a private file, --show-secret to print it \
             anyway, or redirect stdout",
        ));
    }
    if reserved.is_none() && print.stdout_is_nowhere() {
        return Err(CliError::usage(
            "stdout is closed (or /dev/null): the new key's secret would go nowhere",
        )
        .hint("redirect stdout to a file or pipe, or pass --secret-file PATH"));
    }
    let check = format!(
        "openrouter-keys list --include-disabled --match {}",
        literal_glob_arg(&spec.name)
    );
    let name = spec.name.clone();
    let said = check.clone();
    ctx.interrupt.set(move || {
        format!(
            "interrupted while creating key `{name}`: it may or may not have been created, \
             and if it was, its secret is lost. Check with `{said}`; delete a key found there \
             (`openrouter-keys delete HASH --yes`) and create it again"
        )
    });
    let created = ctx
        .client()?
        .keys()
        .create(spec.new_key())
        .await
        .map_err(|e| {
            let error = ctx.api_error(&format!("creating key `{}` failed", spec.name), &e);
            if error.exit() == Exit::OutcomeUnknown {
                error.hint(format!("`{check}` shows whether it exists"))
            } else {
                error
            }
        })?;
    let (key, secret) = created.into_parts();
    let row = KeyRow::from(&key);
    if let (Some(path), Some(reserved)) = (&args.secret_file, reserved) {
        let contents = format!("{}\n", secret.expose_secret());
        reserved
            .commit(contents.as_bytes())
            .map_err(|e| secret_lost(e, &key.hash))?;
        print.note(format_args!(
            "created key {} ({}); secret in {}",
            printable(&key.hash),
            shown_name(&key),
            path.display()
        ));
        match args.format {
            DetailFormat::Table => print.data(format!("{}\n", key.hash))?,
            DetailFormat::Json => print.data(pretty_json(&row)?)?,
        }
        return Ok(Exit::Success);
    }
    let text = match args.format {
        DetailFormat::Table => format!("{}\n", secret.expose_secret()),
        DetailFormat::Json => pretty_json(&CreatedRow {
            key: &row,
            secret: secret.expose_secret(),
        })?,
    };
    // The secret first: "created key" is said only once the secret has gone somewhere. Any
    // write error (a closed pipe included: here it is not a reader that had enough, it is a
    // lost secret) fails the command with the way to undo the key.
    print.secret(&text).map_err(|e| {
        secret_lost(
            CliError::failure(format!("cannot write the secret to stdout: {e}")),
            &key.hash,
        )
    })?;
    print.note(format_args!(
        "created key {} ({})",
        printable(&key.hash),
        shown_name(&key)
    ));
    Ok(Exit::Success)
}

/// The key exists but its secret reached nobody: say which key, and how to undo it.
fn secret_lost(error: CliError, hash: &str) -> CliError {
    CliError::failure(format!(
        "{}; the key {hash} was created but its secret could not be saved",
        error.what()
    ))
    .hint(format!(
        "delete it with `openrouter-keys delete {hash} --yes` and create it again"
    ))
}
