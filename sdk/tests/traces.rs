//! What the SDK traces: one span per call whose fields are recorded once, at its end (a
//! `fmt` layer prints a field once per `record`), and one debug event per attempt, both
//! naming the operation by its spec name.

mod common;

use common::bodies;
use common::scripted::{Reply, ScriptedServer};
use common::{Captured, client};

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
