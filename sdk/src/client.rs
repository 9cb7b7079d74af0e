//! `Client` and `ClientBuilder`: configuration, validated once, shared by every call.
//!
//! A `Client` is an `Arc` around immutable settings and one `reqwest::Client` (one connection
//! pool), so it is cheap to clone and `Send + Sync`. The API key lives in a `SecretString`
//! and, once built, in a header value marked sensitive; neither appears in `Debug`. The
//! generated client every call builds its requests with is built here, once, on the same
//! `reqwest::Client`.

use crate::config_error::{ConfigError, Setting};
use crate::error::{Error, Result};
use crate::key_source::KeySource;
use crate::redact::redact_keys;
use crate::retry::RetryPolicy;
use crate::retry_notice::{RetryHook, RetryNotice};
use crate::shown_url::ShownUrl;
use crate::sleep::{AsyncSleep, TokioSleep};
use crate::transport::ClientTransport;
use openrouter_keys_codegen as codegen;
use reqwest::header::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// OpenRouter's API base URL.
pub const DEFAULT_BASE_URL: &str = "https://openrouter.ai/api/v1";
/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one attempt, from sending to the end of the response body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

const USER_AGENT: &str = concat!("openrouter-keys-rust/", env!("CARGO_PKG_VERSION"));

/// A client for OpenRouter's API-key management API.
///
/// ```no_run
/// # async fn run() -> Result<(), openrouter_keys::Error> {
/// use openrouter_keys::Client;
///
/// let client = Client::from_env()?; // OPENROUTER_API_KEY, OPENROUTER_BASE_URL, ...
/// let me = client.current_key().await?;
/// println!("{:?} has used {:?} USD", me.label, me.usage.total);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) shared: Arc<Shared>,
}

/// Settings every call reads.
pub(crate) struct Shared {
    pub base_url: String,
    /// The generated client, whose builders build every call's requests.
    pub generated: codegen::Client,
    /// The HTTP client every call sends with (one connection pool, shared with `generated`).
    pub http: reqwest::Client,
    /// The hooks around every request (credential, headers, timeout, what the attempt saw);
    /// it also keeps the key, to scrub it from anything the server says back.
    pub transport: ClientTransport,
    pub timeout: Duration,
    /// The connect timeout, when this crate built the HTTP client (for error messages).
    pub connect_timeout: Option<Duration>,
    /// Where the API key came from, for messages about it.
    pub key_source: KeySource,
    pub retry: RetryPolicy,
    pub sleep: Arc<dyn AsyncSleep>,
    /// Told of every retry before its wait.
    pub on_retry: Option<RetryHook>,
    pub jitter: Mutex<fastrand::Rng>,
}

impl Shared {
    /// A uniform random number in `[0, 1)` for backoff jitter.
    pub fn random(&self) -> f64 {
        match self.jitter.lock() {
            Ok(mut rng) => rng.f64(),
            Err(poisoned) => poisoned.into_inner().f64(),
        }
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &ShownUrl::of(&self.base_url))
            .field("api_key", &"[REDACTED]")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shared.fmt(f)
    }
}

impl Client {
    /// A builder; [`ClientBuilder::api_key`] is the one required setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env().build()
    }

    /// The base URL calls go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Where this client's API key came from, as given to
    /// [`ClientBuilder::api_key_from`] (or [`KeySource::Env`] for
    /// [`from_env`](ClientBuilder::from_env), [`KeySource::InCode`] for
    /// [`api_key`](ClientBuilder::api_key)).
    ///
    /// ```
    /// use openrouter_keys::{Client, KeySource};
    ///
    /// let client = Client::builder()
    ///     .api_key_from("sk-or-v1-example", KeySource::File("/run/secrets/or".into()))
    ///     .build()?;
    /// assert_eq!(client.key_source().to_string(), "the API key from file `/run/secrets/or`");
    /// # Ok::<(), openrouter_keys::Error>(())
    /// ```
    pub fn key_source(&self) -> &KeySource {
        &self.shared.key_source
    }
}

/// Builds a [`Client`]; every setting is checked in [`build`](ClientBuilder::build).
///
/// ```
/// use openrouter_keys::{Client, RetryPolicy};
/// use std::time::Duration;
///
/// let client = Client::builder()
///     .api_key("sk-or-v1-example")
///     .base_url("https://openrouter.ai/api/v1")
///     .timeout(Duration::from_secs(10))
///     .retry(RetryPolicy::default().max_attempts(5))
///     .app_title("My app")
///     .http_referer("https://my.app")
///     .build()?;
/// # Ok::<(), openrouter_keys::Error>(())
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<SecretString>,
    key_source: KeySource,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    app_title: Option<String>,
    http_referer: Option<String>,
    app_categories: Option<String>,
    http_client: Option<reqwest::Client>,
    sleep: Option<Arc<dyn AsyncSleep>>,
    on_retry: Option<RetryHook>,
    jitter_seed: Option<u64>,
    /// Settings other than the key read from the environment (the key's origin is
    /// `key_source`): errors about them name the variable.
    from_env: Vec<Setting>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What the user gave, never a credential: URLs without user name, password, query
        // and fragment, and no `sk-or-…` token in any text.
        let scrubbed = |text: &Option<String>| text.as_deref().map(redact_keys);
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("base_url", &self.base_url.as_deref().map(ShownUrl::of))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("app_title", &scrubbed(&self.app_title))
            .field(
                "http_referer",
                &self.http_referer.as_deref().map(ShownUrl::of),
            )
            .field("app_categories", &scrubbed(&self.app_categories))
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// A builder filled from the environment variables OpenRouter's SDKs read:
    /// `OPENROUTER_API_KEY`, `OPENROUTER_BASE_URL`, `OPENROUTER_HTTP_REFERER`,
    /// `OPENROUTER_APP_TITLE` (and `OPENROUTER_APP_CATEGORIES`). Unset or empty variables are
    /// skipped; `build()` reports a missing key.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut from_env = Vec::new();
        let mut var = |setting: Setting| {
            let name = setting.env_var()?;
            let value = lookup(name).filter(|v| !v.trim().is_empty());
            if value.is_some() {
                from_env.push(setting);
            }
            value
        };
        let api_key = var(Setting::ApiKey).map(SecretString::from);
        let base_url = var(Setting::BaseUrl);
        let http_referer = var(Setting::HttpReferer);
        let app_title = var(Setting::AppTitle);
        let app_categories = var(Setting::AppCategories);
        from_env.retain(|setting| *setting != Setting::ApiKey);
        let key_source = api_key
            .as_ref()
            .and(Setting::ApiKey.env_var())
            .map_or(KeySource::InCode, |name| KeySource::Env(name.to_string()));
        Self {
            api_key,
            key_source,
            base_url,
            http_referer,
            app_title,
            app_categories,
            from_env,
            ..Self::default()
        }
    }

    /// Forgets that `setting` came from the environment (it was set in code).
    fn set_in_code(&mut self, setting: Setting) {
        self.from_env.retain(|from_env| *from_env != setting);
    }

    /// " (from OPENROUTER_…)" when `setting` came from the environment.
    fn origin(&self, setting: Setting) -> String {
        match setting.env_var() {
            Some(var) if self.from_env.contains(&setting) => format!(" (from {var})"),
            _ => String::new(),
        }
    }

    /// The API key sent as `Authorization: Bearer`, passed in code
    /// ([`KeySource::InCode`]). Management operations need a management key;
    /// `current_key()` works with any key.
    pub fn api_key(self, key: impl Into<String>) -> Self {
        self.api_key_from(key, KeySource::InCode)
    }

    /// The API key, and where it came from: messages about the key (empty, malformed,
    /// refused with 401) name its source, as in "The API key (from file `/run/secrets/or`)
    /// was refused".
    ///
    /// ```
    /// use openrouter_keys::{Client, KeySource};
    ///
    /// let error = Client::builder()
    ///     .api_key_from(" ", KeySource::Env("MY_OPENROUTER_KEY".into()))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "invalid client configuration: the API key (from MY_OPENROUTER_KEY) is empty"
    /// );
    /// ```
    pub fn api_key_from(mut self, key: impl Into<String>, source: KeySource) -> Self {
        self.api_key = Some(SecretString::from(key.into()));
        self.key_source = source;
        self
    }

    /// Where the API is (default [`DEFAULT_BASE_URL`]); an `http` URL is fine for tests.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self.set_in_code(Setting::BaseUrl);
        self
    }

    /// Time allowed for one attempt (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time allowed to connect (default [`DEFAULT_CONNECT_TIMEOUT`]); not applied to a
    /// client given with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How calls retry (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Your app's name, sent as `X-OpenRouter-Title`.
    pub fn app_title(mut self, title: impl Into<String>) -> Self {
        self.app_title = Some(title.into());
        self.set_in_code(Setting::AppTitle);
        self
    }

    /// Your app's URL, sent as `HTTP-Referer`.
    pub fn http_referer(mut self, url: impl Into<String>) -> Self {
        self.http_referer = Some(url.into());
        self.set_in_code(Setting::HttpReferer);
        self
    }

    /// Your app's categories (comma-separated), sent as `X-OpenRouter-Categories`.
    pub fn app_categories(mut self, categories: impl Into<String>) -> Self {
        self.app_categories = Some(categories.into());
        self.set_in_code(Setting::AppCategories);
        self
    }

    /// Sends through this `reqwest::Client` (its pool, proxy and TLS settings) instead of one
    /// built here; make it with [`http_client_builder`]. The SDK still sets the per-attempt
    /// timeout on every request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Replaces how the client waits between attempts (default: the tokio timer).
    pub fn sleep_impl(mut self, sleep: Arc<dyn AsyncSleep>) -> Self {
        self.sleep = Some(sleep);
        self
    }

    /// Calls `hook` before every wait between attempts, with the operation, the attempt
    /// that failed, its status and the wait (see [`RetryNotice`]): for example to tell a
    /// user watching a terminal why nothing happens during a long `Retry-After`. The hook
    /// runs on the call's task: keep it quick.
    pub fn on_retry(mut self, hook: impl Fn(&RetryNotice) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(hook));
        self
    }

    /// Seeds the backoff jitter, making retry waits reproducible (for tests).
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Checks every setting and builds the client.
    ///
    /// Fails with [`Error::Config`] naming the setting ([`ConfigError::setting`], and in its
    /// reason the key's source or the environment variable a setting came from, for
    /// [`from_env`](Self::from_env)) when one is unusable: no key, a key with
    /// characters a header cannot carry or that are not ASCII, a base URL that is not an
    /// absolute `http(s)` URL (or is `https://openrouter.ai` without the API's path), a zero
    /// timeout or deadline, an `https` base URL in a build without a TLS feature.
    pub fn build(self) -> Result<Client> {
        let key_error = |reason: String| Error::Config(ConfigError::new(Setting::ApiKey, reason));
        // A key that will not do is best copied again from where it came from.
        let copy_again = |reason: String| {
            Error::Config(ConfigError::new(Setting::ApiKey, reason).with_hint("Copy it again"))
        };
        let key = self.api_key.as_ref().ok_or_else(|| {
            Error::Config(ConfigError::new(Setting::ApiKey, "no API key").with_hint(
                "Call `.api_key(..)` or set OPENROUTER_API_KEY (a management key: every \
                 operation but `current_key()` needs one)",
            ))
        })?;
        let key_origin = self.key_source.parenthetical();
        let key = key.expose_secret().trim();
        if key.is_empty() {
            return Err(key_error(format!("the API key{key_origin} is empty")));
        }
        // The key is never echoed, not even in part.
        if let Some(at) = key.chars().position(|c| !c.is_ascii()) {
            // A header value may carry such bytes, so the server would get (and refuse) a key
            // that cannot be right: a byte order mark from a file, a typographic dash.
            return Err(copy_again(format!(
                "the API key{key_origin} contains a character that is not ASCII (character {} \
                 of the key{}): the key goes in an HTTP header, where this client sends only \
                 ASCII",
                at + 1,
                if key.starts_with('\u{feff}') {
                    ", a byte order mark at its start"
                } else {
                    ""
                }
            )));
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
            copy_again(format!(
                "the API key{key_origin} contains characters not allowed in a header (a line \
                 break or another control character?)"
            ))
        })?;
        authorization.set_sensitive(true);
        let api_key = SecretString::from(key.to_string());

        let base_url = checked_base_url(
            self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            &self.origin(Setting::BaseUrl),
        )?;
        let mut attribution = Vec::new();
        for (setting, name, value) in [
            (Setting::HttpReferer, "http-referer", &self.http_referer),
            (Setting::AppTitle, "x-openrouter-title", &self.app_title),
            (
                Setting::AppCategories,
                "x-openrouter-categories",
                &self.app_categories,
            ),
        ] {
            if let Some(value) = value {
                let header = HeaderValue::from_str(value).map_err(|_| {
                    // The referer is a URL the user gave: shown without its credentials.
                    let shown = match setting {
                        Setting::HttpReferer => {
                            let url = ShownUrl::of(value);
                            format!("`{url}`{}", url.note())
                        }
                        _ => format!("`{}`", redact_keys(value).escape_debug()),
                    };
                    Error::Config(ConfigError::new(
                        setting,
                        format!(
                            "{shown}{} is not a valid value for the {name} header (control \
                             characters or non-ASCII?)",
                            self.origin(setting)
                        ),
                    ))
                })?;
                attribution.push((HeaderName::from_static(name), header));
            }
        }
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            return Err(Error::Config(ConfigError::new(
                Setting::Timeout,
                "the timeout must be more than zero",
            )));
        }
        let retry = self.retry.unwrap_or_default();
        if retry.call_deadline().is_zero() {
            return Err(Error::Config(ConfigError::new(
                Setting::Retry,
                "the retry policy's deadline must be more than zero",
            )));
        }
        check_tls(&base_url, self.http_client.is_some())?;
        let connect_timeout = self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let (http, connect_timeout) = match self.http_client {
            Some(client) => (client, None),
            None => (default_http_client(connect_timeout)?, Some(connect_timeout)),
        };
        let jitter = match self.jitter_seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        let transport = ClientTransport {
            api_key,
            authorization,
            user_agent: HeaderValue::from_static(USER_AGENT),
            attribution,
        };
        Ok(Client {
            shared: Arc::new(Shared {
                // No transport of its own: calls send the requests it builds themselves.
                generated: codegen::Client::new_with_client(&base_url, http.clone()),
                http,
                transport,
                base_url,
                timeout,
                connect_timeout,
                key_source: self.key_source,
                retry,
                sleep: self.sleep.unwrap_or_else(|| Arc::new(TokioSleep)),
                on_retry: self.on_retry,
                jitter: Mutex::new(jitter),
            }),
        })
    }
}

/// An `https` base URL needs TLS: a build without a TLS feature fails at `build()` rather
/// than on every call (unless the caller brings its own, TLS-capable, HTTP client).
fn check_tls(base_url: &str, own_http_client: bool) -> Result<()> {
    let has_tls = cfg!(any(feature = "rustls", feature = "native-tls"));
    if has_tls || own_http_client || !base_url.starts_with("https:") {
        return Ok(());
    }
    Err(no_tls(base_url))
}

/// The error of an `https` base URL in a build without TLS.
pub(crate) fn no_tls(base_url: &str) -> Error {
    let base_url = ShownUrl::of(base_url);
    Error::Config(
        ConfigError::new(
            Setting::BaseUrl,
            format!(
                "the base URL `{base_url}` uses https, but openrouter-keys was built without TLS"
            ),
        )
        .with_hint(
            "Enable its `rustls` (default) or `native-tls` feature, or pass a TLS-capable \
             client with `ClientBuilder::http_client`",
        ),
    )
}

/// An absolute http(s) URL without credentials, query or fragment, returned without a
/// trailing slash. `origin` says where the text came from (" (from OPENROUTER_BASE_URL)").
/// Its errors show the URL without its user name, password, query and fragment, and say so.
fn checked_base_url(raw: &str, origin: &str) -> Result<String> {
    let shown = ShownUrl::of(raw);
    let note = shown.note();
    let refused = |why: &str| {
        ConfigError::new(
            Setting::BaseUrl,
            format!("the base URL `{shown}`{origin} {why}{note}"),
        )
    };
    let bad = |why: String| Error::Config(refused(&why));
    let trimmed = raw.trim();
    if !trimmed.is_empty() && !trimmed.contains("://") {
        // `openrouter.ai/api/v1` does not parse; `localhost:8080/api` parses with
        // `localhost` as its scheme.
        let write = format!("Write `https://{shown}`");
        return Err(Error::Config(refused("has no scheme").with_hint(write)));
    }
    // The parser's message names no part of the URL.
    let url = reqwest::Url::parse(trimmed).map_err(|e| bad(format!("is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must use http or https".to_string()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "must not contain a user name or password (the API key is the only credential)"
                .to_string(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() || url.cannot_be_a_base() {
        return Err(bad("cannot have a query or fragment".to_string()));
    }
    // OpenRouter's own host without the API's path: every call would get a web page.
    if matches!(url.host_str(), Some("openrouter.ai" | "www.openrouter.ai"))
        && matches!(url.path(), "" | "/")
    {
        let write = format!("Write `{DEFAULT_BASE_URL}`");
        return Err(Error::Config(
            refused("lacks the API's path").with_hint(write),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// A `reqwest::ClientBuilder` set up as the SDK's own HTTP client is (no redirects, the
/// default connect timeout), to customise (proxy, pool, ...) and pass to
/// [`ClientBuilder::http_client`].
///
/// It follows no redirect (reqwest's default follows ten): OpenRouter's API is not documented
/// to redirect, and following one would turn a `POST /keys` into a `GET` (the create then
/// looks like it succeeded without a key) and send the call's own headers to whatever server
/// the redirect names. A redirect comes back as an [`Error::Api`] with the status and a hint
/// that names where it pointed.
///
/// It installs nothing process-wide: with the default `rustls` feature, the client it builds
/// uses the rustls crypto provider the application installed as the process default, if any,
/// and otherwise reqwest's own (aws-lc-rs), given to that client alone. Another provider (ring,
/// say) comes with reqwest's `rustls-no-provider` feature and this crate's default features
/// off, as the crate's [Cargo features](crate#cargo-features) say.
///
/// ```
/// let http = openrouter_keys::http_client_builder()
///     .pool_max_idle_per_host(4)
///     .build()
///     .expect("a TLS-capable client");
/// let client = openrouter_keys::Client::builder()
///     .api_key("sk-or-v1-example")
///     .http_client(http)
///     .build()?;
/// # Ok::<(), openrouter_keys::Error>(())
/// ```
pub fn http_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
}

fn default_http_client(connect_timeout: Duration) -> Result<reqwest::Client> {
    http_client_builder()
        .connect_timeout(connect_timeout)
        .build()
        .map_err(|e| {
            Error::Config(ConfigError::new(
                Setting::HttpClient,
                format!("the HTTP client could not be built: {e}"),
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_normalised() {
        assert_eq!(
            checked_base_url("https://openrouter.ai/api/v1/", "").unwrap(),
            "https://openrouter.ai/api/v1"
        );
        assert_eq!(
            checked_base_url("http://127.0.0.1:8080", "").unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in [
            "",
            "openrouter.ai",
            "ftp://x",
            "https://x/?a=1",
            "https://x/#f",
            "mailto:a@b",
            "https://user:pass@x/api/v1",
            "https://openrouter.ai",
            "https://openrouter.ai/",
        ] {
            assert!(checked_base_url(bad, "").is_err(), "{bad}");
        }
        for no_scheme in ["openrouter.ai/api/v1", "localhost:8080/api/v1"] {
            let error = checked_base_url(no_scheme, "").unwrap_err();
            let hint = format!("Write `https://{no_scheme}`");
            assert_eq!(error.hint().as_deref(), Some(hint.as_str()));
            assert!(!error.summary().contains("Write"), "{error}");
            assert!(error.to_string().ends_with(&format!(". {hint}")), "{error}");
        }
    }

    #[test]
    fn bad_settings_fail_at_build_not_panic() {
        let err = |b: ClientBuilder| b.build().unwrap_err().to_string();
        assert!(err(Client::builder()).contains("no API key"));
        assert!(err(Client::builder().api_key("  ")).contains("empty"));
        assert!(err(Client::builder().api_key("a\nb")).contains("not allowed"));
        // A byte order mark from a key file, a typographic dash: refused, and not echoed.
        let bom = err(Client::builder().api_key("\u{feff}sk-or-v1-secret"));
        assert!(bom.contains("byte order mark"), "{bom}");
        assert!(!bom.contains("secret"), "{bom}");
        let dash = err(Client::builder().api_key("sk\u{2013}or-v1-secret"));
        assert!(dash.contains("character 3 of the key"), "{dash}");
        assert!(err(Client::builder().api_key("k").base_url("nope")).contains("no scheme"));
        assert!(
            err(Client::builder().api_key("k").app_title("a\u{7}b")).contains("x-openrouter-title")
        );
        assert!(err(Client::builder().api_key("k").timeout(Duration::ZERO)).contains("timeout"));
    }

    #[test]
    fn env_lookup_reads_the_official_variables() {
        let env = |name: &str| match name {
            "OPENROUTER_API_KEY" => Some("sk-or-v1-sentinel".to_string()),
            "OPENROUTER_BASE_URL" => Some("http://127.0.0.1:1/api/v1/".to_string()),
            "OPENROUTER_APP_TITLE" => Some("Title".to_string()),
            "OPENROUTER_HTTP_REFERER" => Some(String::new()),
            _ => None,
        };
        let client = ClientBuilder::from_lookup(env).build().unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:1/api/v1");
        assert_eq!(client.shared.transport.attribution.len(), 1);
        assert_eq!(
            client.key_source(),
            &KeySource::Env("OPENROUTER_API_KEY".to_string())
        );
        // A key set in code after reading the environment is not blamed on it.
        let in_code = ClientBuilder::from_lookup(env)
            .api_key("k")
            .build()
            .unwrap();
        assert_eq!(in_code.key_source(), &KeySource::InCode);
        let missing = ClientBuilder::from_lookup(|_| None).build().unwrap_err();
        assert!(missing.to_string().contains("OPENROUTER_API_KEY"));
    }

    #[test]
    fn errors_from_env_name_the_variable_and_echo_no_control_characters() {
        let env = |key: &'static str, value: &'static str| {
            move |name: &str| match name {
                "OPENROUTER_API_KEY" if key == "OPENROUTER_API_KEY" => Some(value.to_string()),
                "OPENROUTER_API_KEY" => Some("sk-or-v1-fine".to_string()),
                _ if name == key => Some(value.to_string()),
                _ => None,
            }
        };
        let message = |key, value| {
            ClientBuilder::from_lookup(env(key, value))
                .build()
                .unwrap_err()
                .to_string()
        };
        let bad_url = message("OPENROUTER_BASE_URL", "openrouter.ai/api/v1\u{1b}[2J");
        assert!(bad_url.contains("(from OPENROUTER_BASE_URL)"), "{bad_url}");
        assert!(
            bad_url.contains("Write `https://openrouter.ai/api/v1"),
            "{bad_url}"
        );
        assert!(!bad_url.contains('\u{1b}'), "{bad_url}");
        let bad_key = message("OPENROUTER_API_KEY", "sk-or-v1-SENTINEL\nsecond-line");
        assert!(bad_key.contains("(from OPENROUTER_API_KEY)"), "{bad_key}");
        assert!(!bad_key.contains("SENTINEL"), "{bad_key}");
        let bad_title = message("OPENROUTER_APP_TITLE", "My\u{7}App");
        assert!(
            bad_title.contains("(from OPENROUTER_APP_TITLE)"),
            "{bad_title}"
        );
        assert!(!bad_title.contains('\u{7}'), "{bad_title}");
        // A value set in code is not blamed on the environment.
        let in_code = ClientBuilder::from_lookup(env("OPENROUTER_BASE_URL", "https://ok"))
            .base_url("nope")
            .build()
            .unwrap_err()
            .to_string();
        assert!(!in_code.contains("OPENROUTER_BASE_URL"), "{in_code}");
        // A zero deadline would fail every call.
        let zero_deadline = Client::builder()
            .api_key("k")
            .retry(RetryPolicy::default().deadline(Duration::ZERO))
            .build()
            .unwrap_err()
            .to_string();
        assert!(zero_deadline.contains("deadline"), "{zero_deadline}");
    }

    /// Without a TLS feature (`cargo test -p openrouter-keys --no-default-features --lib`,
    /// which CI runs), an `https` base URL fails at `build()`, naming the features.
    #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
    #[test]
    fn an_https_base_url_without_tls_fails_at_build() {
        let message = Client::builder()
            .api_key("k")
            .build()
            .unwrap_err()
            .to_string();
        assert!(message.contains("`rustls`"), "{message}");
        assert!(message.contains("`native-tls`"), "{message}");
        assert!(
            Client::builder()
                .api_key("k")
                .base_url("http://127.0.0.1:1")
                .build()
                .is_ok()
        );
    }
}
