//! SDK errors written for a shell user: the exit code each maps to, what happened, and the
//! CLI's own hints where the SDK's advice is meant for Rust code
//! (`client.keys().list_all()`, `OPENROUTER_API_KEY` whatever the key's source).

use crate::error::CliError;
use crate::exit::Exit;
use openrouter_keys::{ApiErrorKind, Error, OperationId};

/// Where the SDK's `OutcomeUnknown` text turns to advice for Rust code.
const SDK_UNKNOWN_ADVICE: &str = ". A key may have been created:";

/// `error` of a call made with `key` (words such as "the API key from OPENROUTER_API_KEY"),
/// as `CONTEXT: WHAT` and hints. Where the CLI knows better it replaces the SDK's advice
/// with its own, and never adds a second one that contradicts it.
pub fn render(context: &str, error: &Error, key: &str) -> CliError {
    let exit = match error {
        Error::OutcomeUnknown { .. } => Exit::OutcomeUnknown,
        Error::InvalidInput { .. } | Error::Config(_) => Exit::Usage,
        _ => Exit::Failure,
    };
    let mut text = error.to_string();
    if matches!(error, Error::OutcomeUnknown { .. }) {
        // The SDK's advice names library calls; the command says what to run instead.
        if let Some(at) = text.find(SDK_UNKNOWN_ADVICE) {
            text.truncate(at);
            text.push_str(". The key may have been created: check before creating it again");
        }
    }
    let api = error.as_api();
    let hint = match api.map(|api| (api.kind, api.operation)) {
        Some((ApiErrorKind::Unauthorized, OperationId::GetCurrentKey)) => Some(format!(
            "{key} was refused: check that it is complete and not disabled or expired"
        )),
        Some((ApiErrorKind::Unauthorized, _)) => Some(format!(
            "{key} was refused: check that it is complete and not disabled or expired \
             (operations on /keys need a management key)"
        )),
        Some((ApiErrorKind::Forbidden, _)) => Some(format!(
            "operations on /keys need a management key; {key} is not one"
        )),
        // A 404 on a route that exists at any right base URL already has the SDK's
        // diagnosis (the base URL); only a by-hash route's 404 means a missing key.
        Some((
            ApiErrorKind::NotFound,
            OperationId::GetKey | OperationId::UpdateKeys | OperationId::DeleteKeys,
        )) if api.and_then(|a| a.hint()).is_none() => Some(
            "no key has this hash; `openrouter-keys list --include-disabled` shows them"
                .to_string(),
        ),
        _ => None,
    };
    if let (Some(_), Some(sdk_hint)) = (&hint, api.and_then(|a| a.hint())) {
        // `ApiError`'s `Display` ends with `. {hint}`: the CLI's hint replaces it.
        if let Some(kept) = text.strip_suffix(&format!(". {sdk_hint}")) {
            text.truncate(kept.len());
        }
    }
    let rendered = CliError::new(exit, format!("{context}: {text}"));
    match hint {
        Some(hint) => rendered.hint(hint),
        None => rendered,
    }
}

/// Whether retrying cannot help: the key is refused (401) or may not do this (403).
pub fn is_refused_key(error: &Error) -> bool {
    matches!(
        error.as_api().map(|a| a.kind),
        Some(ApiErrorKind::Unauthorized | ApiErrorKind::Forbidden)
    )
}
