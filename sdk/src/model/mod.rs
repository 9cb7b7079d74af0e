//! The public data types: what the API returns, and what callers send.
//!
//! Responses are decoded into the generated types of `openrouter-keys-codegen` (the spec is the
//! one source of truth for the wire format) and converted here into types with good names,
//! open enums and parsed timestamps.

mod created_key;
mod current_key;
mod guardrail;
mod key;
mod key_assignment;
mod key_update;
mod new_key;
mod open_enum;
mod timestamp;
mod workspace;

pub use created_key::CreatedKey;
pub use current_key::{BudgetLayer, CurrentKey, FreeModelDailyRequests, RateLimit};
pub use guardrail::{BuiltinContentFilter, CustomContentFilter, Guardrail, ZeroDataRetention};
pub use key::{Key, Usage};
pub use key_assignment::{KeyAssignment, KeysAssigned, KeysUnassigned};
pub use key_update::{KeyUpdate, Patch};
pub use new_key::{ExternalIdentity, NewKey};
pub use open_enum::{
    BudgetResetInterval, BudgetScope, ContentFilterAction, DataRegion, LimitReset,
};
pub use timestamp::Timestamp;
pub use workspace::Workspace;
