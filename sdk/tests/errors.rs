//! Every documented error status of every operation, and the undocumented answers real
//! gateways give (HTML 502, empty 503, invalid JSON on 200).

mod common;

use common::bodies::{self, HASH};
use common::client;
use common::scripted::{Reply, ScriptedServer};
use openrouter_keys::{ApiErrorKind, Client, Error, InputField, KeyUpdate, NewKey, RetryPolicy};
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
enum Op {
    Current,
    List,
    Create,
    Get,
    Update,
    Delete,
}

const DOCUMENTED: [(Op, &[u16]); 6] = [
    (Op::Current, &[401, 500]),
    (Op::List, &[400, 401, 429, 500]),
    (Op::Create, &[400, 401, 403, 429, 500]),
    (Op::Get, &[401, 404, 429, 500]),
    (Op::Update, &[400, 401, 404, 429, 500]),
    (Op::Delete, &[401, 404, 429, 500]),
];

async fn call(client: &Client, op: Op) -> Result<(), Error> {
    let no_retry = RetryPolicy::none();
    let keys = client.keys();
    match op {
        Op::Current => client.current_key().retry(no_retry).await.map(drop),
        Op::List => keys.list().retry(no_retry).await.map(drop),
        Op::Create => keys
            .create(NewKey::new("k"))
            .retry(no_retry)
            .await
            .map(drop),
        Op::Get => keys.get(HASH).retry(no_retry).await.map(drop),
        Op::Update => keys
            .update(HASH, KeyUpdate::new().disabled(true))
            .retry(no_retry)
            .await
            .map(drop),
        Op::Delete => keys.delete(HASH).retry(no_retry).await.map(drop),
    }
}

#[tokio::test]
async fn every_documented_error_status_of_every_operation_is_typed() {
    for (op, statuses) in DOCUMENTED {
        for &status in statuses {
            let reply = Reply::json(status, &bodies::error(status, "documented failure"))
                .with_header("x-request-id", "req-123");
            let server = ScriptedServer::start(vec![reply]).await.unwrap();
            let (client, _) = client(&server.base_url);
            let error = call(&client, op).await.unwrap_err();
            let api = match (&error, op, status) {
                // A 500 on create leaves its outcome unknown; the HTTP error is the cause.
                (Error::OutcomeUnknown { cause }, Op::Create, 500) => match cause.as_ref() {
                    Error::Api(api) => api,
                    other => panic!("{op:?} {status}: {other:?}"),
                },
                (Error::Api(api), _, _) => api,
                (other, _, _) => panic!("{op:?} {status}: {other:?}"),
            };
            assert_eq!(api.status.as_u16(), status, "{op:?}");
            assert_eq!(api.code, Some(i64::from(status)), "{op:?}");
            assert_eq!(api.message.as_deref(), Some("documented failure"));
            assert_eq!(api.metadata.as_ref().unwrap()["hint"], "test");
            assert_eq!(api.raw_body, None);
            assert_eq!(api.request_id.as_deref(), Some("req-123"));
            assert_eq!(error.request_id(), Some("req-123"));
            assert_eq!(api.attempts, 1);
            let kind = match status {
                400 => ApiErrorKind::BadRequest,
                401 => ApiErrorKind::Unauthorized,
                403 => ApiErrorKind::Forbidden,
                404 => ApiErrorKind::NotFound,
                429 => ApiErrorKind::RateLimited,
                _ => ApiErrorKind::ServerError,
            };
            assert_eq!(api.kind, kind, "{op:?} {status}");
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        }
    }
}

#[tokio::test]
async fn gateway_html_empty_bodies_and_invalid_json_are_errors_with_excerpts() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let server = ScriptedServer::start(vec![
        Reply::raw(502, "text/html", html),
        Reply::raw(503, "text/plain", ""),
        Reply::raw(500, "text/html", "<h1>oops</h1>"),
        Reply::raw(200, "application/json", "{\"data\": [ {\"hash\": "),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let none = || RetryPolicy::none();

    let bad_gateway = client.keys().list().retry(none()).await.unwrap_err();
    let api = bad_gateway.as_api().unwrap();
    assert_eq!(api.status.as_u16(), 502);
    assert_eq!(api.kind, ApiErrorKind::ServerError);
    assert_eq!(api.raw_body.as_deref(), Some(html));
    assert_eq!(api.message, None);
    assert!(bad_gateway.to_string().contains("502 Bad Gateway"));

    let unavailable = client.keys().list().retry(none()).await.unwrap_err();
    let api = unavailable.as_api().unwrap();
    assert_eq!(api.status.as_u16(), 503);
    assert_eq!(api.raw_body.as_deref(), Some(""));
    assert!(unavailable.to_string().contains("empty body"));

    // A documented status (500) whose body is not the envelope.
    let html_500 = client.keys().list().retry(none()).await.unwrap_err();
    assert_eq!(
        html_500.as_api().unwrap().raw_body.as_deref(),
        Some("<h1>oops</h1>")
    );

    let invalid = client.keys().list().retry(none()).await.unwrap_err();
    match invalid {
        Error::Decode(decode) => {
            assert_eq!(decode.status.as_u16(), 200);
            assert_eq!(decode.operation, openrouter_keys::OperationId::List);
            assert!(decode.path.starts_with("data"), "{}", decode.path);
            assert!(decode.body_excerpt.starts_with("{\"data\""));
        }
        other => panic!("{other:?}"),
    }
}

/// A wrong type in a field the caller can do without degrades to `None`; in an essential
/// field (a key's `hash`) it fails the call, naming its JSON path.
#[tokio::test]
async fn a_wrong_field_type_is_dropped_unless_essential() {
    let mut odd = bodies::key(HASH, "k");
    odd["usage_daily"] = serde_json::json!("lots");
    let mut broken = bodies::key("b", "b");
    broken["hash"] = serde_json::json!(42);
    let server = ScriptedServer::start(vec![
        Reply::json(200, &bodies::list(vec![bodies::key("a", "a"), odd])),
        Reply::json(200, &bodies::list(vec![bodies::key("a", "a"), broken])),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let page = client.keys().list().await.unwrap();
    assert_eq!(page[1].usage.daily, None);
    assert_eq!(page[1].usage.total, Some(25.5));
    match client.keys().list().await.unwrap_err() {
        Error::Decode(decode) => assert_eq!(decode.path, "data[1].hash"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn invalid_input_is_caught_before_sending() {
    let server = ScriptedServer::start(vec![]).await.unwrap();
    let (client, _) = client(&server.base_url);
    let keys = client.keys();
    let errors = [
        keys.get("").await.unwrap_err(),
        keys.get("..").await.unwrap_err(),
        keys.delete("a\\b").await.unwrap_err(),
        keys.update("", KeyUpdate::new()).await.unwrap_err(),
        keys.create(NewKey::new("")).await.unwrap_err(),
        keys.create(NewKey::new("  ")).await.unwrap_err(),
        keys.create(NewKey::new("k").limit(-5.0)).await.unwrap_err(),
        keys.list().header("bad header", "v").await.unwrap_err(),
        keys.list()
            .header("authorization", "Bearer other")
            .await
            .unwrap_err(),
        // The API answers an update without fields 400 "No update fields provided".
        keys.update(HASH, KeyUpdate::new()).await.unwrap_err(),
        keys.get(HASH).timeout(Duration::ZERO).await.unwrap_err(),
        client
            .current_key()
            .retry(RetryPolicy::default().deadline(Duration::ZERO))
            .await
            .unwrap_err(),
        keys.create(NewKey::new("k").expires_at("2027-12-31"))
            .await
            .unwrap_err(),
        keys.create(NewKey::new("k").expires_at("next week"))
            .await
            .unwrap_err(),
    ];
    for error in errors {
        assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
        assert_eq!(error.attempts(), 0);
        assert!(!error.is_retryable());
    }
    assert_eq!(server.count(), 0, "nothing was sent");
}

#[tokio::test]
async fn connection_refused_is_a_connection_error() {
    // Bind then drop a listener: the port is (almost certainly) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (client, sleep) = client(&format!("http://127.0.0.1:{port}"));
    let error = client.keys().list().await.unwrap_err();
    assert!(
        matches!(error, Error::Connection { attempts: 3, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(sleep.waits().len(), 2);
}

#[tokio::test]
async fn a_body_without_content_length_decodes() {
    let body = bodies::one(bodies::key(HASH, "unframed"));
    let server = ScriptedServer::start(vec![Reply::json(200, &body).until_close()])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let key = client.keys().get(HASH).await.unwrap();
    assert_eq!(key.name.as_deref(), Some("unframed"));
}

/// A body past 16 MiB is not read to the end, whether it declares its length or not, and the
/// call is not retried (the next answer would be as large).
#[tokio::test]
async fn a_body_over_16_mib_is_refused_without_retry() {
    let huge = vec![b' '; 17 * 1024 * 1024];
    let declared = Reply::Respond {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: huge.clone(),
    };
    let unframed = declared.clone().until_close();
    // 500 is a documented status of `getKey`, so its body is read as the error envelope.
    let error_status = Reply::Respond {
        status: 500,
        headers: vec![("content-type".into(), "text/html".into())],
        body: huge,
    };
    let server = ScriptedServer::start(vec![declared, unframed, error_status])
        .await
        .unwrap();
    let (client, sleep) = client(&server.base_url);
    for expected_requests in [1, 2] {
        match client.keys().get(HASH).await.unwrap_err() {
            Error::Decode(decode) => {
                assert_eq!(decode.status.as_u16(), 200);
                assert_eq!(decode.attempts, 1);
                assert!(decode.message.contains("16 MiB"), "{}", decode.message);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(server.count(), expected_requests);
    }
    let error = client.keys().get(HASH).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500), "{error:?}");
    assert_eq!(server.count(), 3);
    assert!(sleep.waits().is_empty());
}

/// A body whose `Content-Length` already says it is over the cap is refused from the header:
/// none of it is read, and the call is not retried.
#[tokio::test]
async fn a_body_declared_over_16_mib_is_refused_from_its_header() {
    // Declares 64 MiB, sends one byte and closes: reading it would fail as cut off (and be
    // retried); refusing it from the header fails at once, once.
    let declared = Reply::UntilClose {
        status: 200,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("content-length".into(), (64u64 << 20).to_string()),
        ],
        body: b"{".to_vec(),
    };
    let server = ScriptedServer::start(vec![declared.clone(), declared.clone(), declared])
        .await
        .unwrap();
    let (client, sleep) = client(&server.base_url);
    match client.keys().get(HASH).await.unwrap_err() {
        Error::Decode(decode) => {
            assert_eq!(decode.attempts, 1);
            assert!(decode.message.contains("16 MiB"), "{}", decode.message);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.count(), 1);
    assert!(sleep.waits().is_empty());
}

#[tokio::test]
async fn headers_that_frame_the_request_are_refused_before_sending() {
    // Sent as given, `content-length` on a GET makes the server wait for a body that never
    // comes (three 30 s timeouts), and `host` names another site.
    let owned = [
        ("content-length", "5"),
        ("transfer-encoding", "chunked"),
        ("host", "evil.example"),
        ("connection", "close"),
        ("content-type", "text/plain"),
        ("proxy-authorization", "Basic eDp5"),
    ];
    for (name, value) in owned {
        let server = ScriptedServer::start(vec![Reply::json(200, &bodies::list(vec![]))])
            .await
            .unwrap();
        let (client, _) = client(&server.base_url);
        let result = client
            .keys()
            .list()
            .header(name, value)
            .timeout(Duration::from_millis(500))
            .retry(RetryPolicy::default().max_attempts(1))
            .await;
        let error = result.expect_err(name);
        assert!(
            matches!(
                &error,
                Error::InvalidInput {
                    what: InputField::Header,
                    ..
                }
            ),
            "{name}: {error:?}"
        );
        let text = error.to_string();
        assert!(text.contains(&format!("`{name}`")), "{text}");
        assert!(text.contains("cannot be set per call"), "{text}");
        assert_eq!(server.count(), 0, "{name} must not reach the server");
    }
}

#[tokio::test]
async fn a_secret_pasted_as_a_hash_is_neither_sent_nor_echoed() {
    let server = ScriptedServer::start(vec![]).await.unwrap();
    let (client, _) = client(&server.base_url);
    let secret = "sk-or-v1-0123456789abcdef0123456789abcdef";
    let errors = [
        client.keys().get(secret).await.map(drop).unwrap_err(),
        client.keys().delete(secret).await.unwrap_err(),
        client
            .keys()
            .update(secret, KeyUpdate::new().disabled(true))
            .await
            .map(drop)
            .unwrap_err(),
    ];
    for error in errors {
        let shown = format!("{error} {error:?}");
        assert!(shown.contains("not its hash"), "{shown}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
    }
    assert_eq!(server.count(), 0);
}

/// An envelope's `message` is kept to its first KiB, with how much was left out: a server
/// may send megabytes there, and an error ends up on terminals and in logs.
#[tokio::test]
async fn a_huge_error_message_is_kept_to_its_first_kib() {
    let huge = "x".repeat(100_000);
    let reply = Reply::json(400, &bodies::error(400, &huge));
    let server = ScriptedServer::start(vec![reply]).await.unwrap();
    let (client, _) = client(&server.base_url);
    let error = call(&client, Op::List).await.unwrap_err();
    let api = error.as_api().expect("an API error");
    let message = api.message.as_deref().unwrap();
    assert!(message.len() < 1_200, "{} bytes kept", message.len());
    assert!(
        message.ends_with("(98976 more bytes not shown)"),
        "{message}"
    );
    assert!(error.to_string().len() < 2_000);
}
