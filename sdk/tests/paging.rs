//! `list_all()` / `all()` against servers that page wrongly: one that repeats a page (it
//! ignores `offset`) must end the listing with an error, not be asked forever; keys that come
//! back twice because the list moved while it was read are yielded once. The same for the
//! guardrail, key-assignment and workspace listings, which also give a total: they stop at
//! it, without asking for an empty page, and a server that lists past it, or lists a key with
//! two guardrails, ends them with an error.

mod common;

use common::bodies::{self, GUARDRAIL_ID};
use common::client;
use common::scripted::{Reply, ScriptedServer};
use futures_util::TryStreamExt;
use openrouter_keys::{Error, ListingErrorKind};

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
    let Error::Listing(listing) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(listing.kind, ListingErrorKind::RepeatedPage { page_len: 2 });
    assert_eq!((listing.offset, listing.listed), (2, 2));
    let text = error.to_string();
    assert!(text.contains("repeated a page"), "{text}");
    assert!(text.contains("offset 2"), "{text}");
    assert!(!text.contains("did not decode"), "it decoded: {text}");
    assert!(error.hint().is_some_and(|h| h.starts_with("List again")));
    assert!(error.is_retryable(), "its hint says to list again");
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

/// A page of a counted listing whose items `item` makes from `ids`, saying the listing holds
/// `total`.
fn counted_page(item: Item, ids: &[u8], total: usize) -> Reply {
    let items = ids.iter().map(|n| item(&hash(*n))).collect();
    Reply::json(200, &bodies::counted(items, total))
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
        // Two of five: the rest never comes.
        let server =
            ScriptedServer::start((0..40).map(|_| counted_page(item, &[1, 2], 5)).collect())
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
        assert!(matches!(error, Error::Listing(_)), "{listing}: {error:?}");
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
    let page = |ids: &[u8]| counted_page(|hash| bodies::assignment(hash, GUARDRAIL_ID), ids, 3);
    let server = ScriptedServer::start(vec![page(&[1, 2]), page(&[2, 3]), page(&[])])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let mut stream = client.guardrails().list_all_key_assignments();
    let mut hashes = Vec::new();
    while let Some(assignment) = stream.try_next().await.unwrap() {
        hashes.push(assignment.key_hash);
    }
    assert_eq!(hashes, [hash(1), hash(2), hash(3)]);
    let targets: Vec<_> = server.requests().into_iter().map(|r| r.target).collect();
    // The third key came with the second page: all three the total counts are listed, and
    // no empty page is asked for.
    assert_eq!(
        targets,
        [
            "/guardrails/assignments/keys?limit=100&offset=0",
            "/guardrails/assignments/keys?limit=100&offset=2",
        ]
    );
}

fn workspace(id: &str) -> serde_json::Value {
    bodies::workspace(id, "w")
}

#[tokio::test]
async fn a_counted_listing_stops_at_its_total_without_asking_for_an_empty_page() {
    let server = ScriptedServer::start(vec![
        counted_page(workspace, &[1, 2], 3),
        counted_page(workspace, &[3], 3),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let listed = client.workspaces().list().limit(2).all().await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(server.count(), 2, "no request for an empty page");
}

#[tokio::test]
async fn a_server_that_ignores_offset_but_gives_everything_at_once_is_listed_whole() {
    // Every page holds all three workspaces, whatever the offset and the limit.
    let server = ScriptedServer::start(
        (0..5)
            .map(|_| counted_page(workspace, &[1, 2, 3], 3))
            .collect(),
    )
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let listed = client.workspaces().all().await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_server_that_invents_items_cannot_keep_a_counted_listing_going() {
    // Three new workspaces on every page, whatever the offset, and a total of 10.
    let pages = (0..40u8)
        .map(|n| counted_page(workspace, &[3 * n + 1, 3 * n + 2, 3 * n + 3], 10))
        .collect();
    let server = ScriptedServer::start(pages).await.unwrap();
    let (client, _) = client(&server.base_url);
    let listed = client.workspaces().all().await.unwrap();
    assert_eq!(
        listed.len(),
        12,
        "the page that reached the total is the last"
    );
    assert_eq!(server.count(), 4);

    // Items at an offset past the total the page itself gives: an error, not more pages.
    let server = ScriptedServer::start(vec![
        counted_page(workspace, &[1, 2], 4),
        counted_page(workspace, &[1, 2, 3], 4),
        counted_page(workspace, &[4], 4),
        counted_page(workspace, &[5], 4),
    ])
    .await
    .unwrap();
    let (past, _) = common::client(&server.base_url);
    let error = past.workspaces().all().await.unwrap_err();
    let Error::Listing(listing) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        listing.kind,
        ListingErrorKind::PastTotal {
            total: 4,
            new_items: 1
        }
    );
    assert_eq!((listing.offset, listing.listed), (5, 3));
    assert!(error.to_string().contains("`total_count` is 4"), "{error}");
    assert_eq!(server.count(), 3, "asked past the total once");
}

#[tokio::test]
async fn a_listing_error_counts_the_attempts_of_the_page_at_fault() {
    let server = ScriptedServer::start(vec![
        page(&[1, 2]),
        Reply::json(503, &bodies::error(503, "busy")),
        page(&[1, 2]),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let error = client.keys().all().await.unwrap_err();
    assert!(matches!(error, Error::Listing(_)), "{error:?}");
    assert_eq!(error.attempts(), 2, "the repeated page came on a retry");
    assert!(error.to_string().contains("after 2 attempts"), "{error}");
}

#[tokio::test]
async fn a_key_listed_with_two_guardrails_ends_the_assignments_with_an_error() {
    let assignments = |guardrail: &str| {
        Reply::json(
            200,
            &bodies::counted(vec![bodies::assignment(&hash(1), guardrail)], 2),
        )
    };
    let other = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    let server = ScriptedServer::start(vec![
        assignments(GUARDRAIL_ID),
        assignments(other),
        assignments(GUARDRAIL_ID),
        assignments(other),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let error = client.guardrails().all_key_assignments().await.unwrap_err();
    let Error::Listing(listing) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(listing.kind, ListingErrorKind::Contradiction);
    assert!(error.to_string().contains("two guardrails"), "{error}");
    // `assignment_of` reads them all, and does not pick one of the two.
    let held = client.guardrails().assignment_of(hash(1)).await;
    assert!(matches!(held, Err(Error::Listing(_))), "{held:?}");
}

#[tokio::test]
async fn the_same_assignment_listed_twice_is_yielded_once() {
    let page = |ids: &[u8]| counted_page(|hash| bodies::assignment(hash, GUARDRAIL_ID), ids, 2);
    let server = ScriptedServer::start(vec![page(&[1]), page(&[1, 2])])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let assignments = client.guardrails().all_key_assignments().await.unwrap();
    let hashes: Vec<_> = assignments.into_iter().map(|a| a.key_hash).collect();
    assert_eq!(hashes, [hash(1), hash(2)]);
}
