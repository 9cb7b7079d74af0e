//! What the SDK traces: one span per call whose fields are recorded once, at its end (a
//! `fmt` layer prints a field once per `record`), and one debug event per attempt, both
//! naming the operation by its spec name; and no secret in any of it.

mod common;

use common::bodies::{self, HASH};
use common::scripted::{Reply, ScriptedServer};
use common::{Captured, SENTINEL_KEY, SENTINEL_SECRET, client};
use openrouter_keys::NewKey;

#[tokio::test]
async fn a_retried_call_has_one_span_with_its_outcome_and_an_event_per_attempt() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = ScriptedServer::start(vec![
        Reply::json(503, &bodies::error(503, "busy")),
        Reply::json(200, &bodies::list(vec![])).with_header("x-request-id", "req-2"),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    client.keys().list().await.unwrap();

    let traces = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = traces.lines().collect();
    let answered: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("attempt answered"))
        .collect();
    assert_eq!(answered.len(), 2, "{traces}");
    assert!(answered[0].contains("attempt=1 status=503"), "{traces}");
    assert!(answered[1].contains("attempt=2 status=200"), "{traces}");
    let close: Vec<&&str> = lines.iter().filter(|l| l.contains("close")).collect();
    assert_eq!(close.len(), 1, "{traces}");
    assert!(
        close[0].contains(
            "openrouter_keys.call{operation=\"list\" attempts=2 status=200 request_id=\"req-2\""
        ),
        "{traces}"
    );
    for line in &lines {
        // The span's fields, printed before each line's message: none twice.
        let span_fields = line.split("}:").next().unwrap_or("");
        assert!(span_fields.matches("status=").count() <= 1, "{line}");
    }
    // The events name the operation as the span does (the spec's operationId).
    for line in &answered {
        assert!(
            line.contains("attempt answered operation=\"list\""),
            "{line}"
        );
    }
}

/// In this file, with the other tests that install a subscriber: a test binary where other
/// tests call the SDK with no subscriber may cache the SDK's callsites as uninteresting
/// before this test installs its own (tracing's interest cache is global), and then it sees
/// no trace at all.
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
