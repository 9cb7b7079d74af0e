//! `NewKey`: what `POST /keys` creates, validated before anything is sent.

use super::open_enum::LimitReset;
use super::timestamp::Timestamp;
use crate::error::{Error, Result};
use crate::hash::checked_id;
use crate::input_field::InputField;
use crate::text_bound::bounded;
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

    /// When the key expires: RFC 3339 text (`"2027-12-31T23:59:59Z"`, any offset), a
    /// `time::OffsetDateTime`, a `SystemTime` or a [`Timestamp`].
    ///
    /// It is sent in UTC to the second, as the API requires (OpenRouter's spec asks for UTC;
    /// its TypeScript SDK's docs for seconds): an offset is converted, fractions of a second
    /// are dropped. Text that is not RFC 3339, or a time outside the years 0000–9999, makes
    /// the create fail with [`Error::InvalidInput`] before anything is sent.
    ///
    /// ```
    /// use openrouter_keys::NewKey;
    /// use std::time::{Duration, SystemTime};
    ///
    /// let text = NewKey::new("a").expires_at("2027-12-31T23:59:59Z");
    /// let offset = NewKey::new("b").expires_at("2028-01-01T01:59:59+02:00"); // same instant
    /// let in_a_month = NewKey::new("c").expires_at(SystemTime::now() + Duration::from_secs(30 * 86_400));
    /// ```
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

    /// Checks the key as [`Keys::create`](crate::Keys::create) does before sending anything,
    /// without sending: a blank name, text longer than [`MAX_TEXT_CHARS`](crate::MAX_TEXT_CHARS),
    /// a limit that is not an amount, an expiry that is not RFC 3339, a reset this version
    /// cannot send. For programs that check many keys before creating any (a bulk tool
    /// that reports every bad row at once).
    ///
    /// ```
    /// use openrouter_keys::{Error, InputField, NewKey};
    ///
    /// assert!(NewKey::new("ci").limit(25.0).validate().is_ok());
    /// let refused = NewKey::new("ci").limit(-1.0).validate().unwrap_err();
    /// assert!(matches!(refused, Error::InvalidInput { what: InputField::Limit, .. }));
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.to_body().map(drop)
    }

    /// The partner secret this key's body carries, if any.
    pub(crate) fn partner_secret(&self) -> Option<&SecretString> {
        self.external.as_ref().and_then(|e| e.api_key.as_ref())
    }

    /// The request body, or the reason this key cannot be created.
    pub(crate) fn to_body(&self) -> Result<types::CreateKeyRequest> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid(
                InputField::Name,
                "a key needs a non-empty name",
            ));
        }
        bounded(InputField::Name, &self.name)?;
        let name = types::CreateKeyRequestName::try_from(self.name.clone())
            .map_err(|e| Error::invalid(InputField::Name, e.to_string()))?;
        if let Some(user_id) = &self.creator_user_id {
            checked_id(user_id, InputField::CreatorUserId)?;
        }
        if let Some(workspace_id) = &self.workspace_id {
            checked_id(workspace_id, InputField::WorkspaceId)?;
        }
        let expires_at = match &self.expires_at {
            Some(at) => Some(at.to_utc_seconds().ok_or_else(|| {
                Error::invalid_with_hint(
                    InputField::ExpiresAt,
                    format!("`{}` is not an RFC 3339 time", at.as_str().escape_debug()),
                    "Give a date, a time to the second and an offset, in the years 0000–9999, \
                     such as 2027-12-31T23:59:59Z",
                )
            })?),
            None => None,
        };
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
            expires_at,
            // Both ids were checked above (`checked_id`: bounded, never empty).
            creator_user_id: self
                .creator_user_id
                .clone()
                .map(types::CreateKeyRequestCreatorUserId::try_from)
                .transpose()
                .map_err(|_| Error::invalid(InputField::CreatorUserId, "cannot be empty"))?,
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
                        Error::invalid(InputField::ExternalApiKey, "must be at least 32 characters")
                    })?,
            ),
            None => None,
        };
        Ok(types::ExternalIdentity {
            user: bounded(InputField::ExternalUser, &self.user)?.to_string(),
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
            InputField::Limit,
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
            return Err(Error::invalid_with_hint(
                InputField::LimitReset,
                format!("`{text}` is not an interval this version can send"),
                "Send `LimitReset::Daily`, `Weekly` or `Monthly`",
            ));
        }
    };
    Ok(Some(inner).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    fn sent(new_key: NewKey) -> Result<Option<String>> {
        new_key.to_body().map(|body| body.expires_at)
    }

    #[test]
    fn expires_at_is_sent_in_utc_to_the_second() {
        let at = |value: &str| sent(NewKey::new("x").expires_at(value)).unwrap();
        assert_eq!(
            at("2027-12-31T23:59:59Z").as_deref(),
            Some("2027-12-31T23:59:59Z")
        );
        assert_eq!(
            at("2028-01-01T01:59:59+02:00").as_deref(),
            Some("2027-12-31T23:59:59Z")
        );
        assert_eq!(
            at("2027-12-31T23:59:59.750Z").as_deref(),
            Some("2027-12-31T23:59:59Z")
        );
        let owned = String::from("2027-06-01T00:00:00-05:00");
        assert_eq!(
            sent(NewKey::new("x").expires_at(owned)).unwrap().as_deref(),
            Some("2027-06-01T05:00:00Z")
        );
        let system = UNIX_EPOCH + Duration::from_secs(1_830_297_599) + Duration::from_millis(5);
        assert_eq!(
            sent(NewKey::new("x").expires_at(system))
                .unwrap()
                .as_deref(),
            Some("2027-12-31T23:59:59Z")
        );
        let offset = time::OffsetDateTime::from_unix_timestamp(1_830_297_599)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(9, 0, 0).unwrap());
        assert_eq!(
            sent(NewKey::new("x").expires_at(offset))
                .unwrap()
                .as_deref(),
            Some("2027-12-31T23:59:59Z")
        );
        assert_eq!(sent(NewKey::new("x")).unwrap(), None);
    }

    #[test]
    fn expires_at_that_cannot_be_converted_is_refused_before_sending() {
        for bad in [
            "2027-12-31",
            "2027-12-31T23:59Z",
            "tomorrow",
            "2027-12-31 23:59:59",
        ] {
            let error = sent(NewKey::new("x").expires_at(bad)).unwrap_err();
            assert!(
                matches!(
                    &error,
                    Error::InvalidInput {
                        what: InputField::ExpiresAt,
                        ..
                    }
                ),
                "{bad}: {error}"
            );
        }
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        assert!(sent(NewKey::new("x").expires_at(far)).is_err());
    }

    #[test]
    fn text_longer_than_the_bound_is_refused_before_sending_and_not_echoed() {
        let long = "é".repeat(crate::MAX_TEXT_CHARS + 1);
        let at_bound = "é".repeat(crate::MAX_TEXT_CHARS);
        for (key, field) in [
            (NewKey::new(long.clone()), InputField::Name),
            (
                NewKey::new("x").workspace_id(long.clone()),
                InputField::WorkspaceId,
            ),
            (
                NewKey::new("x").creator_user_id(long.clone()),
                InputField::CreatorUserId,
            ),
            (
                NewKey::new("x").external(ExternalIdentity::new(long.clone())),
                InputField::ExternalUser,
            ),
        ] {
            match key.validate() {
                Err(Error::InvalidInput { what, reason, .. }) => {
                    assert_eq!(what, field);
                    assert!(reason.contains("1001 characters"), "{reason}");
                    assert!(!reason.contains('é'), "the text is not echoed: {reason}");
                }
                other => panic!("{field}: {other:?}"),
            }
        }
        // Counted in characters, not bytes: 1,000 two-byte characters pass.
        assert!(NewKey::new(at_bound.clone()).validate().is_ok());
        assert!(
            NewKey::new("x")
                .external(ExternalIdentity::new(at_bound))
                .validate()
                .is_ok()
        );
    }
}
