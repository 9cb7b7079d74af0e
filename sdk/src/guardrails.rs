//! The `/guardrails` operations, declared: reading guardrails, listing which guardrail each
//! key holds, and assigning keys to a guardrail or unassigning them. Each has its request
//! builder and its [`Exchange`], as the `/keys` operations have theirs in `keys.rs`;
//! ARCHITECTURE.md lists what an operation needs.
//!
//! Retry safety: reads are idempotent. Assigning is too: a key holds at most one guardrail and
//! assigning replaces what it held (OpenRouter's published spec), so a repeated request leaves
//! the state the first one left, whether or not that one took effect. Unassigning likewise
//! leaves "the key does not hold this guardrail" however often it is sent. Both are retried
//! like a `PATCH`; neither can end in [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown),
//! which is for operations whose repetition could act twice. (Our inference from the
//! documented semantics: `openapi/POLICY.md`, "Repeating an assignment".)

use crate::client::Client;
use crate::error::{Error, Result};
use crate::exchange::{Exchange, ReadError, WireResult, impl_operation};
use crate::hash::{checked_hash, checked_id, checked_ids};
use crate::input_field::InputField;
use crate::model::{Guardrail, KeyAssignment, KeysAssigned, KeysUnassigned};
use crate::operation_id::OperationId;
use crate::page_query::{MAX_LIMIT, PageQuery, paged_by_offset_and_limit, with_page};
use crate::request::Request;
use crate::rules::{Idempotency, KeyNeeded, Refusal, Rules};
use futures_util::{Stream, TryStreamExt};
use openrouter_keys_codegen::{self as codegen, builder, types};
use std::future::Future;

/// The key the `/guardrails` operations need.
const MANAGEMENT: KeyNeeded = KeyNeeded::Management {
    routes: "/guardrails",
};

/// The `/guardrails` operations of a [`Client`]; get one with [`Client::guardrails`].
///
/// ```no_run
/// # async fn run(client: openrouter_keys::Client, hash: &str) -> Result<(), openrouter_keys::Error> {
/// let guardrails = client.guardrails();
/// if let Some(held) = guardrails.assignment_of(hash).await? {
///     let guardrail = guardrails.get(&held.guardrail_id).await?;
///     println!("{hash} holds {:?}: ${:?}", guardrail.name, guardrail.limit_usd);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Guardrails<'c> {
    client: &'c Client,
}

impl<'c> Guardrails<'c> {
    /// `GET /guardrails`: one page of one workspace's guardrails (the default workspace's,
    /// unless [`workspace_id`](Request::workspace_id) names another), from
    /// [`offset`](Request::offset), [`limit`](Request::limit) at a time.
    pub fn list(&self) -> Request<'c, ListGuardrails> {
        Request::new(self.client, ListGuardrails::default())
    }

    /// Every guardrail of the default workspace, page after page (100 a page), collected into
    /// one `Vec`. For another workspace: `list().workspace_id(id).all()`.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
    /// for guardrail in client.guardrails().all().await? {
    ///     println!("{} {:?} ${:?}", guardrail.id, guardrail.name, guardrail.limit_usd);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn all(&self) -> impl Future<Output = Result<Vec<Guardrail>>> + Send + 'c {
        self.list().limit(MAX_LIMIT).all()
    }

    /// `GET /guardrails/{id}`: one guardrail. A 404 means no guardrail has this id, or it is a
    /// workspace's default guardrail ([`Workspace::default_guardrail_id`]) whose
    /// configuration was never written; the error's [`hint`](crate::Error::hint) says so.
    ///
    /// [`Workspace::default_guardrail_id`]: crate::Workspace::default_guardrail_id
    pub fn get(&self, id: impl Into<String>) -> Request<'c, GetGuardrail> {
        Request::new(self.client, GetGuardrail { id: id.into() })
    }

    /// `GET /guardrails/assignments/keys`: one page of the account's key assignments (which
    /// guardrail each assigned key holds).
    pub fn key_assignments(&self) -> Request<'c, ListKeyAssignments> {
        Request::new(self.client, ListKeyAssignments::default())
    }

    /// Every key assignment of the account, page after page (100 a page), collected into one
    /// `Vec`. A listing that shows one key holding two guardrails (where a key holds at most
    /// one) fails with an [`Error::Listing`].
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
    /// for held in client.guardrails().all_key_assignments().await? {
    ///     println!("{} holds {}", held.key_hash, held.guardrail_id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn all_key_assignments(
        &self,
    ) -> impl Future<Output = Result<Vec<KeyAssignment>>> + Send + 'c {
        self.key_assignments().limit(MAX_LIMIT).all()
    }

    /// Every key assignment of the account, page after page (100 a page), as a stream: for
    /// handling them as pages arrive, or stopping early.
    /// [`all_key_assignments`](Self::all_key_assignments) collects them.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
    /// use futures_util::TryStreamExt;
    /// let mut assignments = client.guardrails().list_all_key_assignments();
    /// while let Some(held) = assignments.try_next().await? {
    ///     println!("{} holds {}", held.key_hash, held.guardrail_id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_all_key_assignments(
        &self,
    ) -> impl Stream<Item = Result<KeyAssignment>> + Send + Unpin + 'c {
        self.key_assignments().limit(MAX_LIMIT).into_stream()
    }

    /// The assignment of the key with this hash, or `None` when it holds no guardrail.
    /// OpenRouter has no read of one key's assignment, so this reads every assignment of the
    /// account ([`list_all_key_assignments`](Self::list_all_key_assignments)), to the end: a
    /// key holds at most one guardrail, and a listing that shows a key with two (it was most
    /// likely assigned another while they were read) answers neither but fails with an
    /// [`Error::Listing`] (its kind [`ListingErrorKind::Contradiction`]), which a second read
    /// most likely settles.
    ///
    /// The hash is checked as [`Keys::get`](crate::Keys::get) checks it: an empty one, a dot
    /// segment, surrounding whitespace or a key's secret fails with
    /// [`Error::InvalidInput`] before anything is sent.
    ///
    /// [`ListingErrorKind::Contradiction`]: crate::ListingErrorKind::Contradiction
    pub fn assignment_of(
        &self,
        key_hash: impl Into<String>,
    ) -> impl Future<Output = Result<Option<KeyAssignment>>> + Send + 'c {
        let key_hash = key_hash.into();
        let assignments = self.list_all_key_assignments();
        async move {
            checked_hash(&key_hash)?;
            let mut assignments = assignments;
            let mut held = None;
            while let Some(assignment) = assignments.try_next().await? {
                if held.is_none() && assignment.key_hash == key_hash {
                    held = Some(assignment);
                }
            }
            Ok(held)
        }
    }

    /// `GET /guardrails/{id}/assignments/keys`: one page of the keys assigned to one
    /// guardrail; `.all()` or `.into_stream()` for every page.
    pub fn assignments_of_guardrail(
        &self,
        id: impl Into<String>,
    ) -> Request<'c, ListGuardrailKeyAssignments> {
        Request::new(
            self.client,
            ListGuardrailKeyAssignments {
                id: id.into(),
                page: PageQuery::default(),
            },
        )
    }

    /// `POST /guardrails/{id}/assignments/keys`: the keys with these hashes hold guardrail
    /// `id` afterwards. A key holds at most one guardrail: one that held another now holds
    /// this one instead.
    ///
    /// Retried like a `PATCH` after a timeout, a dropped connection or a 5xx: repeating it
    /// leaves the same state, since an assignment replaces the one before (see the module
    /// documentation). An empty list, an empty hash or a key's secret (`sk-or-…`) in place of
    /// a hash fails with [`Error::InvalidInput`] before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_keys::Client, guardrail_id: &str, hash: &str) -> Result<(), openrouter_keys::Error> {
    /// let assigned = client.guardrails().assign_keys(guardrail_id, [hash]).await?;
    /// println!("assigned {}", assigned.count);
    /// # Ok(()) }
    /// ```
    pub fn assign_keys<S: Into<String>>(
        &self,
        id: impl Into<String>,
        key_hashes: impl IntoIterator<Item = S>,
    ) -> Request<'c, AssignKeys> {
        let keys = KeyHashes::new(id, key_hashes);
        Request::new(self.client, AssignKeys { keys })
    }

    /// `POST /guardrails/{id}/assignments/keys/remove`: the keys with these hashes no longer
    /// hold guardrail `id` (a key that held another guardrail keeps it). Retried like
    /// [`assign_keys`](Self::assign_keys), and checked the same way.
    pub fn unassign_keys<S: Into<String>>(
        &self,
        id: impl Into<String>,
        key_hashes: impl IntoIterator<Item = S>,
    ) -> Request<'c, UnassignKeys> {
        let keys = KeyHashes::new(id, key_hashes);
        Request::new(self.client, UnassignKeys { keys })
    }
}

impl Client {
    /// The guardrail operations (`/guardrails`): read guardrails, list and change which keys
    /// hold them.
    pub fn guardrails(&self) -> Guardrails<'_> {
        Guardrails { client: self }
    }
}

/// `GET /guardrails`: the workspace and the page.
#[derive(Debug, Clone, Default)]
pub struct ListGuardrails {
    workspace_id: Option<String>,
    page: PageQuery,
}

impl<'c> Request<'c, ListGuardrails> {
    /// Only guardrails of this workspace (by default, the default workspace).
    pub fn workspace_id(mut self, workspace_id: impl Into<String>) -> Self {
        self.operation.workspace_id = Some(workspace_id.into());
        self
    }
}

paged_by_offset_and_limit!(
    ListGuardrails => Guardrail,
    items: "guardrails",
    by_hand: "client.guardrails().list().offset(n)",
    contradiction: "a guardrail twice",
    id: |guardrail| (&guardrail.id, ""),
    page: Guardrail::paged,
);

impl_operation!(ListGuardrails => Vec<Guardrail>);

impl Exchange for ListGuardrails {
    const RULES: &'static Rules = &Rules::new(
        OperationId::ListGuardrails,
        Idempotency::Idempotent,
        MANAGEMENT,
    )
    .undocumented_404();
    type Wire = types::GuardrailListResponse;
    type Body = ();
    fn check(&self) -> Result<()> {
        if let Some(workspace_id) = &self.workspace_id {
            checked_id(workspace_id, InputField::WorkspaceId)?;
        }
        self.page.checked_limit().map(drop)
    }
    fn build(&self, generated: &codegen::Client, _: &()) -> WireResult<reqwest::Request> {
        let mut request = with_page!(generated.list_guardrails(), self.page);
        if let Some(workspace_id) = &self.workspace_id {
            request = request.workspace_id(workspace_id.as_str());
        }
        request.build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::ListGuardrails::read_response(response))
    }
    fn output(wire: Self::Wire) -> Vec<Guardrail> {
        Guardrail::listed(wire)
    }
}

/// `GET /guardrails/{id}`.
#[derive(Debug, Clone)]
pub struct GetGuardrail {
    id: String,
}

impl_operation!(GetGuardrail => Guardrail);

impl Exchange for GetGuardrail {
    // A workspace's default guardrail answers 404 until its configuration is first written
    // (OpenRouter's published spec; `openapi/POLICY.md`).
    const RULES: &'static Rules = &Rules::new(
        OperationId::GetGuardrail,
        Idempotency::Idempotent,
        MANAGEMENT,
    )
    .not_found_means(
        "No guardrail has this id, or it is a workspace's default guardrail (its \
         `default_guardrail_id`), which OpenRouter answers 404 for until the guardrail's \
         configuration is first written",
    );
    type Wire = types::GuardrailResponse;
    type Body = ();
    fn check(&self) -> Result<()> {
        checked_id(&self.id, InputField::GuardrailId).map(drop)
    }
    fn build(&self, generated: &codegen::Client, _: &()) -> WireResult<reqwest::Request> {
        generated
            .get_guardrail()
            .id(self.id.as_str())
            .build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::GetGuardrail::read_response(response))
    }
    fn output(wire: Self::Wire) -> Guardrail {
        Guardrail::from(wire)
    }
}

/// `GET /guardrails/assignments/keys`: the page.
#[derive(Debug, Clone, Default)]
pub struct ListKeyAssignments {
    page: PageQuery,
}

paged_by_offset_and_limit!(
    ListKeyAssignments => KeyAssignment,
    items: "key assignments",
    by_hand: "client.guardrails().key_assignments().offset(n)",
    contradiction: "a key holding two guardrails, where a key holds at most one (it was \
                    most likely assigned another while the assignments were read)",
    // A key holds at most one guardrail: its hash tells its assignment apart, and the same
    // key listed again with another guardrail contradicts the first listing.
    id: |assignment| (&assignment.key_hash, &assignment.guardrail_id),
    page: KeyAssignment::paged,
);

impl_operation!(ListKeyAssignments => Vec<KeyAssignment>);

impl Exchange for ListKeyAssignments {
    const RULES: &'static Rules = &Rules::new(
        OperationId::ListKeyAssignments,
        Idempotency::Idempotent,
        MANAGEMENT,
    )
    .undocumented_404();
    type Wire = types::KeyAssignmentListResponse;
    type Body = ();
    fn check(&self) -> Result<()> {
        self.page.checked_limit().map(drop)
    }
    fn build(&self, generated: &codegen::Client, _: &()) -> WireResult<reqwest::Request> {
        with_page!(generated.list_key_assignments(), self.page).build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::ListKeyAssignments::read_response(response))
    }
    fn output(wire: Self::Wire) -> Vec<KeyAssignment> {
        KeyAssignment::listed(wire)
    }
}

/// `GET /guardrails/{id}/assignments/keys`: the guardrail and the page.
#[derive(Debug, Clone)]
pub struct ListGuardrailKeyAssignments {
    id: String,
    page: PageQuery,
}

paged_by_offset_and_limit!(
    ListGuardrailKeyAssignments => KeyAssignment,
    items: "key assignments",
    by_hand: "client.guardrails().assignments_of_guardrail(id).offset(n)",
    contradiction: "a key holding two guardrails, where a key holds at most one (it was \
                    most likely assigned another while the assignments were read)",
    id: |assignment| (&assignment.key_hash, &assignment.guardrail_id),
    page: KeyAssignment::paged,
);

impl_operation!(ListGuardrailKeyAssignments => Vec<KeyAssignment>);

impl Exchange for ListGuardrailKeyAssignments {
    const RULES: &'static Rules = &Rules::new(
        OperationId::ListGuardrailKeyAssignments,
        Idempotency::Idempotent,
        MANAGEMENT,
    );
    type Wire = types::KeyAssignmentListResponse;
    type Body = ();
    fn check(&self) -> Result<()> {
        checked_id(&self.id, InputField::GuardrailId)?;
        self.page.checked_limit().map(drop)
    }
    fn build(&self, generated: &codegen::Client, _: &()) -> WireResult<reqwest::Request> {
        let request = generated
            .list_guardrail_key_assignments()
            .id(self.id.as_str());
        with_page!(request, self.page).build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::ListGuardrailKeyAssignments::read_response(
            response,
        ))
    }
    fn output(wire: Self::Wire) -> Vec<KeyAssignment> {
        KeyAssignment::listed(wire)
    }
}

/// A guardrail and the keys an assignment request names.
#[derive(Debug, Clone)]
struct KeyHashes {
    guardrail_id: String,
    key_hashes: Vec<String>,
}

impl KeyHashes {
    fn new<S: Into<String>>(
        guardrail_id: impl Into<String>,
        key_hashes: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            guardrail_id: guardrail_id.into(),
            key_hashes: key_hashes.into_iter().map(Into::into).collect(),
        }
    }

    /// The body, once the guardrail's id and every hash were checked (an error names the
    /// index of a hash it refuses).
    fn to_body(&self) -> Result<types::KeyHashesRequest> {
        checked_id(&self.guardrail_id, InputField::GuardrailId)?;
        if self.key_hashes.is_empty() {
            return Err(Error::invalid_with_hint(
                InputField::KeyHashes,
                "no key hash was given",
                "Name at least one key hash",
            ));
        }
        checked_ids(&self.key_hashes, InputField::KeyHashes)?;
        let key_hashes = self
            .key_hashes
            .iter()
            .enumerate()
            .map(|(index, hash)| {
                // Checked above: only a hash the generated type refuses for a reason of its
                // own could fail here.
                types::KeyHashesRequestKeyHashesItem::try_from(hash.clone()).map_err(|e| {
                    Error::invalid(
                        InputField::KeyHashes,
                        format!("the key hash at index {index}: {e}"),
                    )
                })
            })
            .collect::<Result<_>>()?;
        Ok(types::KeyHashesRequest { key_hashes })
    }
}

/// `POST /guardrails/{id}/assignments/keys`.
#[derive(Debug, Clone)]
pub struct AssignKeys {
    keys: KeyHashes,
}

impl_operation!(AssignKeys => KeysAssigned);

impl Exchange for AssignKeys {
    // Safe to repeat: an assignment replaces the one before (module documentation).
    const RULES: &'static Rules = &Rules::new(
        OperationId::BulkAssignKeysToGuardrail,
        Idempotency::Idempotent,
        MANAGEMENT,
    );
    type Wire = types::AssignKeysResponse;
    type Body = types::KeyHashesRequest;
    fn check(&self) -> Result<Self::Body> {
        self.keys.to_body()
    }
    fn build(
        &self,
        generated: &codegen::Client,
        body: &Self::Body,
    ) -> WireResult<reqwest::Request> {
        generated
            .bulk_assign_keys_to_guardrail()
            .id(self.keys.guardrail_id.as_str())
            .body(body.clone())
            .build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::BulkAssignKeysToGuardrail::read_response(response))
    }
    fn output(wire: Self::Wire) -> KeysAssigned {
        KeysAssigned::from(wire)
    }
    fn refusal(wire: &Self::Wire) -> Option<Refusal> {
        refused_count("assigned_count", wire.assigned_count)
    }
}

/// `POST /guardrails/{id}/assignments/keys/remove`.
#[derive(Debug, Clone)]
pub struct UnassignKeys {
    keys: KeyHashes,
}

impl_operation!(UnassignKeys => KeysUnassigned);

impl Exchange for UnassignKeys {
    // Safe to repeat: the keys end up without this guardrail however often it is sent.
    const RULES: &'static Rules = &Rules::new(
        OperationId::BulkUnassignKeysFromGuardrail,
        Idempotency::Idempotent,
        MANAGEMENT,
    );
    type Wire = types::UnassignKeysResponse;
    type Body = types::KeyHashesRequest;
    fn check(&self) -> Result<Self::Body> {
        self.keys.to_body()
    }
    fn build(
        &self,
        generated: &codegen::Client,
        body: &Self::Body,
    ) -> WireResult<reqwest::Request> {
        generated
            .bulk_unassign_keys_from_guardrail()
            .id(self.keys.guardrail_id.as_str())
            .body(body.clone())
            .build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::BulkUnassignKeysFromGuardrail::read_response(
            response,
        ))
    }
    fn output(wire: Self::Wire) -> KeysUnassigned {
        KeysUnassigned::from(wire)
    }
    fn refusal(wire: &Self::Wire) -> Option<Refusal> {
        refused_count("unassigned_count", wire.unassigned_count)
    }
}

/// Why an assignment answer whose count (`member`, `assigned_count` or `unassigned_count`)
/// is `sent` says nothing about what the call did: a negative count counts nothing.
fn refused_count(member: &'static str, sent: i64) -> Option<Refusal> {
    (sent < 0).then_some(Refusal {
        path: member,
        message: "the API answered a negative count, which says nothing about the keys the \
                  call changed",
        hint: "make the call again (repeating it is safe); if the count stays negative, the \
               server answers wrongly: list the guardrail's assignments to see what holds",
    })
}
