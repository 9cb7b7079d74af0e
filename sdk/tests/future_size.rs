//! How much memory one call in flight holds: the future an awaited request runs as.
//!
//! Every in-flight call keeps its future alive until it completes; with many calls in flight
//! their size is what the CPU's data cache has to hold. The bounds sit a little above the
//! sizes measured in the test profile, so that a change that makes a call's future noticeably
//! larger fails here and is a decision, not an accident. (Release builds lay futures out the
//! same way; the bench prints their sizes. Raw reqwest's own future for the same call, in the
//! bench, is 720 bytes.)

use openrouter_keys::{Client, KeyUpdate, NewKey};
use std::future::IntoFuture;

/// The size of the state behind a boxed future (not of the box).
fn in_flight<T>(
    future: std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + '_>>,
) -> usize {
    std::mem::size_of_val(&*future)
}

#[test]
fn a_call_in_flight_stays_under_its_bound() {
    let client = Client::builder()
        .api_key("sk-or-v1-size")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let keys = client.keys();
    let sizes = [
        (
            "current_key",
            in_flight(client.current_key().into_future()),
            600,
        ),
        ("list", in_flight(keys.list().into_future()), 640),
        ("get", in_flight(keys.get("abc").into_future()), 616),
        (
            "create",
            in_flight(keys.create(NewKey::new("n")).into_future()),
            960,
        ),
        (
            "update",
            in_flight(keys.update("abc", KeyUpdate::new().name("m")).into_future()),
            800,
        ),
        ("delete", in_flight(keys.delete("abc").into_future()), 616),
    ];
    for (name, size, bound) in sizes {
        eprintln!("{name}: {size} bytes in flight (bound {bound})");
    }
    for (name, size, bound) in sizes {
        assert!(
            size <= bound,
            "a `{name}` call in flight holds {size} bytes, more than {bound}"
        );
    }
}
