//! Secret hygiene: the exact `Debug` output of everything holding a secret, and no sentinel in
//! any `Debug` or `Display` produced while calls fail (traces: `traces.rs`).

mod common;

use common::bodies::{self, HASH};
use common::scripted::{Reply, ScriptedServer};
use common::{SENTINEL_KEY, SENTINEL_SECRET};
use openrouter_keys::{Client, ExternalIdentity, NewKey};

#[test]
fn debug_output_of_client_and_builder_is_pinned() {
    let builder = Client::builder()
        .api_key(SENTINEL_KEY)
        .base_url("http://127.0.0.1:9/api/v1");
    assert_eq!(
        format!("{builder:?}"),
        "ClientBuilder { api_key: Some(\"[REDACTED]\"), base_url: Some(\"http://127.0.0.1:9/api/v1\"), \
         timeout: None, connect_timeout: None, retry: None, app_title: None, http_referer: None, \
         app_categories: None, .. }"
    );
    let client = builder.build().unwrap();
    assert_eq!(
        format!("{client:?}"),
        "Client { base_url: \"http://127.0.0.1:9/api/v1\", api_key: \"[REDACTED]\", \
         timeout: 30s, retry: RetryPolicy { max_attempts: 3, initial_backoff: 500ms, \
         max_backoff: 30s, deadline: 120s }, .. }"
    );
    assert!(!format!("{client:#?}").contains("SENTINEL"));
}

/// A base URL or referer the user gave may carry a proxy's password or a token: no error
/// about it, and no `Debug` of the builder or the client, shows its user name, password,
/// query or fragment, or any `sk-or-…` token, and each says what it left out.
#[tokio::test]
async fn urls_the_user_gave_are_shown_without_credentials_query_or_fragment() {
    const TOKEN: &str = "sk-or-v1-SENTINEL-token-0123456789";
    let refused = [
        "https://user:SENTINEL-hunter2@proxy/api/v1".to_string(),
        format!("https://proxy/api/v1?token={TOKEN}"),
        format!("https://proxy/api/v1#{TOKEN}"),
        format!("openrouter.ai/api/v1?token={TOKEN}"),
        format!("user:SENTINEL-hunter2@openrouter.ai/api/v1#{TOKEN}"),
        format!("ftp://user:SENTINEL-hunter2@proxy/{TOKEN}"),
    ];
    for url in &refused {
        let builder = Client::builder()
            .api_key(SENTINEL_KEY)
            .base_url(url.as_str());
        let shown_builder = format!("{builder:?} {builder:#?}");
        let error = builder.build().unwrap_err();
        let hint = error.hint().map(|h| h.into_owned()).unwrap_or_default();
        let shown = [
            error.to_string(),
            format!("{error:#}"),
            format!("{error:?}"),
            error.summary(),
            hint,
            shown_builder,
        ];
        for text in &shown {
            assert!(!text.contains("SENTINEL"), "{url}: {text}");
        }
        assert!(
            shown[0].contains("(shown without its "),
            "{url}: {}",
            shown[0]
        );
        assert!(
            shown[5].contains("(shown without its "),
            "{url}: {}",
            shown[5]
        );
    }
    // A referer the header cannot carry, with a password and a query.
    let referer = format!("https://user:SENTINEL-pw@my.app/\u{7}?t={TOKEN}");
    let error = Client::builder()
        .api_key(SENTINEL_KEY)
        .http_referer(referer)
        .build()
        .unwrap_err();
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains("SENTINEL"), "{text}");
    }
    // A base URL that is accepted may still have a token in its path: the client's `Debug`
    // and its errors' hints do not show it.
    let client = Client::builder()
        .api_key(SENTINEL_KEY)
        .base_url(format!("http://127.0.0.1:9/{TOKEN}/api/v1"))
        .app_title(format!("app {TOKEN}"))
        .build()
        .unwrap();
    let shown = format!("{client:?} {client:#?}");
    assert!(!shown.contains("SENTINEL"), "{shown}");
    assert!(shown.contains("sk-or-[REDACTED]"), "{shown}");
    let server = ScriptedServer::start(vec![Reply::raw(404, "text/html", "<html>")])
        .await
        .unwrap();
    let client = Client::builder()
        .api_key(SENTINEL_KEY)
        .base_url(format!("{}/{TOKEN}/api/v1", server.base_url))
        .build()
        .unwrap();
    let error = client.current_key().await.unwrap_err();
    let hint = error.hint().unwrap().into_owned();
    assert!(hint.contains("/sk-or-[REDACTED]/api/v1"), "{hint}");
    for text in [error.to_string(), format!("{error:?}"), hint] {
        assert!(!text.contains("SENTINEL"), "{text}");
    }
    // The request's URL in a transport error (its text and its `Debug`) too.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let client = Client::builder()
        .api_key(SENTINEL_KEY)
        .base_url(format!("http://{closed}/{TOKEN}/api/v1"))
        .retry(openrouter_keys::RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.current_key().await.unwrap_err();
    assert!(
        matches!(error, openrouter_keys::Error::Connection { .. }),
        "{error:?}"
    );
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ] {
        assert!(!text.contains("SENTINEL"), "{text}");
    }
}

#[test]
fn debug_output_of_a_request_names_its_headers_and_never_shows_their_values() {
    let client = Client::builder()
        .api_key(SENTINEL_KEY)
        .base_url("http://127.0.0.1:9/api/v1")
        .build()
        .unwrap();
    let request = client
        .keys()
        .get("f01d")
        .header("x-proxy-token", "SENTINEL-proxy-token-0123456789")
        .header("x-trace-id", "SENTINEL-trace");
    assert_eq!(
        format!("{request:?}"),
        "Request { client: Client { base_url: \"http://127.0.0.1:9/api/v1\", api_key: \
         \"[REDACTED]\", timeout: 30s, retry: RetryPolicy { max_attempts: 3, initial_backoff: \
         500ms, max_backoff: 30s, deadline: 120s }, .. }, operation: GetKey { hash: \"f01d\" }, \
         options: CallOptions { timeout: None, retry: None, headers: [(\"x-proxy-token\", \
         \"[REDACTED]\"), (\"x-trace-id\", \"[REDACTED]\")], header_error: None, \
         retry_on_unknown_outcome: false } }"
    );
    assert!(!format!("{request:#?}").contains("SENTINEL"));
}

/// A header a call adds is as likely as not a credential (a proxy's token): a server that
/// echoes it in its error, its metadata or its request id has it scrubbed, as the client's
/// key is.
#[tokio::test]
async fn the_values_of_a_calls_headers_are_scrubbed_from_what_the_server_says() {
    const TOKEN: &str = "proxy-SENTINEL-token-0123456789";
    let mut envelope = bodies::error(403, &format!("token {TOKEN} may not do this"));
    envelope["error"]["metadata"] = serde_json::json!({ "seen": TOKEN });
    let server = ScriptedServer::start(vec![
        Reply::json(403, &envelope).with_header("x-request-id", TOKEN),
    ])
    .await
    .unwrap();
    let (client, _) = common::client(&server.base_url);
    let error = client
        .keys()
        .get(HASH)
        .header("x-proxy-token", TOKEN)
        .await
        .unwrap_err();
    for text in [
        error.to_string(),
        format!("{error:?}"),
        format!("{:?}", error.request_id()),
    ] {
        assert!(!text.contains("SENTINEL"), "{text}");
    }
    let api = error.as_api().unwrap();
    assert_eq!(
        api.message.as_deref(),
        Some("token [REDACTED] may not do this")
    );
    assert_eq!(api.request_id.as_deref(), Some("[REDACTED]"));
    assert_eq!(
        server.requests()[0].header("x-proxy-token"),
        Some(TOKEN),
        "sent as given"
    );
}

#[test]
fn debug_output_of_requests_never_shows_a_partner_secret() {
    let partner_secret = "SENTINEL-partner-secret-0123456789abcdef";
    let new_key = NewKey::new("ci").external(ExternalIdentity::new("u").api_key(partner_secret));
    let shown = format!("{new_key:?}");
    assert!(!shown.contains(partner_secret), "{shown}");
    assert!(
        shown.contains(
            "ExternalIdentity { user: \"u\", api_key: Some(SecretBox<str>([REDACTED])) }"
        ),
        "{shown}"
    );
}

/// A server or proxy echoing the credential (whatever its shape) or a key's plaintext in its
/// error envelope, its metadata, its request id or an HTML page: none of it reaches any text
/// an error shows or returns.
#[tokio::test]
async fn secrets_echoed_by_the_server_never_reach_an_error() {
    // Not `sk-or-` shaped: only the literal scrub of the client's own key can catch it.
    const PROXY_KEY: &str = "proxy-token-SENTINEL-5a4b3c2d1e";
    let echo = format!("invalid key {PROXY_KEY} (also saw {SENTINEL_SECRET})");
    let mut envelope = bodies::error(401, &echo);
    envelope["error"]["metadata"] = serde_json::json!({
        "sent_authorization": format!("Bearer {PROXY_KEY}"),
        PROXY_KEY: [SENTINEL_SECRET, {"nested": SENTINEL_SECRET}],
    });
    let server = ScriptedServer::start(vec![
        Reply::json(401, &envelope).with_header("x-request-id", PROXY_KEY),
        Reply::raw(502, "text/html", &format!("<html>{echo}</html>")),
        // A create answered 500 echoing a partner secret: an unknown outcome.
        Reply::json(
            500,
            &bodies::error(
                500,
                "partner key partner-SENTINEL-0123456789abcdefghijklmnop refused",
            ),
        ),
    ])
    .await
    .unwrap();
    let sleep = std::sync::Arc::new(common::RecordingSleep::default());
    let client = common::builder(&server.base_url, &sleep)
        .api_key(PROXY_KEY)
        .retry(openrouter_keys::RetryPolicy::none())
        .build()
        .unwrap();
    let unauthorized = client.keys().get(HASH).await.unwrap_err();
    let gateway = client.keys().list().await.unwrap_err();
    let partner = openrouter_keys::ExternalIdentity::new("user-1")
        .api_key("partner-SENTINEL-0123456789abcdefghijklmnop");
    let unknown = client
        .keys()
        .create(NewKey::new("k").external(partner))
        .await
        .unwrap_err();
    assert!(matches!(
        unknown,
        openrouter_keys::Error::OutcomeUnknown { .. }
    ));

    let mut shown = Vec::new();
    for error in [&unauthorized, &gateway, &unknown] {
        shown.push(format!("{error}"));
        shown.push(format!("{error:#}"));
        shown.push(format!("{error:?}"));
        shown.push(format!("{error:#?}"));
        shown.push(format!("{:?}", error.request_id()));
        if let Some(api) = error.as_api() {
            shown.push(format!("{api}"));
            shown.push(format!("{:?}", api.message));
            shown.push(format!("{:?}", api.metadata));
            shown.push(format!("{:?}", api.raw_body));
            shown.push(format!("{:?}", api.request_id));
        }
    }
    for text in &shown {
        assert!(!text.contains("SENTINEL"), "a sentinel leaked: {text}");
    }
    let api = unauthorized.as_api().unwrap();
    assert_eq!(
        api.message.as_deref(),
        Some("invalid key [REDACTED] (also saw sk-or-[REDACTED])")
    );
    assert_eq!(api.request_id.as_deref(), Some("[REDACTED]"));
    let metadata = api.metadata.as_ref().unwrap();
    assert_eq!(metadata["sent_authorization"], "Bearer [REDACTED]");
    assert_eq!(
        metadata["[REDACTED]"],
        serde_json::json!(["sk-or-[REDACTED]", {"nested": "sk-or-[REDACTED]"}])
    );
}

/// The guardrail and workspace calls go through the same scrubbing: an error envelope that
/// echoes the client's key or a `sk-or-…` token, and a success body that fails to decode,
/// never show them.
#[tokio::test]
async fn secrets_in_answers_to_the_guardrail_and_workspace_calls_are_scrubbed() {
    const PROXY_KEY: &str = "proxy-token-SENTINEL-9f8e7d6c5b";
    let echo = format!("no such key {SENTINEL_SECRET} for token {PROXY_KEY}");
    // A workspace without its essential `id`, naming a secret elsewhere.
    let undecodable = serde_json::json!({"data": {"name": SENTINEL_SECRET, "slug": PROXY_KEY}});
    let server = ScriptedServer::start(vec![
        Reply::json(400, &bodies::error(400, &echo)),
        Reply::json(200, &undecodable),
    ])
    .await
    .unwrap();
    let sleep = std::sync::Arc::new(common::RecordingSleep::default());
    let client = common::builder(&server.base_url, &sleep)
        .api_key(PROXY_KEY)
        .build()
        .unwrap();
    let refused = client
        .guardrails()
        .assign_keys(bodies::GUARDRAIL_ID, [HASH])
        .await
        .unwrap_err();
    let undecoded = client.workspaces().get("production").await.unwrap_err();
    assert!(
        matches!(undecoded, openrouter_keys::Error::Decode(_)),
        "{undecoded:?}"
    );
    for error in [&refused, &undecoded] {
        for text in [
            format!("{error}"),
            format!("{error:#}"),
            format!("{error:?}"),
            format!("{error:#?}"),
        ] {
            assert!(!text.contains("SENTINEL"), "a sentinel leaked: {text}");
        }
    }
    assert_eq!(
        refused.as_api().unwrap().message.as_deref(),
        Some("no such key sk-or-[REDACTED] for token [REDACTED]")
    );
}
