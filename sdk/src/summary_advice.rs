//! A unit test across the modules that word errors: no error's summary names a call of the
//! SDK, and the errors whose advice is a call carry it in their hint. (Its own module: it
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
    vec![
        Client::builder().build().unwrap_err(),
        crate::client::no_tls("https://openrouter.ai/api/v1"),
        crate::hash::checked_hash("sk-or-v1-0123").unwrap_err(),
        proxy.check().unwrap_err(),
        crate::pagination::repeated_page(&listing, 100, 100, 100),
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
