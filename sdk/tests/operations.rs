//! Success paths of the six key operations against httpmock, using the generated typed helpers,
//! plus the exact shape of what the SDK sends.

mod common;

use common::bodies::{self, HASH};
use common::scripted::{Reply, ScriptedServer};
use common::{SENTINEL_KEY, SENTINEL_SECRET, client, typed};
use futures_util::TryStreamExt;
use httpmock::MockServer;
use openrouter_keys::{
    BudgetResetInterval, BudgetScope, DataRegion, ExposeSecret, ExternalIdentity, KeyUpdate,
    LimitReset, NewKey,
};
use openrouter_keys_codegen::mock::MockServerExt;
use openrouter_keys_codegen::types;
use serde_json::json;

#[tokio::test]
async fn current_key_decodes_the_newer_fields_and_unknown_values() {
    let server = MockServer::start_async().await;
    let mock = server.get_current_key(|when, then| {
        when.into_inner()
            .header("authorization", format!("Bearer {SENTINEL_KEY}"));
        then.ok(&typed::<types::CurrentKeyResponse>(bodies::current_key()));
    });
    let (client, _) = client(&server.base_url());
    let me = client.current_key().await.unwrap();
    mock.assert();
    assert_eq!(me.label.as_deref(), Some("sk-or-v1-au7...890"));
    assert_eq!(me.limit, Some(100.0));
    assert_eq!(me.limit_reset, Some(LimitReset::Monthly));
    assert_eq!(me.usage.total, Some(25.5));
    assert_eq!(me.byok_usage.monthly, Some(17.38));
    assert_eq!(me.is_management_key, Some(false));
    #[allow(deprecated)]
    let interval = me.rate_limit.as_ref().and_then(|r| r.interval.clone());
    assert_eq!(interval.as_deref(), Some("1h"));
    assert_eq!(
        me.allowed_data_regions,
        Some(vec![
            DataRegion::Global,
            DataRegion::Europe,
            DataRegion::Unknown("mars".into())
        ])
    );
    let free = me.free_model_daily_requests.unwrap();
    assert_eq!(
        (free.limit, free.remaining, free.used),
        (Some(1000), Some(998), Some(2))
    );
    let budgets = me.budgets.as_deref().unwrap();
    assert_eq!(budgets[0].scope, Some(BudgetScope::ApiKey));
    assert_eq!(
        budgets[0].reset_interval,
        Some(BudgetResetInterval::Monthly)
    );
    assert_eq!(
        budgets[0]
            .resets_at
            .as_ref()
            .and_then(|t| t.datetime())
            .map(|t| t.month() as u8),
        Some(12)
    );
    assert!(me.effective_budget.is_none());
    assert_eq!(me.expires_at.unwrap().as_str(), "2027-12-31T23:59:59Z");
}

#[tokio::test]
async fn list_decodes_published_and_newer_keys_and_sends_filters() {
    let server = MockServer::start_async().await;
    let mock = server.list(|when, then| {
        when.include_disabled(true).offset(100);
        then.ok(&typed(bodies::list(vec![
            bodies::key_as_published(),
            bodies::key("h2", "second"),
        ])));
    });
    let (client, _) = client(&server.base_url());
    let page = client
        .keys()
        .list()
        .include_disabled(true)
        .offset(100)
        .await
        .unwrap();
    mock.assert();
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].hash, HASH);
    assert_eq!(page[0].name.as_deref(), Some("Production API Key"));
    assert_eq!(page[0].limit_remaining, Some(74.5));
    assert_eq!(page[0].last_used_at, None);
    assert_eq!(
        page[1].last_used_at.as_ref().map(|t| t.as_str()),
        Some("2025-08-25T08:00:00Z")
    );
    assert_eq!(
        page[0]
            .created_at
            .as_ref()
            .and_then(|t| t.datetime())
            .map(|t| t.year()),
        Some(2025)
    );
}

#[tokio::test]
async fn decoding_tolerates_nulls_unknown_fields_odd_timestamps_and_new_enum_values() {
    let mut key = bodies::key(HASH, "tolerant");
    let obj = key.as_object_mut().unwrap();
    obj.insert("updated_at".into(), json!(null));
    obj.insert("limit".into(), json!(null));
    obj.insert("limit_remaining".into(), json!(null));
    obj.insert("limit_reset".into(), json!("yearly"));
    obj.insert("created_at".into(), json!("yesterday-ish"));
    obj.insert("a_field_from_the_future".into(), json!({"nested": [1, 2]}));
    obj.remove("expires_at");
    let server = ScriptedServer::start(vec![Reply::json(200, &bodies::one(key))])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let got = client.keys().get(HASH).await.unwrap();
    assert_eq!(got.updated_at, None);
    assert_eq!(got.limit, None);
    assert_eq!(got.limit_reset, Some(LimitReset::Unknown("yearly".into())));
    let created_at = got.created_at.unwrap();
    assert_eq!(created_at.as_str(), "yesterday-ish");
    assert_eq!(created_at.datetime(), None);
    assert_eq!(got.expires_at, None);
}

#[tokio::test]
async fn create_keeps_the_top_level_secret_and_sends_the_exact_body() {
    let server = MockServer::start_async().await;
    let mock = server.create_keys(|when, then| {
        when.into_inner().json_body(json!({
            "name": "ci",
            "limit": 25.0,
            "limit_reset": "monthly",
            "include_byok_in_limit": true,
            "expires_at": "2027-12-31T23:59:59Z",
            "external": {"user": "partner-user", "api_key": "p".repeat(32)}
        }));
        then.created(&typed(bodies::created(
            bodies::key(HASH, "ci"),
            SENTINEL_SECRET,
        )));
    });
    let (client, _) = client(&server.base_url());
    let created = client
        .keys()
        .create(
            NewKey::new("ci")
                .limit(25.0)
                .limit_reset(LimitReset::Monthly)
                .include_byok_in_limit(true)
                .expires_at(openrouter_keys::Timestamp::from_text(
                    "2027-12-31T23:59:59Z",
                ))
                .external(ExternalIdentity::new("partner-user").api_key("p".repeat(32))),
        )
        .await
        .unwrap();
    mock.assert();
    assert_eq!(created.key().hash, HASH);
    assert_eq!(created.secret().expose_secret(), SENTINEL_SECRET);
}

#[tokio::test]
async fn create_answered_200_instead_of_201_still_returns_the_key() {
    let body = bodies::created(bodies::key(HASH, "ci"), SENTINEL_SECRET);
    let server = ScriptedServer::start(vec![Reply::json(200, &body)])
        .await
        .unwrap();
    let (client, _) = client(&server.base_url);
    let created = client.keys().create(NewKey::new("ci")).await.unwrap();
    assert_eq!(created.secret().expose_secret(), SENTINEL_SECRET);
    assert_eq!(server.requests()[0].json(), json!({"name": "ci"}));
}

#[tokio::test]
async fn get_update_delete_use_the_hash_route() {
    let server = MockServer::start_async().await;
    let get = server.get_key(|when, then| {
        when.hash(HASH);
        then.ok(&typed(bodies::one(bodies::key(HASH, "one"))));
    });
    let update = server.update_keys(|when, then| {
        when.hash(HASH)
            .into_inner()
            .json_body(json!({"disabled": true, "limit": null}));
        let mut disabled = bodies::key(HASH, "one");
        disabled["disabled"] = json!(true);
        disabled["limit"] = json!(null);
        then.ok(&typed(bodies::one(disabled)));
    });
    let delete = server.delete_keys(|when, then| {
        when.hash(HASH);
        then.ok(&types::DeleteKeyResponse {
            deleted: Some(true),
        });
    });
    let (client, _) = client(&server.base_url());
    assert_eq!(
        client.keys().get(HASH).await.unwrap().name.as_deref(),
        Some("one")
    );
    let updated = client
        .keys()
        .update(HASH, KeyUpdate::new().disabled(true).clear_limit())
        .await
        .unwrap();
    assert_eq!(updated.disabled, Some(true));
    assert_eq!(updated.limit, None);
    client.keys().delete(HASH).await.unwrap();
    get.assert();
    update.assert();
    delete.assert();
}

#[tokio::test]
async fn update_bodies_express_set_clear_and_keep() {
    let replies = (0..3)
        .map(|_| Reply::json(200, &bodies::one(bodies::key(HASH, "k"))))
        .collect();
    let server = ScriptedServer::start(replies).await.unwrap();
    let (client, _) = client(&server.base_url);
    let keys = client.keys();
    keys.update(HASH, KeyUpdate::new().limit(10.0))
        .await
        .unwrap();
    keys.update(HASH, KeyUpdate::new().clear_limit().clear_limit_reset())
        .await
        .unwrap();
    keys.update(HASH, KeyUpdate::new().name("n")).await.unwrap();
    let bodies: Vec<_> = server.requests().iter().map(|r| r.json()).collect();
    assert_eq!(
        bodies,
        [
            json!({"limit": 10.0}),
            json!({"limit": null, "limit_reset": null}),
            json!({"name": "n"})
        ]
    );
    assert!(server.requests().iter().all(|r| r.method == "PATCH"));
}

#[tokio::test]
async fn every_request_carries_auth_user_agent_and_attribution_but_no_api_version() {
    let server = ScriptedServer::start(vec![Reply::json(200, &bodies::list(vec![]))])
        .await
        .unwrap();
    let sleep = std::sync::Arc::new(common::RecordingSleep::default());
    let client = common::builder(&server.base_url, &sleep)
        .app_title("My app")
        .http_referer("https://my.app")
        .app_categories("cli,tools")
        .build()
        .unwrap();
    client.keys().list().await.unwrap();
    let request = &server.requests()[0];
    assert_eq!(request.target, "/keys");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {SENTINEL_KEY}").as_str())
    );
    assert!(
        request
            .header("user-agent")
            .unwrap()
            .starts_with("openrouter-keys-rust/")
    );
    assert_eq!(request.header("x-openrouter-title"), Some("My app"));
    assert_eq!(request.header("http-referer"), Some("https://my.app"));
    assert_eq!(request.header("x-openrouter-categories"), Some("cli,tools"));
    assert_eq!(request.header("api-version"), None);
}

#[tokio::test]
async fn base_url_path_prefix_is_kept() {
    let server = ScriptedServer::start(vec![Reply::json(200, &bodies::list(vec![]))])
        .await
        .unwrap();
    let (client, _) = client(&format!("{}/api/v1/", server.base_url));
    client.keys().list().include_expired(false).await.unwrap();
    assert_eq!(
        server.requests()[0].target,
        "/api/v1/keys?include_expired=false"
    );
}

#[tokio::test]
async fn list_all_pages_by_offset_until_an_empty_page_keeping_filters() {
    let page = |from: usize, n: usize| {
        bodies::list(
            (from..from + n)
                .map(|i| bodies::key(&format!("h{i}"), "k"))
                .collect(),
        )
    };
    let server = ScriptedServer::start(vec![
        Reply::json(200, &page(0, 100)),
        Reply::json(200, &page(100, 100)),
        Reply::json(200, &page(200, 37)),
        Reply::json(200, &bodies::list(vec![])),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let all: Vec<_> = client
        .keys()
        .list()
        .include_disabled(true)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 237);
    assert_eq!(all[236].hash, "h236");
    let targets: Vec<_> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        targets,
        [
            "/keys?include_disabled=true&offset=0",
            "/keys?include_disabled=true&offset=100",
            "/keys?include_disabled=true&offset=200",
            "/keys?include_disabled=true&offset=237",
        ]
    );
}

#[tokio::test]
async fn list_all_stops_at_the_first_error() {
    let server = ScriptedServer::start(vec![
        Reply::json(200, &bodies::list(vec![bodies::key("h0", "k")])),
        Reply::json(401, &bodies::error(401, "Missing Authentication header")),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    let items: Vec<_> = futures_util::StreamExt::collect::<Vec<_>>(client.keys().list_all()).await;
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert_eq!(
        items[1].as_ref().unwrap_err().status().map(|s| s.as_u16()),
        Some(401)
    );
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn per_call_headers_reach_every_attempt_and_overrides_apply_to_one_call_only() {
    let server = ScriptedServer::start(vec![
        Reply::json(503, &bodies::error(503, "busy")),
        Reply::json(200, &bodies::one(bodies::key(HASH, "k"))),
        Reply::json(503, &bodies::error(503, "busy")),
    ])
    .await
    .unwrap();
    let (client, _) = client(&server.base_url);
    client
        .keys()
        .get(HASH)
        .header("x-trace-id", "trace-1")
        .await
        .unwrap();
    let error = client
        .keys()
        .get(HASH)
        .retry(openrouter_keys::RetryPolicy::none())
        .await
        .unwrap_err();
    assert_eq!(error.attempts(), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].header("x-trace-id"), Some("trace-1"));
    assert_eq!(requests[1].header("x-trace-id"), Some("trace-1"));
    assert_eq!(requests[2].header("x-trace-id"), None);
}
