//! Every answer the fake sends, success or error, validates against the response schema our
//! spec documents for that operation and status: the fake cannot drift from the spec.

use futures_util::TryStreamExt;
use openrouter_keys::{KeyUpdate, LimitReset, NewKey};
use openrouter_keys_testkit::{FakeServer, Route};
use openrouter_keys_tests::{client_for, error_status, response_schema, spec};

#[tokio::test]
async fn every_answer_of_the_fake_matches_the_spec() {
    let server = FakeServer::builder()
        .page_size(2)
        .record_responses(true)
        .start()
        .await
        .unwrap();
    let admin = client_for(&server, server.management_key());
    let normal = client_for(&server, server.normal_key());
    let keys = admin.keys();

    // Successes of all six operations.
    admin.current_key().await.unwrap();
    normal.current_key().await.unwrap();
    let created = keys
        .create(NewKey::new("a").limit(5.0).limit_reset(LimitReset::Daily))
        .await
        .unwrap();
    keys.create(NewKey::new("b")).await.unwrap();
    keys.create(
        NewKey::new("c").expires_at(openrouter_keys::Timestamp::from_text(
            "2099-01-01T00:00:00Z",
        )),
    )
    .await
    .unwrap();
    let all: Vec<_> = keys
        .list()
        .include_disabled(true)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 4, "three created and the normal key");
    let hash = created.key().hash.clone();
    keys.get(&hash).await.unwrap();
    keys.update(&hash, KeyUpdate::new().disabled(true).clear_limit())
        .await
        .unwrap();
    keys.update(&hash, KeyUpdate::new().limit(3.0).name("renamed"))
        .await
        .unwrap();
    keys.delete(&hash).await.unwrap();

    // Documented errors: 400, 401, 403, 404.
    assert_eq!(error_status(keys.get(&hash).await), 404);
    assert_eq!(error_status(keys.delete(&hash).await), 404);
    assert_eq!(
        error_status(keys.update(&hash, KeyUpdate::new().disabled(false)).await),
        404
    );
    let bad_client = client_for(&server, "sk-or-v1-not-a-key");
    assert_eq!(error_status(bad_client.current_key().await), 401);
    assert_eq!(error_status(normal.keys().list().await), 401);
    assert_eq!(
        error_status(normal.keys().create(NewKey::new("x")).await),
        403
    );

    let spec = spec();
    let responses = server.responses();
    assert!(responses.len() >= 18, "{}", responses.len());
    let mut checked = std::collections::BTreeSet::new();
    for response in &responses {
        let schema = response_schema(&spec, response.route, response.status).unwrap_or_else(|| {
            panic!(
                "{} answered {}, which the spec does not document",
                response.route, response.status
            )
        });
        let validator = jsonschema::validator_for(&schema).expect("the spec's schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(&response.body)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{} {} does not match the spec: {errors:?}\n{}",
            response.route,
            response.status,
            response.body
        );
        checked.insert((response.route, response.status));
    }
    for route in Route::ALL {
        assert!(
            checked.iter().any(|(r, s)| *r == route && *s < 300),
            "{route} success checked"
        );
    }
    println!(
        "validated {} answers covering {:?}",
        responses.len(),
        checked
    );
}

#[test]
fn the_validator_rejects_a_body_that_breaks_the_spec() {
    // Guards the test above against passing vacuously.
    let spec = spec();
    let schema = response_schema(&spec, Route::GetKey, 200).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let missing_hash = serde_json::json!({"data": {"name": "x"}});
    assert!(!validator.is_valid(&missing_hash));
    let schema = response_schema(&spec, Route::GetKey, 404).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&serde_json::json!({"error": {"code": 404, "message": "m"}})));
    assert!(!validator.is_valid(&serde_json::json!({"error": {"code": "404"}})));
}
