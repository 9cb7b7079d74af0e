//! `list_all()` / `all()` against servers that page wrongly: one that repeats a page (it
//! ignores `offset`) must end the listing with an error, not be asked forever; keys that come
//! back twice because the list moved while it was read are yielded once. The same for the
//! guardrail, key-assignment and workspace listings.

mod common;

use common::bodies::{self, GUARDRAIL_ID};
use common::client;
use common::scripted::{Reply, ScriptedServer};
use futures_util::TryStreamExt;
use openrouter_keys::Error;

fn hash(n: u8) -> String {
    format!("{n:064x}")
}

fn page(hashes: &[u8]) -> Reply {
    let keys = hashes
        .iter()
        .map(|n| bodies::key(&hash(*n), &format!("key {n}")))
        .collect();
    Reply::json(200, &bodies::list(keys))
}

#[tokio::test]
async fn a_server_that_ignores_offset_ends_the_listing_with_an_error() {
    // Before the fix the SDK asked for offset 2, 4, 6, ... until the script ran out.
    let server = ScriptedServer::start((0..40).map(|_| page(&[1, 2])).collect())
        .await
        .unwrap();
    let (sdk, _) = client(&server.base_url);
    let mut stream = sdk.keys().list_all();
    let mut listed = Vec::new();
    let error = loop {
        match stream.try_next().await {
            Ok(Some(key)) => listed.push(key.hash),
            Ok(None) => panic!("the stream ended without an error after {listed:?}"),
            Err(error) => break error,
        }
    };
    assert_eq!(listed, [hash(1), hash(2)]);
    assert_eq!(server.count(), 2, "one repeated page is enough to stop");
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("repeated a page"), "{text}");
    assert!(text.contains("offset 2"), "{text}");
    assert!(
        matches!(&error, Error::Decode(d) if d.hint().is_some()),
        "{error:?}"
    );
    assert!(
        stream.try_next().await.unwrap().is_none(),
        "the error ends it"
    );

    let server = ScriptedServer::start((0..40).map(|_| page(&[1, 2])).collect())
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let error = client.keys().all().await.unwrap_err();
    assert!(error.to_string().contains("repeated a page"), "{error}");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn keys_shifted_into_the_next_page_are_yielded_once() {
    // A key created while listing pushes `2` from the first page into the second.
    let server = ScriptedServer::start(vec![page(&[1, 2]), page(&[2, 3]), page(&[])])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let keys = client.keys().all().await.unwrap();
    let hashes: Vec<_> = keys.into_iter().map(|k| k.hash).collect();
    assert_eq!(hashes, [hash(1), hash(2), hash(3)]);
    let targets: Vec<_> = server.requests().into_iter().map(|r| r.target).collect();
    // Offsets count positions in the server's list, duplicates included.
    assert_eq!(
        targets,
        ["/keys?offset=0", "/keys?offset=2", "/keys?offset=4"]
    );
}

#[tokio::test]
async fn a_page_that_repeats_some_keys_but_brings_one_new_goes_on() {
    let server = ScriptedServer::start(vec![page(&[1, 2]), page(&[1, 2, 3]), page(&[])])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let keys = client.keys().all().await.unwrap();
    assert_eq!(keys.len(), 3);
    assert_eq!(server.count(), 3);
}

/// Makes one item of a listing from its id.
type Item = fn(&str) -> serde_json::Value;

/// A page of a counted listing whose items `item` makes from 1, 2, ...
fn counted_page(item: Item, ids: &[u8]) -> Reply {
    let items = ids.iter().map(|n| item(&hash(*n))).collect();
    Reply::json(200, &bodies::counted(items, ids.len()))
}

#[tokio::test]
async fn every_counted_listing_ends_with_an_error_when_the_server_repeats_a_page() {
    let listings: [(&str, Item); 4] = [
        ("guardrails", |id| bodies::guardrail(id, "g")),
        ("key assignments", |hash| {
            bodies::assignment(hash, GUARDRAIL_ID)
        }),
        ("key assignments of a guardrail", |hash| {
            bodies::assignment(hash, GUARDRAIL_ID)
        }),
        ("workspaces", |id| bodies::workspace(id, "w")),
    ];
    for (n, (listing, item)) in listings.into_iter().enumerate() {
        let server = ScriptedServer::start((0..40).map(|_| counted_page(item, &[1, 2])).collect())
            .await
            .unwrap();
        let (client, _) = client(&server.base_url);
        let guardrails = client.guardrails();
        let error = match n {
            0 => guardrails.list().all().await.map(|v| v.len()),
            1 => guardrails.key_assignments().all().await.map(|v| v.len()),
            2 => guardrails
                .assignments_of_guardrail(GUARDRAIL_ID)
                .all()
                .await
                .map(|v| v.len()),
            _ => client.workspaces().list().all().await.map(|v| v.len()),
        }
        .unwrap_err();
        assert!(matches!(error, Error::Decode(_)), "{listing}: {error:?}");
        let text = error.to_string();
        assert!(text.contains("repeated a page"), "{listing}: {text}");
        assert!(
            text.contains(&format!(
                "the 2 {}",
                listing.trim_end_matches(" of a guardrail")
            )),
            "{listing}: {text}"
        );
        assert_eq!(
            server.count(),
            2,
            "{listing}: one repeated page is enough to stop"
        );
    }
}

#[tokio::test]
async fn assignments_shifted_into_the_next_page_are_yielded_once_and_paging_sends_the_limit() {
    let page = |ids: &[u8]| counted_page(|hash| bodies::assignment(hash, GUARDRAIL_ID), ids);
    let server = ScriptedServer::start(vec![page(&[1, 2]), page(&[2, 3]), page(&[])])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let mut stream = client.guardrails().all_key_assignments();
    let mut hashes = Vec::new();
    while let Some(assignment) = stream.try_next().await.unwrap() {
        hashes.push(assignment.key_hash);
    }
    assert_eq!(hashes, [hash(1), hash(2), hash(3)]);
    let targets: Vec<_> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/guardrails/assignments/keys?limit=100&offset=0",
            "/guardrails/assignments/keys?limit=100&offset=2",
            "/guardrails/assignments/keys?limit=100&offset=4"
        ]
    );
}
