//! The tolerant reader, over real sockets: a response fails to decode only when an essential
//! field (the `data` envelope, a key's `hash`, create's top-level `key`, a guardrail's or a
//! workspace's `id`, an assignment's `key_hash` and `guardrail_id`, the count of keys assigned
//! or unassigned) is missing or malformed. Every other member of every body, removed or
//! replaced by a value of the wrong type, one at a time and in random combinations, still
//! decodes. OpenRouter's error envelope sent with a success status is no success of any
//! operation.

mod common;

use common::bodies::{self, GUARDRAIL_ID, HASH, WORKSPACE_ID};
use common::scripted::{Reply, ScriptedServer};
use common::{SENTINEL_SECRET, client};
use openrouter_keys::{ApiErrorKind, Error, NewKey, RetryPolicy};
use proptest::prelude::*;
use serde_json::{Value, json};

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Member(String),
    Item(usize),
}

/// The path of every object member of `value`, at any depth (inside arrays too).
fn member_paths(value: &Value) -> Vec<Vec<Step>> {
    fn walk(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match value {
            Value::Object(members) => {
                for (name, child) in members {
                    prefix.push(Step::Member(name.clone()));
                    out.push(prefix.clone());
                    walk(child, prefix, out);
                    prefix.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    prefix.push(Step::Item(i));
                    walk(child, prefix, out);
                    prefix.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

/// Removes the member at `path`, or replaces it with a value of another type.
fn damage(document: &mut Value, path: &[Step], remove: bool) {
    let (last, parents) = path.split_last().unwrap();
    let mut parent = document;
    for step in parents {
        parent = match step {
            Step::Member(name) => &mut parent[name.as_str()],
            Step::Item(i) => &mut parent[*i],
        };
    }
    let Step::Member(name) = last else {
        unreachable!("member paths end in a member")
    };
    let members = parent.as_object_mut().unwrap();
    if remove {
        members.remove(name);
    } else {
        // An array of an object is the wrong type for every field of these bodies.
        let junk = json!([{"unexpected": true}]);
        members.insert(name.clone(), junk);
    }
}

/// Whether the object holding the member at `path` is (still) there.
fn parent_is_object(document: &Value, path: &[Step]) -> bool {
    let mut node = document;
    for step in &path[..path.len() - 1] {
        let next = match step {
            Step::Member(name) => node.get(name.as_str()),
            Step::Item(i) => node.get(*i),
        };
        match next {
            Some(next) => node = next,
            None => return false,
        }
    }
    node.is_object()
}

fn show(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Member(name) => format!(".{name}"),
            Step::Item(i) => format!("[{i}]"),
        })
        .collect()
}

/// The operations whose success bodies are checked, each with a full body and the member
/// paths essential to it.
#[derive(Debug, Clone, Copy)]
enum Operation {
    CurrentKey,
    List,
    Get,
    Create,
    Delete,
    ListGuardrails,
    GetGuardrail,
    ListKeyAssignments,
    AssignKeys,
    UnassignKeys,
    ListWorkspaces,
    GetWorkspace,
}

impl Operation {
    const ALL: [Operation; 12] = [
        Operation::CurrentKey,
        Operation::List,
        Operation::Get,
        Operation::Create,
        Operation::Delete,
        Operation::ListGuardrails,
        Operation::GetGuardrail,
        Operation::ListKeyAssignments,
        Operation::AssignKeys,
        Operation::UnassignKeys,
        Operation::ListWorkspaces,
        Operation::GetWorkspace,
    ];

    fn body(self) -> (u16, Value) {
        let mut full_key = bodies::key(HASH, "full");
        full_key["external_user"] = json!("partner-user-1");
        match self {
            Operation::CurrentKey => (200, bodies::current_key_with_effective_budget()),
            Operation::List => (
                200,
                bodies::list(vec![full_key, bodies::key_as_published()]),
            ),
            Operation::Get => (200, bodies::one(full_key)),
            Operation::Create => (201, bodies::created(full_key, SENTINEL_SECRET)),
            Operation::Delete => (200, json!({"deleted": true})),
            Operation::ListGuardrails => (
                200,
                bodies::counted(vec![bodies::guardrail(GUARDRAIL_ID, "full")], 1),
            ),
            Operation::GetGuardrail => {
                (200, json!({ "data": bodies::guardrail(GUARDRAIL_ID, "g") }))
            }
            Operation::ListKeyAssignments => (
                200,
                bodies::counted(vec![bodies::assignment(HASH, GUARDRAIL_ID)], 1),
            ),
            Operation::AssignKeys => (200, json!({"assigned_count": 1})),
            Operation::UnassignKeys => (200, json!({"unassigned_count": 1})),
            Operation::ListWorkspaces => (
                200,
                bodies::counted(vec![bodies::workspace(WORKSPACE_ID, "Production")], 1),
            ),
            Operation::GetWorkspace => (
                200,
                json!({ "data": bodies::workspace(WORKSPACE_ID, "Production") }),
            ),
        }
    }

    fn is_essential(self, path: &[Step]) -> bool {
        let member = |s: &str| Step::Member(s.to_string());
        let named = |step: &Step, names: &[&str]| names.iter().any(|n| *step == member(n));
        match (self, path) {
            (Operation::Delete, _) => false,
            // Without its count, an answer does not show that the keys were (un)assigned.
            (Operation::AssignKeys, [count]) => *count == member("assigned_count"),
            (Operation::UnassignKeys, [count]) => *count == member("unassigned_count"),
            (_, [first]) if *first == member("data") => true,
            (Operation::ListGuardrails | Operation::ListWorkspaces, [data, Step::Item(_), id]) => {
                *data == member("data") && *id == member("id")
            }
            (Operation::GetGuardrail | Operation::GetWorkspace, [data, id]) => {
                *data == member("data") && *id == member("id")
            }
            (Operation::ListKeyAssignments, [data, Step::Item(_), field]) => {
                *data == member("data") && named(field, &["key_hash", "guardrail_id"])
            }
            (Operation::Create, [first]) if *first == member("key") => true,
            (Operation::List, [data, Step::Item(_), hash]) => {
                *data == member("data") && *hash == member("hash")
            }
            (Operation::Get | Operation::Create, [data, hash]) => {
                *data == member("data") && *hash == member("hash")
            }
            _ => false,
        }
    }

    /// Calls the operation; `Ok` carries what every decoded answer must still say.
    async fn call(self, client: &openrouter_keys::Client) -> Result<Option<String>, Error> {
        let keys = client.keys();
        let none = RetryPolicy::none;
        Ok(match self {
            Operation::CurrentKey => {
                client.current_key().retry(none()).await?;
                None
            }
            Operation::List => Some(keys.list().retry(none()).await?[0].hash.clone()),
            Operation::Get => Some(keys.get(HASH).retry(none()).await?.hash),
            Operation::Create => {
                use openrouter_keys::ExposeSecret;
                let created = keys.create(NewKey::new("k")).retry(none()).await?;
                assert_eq!(created.secret().expose_secret(), SENTINEL_SECRET);
                Some(created.key().hash.clone())
            }
            Operation::Delete => {
                keys.delete(HASH).retry(none()).await?;
                None
            }
            Operation::ListGuardrails => Some(
                client.guardrails().list().retry(none()).await?[0]
                    .id
                    .clone(),
            ),
            Operation::GetGuardrail => Some(
                client
                    .guardrails()
                    .get(GUARDRAIL_ID)
                    .retry(none())
                    .await?
                    .id,
            ),
            Operation::ListKeyAssignments => {
                let page = client.guardrails().key_assignments().retry(none()).await?;
                assert_eq!(page[0].guardrail_id, GUARDRAIL_ID);
                Some(page[0].key_hash.clone())
            }
            Operation::AssignKeys => {
                client
                    .guardrails()
                    .assign_keys(GUARDRAIL_ID, [HASH])
                    .retry(none())
                    .await?;
                None
            }
            Operation::UnassignKeys => {
                client
                    .guardrails()
                    .unassign_keys(GUARDRAIL_ID, [HASH])
                    .retry(none())
                    .await?;
                None
            }
            Operation::ListWorkspaces => Some(
                client.workspaces().list().retry(none()).await?[0]
                    .id
                    .clone(),
            ),
            Operation::GetWorkspace => Some(
                client
                    .workspaces()
                    .get("production")
                    .retry(none())
                    .await?
                    .id,
            ),
        })
    }

    /// The operations whose success bodies have a member that is not essential.
    fn with_optional_members() -> Vec<Operation> {
        Operation::ALL
            .into_iter()
            .filter(|operation| {
                let (_, body) = operation.body();
                member_paths(&body)
                    .iter()
                    .any(|path| !operation.is_essential(path))
            })
            .collect()
    }

    /// What a decoded answer names: a key's hash, a guardrail's or a workspace's id.
    fn named(self) -> &'static str {
        match self {
            Operation::ListGuardrails | Operation::GetGuardrail => GUARDRAIL_ID,
            Operation::ListWorkspaces | Operation::GetWorkspace => WORKSPACE_ID,
            _ => HASH,
        }
    }
}

/// Serves each body in turn and calls `operation` once per body.
async fn outcomes(operation: Operation, bodies: Vec<Value>) -> Vec<Result<Option<String>, Error>> {
    let (status, _) = operation.body();
    let replies = bodies.iter().map(|b| Reply::json(status, b)).collect();
    let server = ScriptedServer::start(replies).await.unwrap();
    let (client, _) = client(&server.base_url);
    let mut out = Vec::new();
    for _ in &bodies {
        out.push(operation.call(&client).await);
    }
    out
}

#[tokio::test]
async fn each_member_removed_or_mistyped_decodes_unless_essential() {
    let mut checked = 0;
    for operation in Operation::ALL {
        let (_, full) = operation.body();
        let paths = member_paths(&full);
        for remove in [true, false] {
            let damaged: Vec<Value> = paths
                .iter()
                .map(|path| {
                    let mut body = full.clone();
                    damage(&mut body, path, remove);
                    body
                })
                .collect();
            let results = outcomes(operation, damaged).await;
            for (path, result) in paths.iter().zip(results) {
                let what = format!(
                    "{operation:?} with {} {}",
                    show(path),
                    if remove { "removed" } else { "mistyped" }
                );
                if operation.is_essential(path) {
                    assert!(
                        matches!(result, Err(Error::Decode(_))),
                        "{what}: {result:?}"
                    );
                } else {
                    let kept = result.unwrap_or_else(|e| panic!("{what}: {e}"));
                    if let Some(id) = kept {
                        assert_eq!(id, operation.named(), "{what}");
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "only {checked} cases");
    println!("{checked} damaged bodies checked");
}

#[tokio::test]
async fn an_error_envelope_with_a_success_status_is_no_success_of_any_operation() {
    let envelope = json!({"error": {"code": 500, "message": "Internal error"}});
    for operation in Operation::ALL {
        let result = outcomes(operation, vec![envelope.clone()]).await.remove(0);
        let error = match result {
            // A create's key may exist after such an answer.
            Err(Error::OutcomeUnknown { cause }) if matches!(operation, Operation::Create) => {
                *cause
            }
            Err(error) => error,
            Ok(kept) => panic!("{operation:?} took the envelope for a success: {kept:?}"),
        };
        let Error::Decode(decode) = &error else {
            panic!("{operation:?}: {error:?}");
        };
        assert_eq!(decode.path, "error", "{operation:?}");
        let text = error.to_string();
        assert!(
            text.contains("error envelope (code 500: \"Internal error\")"),
            "{operation:?}: {text}"
        );
        assert!(
            decode
                .hint()
                .is_some_and(|hint| hint.contains("under a success status")),
            "{operation:?}: {text}"
        );
    }
}

#[tokio::test]
async fn an_assignment_answer_without_a_count_of_keys_is_no_success() {
    let bodies = [
        json!({"assigned_count": -3}),
        json!({"unassigned_count": -1}),
        json!({"status": "ok"}),
        json!({}),
    ];
    let replies = bodies.iter().map(|b| Reply::json(200, b)).collect();
    let server = ScriptedServer::start(replies).await.unwrap();
    let (client, _) = client(&server.base_url);
    let guardrails = client.guardrails();
    let negative = guardrails.assign_keys(GUARDRAIL_ID, [HASH]).await;
    let negative_unassigned = guardrails.unassign_keys(GUARDRAIL_ID, [HASH]).await;
    let unrelated = guardrails.assign_keys(GUARDRAIL_ID, [HASH]).await;
    let empty = guardrails.unassign_keys(GUARDRAIL_ID, [HASH]).await;
    for (result, path) in [
        (negative.map(|a| a.count), "assigned_count"),
        (negative_unassigned.map(|u| u.count), "unassigned_count"),
        (unrelated.map(|a| a.count), "."),
        (empty.map(|u| u.count), "."),
    ] {
        match result {
            Err(Error::Decode(decode)) => assert_eq!(decode.path, path, "{decode}"),
            other => panic!("{path}: {other:?}"),
        }
    }
    assert_eq!(server.count(), 4, "a refused answer is not retried");
}

#[tokio::test]
async fn current_key_decodes_without_the_deprecated_fields() {
    let mut body = bodies::current_key();
    let data = body["data"].as_object_mut().unwrap();
    data.remove("rate_limit");
    data.remove("is_provisioning_key");
    let mut only_twin = bodies::current_key();
    only_twin["data"]
        .as_object_mut()
        .unwrap()
        .remove("is_management_key");
    only_twin["data"]["is_provisioning_key"] = json!(true);
    let server = ScriptedServer::start(vec![Reply::json(200, &body), Reply::json(200, &only_twin)])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let me = client.current_key().await.unwrap();
    #[allow(deprecated)]
    let rate_limit = me.rate_limit.clone();
    assert_eq!(rate_limit, None);
    assert_eq!(me.is_management_key, Some(false));
    assert_eq!(me.usage.total, Some(25.5));
    let twin = client.current_key().await.unwrap();
    assert_eq!(
        twin.is_management_key,
        Some(true),
        "read from the deprecated twin"
    );
}

#[tokio::test]
async fn absent_regions_and_budgets_are_not_empty_ones() {
    let mut absent = bodies::current_key();
    let data = absent["data"].as_object_mut().unwrap();
    data.remove("allowed_data_regions");
    data.remove("budgets");
    let mut empty = bodies::current_key();
    empty["data"]["allowed_data_regions"] = json!([]);
    empty["data"]["budgets"] = json!([]);
    let server = ScriptedServer::start(vec![Reply::json(200, &absent), Reply::json(200, &empty)])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let absent = client.current_key().await.unwrap();
    assert_eq!(absent.allowed_data_regions, None);
    assert_eq!(absent.budgets, None);
    let empty = client.current_key().await.unwrap();
    assert_eq!(empty.allowed_data_regions, Some(vec![]));
    assert_eq!(empty.budgets, Some(vec![]));
}

#[tokio::test]
async fn delete_succeeds_on_an_empty_object_or_deleted_true() {
    let server = ScriptedServer::start(vec![
        Reply::json(200, &json!({})),
        Reply::json(200, &json!({"deleted": true})),
        Reply::raw(204, "text/plain", ""),
        Reply::raw(200, "application/json", ""),
    ])
    .await
    .unwrap();
    let (deleting, _) = client(&server.base_url);
    for _ in 0..4 {
        deleting.keys().delete(HASH).await.unwrap();
    }
    assert_eq!(server.count(), 4);
    // A body that says the key was not deleted is not a success.
    let server = ScriptedServer::start(vec![Reply::json(200, &json!({"deleted": false}))])
        .await
        .unwrap();
    let (refusing, _) = client(&server.base_url);
    match refusing.keys().delete(HASH).await {
        Err(openrouter_keys::Error::Decode(decode)) => {
            assert_eq!(decode.path, "deleted");
            assert!(decode.to_string().contains("was not deleted"), "{decode}");
            assert!(decode.hint().is_some_and(|h| h.contains("delete it again")));
        }
        other => panic!("{other:?}"),
    }
    // Other operations need their body: an empty 200 is a decode error there.
    let server = ScriptedServer::start(vec![Reply::raw(200, "application/json", "")])
        .await
        .unwrap();
    let (other, _) = client(&server.base_url);
    assert!(matches!(
        other.keys().get(HASH).await,
        Err(openrouter_keys::Error::Decode(_))
    ));
}

#[tokio::test]
async fn error_envelopes_keep_what_can_be_read() {
    let string_code = json!({"error": {"code": "not_found", "message": "API key not found",
                                       "metadata": {"hint": "check the hash"}}});
    let no_message = json!({"error": {"code": 404, "metadata": {"hint": "h"}}});
    let conflict = bodies::error(409, "conflict");
    let server = ScriptedServer::start(vec![
        Reply::json(404, &string_code),
        Reply::json(404, &no_message),
        Reply::json(409, &conflict),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let api = |e: Error| e.as_api().cloned().unwrap();

    let first = api(client.keys().get(HASH).await.unwrap_err());
    assert_eq!(first.message.as_deref(), Some("API key not found"));
    assert_eq!(first.code, None, "a string code is not an integer code");
    assert_eq!(first.metadata.unwrap()["hint"], "check the hash");
    assert_eq!(
        first.raw_body, None,
        "read as the envelope, not as raw text"
    );

    let second = api(client.keys().get(HASH).await.unwrap_err());
    assert_eq!(second.code, Some(404));
    assert_eq!(second.message, None);
    assert!(second.metadata.is_some());

    let third = client
        .keys()
        .update(HASH, openrouter_keys::KeyUpdate::new().disabled(true))
        .await
        .unwrap_err();
    assert_eq!(api(third).kind, ApiErrorKind::Conflict);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any combination of non-essential members removed or mistyped still decodes.
    #[test]
    fn random_damage_to_non_essential_members_still_decodes(
        operation in proptest::sample::select(Operation::with_optional_members()),
        picks in proptest::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 1..12),
    ) {
        let (_, mut body) = operation.body();
        let paths: Vec<Vec<Step>> = member_paths(&body)
            .into_iter()
            .filter(|p| !operation.is_essential(p))
            .collect();
        for (index, remove) in picks {
            let path = index.get(&paths);
            // An earlier pick may have removed or replaced this member's parent.
            let parent_exists = parent_is_object(&body, path);
            if parent_exists {
                damage(&mut body, path, remove);
            }
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let result = runtime.block_on(outcomes(operation, vec![body.clone()])).remove(0);
        prop_assert!(result.is_ok(), "{:?}: {} -> {:?}", operation, body, result.err());
    }
}
