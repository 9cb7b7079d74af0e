//! 200 concurrent calls against the fake with 10 % of requests faulted: every call completes
//! within its deadline and is accounted for, and no create makes two keys.

use futures_util::future::join_all;
use openrouter_keys::{Error, KeyUpdate, NewKey};
use openrouter_keys_testkit::{FakeServer, Fault, FaultBody, RandomFaults, RetryAfter};
use openrouter_keys_tests::{ATTEMPT_TIMEOUT, client_for};
use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug)]
enum Outcome {
    Created(String),
    CreateUnknown(String),
    Done,
    Failed(String),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_calls_with_ten_percent_faults_are_all_accounted_for() {
    let server = FakeServer::builder().seed(42).start().await.unwrap();
    let client = client_for(&server, server.management_key());
    let mut hashes = Vec::new();
    for i in 0..10 {
        let created = client
            .keys()
            .create(NewKey::new(format!("seed-{i}")))
            .await
            .unwrap();
        hashes.push(created.key().hash.clone());
    }
    server.inject_random(RandomFaults {
        rate: 0.10,
        seed: 11,
        faults: vec![
            Fault::status(500),
            Fault::Status {
                status: 502,
                body: FaultBody::Html,
                retry_after: None,
            },
            Fault::Status {
                status: 503,
                body: FaultBody::Empty,
                retry_after: None,
            },
            Fault::Status {
                status: 429,
                body: FaultBody::Envelope("slow down".into()),
                retry_after: Some(RetryAfter::Milliseconds(50)),
            },
            Fault::Delay(ATTEMPT_TIMEOUT * 2),
            Fault::CloseBeforeRead,
            Fault::CloseAfterRead,
            Fault::TruncatedBody,
        ],
    });

    let calls = (0..200).map(|i| {
        let client = client.clone();
        let hash = hashes[i % hashes.len()].clone();
        async move {
            let keys = client.keys();
            let result = match i % 4 {
                0 => {
                    let name = format!("load-{i}");
                    return match keys.create(NewKey::new(name.clone())).await {
                        Ok(_) => Outcome::Created(name),
                        Err(Error::OutcomeUnknown { .. }) => Outcome::CreateUnknown(name),
                        Err(e) => Outcome::Failed(format!("create {i}: {e}")),
                    };
                }
                1 => keys.list().await.map(drop),
                2 => keys.get(&hash).await.map(drop),
                _ => keys
                    .update(&hash, KeyUpdate::new().limit(i as f64))
                    .await
                    .map(drop),
            };
            match result {
                Ok(()) => Outcome::Done,
                Err(e) => Outcome::Failed(format!("call {i}: {e}")),
            }
        }
    });
    let outcomes = tokio::time::timeout(Duration::from_secs(60), join_all(calls))
        .await
        .expect("all 200 calls finish well within their deadlines");
    assert_eq!(outcomes.len(), 200);

    let mut counts: HashMap<&str, usize> = HashMap::new();
    let names = server.created_key_names();
    for outcome in &outcomes {
        match outcome {
            Outcome::Created(name) => {
                *counts.entry("created").or_default() += 1;
                assert_eq!(
                    names.iter().filter(|n| *n == name).count(),
                    1,
                    "{name} exists once"
                );
            }
            Outcome::CreateUnknown(name) => {
                *counts.entry("create outcome unknown").or_default() += 1;
                assert!(
                    names.iter().filter(|n| *n == name).count() <= 1,
                    "{name} at most once"
                );
            }
            Outcome::Done => *counts.entry("succeeded").or_default() += 1,
            Outcome::Failed(why) => {
                // Three faults in a row on one call exhaust its attempts: rare, but allowed.
                println!("failed after retries: {why}");
                *counts.entry("failed after 3 attempts").or_default() += 1;
            }
        }
    }
    let load_keys = names.iter().filter(|n| n.starts_with("load-")).count();
    let created = counts.get("created").copied().unwrap_or(0);
    let unknown = counts.get("create outcome unknown").copied().unwrap_or(0);
    assert!(
        load_keys >= created && load_keys <= created + unknown,
        "{load_keys} keys for {created} + {unknown}"
    );
    let total: usize = counts.values().sum();
    assert_eq!(total, 200, "every call accounted for: {counts:?}");
    assert!(
        counts.get("failed after 3 attempts").copied().unwrap_or(0) <= 5,
        "{counts:?}"
    );
    let injected = server.faults_injected();
    let faulted: u64 = injected.values().sum();
    let requests = server.total_requests() - 10;
    assert!(
        faulted * 100 >= requests * 3 && faulted * 100 <= requests * 20,
        "about 10 % of {requests} requests faulted: {injected:?}"
    );
    assert!(injected.len() >= 4, "a mix of fault kinds: {injected:?}");
    println!("200 calls: {counts:?}; {requests} requests, faults injected: {injected:?}");
}
