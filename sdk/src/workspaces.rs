//! The `/workspaces` operations, declared: listing the workspaces and reading one (both
//! idempotent reads). Each has its request builder and its [`Exchange`], as the `/keys`
//! operations have theirs in `keys.rs`; ARCHITECTURE.md lists what an operation needs.
//!
//! `GET /keys` lists one workspace at a time, so a tool that must see every key lists the
//! workspaces first ([`Keys::all_in_every_workspace`](crate::Keys::all_in_every_workspace) does both).

use crate::client::Client;
use crate::error::Result;
use crate::exchange::{Exchange, ReadError, WireResult, impl_operation};
use crate::hash::checked_id;
use crate::input_field::InputField;
use crate::model::Workspace;
use crate::operation_id::OperationId;
use crate::page_query::{MAX_LIMIT, PageQuery, paged_by_offset_and_limit, with_page};
use crate::request::Request;
use crate::rules::{Idempotency, KeyNeeded, Rules};
use futures_util::Stream;
use openrouter_keys_codegen::{self as codegen, builder, types};
use std::future::Future;

/// The key the `/workspaces` operations need.
const MANAGEMENT: KeyNeeded = KeyNeeded::Management {
    routes: "/workspaces",
};

/// The `/workspaces` operations of a [`Client`]; get one with [`Client::workspaces`].
///
/// ```no_run
/// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
/// for workspace in client.workspaces().all().await? {
///     let keys = client.keys().list().workspace_id(&workspace.id).all().await?;
///     println!("{:?}: {} keys", workspace.name, keys.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Workspaces<'c> {
    client: &'c Client,
}

impl<'c> Workspaces<'c> {
    /// `GET /workspaces`: one page of the account's workspaces, from
    /// [`offset`](Request::offset), [`limit`](Request::limit) at a time.
    pub fn list(&self) -> Request<'c, ListWorkspaces> {
        Request::new(self.client, ListWorkspaces::default())
    }

    /// Every workspace, page after page (100 a page), collected into one `Vec`.
    pub fn all(&self) -> impl Future<Output = Result<Vec<Workspace>>> + Send + 'c {
        self.list().limit(MAX_LIMIT).all()
    }

    /// Every workspace, page after page (100 a page), as a stream.
    pub fn list_all(&self) -> impl Stream<Item = Result<Workspace>> + Send + Unpin + 'c {
        self.list().limit(MAX_LIMIT).into_stream()
    }

    /// `GET /workspaces/{id}`: one workspace, by its id or its slug.
    pub fn get(&self, id_or_slug: impl Into<String>) -> Request<'c, GetWorkspace> {
        Request::new(
            self.client,
            GetWorkspace {
                id: id_or_slug.into(),
            },
        )
    }
}

impl Client {
    /// The workspace operations (`/workspaces`): list the workspaces, read one.
    pub fn workspaces(&self) -> Workspaces<'_> {
        Workspaces { client: self }
    }
}

/// `GET /workspaces`: the page.
#[derive(Debug, Clone, Default)]
pub struct ListWorkspaces {
    page: PageQuery,
}

paged_by_offset_and_limit!(
    ListWorkspaces => Workspace,
    items: "workspaces",
    by_hand: "client.workspaces().list().offset(n)",
    contradiction: "a workspace twice",
    id: |workspace| (&workspace.id, ""),
    page: Workspace::paged,
);

impl_operation!(ListWorkspaces => Vec<Workspace>);

impl Exchange for ListWorkspaces {
    const RULES: &'static Rules = &Rules::new(
        OperationId::ListWorkspaces,
        Idempotency::Idempotent,
        MANAGEMENT,
    )
    .undocumented_404();
    type Wire = types::WorkspaceListResponse;
    type Body = ();
    fn check(&self) -> Result<()> {
        self.page.checked_limit().map(drop)
    }
    fn build(&self, generated: &codegen::Client, _: &()) -> WireResult<reqwest::Request> {
        with_page!(generated.list_workspaces(), self.page).build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::ListWorkspaces::read_response(response))
    }
    fn output(wire: Self::Wire) -> Vec<Workspace> {
        Workspace::listed(wire)
    }
}

/// `GET /workspaces/{id}`.
#[derive(Debug, Clone)]
pub struct GetWorkspace {
    id: String,
}

impl_operation!(GetWorkspace => Workspace);

impl Exchange for GetWorkspace {
    const RULES: &'static Rules = &Rules::new(
        OperationId::GetWorkspace,
        Idempotency::Idempotent,
        MANAGEMENT,
    );
    type Wire = types::WorkspaceResponse;
    type Body = ();
    fn check(&self) -> Result<()> {
        checked_id(&self.id, InputField::WorkspaceId).map(drop)
    }
    fn build(&self, generated: &codegen::Client, _: &()) -> WireResult<reqwest::Request> {
        generated
            .get_workspace()
            .id(self.id.as_str())
            .build_request()
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Box::pin(builder::GetWorkspace::read_response(response))
    }
    fn output(wire: Self::Wire) -> Workspace {
        Workspace::from(wire)
    }
}
