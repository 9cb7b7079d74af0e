//! How far a failed call got decides what its error says and whether a create's outcome is
//! unknown: nothing sent (refused, connect timeout), sent but no answer, or an answer cut off.
//! Every message carries its root cause once, never both in its text and in `source()`.

mod common;

use common::RecordingSleep;
use common::bodies::{self, HASH};
use common::scripted::{Reply, ScriptedServer};
use openrouter_keys::{
    Client, ConnectionPhase, Error, KeySource, NewKey, RetryPolicy, Sent, TimeoutKind,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A port on 127.0.0.1 that accepts no connection: a listener whose accept queue is full,
/// so that the kernel drops new connection attempts and a client's connect hangs until its
/// connect timeout. The returned values keep the listener and the queued connections open.
fn black_hole() -> (u16, tokio::net::TcpListener, Vec<std::net::TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let address = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    // Fill the accept queue; once full, connecting times out.
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&address, Duration::from_millis(100)) {
            Ok(stream) => queued.push(stream),
            Err(_) => break,
        }
    }
    (address.port(), listener, queued)
}

/// A port where nothing listens (a listener bound, then dropped).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn client_for(base_url: &str, connect_timeout: Duration) -> (Client, Arc<RecordingSleep>) {
    let sleep = Arc::new(RecordingSleep::default());
    let client = common::builder(base_url, &sleep)
        .connect_timeout(connect_timeout)
        .build()
        .unwrap();
    (client, sleep)
}

/// No error in the chain repeats the text of its source.
fn assert_no_repeated_cause(error: &(dyn std::error::Error + 'static)) {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(source) = error.source() {
            assert!(
                !error.to_string().contains(&source.to_string()),
                "`{error}` repeats its source `{source}`"
            );
        }
        current = error.source();
    }
}

#[tokio::test]
async fn a_create_that_could_never_connect_is_not_an_unknown_outcome() {
    let (port, _listener, _queued) = black_hole();
    let (client, sleep) = client_for(
        &format!("http://127.0.0.1:{port}/api/v1"),
        Duration::from_millis(200),
    );
    let started = Instant::now();
    let error = client.keys().create(NewKey::new("k")).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    match &error {
        Error::Timeout {
            which: TimeoutKind::Connect,
            attempts: 3,
            after: Some(after),
            ..
        } => assert_eq!(*after, Duration::from_millis(200)),
        other => panic!("expected a connect timeout, got {other:?}"),
    }
    assert_eq!(sleep.waits().len(), 2, "a connect failure is retried");
    let message = error.to_string();
    assert!(message.contains("connect timeout"), "{message}");
    assert!(message.contains("nothing was sent"), "{message}");
    assert!(message.contains("after 3 attempts"), "{message}");
    assert_no_repeated_cause(&error);
}

#[tokio::test]
async fn a_refused_create_is_a_connection_error_that_says_refused() {
    let (client, sleep) = client_for(
        &format!("http://127.0.0.1:{}/api/v1", closed_port()),
        Duration::from_secs(5),
    );
    let error = client.keys().create(NewKey::new("k")).await.unwrap_err();
    match &error {
        Error::Connection {
            phase: ConnectionPhase::Connect,
            attempts: 3,
            ..
        } => {}
        other => panic!("expected a connect failure, got {other:?}"),
    }
    assert_eq!(sleep.waits().len(), 2);
    let message = error.to_string();
    assert!(message.to_lowercase().contains("refused"), "{message}");
    assert!(message.contains("nothing was sent"), "{message}");
    assert!(!message.contains("error sending request"), "{message}");
    assert!(std::error::Error::source(&error).is_none());
    assert_no_repeated_cause(&error);
}

/// A server that reads one request, then closes its listener and drops the connection
/// without answering: the request was sent (and may have been acted on), and every later
/// attempt is refused. Its base URL.
async fn one_request_then_gone() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}/api/v1", listener.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        let mut request = Vec::new();
        let mut chunk = [0u8; 4096];
        // The whole request: its head, then its JSON body (which ends with `}`).
        while !request.ends_with(b"}") {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&chunk[..n]),
            }
        }
        drop(listener);
        drop(stream);
    });
    base_url
}

#[tokio::test]
async fn a_refused_retry_after_an_attempt_that_was_sent_does_not_say_nothing_was_sent() {
    let (client, sleep) = client_for(&one_request_then_gone().await, Duration::from_secs(5));
    let error = client
        .guardrails()
        .assign_keys(bodies::GUARDRAIL_ID, [HASH])
        .await
        .unwrap_err();
    match &error {
        Error::Connection {
            phase: ConnectionPhase::Connect,
            attempts: 3,
            earlier: Sent::MayHaveActed,
            ..
        } => {}
        other => panic!("expected a refused last attempt after one that was sent: {other:?}"),
    }
    assert_eq!(sleep.waits().len(), 2);
    let message = error.to_string();
    assert!(!message.contains("nothing was sent"), "{message}");
    assert!(
        message.contains("an earlier attempt was sent and may have been acted on"),
        "{message}"
    );

    // A create that may be retried after such an attempt: its key may exist, and its cause
    // does not say otherwise.
    let (client, _) = client_for(&one_request_then_gone().await, Duration::from_secs(5));
    let error = client
        .keys()
        .create(NewKey::new("k"))
        .retry_on_unknown_outcome()
        .await
        .unwrap_err();
    let Error::OutcomeUnknown { cause } = &error else {
        panic!("expected an unknown outcome: {error:?}");
    };
    assert!(
        matches!(
            **cause,
            Error::Connection {
                earlier: Sent::MayHaveActed,
                ..
            }
        ),
        "{cause:?}"
    );
    let message = error.to_string();
    assert!(!message.contains("nothing was sent"), "{message}");
    assert!(message.contains("may have been acted on"), "{message}");
}

#[tokio::test]
async fn a_cut_off_response_is_worded_as_such() {
    let cut = || Reply::json(200, &bodies::one(bodies::key(HASH, "k"))).cut_off();
    let server = ScriptedServer::start(vec![cut(), cut(), cut()])
        .await
        .unwrap();
    let (client, _) = common::client(&server.base_url);
    let error = client.keys().get(HASH).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Connection {
                phase: ConnectionPhase::Response,
                attempts: 3,
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("the response from OpenRouter was cut off"),
        "{message}"
    );
    assert!(
        message.contains("end of file"),
        "root cause shown: {message}"
    );
    assert!(!message.contains("error sending request"), "{message}");
    assert_no_repeated_cause(&error);

    // A create whose answer was cut off may have created the key: unknown, and it says why.
    let created = bodies::created(bodies::key(HASH, "k"), common::SENTINEL_SECRET);
    let server = ScriptedServer::start(vec![Reply::json(201, &created).cut_off()])
        .await
        .unwrap();
    let (client, _) = common::client(&server.base_url);
    let error = client.keys().create(NewKey::new("k")).await.unwrap_err();
    assert!(matches!(error, Error::OutcomeUnknown { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("was cut off"), "{message}");
    assert!(
        message.contains("may or may not have succeeded"),
        "{message}"
    );
    assert_no_repeated_cause(&error);
}

#[tokio::test]
async fn a_create_timing_out_after_it_was_sent_is_unknown_and_names_the_attempt_timeout() {
    let slow = Reply::Delay(
        Duration::from_secs(3),
        Box::new(Reply::json(
            201,
            &bodies::created(bodies::key(HASH, "k"), "s"),
        )),
    );
    let server = ScriptedServer::start(vec![slow]).await.unwrap();
    let (client, _) = common::client(&server.base_url);
    let error = client
        .keys()
        .create(NewKey::new("k"))
        .timeout(Duration::from_millis(150))
        .await
        .unwrap_err();
    let Error::OutcomeUnknown { cause } = &error else {
        panic!("{error:?}");
    };
    assert!(
        matches!(
            **cause,
            Error::Timeout {
                which: TimeoutKind::Attempt,
                ..
            }
        ),
        "{cause:?}"
    );
    assert!(
        error.to_string().contains("per-attempt timeout (150ms)"),
        "{error}"
    );
    assert_no_repeated_cause(&error);
}

#[tokio::test]
async fn server_text_and_attempt_count_do_not_run_together() {
    let reply = Reply::json(
        403,
        &bodies::error(403, "Only management keys can perform this operation"),
    );
    let server = ScriptedServer::start(vec![reply]).await.unwrap();
    let (client, _) = common::client(&server.base_url);
    let error = client.keys().create(NewKey::new("k")).await.unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains(
            "\"Only management keys can perform this operation\" (code 403; after 1 attempt)"
        ),
        "{message}"
    );
    assert!(message.contains("need a management key"), "{message}");
    assert_no_repeated_cause(&error);
}

#[tokio::test]
async fn a_404_on_routes_that_always_exist_says_the_base_url_is_probably_wrong() {
    for list in [false, true] {
        let reply = Reply::raw(404, "text/html", "<html>Not Found</html>");
        let server = ScriptedServer::start(vec![reply]).await.unwrap();
        // As a server answers a base URL without the `/api/v1` prefix.
        let (client, _) = common::client(&server.base_url);
        let error = if list {
            client
                .keys()
                .list()
                .retry(RetryPolicy::none())
                .await
                .map(drop)
        } else {
            client.current_key().await.map(drop)
        }
        .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("base URL"), "{message}");
        assert!(message.contains(client.base_url()), "{message}");
        let hint = error
            .as_api()
            .and_then(|api| api.hint())
            .unwrap_or_default();
        // `GET /key` has no documented 404; `GET /keys` has one, so only a page that is not
        // OpenRouter's error JSON points at the URL there, and less firmly.
        let expected = if list {
            "may be wrong"
        } else {
            "probably wrong"
        };
        assert!(hint.contains(expected), "{hint}");
    }
    // A 404 with OpenRouter's error JSON on `GET /keys` is not blamed on the URL.
    let reply = Reply::json(404, &bodies::error(404, "Not found"));
    let server = ScriptedServer::start(vec![reply]).await.unwrap();
    let (client, _) = common::client(&server.base_url);
    let error = client
        .keys()
        .list()
        .retry(RetryPolicy::none())
        .await
        .unwrap_err();
    assert!(!error.to_string().contains("base URL"), "{error}");
    // A 404 for one key is about the key, not the URL.
    let reply = Reply::json(404, &bodies::error(404, "Key not found"));
    let server = ScriptedServer::start(vec![reply]).await.unwrap();
    let (client, _) = common::client(&server.base_url);
    let error = client.keys().get(HASH).await.unwrap_err();
    assert!(!error.to_string().contains("base URL"), "{error}");
    // A 404 for one key without OpenRouter's error JSON (a web server's page) is the URL.
    for call in ["get", "update", "delete"] {
        let reply = Reply::raw(404, "text/html", "<html>Not Found</html>");
        let server = ScriptedServer::start(vec![reply]).await.unwrap();
        let (client, _) = common::client(&server.base_url);
        let keys = client.keys();
        let error = match call {
            "get" => keys.get(HASH).await.map(drop),
            "update" => keys
                .update(HASH, openrouter_keys::KeyUpdate::new().disabled(true))
                .await
                .map(drop),
            _ => keys.delete(HASH).await,
        }
        .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("may be wrong"), "{call}: {message}");
        assert!(message.contains(client.base_url()), "{call}: {message}");
    }
}

#[tokio::test]
async fn a_401_says_where_the_key_came_from_and_what_each_route_needs() {
    let unauthorized = || Reply::json(401, &bodies::error(401, "No auth credentials found"));
    let server = ScriptedServer::start(vec![unauthorized(), unauthorized()])
        .await
        .unwrap();
    let (client, _) = common::client(&server.base_url);
    // `GET /key` works with any valid key: no word of management keys there.
    let me = client.current_key().await.unwrap_err().to_string();
    assert!(me.contains("The API key was refused"), "{me}");
    assert!(!me.contains("management"), "{me}");
    // A key passed with `.api_key(..)` did not come from OPENROUTER_API_KEY.
    assert!(!me.contains("OPENROUTER_API_KEY"), "{me}");
    let list = client.keys().list().await.unwrap_err().to_string();
    assert!(list.contains("need a management key"), "{list}");
}

#[tokio::test]
async fn a_401_names_the_key_source_the_caller_gave() {
    let unauthorized = || Reply::json(401, &bodies::error(401, "No auth credentials found"));
    let server = ScriptedServer::start(vec![unauthorized(), unauthorized()])
        .await
        .unwrap();
    let sleep = Arc::new(RecordingSleep::default());
    let from_file = KeySource::File("/run/secrets/openrouter".into());
    let client = common::builder(&server.base_url, &sleep)
        .api_key_from(common::SENTINEL_KEY, from_file.clone())
        .build()
        .unwrap();
    assert_eq!(client.key_source(), &from_file);
    let me = client.current_key().await.unwrap_err();
    assert_eq!(
        me.hint().as_deref(),
        Some(
            "The API key (from file `/run/secrets/openrouter`) was refused: check that it is \
             complete and not disabled or expired"
        )
    );
    let list = client.keys().list().await.unwrap_err();
    let hint = list.hint().unwrap_or_default();
    assert!(
        hint.starts_with("The API key (from file `/run/secrets/openrouter`) was refused"),
        "{hint}"
    );
    assert!(list.to_string().ends_with(&*hint), "{list}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_says_where_it_pointed() {
    // Where the redirects point: it must never be asked anything.
    let elsewhere = ScriptedServer::start(vec![
        Reply::json(200, &bodies::list(vec![])),
        Reply::json(200, &bodies::list(vec![])),
    ])
    .await
    .unwrap();
    let target = format!("{}/keys", elsewhere.base_url);
    let redirect =
        |status: u16| Reply::raw(status, "text/html", "moved").with_header("location", &target);
    let server = ScriptedServer::start(vec![redirect(302), redirect(307), redirect(301)])
        .await
        .unwrap();
    let (client, _) = common::client(&server.base_url);

    // A create redirected (a 302 would turn it into a GET of the list): no "created" claim,
    // no unknown outcome, one attempt.
    let create = client.keys().create(NewKey::new("k")).await.unwrap_err();
    let get = client.keys().get(HASH).await.unwrap_err();
    let list = client.keys().list().await.unwrap_err();
    for (error, status) in [(&create, 302), (&get, 307), (&list, 301)] {
        let api = error.as_api().unwrap_or_else(|| panic!("{error:?}"));
        assert_eq!(api.status.as_u16(), status);
        assert_eq!(api.attempts, 1, "{error}");
        let message = error.to_string();
        assert!(message.contains(&target), "{message}");
        assert!(message.contains("does not follow redirects"), "{message}");
        assert!(message.contains(client.base_url()), "{message}");
        assert!(!message.contains("was created"), "{message}");
    }
    assert!(!matches!(
        create,
        openrouter_keys::Error::OutcomeUnknown { .. }
    ));
    assert_eq!(server.requests().len(), 3);
    assert!(elsewhere.requests().is_empty(), "a redirect was followed");
}

#[tokio::test]
async fn a_create_answered_by_a_2xx_that_shows_no_key_is_an_unknown_outcome() {
    let page = "<html>Sign in to the corporate proxy</html>";
    let created = bodies::created(bodies::key(HASH, "k"), "sk-or-v1-created-secret-000");
    let mut broken = created.clone();
    broken["data"]["hash"] = serde_json::json!(42);
    let server = ScriptedServer::start(vec![
        Reply::raw(200, "text/html", page),
        Reply::json(201, &broken),
    ])
    .await
    .unwrap();
    let (client, _) = common::client(&server.base_url);

    // A 200 page that is not the API's answer: nothing shows a key was made.
    let error = client.keys().create(NewKey::new("k")).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, openrouter_keys::Error::OutcomeUnknown { .. }),
        "{error:?}"
    );
    assert!(!message.contains("was created"), "{message}");
    assert_no_repeated_cause(&error);

    // A 201 whose hash is malformed: the key exists, and its secret is kept.
    let error = client.keys().create(NewKey::new("k")).await.unwrap_err();
    let openrouter_keys::Error::Decode(decode) = &error else {
        panic!("{error:?}")
    };
    assert!(decode.key_created);
    assert!(decode.created_secret.is_some());
    assert!(error.to_string().contains("the key was created"), "{error}");
}

/// A server that answers every request with its status line and headers, then stalls the
/// body for `stall`.
async fn stalling_server(status_line: &'static str, stall: Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = socket.read(&mut buffer).await;
                let head = format!(
                    "HTTP/1.1 {status_line}\r\ncontent-type: application/json\r\n\
                     content-length: 100\r\n\r\n{{\"data\":"
                );
                let _ = socket.write_all(head.as_bytes()).await;
                tokio::time::sleep(stall).await;
            });
        }
    });
    format!("http://{address}/api/v1")
}

#[tokio::test]
async fn a_body_that_stalls_after_its_status_says_the_server_answered() {
    let base_url = stalling_server("200 OK", Duration::from_secs(5)).await;
    let (client, _) = common::client(&base_url);
    let error = client
        .keys()
        .get(HASH)
        .timeout(Duration::from_millis(150))
        .retry(RetryPolicy::none())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("OpenRouter answered 200 OK, but its body did not arrive"),
        "{message}"
    );
    assert!(
        matches!(
            error,
            Error::Timeout {
                answered: Some(_),
                ..
            }
        ),
        "{error:?}"
    );

    // A create answered 201 whose body stalls: the key exists, and the message says so.
    let base_url = stalling_server("201 Created", Duration::from_secs(5)).await;
    let (client, _) = common::client(&base_url);
    let error = client
        .keys()
        .create(NewKey::new("k"))
        .timeout(Duration::from_millis(150))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("answered 201 Created"),
        "{error}"
    );
}

#[tokio::test]
async fn a_success_body_that_is_not_json_points_at_the_base_url_or_a_proxy() {
    let server = ScriptedServer::start(vec![
        Reply::raw(200, "text/html", "<html>hi</html>"),
        Reply::json(200, &serde_json::json!({"data": {"name": 3}})),
    ])
    .await
    .unwrap();
    let (client, _) = common::client(&server.base_url);
    let error = client.keys().get(HASH).await.unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("the body is not JSON (it begins `<html>hi</html>`)"),
        "{message}"
    );
    assert!(message.contains(client.base_url()), "{message}");
    // JSON of another shape is not blamed on the base URL.
    let error = client.keys().get(HASH).await.unwrap_err();
    assert!(!error.to_string().contains("base URL"), "{error}");
}
