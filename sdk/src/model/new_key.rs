//! `NewKey`: what `POST /keys` creates, validated before anything is sent.

use super::open_enum::LimitReset;
use super::timestamp::Timestamp;
use crate::error::{Error, Result};
use openrouter_keys_codegen::types;
use secrecy::{ExposeSecret, SecretString};

/// A key to create.
///
/// ```
/// use openrouter_keys::{LimitReset, NewKey};
///
/// let new_key = NewKey::new("ci")
///     .limit(25.0)
///     .limit_reset(LimitReset::Monthly)
///     .include_byok_in_limit(true);
/// assert_eq!(new_key.name(), "ci");
/// ```
#[derive(Debug, Clone)]
pub struct NewKey {
    name: String,
    limit: Option<f64>,
    limit_reset: Option<LimitReset>,
    include_byok_in_limit: Option<bool>,
    expires_at: Option<Timestamp>,
    creator_user_id: Option<String>,
    workspace_id: Option<String>,
    external: Option<ExternalIdentity>,
}

impl NewKey {
    /// A key with this name (required, not empty) and no limit.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            limit: None,
            limit_reset: None,
            include_byok_in_limit: None,
            expires_at: None,
            creator_user_id: None,
            workspace_id: None,
            external: None,
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Spending limit in USD (finite, at least 0: the SDK's own rule, as OpenRouter documents
    /// no minimum).
    pub fn limit(mut self, usd: f64) -> Self {
        self.limit = Some(usd);
        self
    }

    /// How often the limit resets.
    pub fn limit_reset(mut self, reset: LimitReset) -> Self {
        self.limit_reset = Some(reset);
        self
    }

    /// Whether bring-your-own-key usage counts against the limit.
    pub fn include_byok_in_limit(mut self, include: bool) -> Self {
        self.include_byok_in_limit = Some(include);
        self
    }

    /// When the key expires: a `SystemTime`, or a [`Timestamp`] made from RFC 3339 text.
    pub fn expires_at(mut self, at: impl Into<Timestamp>) -> Self {
        self.expires_at = Some(at.into());
        self
    }

    /// The user to record as the key's creator (organization keys; not empty).
    pub fn creator_user_id(mut self, user_id: impl Into<String>) -> Self {
        self.creator_user_id = Some(user_id.into());
        self
    }

    /// The workspace to create the key in.
    pub fn workspace_id(mut self, workspace_id: impl Into<String>) -> Self {
        self.workspace_id = Some(workspace_id.into());
        self
    }

    /// Creates the key for a partner's user.
    pub fn external(mut self, identity: ExternalIdentity) -> Self {
        self.external = Some(identity);
        self
    }

    /// The request body, or the reason this key cannot be created.
    pub(crate) fn to_body(&self) -> Result<types::CreateKeyRequest> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid("name", "a key needs a non-empty name"));
        }
        let name = types::CreateKeyRequestName::try_from(self.name.clone())
            .map_err(|e| Error::invalid("name", e.to_string()))?;
        if self
            .expires_at
            .as_ref()
            .is_some_and(|t| t.datetime().is_none())
        {
            return Err(Error::invalid(
                "expires_at",
                "not an RFC 3339 timestamp such as 2027-12-31T23:59:59Z",
            ));
        }
        Ok(types::CreateKeyRequest {
            name,
            limit: self
                .limit
                .map(|usd| check_limit(usd).map(|l| l.into()))
                .transpose()?,
            limit_reset: self
                .limit_reset
                .as_ref()
                .map(wire_limit_reset)
                .transpose()?,
            include_byok_in_limit: self.include_byok_in_limit,
            expires_at: self.expires_at.as_ref().map(|t| t.as_str().to_string()),
            creator_user_id: self
                .creator_user_id
                .clone()
                .map(types::CreateKeyRequestCreatorUserId::try_from)
                .transpose()
                .map_err(|_| Error::invalid("creator_user_id", "cannot be empty"))?,
            workspace_id: self.workspace_id.clone(),
            external: self
                .external
                .as_ref()
                .map(ExternalIdentity::to_body)
                .transpose()?,
        })
    }
}

/// The partner identity a key is created for.
///
/// The partner's `api_key` is a secret: it is kept in a [`SecretString`] and never shown by
/// `Debug`.
#[derive(Debug, Clone)]
pub struct ExternalIdentity {
    user: String,
    api_key: Option<SecretString>,
}

impl ExternalIdentity {
    /// The partner's user identifier.
    pub fn new(user: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            api_key: None,
        }
    }

    /// The partner-supplied secret (at least 32 characters).
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(SecretString::from(api_key.into()));
        self
    }

    fn to_body(&self) -> Result<types::ExternalIdentity> {
        let api_key = match &self.api_key {
            Some(secret) => Some(
                types::ExternalIdentityApiKey::try_from(secret.expose_secret())
                    // The generated message quotes no value; keep it generic all the same.
                    .map_err(|_| {
                        Error::invalid("external.api_key", "must be at least 32 characters")
                    })?,
            ),
            None => None,
        };
        Ok(types::ExternalIdentity {
            user: self.user.clone(),
            api_key,
        })
    }
}

/// A limit the SDK sends: finite and not negative. OpenRouter documents no minimum; refusing
/// negative amounts is our rule.
pub(crate) fn check_limit(usd: f64) -> Result<Option<f64>> {
    if usd.is_finite() && usd >= 0.0 {
        Ok(Some(usd))
    } else {
        Err(Error::invalid(
            "limit",
            format!("{usd} is not a finite amount of USD at least 0"),
        ))
    }
}

/// The wire form of a limit interval; values this crate does not know cannot be sent.
pub(crate) fn wire_limit_reset(reset: &LimitReset) -> Result<types::LimitReset> {
    let inner = match reset {
        LimitReset::Daily => types::LimitResetInner::Daily,
        LimitReset::Weekly => types::LimitResetInner::Weekly,
        LimitReset::Monthly => types::LimitResetInner::Monthly,
        LimitReset::Unknown(text) => {
            return Err(Error::invalid(
                "limit_reset",
                format!("`{text}` is not an interval this version can send"),
            ));
        }
    };
    Ok(Some(inner).into())
}
