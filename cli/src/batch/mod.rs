//! Batches: creating many keys exactly once, across failures, crashes and reruns, and
//! taking each through its kind's further steps. The engine behind `bulk-create` and
//! `rotate`, and the pacing every bulk loop shares.
//!
//! - `row.rs`: a row (a key to create) and the ids rows are journaled by;
//! - `journal.rs`: the append-only journal and the exactly-once design;
//! - `provision.rs`: rounds of reconcile, create and steps;
//! - `steps.rs`: what a kind does with a row once its key exists ([`RowSteps`]);
//! - `reconcile.rs`: finding a batch's keys by listing them (orphans, keys deleted since,
//!   keys it did not make);
//! - `settle.rs`: when a create that ended without a clear answer can no longer make a key
//!   (`--settle`), and with it when a run may exit 0;
//! - `pace.rs`: [`Pacer`](pace::Pacer), every bulk loop's calls at the server's pace;
//! - `lifecycle.rs`: [`Batch`], what every batch goes through once, and [`BatchKind`],
//!   what differs between kinds (a new kind of batch implements it).

mod journal;
mod lifecycle;
pub mod pace;
mod provision;
mod reconcile;
mod row;
mod settle;
mod steps;

pub use journal::{Journal, Record, RowState, fingerprint};
pub use lifecycle::{Batch, BatchKind, Found, Provisioned};
pub use provision::{Outcome, RowResult};
pub use reconcile::{
    duplicate_names, preexisting, report_foreign, report_orphans, warn_preexisting,
};
pub use row::{KeyHash, Row, RowNumber};
pub use settle::{Settle, report_settling};
pub use steps::{NoSteps, RowSteps, StepFailure};
