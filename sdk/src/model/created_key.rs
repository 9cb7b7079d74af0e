//! `CreatedKey`: the answer of `POST /keys`, the only place the plaintext key ever appears.

use super::key::Key;
use openrouter_keys_codegen::types;
use secrecy::SecretString;
use std::fmt;

/// A newly created key: its metadata and its plaintext secret.
///
/// The secret is returned by the API once, in this response only: store it now. `Debug`
/// shows it as `[REDACTED]`; read it with [`secrecy::ExposeSecret`].
///
/// ```no_run
/// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
/// use openrouter_keys::{NewKey, ExposeSecret};
///
/// let created = client.keys().create(NewKey::new("ci")).await?;
/// let plaintext: &str = created.secret().expose_secret();
/// # let _ = plaintext;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CreatedKey {
    key: Key,
    secret: SecretString,
}

impl From<types::CreatedKeyResponse> for CreatedKey {
    fn from(response: types::CreatedKeyResponse) -> Self {
        let types::CreatedKeyResponse { data, key } = response;
        Self {
            key: Key::from(data),
            secret: SecretString::from(key),
        }
    }
}

impl CreatedKey {
    /// The new key's metadata.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The plaintext key (`sk-or-v1-...`), to give to whoever will use it.
    pub fn secret(&self) -> &SecretString {
        &self.secret
    }

    /// Metadata and secret, by value.
    pub fn into_parts(self) -> (Key, SecretString) {
        (self.key, self.secret)
    }
}

impl fmt::Debug for CreatedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedKey")
            .field("key", &self.key)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}
