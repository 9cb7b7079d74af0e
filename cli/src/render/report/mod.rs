//! The usage report (`report`): what it covers and when it was made, its totals, the keys
//! near their limit and the top spenders, written as a table for a terminal, CSV for a
//! spreadsheet, or one self-contained HTML page. The command gathers the keys
//! (`commands/report.rs`); everything here only builds text: `contents.rs` what every
//! format shows, one file per format.

mod contents;
mod csv;
mod html;
mod table;

pub use self::csv::csv;
pub use contents::{Guardrails, Report, Scope};
pub use html::html;
pub use table::table;
