//! The `openrouter-keys` binary end to end, against the testkit's fake started in-process:
//! one test binary, one module per command or concern (helpers in `common`).
//!
//! Run one module while working on it: `cargo test -p openrouter-keys-cli --test cli rotate::`.

mod common;

mod all_workspaces;
mod api_answers;
mod audit;
mod bulk_create;
mod bulk_delete;
mod changes;
mod completions;
mod config;
mod crash_points;
mod create;
mod exit_codes;
mod faults;
mod formats;
mod input_checks;
mod interrupt;
mod list;
mod messages;
mod report;
mod report_page;
mod rotate;
mod rotation_carries;
mod secret_as_hash;
mod secret_files;
mod settle;
mod spreadsheet_csv;
mod table_width;
mod terminal;
mod whoami;
