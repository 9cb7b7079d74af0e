//! Retry counts per operation and status, `POST /keys` safety, `Retry-After` in its three
//! forms, timeouts and the deadline. Waits are recorded, not slept, with a seeded jitter.

mod common;

use common::bodies::{self, HASH};
use common::scripted::{Reply, ScriptedServer};
use common::{SENTINEL_SECRET, client};
use openrouter_keys::{Client, Error, KeyUpdate, NewKey, OperationId, RetryPolicy, TimeoutKind};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

fn failing(status: u16) -> Reply {
    Reply::json(status, &bodies::error(status, "failure"))
}

fn key_ok() -> Reply {
    Reply::json(200, &bodies::one(bodies::key(HASH, "k")))
}

fn created_ok() -> Reply {
    Reply::json(
        201,
        &bodies::created(bodies::key(HASH, "k"), SENTINEL_SECRET),
    )
}

#[tokio::test]
async fn idempotent_call_answered_503_503_200_succeeds_after_3_requests() {
    let server = ScriptedServer::start(vec![failing(503), failing(503), key_ok()])
        .await
        .unwrap();
    let (client, sleep) = client(&server.base_url);
    let key = client.keys().get(HASH).await.unwrap();
    assert_eq!(key.hash, HASH);
    assert_eq!(server.count(), 3);
    let waits = sleep.waits();
    assert_eq!(waits.len(), 2);
    // Full jitter: each wait lies in [0, 500 ms · 2^n].
    assert!(waits[0] <= Duration::from_millis(500), "{waits:?}");
    assert!(waits[1] <= Duration::from_millis(1000), "{waits:?}");
}

/// Every attempt is rebuilt from the call's parameters: the same method, path, query, body
/// and headers each time.
#[tokio::test]
async fn every_attempt_sends_the_same_request() {
    let list_ok = Reply::json(200, &bodies::list(vec![]));
    let server = ScriptedServer::start(vec![
        failing(503),
        key_ok(),
        failing(502),
        list_ok,
        failing(429),
        created_ok(),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let update = KeyUpdate::new().name("renamed").limit(5.0);
    client
        .keys()
        .update(HASH, update)
        .header("x-trace-id", "t-1")
        .await
        .unwrap();
    client
        .keys()
        .list()
        .offset(200)
        .include_disabled(true)
        .workspace_id("ws-1")
        .await
        .unwrap();
    client.keys().create(NewKey::new("fresh")).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 6);
    for pair in requests.chunks(2) {
        let (first, retry) = (&pair[0], &pair[1]);
        assert_eq!(first.method, retry.method);
        assert_eq!(first.target, retry.target);
        assert_eq!(first.body, retry.body);
        assert_eq!(first.headers, retry.headers);
        assert!(first.header("authorization").is_some());
        assert_eq!(first.header("api-version"), None);
    }
    assert_eq!(requests[0].header("x-trace-id"), Some("t-1"));
    assert_eq!(requests[0].json()["name"], "renamed");
    assert_eq!(requests[0].json()["limit"], 5.0);
    assert!(
        requests[2].target.contains("offset=200"),
        "{}",
        requests[2].target
    );
    assert!(
        requests[2].target.contains("workspace_id=ws-1"),
        "{}",
        requests[2].target
    );
    assert_eq!(requests[4].json()["name"], "fresh");
}

/// An undocumented 2xx (203 for get, 200 for create, where 200 and 201 are documented) is
/// decoded like the documented one; when its body is cut off midway the attempt fails like any
/// other cut-off body: a get is retried, a create's outcome is unknown.
#[tokio::test]
async fn a_cut_off_body_of_an_undocumented_2xx_fails_the_attempt() {
    let key = bodies::one(bodies::key(HASH, "k"));
    let created = bodies::created(bodies::key(HASH, "k"), SENTINEL_SECRET);
    let server = ScriptedServer::start(vec![
        Reply::json(203, &key).cut_off(),
        Reply::json(203, &key),
        Reply::json(200, &created).cut_off(),
    ])
    .await
    .unwrap();
    let (client, sleep) = client(&server.base_url);
    let got = client.keys().get(HASH).await.unwrap();
    assert_eq!(got.hash, HASH);
    assert_eq!(server.count(), 2);
    assert_eq!(sleep.waits().len(), 1);
    let error = client.keys().create(NewKey::new("k")).await.unwrap_err();
    assert!(matches!(error, Error::OutcomeUnknown { .. }), "{error:?}");
    assert_eq!(server.count(), 3);
}

/// Assigning keys to a guardrail and unassigning them are safe to repeat (an assignment
/// replaces the one before; an unassignment leaves the key without it): unlike a create,
/// they are retried after an answer that may have acted (a 5xx, a dropped connection, a
/// cut-off body), with the same body each time, and never end in `OutcomeUnknown`.
#[tokio::test]
async fn guardrail_assignments_are_retried_after_failures_that_may_have_acted() {
    let assigned = Reply::json(200, &serde_json::json!({"assigned_count": 1}));
    let unassigned = Reply::json(200, &serde_json::json!({"unassigned_count": 0}));
    let server = ScriptedServer::start(vec![
        failing(500),
        Reply::Close,
        assigned.clone(),
        failing(503),
        unassigned.clone().cut_off(),
        unassigned,
    ])
    .await
    .unwrap();
    let (client, sleep) = client(&server.base_url);
    let guardrail = bodies::GUARDRAIL_ID;
    let outcome = client.guardrails().assign_keys(guardrail, [HASH]).await;
    assert_eq!(outcome.unwrap().count, 1);
    assert_eq!(
        server.count(),
        3,
        "a 500 and a dropped connection, then the answer"
    );
    let outcome = client.guardrails().unassign_keys(guardrail, [HASH]).await;
    assert_eq!(outcome.unwrap().count, 0, "the last attempt's count");
    assert_eq!(server.count(), 6);
    assert_eq!(sleep.waits().len(), 4);
    let requests = server.requests();
    for (n, request) in requests.iter().enumerate() {
        let path = if n < 3 {
            format!("/guardrails/{guardrail}/assignments/keys")
        } else {
            format!("/guardrails/{guardrail}/assignments/keys/remove")
        };
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("POST", path.as_str())
        );
        assert_eq!(request.json(), serde_json::json!({"key_hashes": [HASH]}));
    }

    // Out of attempts, the error is the last failure itself, not an unknown outcome.
    let server = ScriptedServer::start(vec![failing(502), failing(502), failing(502)])
        .await
        .unwrap();
    let (exhausted, _) = common::client(&server.base_url);
    let error = exhausted
        .guardrails()
        .assign_keys(guardrail, [HASH])
        .await
        .unwrap_err();
    assert_eq!(server.count(), 3);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502), "{error:?}");
    assert!(!matches!(error, Error::OutcomeUnknown { .. }), "{error:?}");
    assert_eq!(
        error.as_api().map(|api| api.operation),
        Some(OperationId::BulkAssignKeysToGuardrail)
    );
}

#[tokio::test]
async fn seeded_jitter_gives_the_same_waits_every_run() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let server = ScriptedServer::start(vec![failing(500), failing(500), key_ok()])
            .await
            .unwrap();
        let (client, sleep) = client(&server.base_url);
        client.keys().get(HASH).await.unwrap();
        runs.push(sleep.waits());
    }
    assert_eq!(runs[0], runs[1]);
    assert_ne!(runs[0][0], runs[0][1]);
}

#[tokio::test]
async fn create_answered_500_is_sent_exactly_once_and_reports_unknown_outcome() {
    for status in [500, 502, 503, 504] {
        let server = ScriptedServer::start(vec![failing(status), created_ok()])
            .await
            .unwrap();
        let (client, sleep) = client(&server.base_url);
        let error = client.keys().create(NewKey::new("k")).await.unwrap_err();
        assert_eq!(server.count(), 1, "{status}: sent exactly once");
        assert!(sleep.waits().is_empty());
        match &error {
            Error::OutcomeUnknown { cause } => {
                assert_eq!(cause.status().map(|s| s.as_u16()), Some(status));
            }
            other => panic!("{status}: {other:?}"),
        }
        assert!(!error.is_retryable());
        let message = error.to_string();
        assert!(message.contains("may have been created"), "{message}");
        assert!(message.contains("list_all"), "{message}");
    }
}

#[tokio::test]
async fn create_is_retried_on_429_and_connection_refused() {
    let server = ScriptedServer::start(vec![
        failing(429).with_header("retry-after", "1"),
        failing(429),
        created_ok(),
    ])
    .await
    .unwrap();
    let (client, sleep) = client(&server.base_url);
    client.keys().create(NewKey::new("k")).await.unwrap();
    assert_eq!(server.count(), 3);
    assert_eq!(sleep.waits()[0], Duration::from_secs(1));

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (client, _) = common::client(&format!("http://127.0.0.1:{port}"));
    let error = client.keys().create(NewKey::new("k")).await.unwrap_err();
    assert!(
        matches!(error, Error::Connection { attempts: 3, .. }),
        "nothing was sent: {error:?}"
    );
}

#[tokio::test]
async fn create_retries_5xx_only_when_the_caller_opts_in() {
    let server = ScriptedServer::start(vec![failing(500), created_ok()])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let created = client
        .keys()
        .create(NewKey::new("k"))
        .retry_on_unknown_outcome()
        .await
        .unwrap();
    assert_eq!(created.key().hash, HASH);
    assert_eq!(server.count(), 2);
}

async fn call_op(client: &Client, op: &str) -> Result<(), Error> {
    let keys = client.keys();
    match op {
        "getCurrentKey" => client.current_key().await.map(drop),
        "list" => keys.list().await.map(drop),
        "getKey" => keys.get(HASH).await.map(drop),
        "updateKeys" => keys
            .update(HASH, KeyUpdate::new().name("n"))
            .await
            .map(drop),
        "deleteKeys" => keys.delete(HASH).await.map(drop),
        "createKeys" => keys.create(NewKey::new("k")).await.map(drop),
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn retry_counts_per_operation_and_status() {
    let ops = [
        "getCurrentKey",
        "list",
        "getKey",
        "updateKeys",
        "deleteKeys",
        "createKeys",
    ];
    for op in ops {
        for status in [400, 401, 403, 404, 408, 409, 429, 500, 501, 502, 503, 504] {
            let server = ScriptedServer::start((0..4).map(|_| failing(status)).collect())
                .await
                .unwrap();
            let (client, _) = client(&server.base_url);
            let error = call_op(&client, op).await.unwrap_err();
            let retryable = matches!(status, 408 | 429 | 500 | 502 | 503 | 504);
            let expected = match (op, status) {
                (_, 429) => 3,
                ("createKeys", _) => 1,
                (_, _) if retryable => 3,
                _ => 1,
            };
            assert_eq!(server.count(), expected, "{op} {status}");
            assert_eq!(error.attempts(), expected as u32, "{op} {status}");
            assert_eq!(
                error.status().map(|s| s.as_u16()),
                Some(status),
                "{op} {status}"
            );
        }
    }
}

#[tokio::test]
async fn retry_after_seconds_date_and_milliseconds_are_honoured() {
    let in_3s = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3));
    let server = ScriptedServer::start(vec![
        failing(429).with_header("retry-after", "2"),
        failing(503).with_header("retry-after", &in_3s),
        failing(429).with_header("retry-after-ms", "150"),
        key_ok(),
    ])
    .await
    .unwrap();
    let (client, sleep) = client(&server.base_url);
    client
        .keys()
        .get(HASH)
        .retry(RetryPolicy::default().max_attempts(4))
        .await
        .unwrap();
    let waits = sleep.waits();
    assert_eq!(waits[0], Duration::from_secs(2));
    assert!(
        waits[1] > Duration::from_millis(1500) && waits[1] <= Duration::from_secs(3),
        "{waits:?}"
    );
    assert_eq!(waits[2], Duration::from_millis(150));
}

#[tokio::test]
async fn a_wait_past_the_deadline_returns_at_once_with_the_wait_attached() {
    let server = ScriptedServer::start(vec![
        failing(429).with_header("retry-after", "600"),
        key_ok(),
    ])
    .await
    .unwrap();
    let (client, sleep) = client(&server.base_url);
    let started = Instant::now();
    let error = client.keys().get(HASH).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.count(), 1);
    assert!(sleep.waits().is_empty());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(600)));
    assert!(error.is_retryable());
    assert!(error.to_string().contains("600s"), "{error}");
}

fn slow(reply: Reply) -> Reply {
    Reply::Delay(Duration::from_secs(2), Box::new(reply))
}

#[tokio::test]
async fn per_attempt_timeouts_are_retried_for_idempotent_calls_only() {
    let server = ScriptedServer::start(vec![slow(key_ok()), slow(key_ok()), key_ok()])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let key = client
        .keys()
        .get(HASH)
        .timeout(Duration::from_millis(200))
        .await
        .unwrap();
    assert_eq!(key.hash, HASH);
    assert_eq!(server.count(), 3);

    let server = ScriptedServer::start(vec![slow(created_ok()), created_ok()])
        .await
        .unwrap();
    let (client, _) = common::client(&server.base_url);
    let error = client
        .keys()
        .create(NewKey::new("k"))
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1);
    match error {
        Error::OutcomeUnknown { cause } => {
            assert!(matches!(
                *cause,
                Error::Timeout {
                    which: TimeoutKind::Attempt,
                    attempts: 1,
                    ..
                }
            ));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_call() {
    let server = ScriptedServer::start(vec![slow(key_ok()), slow(key_ok())])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let started = Instant::now();
    let error = client
        .keys()
        .get(HASH)
        .retry(RetryPolicy::default().deadline(Duration::from_millis(300)))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            error,
            Error::Timeout {
                which: TimeoutKind::Deadline,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_get_but_unknown_for_create() {
    let server = ScriptedServer::start(vec![Reply::Close, key_ok()])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    client.keys().get(HASH).await.unwrap();
    assert_eq!(server.count(), 2);

    let server = ScriptedServer::start(vec![Reply::Close, created_ok()])
        .await
        .unwrap();
    let (client, _) = common::client(&server.base_url);
    let error = client.keys().create(NewKey::new("k")).await.unwrap_err();
    assert_eq!(server.count(), 1);
    assert!(matches!(error, Error::OutcomeUnknown { .. }), "{error:?}");
}

#[tokio::test]
async fn the_retry_hook_is_told_of_every_wait_before_it() {
    let server = ScriptedServer::start(vec![
        failing(429).with_header("retry-after", "2"),
        failing(503),
        key_ok(),
    ])
    .await
    .unwrap();
    let sleep = Arc::new(common::RecordingSleep::default());
    let notices = Arc::new(Mutex::new(Vec::new()));
    let seen = notices.clone();
    let client = common::builder(&server.base_url, &sleep)
        .on_retry(move |notice| seen.lock().unwrap().push(notice.clone()))
        .build()
        .unwrap();
    client.keys().get(HASH).await.unwrap();
    let notices = notices.lock().unwrap().clone();
    assert_eq!(notices.len(), 2);
    let first = &notices[0];
    assert_eq!(first.operation, OperationId::GetKey);
    assert_eq!(
        (first.attempt, first.status, first.wait, first.server_asked),
        (1, Some(429), Duration::from_secs(2), true)
    );
    let second = &notices[1];
    assert_eq!((second.attempt, second.status), (2, Some(503)));
    assert!(!second.server_asked);
    // Each notice came with the wait that followed it.
    assert_eq!(
        sleep.waits(),
        notices.iter().map(|n| n.wait).collect::<Vec<_>>()
    );

    // A call that is not retried tells nothing.
    let server = ScriptedServer::start(vec![failing(404)]).await.unwrap();
    let told = Arc::new(Mutex::new(0));
    let count = told.clone();
    let client = common::builder(&server.base_url, &sleep)
        .on_retry(move |_| *count.lock().unwrap() += 1)
        .build()
        .unwrap();
    assert!(client.keys().get(HASH).await.is_err());
    assert_eq!(*told.lock().unwrap(), 0);
}

#[tokio::test]
async fn retry_after_with_a_fraction_of_a_second_is_honoured() {
    let server = ScriptedServer::start(vec![
        failing(429).with_header("retry-after", "1.5"),
        key_ok(),
    ])
    .await
    .unwrap();
    let (client, sleep) = client(&server.base_url);
    client.keys().get(HASH).await.unwrap();
    assert_eq!(sleep.waits(), [Duration::from_millis(1500)]);
}

#[tokio::test]
async fn a_retry_after_too_large_to_represent_stops_the_call_with_a_capped_wait() {
    // 365 days: `openrouter_keys::MAX_RETRY_AFTER`, spelled out so that this test also
    // compiles (and fails) against the SDK from before the cap.
    let cap = Duration::from_secs(365 * 24 * 60 * 60);
    for huge in ["18446744073709551615", "18446744073709551616"] {
        let server = ScriptedServer::start(vec![
            failing(429).with_header("retry-after", huge),
            key_ok(),
        ])
        .await
        .unwrap();
        let (client, sleep) = client(&server.base_url);
        let error = client.keys().get(HASH).await.unwrap_err();
        assert_eq!(server.count(), 1, "{huge}: the call must stop, not retry");
        assert!(sleep.waits().is_empty(), "{huge}");
        let wait = error.retry_after().expect("the wait is exposed");
        assert_eq!(wait, cap, "{huge}");
        // What a caller does with it must not panic.
        let _ = Instant::now() + wait;
    }
}
