//! When a create that ended without a clear answer can no longer make a key: the settle rule
//! that stands between a batch and its exit 0.
//!
//! A create the CLI gave up on (a timeout, a 5xx, a cut connection, a run killed with it in
//! flight) may still take effect on the server, and its key may show in `GET /keys` only
//! later. No client can know when a server acts; the bound is an assumption, stated and
//! exposed as `--settle` (default [`DEFAULT_SETTLE`], where the choice is argued): **a create takes effect, and its key is
//! listed, within the settle time after its call ended, or never**. So an open create (see
//! [`OpenCreate`]) is settled once
//!
//! 1. its *end* has passed by the settle time: the end its `unanswered` record gives (the
//!    call's last attempt ended then), or, for a create a run died with, the earlier of its
//!    intent plus the longest a create call lasts ([`CALL_DEADLINE`]) and the moment the next
//!    run took the journal (the dead run's connections were closed by then); that run writes
//!    this end down, so that every later run computes the same time;
//! 2. and a complete listing *begun after that time* accounted for every key of the batch's
//!    names (a `swept` record), deleting the create's key if it made one.
//!
//! A row whose every open create is accounted for by a deleted orphan is settled at once
//! (a create makes at most one key). With no open create there is nothing to wait for.
//!
//! The same bound draws the orphan window (`journal.rs`): a key is an open create's only when
//! the server stamped it between the intent and the create's end plus the settle time, give or
//! take [`SKEW`] for the clocks of this machine and the API.

use super::journal::{OpenCreate, RowState, now_ms};
#[cfg(doc)]
use crate::cli::DEFAULT_SETTLE;
use crate::context::CALL_DEADLINE;
use crate::error::CliError;
use crate::exit::Exit;
use crate::print::Printer;
use openrouter_keys::time::OffsetDateTime;
use openrouter_keys::time::format_description::well_known::Rfc3339;
use std::collections::BTreeMap;
use std::time::Duration;

/// How far this machine's clock and the API's may disagree (a key's `created_at` against an
/// intent's time). Our choice.
pub const SKEW: Duration = Duration::from_secs(120);

/// The settle rule of one run.
#[derive(Debug, Clone, Copy)]
pub struct Settle {
    /// How long after its call ended a create may still take effect and be listed.
    pub window: Duration,
}

fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Settle {
    /// When a create sent by a run that died with it in flight had ended at the latest, as
    /// the run that took the journal at `taken_ms` (Unix milliseconds) can tell: by its
    /// intent's time plus the longest a call lasts (a second more for the intent's whole
    /// seconds), and by the time the dead run let go of the journal.
    pub fn ended_by(at: Option<i64>, taken_ms: i64) -> i64 {
        match at {
            Some(at) => (at.saturating_mul(1000) + 1000 + ms(CALL_DEADLINE)).min(taken_ms),
            None => taken_ms,
        }
    }

    /// When this open create can no longer take effect (Unix milliseconds).
    fn due_ms(&self, open: &OpenCreate) -> i64 {
        let ended = open
            .ended_ms
            .or_else(|| {
                open.at
                    .map(|at| at.saturating_mul(1000) + 1000 + ms(CALL_DEADLINE))
            })
            .unwrap_or(i64::MAX);
        ended.saturating_add(ms(self.window))
    }

    /// Until when (Unix milliseconds) the row may still get a key from one of its open
    /// creates, or `None` when it is settled: none is open, each made the key found and
    /// deleted, or a sweep begun at `swept_ms` came after the last one's time.
    pub fn pending_until(&self, row: &RowState, swept_ms: Option<i64>) -> Option<i64> {
        if row.unresolved.len() <= row.discarded {
            return None;
        }
        let due = row.unresolved.iter().map(|open| self.due_ms(open)).max()?;
        match swept_ms {
            Some(swept) if swept >= due => None,
            _ => Some(due),
        }
    }

    /// Whether a key of the row's name that the server stamped `created_at` (Unix seconds)
    /// may have been made by one of the row's open creates. A create or a key without a time
    /// cannot be bounded, so it counts (journals of the first version, an API that sends no
    /// `created_at`).
    pub fn could_have_made(&self, row: &RowState, created_at: Option<i64>) -> bool {
        let skew = ms(SKEW);
        row.unresolved
            .iter()
            .any(|open| match (open.at, created_at) {
                (Some(at), Some(created)) => {
                    let created = created.saturating_mul(1000);
                    created >= at.saturating_mul(1000) - skew
                        && created <= self.due_ms(open).saturating_add(skew)
                }
                _ => true,
            })
    }
}

/// Rows named at most in a message about settling; the rest are counted.
const MAX_NAMED: usize = 10;

/// Says which rows may still get a second key from a create that ended without a clear
/// answer, and after when a rerun settles them. `label` names a row.
pub fn report_settling<Id>(
    print: Printer,
    settling: &BTreeMap<Id, i64>,
    label: impl Fn(&Id) -> String,
) {
    let Some(until) = settling.values().copied().max() else {
        return;
    };
    let mut named: Vec<String> = settling.keys().take(MAX_NAMED).map(label).collect();
    if settling.len() > MAX_NAMED {
        named.push(format!("and {} more", settling.len() - MAX_NAMED));
    }
    let said = CliError::new(
        Exit::Settling,
        format!(
            "{} row(s) may still get a second key, from a create that ended without a clear \
             answer, until {}: {}",
            settling.len(),
            shown_time(until, now_ms()),
            named.join(", ")
        ),
    )
    .hint(
        "rerun the same command after then: it deletes any such key (without --no-wait, a \
         run waits for that time itself)",
    );
    print.error(&said);
}

/// `2031-01-01T12:00:05Z (in 1m 58s)`: a time to wait for, on the second after it, and how
/// far it is from `now_ms`.
pub fn shown_time(at_ms: i64, now_ms: i64) -> String {
    let second = at_ms.saturating_add(999).div_euclid(1000);
    let text = OffsetDateTime::from_unix_timestamp(second)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("{second} (Unix time)"));
    let left = Duration::from_secs(u64::try_from(second * 1000 - now_ms).unwrap_or(0) / 1000);
    if left.is_zero() {
        text
    } else {
        format!("{text} (in {})", humantime::format_duration(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(creates: &[(Option<i64>, Option<i64>)], discarded: usize) -> RowState {
        RowState {
            unresolved: creates
                .iter()
                .map(|&(at, ended_ms)| OpenCreate { at, ended_ms })
                .collect(),
            discarded,
            ..RowState::default()
        }
    }

    const SETTLE: Settle = Settle {
        window: Duration::from_secs(60),
    };

    #[test]
    fn a_create_is_settled_by_a_sweep_begun_after_its_end_plus_the_settle_time() {
        // Intent at 1,000 s, ended (timed out) at 1,000.5 s: due at 1,060.5 s.
        let open = row(&[(Some(1_000), Some(1_000_500))], 0);
        assert_eq!(SETTLE.pending_until(&open, None), Some(1_060_500));
        assert_eq!(
            SETTLE.pending_until(&open, Some(1_060_499)),
            Some(1_060_500)
        );
        assert_eq!(SETTLE.pending_until(&open, Some(1_060_500)), None);
        // Its key was found and deleted: nothing left to wait for.
        assert_eq!(
            SETTLE.pending_until(&row(&[(Some(1_000), Some(1_000_500))], 1), None),
            None
        );
        // Nothing open: settled.
        assert_eq!(SETTLE.pending_until(&row(&[], 0), None), None);
        // The latest of several open creates counts.
        let two = row(
            &[
                (Some(1_000), Some(1_001_000)),
                (Some(1_100), Some(1_101_000)),
            ],
            1,
        );
        assert_eq!(SETTLE.pending_until(&two, None), Some(1_161_000));
    }

    #[test]
    fn a_create_a_run_died_with_ended_by_its_deadline_or_the_next_runs_start() {
        let deadline = ms(CALL_DEADLINE);
        // The next run took the journal long after: the call's deadline bounds it.
        assert_eq!(
            Settle::ended_by(Some(1_000), 9_999_999),
            1_001_000 + deadline
        );
        // The next run came at once: the dead run's calls ended before.
        assert_eq!(Settle::ended_by(Some(1_000), 1_002_000), 1_002_000);
        // A first-version intent without a time.
        assert_eq!(Settle::ended_by(None, 1_002_000), 1_002_000);
    }

    #[test]
    fn the_orphan_window_reaches_the_settle_bound() {
        let open = row(&[(Some(1_000), Some(1_030_000))], 0);
        let skew = SKEW.as_secs() as i64;
        // From the intent less the skew to the end plus settle plus the skew.
        assert!(SETTLE.could_have_made(&open, Some(1_000 - skew)));
        assert!(!SETTLE.could_have_made(&open, Some(1_000 - skew - 1)));
        assert!(SETTLE.could_have_made(&open, Some(1_030 + 60 + skew)));
        assert!(!SETTLE.could_have_made(&open, Some(1_030 + 60 + skew + 1)));
        // A longer settle time widens it: a key that appears within it is the row's.
        let longer = Settle {
            window: Duration::from_secs(600),
        };
        assert!(longer.could_have_made(&open, Some(1_030 + 600)));
        // Unbounded without times.
        assert!(SETTLE.could_have_made(&row(&[(None, None)], 0), Some(0)));
        assert!(SETTLE.could_have_made(&open, None));
        assert!(!SETTLE.could_have_made(&row(&[], 0), None));
    }

    #[test]
    fn a_time_is_shown_on_the_second_after_it() {
        assert_eq!(
            shown_time(1_000_000_500, 1_000_000_000),
            "1970-01-12T13:46:41Z (in 1s)"
        );
        assert_eq!(
            shown_time(1_000_000_000, 1_000_000_000),
            "1970-01-12T13:46:40Z"
        );
    }
}
