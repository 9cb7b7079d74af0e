//! Every answer the fake sends, success or error, validates against the response schema our
//! spec documents for that operation and status: the fake cannot drift from the spec.

use futures_util::TryStreamExt;
use openrouter_keys::reqwest::Method;
use openrouter_keys::{KeyUpdate, LimitReset, NewKey};
use openrouter_keys_testkit::{FakeServer, NewGuardrail, NewWorkspace, Route};
use openrouter_keys_tests::{client_for, error_status, raw, raw_as, response_schema, spec};
use serde_json::json;

/// Calls every guardrail and workspace route, with successes and each documented error
/// (over raw HTTP: several errors come from input the SDK refuses to send).
async fn call_the_policy_routes(server: &FakeServer, key_hash: &str) {
    let workspace = server.add_workspace(NewWorkspace::new("Research")).unwrap();
    let capped = NewGuardrail::new("cap")
        .limit_usd(10.0)
        .reset_interval("monthly")
        .allowed_providers(["openai"]);
    let guardrail = server.add_guardrail(capped).unwrap();
    server
        .add_guardrail(
            NewGuardrail::new("lab")
                .workspace(&workspace)
                .workspace_default(),
        )
        .unwrap();
    let unknown = "00000000-0000-4000-8000-000000000000";
    let body = |hashes: &[&str]| json!({ "key_hashes": hashes }).to_string();
    let calls = [
        (Method::GET, "/guardrails".to_string(), String::new(), 200),
        (
            Method::GET,
            format!("/guardrails?workspace_id={workspace}&limit=1"),
            String::new(),
            200,
        ),
        (
            Method::GET,
            "/guardrails?limit=500".to_string(),
            String::new(),
            400,
        ),
        (
            Method::GET,
            format!("/guardrails/{guardrail}"),
            String::new(),
            200,
        ),
        (
            Method::GET,
            format!("/guardrails/{unknown}"),
            String::new(),
            404,
        ),
        (
            Method::POST,
            format!("/guardrails/{guardrail}/assignments/keys"),
            body(&[key_hash]),
            200,
        ),
        (
            Method::POST,
            format!("/guardrails/{guardrail}/assignments/keys"),
            body(&[]),
            400,
        ),
        (
            Method::POST,
            format!("/guardrails/{unknown}/assignments/keys"),
            body(&[key_hash]),
            404,
        ),
        (
            Method::GET,
            "/guardrails/assignments/keys".to_string(),
            String::new(),
            200,
        ),
        (
            Method::GET,
            "/guardrails/assignments/keys?limit=0".to_string(),
            String::new(),
            400,
        ),
        (
            Method::GET,
            format!("/guardrails/{guardrail}/assignments/keys"),
            String::new(),
            200,
        ),
        (
            Method::GET,
            format!("/guardrails/{unknown}/assignments/keys"),
            String::new(),
            404,
        ),
        (
            Method::GET,
            format!("/guardrails/{guardrail}/assignments/keys?offset=x"),
            String::new(),
            400,
        ),
        (
            Method::POST,
            format!("/guardrails/{guardrail}/assignments/keys/remove"),
            body(&[key_hash]),
            200,
        ),
        (
            Method::POST,
            format!("/guardrails/{guardrail}/assignments/keys/remove"),
            body(&[""]),
            400,
        ),
        (
            Method::POST,
            format!("/guardrails/{unknown}/assignments/keys/remove"),
            body(&[key_hash]),
            404,
        ),
        (
            Method::GET,
            "/workspaces?offset=1".to_string(),
            String::new(),
            200,
        ),
        (
            Method::GET,
            "/workspaces?limit=-5".to_string(),
            String::new(),
            400,
        ),
        (
            Method::GET,
            "/workspaces/research".to_string(),
            String::new(),
            200,
        ),
        (
            Method::GET,
            format!("/workspaces/{workspace}"),
            String::new(),
            200,
        ),
        (
            Method::GET,
            "/workspaces/nowhere".to_string(),
            String::new(),
            404,
        ),
    ];
    for (method, path, body, expected) in calls {
        let (status, answer) = raw(server, method.clone(), &path, "application/json", &body).await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
    }
    let (status, _) = raw_as(
        server,
        server.normal_key(),
        Method::GET,
        "/workspaces",
        "",
        "",
    )
    .await;
    assert_eq!(status, 401);
}

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

    // Successes of the six key operations.
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
    call_the_policy_routes(&server, &hash).await;
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
    assert!(responses.len() >= 40, "{}", responses.len());
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
