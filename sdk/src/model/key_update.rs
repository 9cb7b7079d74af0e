//! `KeyUpdate`: the fields `PATCH /keys/{hash}` changes, with the tri-state of `limit`.

use super::new_key::{check_limit, wire_limit_reset};
use super::open_enum::LimitReset;
use crate::error::{Error, Result};
use crate::hash::checked_id;
use crate::input_field::InputField;
use crate::text_bound::bounded;
use openrouter_keys_codegen::types;

/// A change to one field that the API can also clear: set it, clear it (`null` is sent), or
/// leave it alone (the field is not sent).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Patch<T> {
    /// Not sent: the server keeps the current value.
    #[default]
    Keep,
    /// Sent as `null`: the server removes the value.
    Clear,
    /// Sent: the server stores this value.
    Set(T),
}

/// Changes to make to a key; only the fields set are sent.
///
/// ```
/// use openrouter_keys::KeyUpdate;
///
/// // Disable the key and remove its spending limit; keep everything else.
/// let update = KeyUpdate::new().disabled(true).clear_limit();
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyUpdate {
    name: Option<String>,
    disabled: Option<bool>,
    include_byok_in_limit: Option<bool>,
    limit: Patch<f64>,
    limit_reset: Patch<LimitReset>,
    workspace_id: Option<String>,
}

impl KeyUpdate {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Renames the key (not blank: the SDK's own rule; OpenRouter documents no minimum length).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Disables (`true`) or re-enables (`false`) the key.
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.disabled = Some(disabled);
        self
    }

    /// Whether bring-your-own-key usage counts against the limit.
    pub fn include_byok_in_limit(mut self, include: bool) -> Self {
        self.include_byok_in_limit = Some(include);
        self
    }

    /// Sets the spending limit in USD (finite, at least 0).
    pub fn limit(mut self, usd: f64) -> Self {
        self.limit = Patch::Set(usd);
        self
    }

    /// Removes the spending limit (sends `"limit": null`).
    pub fn clear_limit(mut self) -> Self {
        self.limit = Patch::Clear;
        self
    }

    /// Sets how often the limit resets.
    pub fn limit_reset(mut self, reset: LimitReset) -> Self {
        self.limit_reset = Patch::Set(reset);
        self
    }

    /// Makes the limit never reset (sends `"limit_reset": null`).
    pub fn clear_limit_reset(mut self) -> Self {
        self.limit_reset = Patch::Clear;
        self
    }

    /// Moves the key to another workspace.
    pub fn workspace_id(mut self, workspace_id: impl Into<String>) -> Self {
        self.workspace_id = Some(workspace_id.into());
        self
    }

    /// Whether this update changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Checks the update as [`Keys::update`](crate::Keys::update) does before sending
    /// anything, without sending: an update that changes nothing, a blank name, text longer
    /// than [`MAX_TEXT_CHARS`](crate::MAX_TEXT_CHARS), a limit that is not an amount, a reset
    /// this version cannot send.
    ///
    /// ```
    /// use openrouter_keys::KeyUpdate;
    ///
    /// assert!(KeyUpdate::new().name("renamed").validate().is_ok());
    /// assert!(KeyUpdate::new().validate().is_err()); // changes nothing
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.to_body().map(drop)
    }

    /// The request body, or the reason this update cannot be sent (an empty update is one:
    /// the API answers it with 400 "No update fields provided").
    pub(crate) fn to_body(&self) -> Result<types::UpdateKeyRequest> {
        if self.is_empty() {
            return Err(Error::invalid_with_hint(
                InputField::Update,
                "it changes nothing",
                "Set at least one field (name, disabled, limit, limit_reset, \
                 include_byok_in_limit, workspace_id) before sending it",
            ));
        }
        let name = match &self.name {
            Some(name) if name.trim().is_empty() => {
                return Err(Error::invalid(
                    InputField::Name,
                    "a key's name cannot be empty",
                ));
            }
            Some(name) => Some(bounded(InputField::Name, name)?.to_string()),
            None => None,
        };
        if let Some(workspace_id) = &self.workspace_id {
            checked_id(workspace_id, InputField::WorkspaceId)?;
        }
        let limit = match self.limit {
            Patch::Keep => None,
            Patch::Clear => Some(types::KeyLimit(None)),
            Patch::Set(usd) => Some(types::KeyLimit(check_limit(usd)?)),
        };
        let limit_reset = match &self.limit_reset {
            Patch::Keep => None,
            Patch::Clear => Some(types::LimitReset(None)),
            Patch::Set(reset) => Some(wire_limit_reset(reset)?),
        };
        Ok(types::UpdateKeyRequest {
            name,
            disabled: self.disabled,
            include_byok_in_limit: self.include_byok_in_limit,
            limit,
            limit_reset,
            // Checked above (`checked_id`).
            workspace_id: self.workspace_id.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(update: KeyUpdate) -> serde_json::Value {
        serde_json::to_value(update.to_body().unwrap()).unwrap()
    }

    #[test]
    fn tri_state_bodies_are_exact() {
        assert_eq!(body(KeyUpdate::new().limit(25.0)), json!({"limit": 25.0}));
        assert_eq!(body(KeyUpdate::new().clear_limit()), json!({"limit": null}));
        assert_eq!(
            body(KeyUpdate::new().limit_reset(LimitReset::Weekly)),
            json!({"limit_reset": "weekly"})
        );
        assert_eq!(
            body(KeyUpdate::new().clear_limit_reset()),
            json!({"limit_reset": null})
        );
        assert_eq!(
            body(
                KeyUpdate::new()
                    .disabled(true)
                    .name("renamed")
                    .include_byok_in_limit(false)
                    .workspace_id("w")
            ),
            json!({"disabled": true, "name": "renamed", "include_byok_in_limit": false,
                   "workspace_id": "w"})
        );
    }

    #[test]
    fn bad_values_are_rejected_before_sending() {
        for bad in [
            KeyUpdate::new(),
            KeyUpdate::new().name(" "),
            KeyUpdate::new().limit(-1.0),
            KeyUpdate::new().limit(f64::NAN),
            KeyUpdate::new().limit(f64::INFINITY),
            KeyUpdate::new().limit_reset(LimitReset::Unknown("yearly".into())),
            KeyUpdate::new().name("n".repeat(crate::MAX_TEXT_CHARS + 1)),
            KeyUpdate::new().workspace_id("w".repeat(crate::MAX_TEXT_CHARS + 1)),
        ] {
            assert!(
                matches!(bad.to_body(), Err(Error::InvalidInput { .. })),
                "{bad:?}"
            );
        }
    }
}
