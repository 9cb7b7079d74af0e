//! The `/key` and `/keys` operations, declared: their request builders, and for each its [`Exchange`] —
//! everything the shared call code needs to know about it, in one place.
//!
//! Each builder holds the operation's parameters and the per-call options; awaiting it (via
//! `IntoFuture`) validates the input, builds the request with the generated client (once per
//! attempt), sends it with this crate's transport hooks, and converts the answer into this
//! crate's types. What differs between operations is each one's [`Exchange`] here: its
//! [`Rules`] (retry safety, the key it needs, what a 404 means, what it creates), checks,
//! request, generated success type and public result, and its hooks (a delete's empty
//! success, refusal and 404 after an interruption; the listing's paging). The call itself is
//! `exchange.rs`; ARCHITECTURE.md lists what a new operation needs.

use crate::client::Client;
use crate::error::Result;
use crate::exchange::{Exchange, ReadError, WireResult, impl_operation};
use crate::hash::{checked_hash, checked_id};
use crate::input_field::InputField;
use crate::model::{CreatedKey, CurrentKey, Key, KeyUpdate, NewKey};
use crate::operation_id::OperationId;
use crate::page_query::MAX_LIMIT;
use crate::pagination::{Listing, Page, Paged, PagedExchange, send_page};
use crate::request::Request;
use crate::rules::{Creation, Idempotency, KeyNeeded, Refusal, Rules};
use futures_util::future::BoxFuture;
use openrouter_keys_codegen::{self as codegen, builder, types};
use reqwest::StatusCode;
use secrecy::SecretString;
use std::collections::HashSet;
use std::future::Future;

/// The key the `/keys` operations need.
const MANAGEMENT: KeyNeeded = KeyNeeded::Management { routes: "/keys" };

/// The `/keys` operations of a [`Client`]; get one with [`Client::keys`].
#[derive(Debug, Clone, Copy)]
pub struct Keys<'c> {
    client: &'c Client,
}

impl<'c> Keys<'c> {
    fn new(client: &'c Client) -> Self {
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

    /// Every key of every workspace, each once: `GET /keys` lists one workspace at a time (the
    /// default one unless told another), so this lists the workspaces, then the keys of each.
    /// See [`Request::all_in_every_workspace`] for filters.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
    /// for key in client.keys().all_in_every_workspace().await? {
    ///     println!("{} in {:?}", key.hash, key.workspace_id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn all_in_every_workspace(&self) -> impl Future<Output = Result<Vec<Key>>> + Send + 'c {
        self.list().all_in_every_workspace()
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
    /// The key-management operations (`/keys`).
    pub fn keys(&self) -> Keys<'_> {
        Keys::new(self)
    }

    /// `GET /key`: the key this client authenticates with. Works with any key.
    pub fn current_key(&self) -> Request<'_, GetCurrentKey> {
        Request::new(self, GetCurrentKey)
    }
}

/// `GET /key`.
#[derive(Debug, Clone, Copy, Default)]
pub struct GetCurrentKey;

impl_operation!(GetCurrentKey => CurrentKey);

impl Exchange for GetCurrentKey {
    const RULES: &'static Rules = &Rules::new(
        OperationId::GetCurrentKey,
        Idempotency::Idempotent,
        KeyNeeded::Any,
    )
    .undocumented_404();
    type Wire = types::CurrentKeyResponse;
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

    /// Every key matching this request's filters in every workspace, each once (a key moved
    /// to another workspace while they are read is not listed twice), workspace after
    /// workspace in the order `GET /workspaces` lists them. The request's
    /// [`workspace_id`](Self::workspace_id) and offset are replaced; its timeout, retry
    /// policy and headers apply to every call, the workspaces' listing included. Fails with
    /// the first error.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
    /// let everything = client
    ///     .keys()
    ///     .list()
    ///     .include_disabled(true)
    ///     .all_in_every_workspace()
    ///     .await?;
    /// # let _ = everything; Ok(()) }
    /// ```
    // Not an `async fn`: the signature promises a `Send` future, as the other calls' do.
    #[allow(clippy::manual_async_fn)]
    pub fn all_in_every_workspace(self) -> impl Future<Output = Result<Vec<Key>>> + Send + 'c {
        async move {
            let mut workspaces = self.client.workspaces().list().limit(MAX_LIMIT);
            workspaces.options = self.options.clone();
            let workspaces = workspaces.all().await?;
            let mut seen = HashSet::new();
            let mut keys = Vec::new();
            for workspace in workspaces {
                let mut listing = self.clone().workspace_id(workspace.id);
                listing.operation.offset = None;
                for key in listing.all().await? {
                    if seen.insert(key.hash.clone()) {
                        keys.push(key);
                    }
                }
            }
            Ok(keys)
        }
    }
}

impl Paged for ListKeys {
    type Item = Key;
    const LISTING: Listing = Listing {
        operation: Self::RULES.id,
        items: "keys",
        by_hand: "client.keys().list().offset(n)",
        contradiction: "a key twice",
    };
    fn offset(&self) -> u64 {
        self.offset.unwrap_or(0)
    }
    fn set_offset(&mut self, offset: u64) {
        self.offset = Some(offset);
    }
    fn id(key: &Key) -> (&str, &str) {
        (&key.hash, "")
    }
    fn send_page(request: Request<'_, Self>) -> BoxFuture<'_, Result<Page<Key>>> {
        send_page(request)
    }
}

impl PagedExchange for ListKeys {
    fn page(wire: Self::Wire) -> (Vec<Key>, Option<u64>) {
        // `GET /keys` gives no total.
        (Key::listed(wire), None)
    }
}

impl_operation!(ListKeys => Vec<Key>);

impl Exchange for ListKeys {
    const RULES: &'static Rules =
        &Rules::new(OperationId::List, Idempotency::Idempotent, MANAGEMENT);
    type Wire = types::KeyListResponse;
    type Body = ();
    fn check(&self) -> Result<()> {
        match &self.workspace_id {
            Some(workspace_id) => checked_id(workspace_id, InputField::WorkspaceId).map(drop),
            None => Ok(()),
        }
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

impl_operation!(CreateKey => CreatedKey);

impl Exchange for CreateKey {
    const RULES: &'static Rules = &Rules::new(
        OperationId::CreateKeys,
        Idempotency::NotIdempotent,
        MANAGEMENT,
    )
    .creates(Creation {
        shown: created_key_shown,
        secret: created_key_secret,
    });
    type Wire = types::CreatedKeyResponse;
    type Body = types::CreateKeyRequest;
    fn check(&self) -> Result<Self::Body> {
        self.new_key.to_body()
    }
    fn secret(&self) -> Option<&SecretString> {
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

/// Whether a create's 2xx answer shows that the key exists: `201 Created` (the documented
/// status), or a JSON body with the new key's `data.hash` or its top-level `key`.
fn created_key_shown(status: StatusCode, body: &[u8]) -> bool {
    if status == StatusCode::CREATED {
        return true;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    value
        .pointer("/data/hash")
        .is_some_and(|hash| hash.is_string())
        || value.get("key").is_some_and(|key| key.is_string())
}

/// The top-level `key` (the new key's secret) of a create's body that failed to decode as a
/// whole.
fn created_key_secret(body: &[u8]) -> Option<SecretString> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let key = value.get("key")?.as_str()?;
    Some(SecretString::from(key.to_string()))
}

/// `GET /keys/{hash}`.
#[derive(Debug, Clone)]
pub struct GetKey {
    hash: String,
}

impl_operation!(GetKey => Key);

impl Exchange for GetKey {
    const RULES: &'static Rules =
        &Rules::new(OperationId::GetKey, Idempotency::Idempotent, MANAGEMENT);
    type Wire = types::KeyResponse;
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

impl_operation!(UpdateKey => Key);

impl Exchange for UpdateKey {
    const RULES: &'static Rules =
        &Rules::new(OperationId::UpdateKeys, Idempotency::Idempotent, MANAGEMENT);
    type Wire = types::KeyResponse;
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

impl_operation!(DeleteKey => ());

impl Exchange for DeleteKey {
    // `{}` is a success: nothing in the answer is essential.
    const RULES: &'static Rules =
        &Rules::new(OperationId::DeleteKeys, Idempotency::Idempotent, MANAGEMENT)
            .nothing_essential();
    type Wire = types::DeleteKeyResponse;
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
    fn refusal(wire: &Self::Wire) -> Option<Refusal> {
        let types::DeleteKeyResponse { deleted } = wire;
        (*deleted == Some(false)).then_some(Refusal {
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
