//! The one module that writes to the process's standard streams, reads stdin, and asks the
//! terminal questions: data on stdout, progress, notes and errors on stderr, the y/N
//! prompt, data read from stdin. Everything else builds text and hands it here (`render/` for keys).
//!
//! Outside this module `println!`, `eprintln!` and `std::io::{stdout, stderr, stdin}` are
//! refused by clippy (`main.rs` and `cli/clippy.toml`), so that the rules below hold
//! everywhere: stdout is data; stderr is everything else, and `--quiet` silences only
//! progress and summaries; a closed stdout stops a command quietly, except where what is
//! lost is a secret.

mod progress;
mod streams;

pub use progress::Progress;
pub use streams::Printer;
