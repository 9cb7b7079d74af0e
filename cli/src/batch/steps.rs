//! What a kind of batch does with a row once its key exists: [`RowSteps`].
//!
//! `bulk-create` has no further step ([`NoSteps`]); `rotate` gives the new key the old one's
//! guardrail and checks it holds it, verifies the new key, then retires the old one. The
//! engine runs a row's steps right after its key is made (or, on a rerun, as soon as the
//! row's turn comes), `--concurrency` rows at a time, so that the steps of different rows
//! overlap while each row goes through its own in order. Each step is journaled by the kind,
//! so that a rerun continues after the last one done.

use super::journal::{Journal, RowState};
use super::row::{Row, RowId};
use crate::context::Context;
use crate::error::CliError;
use crate::exit::ItemOutcome;
use std::future::Future;

/// Why a row's steps stopped in this run, and what holds of the row (a new key verified
/// whose old key could not be retired is partly done).
pub struct StepFailure {
    pub error: CliError,
    pub outcome: ItemOutcome,
}

/// The steps of a kind of batch after a row's key exists.
pub trait RowSteps<Id: RowId>: Sync {
    /// Whether the row, whose key exists, has steps left (by its journal, `state`).
    fn pending(&self, row: &Row<Id>, state: &RowState) -> bool;

    /// Runs the row's steps that are left, in order, each journaled; an error stops them for
    /// this run. Every API call goes through the context's pacer.
    fn run(
        &self,
        ctx: &Context,
        journal: &Journal<Id>,
        row: &Row<Id>,
    ) -> impl Future<Output = Result<(), StepFailure>>;
}

/// A batch whose rows are done once their key exists (`bulk-create`).
pub struct NoSteps;

impl<Id: RowId> RowSteps<Id> for NoSteps {
    fn pending(&self, _: &Row<Id>, _: &RowState) -> bool {
        false
    }

    async fn run(&self, _: &Context, _: &Journal<Id>, _: &Row<Id>) -> Result<(), StepFailure> {
        Ok(())
    }
}
