//! Every operation × every fault kind, against the fake over real sockets: the call ends in
//! the documented outcome, within its deadline, and the server sees the expected requests.
//! `POST /keys` never creates two keys for one call; a retried guardrail assignment or
//! unassignment leaves the state one call would have left.

use openrouter_keys::{Client, Error, KeyUpdate, NewKey};
use openrouter_keys_testkit::{FakeServer, Fault, FaultBody, NewGuardrail, RetryAfter, Route};
use openrouter_keys_tests::{ATTEMPT_TIMEOUT, client_for};
use std::time::Duration;

fn faults() -> Vec<(&'static str, Fault)> {
    let status = |status, body, retry_after| Fault::Status {
        status,
        body,
        retry_after,
    };
    vec![
        ("500 envelope", Fault::status(500)),
        ("502 html", status(502, FaultBody::Html, None)),
        ("503 empty", status(503, FaultBody::Empty, None)),
        (
            "429 retry-after seconds",
            status(
                429,
                FaultBody::Envelope("slow down".into()),
                Some(RetryAfter::Seconds(1)),
            ),
        ),
        (
            "429 retry-after date",
            status(
                429,
                FaultBody::Envelope("slow down".into()),
                Some(RetryAfter::Date(1)),
            ),
        ),
        ("delay past timeout", Fault::Delay(ATTEMPT_TIMEOUT * 3)),
        ("close before read", Fault::CloseBeforeRead),
        ("close after read", Fault::CloseAfterRead),
        ("truncated body", Fault::TruncatedBody),
        ("invalid json on 2xx", Fault::InvalidJson),
    ]
}

/// What a case must end in.
#[derive(Debug, PartialEq)]
enum Expected {
    Success,
    DecodeError,
    OutcomeUnknown,
}

fn expected(route: Route, fault: &Fault) -> (Expected, u64) {
    match (route, fault) {
        (_, Fault::InvalidJson) => (Expected::DecodeError, 1),
        (Route::CreateKeys, Fault::Status { status: 429, .. }) => (Expected::Success, 2),
        (Route::CreateKeys, _) => (Expected::OutcomeUnknown, 1),
        _ => (Expected::Success, 2),
    }
}

/// What a case works on: an existing key, and a guardrail it holds.
struct Existing {
    hash: String,
    guardrail: String,
}

async fn run(client: &Client, route: Route, existing: &Existing) -> Result<(), Error> {
    let keys = client.keys();
    let guardrails = client.guardrails();
    let (hash, guardrail) = (existing.hash.as_str(), existing.guardrail.as_str());
    match route {
        Route::GetCurrentKey => client.current_key().await.map(drop),
        Route::List => keys.list().await.map(drop),
        Route::CreateKeys => keys.create(NewKey::new("under-fault")).await.map(drop),
        Route::GetKey => keys.get(hash).await.map(drop),
        Route::UpdateKeys => keys
            .update(hash, KeyUpdate::new().limit(1.0))
            .await
            .map(drop),
        Route::DeleteKeys => keys.delete(hash).await.map(drop),
        Route::ListGuardrails => guardrails.list().await.map(drop),
        Route::GetGuardrail => guardrails.get(guardrail).await.map(drop),
        Route::ListKeyAssignments => guardrails.key_assignments().await.map(drop),
        Route::ListGuardrailKeyAssignments => guardrails
            .assignments_of_guardrail(guardrail)
            .await
            .map(drop),
        Route::BulkAssignKeysToGuardrail => {
            guardrails.assign_keys(guardrail, [hash]).await.map(drop)
        }
        Route::BulkUnassignKeysFromGuardrail => {
            guardrails.unassign_keys(guardrail, [hash]).await.map(drop)
        }
        Route::ListWorkspaces => client.workspaces().list().await.map(drop),
        Route::GetWorkspace => client.workspaces().get("default").await.map(drop),
    }
}

async fn one_case(route: Route, name: &'static str, fault: Fault) -> String {
    let server = FakeServer::start().await.unwrap();
    let client = client_for(&server, server.management_key());
    let created = client.keys().create(NewKey::new("existing")).await.unwrap();
    let existing = Existing {
        hash: created.key().hash.clone(),
        guardrail: server.add_guardrail(NewGuardrail::new("cap")).unwrap(),
    };
    if route == Route::BulkUnassignKeysFromGuardrail {
        let guardrails = client.guardrails();
        guardrails
            .assign_keys(&existing.guardrail, [&existing.hash])
            .await
            .unwrap();
    }
    let before = server.requests(route);
    server.inject(route, fault.clone());

    // The client's deadline is 10 s; a hang would be caught here.
    let outcome = tokio::time::timeout(Duration::from_secs(12), run(&client, route, &existing))
        .await
        .unwrap_or_else(|_| panic!("{route} × {name}: hung past the deadline"));
    let (want, want_requests) = expected(route, &fault);
    let got = match &outcome {
        Ok(()) => Expected::Success,
        Err(Error::Decode(_)) => Expected::DecodeError,
        Err(Error::OutcomeUnknown { .. }) => Expected::OutcomeUnknown,
        Err(other) => panic!("{route} × {name}: unexpected error {other:?}"),
    };
    assert_eq!(got, want, "{route} × {name}: {outcome:?}");
    let requests = server.requests(route) - before;
    assert_eq!(requests, want_requests, "{route} × {name}: requests seen");

    // Whatever the fault, the assignment is as one call leaves it (a decode error comes from
    // an answer spoiled after the work was done).
    let held = server.guardrail_of(&existing.hash);
    match route {
        Route::BulkAssignKeysToGuardrail => {
            assert_eq!(held, Some(existing.guardrail.clone()), "{route} × {name}");
        }
        Route::BulkUnassignKeysFromGuardrail => assert_eq!(held, None, "{route} × {name}"),
        _ => {}
    }
    if route == Route::CreateKeys {
        // Never two keys for one call; and a key made before the answer was lost is listed.
        let made: Vec<String> = server
            .created_key_names()
            .into_iter()
            .filter(|n| n == "under-fault")
            .collect();
        assert!(made.len() <= 1, "{name}: duplicate keys {made:?}");
        if fault.acts() {
            assert_eq!(made.len(), 1, "{name}: the key was created");
            let listed = client.keys().list().await.unwrap();
            assert!(
                listed
                    .iter()
                    .any(|k| k.name.as_deref() == Some("under-fault")),
                "{name}: visible via list"
            );
        }
    }
    format!(
        "{:<29} × {:<26} → {:?} after {} request(s)",
        route.to_string(),
        name,
        got,
        requests
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_under_every_fault_ends_as_documented() {
    let mut count = 0;
    // One operation's ten cases at a time: enough overlap to keep the run short, not so much
    // that two cores miss the one-second attempt timeout.
    for route in Route::ALL {
        let cases: Vec<_> = faults()
            .into_iter()
            .map(|(name, fault)| tokio::spawn(one_case(route, name, fault)))
            .collect();
        for case in cases {
            match case.await {
                Ok(line) => println!("{line}"),
                Err(e) => std::panic::resume_unwind(e.into_panic()),
            }
            count += 1;
        }
    }
    println!(
        "fault matrix: {count} cases ({} operations × {} faults), all as documented",
        Route::ALL.len(),
        faults().len()
    );
    assert_eq!(count, 140);
}
