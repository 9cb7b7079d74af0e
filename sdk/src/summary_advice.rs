//! Unit tests across the modules that word errors: no error's summary names a call of the
//! SDK, and the errors whose advice is a call carry it in their hint; an input or
//! configuration error's summary states what is wrong, and its advice is in its hint. (Its own module: it
//! builds errors the way `client.rs`, `hash.rs`, `options.rs` and `pagination.rs` word them,
//! and `error.rs`, which they all use, cannot use them back.)

use crate::Client;
use crate::error::Error;
use crate::error::tests::{api, decode, one_of_each, outcome_unknown};

/// The first backticked span of `text` that names a call of this crate's API: a path
/// through `client.`, `ClientBuilder::` or `RetryPolicy::`, or a call (`name(..)`).
fn rust_call(text: &str) -> Option<&str> {
    text.split('`').skip(1).step_by(2).find(|span| {
        ["client.", "ClientBuilder::", "RetryPolicy::"]
            .iter()
            .any(|path| span.contains(path))
            || span.ends_with(')')
    })
}

/// The errors whose advice names a call, as the SDK words them.
fn errors_with_advice_in_code() -> Vec<Error> {
    let mut secret = decode(None, true);
    secret.created_secret = Some("sk-or-v1-created".into());
    let mut proxy = crate::options::CallOptions::default();
    proxy.add_header("proxy-authorization", "Basic eDp5");
    let listing = <crate::keys::ListKeys as crate::pagination::Paged>::LISTING;
    let repeated_page = crate::listing_error::ListingError {
        operation: listing.operation,
        kind: crate::listing_error::ListingErrorKind::RepeatedPage { page_len: 100 },
        offset: 100,
        listed: 100,
        attempts: 1,
        request_id: None,
        items: listing.items,
        by_hand: listing.by_hand,
        contradiction: listing.contradiction,
    };
    vec![
        Client::builder().build().unwrap_err(),
        crate::client::no_tls("https://openrouter.ai/api/v1"),
        crate::hash::checked_hash("sk-or-v1-0123").unwrap_err(),
        proxy.check().unwrap_err(),
        Error::Listing(Box::new(repeated_page)),
        Error::Decode(Box::new(decode(Some("the body is not JSON"), true))),
        Error::Decode(Box::new(secret)),
        outcome_unknown(Error::Api(Box::new(api(500, None)))),
    ]
}

#[test]
fn summaries_name_no_call_of_the_sdk_hints_do() {
    let mut errors = one_of_each();
    errors.extend(errors_with_advice_in_code());
    for error in &errors {
        let summary = error.summary();
        assert_eq!(rust_call(&summary), None, "{error:?}: {summary}");
    }
    for error in errors_with_advice_in_code() {
        let hint = error.hint().unwrap_or_default();
        assert!(rust_call(&hint).is_some(), "{error:?}: {hint}");
    }
}

/// The first clause of `text` that gives advice: one that opens with a verb in the
/// imperative ("copy it again", "write `https://…`"), after the start or a `:`, `;`, `.`,
/// `,` or `(`.
fn advice(text: &str) -> Option<&str> {
    const VERBS: [&str; 15] = [
        "build", "call", "copy", "enable", "find", "give", "leave", "list", "look", "name", "pass",
        "send", "set", "use", "write",
    ];
    text.split([':', ';', '.', ',', '('])
        .map(str::trim)
        .find(|clause| {
            let first = clause.split(' ').next().unwrap_or_default();
            VERBS.contains(&first.to_ascii_lowercase().as_str())
        })
}

/// Every input and configuration error that comes with advice, as the SDK words them.
async fn refusals_with_advice() -> Vec<Error> {
    use crate::{KeyUpdate, LimitReset, NewKey};
    let built = |builder: crate::ClientBuilder| builder.build().unwrap_err();
    let mut errors = vec![
        built(Client::builder()),
        built(
            Client::builder()
                .api_key("k")
                .base_url("openrouter.ai/api/v1"),
        ),
        built(
            Client::builder()
                .api_key("k")
                .base_url("https://openrouter.ai"),
        ),
        built(Client::builder().api_key("sk-or-v1-ab\u{2013}cd")),
        built(Client::builder().api_key("sk-or-v1-ab\u{1}cd")),
        crate::client::no_tls("https://openrouter.ai/api/v1"),
    ];
    // Nothing listens there, and nothing is sent: each is refused before.
    let client = Client::builder()
        .api_key("k")
        .base_url("http://127.0.0.1:9/api/v1")
        .build()
        .unwrap();
    let keys = client.keys();
    errors.push(keys.update("f01d", KeyUpdate::new()).await.unwrap_err());
    errors.push(keys.get("sk-or-v1-0123").await.unwrap_err());
    errors.push(
        keys.create(NewKey::new("x").expires_at("tomorrow"))
            .await
            .unwrap_err(),
    );
    let yearly = LimitReset::Unknown("yearly".into());
    errors.push(
        keys.create(NewKey::new("x").limit_reset(yearly))
            .await
            .unwrap_err(),
    );
    let no_hashes = client.guardrails().assign_keys("g", Vec::<String>::new());
    errors.push(no_hashes.await.unwrap_err());
    let secret_in_list = client
        .guardrails()
        .assign_keys("g", ["f01d", "sk-or-v1-0123"]);
    errors.push(secret_in_list.await.unwrap_err());
    for header in ["authorization", "host", "content-length", "content-type"] {
        errors.push(keys.get("f01d").header(header, "1").await.unwrap_err());
    }
    errors
}

#[tokio::test]
async fn input_and_configuration_errors_state_the_fact_and_advise_in_the_hint() {
    for error in refusals_with_advice().await {
        assert!(
            matches!(error, Error::InvalidInput { .. } | Error::Config(_)),
            "{error:?}"
        );
        let summary = error.summary();
        assert_eq!(advice(&summary), None, "{error:?}: {summary}");
        let Some(hint) = error.hint() else {
            panic!("no hint: {error:?}")
        };
        assert!(advice(&hint).is_some(), "{error:?}: {hint}");
        assert_eq!(error.to_string(), format!("{summary}. {hint}"));
    }
}
