//! `cargo xtask spec-diff <UPSTREAM>`: what OpenRouter's published spec says about the
//! operations ours covers that ours does not (behind), says differently (changed), or lacks
//! (ahead).
//!
//! Every operation of ours is compared, and every upstream operation in the same families of
//! paths (`/keys`, `/guardrails`, ...); one upstream has and we lack is behind, except under
//! the prefixes our spec lists in `x-covered-in-part`, where it is listed as not covered
//! (`scope.rs`). Operations are matched by method and path template (parameter names
//! aside). Parameters are matched by location and name, bodies field by field (see `shape.rs`),
//! statuses by code, response headers by name, and security requirements by what their
//! schemes are (not what they are called).
//!
//! Where one side constrains a field more than the other (required, non-nullable, a narrower
//! type, a `format`, an `enum`, `minimum`/`maxLength`/`pattern`/...), the direction decides:
//! in a *response*, ours must accept whatever upstream may send, so ours stricter is
//! **changed** and ours looser is **ahead** (the tolerant reader); in a *request* (parameters,
//! body), what we send must be accepted upstream, so ours looser is **changed** and ours
//! stricter is **ahead**, except a value or `null` upstream accepts and we cannot send, which is
//! **behind**. Behind and changed exit 1; ahead alone exits 0, since our spec legitimately
//! knows fields the API added after its document was published.
//!
//! Here: the command (read both documents, compare, print, exit code). `scope.rs` says which
//! operations are compared, `compare.rs` holds the comparison, `shape.rs` the flattening of a
//! schema into fields, `report.rs` what was found and how it prints, `fetch.rs` the reading of
//! an `http(s)://` upstream.

mod compare;
mod fetch;
mod report;
mod scope;
mod shape;

use crate::document::load_file;
use crate::error::XtaskError;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

pub use fetch::DEFAULT_TIMEOUT;

/// What `cargo xtask spec-diff` was asked to compare, and how to print it.
#[derive(Debug)]
pub struct Request {
    /// The upstream document: a file, or an `http(s)://` URL.
    pub upstream: String,
    /// Our spec.
    pub ours: PathBuf,
    /// Print JSON instead of the readable report.
    pub as_json: bool,
    /// How long fetching an upstream URL may take.
    pub timeout: Duration,
}

/// Runs `spec-diff`: exit 0 (same or ahead), 1 (behind or changed) or 2 (a document that
/// cannot be read).
pub fn run(request: &Request) -> ExitCode {
    let report = match compare_documents(request) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if request.as_json {
        emit(&format!("{:#}\n", report.to_json()));
    } else {
        emit(&report.to_text(&request.ours.display().to_string(), &request.upstream));
    }
    if report.needs_work() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads both documents and compares them.
fn compare_documents(request: &Request) -> Result<report::Report, XtaskError> {
    let ours = load_file(&request.ours)?;
    let upstream = if fetch::is_url(&request.upstream) {
        fetch::fetch_document(&request.upstream, request.timeout)?
    } else {
        load_file(Path::new(&request.upstream))?
    };
    compare::diff(&ours, &upstream).map_err(|e| e.in_file(&request.upstream))
}

/// Writes `text` to stdout. A reader that went away (`| head`) is not an error: the rest is
/// dropped quietly, where `print!` would panic on the broken pipe.
fn emit(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the report to stdout: {e}");
        }
        _ => {}
    }
}
