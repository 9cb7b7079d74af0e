//! A hash is one path segment: whatever string is given, the request either is rejected before
//! sending (nothing, a dot segment, a `\\`, surrounding whitespace) or arrives at exactly
//! `/keys/<segment>` whose decoding is the hash.

mod common;

use common::bodies;
use common::scripted::{Reply, ScriptedServer};
use openrouter_keys::Error;
use proptest::prelude::*;

fn hash_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        // Route-breaking pieces mixed with ordinary ones.
        proptest::collection::vec(
            prop_oneof![
                Just("/".to_string()),
                Just("?".to_string()),
                Just("#".to_string()),
                Just("..".to_string()),
                Just(".".to_string()),
                Just("%2e".to_string()),
                Just("%2F".to_string()),
                Just("\\".to_string()),
                Just(" ".to_string()),
                Just("\t\n".to_string()),
                Just("ключ".to_string()),
                Just("🔑".to_string()),
                "[a-f0-9]{1,8}",
            ],
            0..6
        )
        .prop_map(|parts| parts.concat()),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_hash_never_reaches_another_route(hash in hash_strategy()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let server = ScriptedServer::start(vec![
                Reply::json(200, &bodies::one(bodies::key("h", "k"))),
            ]).await.unwrap();
            let (client, _) = common::client(&server.base_url);
            let result = client.keys().get(hash.clone()).retry(openrouter_keys::RetryPolicy::none()).await;
            match result {
                Err(Error::InvalidInput { .. }) => {
                    prop_assert_eq!(server.count(), 0);
                    prop_assert!(
                        hash.is_empty() || hash == "." || hash == ".." || hash.contains('\\')
                            || hash.trim() != hash
                    );
                }
                _ => {
                    let requests = server.requests();
                    prop_assert_eq!(requests.len(), 1);
                    let target = &requests[0].target;
                    let segment = target.strip_prefix("/keys/").unwrap_or_else(|| panic!("{target}"));
                    prop_assert!(!segment.contains('/') && !segment.contains('?') && !segment.contains('#'), "{}", target);
                    let decoded: Vec<u8> = percent_encoding::percent_decode_str(segment).collect();
                    prop_assert_eq!(decoded, hash.as_bytes().to_vec());
                }
            }
            Ok(())
        })?;
    }
}
