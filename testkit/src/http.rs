//! The HTTP side of the fake: routing, reading requests, the route's rate limit, latency and
//! faults, and writing answers (authentication and the operations are `operation.rs`'s).
//!
//! Written on hyper directly rather than a web framework because faults need what handlers in
//! a framework cannot do: close a connection without answering, or cut a body midway. A hyper
//! service that returns an error makes hyper drop the connection; a body stream that fails
//! after its first half truncates the answer.

use crate::fault::{Fault, FaultBody, RetryAfter};
use crate::operation::Call;
use crate::rate_limit::retry_after_seconds;
use crate::route::Route;
use crate::shared::{Shared, lock};
use crate::store::{Answer, error};
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The path prefix the fake serves under, as the real API does.
pub const BASE_PATH: &str = "/api/v1";

type Body = BoxBody<Bytes, BoxError>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The fake closed the connection on purpose (a fault), instead of answering.
#[derive(Debug)]
pub(crate) struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by an injected fault")
    }
}

impl std::error::Error for Closed {}

/// A response the fake sent, kept for checking against the spec.
#[derive(Debug, Clone)]
pub struct RecordedResponse {
    /// The route answered.
    pub route: Route,
    /// The status sent.
    pub status: u16,
    /// The JSON body sent.
    pub body: Value,
}

/// The route a request addresses, with its decoded path parameter (a key's hash, a
/// guardrail's or a workspace's id) for the routes that have one.
pub(crate) fn route_of(method: &Method, path: &str) -> Option<(Route, Option<String>)> {
    let rest = path.strip_prefix(BASE_PATH)?.strip_prefix('/')?;
    let segments: Vec<&str> = rest.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    let decoded = |segment: &str| {
        percent_encoding::percent_decode_str(segment)
            .decode_utf8()
            .ok()
            .map(|id| id.into_owned())
    };
    let (route, id) = match (method, segments.as_slice()) {
        (&Method::GET, ["key"]) => (Route::GetCurrentKey, None),
        (&Method::GET, ["keys"]) => (Route::List, None),
        (&Method::POST, ["keys"]) => (Route::CreateKeys, None),
        (&Method::GET, ["keys", hash]) => (Route::GetKey, Some(*hash)),
        (&Method::PATCH, ["keys", hash]) => (Route::UpdateKeys, Some(*hash)),
        (&Method::DELETE, ["keys", hash]) => (Route::DeleteKeys, Some(*hash)),
        (&Method::GET, ["guardrails"]) => (Route::ListGuardrails, None),
        (&Method::GET, ["guardrails", "assignments", "keys"]) => (Route::ListKeyAssignments, None),
        (&Method::GET, ["guardrails", id]) => (Route::GetGuardrail, Some(*id)),
        (&Method::GET, ["guardrails", id, "assignments", "keys"]) => {
            (Route::ListGuardrailKeyAssignments, Some(*id))
        }
        (&Method::POST, ["guardrails", id, "assignments", "keys"]) => {
            (Route::BulkAssignKeysToGuardrail, Some(*id))
        }
        (&Method::POST, ["guardrails", id, "assignments", "keys", "remove"]) => {
            (Route::BulkUnassignKeysFromGuardrail, Some(*id))
        }
        (&Method::GET, ["workspaces"]) => (Route::ListWorkspaces, None),
        (&Method::GET, ["workspaces", id]) => (Route::GetWorkspace, Some(*id)),
        _ => return None,
    };
    match id {
        Some(segment) => Some((route, Some(decoded(segment)?))),
        None => Some((route, None)),
    }
}

/// Handles one request: the service function of every connection.
///
/// Nothing goes out (an answer, or a connection closed by a fault) before the route's
/// latency has passed since the request arrived.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Closed> {
    let path = request.uri().path().to_string();
    let Some((route, id)) = route_of(request.method(), &path) else {
        // Under the API's path, the API's own error; elsewhere (a base URL without
        // `/api/v1`) a web page, as the site in front of the API serves: our choice, so that
        // a client's diagnosis of a wrong base URL can be tried against the fake.
        if path.starts_with(&format!("{BASE_PATH}/")) {
            return Ok(json_response(&error(404, "Not Found")));
        }
        return Ok(raw_response(
            404,
            "text/html",
            Bytes::from_static(
                b"<html><body><h1>404: This page could not be found</h1></body></html>",
            ),
        ));
    };
    let _in_flight = shared.arrive(route);
    let arrived = shared.clock.now();
    let answer_at = arrived.saturating_add(shared.latency(route));
    let outcome = respond(&shared, route, id, request, arrived).await;
    shared.clock.sleep_until(answer_at).await;
    outcome
}

/// The rate limit, then the route's next fault, then the operation.
async fn respond(
    shared: &Arc<Shared>,
    route: Route,
    id: Option<String>,
    request: Request<Incoming>,
    arrived: Duration,
) -> Result<Response<Body>, Closed> {
    // A refused request has no effect: it takes no token, consumes no fault, is not read.
    if let Err(wait) = shared.admit(route, arrived) {
        return Ok(rate_limited(wait));
    }
    let fault = shared.next_fault(route);
    match &fault {
        Some(Fault::CloseBeforeRead) => return Err(Closed),
        Some(Fault::Status {
            status,
            body,
            retry_after,
        }) => return Ok(status_fault(*status, body, retry_after.as_ref())),
        _ => {}
    }
    let call = match read_call(route, id, request).await {
        Ok(call) => call,
        Err(answer) => return Ok(json_response(&answer)),
    };
    let answer = match fault {
        Some(Fault::Late(after)) => shared.perform_at(arrived.saturating_add(after), call).await,
        _ => shared.perform(&call),
    };
    if shared.record {
        lock(&shared.responses).push(RecordedResponse {
            route,
            status: answer.0,
            body: answer.1.clone(),
        });
    }
    match fault {
        Some(Fault::Delay(wait)) => {
            shared.clock.sleep(wait).await;
            Ok(json_response(&answer))
        }
        Some(Fault::CloseAfterRead) => Err(Closed),
        Some(Fault::TruncatedBody) => Ok(truncated(&answer)),
        Some(Fault::InvalidJson) => Ok(raw_response(
            answer.0,
            "application/json",
            Bytes::from_static(b"{\"data\": {\"hash\": \"trunc"),
        )),
        _ => Ok(json_response(&answer)),
    }
}

/// Reads what the operation needs off the request, body included.
async fn read_call(
    route: Route,
    id: Option<String>,
    request: Request<Incoming>,
) -> Result<Call, Answer> {
    let headers = request.headers();
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let query = request.uri().query().unwrap_or("").to_string();
    let body = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(error(400, "The request body could not be read")),
    };
    Ok(Call {
        route,
        id: id.unwrap_or_default(),
        token,
        is_json,
        query,
        body,
    })
}

fn full(bytes: Bytes) -> Body {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

fn raw_response(status: u16, content_type: &str, body: Bytes) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = content_type.parse() {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

fn json_response((status, body): &Answer) -> Response<Body> {
    raw_response(*status, "application/json", Bytes::from(body.to_string()))
}

fn status_fault(status: u16, body: &FaultBody, retry_after: Option<&RetryAfter>) -> Response<Body> {
    let mut response = match body {
        FaultBody::Envelope(message) => json_response(&error(status, message)),
        FaultBody::Html => raw_response(
            status,
            "text/html",
            Bytes::from(format!(
                "<html><head><title>{status}</title></head><body><h1>{status} from the gateway</h1></body></html>"
            )),
        ),
        FaultBody::Empty => raw_response(status, "text/plain", Bytes::new()),
        FaultBody::Json(text) => {
            raw_response(status, "application/json", Bytes::from(text.clone()))
        }
    };
    let header = match retry_after {
        Some(RetryAfter::Seconds(s)) => Some(("retry-after", s.to_string())),
        Some(RetryAfter::Date(s)) => Some((
            "retry-after",
            httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(*s)),
        )),
        Some(RetryAfter::Milliseconds(ms)) => Some(("retry-after-ms", ms.to_string())),
        None => None,
    };
    if let Some((name, value)) = header
        && let Ok(value) = value.parse()
    {
        response.headers_mut().insert(name, value);
    }
    response
}

/// The rate limit's refusal: OpenRouter's error envelope, and the wait until the bucket holds
/// a token again in whole seconds, rounded up.
fn rate_limited(wait: Duration) -> Response<Body> {
    let mut response = json_response(&error(
        429,
        "Rate limit exceeded: too many requests, slow down",
    ));
    response.headers_mut().insert(
        RETRY_AFTER,
        http::HeaderValue::from(retry_after_seconds(wait)),
    );
    response
}

/// The answer's first half, announced with its full length, then a broken connection.
fn truncated((status, body): &Answer) -> Response<Body> {
    let bytes = Bytes::from(body.to_string());
    let half = bytes.slice(..bytes.len() / 2);
    let frames: Vec<Result<Frame<Bytes>, BoxError>> =
        vec![Ok(Frame::data(half)), Err(Box::new(Closed))];
    let stream = StreamBody::new(futures_util::stream::iter(frames));
    let mut response = Response::new(BodyExt::boxed(stream));
    *response.status_mut() = StatusCode::from_u16(*status).unwrap_or(StatusCode::OK);
    response.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, http::HeaderValue::from(bytes.len()));
    response
}
