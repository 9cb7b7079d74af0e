//! `Guardrail`: a named policy that bounds the keys and members assigned to it, as
//! `GET /guardrails` and `GET /guardrails/{id}` return it (read-only in this crate).
//!
//! Only `id` is essential; every other field is `None` when the API did not send it, or sent a
//! value of another type. What a guardrail means for a key (budget order, member guardrails
//! following the key's creator) is in the repository's `openapi/POLICY.md`.

use super::open_enum::{BudgetResetInterval, ContentFilterAction};
use super::timestamp::{self, Timestamp};
use openrouter_keys_codegen::types;

/// A guardrail: a budget, model and provider lists, zero-data-retention requirements and
/// content filters, applied to the keys and members it is assigned to. A key holds at most
/// one guardrail of its own ([`Guardrails::assign_keys`](crate::Guardrails::assign_keys)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Guardrail {
    /// Identifier, used in `/guardrails/{id}`.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Budget in USD, for each member or key it applies to (not shared among them); `None`
    /// for no budget (or when not sent).
    pub limit_usd: Option<f64>,
    /// How often the budget resets; `None` for never (or when not sent).
    pub reset_interval: Option<BudgetResetInterval>,
    /// Whether bring-your-own-key spend counts toward the budget.
    pub include_byok_in_budgets: Option<bool>,
    /// The only models allowed (canonical slugs); `None` or empty allows all.
    pub allowed_models: Option<Vec<String>>,
    /// The only providers allowed; `None` or empty allows all.
    pub allowed_providers: Option<Vec<String>>,
    /// Models excluded from routing.
    pub ignored_models: Option<Vec<String>>,
    /// Providers excluded from routing.
    pub ignored_providers: Option<Vec<String>>,
    /// Zero data retention required, per provider group.
    pub zero_data_retention: ZeroDataRetention,
    /// Whether free endpoints that publish prompts are allowed.
    pub enable_free_model_publication: Option<bool>,
    /// Whether free endpoints that train on request data are allowed.
    pub enable_free_model_training: Option<bool>,
    /// Whether paid endpoints that train on request data are allowed.
    pub enable_paid_model_training: Option<bool>,
    /// Built-in content filters (personal data detectors, prompt injection).
    pub content_filter_builtins: Option<Vec<BuiltinContentFilter>>,
    /// Custom regular-expression content filters.
    pub content_filters: Option<Vec<CustomContentFilter>>,
    /// The workspace the guardrail belongs to; `None` for a legacy guardrail from before
    /// workspaces (or when not sent). Belonging to a workspace does not apply it to that
    /// workspace's traffic.
    pub workspace_id: Option<String>,
    /// When the guardrail was created.
    pub created_at: Option<Timestamp>,
    /// When it was last updated; `None` if never.
    pub updated_at: Option<Timestamp>,
}

/// Whether a guardrail requires zero data retention, per provider group. Each is `None` when
/// the API did not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ZeroDataRetention {
    /// Anthropic's models.
    pub anthropic: Option<bool>,
    /// Google's models.
    pub google: Option<bool>,
    /// OpenAI's models.
    pub openai: Option<bool>,
    /// xAI's models.
    pub xai: Option<bool>,
    /// Every other model.
    pub other: Option<bool>,
}

/// A built-in content filter of a guardrail.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuiltinContentFilter {
    /// Which filter: `email`, `phone`, `ssn`, `credit-card`, `ip-address`, `person-name`,
    /// `address`, `regex-prompt-injection`, or one added since.
    pub slug: Option<String>,
    /// What a match does.
    pub action: Option<ContentFilterAction>,
    /// The placeholder a redaction writes, such as `[EMAIL]`.
    pub label: Option<String>,
    /// Which messages the prompt-injection filter scans: `user_only`, `all_messages`.
    pub scan_scope: Option<String>,
}

/// A custom regular-expression content filter of a guardrail.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CustomContentFilter {
    /// The regular expression matched against request content.
    pub pattern: Option<String>,
    /// What a match does.
    pub action: Option<ContentFilterAction>,
    /// The label used in placeholders or error messages.
    pub label: Option<String>,
}

impl From<types::Guardrail> for Guardrail {
    fn from(guardrail: types::Guardrail) -> Self {
        // Every field by name, none left to `..`: a field the spec gains is a compile error
        // here until it is exposed (checked by `xtask/tests/response_fields.rs`).
        let types::Guardrail {
            allowed_models,
            allowed_providers,
            content_filter_builtins,
            content_filters,
            created_at,
            description,
            enable_free_model_publication,
            enable_free_model_training,
            enable_paid_model_training,
            // Kept out: deprecated by OpenRouter, whose document says the per-provider
            // `enforce_zdr_*` fields below replace it.
            enforce_zdr: _,
            enforce_zdr_anthropic,
            enforce_zdr_google,
            enforce_zdr_openai,
            enforce_zdr_other,
            enforce_zdr_xai,
            id,
            ignored_models,
            ignored_providers,
            include_byok_in_budgets,
            limit_usd,
            name,
            reset_interval,
            updated_at,
            workspace_id,
        } = guardrail;
        Self {
            id,
            name,
            description,
            limit_usd,
            reset_interval: reset_interval.map(BudgetResetInterval::from),
            include_byok_in_budgets,
            allowed_models,
            allowed_providers,
            ignored_models,
            ignored_providers,
            zero_data_retention: ZeroDataRetention {
                anthropic: enforce_zdr_anthropic,
                google: enforce_zdr_google,
                openai: enforce_zdr_openai,
                xai: enforce_zdr_xai,
                other: enforce_zdr_other,
            },
            enable_free_model_publication,
            enable_free_model_training,
            enable_paid_model_training,
            content_filter_builtins: content_filter_builtins.map(|filters| {
                filters
                    .into_iter()
                    .map(BuiltinContentFilter::from)
                    .collect()
            }),
            content_filters: content_filters
                .map(|filters| filters.into_iter().map(CustomContentFilter::from).collect()),
            workspace_id,
            created_at: timestamp::optional(created_at),
            updated_at: timestamp::optional(updated_at),
        }
    }
}

impl From<types::BuiltinContentFilter> for BuiltinContentFilter {
    fn from(filter: types::BuiltinContentFilter) -> Self {
        let types::BuiltinContentFilter {
            action,
            label,
            scan_scope,
            slug,
        } = filter;
        Self {
            slug,
            action: action.map(ContentFilterAction::from),
            label,
            scan_scope,
        }
    }
}

impl From<types::CustomContentFilter> for CustomContentFilter {
    fn from(filter: types::CustomContentFilter) -> Self {
        let types::CustomContentFilter {
            action,
            label,
            pattern,
        } = filter;
        Self {
            pattern,
            action: action.map(ContentFilterAction::from),
            label,
        }
    }
}

/// `GET /guardrails/{id}`: the guardrail in its envelope.
impl From<types::GuardrailResponse> for Guardrail {
    fn from(response: types::GuardrailResponse) -> Self {
        let types::GuardrailResponse { data } = response;
        Guardrail::from(data)
    }
}

impl Guardrail {
    /// `GET /guardrails`: the guardrails of one page, in the order listed.
    pub(crate) fn listed(response: types::GuardrailListResponse) -> Vec<Guardrail> {
        Self::paged(response).0
    }

    /// `GET /guardrails`: the guardrails of one page, in the order listed, and the total the
    /// listing gives (`None` when it gives none, or a negative one), for the pager.
    pub(crate) fn paged(response: types::GuardrailListResponse) -> (Vec<Guardrail>, Option<u64>) {
        let types::GuardrailListResponse { data, total_count } = response;
        let guardrails = data.into_iter().map(Guardrail::from).collect();
        (guardrails, total_count.and_then(|n| u64::try_from(n).ok()))
    }
}
