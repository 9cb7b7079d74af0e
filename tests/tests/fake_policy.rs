//! The fake's policy routes behave as `openapi/POLICY.md` says the API does: guardrail
//! assignments replace one another and are removed, listings page by `offset` and `limit` with
//! a `total_count`, keys and guardrails are listed per workspace, workspaces are read by id or
//! slug, only a management key may call them, and each route takes faults. Over raw HTTP, so
//! that the wire is what is tested (and invalid input can be sent).

use openrouter_keys::reqwest::Method;
use openrouter_keys_testkit::{
    DEFAULT_WORKSPACE, FakeServer, Fault, NewGuardrail, NewWorkspace, Route,
};
use openrouter_keys_tests::{raw, raw_as};
use serde_json::{Value, json};

const JSON: &str = "application/json";

async fn get(server: &FakeServer, path: &str) -> (u16, Value) {
    raw(server, Method::GET, path, JSON, "").await
}

async fn post(server: &FakeServer, path: &str, body: Value) -> (u16, Value) {
    raw(server, Method::POST, path, JSON, &body.to_string()).await
}

/// Creates a key (in `workspace`, if given) and returns its hash.
async fn key(server: &FakeServer, name: &str, workspace: Option<&str>) -> String {
    let mut body = json!({ "name": name });
    if let Some(workspace) = workspace {
        body["workspace_id"] = json!(workspace);
    }
    let (status, created) = post(server, "/keys", body).await;
    assert_eq!(status, 201, "{created}");
    created["data"]["hash"].as_str().unwrap().to_string()
}

async fn assign(server: &FakeServer, guardrail: &str, hashes: &[&str]) -> (u16, Value) {
    let path = format!("/guardrails/{guardrail}/assignments/keys");
    post(server, &path, json!({ "key_hashes": hashes })).await
}

async fn unassign(server: &FakeServer, guardrail: &str, hashes: &[&str]) -> (u16, Value) {
    let path = format!("/guardrails/{guardrail}/assignments/keys/remove");
    post(server, &path, json!({ "key_hashes": hashes })).await
}

/// `(key_hash, guardrail_id)` of every assignment, as `GET /guardrails/assignments/keys` lists.
async fn assignments(server: &FakeServer) -> Vec<(String, String)> {
    let (status, page) = get(server, "/guardrails/assignments/keys").await;
    assert_eq!(status, 200, "{page}");
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let text = |field: &str| a[field].as_str().unwrap().to_string();
            (text("key_hash"), text("guardrail_id"))
        })
        .collect()
}

#[tokio::test]
async fn assigning_replaces_the_guardrail_a_key_held_and_unassigning_removes_it() {
    let server = FakeServer::start().await.unwrap();
    let first = server.add_guardrail(NewGuardrail::new("first")).unwrap();
    let second = server.add_guardrail(NewGuardrail::new("second")).unwrap();
    let (a, b) = (key(&server, "a", None).await, key(&server, "b", None).await);

    assert_eq!(
        assign(&server, &first, &[&a, &b, &a]).await,
        (200, json!({"assigned_count": 2}))
    );
    assert_eq!(server.guardrail_of(&a), Some(first.clone()));
    // Assigning `a` to the second guardrail moves it: a key holds at most one.
    assert_eq!(
        assign(&server, &second, &[&a]).await,
        (200, json!({"assigned_count": 1}))
    );
    assert_eq!(server.guardrail_of(&a), Some(second.clone()));
    let mut held = assignments(&server).await;
    held.sort();
    let mut expected = vec![(a.clone(), second.clone()), (b.clone(), first.clone())];
    expected.sort();
    assert_eq!(held, expected);
    // The same request again leaves the same state (what makes it safe to retry).
    assert_eq!(
        assign(&server, &second, &[&a]).await,
        (200, json!({"assigned_count": 1}))
    );
    assert_eq!(assignments(&server).await.len(), 2);

    let (status, listed) = get(&server, &format!("/guardrails/{first}/assignments/keys")).await;
    assert_eq!(status, 200);
    assert_eq!(listed["total_count"], 1);
    assert_eq!(listed["data"][0]["key_hash"], json!(b));
    assert_eq!(listed["data"][0]["key_name"], "b");

    // Unassigning from a guardrail the key does not hold removes nothing.
    assert_eq!(
        unassign(&server, &first, &[&a, &b]).await,
        (200, json!({"unassigned_count": 1}))
    );
    assert_eq!(server.guardrail_of(&b), None);
    assert_eq!(server.guardrail_of(&a), Some(second.clone()));
    assert_eq!(
        unassign(&server, &first, &[&b]).await,
        (200, json!({"unassigned_count": 0})),
        "repeating it changes nothing"
    );
}

#[tokio::test]
async fn a_deleted_key_loses_its_assignment() {
    let server = FakeServer::start().await.unwrap();
    let guardrail = server.add_guardrail(NewGuardrail::new("g")).unwrap();
    let hash = key(&server, "short-lived", None).await;
    assert_eq!(assign(&server, &guardrail, &[&hash]).await.0, 200);
    let (status, _) = raw(&server, Method::DELETE, &format!("/keys/{hash}"), JSON, "").await;
    assert_eq!(status, 200);
    assert!(assignments(&server).await.is_empty());
}

#[tokio::test]
async fn assignment_requests_that_name_nothing_known_are_refused_and_change_nothing() {
    let server = FakeServer::start().await.unwrap();
    let guardrail = server.add_guardrail(NewGuardrail::new("g")).unwrap();
    let hash = key(&server, "k", None).await;
    let unknown_guardrail = "00000000-0000-4000-8000-000000000000";
    assert_eq!(assign(&server, unknown_guardrail, &[&hash]).await.0, 404);
    assert_eq!(unassign(&server, unknown_guardrail, &[&hash]).await.0, 404);
    let (status, answer) = assign(&server, &guardrail, &[&hash, "no-such-key"]).await;
    assert_eq!(status, 404, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-key")
    );
    assert!(assignments(&server).await.is_empty(), "all or nothing");
    for body in [
        json!({}),
        json!({"key_hashes": []}),
        json!({"key_hashes": [""]}),
    ] {
        let path = format!("/guardrails/{guardrail}/assignments/keys");
        let (status, answer) = post(&server, &path, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
    }
    let path = format!("/guardrails/{guardrail}/assignments/keys");
    let (status, _) = raw(&server, Method::POST, &path, "text/plain", "{}").await;
    assert_eq!(status, 400);
    assert_eq!(
        get(&server, &format!("/guardrails/{unknown_guardrail}"))
            .await
            .0,
        404
    );
    let listing = format!("/guardrails/{unknown_guardrail}/assignments/keys");
    assert_eq!(get(&server, &listing).await.0, 404);
}

#[tokio::test]
async fn listings_page_by_offset_and_limit_with_the_total_count() {
    let server = FakeServer::start().await.unwrap();
    let mut ids = Vec::new();
    for n in 0..5 {
        let guardrail = NewGuardrail::new(format!("g{n}")).limit_usd(f64::from(n));
        ids.push(server.add_guardrail(guardrail).unwrap());
    }
    let (status, page) = get(&server, "/guardrails?offset=1&limit=2").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total_count"], 5);
    let names: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["g1", "g2"]);
    let (_, past_the_end) = get(&server, "/guardrails?offset=5").await;
    assert_eq!(past_the_end, json!({"data": [], "total_count": 5}));

    let hashes = [
        key(&server, "k1", None).await,
        key(&server, "k2", None).await,
    ];
    assign(&server, &ids[0], &[&hashes[0], &hashes[1]]).await;
    let (_, page) = get(&server, "/guardrails/assignments/keys?limit=1&offset=1").await;
    assert_eq!(page["total_count"], 2);
    assert_eq!(page["data"].as_array().unwrap().len(), 1);

    for n in 0..3 {
        server
            .add_workspace(NewWorkspace::new(format!("team {n}")))
            .unwrap();
    }
    let (_, page) = get(&server, "/workspaces?limit=2").await;
    assert_eq!(page["total_count"], 4, "three and the default one");
    assert_eq!(page["data"][0]["id"], DEFAULT_WORKSPACE);
    assert_eq!(page["data"][1]["slug"], "team-0");

    for path in [
        "/guardrails?limit=0",
        "/guardrails?limit=101",
        "/workspaces?offset=-1",
        "/guardrails/assignments/keys?limit=many",
    ] {
        let (status, answer) = get(&server, path).await;
        assert_eq!(status, 400, "{path}: {answer}");
    }
    let (status, page) = get(&server, "/workspaces?limit=100").await;
    assert_eq!((status, page["total_count"].clone()), (200, json!(4)));
}

#[tokio::test]
async fn keys_and_guardrails_are_listed_one_workspace_at_a_time() {
    let server = FakeServer::start().await.unwrap();
    let research = server
        .add_workspace(NewWorkspace::new("Research").slug("lab"))
        .unwrap();
    key(&server, "in-default", None).await;
    key(&server, "in-research", Some(&research)).await;
    server
        .add_guardrail(NewGuardrail::new("default-cap"))
        .unwrap();
    server
        .add_guardrail(NewGuardrail::new("lab-cap").workspace("lab"))
        .unwrap();

    let names = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, keys) = get(&server, "/keys").await;
    assert_eq!(names(&keys), ["Normal key", "in-default"]);
    let (_, keys) = get(&server, &format!("/keys?workspace_id={research}")).await;
    assert_eq!(names(&keys), ["in-research"]);
    assert_eq!(keys["data"][0]["workspace_id"], json!(research));
    let (_, guardrails) = get(&server, "/guardrails").await;
    assert_eq!(names(&guardrails), ["default-cap"]);
    let (_, guardrails) = get(&server, &format!("/guardrails?workspace_id={research}")).await;
    assert_eq!(names(&guardrails), ["lab-cap"]);
    assert_eq!(guardrails["data"][0]["workspace_id"], json!(research));
}

#[tokio::test]
async fn workspaces_are_read_by_id_or_slug_and_their_default_guardrail_once_configured() {
    let server = FakeServer::start().await.unwrap();
    let id = server
        .add_workspace(NewWorkspace::new("Research Lab").description("experiments"))
        .unwrap();
    let (status, by_slug) = get(&server, "/workspaces/research-lab").await;
    assert_eq!(status, 200);
    assert_eq!(by_slug["data"]["id"], json!(id));
    assert_eq!(by_slug["data"]["description"], "experiments");
    let (_, by_id) = get(&server, &format!("/workspaces/{id}")).await;
    assert_eq!(by_id, by_slug);
    assert_eq!(get(&server, "/workspaces/elsewhere").await.0, 404);
    assert!(
        server
            .add_workspace(NewWorkspace::new("research lab"))
            .unwrap_err()
            .contains("taken")
    );

    let default_guardrail = by_id["data"]["default_guardrail_id"].as_str().unwrap();
    let path = format!("/guardrails/{default_guardrail}");
    assert_eq!(get(&server, &path).await.0, 404, "not configured yet");
    let configured = NewGuardrail::new("Research Lab default")
        .limit_usd(100.0)
        .workspace(&id)
        .workspace_default();
    assert_eq!(
        server.add_guardrail(configured.clone()),
        Ok(default_guardrail.to_string())
    );
    let (status, guardrail) = get(&server, &path).await;
    assert_eq!(status, 200);
    assert_eq!(guardrail["data"]["limit_usd"], 100.0);
    assert!(
        server
            .add_guardrail(configured)
            .unwrap_err()
            .contains("already")
    );
    let nowhere = NewGuardrail::new("lost").workspace("nowhere");
    assert!(
        server
            .add_guardrail(nowhere)
            .unwrap_err()
            .contains("nowhere")
    );
}

/// One well-formed request for each policy route: its route, method, path and body, on
/// `guardrail` and naming the key `hash`.
fn policy_calls(guardrail: &str, hash: &str) -> Vec<(Route, Method, String, String)> {
    let hashes = json!({ "key_hashes": [hash] }).to_string();
    let assignments = format!("/guardrails/{guardrail}/assignments/keys");
    vec![
        (
            Route::ListGuardrails,
            Method::GET,
            "/guardrails".into(),
            String::new(),
        ),
        (
            Route::GetGuardrail,
            Method::GET,
            format!("/guardrails/{guardrail}"),
            String::new(),
        ),
        (
            Route::ListKeyAssignments,
            Method::GET,
            "/guardrails/assignments/keys".into(),
            String::new(),
        ),
        (
            Route::ListGuardrailKeyAssignments,
            Method::GET,
            assignments.clone(),
            String::new(),
        ),
        (
            Route::BulkAssignKeysToGuardrail,
            Method::POST,
            assignments.clone(),
            hashes.clone(),
        ),
        (
            Route::BulkUnassignKeysFromGuardrail,
            Method::POST,
            format!("{assignments}/remove"),
            hashes,
        ),
        (
            Route::ListWorkspaces,
            Method::GET,
            "/workspaces".into(),
            String::new(),
        ),
        (
            Route::GetWorkspace,
            Method::GET,
            format!("/workspaces/{DEFAULT_WORKSPACE}"),
            String::new(),
        ),
    ]
}

#[tokio::test]
async fn only_a_management_key_may_call_the_policy_routes() {
    let server = FakeServer::start().await.unwrap();
    let guardrail = server.add_guardrail(NewGuardrail::new("g")).unwrap();
    let hash = key(&server, "k", None).await;
    for (route, method, path, body) in policy_calls(&guardrail, &hash) {
        for key in [server.normal_key(), "sk-or-v1-unknown"] {
            let (status, answer) = raw_as(&server, key, method.clone(), &path, JSON, &body).await;
            assert_eq!(status, 401, "{route}: {answer}");
        }
    }
    assert_eq!(server.guardrail_of(&hash), None, "nothing was assigned");
}

#[tokio::test]
async fn every_policy_route_takes_injected_faults() {
    let server = FakeServer::start().await.unwrap();
    let guardrail = server.add_guardrail(NewGuardrail::new("g")).unwrap();
    let hash = key(&server, "k", None).await;
    let calls = policy_calls(&guardrail, &hash);
    assert_eq!(calls.len(), 8);
    for (route, method, path, body) in calls {
        server.inject(route, Fault::status(503));
        let (status, answer) = raw(&server, method.clone(), &path, JSON, &body).await;
        assert_eq!(status, 503, "{route}: {answer}");
        assert_eq!(answer["error"]["code"], 503, "{route}");
        let (status, answer) = raw(&server, method, &path, JSON, &body).await;
        assert_eq!(status, 200, "{route}, once the fault is spent: {answer}");
        assert_eq!(server.requests(route), 2, "{route}");
    }
    assert_eq!(server.faults_injected().values().sum::<u64>(), 8);
}
