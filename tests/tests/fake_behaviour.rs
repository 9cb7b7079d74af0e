//! The fake behaves like the API: permissions, validation answers, paging, tri-state PATCH,
//! delete-then-404, and `GET /key` reporting whichever key called. Raw HTTP is used where
//! the SDK would refuse to send the invalid input.

use futures_util::TryStreamExt;
use openrouter_keys::reqwest;
use openrouter_keys::{ExposeSecret, KeyUpdate, LimitReset, NewKey};
use openrouter_keys_testkit::{FakeServer, Route};
use openrouter_keys_tests::{client_for, error_status, raw, response_schema, spec};
use serde_json::json;

#[tokio::test]
async fn invalid_input_answers_400_with_the_documented_envelope() {
    let server = FakeServer::start().await.unwrap();
    let post = reqwest::Method::POST;
    let cases = [
        ("application/json", r#"{"name": ""}"#),
        ("application/json", r#"{"name": "   "}"#),
        ("application/json", r#"{}"#),
        ("application/json", r#"{"name": "k", "limit": -1}"#),
        (
            "application/json",
            r#"{"name": "k", "limit_reset": "yearly"}"#,
        ),
        (
            "application/json",
            r#"{"name": "k", "expires_at": "tomorrow"}"#,
        ),
        (
            "application/json",
            r#"{"name": "k", "external": {"user": "u", "api_key": "short"}}"#,
        ),
        ("application/json", r#"{"name": "k""#),
        ("application/json", r#"[1, 2]"#),
        ("text/plain", r#"{"name": "k"}"#),
    ];
    let spec = spec();
    let schema = response_schema(&spec, Route::CreateKeys, 400).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for (content_type, body) in cases {
        let (status, answer) = raw(&server, post.clone(), "/keys", content_type, body).await;
        assert_eq!(status, 400, "{content_type} {body}: {answer}");
        assert_eq!(answer["error"]["code"], 400, "{answer}");
        assert!(validator.is_valid(&answer), "{answer}");
    }
    assert_eq!(server.created_key_count(), 0);

    let (status, _) = raw(
        &server,
        reqwest::Method::GET,
        "/keys?offset=-1",
        "application/json",
        "",
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = raw(
        &server,
        reqwest::Method::GET,
        "/keys?include_disabled=maybe",
        "application/json",
        "",
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_normal_key_may_only_read_itself() {
    let server = FakeServer::start().await.unwrap();
    let normal = client_for(&server, server.normal_key());
    let me = normal.current_key().await.unwrap();
    assert_eq!(me.is_management_key, Some(false));
    let status = |e: openrouter_keys::Error| e.status().unwrap().as_u16();
    assert_eq!(status(normal.keys().list().await.unwrap_err()), 401);
    assert_eq!(
        status(normal.keys().create(NewKey::new("x")).await.unwrap_err()),
        403
    );
    assert_eq!(status(normal.keys().get("abc").await.unwrap_err()), 401);
    let admin = client_for(&server, server.management_key());
    assert_eq!(
        admin.current_key().await.unwrap().is_management_key,
        Some(true)
    );
}

#[tokio::test]
async fn created_secrets_work_once_shown_and_report_their_own_key() {
    let server = FakeServer::start().await.unwrap();
    let admin = client_for(&server, server.management_key());
    let created = admin
        .keys()
        .create(
            NewKey::new("worker")
                .limit(7.5)
                .limit_reset(LimitReset::Weekly),
        )
        .await
        .unwrap();
    let secret = created.secret().expose_secret();
    assert!(secret.starts_with("sk-or-v1-"));
    assert_eq!(created.key().hash.len(), 64);
    assert!(created.key().hash.chars().all(|c| c.is_ascii_hexdigit()));
    let worker = client_for(&server, secret);
    let me = worker.current_key().await.unwrap();
    assert_eq!(me.limit, Some(7.5));
    assert_eq!(me.limit_reset, Some(LimitReset::Weekly));

    // Disabled keys can no longer authenticate.
    admin
        .keys()
        .update(&created.key().hash, KeyUpdate::new().disabled(true))
        .await
        .unwrap();
    assert_eq!(error_status(worker.current_key().await), 401);
}

#[tokio::test]
async fn pages_hold_100_keys_and_filters_apply() {
    let server = FakeServer::start().await.unwrap();
    let admin = client_for(&server, server.management_key());
    for i in 0..205 {
        admin
            .keys()
            .create(NewKey::new(format!("k{i}")))
            .await
            .unwrap();
    }
    let first = admin.keys().list().await.unwrap();
    assert_eq!(first.len(), 100);
    let third = admin.keys().list().offset(200).await.unwrap();
    assert_eq!(third.len(), 6, "205 created + the normal key");
    admin
        .keys()
        .update(&first[0].hash, KeyUpdate::new().disabled(true))
        .await
        .unwrap();
    let enabled: Vec<_> = admin.keys().list_all().try_collect().await.unwrap();
    let everything: Vec<_> = admin
        .keys()
        .list()
        .include_disabled(true)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(enabled.len(), 205);
    assert_eq!(everything.len(), 206);
    let other_workspace = admin.keys().list().workspace_id("elsewhere").await.unwrap();
    assert!(other_workspace.is_empty());
}

#[tokio::test]
async fn patch_keeps_absent_fields_and_clears_nulls_and_delete_then_get_is_404() {
    let server = FakeServer::start().await.unwrap();
    let admin = client_for(&server, server.management_key());
    let keys = admin.keys();
    let created = keys
        .create(NewKey::new("k").limit(5.0).limit_reset(LimitReset::Daily))
        .await
        .unwrap();
    let hash = created.key().hash.clone();
    let renamed = keys
        .update(&hash, KeyUpdate::new().name("renamed"))
        .await
        .unwrap();
    assert_eq!(
        (renamed.limit, renamed.limit_reset.clone()),
        (Some(5.0), Some(LimitReset::Daily))
    );
    assert!(renamed.updated_at.is_some());
    let cleared = keys
        .update(&hash, KeyUpdate::new().clear_limit().clear_limit_reset())
        .await
        .unwrap();
    assert_eq!((cleared.limit, cleared.limit_reset), (None, None));
    assert_eq!(cleared.name.as_deref(), Some("renamed"));
    keys.delete(&hash).await.unwrap();
    assert_eq!(error_status(keys.get(&hash).await), 404);
    let (status, body) = raw(
        &server,
        reqwest::Method::DELETE,
        &format!("/keys/{hash}"),
        "application/json",
        "",
    )
    .await;
    assert_eq!((status, body["error"]["code"].clone()), (404, json!(404)));
}

/// The README's example for application developers, kept compiling and passing here.
#[tokio::test]
async fn readme_example_key_rotation_survives_a_flaky_api() {
    use openrouter_keys::Client;
    use openrouter_keys_testkit::Fault;
    let fake = FakeServer::start().await.unwrap();
    let client = Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .build()
        .unwrap();
    fake.inject(Route::CreateKeys, Fault::status(429)); // next create is rate limited
    client.keys().create(NewKey::new("rotated")).await.unwrap(); // retried, created once
    assert_eq!(fake.requests(Route::CreateKeys), 2);
    assert_eq!(fake.created_key_names(), ["rotated"]);
}
