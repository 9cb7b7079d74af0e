//! [`Context`]: what every command runs with — the client and where its key came from, the
//! printer (and with it `--quiet`), what Ctrl-C saves and says, and the global settings
//! another client is built from.
//!
//! Every command is `async fn run(ctx: &Context, args: &ItsArgs) -> CliResult<Exit>`
//! (`commands/`). The client is built on first use, so that a command that needs no API
//! key (`completions`) runs without one; `commands::run` builds it before any other work for
//! the commands that call the API, so a missing key is the first thing said.

use crate::batch::pace::Pacer;
use crate::cli::GlobalArgs;
use crate::config::{ApiKey, api_key, base_url};
use crate::error::{CliError, CliResult};
use crate::interrupt::OnInterrupt;
use crate::print::Printer;
use openrouter_keys::{Client, Error, KeySource, RetryNotice, RetryPolicy};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The longest one API call lasts, all attempts and waits included (the SDK's deadline,
/// set here explicitly): a create a run died with had ended by its intent plus this.
pub const CALL_DEADLINE: Duration = Duration::from_secs(120);

pub struct Context {
    pub print: Printer,
    /// Every bulk loop's calls start through it (`batch/pace.rs`); the client's retry hook
    /// tells it when the server pushes back.
    pub pace: Arc<Pacer>,
    /// What Ctrl-C saves and says, registered by the command (see `interrupt.rs`).
    pub interrupt: OnInterrupt,
    settings: GlobalArgs,
    /// The client of the CLI's own key, which knows where the key came from.
    client: OnceLock<Client>,
    http: OnceLock<openrouter_keys::reqwest::Client>,
}

impl Context {
    pub fn new(settings: GlobalArgs) -> Self {
        let print = Printer::new(settings.quiet);
        Self {
            print,
            pace: Arc::new(Pacer::announcing(print)),
            interrupt: OnInterrupt::default(),
            settings,
            client: OnceLock::new(),
            http: OnceLock::new(),
        }
    }

    /// The client of the CLI's API key (`--api-key-file` or the environment), built on
    /// first use.
    pub fn client(&self) -> CliResult<&Client> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let ApiKey { key, source } = api_key(&self.settings)?;
        let client = self.build(key, source, base_url(&self.settings).as_deref())?;
        Ok(self.client.get_or_init(|| client))
    }

    /// A client with the same settings and base URL for another key (`rotate` checks a new
    /// key's secret with it); `source` says which key it is when it is refused.
    pub fn client_for(&self, key: &str, source: KeySource) -> CliResult<Client> {
        let base = self.client()?.base_url().to_string();
        self.build(key.to_string(), source, Some(&base))
    }

    /// An SDK error of a call made with the CLI's own key, for a shell user.
    pub fn api_error(&self, context: &str, error: &Error) -> CliError {
        let source = self
            .client
            .get()
            .map_or(&KeySource::InCode, |client| client.key_source());
        crate::sdk_error::render(context, error, source)
    }

    fn build(&self, key: String, source: KeySource, base: Option<&str>) -> CliResult<Client> {
        let mut builder = Client::builder()
            .api_key_from(key, source)
            .timeout(self.settings.timeout)
            .retry(
                RetryPolicy::default()
                    .max_attempts(self.settings.attempts)
                    .deadline(CALL_DEADLINE),
            )
            .app_title("openrouter-keys CLI");
        let (print, pace) = (self.print, self.pace.clone());
        builder = builder.on_retry(move |notice| {
            if pace.on_retry(notice) && !print.is_quiet() {
                announce_wait(print, notice);
            }
        });
        if let Some(url) = base {
            builder = builder.base_url(url);
        }
        // The SDK's summary says it already: "invalid client configuration: …".
        builder
            .http_client(self.http()?)
            .build()
            .map_err(|e| crate::sdk_error::render("", &e, &KeySource::InCode))
    }

    /// The one HTTP client (and connection pool) under every SDK client of the command:
    /// `rotate` checks each new key with a client of its own, and opening connections anew
    /// for each would cost every check a handshake.
    fn http(&self) -> CliResult<openrouter_keys::reqwest::Client> {
        if let Some(http) = self.http.get() {
            return Ok(http.clone());
        }
        let http = openrouter_keys::http_client_builder()
            .build()
            .map_err(|e| CliError::failure(format!("cannot build the HTTP client: {e}")))?;
        Ok(self.http.get_or_init(|| http).clone())
    }
}

/// Says on stderr that a call waits before its next attempt, and why: the SDK's retry hook.
/// The wait itself is the SDK's, bounded by its deadline (120 s for a whole call); the CLI
/// only makes it visible instead of capping it, since the server asked for it.
/// Waits of a second or more ([`LONG_WAIT`](crate::batch::pace::LONG_WAIT)) are announced, a
/// pause the server asked for once (the pacer holds back every call of a batch for it).
fn announce_wait(print: Printer, notice: &RetryNotice) {
    let cause = match notice.status {
        Some(status) => format!("OpenRouter answered {status} to"),
        None => "no answer to".to_string(),
    };
    // Whole seconds and milliseconds: `2s`, `1s 500ms`.
    let wait = Duration::from_millis(notice.wait.as_millis().try_into().unwrap_or(u64::MAX));
    print.line(format_args!(
        "{cause} {} ({}, attempt {}); waiting {} before trying again{}",
        notice.operation.route(),
        notice.operation,
        notice.attempt,
        humantime::format_duration(wait),
        if notice.server_asked {
            " (as the server asked with Retry-After)"
        } else {
            ""
        }
    ));
}
