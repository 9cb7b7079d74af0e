//! Realistic response bodies, shaped like the API's documented examples.

use serde_json::{Value, json};

pub const HASH: &str = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943";

/// A key as the API lists it, including the fields added after the published snapshot.
pub fn key(hash: &str, name: &str) -> Value {
    json!({
        "hash": hash,
        "name": name,
        "label": "sk-or-v1-0e6...1c96",
        "disabled": false,
        "limit": 100,
        "limit_remaining": 74.5,
        "limit_reset": "monthly",
        "include_byok_in_limit": false,
        "usage": 25.5,
        "usage_daily": 25.5,
        "usage_weekly": 25.5,
        "usage_monthly": 25.5,
        "byok_usage": 17.38,
        "byok_usage_daily": 17.38,
        "byok_usage_weekly": 17.38,
        "byok_usage_monthly": 17.38,
        "created_at": "2025-08-24T10:30:00Z",
        "updated_at": "2025-08-24T15:45:00Z",
        "expires_at": "2027-12-31T23:59:59Z",
        "creator_user_id": "user_2dHFtVWx2n56w6HkM0000000000",
        "workspace_id": "0df9e665-d932-5740-b2c7-b52af166bc11",
        "external_user": null,
        "last_used_at": "2025-08-25T08:00:00Z"
    })
}

/// A key exactly as the published spec's example shows it (no newer fields).
pub fn key_as_published() -> Value {
    let mut k = key(HASH, "Production API Key");
    let obj = k.as_object_mut().unwrap();
    obj.remove("external_user");
    obj.remove("last_used_at");
    k
}

pub fn list(keys: Vec<Value>) -> Value {
    json!({ "data": keys })
}

pub fn one(key: Value) -> Value {
    json!({ "data": key })
}

pub fn created(key: Value, secret: &str) -> Value {
    json!({ "data": key, "key": secret })
}

pub fn current_key() -> Value {
    json!({"data": {
        "label": "sk-or-v1-au7...890",
        "limit": 100,
        "limit_remaining": 74.5,
        "limit_reset": "monthly",
        "include_byok_in_limit": false,
        "usage": 25.5, "usage_daily": 25.5, "usage_weekly": 25.5, "usage_monthly": 25.5,
        "byok_usage": 17.38, "byok_usage_daily": 17.38, "byok_usage_weekly": 17.38,
        "byok_usage_monthly": 17.38,
        "is_free_tier": false,
        "is_management_key": false,
        "is_provisioning_key": false,
        "creator_user_id": "user_2dHFtVWx2n56w6HkM0000000000",
        "rate_limit": {"requests": 1000, "interval": "1h",
                       "note": "This field is deprecated and safe to ignore."},
        "expires_at": "2027-12-31T23:59:59Z",
        "allowed_data_regions": ["global", "europe", "mars"],
        "free_model_daily_requests": {"limit": 1000, "remaining": 998, "used": 2},
        "organization_id": null,
        "workspace_id": "0df9e665-d932-5740-b2c7-b52af166bc11",
        "budgets": [{
            "scope": "api_key", "budget_id": "b1", "guardrail_id": null, "include_byok": false,
            "limit_usd": 100, "spend_usd": 25.5, "remaining_usd": 74.5,
            "reset_interval": "monthly", "resets_at": "2026-12-01T00:00:00Z"
        }],
        "effective_budget": null
    }})
}

/// `current_key()` with an effective budget (the first budget layer), so that every member
/// of the body has a value.
pub fn current_key_with_effective_budget() -> Value {
    let mut body = current_key();
    body["data"]["effective_budget"] = body["data"]["budgets"][0].clone();
    body
}

pub fn error(code: u16, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "metadata": {"hint": "test"}},
           "user_id": "user_1"})
}
