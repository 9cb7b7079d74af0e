//! `create`: one key. The secret is written where the user can keep it, or the key is not
//! created at all: on a terminal without `--show-secret` or `--secret-file`, the command
//! refuses before calling the API (a secret scrolled past on screen is a leaked secret).

use crate::cli::{CreateArgs, DetailFormat, KeySettings, Reset};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{CreatedRow, KeyRow, json_error, note};
use crate::provision::KeySpec;
use crate::secrets::ReservedFile;
use openrouter_keys::{Client, ExposeSecret, Timestamp};
use std::io::{IsTerminal, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub async fn run(client: &Client, args: &CreateArgs) -> CliResult {
    let spec = spec_from(&args.name, &args.settings)?;
    // The secret file is created (empty, 0600) before the key: a path that cannot take it
    // is found while nothing exists yet.
    let reserved = match &args.secret_file {
        Some(path) => Some(ReservedFile::new(path, args.force)?),
        None => None,
    };
    if reserved.is_none() && std::io::stdout().is_terminal() && !args.show_secret {
        return Err(CliError::usage(
            "stdout is a terminal: the new key's secret would be shown on screen. Pass \
             --secret-file PATH to keep it in a private file, --show-secret to print it anyway, \
             or redirect stdout",
        ));
    }
    if reserved.is_none() && stdout_is_nowhere() {
        return Err(CliError::usage(
            "stdout is closed (or /dev/null): the new key's secret would go nowhere. Redirect \
             stdout to a file or pipe, or pass --secret-file PATH",
        ));
    }
    let check = format!(
        "openrouter-keys list --include-disabled --match {}",
        crate::select::literal_glob_arg(&spec.name)
    );
    let name = spec.name.clone();
    crate::interrupt::on_interrupt(move || {
        format!(
            "interrupted while creating key `{name}`: it may or may not have been created, \
             and if it was, its secret is lost. Check with `{check}`; delete a key found there \
             (`openrouter-keys delete HASH --yes`) and create it again"
        )
    });
    let created = client
        .keys()
        .create(spec.new_key())
        .await
        .map_err(|e| CliError::api(&format!("creating key `{}` failed", spec.name), &e))
        .map_err(|mut e| {
            if e.exit == Exit::OutcomeUnknown {
                e.message.push_str(&format!(
                    "\n  hint: `openrouter-keys list --include-disabled --match {}` shows \
                     whether it exists",
                    crate::select::literal_glob_arg(&spec.name)
                ));
            }
            e
        })?;
    let (key, secret) = created.into_parts();
    let row = KeyRow::from(&key);
    if let (Some(path), Some(reserved)) = (&args.secret_file, reserved) {
        let contents = format!("{}\n", secret.expose_secret());
        reserved
            .commit(contents.as_bytes())
            .map_err(|e| secret_lost(e, &key.hash))?;
        note(
            false,
            format!(
                "created key {} ({}); secret in {}",
                crate::output::printable(&key.hash),
                crate::output::shown_name(&key),
                path.display()
            ),
        );
        return match args.format {
            DetailFormat::Table => crate::commands::show::print_out(&format!("{}\n", key.hash)),
            DetailFormat::Json => crate::commands::show::print_out(
                &(serde_json::to_string_pretty(&row).map_err(json_error)? + "\n"),
            ),
        };
    }
    let text = match args.format {
        DetailFormat::Table => format!("{}\n", secret.expose_secret()),
        DetailFormat::Json => {
            let value = CreatedRow {
                key: &row,
                secret: secret.expose_secret(),
            };
            serde_json::to_string_pretty(&value).map_err(json_error)? + "\n"
        }
    };
    // The secret first: "created key" is said only once the secret has gone somewhere. Any
    // write error (a closed pipe included: here it is not a reader that had enough, it is a
    // lost secret) fails the command with the way to undo the key.
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| {
            secret_lost(
                CliError::failure(format!("cannot write the secret to stdout: {e}")),
                &key.hash,
            )
        })?;
    drop(out);
    note(
        false,
        format!(
            "created key {} ({})",
            crate::output::printable(&key.hash),
            crate::output::shown_name(&key)
        ),
    );
    Ok(Exit::Success)
}

/// The key exists but its secret reached nobody: say which key, and how to undo it.
fn secret_lost(mut error: CliError, hash: &str) -> CliError {
    error.exit = Exit::Failure;
    error.message.push_str(&format!(
        "\n  the key {hash} was created but its secret could not be saved: delete it with \
         `openrouter-keys delete {hash} --yes` and create it again"
    ));
    error
}

/// Whether stdout leads nowhere: closed (`>&-`; Rust's runtime then opens `/dev/null` in its
/// place before `main`, and writes to a closed descriptor would be swallowed anyway) or
/// `/dev/null` itself.
fn stdout_is_nowhere() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::FromRawFd;
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        // SAFETY: F_GETFD on a descriptor number only reads its flags; no memory is passed.
        if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
            return true;
        }
        // SAFETY: descriptor 1 is open (checked above); ManuallyDrop never closes it.
        let stdout = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(1) });
        let Ok(out) = stdout.metadata() else {
            return true;
        };
        std::fs::metadata("/dev/null")
            .is_ok_and(|null| out.file_type().is_char_device() && out.rdev() == null.rdev())
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// The key to create from a name and the settings flags (or a CSV row's values).
pub fn spec_from(name: &str, settings: &KeySettings) -> CliResult<KeySpec> {
    if name.trim().is_empty() {
        return Err(CliError::usage("a key needs a non-empty --name"));
    }
    if let Some(limit) = settings.limit {
        check_limit(limit).map_err(|e| flag("--limit", e))?;
    }
    let expires_at = match (&settings.expires_at, settings.expires_in) {
        (Some(at), _) => Some(check_expiry(at).map_err(|e| flag("--expires-at", e))?),
        (None, Some(after)) => Some(expiry_after(after).map_err(|e| flag("--expires-in", e))?),
        (None, None) => None,
    };
    Ok(KeySpec {
        name: name.to_string(),
        limit: settings.limit,
        limit_reset: settings.reset.map(|r| reset_text(r).to_string()),
        include_byok_in_limit: settings.include_byok.then_some(true),
        expires_at,
        workspace_id: settings.workspace.clone(),
    })
}

/// An error about a flag's value, naming the flag.
fn flag(name: &str, error: CliError) -> CliError {
    CliError::usage(format!("{name}: {}", error.message))
}

pub fn reset_text(reset: Reset) -> &'static str {
    match reset {
        Reset::Daily => "daily",
        Reset::Weekly => "weekly",
        Reset::Monthly => "monthly",
    }
}

/// The largest spending limit accepted, in USD: our bound, not the API's (it documents
/// none). Far above any real budget, it catches a typo (`1e30`, a pasted number) that would
/// otherwise make a key without a meaningful limit and break the tables' columns.
pub const MAX_LIMIT_USD: f64 = 1e9;

pub fn check_limit(limit: f64) -> CliResult<f64> {
    if !(limit.is_finite() && limit >= 0.0) {
        return Err(CliError::usage(format!(
            "limit {limit} is not an amount of USD (a number, at least 0)"
        )));
    }
    if limit > MAX_LIMIT_USD {
        return Err(CliError::usage(format!(
            "limit {limit} is above 1000000000 USD, the most this CLI accepts (a typo?)"
        )));
    }
    Ok(limit)
}

/// An RFC 3339 expiry that is still ahead: a key that expires before it is created is dead
/// on arrival, so an expiry in the past (or now) is refused before any request.
pub fn check_expiry(at: &str) -> CliResult<String> {
    let Some(when) = Timestamp::from_text(at).system_time() else {
        return Err(CliError::usage(format!(
            "expiry `{at}` is not an RFC 3339 time such as 2027-12-31T23:59:59Z"
        )));
    };
    check_ahead(when, at)?;
    Ok(at.to_string())
}

fn check_ahead(when: SystemTime, shown: &str) -> CliResult<()> {
    if when <= SystemTime::now() {
        return Err(CliError::usage(format!(
            "expiry {shown} is in the past: the key would be expired when created"
        )));
    }
    Ok(())
}

/// Now plus `after`, whole seconds, RFC 3339 in UTC.
fn expiry_after(after: Duration) -> CliResult<String> {
    // `--expires-in 0s` is now, which has passed by the time the key exists.
    let at = SystemTime::now()
        .checked_add(after)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|since| UNIX_EPOCH + Duration::from_secs(since.as_secs()))
        .ok_or_else(|| CliError::usage("too far in the future"))?;
    let text = Timestamp::from_system_time(at).to_string();
    check_ahead(at, &text)?;
    Ok(text)
}
