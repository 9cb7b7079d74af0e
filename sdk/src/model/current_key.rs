//! `CurrentKey`: what `GET /key` says about the key that made the request.

use super::key::Usage;
use super::open_enum::{BudgetScope, DataRegion, LimitReset};
use super::timestamp::{self, Timestamp};
use openrouter_keys_codegen::types;

/// The key that authenticated the request, with its limits, usage and budgets.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CurrentKey {
    /// Redacted form of the key.
    pub label: String,
    /// Spending limit in USD; `None` for no limit.
    pub limit: Option<f64>,
    /// Limit left in USD.
    pub limit_remaining: Option<f64>,
    /// How often the limit resets; `None` for never.
    pub limit_reset: Option<LimitReset>,
    /// Whether bring-your-own-key usage counts against the limit.
    pub include_byok_in_limit: bool,
    /// OpenRouter credit usage.
    pub usage: Usage,
    /// Bring-your-own-key usage.
    pub byok_usage: Usage,
    /// Whether the account has never paid.
    pub is_free_tier: bool,
    /// Whether this is a management key (may call the `/keys` operations).
    pub is_management_key: bool,
    /// The user who created the key.
    pub creator_user_id: Option<String>,
    /// Deprecated request rate limit; safe to ignore.
    pub rate_limit: RateLimit,
    /// When the key expires; `None` for never.
    pub expires_at: Option<Timestamp>,
    /// Data regions the key may use (empty when the API did not say).
    pub allowed_data_regions: Vec<DataRegion>,
    /// Daily allowance for free models, when the API reports it.
    pub free_model_daily_requests: Option<FreeModelDailyRequests>,
    /// The organization owning the key.
    pub organization_id: Option<String>,
    /// The workspace of the key.
    pub workspace_id: Option<String>,
    /// Every budget layer that applies to the key.
    pub budgets: Vec<BudgetLayer>,
    /// The budget layer that binds first, if any.
    pub effective_budget: Option<BudgetLayer>,
}

/// Deprecated request rate limit reported by `GET /key`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed per interval.
    pub requests: i64,
    /// The interval, such as `1h`.
    pub interval: String,
    /// The API's note about the field.
    pub note: String,
}

/// Daily request allowance for free models.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FreeModelDailyRequests {
    /// Requests allowed per day; `None` for no cap.
    pub limit: Option<f64>,
    /// Requests left today.
    pub remaining: Option<f64>,
    /// Requests used today.
    pub used: f64,
}

/// One layer of the budgets that constrain a key's spending.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BudgetLayer {
    /// What the budget applies to.
    pub scope: BudgetScope,
    /// Budget identifier.
    pub budget_id: Option<String>,
    /// Guardrail that defines the budget.
    pub guardrail_id: Option<String>,
    /// Whether bring-your-own-key usage counts.
    pub include_byok: bool,
    /// The budget in USD.
    pub limit_usd: f64,
    /// Spent so far in USD.
    pub spend_usd: f64,
    /// Left in USD.
    pub remaining_usd: f64,
    /// How often the budget resets.
    pub reset_interval: Option<String>,
    /// When it next resets.
    pub resets_at: Option<Timestamp>,
}

impl From<types::BudgetLayer> for BudgetLayer {
    fn from(b: types::BudgetLayer) -> Self {
        Self {
            scope: BudgetScope::from(b.scope),
            budget_id: b.budget_id,
            guardrail_id: b.guardrail_id,
            include_byok: b.include_byok,
            limit_usd: b.limit_usd,
            spend_usd: b.spend_usd,
            remaining_usd: b.remaining_usd,
            reset_interval: b.reset_interval,
            resets_at: timestamp::optional(b.resets_at),
        }
    }
}

impl From<types::CurrentKey> for CurrentKey {
    fn from(k: types::CurrentKey) -> Self {
        Self {
            label: k.label,
            limit: k.limit,
            limit_remaining: k.limit_remaining,
            limit_reset: k.limit_reset.map(LimitReset::from),
            include_byok_in_limit: k.include_byok_in_limit,
            usage: Usage::new(k.usage, k.usage_daily, k.usage_weekly, k.usage_monthly),
            byok_usage: Usage::new(
                k.byok_usage,
                k.byok_usage_daily,
                k.byok_usage_weekly,
                k.byok_usage_monthly,
            ),
            is_free_tier: k.is_free_tier,
            // `is_provisioning_key` is the deprecated twin; either being true means management.
            is_management_key: k.is_management_key || k.is_provisioning_key,
            creator_user_id: k.creator_user_id,
            rate_limit: RateLimit {
                requests: k.rate_limit.requests,
                interval: k.rate_limit.interval,
                note: k.rate_limit.note,
            },
            expires_at: timestamp::optional(k.expires_at),
            allowed_data_regions: k
                .allowed_data_regions
                .into_iter()
                .map(DataRegion::from)
                .collect(),
            free_model_daily_requests: k.free_model_daily_requests.map(|f| {
                FreeModelDailyRequests {
                    limit: f.limit,
                    remaining: f.remaining,
                    used: f.used,
                }
            }),
            organization_id: k.organization_id,
            workspace_id: k.workspace_id,
            budgets: k.budgets.into_iter().map(BudgetLayer::from).collect(),
            effective_budget: k.effective_budget.map(BudgetLayer::from),
        }
    }
}
