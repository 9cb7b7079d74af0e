//! The HTTP side of the fake: routing, authentication, bodies, and applying faults.
//!
//! Written on hyper directly rather than a web framework because faults need what handlers in
//! a framework cannot do: close a connection without answering, or cut a body midway. A hyper
//! service that returns an error makes hyper drop the connection; a body stream that fails
//! after its first half truncates the answer.

use crate::fault::{Fault, FaultBody, RandomFaults, RetryAfter, Route};
use crate::store::{Answer, ListQuery, Store, error};
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
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

/// State shared by every connection.
#[derive(Debug)]
pub(crate) struct Shared {
    pub store: Mutex<Store>,
    pub queued: Mutex<[VecDeque<Fault>; 6]>,
    pub random: Mutex<Option<(RandomFaults, fastrand::Rng)>>,
    pub requests: [AtomicU64; 6],
    /// Faults applied so far, by kind (`Fault::kind`).
    pub injected: Mutex<std::collections::BTreeMap<&'static str, u64>>,
    pub record: bool,
    pub responses: Mutex<Vec<RecordedResponse>>,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn next_fault(&self, route: Route) -> Option<Fault> {
        let fault = self.draw_fault(route)?;
        *lock(&self.injected).entry(fault.kind()).or_default() += 1;
        Some(fault)
    }

    fn draw_fault(&self, route: Route) -> Option<Fault> {
        if let Some(fault) = lock(&self.queued)[route.index()].pop_front() {
            return Some(fault);
        }
        let mut random = lock(&self.random);
        let (plan, rng) = random.as_mut()?;
        if plan.faults.is_empty() || rng.f64() >= plan.rate {
            return None;
        }
        Some(plan.faults[rng.usize(..plan.faults.len())].clone())
    }
}

/// The route a request addresses, with the decoded hash for `/keys/{hash}` routes.
pub(crate) fn route_of(method: &Method, path: &str) -> Option<(Route, Option<String>)> {
    let rest = path.strip_prefix(BASE_PATH)?;
    match (method, rest) {
        (&Method::GET, "/key") => Some((Route::GetCurrentKey, None)),
        (&Method::GET, "/keys") => Some((Route::List, None)),
        (&Method::POST, "/keys") => Some((Route::CreateKeys, None)),
        (method, rest) => {
            let segment = rest.strip_prefix("/keys/")?;
            if segment.is_empty() || segment.contains('/') {
                return None;
            }
            let hash = percent_encoding::percent_decode_str(segment)
                .decode_utf8()
                .ok()?
                .into_owned();
            let route = match *method {
                Method::GET => Route::GetKey,
                Method::PATCH => Route::UpdateKeys,
                Method::DELETE => Route::DeleteKeys,
                _ => return None,
            };
            Some((route, Some(hash)))
        }
    }
}

/// Handles one request: the service function of every connection.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Closed> {
    let path = request.uri().path().to_string();
    let Some((route, hash)) = route_of(request.method(), &path) else {
        return Ok(json_response(&error(404, "Not Found")));
    };
    shared.requests[route.index()].fetch_add(1, Ordering::SeqCst);
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
    let answer = act(&shared, route, hash.as_deref(), request).await;
    if shared.record {
        lock(&shared.responses).push(RecordedResponse {
            route,
            status: answer.0,
            body: answer.1.clone(),
        });
    }
    match fault {
        Some(Fault::Delay(wait)) => {
            tokio::time::sleep(wait).await;
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

/// Authenticates, reads the body and runs the operation.
async fn act(
    shared: &Shared,
    route: Route,
    hash: Option<&str>,
    request: Request<Incoming>,
) -> Answer {
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let is_json = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let query = request.uri().query().unwrap_or("").to_string();
    let body = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return error(400, "The request body could not be read"),
    };
    let mut store = lock(&shared.store);
    let Some(token) = token else {
        return error(401, "Missing Authentication header");
    };
    let Some(caller) = store.authenticate(&token) else {
        return error(401, "Invalid or disabled API key");
    };
    if route == Route::GetCurrentKey {
        return (200, serde_json::json!({ "data": caller.to_current_json() }));
    }
    if !caller.management {
        let message = "Only management keys can perform this operation";
        return error(if route == Route::CreateKeys { 403 } else { 401 }, message);
    }
    let json_body = || -> Result<Value, Answer> {
        if !is_json {
            return Err(error(400, "Content-Type must be application/json"));
        }
        serde_json::from_slice(&body).map_err(|_| error(400, "The request body is not valid JSON"))
    };
    let hash = hash.unwrap_or_default();
    match route {
        Route::GetCurrentKey => unreachable_route(),
        Route::List => match ListQuery::parse(&query) {
            Ok(query) => store.list(&query),
            Err(answer) => answer,
        },
        Route::CreateKeys => match json_body() {
            Ok(body) => store.create(&body),
            Err(answer) => answer,
        },
        Route::GetKey => store.get(hash),
        Route::UpdateKeys => match json_body() {
            Ok(body) => store.update(hash, &body),
            Err(answer) => answer,
        },
        Route::DeleteKeys => store.delete(hash),
    }
}

/// `GET /key` is answered before the match; this arm only satisfies exhaustiveness.
fn unreachable_route() -> Answer {
    error(500, "internal routing error")
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
