//! `audit`'s rules: what a key's fields, and whether it holds a guardrail, say about the
//! policy it runs under. Each rule has a stable name (the JSON's `rule`, `--skip`'s value),
//! and each finding says what was seen and the command that fixes it.
//!
//! The facts the rules rest on, with their sources, are in `openapi/POLICY.md`: a key without
//! a limit or a guardrail of its own is bounded only by what applies to its workspace or its
//! creator ("Whose budgets apply"); an expiry cannot be changed, only a replacement made
//! ("Expiry and lifetime"), which is why expiry findings are fixed by `rotate`; an account's
//! maximum key lifetime is not readable through the API, hence `--max-lifetime`; a null
//! `last_used_at` means no usage recorded since the end of 2025, not "never used" ("Usage
//! recency").

use crate::key_state::{NEAR_LIMIT, lifetime, used_share};
use crate::shell::shell_word;
use clap::ValueEnum;
use openrouter_keys::time::{Duration, OffsetDateTime};
use openrouter_keys::{Key, Timestamp};
use serde::Serialize;

/// One rule of the audit, by its stable name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The key's expiry has passed (audited only with --include-expired).
    Expired,
    /// No spending limit.
    NoLimit,
    /// 80 % or more of the limit used.
    NearLimit,
    /// Never expires.
    NoExpiry,
    /// Expires within --expiring-within.
    ExpiringSoon,
    /// Lives longer than --max-lifetime, or never expires (only with --max-lifetime).
    OverMaxLifetime,
    /// Not used for --idle-days or more.
    Idle,
    /// No usage recorded, created --idle-days ago or more.
    NeverUsed,
    /// Holds no guardrail of its own.
    NoGuardrail,
}

impl Rule {
    /// The rule's stable name, as JSON, CSV and `--skip` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Expired => "expired",
            Rule::NoLimit => "no-limit",
            Rule::NearLimit => "near-limit",
            Rule::NoExpiry => "no-expiry",
            Rule::ExpiringSoon => "expiring-soon",
            Rule::OverMaxLifetime => "over-max-lifetime",
            Rule::Idle => "idle",
            Rule::NeverUsed => "never-used",
            Rule::NoGuardrail => "no-guardrail",
        }
    }
}

/// The thresholds the rules apply, and the rules left out.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `expiring-soon`: an expiry at most this far ahead.
    pub expiring_within: Duration,
    /// `over-max-lifetime`, when given: the account's maximum key lifetime.
    pub max_lifetime: Option<Duration>,
    /// `idle` and `never-used`: no use for at least this long.
    pub idle: Duration,
    /// Rules not applied (`--skip`).
    pub skipped: Vec<Rule>,
}

impl Policy {
    /// Whether the rule is applied.
    pub fn checks(&self, rule: Rule) -> bool {
        !self.skipped.contains(&rule)
    }
}

/// How long a replacement made by a suggested `rotate` lives when neither the key nor
/// `--max-lifetime` says: our suggestion (a quarter), not a documented value; the preview of
/// `rotate` shows it before anything is made.
const SUGGESTED_LIFETIME: Duration = Duration::days(90);

/// The start of the time from which OpenRouter records a key's last use: `last_used_at` is
/// null "if no usage has been recorded since the end of 2025" (`openapi/POLICY.md`, "Usage
/// recency").
fn usage_recorded_since() -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + Duration::seconds(1_767_225_600)
}

/// One finding: a rule a key breaks, what was seen, and the command that fixes it. Serialized
/// as `audit --format json` writes it; the field set is stable (fields are only ever added).
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub hash: String,
    pub name: Option<String>,
    pub workspace_id: Option<String>,
    /// What was seen, for people.
    pub detail: String,
    /// The command that fixes it (or, where this CLI has none, what to do).
    pub fix: String,
}

/// What `policy` finds about `key` at `now`, in the order of [`Rule`]. `holds_guardrail` is
/// `None` when assignments were not read (`no-guardrail` skipped).
///
/// An expired key gets only `expired`: it no longer works, so its other settings do not
/// matter. A field the API did not send, or a time that is not a timestamp, makes no finding:
/// the audit reports what it saw, never what it guessed.
pub fn findings(
    key: &Key,
    holds_guardrail: Option<bool>,
    policy: &Policy,
    now: OffsetDateTime,
) -> Vec<Finding> {
    let fix = Fixes { key, policy };
    let mut found = Vec::new();
    let mut add = |rule: Rule, detail: String, fix: String| {
        if policy.checks(rule) {
            found.push(Finding {
                rule,
                hash: key.hash.clone(),
                name: key.name.clone(),
                workspace_id: key.workspace_id.clone(),
                detail,
                fix,
            });
        }
    };
    let expires = key.expires_at.as_ref().and_then(Timestamp::datetime);
    if let Some(at) = expires.filter(|at| *at <= now) {
        add(
            Rule::Expired,
            format!("expired {} ago ({})", span(now - at), text(&key.expires_at)),
            fix.command(&["delete", &key.hash]),
        );
        return found;
    }

    match key.limit {
        None => add(
            Rule::NoLimit,
            "no spending limit: only its workspace's budgets and guardrails bound it".into(),
            fix.command(&["update", &key.hash, "--limit", "USD"]),
        ),
        Some(limit) => {
            if let Some(share) = used_share(key).filter(|share| *share >= NEAR_LIMIT) {
                let reset = key
                    .limit_reset
                    .as_ref()
                    .map_or_else(|| "never resets".to_string(), |r| format!("resets {r}"));
                add(
                    Rule::NearLimit,
                    format!(
                        "{:.1}% of its {limit:.2} USD limit used ({:.2} USD left; {reset})",
                        share * 100.0,
                        key.limit_remaining.unwrap_or(0.0).max(0.0)
                    ),
                    fix.command(&["update", &key.hash, "--limit", "USD"]),
                );
            }
        }
    }

    match expires {
        // An `expires_at` that is not a timestamp says nothing either way.
        None if key.expires_at.is_some() => {}
        None => add(Rule::NoExpiry, "never expires".into(), fix.rotate(true)),
        Some(at) if at - now <= policy.expiring_within => add(
            Rule::ExpiringSoon,
            format!("expires in {} ({})", span(at - now), text(&key.expires_at)),
            fix.rotate(false),
        ),
        Some(_) => {}
    }

    if let Some(max) = policy.max_lifetime {
        let over = if key.expires_at.is_none() {
            Some(format!(
                "never expires; the maximum lifetime is {}",
                span(max)
            ))
        } else {
            lifetime(key).filter(|life| *life > max).map(|life| {
                format!(
                    "lives {} (created {}, expires {}); the maximum lifetime is {}",
                    span(life),
                    text(&key.created_at),
                    text(&key.expires_at),
                    span(max)
                )
            })
        };
        if let Some(detail) = over {
            add(Rule::OverMaxLifetime, detail, fix.rotate(true));
        }
    }

    recency(key, policy, now, &fix, &mut add);

    if holds_guardrail == Some(false) {
        add(
            Rule::NoGuardrail,
            "holds no guardrail of its own (a guardrail of its creator, or its workspace's \
             default guardrail, may still apply: not checked)"
                .into(),
            format!(
                "assign it a guardrail: in OpenRouter's dashboard, or POST \
                 /guardrails/GUARDRAIL_ID/assignments/keys with key_hashes [{}] (this CLI has \
                 no command for it)",
                key.hash
            ),
        );
    }
    found
}

/// `idle` and `never-used`, from `last_used_at`, `usage` and `byok_usage`.
fn recency(
    key: &Key,
    policy: &Policy,
    now: OffsetDateTime,
    fix: &Fixes<'_>,
    add: &mut impl FnMut(Rule, String, String),
) {
    let created = key.created_at.as_ref().and_then(Timestamp::datetime);
    match (
        &key.last_used_at,
        key.last_used_at.as_ref().and_then(Timestamp::datetime),
    ) {
        (_, Some(at)) => {
            if now - at >= policy.idle {
                add(
                    Rule::Idle,
                    format!(
                        "last used {} ago ({})",
                        span(now - at),
                        text(&key.last_used_at)
                    ),
                    fix.retire(),
                );
            }
        }
        // A `last_used_at` that is not a timestamp says nothing.
        (Some(_), None) => {}
        (None, None) => {
            let spent = key.usage.total.unwrap_or(0.0) + key.byok_usage.total.unwrap_or(0.0);
            if spent > 0.0 {
                // Used, but not since the end of 2025 (nor since its creation, if later).
                let since =
                    created.map_or(usage_recorded_since(), |c| c.max(usage_recorded_since()));
                if now - since >= policy.idle {
                    add(
                        Rule::Idle,
                        format!(
                            "no usage recorded since the end of 2025 ({spent:.2} USD spent \
                             before then; last_used_at is null)"
                        ),
                        fix.retire(),
                    );
                }
            } else if key.usage.total.is_some()
                && let Some(created) = created
                && now - created >= policy.idle
            {
                add(
                    Rule::NeverUsed,
                    format!(
                        "no usage recorded since it was created {} ago ({}): 0.00 USD spent, \
                         last_used_at is null",
                        span(now - created),
                        text(&key.created_at)
                    ),
                    fix.retire(),
                );
            }
        }
    }
}

/// The commands that fix findings about one key.
struct Fixes<'a> {
    key: &'a Key,
    policy: &'a Policy,
}

impl Fixes<'_> {
    /// `openrouter-keys WORDS…`, each word quoted for a shell where it needs it.
    fn command(&self, words: &[&str]) -> String {
        std::iter::once("openrouter-keys".into())
            .chain(words.iter().map(|w| shell_word(w)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A `rotate` to a replacement with an expiry: the maximum lifetime when one is given;
    /// otherwise, with `lifetime_needed` (the key never expires),
    /// [`SUGGESTED_LIFETIME`], and without it the key's own lifetime, which `rotate` carries
    /// on its own. For a disabled key, a `delete`.
    fn rotate(&self, lifetime_needed: bool) -> String {
        let hash = &self.key.hash;
        // `rotate` replaces active keys only (a replacement is an active key): a disabled
        // key's fix is to delete it.
        if self.key.disabled == Some(true) {
            return self.command(&["delete", hash]);
        }
        let short: String = hash
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        let secrets = format!("rotated-{short}.csv");
        let expires_in = match self.policy.max_lifetime {
            Some(max) => Some(duration_arg(max)),
            None if lifetime_needed => Some(duration_arg(SUGGESTED_LIFETIME)),
            None => None,
        };
        let mut words = vec!["rotate", hash];
        if let Some(expires_in) = &expires_in {
            words.extend(["--expires-in", expires_in]);
        }
        words.extend(["--secrets-out", &secrets]);
        self.command(&words)
    }

    /// Taking an unused key out of service: disabling it, or deleting it when it is disabled
    /// already.
    fn retire(&self) -> String {
        let verb = if self.key.disabled == Some(true) {
            "delete"
        } else {
            "disable"
        };
        self.command(&[verb, &self.key.hash])
    }
}

/// A time as the API sent it, or `-`.
fn text(time: &Option<Timestamp>) -> &str {
    time.as_ref().map_or("-", Timestamp::as_str)
}

/// A length of time for people, rounded to the nearest unit: days from two days on, hours
/// from one hour, minutes below.
fn span(length: Duration) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    let seconds = length.whole_seconds().max(0);
    let rounded = |unit: i64| (seconds + unit / 2) / unit;
    if rounded(86_400) >= 2 {
        plural(rounded(86_400), "day")
    } else if rounded(3_600) >= 1 {
        plural(rounded(3_600), "hour")
    } else {
        plural(rounded(60), "minute")
    }
}

/// A duration as `--expires-in` takes it: `90d`, `36h`, `15m`, `20s`.
fn duration_arg(length: Duration) -> String {
    let seconds = length.whole_seconds().max(1);
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if seconds % size == 0 {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_has_one_spelling_in_flags_json_and_messages() {
        for rule in Rule::value_variants() {
            let flag = rule.to_possible_value().expect("a value");
            assert_eq!(flag.get_name(), rule.name());
            assert_eq!(
                serde_json::to_string(rule).unwrap(),
                format!("\"{}\"", rule.name())
            );
        }
    }

    #[test]
    fn lengths_read_as_days_hours_or_minutes() {
        assert_eq!(span(Duration::days(90)), "90 days");
        assert_eq!(span(Duration::days(5) - Duration::seconds(3)), "5 days");
        assert_eq!(span(Duration::hours(35)), "35 hours");
        assert_eq!(span(Duration::hours(36)), "2 days");
        assert_eq!(span(Duration::minutes(30)), "1 hour");
        assert_eq!(span(Duration::seconds(29)), "0 minutes");
        assert_eq!(span(Duration::seconds(-5)), "0 minutes");
    }

    #[test]
    fn a_duration_becomes_the_shortest_flag_value_that_says_it_exactly() {
        assert_eq!(duration_arg(Duration::days(90)), "90d");
        assert_eq!(duration_arg(Duration::hours(36)), "36h");
        assert_eq!(duration_arg(Duration::minutes(90)), "90m");
        assert_eq!(duration_arg(Duration::seconds(61)), "61s");
        for text in ["90d", "36h", "90m", "61s"] {
            let parsed = humantime::parse_duration(text).unwrap();
            let length = Duration::try_from(parsed).unwrap();
            assert_eq!(duration_arg(length), text);
        }
    }

    #[test]
    fn the_end_of_2025_is_where_recorded_usage_begins() {
        let start = usage_recorded_since();
        assert_eq!(
            (start.year(), u8::from(start.month()), start.day()),
            (2026, 1, 1)
        );
        assert_eq!((start.hour(), start.minute(), start.second()), (0, 0, 0));
    }
}
