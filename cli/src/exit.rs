//! The documented exit codes (listed in `--help`, see `cli.rs`), and the one rule that turns
//! what became of each item of a command (a key, a CSV row) into one of them.
//!
//! A command that acts on several items reports each item's outcome to a [`Tally`]; the
//! tally's [`exit`](Tally::exit) is the command's code. A new exit rule goes here, and only
//! here.

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything asked for was done.
    Success = 0,
    /// 1: the API or the system failed.
    Failure = 1,
    /// 2: bad usage, or a change refused for lack of confirmation.
    Usage = 2,
    /// 3: a bulk command finished some items and failed others.
    Partial = 3,
    /// 4: a create may or may not have happened.
    OutcomeUnknown = 4,
    /// 5: done, except that a create which ended without a clear answer may still make a
    /// key until a time the run said (`--no-wait`); a rerun after it settles the batch.
    Settling = 5,
    /// 6: `audit` found keys that break a rule (a CI gate fails on it); everything else
    /// worked. Not 1: a gate must tell "the keys need work" from "the audit could not run".
    Findings = 6,
    /// 130: interrupted by Ctrl-C (128 + SIGINT, as shells report it).
    Interrupted = 130,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The code of an audit that ran to its end with this many findings: 6 when there are
    /// any, 0 when there are none.
    pub fn of_audit(findings: usize) -> Exit {
        if findings == 0 {
            Exit::Success
        } else {
            Exit::Findings
        }
    }
}

/// What became of one item of a command that acts on several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemOutcome {
    /// Done, in this run or an earlier one.
    Done,
    /// Part of it holds and part does not: a key a batch made and someone deleted since, a
    /// replacement verified whose old key could not be retired. Never a total failure.
    Partly,
    /// Failed; the exit code its error maps to on its own.
    Failed(Exit),
    /// May or may not have happened (a create without a clear answer, a check that could not
    /// finish).
    Unknown,
    /// Done, except that an earlier create of it that ended without a clear answer may still
    /// make a second key, for a while (`batch/settle.rs`).
    Settling,
}

/// The outcomes of a command's items, merged into its exit code.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    done: usize,
    partly: usize,
    unknown: usize,
    settling: usize,
    failed: usize,
    /// The exit code every failure so far shares, or `None` when there is none or they
    /// differ.
    failed_exit: Option<Exit>,
    mixed_failures: bool,
}

impl Tally {
    pub fn add(&mut self, outcome: ItemOutcome) {
        match outcome {
            ItemOutcome::Done => self.done += 1,
            ItemOutcome::Partly => self.partly += 1,
            ItemOutcome::Unknown => self.unknown += 1,
            ItemOutcome::Settling => self.settling += 1,
            ItemOutcome::Failed(exit) => {
                self.failed += 1;
                match self.failed_exit {
                    None if !self.mixed_failures => self.failed_exit = Some(exit),
                    Some(shared) if shared != exit => {
                        self.failed_exit = None;
                        self.mixed_failures = true;
                    }
                    _ => {}
                }
            }
        }
    }

    /// How many items failed.
    pub fn failed(&self) -> usize {
        self.failed
    }

    /// The command's exit code:
    ///
    /// - 4 when any item may or may not have happened (a rerun of a bulk command
    ///   reconciles it);
    /// - when no item failed or is partly done: 5 when any is settling (done, but a create
    ///   may still make a key for a while), else 0 (every item done, or there was none);
    /// - when every item failed, the code their errors share (1 when they differ): nothing
    ///   was done, so the run failed as a single call would have;
    /// - 3 otherwise: some items done (or partly, or settling), others failed.
    pub fn exit(&self) -> Exit {
        let done = self.done + self.settling;
        if self.unknown > 0 {
            Exit::OutcomeUnknown
        } else if self.failed == 0 && self.partly == 0 {
            if self.settling > 0 {
                Exit::Settling
            } else {
                Exit::Success
            }
        } else if done == 0 && self.partly == 0 {
            self.failed_exit.unwrap_or(Exit::Failure)
        } else {
            Exit::Partial
        }
    }
}

impl FromIterator<ItemOutcome> for Tally {
    fn from_iter<I: IntoIterator<Item = ItemOutcome>>(outcomes: I) -> Self {
        let mut tally = Tally::default();
        for outcome in outcomes {
            tally.add(outcome);
        }
        tally
    }
}

#[cfg(test)]
mod tests {
    use super::{Exit, ItemOutcome::*, Tally};

    fn exit(outcomes: &[super::ItemOutcome]) -> Exit {
        outcomes.iter().copied().collect::<Tally>().exit()
    }

    #[test]
    fn an_audit_fails_only_with_findings() {
        assert_eq!(Exit::of_audit(0), Exit::Success);
        assert_eq!(Exit::of_audit(3).code(), 6);
    }

    #[test]
    fn the_outcomes_of_items_merge_into_one_exit_code() {
        assert_eq!(exit(&[]), Exit::Success);
        assert_eq!(exit(&[Done, Done]), Exit::Success);
        assert_eq!(exit(&[Done, Failed(Exit::Failure)]), Exit::Partial);
        assert_eq!(exit(&[Partly]), Exit::Partial, "a partial item alone");
        assert_eq!(exit(&[Partly, Failed(Exit::Failure)]), Exit::Partial);
        assert_eq!(exit(&[Failed(Exit::Failure)]), Exit::Failure);
        assert_eq!(
            exit(&[Failed(Exit::Usage), Failed(Exit::Usage)]),
            Exit::Usage
        );
        assert_eq!(
            exit(&[
                Failed(Exit::Usage),
                Failed(Exit::Failure),
                Failed(Exit::Usage)
            ]),
            Exit::Failure,
            "failures that differ"
        );
        assert_eq!(
            exit(&[Done, Unknown, Failed(Exit::Failure)]),
            Exit::OutcomeUnknown
        );
        assert_eq!(exit(&[Done, Settling]), Exit::Settling);
        assert_eq!(exit(&[Settling, Failed(Exit::Failure)]), Exit::Partial);
        assert_eq!(exit(&[Settling, Unknown]), Exit::OutcomeUnknown);
    }
}
