//! A server that answers every request of a route with the same bytes, as fast as it can.
//!
//! For benchmarks: the stateful [`FakeServer`](crate::FakeServer) changes as calls are made
//! (a list grows with every create) and does real work per request; this one only matches the
//! route and writes a prepared body over keep-alive connections, so the client's cost is what
//! a benchmark sees. Each route's answer is a realistic, spec-shaped body.

use crate::http::BASE_PATH;
use crate::route::Route;
use crate::workspaces::{DEFAULT_WORKSPACE, DEFAULT_WORKSPACE_GUARDRAIL};
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The hash every canned key has.
pub const CANNED_HASH: &str = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943";

/// A key as the API returns it, with every field filled.
pub fn canned_key(hash: &str, name: &str) -> Value {
    json!({
        "hash": hash, "name": name, "label": "sk-or-v1-0e6...1c96", "disabled": false,
        "limit": 100.0, "limit_remaining": 74.5, "limit_reset": "monthly",
        "include_byok_in_limit": false,
        "usage": 25.5, "usage_daily": 25.5, "usage_weekly": 25.5, "usage_monthly": 25.5,
        "byok_usage": 17.38, "byok_usage_daily": 17.38, "byok_usage_weekly": 17.38,
        "byok_usage_monthly": 17.38,
        "created_at": "2025-08-24T10:30:00Z", "updated_at": "2025-08-24T15:45:00Z",
        "expires_at": "2027-12-31T23:59:59Z",
        "creator_user_id": "user_2dHFtVWx2n56w6HkM0000000000",
        "workspace_id": DEFAULT_WORKSPACE,
        "external_user": null, "last_used_at": "2025-08-25T08:00:00Z"
    })
}

/// A guardrail as the API returns it, with a budget and a provider list.
pub fn canned_guardrail(id: &str, name: &str) -> Value {
    json!({
        "id": id, "name": name, "description": "Cap for agent keys",
        "limit_usd": 40.0, "reset_interval": "weekly", "include_byok_in_budgets": false,
        "allowed_models": null, "allowed_providers": ["anthropic", "openai"],
        "ignored_models": null, "ignored_providers": null, "enforce_zdr": null,
        "enforce_zdr_anthropic": true, "enforce_zdr_google": false, "enforce_zdr_openai": true,
        "enforce_zdr_xai": false, "enforce_zdr_other": false,
        "content_filter_builtins": [{"slug": "email", "action": "redact", "label": "[EMAIL]"}],
        "content_filters": null,
        "workspace_id": DEFAULT_WORKSPACE,
        "created_at": "2025-08-24T10:30:00Z", "updated_at": null
    })
}

/// A workspace as the API returns it.
pub fn canned_workspace(id: &str, name: &str) -> Value {
    json!({
        "id": id, "name": name, "slug": name.to_lowercase(), "description": null,
        "default_guardrail_id": DEFAULT_WORKSPACE_GUARDRAIL,
        "default_text_model": null, "default_image_model": null,
        "default_provider_sort": "price", "include_byok_in_budgets": false,
        "is_observability_io_logging_enabled": false,
        "is_observability_broadcast_enabled": false, "is_data_discount_logging_enabled": true,
        "io_logging_sampling_rate": 1.0, "io_logging_api_key_ids": null,
        "created_at": "2025-08-24T10:30:00Z", "updated_at": null, "created_by": "user_canned"
    })
}

const CANNED_GUARDRAIL: &str = "550e8400-e29b-41d4-a716-446655440000";

fn canned_assignment(key_hash: &str) -> Value {
    json!({
        "id": "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b", "key_hash": key_hash,
        "guardrail_id": CANNED_GUARDRAIL, "key_name": "canned", "key_label": "sk-or-v1-0e6...1c96",
        "assigned_by": null, "created_at": "2025-08-25T08:00:00Z"
    })
}

struct Bodies {
    list: Bytes,
    key: Bytes,
    created: Bytes,
    deleted: Bytes,
    current: Bytes,
    guardrails: Bytes,
    guardrail: Bytes,
    assignments: Bytes,
    assigned: Bytes,
    unassigned: Bytes,
    workspaces: Bytes,
    workspace: Bytes,
}

/// A running canned server; dropping it stops accepting connections.
#[derive(Debug)]
pub struct CannedServer {
    base_url: String,
    accept_loop: JoinHandle<()>,
}

impl CannedServer {
    /// Binds any free port on 127.0.0.1 and serves on the current tokio runtime.
    pub async fn start() -> std::io::Result<CannedServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}{BASE_PATH}", listener.local_addr()?);
        let key = canned_key(CANNED_HASH, "canned");
        let current = {
            let mut current = key.clone();
            if let Some(obj) = current.as_object_mut() {
                for gone in ["hash", "name", "disabled", "created_at", "updated_at"] {
                    obj.remove(gone);
                }
                obj.insert("is_free_tier".into(), json!(false));
                obj.insert("is_management_key".into(), json!(true));
                obj.insert("is_provisioning_key".into(), json!(true));
                obj.insert(
                    "rate_limit".into(),
                    json!({"requests": 1000, "interval": "1h", "note": "deprecated"}),
                );
            }
            current
        };
        let bodies = Arc::new(Bodies {
            list: Bytes::from(
                json!({"data": [canned_key("a1", "one"), canned_key("a2", "two"), canned_key("a3", "three")]})
                    .to_string(),
            ),
            key: Bytes::from(json!({ "data": key }).to_string()),
            created: Bytes::from(
                json!({"data": key, "key": "sk-or-v1-canned0000000000000000000000000000000000000000000000000000"})
                    .to_string(),
            ),
            deleted: Bytes::from_static(b"{\"deleted\":true}"),
            current: Bytes::from(json!({ "data": current }).to_string()),
            guardrails: Bytes::from(
                json!({"data": [canned_guardrail(CANNED_GUARDRAIL, "agents")], "total_count": 1})
                    .to_string(),
            ),
            guardrail: Bytes::from(
                json!({ "data": canned_guardrail(CANNED_GUARDRAIL, "agents") }).to_string(),
            ),
            assignments: Bytes::from(
                json!({"data": [canned_assignment(CANNED_HASH)], "total_count": 1}).to_string(),
            ),
            assigned: Bytes::from_static(b"{\"assigned_count\":1}"),
            unassigned: Bytes::from_static(b"{\"unassigned_count\":1}"),
            workspaces: Bytes::from(
                json!({"data": [canned_workspace(DEFAULT_WORKSPACE, "Default")], "total_count": 1})
                    .to_string(),
            ),
            workspace: Bytes::from(
                json!({ "data": canned_workspace(DEFAULT_WORKSPACE, "Default") }).to_string(),
            ),
        });
        let accept_loop = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let bodies = bodies.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| answer(bodies.clone(), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(CannedServer {
            base_url,
            accept_loop,
        })
    }

    /// The base URL to give a client (`http://127.0.0.1:PORT/api/v1`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Drop for CannedServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

async fn answer(
    bodies: Arc<Bodies>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let route = crate::http::route_of(request.method(), request.uri().path()).map(|(r, _)| r);
    let (status, body) = match route {
        Some(Route::List) => (StatusCode::OK, bodies.list.clone()),
        Some(Route::GetKey | Route::UpdateKeys) => (StatusCode::OK, bodies.key.clone()),
        Some(Route::CreateKeys) => (StatusCode::CREATED, bodies.created.clone()),
        Some(Route::DeleteKeys) => (StatusCode::OK, bodies.deleted.clone()),
        Some(Route::GetCurrentKey) => (StatusCode::OK, bodies.current.clone()),
        Some(Route::ListGuardrails) => (StatusCode::OK, bodies.guardrails.clone()),
        Some(Route::GetGuardrail) => (StatusCode::OK, bodies.guardrail.clone()),
        Some(Route::ListKeyAssignments | Route::ListGuardrailKeyAssignments) => {
            (StatusCode::OK, bodies.assignments.clone())
        }
        Some(Route::BulkAssignKeysToGuardrail) => (StatusCode::OK, bodies.assigned.clone()),
        Some(Route::BulkUnassignKeysFromGuardrail) => (StatusCode::OK, bodies.unassigned.clone()),
        Some(Route::ListWorkspaces) => (StatusCode::OK, bodies.workspaces.clone()),
        Some(Route::GetWorkspace) => (StatusCode::OK, bodies.workspace.clone()),
        None => (
            StatusCode::NOT_FOUND,
            Bytes::from_static(b"{\"error\":{\"code\":404,\"message\":\"Not Found\"}}"),
        ),
    };
    // Drain the request body so the connection can be reused.
    let _ = http_body_util::BodyExt::collect(request.into_body()).await;
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}
