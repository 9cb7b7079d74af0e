//! Where a client's API key came from, so that a message about the key (empty, malformed,
//! refused with 401) can say which key it means.
//!
//! The SDK knows the source when it read the key itself ([`ClientBuilder::from_env`]); a
//! caller that read it elsewhere (a file, a keyring) says so with
//! [`ClientBuilder::api_key_from`], and gets it back from [`Client::key_source`].
//!
//! [`ClientBuilder::from_env`]: crate::ClientBuilder::from_env
//! [`ClientBuilder::api_key_from`]: crate::ClientBuilder::api_key_from
//! [`Client::key_source`]: crate::Client::key_source

use std::fmt;
use std::path::PathBuf;

/// Where the API key came from, as given to
/// [`ClientBuilder::api_key_from`](crate::ClientBuilder::api_key_from).
///
/// `Display` gives the words messages use for the key:
///
/// ```
/// use openrouter_keys::KeySource;
/// use std::path::PathBuf;
///
/// assert_eq!(KeySource::InCode.to_string(), "the API key");
/// assert_eq!(
///     KeySource::Env("OPENROUTER_API_KEY".into()).to_string(),
///     "the API key from OPENROUTER_API_KEY"
/// );
/// assert_eq!(
///     KeySource::File(PathBuf::from("/run/secrets/openrouter")).to_string(),
///     "the API key from file `/run/secrets/openrouter`"
/// );
/// assert_eq!(
///     KeySource::Described("from the system keyring".into()).to_string(),
///     "the API key from the system keyring"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeySource {
    /// Passed in code ([`ClientBuilder::api_key`](crate::ClientBuilder::api_key)): messages
    /// say only "the API key".
    #[default]
    InCode,
    /// Read from this environment variable (its name, e.g. `OPENROUTER_API_KEY`).
    Env(String),
    /// Read from this file.
    File(PathBuf),
    /// Where it came from in the caller's words, as they read after "the API key" (e.g.
    /// `"from the system keyring"`).
    Described(String),
}

impl KeySource {
    /// " (from OPENROUTER_API_KEY)", " (from file `/path`)", " (words)", or nothing for a key
    /// passed in code: the origin as messages put it after "the API key".
    pub(crate) fn parenthetical(&self) -> Parenthetical<'_> {
        Parenthetical(self)
    }

    /// Where the key came from, without "the API key" (`None` for a key passed in code).
    fn origin(&self, f: &mut fmt::Formatter<'_>) -> Option<fmt::Result> {
        Some(match self {
            KeySource::InCode => return None,
            KeySource::Env(name) => write!(f, "from {name}"),
            KeySource::File(path) => write!(f, "from file `{}`", path.display()),
            KeySource::Described(words) => f.write_str(words),
        })
    }
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the API key")?;
        if matches!(self, KeySource::InCode) {
            return Ok(());
        }
        f.write_str(" ")?;
        self.origin(f).unwrap_or(Ok(()))
    }
}

/// See [`KeySource::parenthetical`].
pub(crate) struct Parenthetical<'a>(&'a KeySource);

impl fmt::Display for Parenthetical<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if matches!(self.0, KeySource::InCode) {
            return Ok(());
        }
        f.write_str(" (")?;
        self.0.origin(f).unwrap_or(Ok(()))?;
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_reads_in_parentheses_after_the_key() {
        let cases = [
            (KeySource::InCode, ""),
            (
                KeySource::Env("OPENROUTER_API_KEY".into()),
                " (from OPENROUTER_API_KEY)",
            ),
            (KeySource::File("/k".into()), " (from file `/k`)"),
            (
                KeySource::Described("from a vault".into()),
                " (from a vault)",
            ),
        ];
        for (source, expected) in cases {
            assert_eq!(source.parenthetical().to_string(), expected, "{source:?}");
        }
    }
}
