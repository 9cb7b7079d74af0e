//! Where the API key and the base URL come from.
//!
//! Key order: `--api-key-file`, then `OPENROUTER_API_KEY`, `OPENROUTER_MANAGEMENT_KEY`,
//! `OPENROUTER_PROVISIONING_KEY` (the names other tools use). There is deliberately no
//! `--api-key` flag: a flag's value shows in process lists and shell history.

use crate::cli::GlobalArgs;
use crate::error::{CliError, CliResult};
use openrouter_keys::KeySource;

/// Environment variables read for the API key, in order.
pub const KEY_VARIABLES: [&str; 3] = [
    "OPENROUTER_API_KEY",
    "OPENROUTER_MANAGEMENT_KEY",
    "OPENROUTER_PROVISIONING_KEY",
];

/// The API key and where it came from. The key is never put in a message; its source is,
/// when it is refused.
pub struct ApiKey {
    pub key: String,
    pub source: KeySource,
}

/// The API key, from the file or the environment.
pub fn api_key(global: &GlobalArgs) -> CliResult<ApiKey> {
    if let Some(path) = &global.api_key_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::input("cannot read the API key file", path, &e))?;
        // A UTF-8 byte-order mark (editors on Windows write one) is not part of the key.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let key = text.lines().next().unwrap_or("").trim().to_string();
        if key.is_empty() {
            return Err(CliError::usage(format!(
                "the API key file `{}` is empty",
                path.display()
            )));
        }
        return Ok(ApiKey {
            key,
            source: KeySource::File(path.clone()),
        });
    }
    for name in KEY_VARIABLES {
        if let Ok(value) = std::env::var(name) {
            let value = value.trim().to_string();
            if !value.is_empty() {
                return Ok(ApiKey {
                    key: value,
                    source: KeySource::Env(name.to_string()),
                });
            }
        }
    }
    Err(CliError::usage(
        "no API key: set OPENROUTER_API_KEY (or OPENROUTER_MANAGEMENT_KEY or \
         OPENROUTER_PROVISIONING_KEY), or pass --api-key-file PATH",
    ))
}

/// The key variables that come after `source` in [`KEY_VARIABLES`] and are set too: keys the
/// user may have meant to use, which `source` shadows (an inference key in
/// `OPENROUTER_API_KEY` hides a management key in `OPENROUTER_MANAGEMENT_KEY`).
pub fn shadowed_by(source: &KeySource) -> Vec<&'static str> {
    let KeySource::Env(used) = source else {
        return Vec::new();
    };
    KEY_VARIABLES
        .into_iter()
        .skip_while(|name| name != used)
        .skip(1)
        .filter(|name| std::env::var(name).is_ok_and(|value| !value.trim().is_empty()))
        .collect()
}

/// The base URL: flag, then `OPENROUTER_BASE_URL`, then the SDK's default (`None`).
pub fn base_url(global: &GlobalArgs) -> Option<String> {
    global.base_url.clone().or_else(|| {
        std::env::var("OPENROUTER_BASE_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
    })
}
