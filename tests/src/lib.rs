//! Support for the workspace's integration tests: the response schemas of our OpenAPI spec,
//! looked up by operation and status, clients wired to the fake server, and raw requests to
//! it (for input the SDK refuses to send).

use openrouter_keys::{Client, RetryPolicy};
use openrouter_keys_testkit::{FakeServer, Route};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

/// The repository's spec as JSON.
pub fn spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openrouter-keys.yaml");
    let text = std::fs::read_to_string(&path).expect("the spec is readable");
    serde_yaml::from_str(&text).expect("the spec is YAML")
}

fn path_and_method(route: Route) -> (&'static str, &'static str) {
    match route {
        Route::GetCurrentKey => ("/key", "get"),
        Route::List => ("/keys", "get"),
        Route::CreateKeys => ("/keys", "post"),
        Route::GetKey => ("/keys/{hash}", "get"),
        Route::UpdateKeys => ("/keys/{hash}", "patch"),
        Route::DeleteKeys => ("/keys/{hash}", "delete"),
        Route::ListGuardrails => ("/guardrails", "get"),
        Route::GetGuardrail => ("/guardrails/{id}", "get"),
        Route::ListKeyAssignments => ("/guardrails/assignments/keys", "get"),
        Route::ListGuardrailKeyAssignments => ("/guardrails/{id}/assignments/keys", "get"),
        Route::BulkAssignKeysToGuardrail => ("/guardrails/{id}/assignments/keys", "post"),
        Route::BulkUnassignKeysFromGuardrail => {
            ("/guardrails/{id}/assignments/keys/remove", "post")
        }
        Route::ListWorkspaces => ("/workspaces", "get"),
        Route::GetWorkspace => ("/workspaces/{id}", "get"),
    }
}

/// A JSON Schema for the body `route` answers with `status`, or `None` when the spec does not
/// document that status for that operation. References point into the spec's components.
pub fn response_schema(spec: &Value, route: Route, status: u16) -> Option<Value> {
    let (path, method) = path_and_method(route);
    let mut response = spec["paths"][path][method]["responses"].get(status.to_string())?;
    if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
        response = spec.pointer(reference.strip_prefix('#')?)?;
    }
    let schema = response["content"]["application/json"]
        .get("schema")?
        .clone();
    Some(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": spec["components"].clone(),
    }))
}

/// The per-attempt timeout of test clients; fault delays are longer than this.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(1);

/// One connection pool (and one TLS set-up) for every test client of a test binary.
fn shared_http() -> openrouter_keys::reqwest::Client {
    static HTTP: OnceLock<openrouter_keys::reqwest::Client> = OnceLock::new();
    HTTP.get_or_init(|| {
        openrouter_keys::http_client_builder()
            .build()
            .expect("an HTTP client")
    })
    .clone()
}

/// A client for the fake, authenticated with `key`, with short timeouts and backoff.
pub fn client_for(server: &FakeServer, key: &str) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(server.base_url())
        .http_client(shared_http())
        .timeout(ATTEMPT_TIMEOUT)
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(50))
                .deadline(Duration::from_secs(10)),
        )
        .build()
        .expect("a valid client")
}

/// One request to the fake over raw HTTP with the management key: its status and JSON body
/// (`null` when the body is not JSON).
pub async fn raw(
    server: &FakeServer,
    method: openrouter_keys::reqwest::Method,
    path: &str,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    raw_as(
        server,
        server.management_key(),
        method,
        path,
        content_type,
        body,
    )
    .await
}

/// [`raw`] with the bearer token `key`.
pub async fn raw_as(
    server: &FakeServer,
    key: &str,
    method: openrouter_keys::reqwest::Method,
    path: &str,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    let response = shared_http()
        .request(method, format!("{}{path}", server.base_url()))
        .bearer_auth(key)
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .expect("the fake answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The HTTP status of a call that must fail with one (a test: anything else panics).
pub fn error_status<T: std::fmt::Debug>(result: Result<T, openrouter_keys::Error>) -> u16 {
    result
        .unwrap_err()
        .status()
        .expect("an error with an HTTP status")
        .as_u16()
}

/// The repository README's and the testkit README's examples, compiled as doctests. (The
/// SDK's own README is compiled by the SDK crate; these files are outside any published crate,
/// or, for the testkit, need the SDK, which the testkit does not depend on.)
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
#[doc = include_str!("../../testkit/README.md")]
pub struct ReadmeDoctests;
