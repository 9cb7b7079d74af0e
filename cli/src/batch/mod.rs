//! Batches: creating many keys exactly once, across failures, crashes and reruns. The
//! engine behind `bulk-create` and `rotate`.
//!
//! - `row.rs`: a row (a key to create) and the ids rows are journaled by;
//! - `journal.rs`: the append-only journal and the exactly-once design;
//! - `provision.rs`: rounds of reconcile-then-create, and the final sweep;
//! - `lifecycle.rs`: [`Batch`], what every batch goes through once, and [`BatchKind`],
//!   what differs between kinds (a new kind of batch implements it).

mod journal;
mod lifecycle;
mod provision;
mod row;

pub use journal::{Record, RowState, fingerprint};
pub use lifecycle::{Batch, BatchKind, Found, Provisioned};
pub use provision::{RowResult, duplicate_names, preexisting, report_foreign, warn_preexisting};
pub use row::{KeyHash, Row, RowNumber};
