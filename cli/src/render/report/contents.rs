//! What a report is made of, whatever its format: the keys and what they cover, when it
//! was made, the totals, and which keys are near their limit.

use crate::guardrails::HeldGuardrail;
use crate::key_state::{NEAR_LIMIT, used_share};
use crate::select::LeftOut;
use openrouter_keys::Key;
use openrouter_keys::time::OffsetDateTime;
use std::collections::HashMap;

/// Keys shown in "top spenders".
pub(super) const TOP: usize = 10;

/// A report of `keys` (sorted by total usage, largest first), made at `made_at` for `scope`.
pub struct Report<'a> {
    pub keys: &'a [Key],
    /// Keys that matched but are not counted (disabled ones without `--include-disabled`,
    /// expired ones without `--include-expired`).
    pub left_out: LeftOut,
    pub scope: Scope,
    pub made_at: OffsetDateTime,
    pub guardrails: Guardrails<'a>,
}

/// The guardrail each key holds (a key missing from the map holds none), or why that could
/// not be read (the report is made anyway, its guardrail column unknown).
pub enum Guardrails<'a> {
    Read(&'a HashMap<String, HeldGuardrail>),
    Unread(String),
}

/// What the report says of a key's guardrail.
pub(super) enum GuardrailOf<'a> {
    Held(&'a HeldGuardrail),
    None,
    Unknown,
}

/// What the report covers, as the command line asked for it.
pub struct Scope {
    /// The API's host (and port, when not the default), from the base URL.
    pub api: String,
    /// `--workspace`; `None` for the default workspace (what `GET /keys` lists without one).
    pub workspace: Option<String>,
    /// `--all-workspaces`: every workspace's keys (`workspace` is `None` then).
    pub every_workspace: bool,
    /// `--match` globs; none for every key.
    pub patterns: Vec<String>,
    pub include_disabled: bool,
    pub include_expired: bool,
}

pub(super) struct Totals {
    active: usize,
    disabled: usize,
    left_out: LeftOut,
    /// Keys with a limit, and the sums over them.
    limited: usize,
    limit: f64,
    remaining: f64,
    daily: f64,
    weekly: f64,
    monthly: f64,
    total: f64,
}

impl Report<'_> {
    pub(super) fn totals(&self) -> Totals {
        let mut t = Totals {
            active: 0,
            disabled: 0,
            left_out: self.left_out,
            limited: 0,
            limit: 0.0,
            remaining: 0.0,
            daily: 0.0,
            weekly: 0.0,
            monthly: 0.0,
            total: 0.0,
        };
        for k in self.keys {
            if k.disabled == Some(true) {
                t.disabled += 1;
            } else {
                t.active += 1;
            }
            if let Some(limit) = k.limit {
                t.limited += 1;
                t.limit += limit;
                // A key past its limit has nothing left, not a negative amount.
                t.remaining += k.limit_remaining.unwrap_or(limit).max(0.0);
            }
            t.daily += k.usage.daily.unwrap_or(0.0);
            t.weekly += k.usage.weekly.unwrap_or(0.0);
            t.monthly += k.usage.monthly.unwrap_or(0.0);
            t.total += k.usage.total.unwrap_or(0.0);
        }
        t
    }

    /// The keys at [`NEAR_LIMIT`] of their limit or more, the most used share first.
    pub(super) fn near_limit(&self) -> Vec<(&Key, f64)> {
        let mut near: Vec<(&Key, f64)> = self
            .keys
            .iter()
            .filter_map(|k| used_share(k).map(|s| (k, s)))
            .filter(|(_, s)| *s >= NEAR_LIMIT)
            .collect();
        near.sort_by(|a, b| b.1.total_cmp(&a.1));
        near
    }

    /// The keys with any usage, the largest first: the top spenders are the first of them.
    pub(super) fn spenders(&self) -> Vec<&Key> {
        self.keys
            .iter()
            .filter(|k| k.usage.total.unwrap_or(0.0) > 0.0)
            .collect()
    }

    /// What the report says instead of top spenders when no key has used anything.
    pub(super) fn no_usage_text(&self) -> String {
        format!(
            "no usage yet: none of the {} key(s) in this report has spent anything",
            self.keys.len()
        )
    }

    /// When the report was made, for people: `2027-06-30 12:00:00 UTC`.
    pub(super) fn made_at_text(&self) -> String {
        let utc = self
            .made_at
            .to_offset(openrouter_keys::time::UtcOffset::UTC);
        let (date, time) = (utc.date(), utc.time());
        format!(
            "{date} {:02}:{:02}:{:02} UTC",
            time.hour(),
            time.minute(),
            time.second()
        )
    }

    /// The guardrail `k` holds, as far as it is known.
    pub(super) fn guardrail_of(&self, k: &Key) -> GuardrailOf<'_> {
        match &self.guardrails {
            Guardrails::Read(held) => held
                .get(&k.hash)
                .map_or(GuardrailOf::None, GuardrailOf::Held),
            Guardrails::Unread(_) => GuardrailOf::Unknown,
        }
    }

    /// Whether a key has expired by the time the report was made.
    pub(super) fn expired(&self, k: &Key) -> bool {
        k.expires_at
            .as_ref()
            .and_then(|t| t.datetime())
            .is_some_and(|at| at <= self.made_at)
    }
}

impl Scope {
    /// What the report covers, the same words in the table and the page: the API, the
    /// workspace, the globs, and whether disabled and expired keys count.
    pub(super) fn lines(&self) -> [(&'static str, String); 5] {
        let workspace = match &self.workspace {
            Some(id) => id.clone(),
            None if self.every_workspace => "every workspace".to_string(),
            None => "the default workspace".to_string(),
        };
        let keys = if self.patterns.is_empty() {
            "every key".to_string()
        } else {
            let globs: Vec<String> = self.patterns.iter().map(|p| format!("`{p}`")).collect();
            format!("names matching {}", globs.join(" or "))
        };
        let counted = |included: bool, flag: &str| {
            if included {
                "counted".to_string()
            } else {
                format!("left out ({flag} counts them)")
            }
        };
        [
            ("API", self.api.clone()),
            ("workspace", workspace),
            ("keys", keys),
            (
                "disabled keys",
                counted(self.include_disabled, "--include-disabled"),
            ),
            (
                "expired keys",
                counted(self.include_expired, "--include-expired"),
            ),
        ]
    }
}

impl Totals {
    /// `keys`, `limits` and `usage` lines, the same words in every format.
    pub(super) fn lines(&self) -> [(&'static str, String); 3] {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut notes = Vec::new();
        // Which flag counts them is said once, in the scope's lines.
        if self.left_out.disabled > 0 {
            notes.push(format!(
                "{} disabled key{} left out",
                self.left_out.disabled,
                plural(self.left_out.disabled)
            ));
        }
        if self.left_out.expired > 0 {
            notes.push(format!(
                "{} expired key{} left out",
                self.left_out.expired,
                plural(self.left_out.expired)
            ));
        }
        let mut keys = if self.left_out.disabled > 0 {
            format!("{} active", self.active)
        } else {
            format!("{} active, {} disabled", self.active, self.disabled)
        };
        if !notes.is_empty() {
            keys.push_str(&format!(" ({})", notes.join("; ")));
        }
        let counted = self.active + self.disabled;
        let limits = if self.limited == 0 {
            "no limits".to_string()
        } else {
            format!(
                "{:.2} in total over {} of {counted} key(s), {:.2} remaining",
                self.limit, self.limited, self.remaining
            )
        };
        let usage = format!(
            "day {:.2}, week {:.2}, month {:.2}, total {:.2}",
            self.daily, self.weekly, self.monthly, self.total
        );
        [
            ("keys", keys),
            ("limits (USD)", limits),
            ("usage (USD)", usage),
        ]
    }
}
