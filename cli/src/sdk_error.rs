//! SDK errors written for a shell user, from the error's fields only: the exit code each
//! maps to, what happened (`Error::summary`, the SDK's text without its advice), and hints.
//!
//! The SDK's hint is kept where it speaks of the request itself (a wrong base URL, a body
//! that is not OpenRouter's). Where its advice is meant for Rust code (raise
//! `ClientBuilder::timeout`, list with `client.keys().list_all()`) or where the CLI knows
//! better (a refused key names where the CLI read it; a missing hash names the command that
//! lists keys), the CLI's hint replaces it: never two hints that contradict each other.

use crate::config;
use crate::error::CliError;
use crate::exit::Exit;
use crate::given_hash::FIND_A_HASH;
use openrouter_keys::{
    ApiErrorKind, ConnectionPhase, Error, InputField, KeySource, OperationId, TimeoutKind,
};

/// `error`, of a call made with the key from `key`, as `CONTEXT: WHAT` (`WHAT` alone for an
/// empty context) and hints.
pub fn render(context: &str, error: &Error, key: &KeySource) -> CliError {
    let exit = match error {
        Error::OutcomeUnknown { .. } => Exit::OutcomeUnknown,
        Error::InvalidInput { .. } | Error::Config(_) => Exit::Usage,
        _ => Exit::Failure,
    };
    hints(error, key).into_iter().fold(
        CliError::new(
            exit,
            match context {
                "" => error.summary(),
                context => format!("{context}: {}", error.summary()),
            },
        ),
        CliError::hint,
    )
}

/// What to do about `error`, for a shell user.
fn hints(error: &Error, key: &KeySource) -> Vec<String> {
    match error {
        Error::Api(api) => match (api.kind, api.operation) {
            (ApiErrorKind::Unauthorized, OperationId::GetCurrentKey) => vec![format!(
                "{key} was refused: check that it is complete and not disabled or expired"
            )],
            (ApiErrorKind::Unauthorized, _) => with_shadowed(
                key,
                format!(
                    "{key} was refused: every command but `whoami` needs a management key; \
                     check that it is one, complete, and not disabled or expired"
                ),
            ),
            (ApiErrorKind::Forbidden, _) => with_shadowed(
                key,
                format!("every command but `whoami` needs a management key; {key} is not one"),
            ),
            // A 404 the SDK diagnosed (a wrong base URL) keeps its diagnosis; otherwise a
            // by-hash route's 404 means a missing key.
            (
                ApiErrorKind::NotFound,
                OperationId::GetKey | OperationId::UpdateKeys | OperationId::DeleteKeys,
            ) if api.hint().is_none() => vec![
                "no key has this hash; `openrouter-keys list --include-disabled --wide` shows every \
                 key's whole hash"
                    .to_string(),
            ],
            (ApiErrorKind::NotFound, OperationId::GetWorkspace) if api.hint().is_none() => {
                vec![
                    "no workspace has this id or slug; `openrouter-keys list --all-workspaces` \
                     shows each key's workspace"
                        .to_string(),
                ]
            }
            _ => api.hint().map(str::to_string).into_iter().collect(),
        },
        Error::Timeout { which, .. } => vec![
            match which {
                TimeoutKind::Connect => {
                    "nothing was sent: check the base URL (--base-url, OPENROUTER_BASE_URL) and \
                     the network"
                }
                TimeoutKind::Attempt => "retry later, or allow each attempt more with --timeout",
                _ => "retry later",
            }
            .to_string(),
        ],
        Error::Connection { phase, .. } => vec![
            match phase {
                ConnectionPhase::Connect => {
                    "check the base URL (--base-url, OPENROUTER_BASE_URL), the network and any \
                     proxy"
                }
                _ => "retry later",
            }
            .to_string(),
        ],
        Error::OutcomeUnknown { cause } => {
            // The cause's own diagnosis (a wrong base URL) first; a timeout's "retry later"
            // is left out: retrying a create may make a second key.
            let mut hints = match &**cause {
                Error::Api(_) | Error::Decode(_) => hints(cause, key),
                _ => Vec::new(),
            };
            hints.push(
                "the key may have been created: look for it before creating it again".to_string(),
            );
            hints
        }
        // A hash refused before sending: where a shell user finds one (the SDK's reason
        // speaks of its own API).
        Error::InvalidInput {
            what: InputField::Hash,
            ..
        } => vec![FIND_A_HASH.to_string()],
        // Pages that did not fit together: the SDK's advice is to page by hand in code.
        Error::Listing(_) => vec![
            "list again later (the keys may have changed while they were listed); if it \
             happens again, something between you and OpenRouter (a proxy, a cache) may be \
             answering every page alike: check the base URL"
                .to_string(),
        ],
        // A created key whose answer did not decode: the SDK's advice names its own calls;
        // the command that made the key says where the secret went and how to find the key.
        Error::Decode(decode) if decode.key_created => Vec::new(),
        // Decode: the SDK's words about the request; input and configuration errors: what
        // to give instead.
        _ => error.hint().map(|h| h.into_owned()).into_iter().collect(),
    }
}

/// `hint`, and when the refused key came from a variable that shadows others set too, which
/// ones and how to use them instead.
fn with_shadowed(key: &KeySource, hint: String) -> Vec<String> {
    let shadowed = config::shadowed_by(key);
    let mut hints = vec![hint];
    if let (KeySource::Env(used), false) = (key, shadowed.is_empty()) {
        hints.push(format!(
            "{} set too, but {used} comes first: unset {used}, or pass the management key \
             with --api-key-file PATH",
            shadowed.join(" and ") + if shadowed.len() == 1 { " is" } else { " are" }
        ));
    }
    hints
}

/// Whether retrying cannot help: the key is refused (401) or may not do this (403).
pub fn is_refused_key(error: &Error) -> bool {
    matches!(
        error.as_api().map(|a| a.kind),
        Some(ApiErrorKind::Unauthorized | ApiErrorKind::Forbidden)
    )
}
