//! The fake's timing faults, driven through the SDK and raw HTTP: a write that takes effect
//! after its client gave up, a listing that shows changes late, a latency per route that
//! concurrent requests wait out side by side, and a token-bucket rate limit answering 429 with
//! `Retry-After`. Each runs on the fake's manual clock, so "not yet" and "now" are exact: no
//! assertion depends on how fast this machine is. (The real-clock waits below only guard
//! against a hang; none of them is asserted on.)

use futures_util::future::join_all;
use openrouter_keys::{Client, ExposeSecret, KeyUpdate, NewKey, RetryPolicy, reqwest};
use openrouter_keys_testkit::{
    FakeServer, Fault, ListingLag, ManualClock, RandomFaults, Route, TokenBucket,
};
use openrouter_keys_tests::{error_status, response_schema, spec};
use serde_json::Value;
use std::future::IntoFuture;
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);

/// How long a test waits for something that happens at once on any machine before calling
/// it a hang; never an assertion on speed.
const HANG: Duration = Duration::from_secs(60);

async fn manual_fake(
    configure: impl FnOnce(
        openrouter_keys_testkit::FakeServerBuilder,
    ) -> openrouter_keys_testkit::FakeServerBuilder,
) -> (FakeServer, ManualClock) {
    let clock = ManualClock::new();
    let fake = configure(FakeServer::builder().manual_clock(&clock))
        .start()
        .await
        .expect("the fake starts");
    (fake, clock)
}

/// A client without retries that waits `timeout` (real time) for each answer.
fn client(fake: &FakeServer, key: &str, timeout: Duration) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(fake.base_url())
        .timeout(timeout)
        .retry(RetryPolicy::none())
        .build()
        .expect("a client")
}

/// A client that waits for answers the manual clock holds back.
fn patient(fake: &FakeServer) -> Client {
    client(fake, fake.management_key(), HANG)
}

async fn within_hang_guard<T>(what: &str, future: impl IntoFuture<Output = T>) -> T {
    tokio::time::timeout(HANG, future.into_future())
        .await
        .unwrap_or_else(|_| panic!("{what} did not happen"))
}

/// The names `GET /keys` shows (disabled keys included), first page.
async fn listed(client: &Client) -> Vec<String> {
    client
        .keys()
        .list()
        .include_disabled(true)
        .await
        .expect("listing works")
        .into_iter()
        .map(|k| {
            let name = k.name.unwrap_or_default();
            if k.disabled == Some(true) {
                format!("{name} (disabled)")
            } else {
                name
            }
        })
        .collect()
}

/// Creates a key (no fault) and returns its hash.
async fn create_hash(admin: &Client, name: &str) -> String {
    let created = admin.keys().create(NewKey::new(name)).await.unwrap();
    created.key().hash.clone()
}

#[tokio::test]
async fn a_late_create_takes_effect_at_its_time_after_the_client_gave_up() {
    let (fake, clock) = manual_fake(|b| b).await;
    fake.inject(Route::CreateKeys, Fault::late(Duration::from_secs(2)));
    let impatient = client(&fake, fake.management_key(), Duration::from_millis(300));
    let gave_up = impatient.keys().create(NewKey::new("late")).await;
    assert!(gave_up.is_err(), "the client timed out: {gave_up:?}");
    assert_eq!(fake.pending_late_calls(), 1);
    assert_eq!(fake.created_key_count(), 0, "not at the request's arrival");

    clock.advance(Duration::from_secs(2) - MS);
    assert_eq!(fake.created_key_count(), 0, "not before its time");
    clock.advance(MS);
    assert_eq!(fake.created_key_names(), ["late"], "at its time");
    assert_eq!(fake.pending_late_calls(), 0);

    // Exactly once, however often anyone looks afterwards.
    clock.advance(Duration::from_secs(60));
    assert_eq!(listed(&patient(&fake)).await, ["Normal key", "late"]);
    assert_eq!(fake.created_key_count(), 1);
    assert_eq!(fake.faults_injected()["late effect"], 1);
}

#[tokio::test]
async fn a_client_that_waits_for_a_late_write_gets_its_real_answer_then() {
    let (fake, clock) = manual_fake(|b| b).await;
    let admin = patient(&fake);
    let hash = create_hash(&admin, "doomed").await;

    fake.inject(Route::DeleteKeys, Fault::late(Duration::from_secs(1)));
    let delete = tokio::spawn({
        let admin = admin.clone();
        let hash = hash.clone();
        async move { admin.keys().delete(&hash).await }
    });
    within_hang_guard(
        "the delete's arrival",
        fake.wait_until(|f| f.pending_late_calls() == 1),
    )
    .await;
    // Requests arriving meanwhile see the state before the late delete.
    assert_eq!(admin.keys().get(&hash).await.unwrap().hash, hash);
    assert!(!delete.is_finished());

    clock.advance(Duration::from_secs(1));
    within_hang_guard("the delete's answer", delete)
        .await
        .unwrap()
        .expect("the waiting client gets the delete's real answer");
    assert_eq!(error_status(admin.keys().get(&hash).await), 404);

    // A late update answers with the updated key, as of its time.
    let kept = create_hash(&admin, "kept").await;
    fake.inject(Route::UpdateKeys, Fault::late(Duration::from_secs(5)));
    let rename = tokio::spawn({
        let admin = admin.clone();
        let hash = kept.clone();
        async move {
            admin
                .keys()
                .update(&hash, KeyUpdate::new().name("renamed"))
                .await
        }
    });
    within_hang_guard(
        "the update's arrival",
        fake.wait_until(|f| f.pending_late_calls() == 1),
    )
    .await;
    assert_eq!(fake.created_key_names(), ["kept"]);
    clock.advance(Duration::from_secs(5));
    let renamed = within_hang_guard("the update's answer", rename)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("renamed"));
    assert_eq!(fake.created_key_names(), ["renamed"]);
}

#[tokio::test]
async fn late_calls_take_effect_in_the_order_of_their_times() {
    let (fake, clock) = manual_fake(|b| b).await;
    fake.inject(Route::CreateKeys, Fault::late(Duration::from_secs(3)));
    fake.inject(Route::CreateKeys, Fault::late(Duration::from_secs(1)));
    let impatient = client(&fake, fake.management_key(), Duration::from_millis(200));
    for name in ["second", "first"] {
        assert!(impatient.keys().create(NewKey::new(name)).await.is_err());
    }
    // One step past both: each took effect at its own time, the earlier one first.
    clock.advance(Duration::from_secs(10));
    assert_eq!(fake.created_key_names(), ["first", "second"]);
    let keys = patient(&fake).keys().list().await.unwrap();
    let created: Vec<_> = keys[1..]
        .iter()
        .map(|k| k.created_at.as_ref().and_then(|t| t.system_time()).unwrap())
        .collect();
    // Stamped with the fake's clock at each call's time, 2 s apart.
    assert_eq!(
        created[1].duration_since(created[0]).ok(),
        Some(Duration::from_secs(2))
    );
}

#[tokio::test]
async fn new_keys_are_listed_only_after_the_lag_but_work_and_are_gettable_at_once() {
    let lag = Duration::from_secs(3);
    let (fake, clock) = manual_fake(|b| b.listing_lag(ListingLag::every_change(lag))).await;
    let admin = patient(&fake);
    let created = admin.keys().create(NewKey::new("fresh")).await.unwrap();
    let hash = created.key().hash.clone();
    assert_eq!(listed(&admin).await, ["Normal key"], "not listed yet");
    assert_eq!(admin.keys().get(&hash).await.unwrap().hash, hash);
    let own = client(&fake, created.secret().expose_secret(), HANG);
    assert!(own.current_key().await.is_ok(), "its secret works at once");

    clock.advance(lag - MS);
    assert_eq!(listed(&admin).await, ["Normal key"]);
    clock.advance(MS);
    assert_eq!(listed(&admin).await, ["Normal key", "fresh"]);
}

#[tokio::test]
async fn disables_and_deletes_lag_in_the_listing_too() {
    let lag = Duration::from_secs(3);
    let (fake, clock) = manual_fake(|b| b.listing_lag(ListingLag::every_change(lag))).await;
    let admin = patient(&fake);
    let hash = create_hash(&admin, "k").await;
    clock.advance(lag);

    admin
        .keys()
        .update(&hash, KeyUpdate::new().disabled(true))
        .await
        .unwrap();
    let enabled_only = admin.keys().list().await.unwrap();
    assert_eq!(enabled_only.len(), 2, "still listed as enabled");
    clock.advance(lag);
    assert_eq!(listed(&admin).await, ["Normal key", "k (disabled)"]);

    admin.keys().delete(&hash).await.unwrap();
    assert_eq!(listed(&admin).await, ["Normal key", "k (disabled)"]);
    assert_eq!(
        error_status(admin.keys().delete(&hash).await),
        404,
        "deleting a listed but deleted key again answers 404"
    );
    clock.advance(lag);
    assert_eq!(listed(&admin).await, ["Normal key"]);
}

#[tokio::test]
async fn with_only_new_keys_lagging_deletes_show_at_once_and_the_lag_can_change() {
    let (fake, clock) =
        manual_fake(|b| b.listing_lag(ListingLag::new_keys(Duration::from_secs(3)))).await;
    let admin = patient(&fake);
    let hash = create_hash(&admin, "k").await;
    clock.advance(Duration::from_secs(3));
    assert_eq!(listed(&admin).await, ["Normal key", "k"]);
    admin.keys().delete(&hash).await.unwrap();
    assert_eq!(listed(&admin).await, ["Normal key"]);

    admin.keys().create(NewKey::new("waiting")).await.unwrap();
    assert_eq!(listed(&admin).await, ["Normal key"]);
    fake.set_listing_lag(ListingLag::NONE);
    assert_eq!(listed(&admin).await, ["Normal key", "waiting"], "caught up");
    admin.keys().create(NewKey::new("at once")).await.unwrap();
    assert_eq!(listed(&admin).await, ["Normal key", "waiting", "at once"]);
}

#[tokio::test]
async fn latency_holds_answers_and_concurrent_requests_wait_it_out_side_by_side() {
    let latency = Duration::from_millis(100);
    let (fake, clock) = manual_fake(|b| b.latency(Route::CreateKeys, latency)).await;
    let admin = patient(&fake);
    let creates: Vec<_> = (0..8)
        .map(|i| {
            let admin = admin.clone();
            tokio::spawn(async move { admin.keys().create(NewKey::new(format!("k{i}"))).await })
        })
        .collect();
    within_hang_guard(
        "eight creates in flight",
        fake.wait_until(|f| f.in_flight(Route::CreateKeys) == 8 && f.created_key_count() == 8),
    )
    .await;
    assert_eq!(fake.max_in_flight(Route::CreateKeys), 8);
    // Other routes answer at once; the creates took effect on arrival but are not answered.
    assert!(admin.current_key().await.is_ok());
    clock.advance(latency - MS);
    assert!(creates.iter().all(|c| !c.is_finished()));
    assert_eq!(fake.in_flight(Route::CreateKeys), 8);

    // One latency later every one of them answers: waits are side by side, not queued.
    clock.advance(MS);
    let answers = within_hang_guard("all eight answers", join_all(creates)).await;
    assert!(answers.into_iter().all(|a| a.unwrap().is_ok()));
    assert_eq!(fake.in_flight(Route::CreateKeys), 0);

    fake.set_latency(Route::CreateKeys, Duration::ZERO);
    admin.keys().create(NewKey::new("fast")).await.unwrap();
}

#[tokio::test]
async fn latency_on_real_time_lets_requests_overlap() {
    let fake = FakeServer::builder()
        .latency(Route::CreateKeys, Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let admin = patient(&fake);
    let creates = (0..16).map(|i| {
        admin
            .keys()
            .create(NewKey::new(format!("k{i}")))
            .into_future()
    });
    let answers = within_hang_guard("sixteen creates", join_all(creates)).await;
    assert!(answers.iter().all(Result::is_ok));
    assert!(fake.max_in_flight(Route::CreateKeys) >= 2);
    assert_eq!(fake.created_key_count(), 16);
}

/// A raw `POST /keys`, to see the status and headers the SDK would act on.
async fn raw_create(fake: &FakeServer, name: &str) -> (u16, Option<String>, Value) {
    let http = openrouter_keys::http_client_builder().build().unwrap();
    let response = http
        .request(reqwest::Method::POST, format!("{}/keys", fake.base_url()))
        .bearer_auth(fake.management_key())
        .header("content-type", "application/json")
        .body(format!(r#"{{"name": "{name}"}}"#))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (
        status,
        retry_after,
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn an_empty_bucket_answers_429_with_retry_after_and_the_request_has_no_effect() {
    let limit = TokenBucket::per_second(20).burst(2);
    let (fake, clock) = manual_fake(|b| b.rate_limit(Route::CreateKeys, limit)).await;
    assert_eq!(raw_create(&fake, "a").await.0, 201);
    assert_eq!(raw_create(&fake, "b").await.0, 201);
    let (status, retry_after, body) = raw_create(&fake, "refused").await;
    assert_eq!((status, retry_after.as_deref()), (429, Some("1")));
    assert_eq!(body["error"]["code"], 429, "{body}");
    let schema = response_schema(&spec(), Route::CreateKeys, 429).unwrap();
    assert!(
        jsonschema::validator_for(&schema).unwrap().is_valid(&body),
        "{body}"
    );
    assert_eq!(fake.created_key_names(), ["a", "b"]);
    assert_eq!(fake.rate_limited(Route::CreateKeys), 1);
    assert_eq!(fake.requests(Route::CreateKeys), 3);
    assert!(
        patient(&fake).keys().list().await.is_ok(),
        "other routes are not limited"
    );

    // One token every 50 ms.
    clock.advance(Duration::from_millis(49));
    assert_eq!(raw_create(&fake, "refused").await.0, 429);
    clock.advance(MS);
    assert_eq!(raw_create(&fake, "c").await.0, 201);
    assert_eq!(raw_create(&fake, "refused").await.0, 429);
    assert_eq!(fake.rate_limited(Route::CreateKeys), 3);
    assert_eq!(fake.created_key_names(), ["a", "b", "c"]);
}

#[tokio::test]
async fn retry_after_is_the_time_until_a_token_rounded_up_to_seconds() {
    let (fake, clock) =
        manual_fake(|b| b.rate_limit(Route::CreateKeys, TokenBucket::per_minute(1))).await;
    assert_eq!(raw_create(&fake, "a").await.0, 201);
    assert_eq!(raw_create(&fake, "x").await.1.as_deref(), Some("60"));
    clock.advance(Duration::from_millis(30_500));
    assert_eq!(raw_create(&fake, "x").await.1.as_deref(), Some("30"));
    clock.advance(Duration::from_millis(29_499));
    assert_eq!(raw_create(&fake, "x").await.1.as_deref(), Some("1"));
    clock.advance(MS);
    assert_eq!(raw_create(&fake, "b").await.0, 201);
}

#[tokio::test]
async fn a_refused_request_takes_no_fault_and_limits_change_at_run_time() {
    let (fake, clock) = manual_fake(|b| b).await;
    fake.set_rate_limit(Route::CreateKeys, Some(TokenBucket::per_second(1)));
    assert_eq!(
        fake.rate_limit(Route::CreateKeys),
        Some(TokenBucket::per_second(1))
    );
    assert_eq!(raw_create(&fake, "a").await.0, 201);
    fake.inject(Route::CreateKeys, Fault::status(500));
    fake.inject_random(RandomFaults {
        rate: 1.0,
        faults: vec![Fault::status(502)],
        seed: 1,
    });
    assert_eq!(raw_create(&fake, "refused").await.0, 429);
    assert!(fake.faults_injected().is_empty(), "no fault drawn for it");
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        raw_create(&fake, "faulted").await.0,
        500,
        "the queued fault is still next"
    );
    fake.clear_faults();
    fake.set_rate_limit(Route::CreateKeys, None);
    for name in ["b", "c", "d"] {
        assert_eq!(raw_create(&fake, name).await.0, 201);
    }
    assert_eq!(fake.created_key_names(), ["a", "b", "c", "d"]);
    assert_eq!(fake.rate_limited(Route::CreateKeys), 1);
}

#[tokio::test]
async fn the_sdk_waits_out_the_bucket_and_creates_once() {
    // Real time: the SDK honours `Retry-After: 1` and creates on its second attempt.
    let fake = FakeServer::builder()
        .rate_limit(Route::CreateKeys, TokenBucket::per_minute(60).burst(1))
        .start()
        .await
        .unwrap();
    let admin = Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .retry(RetryPolicy::default().max_attempts(5).deadline(HANG))
        .build()
        .unwrap();
    admin.keys().create(NewKey::new("first")).await.unwrap();
    within_hang_guard(
        "the second create",
        admin.keys().create(NewKey::new("second")),
    )
    .await
    .unwrap();
    assert_eq!(fake.created_key_names(), ["first", "second"]);
    assert!(fake.rate_limited(Route::CreateKeys) >= 1);
}
