//! A key to create, typed: what `create` sends, what each row of `bulk-create` and each
//! replacement of `rotate` is (kept in the batch's journal), and the checks every value
//! passes before any request (a limit that is an amount, an expiry still ahead).
//!
//! The journal stores a `KeySpec` as JSON with the API's words for the limit reset
//! (`"monthly"`) and the expiry's RFC 3339 text, as earlier versions wrote it.

use crate::cli::{KeySettings, Reset};
use crate::error::{CliError, CliResult};
use openrouter_keys::{Error, ExternalIdentity, InputField, LimitReset, NewKey, Timestamp};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A key to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeySpec {
    pub name: String,
    pub limit: Option<f64>,
    #[serde(default, with = "limit_reset_text")]
    pub limit_reset: Option<LimitReset>,
    pub include_byok_in_limit: Option<bool>,
    #[serde(default, with = "timestamp_text")]
    pub expires_at: Option<Timestamp>,
    pub workspace_id: Option<String>,
    /// The member the key belongs to (`creator_user_id`): member guardrails follow a key's
    /// creator (`openapi/POLICY.md`). Absent from journals of earlier versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_user_id: Option<String>,
    /// A partner's user the key is for (create's `external.user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_user: Option<String>,
    /// The guardrail the key is to hold (`rotate`: the old key's). Not part of the create:
    /// assigned once the key exists, and checked before its secret is handed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardrail_id: Option<String>,
}

impl KeySpec {
    /// The key named `name` with the settings flags (of `create`, or the defaults of
    /// `bulk-create`), each checked; an error names the flag.
    pub fn from_settings(name: &str, settings: &KeySettings) -> CliResult<Self> {
        if name.trim().is_empty() {
            return Err(CliError::usage("a key needs a non-empty --name"));
        }
        if let Some(limit) = settings.limit {
            check_limit(limit).map_err(|why| flag("--limit", why))?;
        }
        let expires_at = expiry_of_flags(settings.expires_at.as_deref(), settings.expires_in)?;
        let spec = Self {
            name: name.to_string(),
            limit: settings.limit,
            limit_reset: settings.reset.map(LimitReset::from),
            include_byok_in_limit: settings.include_byok.then_some(true),
            expires_at,
            workspace_id: settings.workspace.clone(),
            creator_user_id: None,
            external_user: None,
            guardrail_id: None,
        };
        spec.check().map_err(|(field, why)| {
            let name = match field {
                InputField::Name => "--name",
                InputField::WorkspaceId => "--workspace",
                InputField::Limit => "--limit",
                InputField::ExpiresAt => "--expires-at",
                _ => field.as_str(),
            };
            flag(name, why)
        })?;
        Ok(spec)
    }

    /// Whether the SDK would send this key: every check it makes before a create (a name not
    /// blank, text within [`MAX_TEXT_CHARS`](openrouter_keys::MAX_TEXT_CHARS), ...), made
    /// here before anything is sent. The field and why not, else.
    pub fn check(&self) -> Result<(), (InputField, String)> {
        match self.new_key().validate() {
            Ok(()) => Ok(()),
            Err(Error::InvalidInput { what, reason, .. }) => Err((what, reason)),
            Err(other) => Err((InputField::Request, other.summary())),
        }
    }

    /// The SDK's request for this key.
    pub fn new_key(&self) -> NewKey {
        let mut new_key = NewKey::new(self.name.as_str());
        if let Some(limit) = self.limit {
            new_key = new_key.limit(limit);
        }
        if let Some(reset) = &self.limit_reset {
            new_key = new_key.limit_reset(reset.clone());
        }
        if let Some(include) = self.include_byok_in_limit {
            new_key = new_key.include_byok_in_limit(include);
        }
        if let Some(at) = &self.expires_at {
            new_key = new_key.expires_at(at.clone());
        }
        if let Some(workspace) = &self.workspace_id {
            new_key = new_key.workspace_id(workspace.as_str());
        }
        if let Some(creator) = &self.creator_user_id {
            new_key = new_key.creator_user_id(creator.as_str());
        }
        if let Some(user) = &self.external_user {
            new_key = new_key.external(ExternalIdentity::new(user.as_str()));
        }
        new_key
    }
}

/// The expiry `--expires-at` or `--expires-in` say (`None` when neither is given), checked to
/// be ahead; an error names the flag.
pub fn expiry_of_flags(
    expires_at: Option<&str>,
    expires_in: Option<Duration>,
) -> CliResult<Option<Timestamp>> {
    match (expires_at, expires_in) {
        (Some(at), _) => Ok(Some(
            check_expiry(at).map_err(|why| flag("--expires-at", why))?,
        )),
        (None, Some(after)) => Ok(Some(
            expiry_after(after).map_err(|why| flag("--expires-in", why))?,
        )),
        (None, None) => Ok(None),
    }
}

/// An error about a flag's value, naming the flag.
fn flag(name: &str, why: String) -> CliError {
    CliError::usage(format!("{name}: {why}"))
}

impl From<Reset> for LimitReset {
    fn from(reset: Reset) -> Self {
        match reset {
            Reset::Daily => LimitReset::Daily,
            Reset::Weekly => LimitReset::Weekly,
            Reset::Monthly => LimitReset::Monthly,
        }
    }
}

/// A limit reset written in a CSV cell, in the words of the `--reset` flag.
pub fn parse_reset(text: &str) -> Result<LimitReset, String> {
    <Reset as clap::ValueEnum>::from_str(text, false)
        .map(LimitReset::from)
        .map_err(|_| format!("limit_reset `{text}` is not daily, weekly or monthly"))
}

/// The largest spending limit accepted, in USD: our bound, not the API's (it documents
/// none). Far above any real budget, it catches a typo (`1e30`, a pasted number) that would
/// otherwise make a key without a meaningful limit and break the tables' columns.
pub const MAX_LIMIT_USD: f64 = 1e9;

/// A spending limit that is an amount of USD within [`MAX_LIMIT_USD`]; else why not.
pub fn check_limit(limit: f64) -> Result<f64, String> {
    if !(limit.is_finite() && limit >= 0.0) {
        return Err(format!(
            "limit {limit} is not an amount of USD (a number, at least 0)"
        ));
    }
    if limit > MAX_LIMIT_USD {
        return Err(format!(
            "limit {limit} is above 1000000000 USD, the most this CLI accepts (a typo?)"
        ));
    }
    Ok(limit)
}

/// An expiry as `--expires-at` and the CSV's `expires_at` take it, still ahead: an RFC 3339
/// time, or a date (`2027-06-30`), which means the end of that day in UTC
/// (`2027-06-30T23:59:59Z`): the key works through the whole of the day named. A key that
/// expires before it is created is dead on arrival, so an expiry in the past (or now) is
/// refused before any request.
pub fn check_expiry(at: &str) -> Result<Timestamp, String> {
    let timestamp = end_of_day(at).unwrap_or_else(|| Timestamp::from_text(at));
    let Some(when) = timestamp.system_time() else {
        return Err(format!(
            "expiry `{at}` is neither a date such as 2027-06-30 (the end of that day in UTC) \
             nor an RFC 3339 time such as 2027-06-30T12:00:00Z"
        ));
    };
    check_ahead(when, timestamp.as_str())?;
    Ok(timestamp)
}

/// `2027-06-30` as `2027-06-30T23:59:59Z`; `None` for anything but a calendar date written
/// as year-month-day.
fn end_of_day(text: &str) -> Option<Timestamp> {
    use openrouter_keys::time::{Date, Time, format_description};
    let date_only = format_description::parse_borrowed::<2>("[year]-[month]-[day]").ok()?;
    let date = Date::parse(text, &date_only).ok()?;
    let last_second = Time::from_hms(23, 59, 59).ok()?;
    Some(Timestamp::from(date.with_time(last_second).assume_utc()))
}

fn check_ahead(when: SystemTime, shown: &str) -> Result<(), String> {
    if when <= SystemTime::now() {
        return Err(format!(
            "expiry {shown} is in the past: the key would be expired when created"
        ));
    }
    Ok(())
}

/// Now plus `after`, whole seconds, RFC 3339 in UTC; refused when that is not ahead.
pub fn expiry_after(after: Duration) -> Result<Timestamp, String> {
    // `--expires-in 0s` is now, which has passed by the time the key exists.
    let at = SystemTime::now()
        .checked_add(after)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|since| UNIX_EPOCH + Duration::from_secs(since.as_secs()))
        .ok_or_else(|| "too far in the future".to_string())?;
    let timestamp = Timestamp::from_system_time(at);
    check_ahead(at, timestamp.as_str())?;
    Ok(timestamp)
}

/// `Option<LimitReset>` as the API's word (`"monthly"`) or `null`.
mod limit_reset_text {
    use openrouter_keys::LimitReset;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<LimitReset>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(reset) => s.serialize_some(reset.as_str()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<LimitReset>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(LimitReset::from))
    }
}

/// `Option<Timestamp>` as its text or `null`.
mod timestamp_text {
    use openrouter_keys::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(at) => s.serialize_some(at.as_str()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(Timestamp::from_text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_reads_and_writes_the_journal_form_of_earlier_versions() {
        let text = r#"{"expires_at":"2031-01-01T00:00:00Z","include_byok_in_limit":null,"limit":5.0,"limit_reset":"monthly","name":"row-a","workspace_id":null}"#;
        let spec: KeySpec = serde_json::from_str(text).unwrap();
        assert_eq!(spec.limit_reset, Some(LimitReset::Monthly));
        assert_eq!(
            spec.expires_at.as_ref().map(|t| t.as_str()),
            Some("2031-01-01T00:00:00Z")
        );
        let again: serde_json::Value = serde_json::to_value(&spec).unwrap();
        assert_eq!(
            again,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
    }

    #[test]
    fn a_date_expires_at_the_end_of_that_day_in_utc() {
        let at = check_expiry("2999-06-30").unwrap();
        assert_eq!(at.as_str(), "2999-06-30T23:59:59Z");
        // A time is taken as it is written.
        let at = check_expiry("2999-06-30T12:00:00+02:00").unwrap();
        assert_eq!(at.as_str(), "2999-06-30T12:00:00+02:00");
    }

    #[test]
    fn an_expiry_that_is_neither_date_nor_time_says_what_to_write() {
        for wrong in [
            "30.06.2999",
            "2999-6-30",
            "2999-02-30",
            "2999-06-30 12:00",
            "tomorrow",
        ] {
            let why = check_expiry(wrong).unwrap_err();
            assert!(why.contains("2027-06-30"), "{wrong}: {why}");
            assert!(why.contains("RFC 3339"), "{wrong}: {why}");
        }
        let why = check_expiry("2001-06-30").unwrap_err();
        assert!(why.contains("2001-06-30T23:59:59Z is in the past"), "{why}");
    }

    #[test]
    fn a_reset_cell_takes_the_flags_words() {
        assert_eq!(parse_reset("weekly"), Ok(LimitReset::Weekly));
        assert!(
            parse_reset("yearly")
                .unwrap_err()
                .contains("daily, weekly or monthly")
        );
    }
}
