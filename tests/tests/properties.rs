//! Property tests over real sockets: arbitrary bytes as a response body never panic the SDK,
//! and arbitrary `KeyUpdate`s send exactly the fields they set. (The dev-dependency on
//! serde_json's `float_roundtrip` makes parsing the sent body exact, so limits compare equal.)

use openrouter_keys::{Error, KeyUpdate, LimitReset, RetryPolicy};
use openrouter_keys_testkit::scripted::{Reply, ScriptedServer};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn client(base_url: &str) -> openrouter_keys::Client {
    openrouter_keys::Client::builder()
        .api_key("sk-or-v1-test")
        .base_url(base_url)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_bodies_yield_a_value_or_an_error_never_a_panic(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        status in prop_oneof![Just(200u16), Just(201), Just(400), Just(404), Just(429), Just(500), Just(502)],
    ) {
        runtime().block_on(async {
            let reply = Reply::Respond {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body: body.clone(),
            };
            let server = ScriptedServer::start(vec![reply.clone(), reply]).await.unwrap();
            let client = client(&server.base_url);
            let list = client.keys().list().await;
            let create = client.keys().create(openrouter_keys::NewKey::new("k")).await;
            if status >= 400 {
                let error = list.unwrap_err();
                prop_assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
                prop_assert!(create.is_err());
            } else {
                // Random bytes are (almost surely) not a valid body: a decode error, with the
                // body never echoed beyond its bounded excerpt.
                if let Err(Error::Decode(decode)) = &list {
                    prop_assert!(decode.body_excerpt.len() <= 1024 * 4);
                }
                prop_assert!(list.is_ok() || matches!(list, Err(Error::Decode(_))));
            }
            Ok(())
        })?;
    }

    #[test]
    fn a_key_update_sends_exactly_the_fields_it_sets(
        name in proptest::option::of("[a-z]{1,12}"),
        disabled in proptest::option::of(any::<bool>()),
        byok in proptest::option::of(any::<bool>()),
        limit in 0u8..3, limit_value in 0.0f64..1e6,
        reset in 0u8..3,
        workspace in proptest::option::of("[a-f0-9]{8}"),
    ) {
        let mut update = KeyUpdate::new();
        let mut expected = Map::new();
        if let Some(name) = &name { update = update.name(name.clone()); expected.insert("name".into(), json!(name)); }
        if let Some(d) = disabled { update = update.disabled(d); expected.insert("disabled".into(), json!(d)); }
        if let Some(b) = byok { update = update.include_byok_in_limit(b); expected.insert("include_byok_in_limit".into(), json!(b)); }
        match limit {
            1 => { update = update.limit(limit_value); expected.insert("limit".into(), json!(limit_value)); }
            2 => { update = update.clear_limit(); expected.insert("limit".into(), Value::Null); }
            _ => {}
        }
        match reset {
            1 => { update = update.limit_reset(LimitReset::Weekly); expected.insert("limit_reset".into(), json!("weekly")); }
            2 => { update = update.clear_limit_reset(); expected.insert("limit_reset".into(), Value::Null); }
            _ => {}
        }
        if let Some(w) = &workspace { update = update.workspace_id(w.clone()); expected.insert("workspace_id".into(), json!(w)); }
        // An update without any field is refused before sending (the API answers 400).
        prop_assume!(!expected.is_empty());
        runtime().block_on(async {
            let server = ScriptedServer::start(vec![Reply::raw(404, "application/json", "")]).await.unwrap();
            let _ = client(&server.base_url).keys().update("h", update).await;
            let sent = server.requests()[0].json();
            prop_assert_eq!(sent, Value::Object(expected));
            Ok(())
        })?;
    }
}
