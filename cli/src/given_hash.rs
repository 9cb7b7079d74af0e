//! A key hash the user typed (`get HASH`, `delete HASH`, a `hash` cell of `bulk-delete`'s
//! input): checked before it is used, and shown in messages by one rule.
//!
//! The likeliest mistake is a key's *secret* pasted where its hash belongs (both come out of
//! `bulk-create`'s secrets file, side by side). A secret must never reach stderr, an error or
//! a preview, so a text that holds one is refused here, before any request, with the CLI's
//! own advice, and is never echoed: not by this refusal, and not by any message that names a
//! hash the user gave ([`shown`]).

use crate::error::CliError;
use crate::render::text::printable;
use std::borrow::Cow;

/// What every API key's secret starts with; no hash the API makes contains it (hashes are
/// hex digits in every answer we have seen).
const SECRET_MARK: &str = "sk-or-";

/// What a message shows instead of a text that holds a secret.
const SECRET_SHOWN: &str = "sk-or-…[secret, not shown]";

/// Where a user finds a key's hash, for every message about a hash given wrongly.
pub const FIND_A_HASH: &str = "`openrouter-keys list --wide` (or `--format csv`) shows each key's \
                               whole hash; a secrets file of bulk-create or rotate has it beside \
                               each secret";

/// Whether `text` holds an API key's secret.
pub fn holds_secret(text: &str) -> bool {
    text.contains(SECRET_MARK)
}

/// A hash the user gave, for a message: printable, or a placeholder when it holds a secret.
pub fn shown(hash: &str) -> Cow<'_, str> {
    if holds_secret(hash) {
        Cow::Borrowed(SECRET_SHOWN)
    } else {
        printable(hash)
    }
}

/// `hash`, unless it holds a secret: then a usage error (exit 2) that does not echo it,
/// saying what `what` (`HASH`, `the hash column`) holds instead and where the hash is.
pub fn checked<'h>(hash: &'h str, what: &str) -> Result<&'h str, CliError> {
    // A key's label (`sk-or-v1-5ad...9c6e`, as `whoami` and the API show it) starts like a
    // secret, but its `...` is in no secret.
    if holds_secret(hash) && hash.contains("...") {
        return Err(CliError::usage(format!(
            "{what} is a key's label (`{SECRET_MARK}…...…`), not its hash"
        ))
        .hint(FIND_A_HASH));
    }
    if holds_secret(hash) {
        return Err(secret_given(what));
    }
    // The tables shorten hashes to fit a terminal and mark the cut with `…`.
    if hash.contains('…') {
        return Err(CliError::usage(format!(
            "{what} `{}` is a hash shortened to fit a table (it ends in `…`), not a whole one",
            printable(hash)
        ))
        .hint(FIND_A_HASH));
    }
    Ok(hash)
}

/// The refusal of a secret given as `what`: nothing was sent, nothing is shown.
pub fn secret_given(what: &str) -> CliError {
    CliError::usage(format!(
        "{what} holds an API key's secret (`{SECRET_MARK}…`), not a key's hash: it was not \
         sent anywhere, and is not shown here"
    ))
    .hint(FIND_A_HASH)
    .hint("`openrouter-keys whoami` shows the label of the key the CLI itself authenticates with")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "sk-or-v1-5ad0123456789abcdef0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn a_secret_is_never_shown_in_any_form() {
        for given in [
            SECRET.to_string(),
            format!(" {SECRET}"),
            format!("\"{SECRET}\""),
        ] {
            assert_eq!(shown(&given), SECRET_SHOWN);
            let refused = checked(&given, "HASH").unwrap_err().to_string();
            assert!(!refused.contains("5ad0"), "{refused}");
        }
        assert_eq!(shown("0e6f\u{1b}"), "0e6f\\u{1b}");
        let label = checked("sk-or-v1-5ad...9c6e", "HASH")
            .unwrap_err()
            .to_string();
        assert!(label.contains("label") && !label.contains("5ad"), "{label}");
        let short = checked("27ec56e0eb72…", "HASH").unwrap_err().to_string();
        assert!(
            short.contains("shortened") && short.contains("--wide"),
            "{short}"
        );
        assert_eq!(checked("0e6f", "HASH").unwrap(), "0e6f");
    }
}
