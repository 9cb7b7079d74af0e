//! `list_all()` / `all()` against servers that page wrongly: one that repeats a page (it
//! ignores `offset`) must end the listing with an error, not be asked forever; keys that come
//! back twice because the list moved while it was read are yielded once.

mod common;

use common::bodies;
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
