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
        "workspace_id": WORKSPACE_ID,
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
        "workspace_id": WORKSPACE_ID,
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

pub const GUARDRAIL_ID: &str = "550e8400-e29b-41d4-a716-446655440000";
pub const WORKSPACE_ID: &str = "0df9e665-d932-5740-b2c7-b52af166bc11";

/// A guardrail as the API returns it, every field filled (content filters included).
pub fn guardrail(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "description": "Cap for agent keys",
        "limit_usd": 40,
        "reset_interval": "weekly",
        "include_byok_in_budgets": true,
        "allowed_models": ["anthropic/claude-4.5-opus-20251124"],
        "allowed_providers": ["anthropic", "openai"],
        "ignored_models": ["openai/gpt-4o-mini-2024-07-18"],
        "ignored_providers": ["azure"],
        "enforce_zdr": false,
        "enforce_zdr_anthropic": true,
        "enforce_zdr_google": false,
        "enforce_zdr_openai": true,
        "enforce_zdr_xai": false,
        "enforce_zdr_other": false,
        "enable_free_model_publication": false,
        "enable_free_model_training": true,
        "enable_paid_model_training": false,
        "content_filter_builtins": [
            {"slug": "email", "action": "redact", "label": "[EMAIL]"},
            {"slug": "regex-prompt-injection", "action": "quarantine", "label": "[PI]",
             "scan_scope": "user_only"}
        ],
        "content_filters": [{"pattern": "\\bproject-x\\b", "action": "block", "label": null}],
        "workspace_id": WORKSPACE_ID,
        "created_at": "2025-08-24T10:30:00Z",
        "updated_at": "2025-08-24T15:45:00Z"
    })
}

/// A key's assignment to a guardrail, as the assignment listings return it.
pub fn assignment(key_hash: &str, guardrail_id: &str) -> Value {
    json!({
        "id": "7a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        "key_hash": key_hash,
        "guardrail_id": guardrail_id,
        "key_name": "Production Key",
        "key_label": "prod-key",
        "assigned_by": "user_abc123",
        "created_at": "2025-08-24T10:30:00Z"
    })
}

/// A workspace as the API returns it, every field filled.
pub fn workspace(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "slug": name.to_lowercase(),
        "description": "Production environment workspace",
        "default_guardrail_id": "595d5849-7e86-51fd-a7c0-705c34e4afff",
        "default_text_model": "openai/gpt-4o",
        "default_image_model": "openai/dall-e-3",
        "default_provider_sort": "price",
        "include_byok_in_budgets": false,
        "is_observability_io_logging_enabled": false,
        "is_observability_broadcast_enabled": false,
        "is_data_discount_logging_enabled": true,
        "io_logging_sampling_rate": 0.5,
        "io_logging_api_key_ids": [17, 42],
        "created_at": "2025-08-24T10:30:00Z",
        "updated_at": "2025-08-24T15:45:00Z",
        "created_by": "user_abc123"
    })
}

/// A page of a listing that counts its records (guardrails, assignments, workspaces).
pub fn counted(items: Vec<Value>, total_count: usize) -> Value {
    json!({ "data": items, "total_count": total_count })
}
