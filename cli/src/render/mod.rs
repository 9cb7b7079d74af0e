//! How keys are shown: the text of names and amounts for humans, the stable JSON/CSV field
//! sets, the streaming list formats and the detail views. One place, so every command shows
//! keys the same way; it builds text and never prints it (`print/` does).
//!
//! A new output format goes in `list.rs` (a `ListFormat` variant, `cli.rs`); a new field of
//! the machine formats in `rows.rs` (fields are only ever added, at the end). Every CSV
//! for people writes its text cells through `spreadsheet.rs` (no cell a spreadsheet runs).
//! `audit`'s findings are written by `findings.rs`.

// `columns` and `text` are named by path from `print` and `given_hash`, which must not
// reach `report` (its contents read `select` and `guardrails`, which use the `Context`).
pub mod columns;
mod details;
mod findings;
mod list;
pub mod report;
mod rows;
mod spreadsheet;
pub mod text;

pub use columns::TableWidth;
pub use details::{current_key_details, key_details};
pub use findings::{audit_summary, findings_csv, findings_json, findings_table};
pub use list::{ListWriter, Shown};
pub use rows::{CreatedRow, CurrentKeyRow, KeyRow, SavedRow, pretty_json};
pub use spreadsheet::{neutralised, restored};
pub use text::{describe, printable, shown_name, usd};
