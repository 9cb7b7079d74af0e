//! Why a client could not be built: [`ConfigError`], naming the [`Setting`] at fault.
//!
//! Settings are named by a typed [`Setting`] rather than by text, both in the error and in
//! the builder's note of which settings came from the environment (a message about one of
//! those names its variable).

use std::borrow::Cow;
use std::fmt;

/// A setting of [`ClientBuilder`](crate::ClientBuilder), by the name of the builder method
/// that sets it.
///
/// ```
/// use openrouter_keys::Setting;
///
/// assert_eq!(Setting::BaseUrl.to_string(), "base_url");
/// assert_eq!(Setting::BaseUrl.env_var(), Some("OPENROUTER_BASE_URL"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// The API key ([`api_key`](crate::ClientBuilder::api_key),
    /// [`api_key_from`](crate::ClientBuilder::api_key_from)).
    ApiKey,
    /// [`base_url`](crate::ClientBuilder::base_url).
    BaseUrl,
    /// [`http_referer`](crate::ClientBuilder::http_referer).
    HttpReferer,
    /// [`app_title`](crate::ClientBuilder::app_title).
    AppTitle,
    /// [`app_categories`](crate::ClientBuilder::app_categories).
    AppCategories,
    /// [`timeout`](crate::ClientBuilder::timeout).
    Timeout,
    /// [`retry`](crate::ClientBuilder::retry).
    Retry,
    /// The HTTP client: the one built here (with
    /// [`connect_timeout`](crate::ClientBuilder::connect_timeout)), or one given with
    /// [`http_client`](crate::ClientBuilder::http_client).
    HttpClient,
}

impl Setting {
    /// The builder method's name, e.g. `"base_url"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::BaseUrl => "base_url",
            Self::HttpReferer => "http_referer",
            Self::AppTitle => "app_title",
            Self::AppCategories => "app_categories",
            Self::Timeout => "timeout",
            Self::Retry => "retry",
            Self::HttpClient => "http_client",
        }
    }

    /// The environment variable [`ClientBuilder::from_env`](crate::ClientBuilder::from_env)
    /// reads this setting from, if any.
    pub fn env_var(self) -> Option<&'static str> {
        match self {
            Self::ApiKey => Some("OPENROUTER_API_KEY"),
            Self::BaseUrl => Some("OPENROUTER_BASE_URL"),
            Self::HttpReferer => Some("OPENROUTER_HTTP_REFERER"),
            Self::AppTitle => Some("OPENROUTER_APP_TITLE"),
            Self::AppCategories => Some("OPENROUTER_APP_CATEGORIES"),
            Self::Timeout | Self::Retry | Self::HttpClient => None,
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why [`ClientBuilder::build`](crate::ClientBuilder::build) refused its settings, in
/// [`Error::Config`](crate::Error::Config).
///
/// ```
/// use openrouter_keys::{Client, Error, Setting};
///
/// let error = Client::builder().api_key("k").base_url("openrouter.ai/api/v1").build().unwrap_err();
/// let Error::Config(config) = &error else { panic!("{error:?}") };
/// assert_eq!(config.setting, Some(Setting::BaseUrl));
/// assert!(config.reason.contains("has no scheme"));
/// assert_eq!(config.hint(), Some("Write `https://openrouter.ai/api/v1`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigError {
    /// The setting at fault; `None` when no one setting is (none so far).
    pub setting: Option<Setting>,
    /// What is wrong with it, in words (`Display` of the error after "invalid client
    /// configuration: "); what to do about it is [`hint`](Self::hint).
    pub reason: String,
    hint: Option<Cow<'static, str>>,
}

impl ConfigError {
    pub(crate) fn new(setting: Setting, reason: impl Into<String>) -> Self {
        Self {
            setting: Some(setting),
            reason: reason.into(),
            hint: None,
        }
    }

    /// With this advice, for [`hint`](Self::hint).
    pub(crate) fn with_hint(mut self, hint: impl Into<Cow<'static, str>>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// What to write or do instead, when the SDK can tell: "Copy it again", "Write
    /// `https://openrouter.ai/api/v1`", "Call `.api_key(..)` or set OPENROUTER_API_KEY". Also
    /// part of `Display`, after `. `; `{:#}` leaves it out.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)?;
        if !f.alternate()
            && let Some(hint) = &self.hint
        {
            write!(f, ". {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}
