//! `create`: one key. The secret is written where the user can keep it, or the key is not
//! created at all: on a terminal without `--show-secret` or `--secret-file`, the command
//! refuses before calling the API (a secret scrolled past on screen is a leaked secret).

use crate::cli::{CreateArgs, DetailFormat};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::Exit;
use crate::key_spec::KeySpec;
use crate::render::{CreatedRow, KeyRow, SavedRow, pretty_json, printable, shown_name};
use crate::secrets::ReservedFile;
use crate::select::literal_glob_arg;
use openrouter_keys::{DecodeError, Error, ExposeSecret};

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
    let created = match ctx.client()?.keys().create(spec.new_key()).await {
        Ok(created) => created,
        Err(e) => {
            let error = ctx.api_error(&format!("creating key `{}` failed", spec.name), &e);
            if let Error::Decode(decode) = &e
                && decode.key_created
            {
                return Err(save_unread_key_secret(
                    ctx, args, reserved, decode, error, &check,
                ));
            }
            return Err(if error.exit() == Exit::OutcomeUnknown {
                error.hint(format!("`{check}` shows whether it exists"))
            } else {
                error
            });
        }
    };
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
            DetailFormat::Json => print.data(pretty_json(&SavedRow {
                key: &row,
                secret_file: path,
            })?)?,
        }
        return Ok(Exit::Success);
    }
    let text = match args.format {
        DetailFormat::Table => format!("{}\n", secret.expose_secret()),
        DetailFormat::Json => pretty_json(&CreatedRow {
            key: Some(&row),
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

/// The API made the key but its answer did not decode (`error` says where), so its hash is
/// unknown and the command fails. The secret, when the answer still carried it, goes where a
/// created key's secret goes (the `--secret-file`, else stdout), so that the key is usable;
/// the error says where it went, or that it is lost, and how to find the key.
fn save_unread_key_secret(
    ctx: &Context,
    args: &CreateArgs,
    reserved: Option<ReservedFile>,
    decode: &DecodeError,
    error: CliError,
    check: &str,
) -> CliError {
    let find = format!("`{check}` shows the key and its hash");
    let Some(secret) = &decode.created_secret else {
        return error.hint(format!(
            "{find}: its secret is lost, so delete it (`openrouter-keys delete HASH --yes`) \
             and create it again"
        ));
    };
    let saved = match (&args.secret_file, reserved) {
        (Some(path), Some(reserved)) => reserved
            .commit(format!("{}\n", secret.expose_secret()).as_bytes())
            .map(|()| format!("its secret is in {}", path.display()))
            .map_err(|e| e.what().to_string()),
        _ => {
            let text = match args.format {
                DetailFormat::Table => Ok(format!("{}\n", secret.expose_secret())),
                DetailFormat::Json => pretty_json(&CreatedRow {
                    key: None,
                    secret: secret.expose_secret(),
                })
                .map_err(|e| e.what().to_string()),
            };
            text.and_then(|text| {
                ctx.print
                    .secret(&text)
                    .map_err(|e| format!("cannot write the secret to stdout: {e}"))
            })
            .map(|()| "its secret is on stdout".to_string())
        }
    };
    match saved {
        Ok(where_it_is) => error.hint(format!(
            "the key was made and {where_it_is}; {find} (its answer said too little to \
             print them)"
        )),
        Err(cause) => error.hint(format!(
            "{cause}: the key was made but its secret could not be saved; {find}: delete it \
             (`openrouter-keys delete HASH --yes`) and create it again"
        )),
    }
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
