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
use std::path::Path;

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
    // The secret first: "created key" is said only once the secret has gone somewhere. Any
    // write error (a closed pipe included: here it is not a reader that had enough, it is a
    // lost secret) fails the command with the way to undo the key.
    let went = hand_out(ctx, args, reserved, Some(&row), secret.expose_secret())
        .map_err(|e| secret_lost(e, &key.hash))?;
    match went {
        SecretWent::File(path) => {
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
        }
        SecretWent::Stdout => print.note(format_args!(
            "created key {} ({})",
            printable(&key.hash),
            shown_name(&key)
        )),
    }
    Ok(Exit::Success)
}

/// Where a new key's secret went.
enum SecretWent<'a> {
    /// The `--secret-file`.
    File(&'a Path),
    /// Stdout: alone (`table`), or with the key (`json`).
    Stdout,
}

/// Hands out a new key's `secret` where `create` puts it: the reserved `--secret-file`, else
/// stdout in the `--format` asked for, with the key's `row` when it is known.
fn hand_out<'a>(
    ctx: &Context,
    args: &'a CreateArgs,
    reserved: Option<ReservedFile>,
    row: Option<&KeyRow>,
    secret: &str,
) -> CliResult<SecretWent<'a>> {
    if let (Some(path), Some(reserved)) = (&args.secret_file, reserved) {
        reserved.commit(format!("{secret}\n").as_bytes())?;
        return Ok(SecretWent::File(path));
    }
    let text = match args.format {
        DetailFormat::Table => format!("{secret}\n"),
        DetailFormat::Json => pretty_json(&CreatedRow { key: row, secret })?,
    };
    ctx.print
        .secret(&text)
        .map_err(|e| CliError::failure(format!("cannot write the secret to stdout: {e}")))?;
    Ok(SecretWent::Stdout)
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
    match hand_out(ctx, args, reserved, None, secret.expose_secret()) {
        Ok(went) => {
            let where_it_is = match went {
                SecretWent::File(path) => format!("its secret is in {}", path.display()),
                SecretWent::Stdout => "its secret is on stdout".to_string(),
            };
            error.hint(format!(
                "the key was made and {where_it_is}; {find} (its answer said too little to \
                 print them)"
            ))
        }
        Err(cause) => error.hint(format!(
            "{}: the key was made but its secret could not be saved; {find}: delete it \
             (`openrouter-keys delete HASH --yes`) and create it again",
            cause.what()
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
