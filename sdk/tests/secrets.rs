//! Secret hygiene: the exact `Debug` output of everything holding a secret, and no sentinel in
//! any `Debug`, `Display` or trace line produced while calls succeed and fail.

mod common;

use common::bodies::{self, HASH};
use common::scripted::{Reply, ScriptedServer};
use common::{SENTINEL_KEY, SENTINEL_SECRET, client};
use openrouter_keys::{Client, ExternalIdentity, NewKey};
use std::io::Write;
use std::sync::{Arc, Mutex};

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

/// A tracing writer that keeps everything written, to search it afterwards.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_sentinel_in_created_key_errors_or_traces() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let created_body = bodies::created(bodies::key(HASH, "k"), SENTINEL_SECRET);
    // A 201 that does not decode (its essential `hash` is malformed) still carries the
    // secret: its excerpt must not.
    let mut broken = created_body.clone();
    broken["data"]["hash"] = serde_json::json!(["NaN-ish"]);
    let server = ScriptedServer::start(vec![
        Reply::json(201, &created_body).with_header("x-request-id", "r1"),
        Reply::json(201, &broken),
        Reply::json(401, &bodies::error(401, "bad key")),
        Reply::json(500, &bodies::error(500, "boom")),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let created = client.keys().create(NewKey::new("k")).await.unwrap();
    let decode_error = client.keys().create(NewKey::new("k")).await.unwrap_err();
    let unauthorized = client.keys().get(HASH).await.unwrap_err();
    let unknown = client.keys().create(NewKey::new("k")).await.unwrap_err();

    assert_eq!(
        format!("{created:?}"),
        format!(
            "CreatedKey {{ key: {:?}, secret: \"[REDACTED]\" }}",
            created.key()
        )
    );
    let mut shown = vec![
        format!("{client:?}"),
        format!("{created:?}"),
        format!("{created:#?}"),
    ];
    for error in [&decode_error, &unauthorized, &unknown] {
        shown.push(format!("{error}"));
        shown.push(format!("{error:?}"));
        shown.push(format!("{error:#?}"));
    }
    shown.push(String::from_utf8(captured.0.lock().unwrap().clone()).unwrap());
    for text in &shown {
        assert!(!text.contains(SENTINEL_KEY), "API key leaked: {text}");
        assert!(
            !text.contains(SENTINEL_SECRET),
            "created secret leaked: {text}"
        );
        assert!(!text.contains("SENTINEL"), "a sentinel leaked: {text}");
    }
    let traces = shown.last().unwrap();
    assert!(traces.contains("openrouter_keys.call"), "{traces}");
    assert!(traces.contains("operation=\"createKeys\""), "{traces}");
    assert!(traces.contains("request_id=\"r1\""), "{traces}");
    match decode_error {
        openrouter_keys::Error::Decode(decode) => {
            assert!(
                decode.body_excerpt.contains("sk-or-[REDACTED]"),
                "{}",
                decode.body_excerpt
            );
            // The secret of the key that was created anyway is kept, redacted in Debug.
            use openrouter_keys::ExposeSecret;
            let salvaged = decode.created_secret.as_ref().expect("secret salvaged");
            assert_eq!(salvaged.expose_secret(), SENTINEL_SECRET);
            assert!(
                decode
                    .to_string()
                    .contains("its secret is in `created_secret`")
            );
        }
        other => panic!("{other:?}"),
    }
}
