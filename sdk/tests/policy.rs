//! The guardrail and workspace operations: what they send (against httpmock's typed helpers,
//! generated from the spec, and a scripted server for the exact bytes), what they decode,
//! the input they refuse before sending, their hints, and the conveniences built on them
//! (every page, a key's assignment, every workspace's keys) against the testkit's fake.

mod common;

use common::bodies::{self, GUARDRAIL_ID, HASH, WORKSPACE_ID};
use common::scripted::{Reply, ScriptedServer};
use common::{SENTINEL_KEY, client, typed};
use httpmock::MockServer;
use openrouter_keys::{
    BudgetResetInterval, Client, ContentFilterAction, Error, InputField, KeyUpdate, NewKey,
    RetryPolicy,
};
use openrouter_keys_codegen::mock::MockServerExt;
use openrouter_keys_codegen::types;
use openrouter_keys_testkit::{FakeServer, NewGuardrail, NewWorkspace};
use serde_json::json;
use std::num::NonZeroU64;

fn fake_client(fake: &FakeServer) -> Client {
    Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .build()
        .unwrap()
}

#[tokio::test]
async fn list_guardrails_sends_the_page_and_workspace_and_decodes_every_field() {
    let server = MockServer::start_async().await;
    let workspace = WORKSPACE_ID.to_string();
    let mock = server.list_guardrails(|when, then| {
        when.offset(10)
            .limit(NonZeroU64::new(20))
            .workspace_id(&workspace)
            .into_inner()
            .header("authorization", format!("Bearer {SENTINEL_KEY}"));
        then.ok(&typed(bodies::counted(
            vec![bodies::guardrail(GUARDRAIL_ID, "agents")],
            11,
        )));
    });
    let (client, _) = client(&server.base_url());
    let page = client
        .guardrails()
        .list()
        .offset(10)
        .limit(20)
        .workspace_id(WORKSPACE_ID)
        .await
        .unwrap();
    mock.assert();
    let guardrail = &page[0];
    assert_eq!(guardrail.id, GUARDRAIL_ID);
    assert_eq!(guardrail.name.as_deref(), Some("agents"));
    assert_eq!(guardrail.limit_usd, Some(40.0));
    assert_eq!(guardrail.reset_interval, Some(BudgetResetInterval::Weekly));
    assert_eq!(guardrail.include_byok_in_budgets, Some(true));
    assert_eq!(
        guardrail.allowed_providers.as_deref(),
        Some(&["anthropic".to_string(), "openai".to_string()][..])
    );
    assert_eq!(
        guardrail.ignored_providers.as_deref(),
        Some(&["azure".to_string()][..])
    );
    let zdr = guardrail.zero_data_retention;
    assert_eq!(
        (zdr.anthropic, zdr.openai, zdr.other),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(guardrail.enable_free_model_training, Some(true));
    let builtins = guardrail.content_filter_builtins.as_deref().unwrap();
    assert_eq!(builtins[0].action, Some(ContentFilterAction::Redact));
    assert_eq!(
        builtins[1].action,
        Some(ContentFilterAction::Unknown("quarantine".into())),
        "an action added since decodes"
    );
    assert_eq!(builtins[1].scan_scope.as_deref(), Some("user_only"));
    let custom = guardrail.content_filters.as_deref().unwrap();
    assert_eq!(custom[0].action, Some(ContentFilterAction::Block));
    assert_eq!(custom[0].label, None);
    assert_eq!(guardrail.workspace_id.as_deref(), Some(WORKSPACE_ID));
    assert_eq!(
        guardrail
            .updated_at
            .as_ref()
            .and_then(|t| t.datetime())
            .map(|t| t.hour()),
        Some(15)
    );
}

#[tokio::test]
async fn a_guardrail_and_a_workspace_are_read_by_id_as_one_encoded_segment() {
    let server = ScriptedServer::start(vec![
        Reply::json(
            200,
            &json!({ "data": bodies::guardrail(GUARDRAIL_ID, "g") }),
        ),
        Reply::json(
            200,
            &json!({ "data": bodies::workspace(WORKSPACE_ID, "Production") }),
        ),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let guardrail = client.guardrails().get("odd/id?#").await.unwrap();
    assert_eq!(guardrail.id, GUARDRAIL_ID);
    let workspace = client.workspaces().get("production").await.unwrap();
    assert_eq!(workspace.slug.as_deref(), Some("production"));
    assert_eq!(workspace.io_logging_api_key_ids, Some(vec![17, 42]));
    assert_eq!(workspace.io_logging_sampling_rate, Some(0.5));
    assert_eq!(
        workspace.default_guardrail_id.as_deref(),
        Some("595d5849-7e86-51fd-a7c0-705c34e4afff")
    );
    let requests = server.requests();
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].target, "/guardrails/odd%2Fid%3F%23");
    assert_eq!(requests[1].target, "/workspaces/production");
}

#[tokio::test]
async fn assignment_listings_send_their_page_and_decode_each_assignment() {
    let server = MockServer::start_async().await;
    let every = server.list_key_assignments(|when, then| {
        when.offset(0).limit(NonZeroU64::new(100));
        then.ok(&typed(bodies::counted(
            vec![bodies::assignment(HASH, GUARDRAIL_ID)],
            1,
        )));
    });
    let id = GUARDRAIL_ID.to_string();
    let of_one = server.list_guardrail_key_assignments(|when, then| {
        when.id(&id).offset(3).limit(NonZeroU64::new(7));
        then.ok(&typed(bodies::counted(
            vec![bodies::assignment(HASH, GUARDRAIL_ID)],
            1,
        )));
    });
    let (client, _) = client(&server.base_url());
    let page = client
        .guardrails()
        .key_assignments()
        .offset(0)
        .limit(100)
        .await
        .unwrap();
    every.assert();
    assert_eq!(page[0].key_hash, HASH);
    assert_eq!(page[0].guardrail_id, GUARDRAIL_ID);
    assert_eq!(page[0].key_name.as_deref(), Some("Production Key"));
    assert_eq!(page[0].assigned_by.as_deref(), Some("user_abc123"));
    let page = client
        .guardrails()
        .assignments_of_guardrail(GUARDRAIL_ID)
        .offset(3)
        .limit(7)
        .await
        .unwrap();
    of_one.assert();
    assert_eq!(page.len(), 1);
}

#[tokio::test]
async fn assign_and_unassign_send_the_key_hashes_and_read_the_counts() {
    let server = MockServer::start_async().await;
    let id = GUARDRAIL_ID.to_string();
    let body: types::KeyHashesRequest = typed(json!({"key_hashes": [HASH, "second"]}));
    let assign = server.bulk_assign_keys_to_guardrail(|when, then| {
        when.id(&id).body(&body);
        then.ok(&typed(json!({"assigned_count": 2})));
    });
    let unassign = server.bulk_unassign_keys_from_guardrail(|when, then| {
        when.id(&id).body(&body);
        then.ok(&typed(json!({"unassigned_count": 1})));
    });
    let (client, _) = client(&server.base_url());
    let guardrails = client.guardrails();
    let assigned = guardrails
        .assign_keys(GUARDRAIL_ID, [HASH, "second"])
        .await
        .unwrap();
    assert_eq!(assigned.count, 2);
    let unassigned = guardrails
        .unassign_keys(GUARDRAIL_ID, vec![HASH.to_string(), "second".to_string()])
        .await
        .unwrap();
    assert_eq!(unassigned.count, 1);
    assign.assert();
    unassign.assert();
}

#[tokio::test]
async fn workspaces_list_sends_its_page() {
    let server = MockServer::start_async().await;
    let mock = server.list_workspaces(|when, then| {
        when.offset(5).limit(NonZeroU64::new(1));
        then.ok(&typed(bodies::counted(
            vec![bodies::workspace(WORKSPACE_ID, "Production")],
            6,
        )));
    });
    let (client, _) = client(&server.base_url());
    let page = client.workspaces().list().offset(5).limit(1).await.unwrap();
    mock.assert();
    assert_eq!(page[0].id, WORKSPACE_ID);
    assert_eq!(page[0].name.as_deref(), Some("Production"));
    assert_eq!(page[0].is_data_discount_logging_enabled, Some(true));
}

/// The field a refused call names, having sent nothing.
async fn refused<T: std::fmt::Debug>(
    call: impl std::future::IntoFuture<Output = Result<T, Error>>,
) -> (InputField, String) {
    match call.await {
        Err(Error::InvalidInput { what, reason, .. }) => (what, reason),
        other => panic!("not refused: {other:?}"),
    }
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let server = ScriptedServer::start(vec![]).await.unwrap();
    let (client, _) = client(&server.base_url);
    let guardrails = client.guardrails();
    let none: [&str; 0] = [];
    let cases = [
        (
            refused(guardrails.assign_keys(GUARDRAIL_ID, none)).await,
            InputField::KeyHashes,
        ),
        (
            refused(guardrails.unassign_keys(GUARDRAIL_ID, [""])).await,
            InputField::KeyHashes,
        ),
        (
            refused(guardrails.assign_keys("", [HASH])).await,
            InputField::GuardrailId,
        ),
        (refused(guardrails.get("..")).await, InputField::GuardrailId),
        (
            refused(guardrails.assignments_of_guardrail("a\\b")).await,
            InputField::GuardrailId,
        ),
        (
            refused(guardrails.list().limit(0)).await,
            InputField::PageLimit,
        ),
        (
            refused(guardrails.key_assignments().limit(101)).await,
            InputField::PageLimit,
        ),
        (
            refused(client.workspaces().list().limit(1000)).await,
            InputField::PageLimit,
        ),
        (
            refused(client.workspaces().get(".")).await,
            InputField::WorkspaceId,
        ),
    ];
    for ((what, reason), expected) in cases {
        assert_eq!(what, expected, "{reason}");
    }
    let secret = "sk-or-v1-pasted-by-mistake-0123456789";
    let (what, reason) = refused(guardrails.assign_keys(GUARDRAIL_ID, [HASH, secret])).await;
    assert_eq!(what, InputField::KeyHashes);
    assert!(
        !reason.contains(secret) && reason.contains("secret"),
        "{reason}"
    );
    let (_, reason) = refused(client.workspaces().get(secret)).await;
    assert!(!reason.contains(secret), "{reason}");
    assert_eq!(server.count(), 0, "nothing was sent");
}

#[tokio::test]
async fn assignment_of_checks_the_hash_as_get_does_before_reading_anything() {
    let server = ScriptedServer::start(vec![]).await.unwrap();
    let (client, _) = client(&server.base_url);
    for bad in ["", "sk-or-v1-SENTINEL-secret", "..", " f01d"] {
        let (what, reason) = refused(client.guardrails().assignment_of(bad)).await;
        assert_eq!(what, InputField::Hash, "{bad:?}: {reason}");
        assert!(!reason.contains("SENTINEL"), "echoed: {reason}");
    }
    assert_eq!(server.count(), 0, "no assignment was read");
}

/// One check for every id sent, wherever it goes (path, query, body): a secret anywhere in it,
/// surrounding whitespace, nothing, or a dot segment is refused before anything is sent, never
/// echoed, and a list names the index of the id it refuses.
#[tokio::test]
async fn every_id_sent_is_checked_wherever_it_goes() {
    const SECRET: &str = "sk-or-v1-SENTINEL-pasted-0123456789";
    let server = ScriptedServer::start(vec![]).await.unwrap();
    let (client, _) = client(&server.base_url);
    let (keys, guardrails, workspaces) = (client.keys(), client.guardrails(), client.workspaces());
    let quoted = format!("\"{SECRET}\"");
    let bearer = format!("Bearer {SECRET}");
    let spaced = format!(" {SECRET}");
    let mut cases = vec![
        (refused(keys.get(spaced.as_str())).await, InputField::Hash),
        (refused(keys.get(quoted.as_str())).await, InputField::Hash),
        (
            refused(keys.delete(bearer.as_str())).await,
            InputField::Hash,
        ),
        (refused(keys.get(" f01d ")).await, InputField::Hash),
        (
            refused(keys.list().workspace_id("")).await,
            InputField::WorkspaceId,
        ),
        (
            refused(keys.list().workspace_id(bearer.as_str())).await,
            InputField::WorkspaceId,
        ),
        (
            refused(guardrails.list().workspace_id("..")).await,
            InputField::WorkspaceId,
        ),
        (
            refused(guardrails.get(quoted.as_str())).await,
            InputField::GuardrailId,
        ),
        (
            refused(guardrails.assignments_of_guardrail("gr\n")).await,
            InputField::GuardrailId,
        ),
        (
            refused(workspaces.get(spaced.as_str())).await,
            InputField::WorkspaceId,
        ),
        (
            refused(keys.create(NewKey::new("k").workspace_id(" "))).await,
            InputField::WorkspaceId,
        ),
        (
            refused(keys.create(NewKey::new("k").creator_user_id(bearer.as_str()))).await,
            InputField::CreatorUserId,
        ),
        (
            refused(keys.update(HASH, KeyUpdate::new().workspace_id(SECRET))).await,
            InputField::WorkspaceId,
        ),
    ];
    let listed =
        refused(guardrails.assign_keys(GUARDRAIL_ID, [HASH, "f01d", bearer.as_str()])).await;
    assert!(listed.1.contains("index 2"), "{}", listed.1);
    let blank = refused(guardrails.unassign_keys(GUARDRAIL_ID, [HASH, " "])).await;
    assert!(blank.1.contains("index 1"), "{}", blank.1);
    cases.push((listed, InputField::KeyHashes));
    cases.push((blank, InputField::KeyHashes));
    for ((what, reason), expected) in cases {
        assert_eq!(what, expected, "{reason}");
        assert!(!reason.contains("SENTINEL"), "echoed: {reason}");
        assert!(!reason.contains("f01d"), "echoed: {reason}");
    }
    assert_eq!(server.count(), 0, "nothing was sent");
}

#[tokio::test]
async fn errors_name_the_operation_and_the_key_it_needs() {
    let server = ScriptedServer::start(vec![
        Reply::json(401, &bodies::error(401, "Invalid API key")),
        Reply::json(404, &bodies::error(404, "Not Found")),
        Reply::json(404, &bodies::error(404, "Guardrail not found")),
        Reply::raw(404, "text/html", "<html>Not Found</html>"),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let unauthorized = client
        .guardrails()
        .assign_keys(GUARDRAIL_ID, [HASH])
        .await
        .unwrap_err();
    assert_eq!(unauthorized.status().map(|s| s.as_u16()), Some(401));
    let hint = unauthorized.hint().unwrap();
    assert!(hint.contains("/guardrails need a management key"), "{hint}");
    assert!(
        unauthorized
            .to_string()
            .contains("bulkAssignKeysToGuardrail"),
        "{unauthorized}"
    );
    // No source documents a 404 for the listing: the base URL is the likely cause.
    let listing = client.workspaces().list().await.unwrap_err();
    assert!(listing.hint().unwrap().contains("base URL"), "{listing}");
    // For a guardrail by id, a 404 means it does not exist, or that it is a workspace's
    // default guardrail not yet configured: no base-URL hint, but that one.
    let missing = client.guardrails().get(GUARDRAIL_ID).await.unwrap_err();
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));
    let hint = missing.hint().unwrap_or_default();
    assert!(hint.contains("default guardrail"), "{missing}");
    assert!(!hint.contains("base URL"), "{missing}");
    // A 404 that is not OpenRouter's says nothing about guardrails: the base URL may be wrong.
    let foreign = client.guardrails().get(GUARDRAIL_ID).await.unwrap_err();
    let hint = foreign.hint().unwrap_or_default();
    assert!(hint.contains("base URL"), "{foreign}");
    assert!(!hint.contains("default guardrail"), "{foreign}");
}

#[tokio::test]
async fn every_page_of_a_listing_is_read_until_its_total() {
    let fake = FakeServer::start().await.unwrap();
    for n in 0..7 {
        fake.add_guardrail(NewGuardrail::new(format!("g{n}")))
            .unwrap();
    }
    for n in 0..4 {
        fake.add_workspace(NewWorkspace::new(format!("team {n}")))
            .unwrap();
    }
    let client = fake_client(&fake);
    let guardrails = client.guardrails().list().limit(3).all().await.unwrap();
    let names: Vec<_> = guardrails.iter().filter_map(|g| g.name.clone()).collect();
    assert_eq!(names, ["g0", "g1", "g2", "g3", "g4", "g5", "g6"]);
    assert_eq!(
        fake.requests(openrouter_keys_testkit::Route::ListGuardrails),
        3,
        "three pages, the last reaching the total: no request for an empty one"
    );
    assert_eq!(client.guardrails().all().await.unwrap().len(), 7);
    let workspaces = client.workspaces().list().limit(2).all().await.unwrap();
    assert_eq!(workspaces.len(), 5, "four and the default one");
    use futures_util::TryStreamExt;
    let slugs: Vec<_> = client
        .workspaces()
        .list_all()
        .map_ok(|w| w.slug.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(slugs, ["default", "team-0", "team-1", "team-2", "team-3"]);
}

#[tokio::test]
async fn a_keys_assignment_is_found_across_pages_and_follows_assign_and_unassign() {
    let fake = FakeServer::start().await.unwrap();
    let first = fake.add_guardrail(NewGuardrail::new("first")).unwrap();
    let second = fake.add_guardrail(NewGuardrail::new("second")).unwrap();
    let client = fake_client(&fake);
    let mut hashes = Vec::new();
    for n in 0..120 {
        let created = client
            .keys()
            .create(NewKey::new(format!("k{n}")))
            .await
            .unwrap();
        hashes.push(created.key().hash.clone());
    }
    let guardrails = client.guardrails();
    let assigned = guardrails.assign_keys(&first, &hashes).await.unwrap();
    assert_eq!(assigned.count, 120);
    let last = hashes.last().unwrap();
    guardrails.assign_keys(&second, [last]).await.unwrap();
    // The last key's assignment is on the second page of 100.
    let held = guardrails.assignment_of(last).await.unwrap().unwrap();
    assert_eq!(held.guardrail_id, second);
    assert_eq!(held.key_name.as_deref(), Some("k119"));
    let of_first = guardrails
        .assignments_of_guardrail(&first)
        .limit(50)
        .all()
        .await
        .unwrap();
    assert_eq!(
        of_first.len(),
        119,
        "the last key moved to the second guardrail"
    );
    let unassigned = guardrails.unassign_keys(&second, [last]).await.unwrap();
    assert_eq!(unassigned.count, 1);
    assert_eq!(guardrails.assignment_of(last).await.unwrap(), None);
    assert_eq!(guardrails.assignment_of("no-such-key").await.unwrap(), None);
}

#[tokio::test]
async fn every_workspace_is_listed_and_each_key_once() {
    let fake = FakeServer::start().await.unwrap();
    let research = fake.add_workspace(NewWorkspace::new("Research")).unwrap();
    let client = fake_client(&fake);
    let keys = client.keys();
    keys.create(NewKey::new("in-default")).await.unwrap();
    keys.create(NewKey::new("in-research").workspace_id(&research))
        .await
        .unwrap();
    let disabled = keys
        .create(NewKey::new("disabled").workspace_id(&research))
        .await
        .unwrap();
    keys.update(
        &disabled.key().hash,
        openrouter_keys::KeyUpdate::new().disabled(true),
    )
    .await
    .unwrap();

    let default_only: Vec<_> = keys
        .all()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|k| k.name)
        .collect();
    assert_eq!(default_only, ["Normal key", "in-default"]);
    let everywhere = keys.all_in_every_workspace().await.unwrap();
    let listed: Vec<_> = everywhere
        .iter()
        .map(|k| (k.name.clone().unwrap(), k.workspace_id.clone().unwrap()))
        .collect();
    let default = openrouter_keys_testkit::DEFAULT_WORKSPACE.to_string();
    assert_eq!(
        listed,
        [
            ("Normal key".to_string(), default.clone()),
            ("in-default".to_string(), default),
            ("in-research".to_string(), research.clone()),
        ]
    );
    let with_disabled = keys
        .list()
        .include_disabled(true)
        .workspace_id("ignored")
        .retry(RetryPolicy::none())
        .all_in_every_workspace()
        .await
        .unwrap();
    assert_eq!(with_disabled.len(), 4);
}
