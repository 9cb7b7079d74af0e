//! Performing one request on the store: authentication, permissions, the body's JSON, and
//! the route's operation. Free of HTTP and of time, so a request read now can be performed
//! later (a late effect) exactly as it would have been at once.

use crate::paging::PageQuery;
use crate::route::Route;
use crate::store::{Answer, ListQuery, Moment, Store, error};
use bytes::Bytes;
use serde_json::Value;

/// Everything of a request the operation needs, read off the connection when it arrived.
#[derive(Debug)]
pub(crate) struct Call {
    pub route: Route,
    /// The decoded path parameter (`{hash}` of `/keys/{hash}`, `{id}` of `/guardrails/{id}…`
    /// and `/workspaces/{id}`); empty for routes without one.
    pub id: String,
    /// The bearer token, if the request had one.
    pub token: Option<String>,
    /// Whether the body was declared `application/json`.
    pub is_json: bool,
    pub query: String,
    pub body: Bytes,
}

/// Performs `call` on `store` as of `at`.
pub(crate) fn perform(store: &mut Store, call: &Call, at: Moment) -> Answer {
    let Some(token) = call.token.as_deref() else {
        return error(401, "Missing Authentication header");
    };
    let Some(caller) = store.authenticate(token) else {
        return error(401, "Invalid or disabled API key");
    };
    let route = call.route;
    if route == Route::GetCurrentKey {
        return (200, serde_json::json!({ "data": caller.to_current_json() }));
    }
    if !caller.management {
        let message = "Only management keys can perform this operation";
        return error(if route == Route::CreateKeys { 403 } else { 401 }, message);
    }
    let json_body = || -> Result<Value, Answer> {
        if !call.is_json {
            return Err(error(400, "Content-Type must be application/json"));
        }
        serde_json::from_slice(&call.body)
            .map_err(|_| error(400, "The request body is not valid JSON"))
    };
    let id = call.id.as_str();
    let page = || PageQuery::parse(&call.query);
    match route {
        Route::GetCurrentKey => unreachable_route(),
        Route::List => match ListQuery::parse(&call.query) {
            Ok(query) => store.list(&query, at),
            Err(answer) => answer,
        },
        Route::CreateKeys => match json_body() {
            Ok(body) => store.create(&body, at),
            Err(answer) => answer,
        },
        Route::GetKey => store.get(id),
        Route::UpdateKeys => match json_body() {
            Ok(body) => store.update(id, &body, at),
            Err(answer) => answer,
        },
        Route::DeleteKeys => store.delete(id, at),
        Route::ListGuardrails => match page() {
            Ok(query) => store.guardrails.list(&query),
            Err(answer) => answer,
        },
        Route::GetGuardrail => store.guardrails.get(id),
        Route::ListKeyAssignments => match page() {
            Ok(query) => store.assignments(None, &query),
            Err(answer) => answer,
        },
        Route::ListGuardrailKeyAssignments => match page() {
            Ok(query) => store.assignments(Some(id), &query),
            Err(answer) => answer,
        },
        Route::BulkAssignKeysToGuardrail => match json_body() {
            Ok(body) => store.assign(id, &body, at),
            Err(answer) => answer,
        },
        Route::BulkUnassignKeysFromGuardrail => match json_body() {
            Ok(body) => store.unassign(id, &body),
            Err(answer) => answer,
        },
        Route::ListWorkspaces => match page() {
            Ok(query) => store.workspaces.list(&query),
            Err(answer) => answer,
        },
        Route::GetWorkspace => store.workspaces.get(id),
    }
}

/// `GET /key` is answered before the match; this arm only satisfies exhaustiveness.
fn unreachable_route() -> Answer {
    error(500, "internal routing error")
}
