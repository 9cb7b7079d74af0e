//! The six operations, as request builders you configure and then `.await`.
//!
//! Each builder holds the operation's parameters and the per-call options; awaiting it (via
//! `IntoFuture`) validates the input, builds the request with the generated client (once per
//! attempt), sends it with this crate's transport hooks, and converts the answer into this
//! crate's types. What differs between operations is each one's [`Exchange`]; the call
//! itself is `exchange.rs`.

use crate::call::GeneratedError;
use crate::client::Client;
use crate::error::Result;
use crate::exchange::{self, Exchange};
use crate::hash::checked_hash;
use crate::model::{CreatedKey, CurrentKey, Key, KeyUpdate, NewKey};
use crate::operation_id::OperationId;
use crate::options::CallOptions;
use crate::retry::RetryPolicy;
use crate::sleep::BoxFuture;
use openrouter_keys_codegen::{self as codegen, builder, types};
use std::future::{Future, IntoFuture};
use std::time::Duration;

/// The `/keys` operations of a [`Client`]; get one with [`Client::keys`].
#[derive(Debug, Clone, Copy)]
pub struct Keys<'c> {
    client: &'c Client,
}

impl<'c> Keys<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// `GET /keys`: one page of keys, from [`offset`](Request::offset). OpenRouter does not
    /// document the page size; [`Keys::all`] fetches every page, [`Keys::list_all`] streams them.
    pub fn list(&self) -> Request<'c, ListKeys> {
        Request::new(self.client, ListKeys::default())
    }

    /// Every key, page after page, collected into one `Vec` (see [`Request::all`] for
    /// filters). Fails with the first error; keys of earlier pages are then dropped.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
    /// let every_key = client.keys().all().await?;
    /// println!("{} keys", every_key.len());
    /// # Ok(()) }
    /// ```
    pub fn all(&self) -> impl Future<Output = Result<Vec<Key>>> + Send + 'c {
        self.list().all()
    }

    /// Every key, page after page, as a stream (see [`Request::into_stream`] for filters):
    /// for handling keys as pages arrive, or stopping early. [`Keys::all`] collects them.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
    /// use futures_util::TryStreamExt;
    /// let mut keys = client.keys().list_all();
    /// while let Some(key) = keys.try_next().await? {
    ///     println!("{} {:?}", key.hash, key.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_all(&self) -> impl futures_util::Stream<Item = Result<Key>> + Send + Unpin + 'c {
        self.list().into_stream()
    }

    /// `POST /keys`: creates a key. The answer holds its plaintext secret, once.
    ///
    /// Not retried after a timeout or a 5xx by default: OpenRouter does not document whether a
    /// repeated create makes a second key, and our inference is that it does (see
    /// [`Request::retry_on_unknown_outcome`]).
    pub fn create(&self, new_key: NewKey) -> Request<'c, CreateKey> {
        Request::new(self.client, CreateKey { new_key })
    }

    /// `GET /keys/{hash}`: one key.
    pub fn get(&self, hash: impl Into<String>) -> Request<'c, GetKey> {
        Request::new(self.client, GetKey { hash: hash.into() })
    }

    /// `PATCH /keys/{hash}`: changes the fields set in `update`, keeps the others.
    pub fn update(&self, hash: impl Into<String>, update: KeyUpdate) -> Request<'c, UpdateKey> {
        Request::new(
            self.client,
            UpdateKey {
                hash: hash.into(),
                update,
            },
        )
    }

    /// `DELETE /keys/{hash}`: deletes a key. An answer of `{"deleted": true}` or `{}` is a
    /// success.
    ///
    /// When an attempt is interrupted (timeout, dropped connection) and the retry answers
    /// 404, the first attempt most likely deleted the key: the call then succeeds.
    pub fn delete(&self, hash: impl Into<String>) -> Request<'c, DeleteKey> {
        Request::new(self.client, DeleteKey { hash: hash.into() })
    }
}

impl Client {
    /// `GET /key`: the key this client authenticates with. Works with any key.
    pub fn current_key(&self) -> Request<'_, GetCurrentKey> {
        Request::new(self, GetCurrentKey)
    }
}

/// One call, ready to be configured and awaited.
///
/// ```no_run
/// # async fn run(client: openrouter_keys::Client, hash: &str) -> Result<(), openrouter_keys::Error> {
/// use openrouter_keys::RetryPolicy;
/// use std::time::Duration;
///
/// let key = client
///     .keys()
///     .get(hash)
///     .timeout(Duration::from_secs(2))
///     .retry(RetryPolicy::none())
///     .header("x-trace-id", "abc123")
///     .await?;
/// # let _ = key; Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct Request<'c, Op> {
    client: &'c Client,
    operation: Op,
    options: CallOptions,
}

impl<'c, Op> Request<'c, Op> {
    fn new(client: &'c Client, operation: Op) -> Self {
        Self {
            client,
            operation,
            options: CallOptions::default(),
        }
    }

    /// Time allowed for each attempt of this call, instead of the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Retry policy for this call, instead of the client's.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(policy);
        self
    }

    /// Adds a header to this call. An invalid name or value, `Authorization` (the
    /// client's key is the only credential sent), or a header the SDK and the HTTP stack own
    /// (`Content-Length`, `Transfer-Encoding`, `Host`, `Connection`, `Keep-Alive`, `TE`,
    /// `Trailer`, `Upgrade`, `Expect`, `Proxy-Authorization`, `Proxy-Connection`,
    /// `Content-Type`) makes the call fail with
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) when awaited, before anything is sent.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.options.add_header(name, value);
        self
    }
}

/// What a request builder sends; implemented by the operation types of this module.
pub trait Operation: private::Sealed + Send + Sync + 'static {
    /// What the call returns.
    type Output: Send;
    #[doc(hidden)]
    fn send(self, client: &Client, options: CallOptions) -> BoxFuture<'_, Result<Self::Output>>;
}

mod private {
    pub trait Sealed {}
}

impl<'c, Op: Operation> IntoFuture for Request<'c, Op> {
    type Output = Result<Op::Output>;
    type IntoFuture = BoxFuture<'c, Result<Op::Output>>;

    fn into_future(self) -> Self::IntoFuture {
        self.operation.send(self.client, self.options)
    }
}

/// `GET /key`.
#[derive(Debug, Clone, Copy, Default)]
pub struct GetCurrentKey;

impl private::Sealed for GetCurrentKey {}
impl Operation for GetCurrentKey {
    type Output = CurrentKey;
    fn send(self, client: &Client, options: CallOptions) -> BoxFuture<'_, Result<CurrentKey>> {
        exchange::boxed(self, client, options)
    }
}

impl Exchange for GetCurrentKey {
    const ID: OperationId = OperationId::GetCurrentKey;
    type Wire = types::CurrentKeyResponse;
    type Output = CurrentKey;
    type Body = ();
    fn check(&self) -> Result<()> {
        Ok(())
    }
    fn build(&self, generated: &codegen::Client, _: &()) -> WireResult<reqwest::Request> {
        generated.get_current_key().build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::GetCurrentKey::read_response(response))
    }
    fn output(wire: Self::Wire) -> CurrentKey {
        CurrentKey::from(wire)
    }
}

/// `GET /keys`: filters and offset of one page.
#[derive(Debug, Clone, Default)]
pub struct ListKeys {
    include_disabled: Option<bool>,
    include_expired: Option<bool>,
    offset: Option<u64>,
    workspace_id: Option<String>,
}

impl<'c> Request<'c, ListKeys> {
    /// Include disabled keys.
    pub fn include_disabled(mut self, include: bool) -> Self {
        self.operation.include_disabled = Some(include);
        self
    }

    /// Include expired keys.
    pub fn include_expired(mut self, include: bool) -> Self {
        self.operation.include_expired = Some(include);
        self
    }

    /// Skip this many keys: the first page starts at 0, the next at the number of keys
    /// received so far.
    pub fn offset(mut self, offset: u64) -> Self {
        self.operation.offset = Some(offset);
        self
    }

    /// Only keys of this workspace (by default, the default workspace).
    pub fn workspace_id(mut self, workspace_id: impl Into<String>) -> Self {
        self.operation.workspace_id = Some(workspace_id.into());
        self
    }

    /// Every key matching these filters, from this offset on, fetched page by page until a
    /// page comes back empty. The stream ends after the first error, which it yields.
    ///
    /// A key that comes back on a later page (keys created or deleted while listing shift the
    /// offsets) is yielded once. A non-empty page without a single key not yet listed means
    /// the server repeated a page (it ignores `offset`): the stream then ends with an
    /// [`Error::Decode`](crate::Error::Decode) naming the offset, instead of asking forever.
    /// The stream keeps a 64-bit digest of every hash it yielded (about 20 bytes a key) until
    /// it is dropped.
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Result<Key>> + Send + Unpin + 'c {
        crate::pagination::keys_stream(self)
    }

    /// Every key matching these filters, from this offset on, collected into one `Vec`: the
    /// pages of [`into_stream`](Self::into_stream), fetched one after another. Fails with
    /// the first error.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
    /// let with_disabled = client.keys().list().include_disabled(true).all().await?;
    /// # let _ = with_disabled; Ok(()) }
    /// ```
    pub fn all(self) -> impl Future<Output = Result<Vec<Key>>> + Send + 'c {
        futures_util::TryStreamExt::try_collect(self.into_stream())
    }

    pub(crate) fn page_offset(&self) -> u64 {
        self.operation.offset.unwrap_or(0)
    }
}

impl private::Sealed for ListKeys {}
impl Operation for ListKeys {
    type Output = Vec<Key>;
    fn send(self, client: &Client, options: CallOptions) -> BoxFuture<'_, Result<Vec<Key>>> {
        exchange::boxed(self, client, options)
    }
}

impl Exchange for ListKeys {
    const ID: OperationId = OperationId::List;
    type Wire = types::KeyListResponse;
    type Output = Vec<Key>;
    type Body = ();
    fn check(&self) -> Result<()> {
        Ok(())
    }
    fn build(&self, generated: &codegen::Client, _: &()) -> WireResult<reqwest::Request> {
        let mut request = generated.list();
        if let Some(include) = self.include_disabled {
            request = request.include_disabled(include);
        }
        if let Some(include) = self.include_expired {
            request = request.include_expired(include);
        }
        if let Some(offset) = self.offset {
            request = request.offset(offset.min(i64::MAX as u64) as i64);
        }
        if let Some(workspace_id) = &self.workspace_id {
            request = request.workspace_id(workspace_id.as_str());
        }
        request.build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::List::read_response(response))
    }
    fn output(wire: Self::Wire) -> Vec<Key> {
        Key::listed(wire)
    }
}

/// `POST /keys`.
#[derive(Debug, Clone)]
pub struct CreateKey {
    new_key: NewKey,
}

impl<'c> Request<'c, CreateKey> {
    /// Retry this create after a timeout or a 5xx, like an idempotent call.
    ///
    /// By default such failures are not retried and end in
    /// [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown), because the first request may
    /// have created the key: retrying can create a second one. Opt in only when a duplicate
    /// key is acceptable (for example, when you clean up by name afterwards).
    pub fn retry_on_unknown_outcome(mut self) -> Self {
        self.options.retry_on_unknown_outcome = true;
        self
    }
}

impl private::Sealed for CreateKey {}
impl Operation for CreateKey {
    type Output = CreatedKey;
    fn send(self, client: &Client, options: CallOptions) -> BoxFuture<'_, Result<CreatedKey>> {
        exchange::boxed(self, client, options)
    }
}

impl Exchange for CreateKey {
    const ID: OperationId = OperationId::CreateKeys;
    type Wire = types::CreatedKeyResponse;
    type Output = CreatedKey;
    type Body = types::CreateKeyRequest;
    fn check(&self) -> Result<Self::Body> {
        self.new_key.to_body()
    }
    fn secret(&self) -> Option<&secrecy::SecretString> {
        self.new_key.partner_secret()
    }
    fn build(
        &self,
        generated: &codegen::Client,
        body: &Self::Body,
    ) -> WireResult<reqwest::Request> {
        generated.create_keys().body(body.clone()).build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::CreateKeys::read_response(response))
    }
    fn output(wire: Self::Wire) -> CreatedKey {
        CreatedKey::from(wire)
    }
}

/// `GET /keys/{hash}`.
#[derive(Debug, Clone)]
pub struct GetKey {
    hash: String,
}

impl private::Sealed for GetKey {}
impl Operation for GetKey {
    type Output = Key;
    fn send(self, client: &Client, options: CallOptions) -> BoxFuture<'_, Result<Key>> {
        exchange::boxed(self, client, options)
    }
}

impl Exchange for GetKey {
    const ID: OperationId = OperationId::GetKey;
    type Wire = types::KeyResponse;
    type Output = Key;
    type Body = ();
    fn check(&self) -> Result<()> {
        checked_hash(&self.hash).map(drop)
    }
    fn build(&self, generated: &codegen::Client, _: &()) -> WireResult<reqwest::Request> {
        generated.get_key().hash(self.hash.as_str()).build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::GetKey::read_response(response))
    }
    fn output(wire: Self::Wire) -> Key {
        Key::from(wire)
    }
}

/// `PATCH /keys/{hash}`.
#[derive(Debug, Clone)]
pub struct UpdateKey {
    hash: String,
    update: KeyUpdate,
}

impl private::Sealed for UpdateKey {}
impl Operation for UpdateKey {
    type Output = Key;
    fn send(self, client: &Client, options: CallOptions) -> BoxFuture<'_, Result<Key>> {
        exchange::boxed(self, client, options)
    }
}

impl Exchange for UpdateKey {
    const ID: OperationId = OperationId::UpdateKeys;
    type Wire = types::KeyResponse;
    type Output = Key;
    type Body = types::UpdateKeyRequest;
    fn check(&self) -> Result<Self::Body> {
        checked_hash(&self.hash)?;
        self.update.to_body()
    }
    fn build(
        &self,
        generated: &codegen::Client,
        body: &Self::Body,
    ) -> WireResult<reqwest::Request> {
        generated
            .update_keys()
            .hash(self.hash.as_str())
            .body(body.clone())
            .build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::UpdateKeys::read_response(response))
    }
    fn output(wire: Self::Wire) -> Key {
        Key::from(wire)
    }
}

/// `DELETE /keys/{hash}`.
#[derive(Debug, Clone)]
pub struct DeleteKey {
    hash: String,
}

impl private::Sealed for DeleteKey {}
impl Operation for DeleteKey {
    type Output = ();
    fn send(self, client: &Client, options: CallOptions) -> BoxFuture<'_, Result<()>> {
        exchange::boxed(self, client, options)
    }
}

impl Exchange for DeleteKey {
    const ID: OperationId = OperationId::DeleteKeys;
    type Wire = types::DeleteKeyResponse;
    type Output = ();
    type Body = ();
    fn check(&self) -> Result<()> {
        checked_hash(&self.hash).map(drop)
    }
    fn build(&self, generated: &codegen::Client, _: &()) -> WireResult<reqwest::Request> {
        generated
            .delete_keys()
            .hash(self.hash.as_str())
            .build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::DeleteKeys::read_response(response))
    }
    fn output(_: Self::Wire) {}
    /// The API documents `deleted` as always `true`; a `false` says the key was not deleted,
    /// and a caller that went on as if it were would leave a live key behind.
    fn refusal(wire: &Self::Wire) -> Option<crate::exchange::Refusal> {
        let types::DeleteKeyResponse { deleted } = wire;
        (*deleted == Some(false)).then_some(crate::exchange::Refusal {
            path: "deleted",
            message: "the API answered `deleted: false`: the key was not deleted",
            hint: "get the key by its hash to see whether it still exists, and delete it again \
                   if it does",
        })
    }
    /// The API documents `{"deleted": true}`; a `204 No Content` (or an empty 2xx, as a
    /// proxy may send) says the same: there is nothing to decode and nothing left to do.
    fn empty_success() -> Option<()> {
        Some(())
    }
    /// A 404 after an interrupted attempt: that attempt most likely deleted the key.
    fn already_done() -> Option<()> {
        Some(())
    }
}

/// What the generated builders return.
type WireResult<T> = std::result::Result<T, GeneratedError>;
/// The generated reading of an answer that is not a success, boxed.
type ReadError<W> = BoxFuture<'static, WireResult<progenitor_client::ResponseValue<W>>>;
