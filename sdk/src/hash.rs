//! Checks a key hash before it becomes a path segment.
//!
//! The generated client percent-encodes the hash as one segment (`/`, `?`, `#`, `%`, spaces,
//! controls and non-ASCII are escaped). Three inputs would still leave `/keys/{hash}`: an empty
//! hash (`/keys/` is another route), the dot segments `.` and `..` (which URL parsing resolves
//! away), and `\`, which URL parsing treats as `/` for http(s). No hash the API has shown (its
//! examples are 64 hex digits; no source states a format) is any of these, so they are rejected as invalid input rather than sent.
//! Nor is text longer than [`MAX_TEXT_CHARS`](crate::MAX_TEXT_CHARS) (our bound on all text
//! sent), nor a key's secret (`sk-or-…`, a likely paste mistake): sent, it would sit in a URL, in
//! proxies' and servers' logs, so it is refused without being echoed.

use crate::error::{Error, Result};
use crate::input_field::InputField;
use crate::text_bound::bounded;

/// Returns the hash when it can only ever address `/keys/{hash}`.
pub(crate) fn checked_hash(hash: &str) -> Result<&str> {
    if hash.is_empty() {
        return Err(Error::invalid(
            InputField::Hash,
            "a key hash cannot be empty",
        ));
    }
    if hash == "." || hash == ".." {
        return Err(Error::invalid(
            InputField::Hash,
            "`.` and `..` are path navigation, not key hashes",
        ));
    }
    if hash.starts_with("sk-or-") {
        // Not echoed: it is a secret, pasted where a hash was meant.
        return Err(Error::invalid(
            InputField::Hash,
            "this is an API key's secret (`sk-or-…`), not its hash: it was not sent; find the \
             hash with `list` (or `current_key()` for the key you call with)",
        ));
    }
    bounded(InputField::Hash, hash)?;
    if hash.contains('\\') {
        return Err(Error::invalid(
            InputField::Hash,
            "a key hash cannot contain `\\` (URLs treat it as `/`)",
        ));
    }
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_only_what_could_leave_the_route() {
        for bad in ["", ".", "..", "a\\b", "\\", "sk-or-v1-0123456789abcdef"] {
            assert!(checked_hash(bad).is_err(), "{bad:?}");
        }
        for good in [
            "f01d52606dc8",
            "a/b",
            "?x",
            "#",
            "...",
            "a..b",
            "ключ",
            "%2e%2e",
        ] {
            assert_eq!(checked_hash(good).unwrap(), good);
        }
        let long = "a".repeat(crate::MAX_TEXT_CHARS + 1);
        assert!(checked_hash(&long).is_err());
    }
}
