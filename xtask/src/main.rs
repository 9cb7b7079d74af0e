//! Maintainer tasks of the workspace, run as `cargo xtask <task>`.
//!
//! - `generate`: regenerate `codegen/src` from `openapi/openrouter-keys.yaml` (`generate/`).
//! - `check`: fail with a unified diff when `codegen/src` has drifted from the spec.
//! - `spec-diff UPSTREAM`: compare our spec's operations with OpenRouter's published spec, a
//!   file or an http(s) URL (`spec_diff/`).
//!
//! Shared by both: `document.rs` (reading an OpenAPI document), `json_pointer.rs` (pointers
//! and `$ref`s), `error.rs` (the one error type). Errors are printed as one paragraph; nothing
//! here panics on bad input. A command line clap cannot parse exits 2.

mod document;
mod error;
mod generate;
mod json_pointer;
mod spec_diff;

use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Maintainer tasks of the openrouter-keys workspace.
#[derive(Debug, Parser)]
#[command(bin_name = "cargo xtask", arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Regenerate codegen/src from the spec.
    Generate(Generation),
    /// Exit 1 with a diff when codegen/src differs from what the spec generates.
    Check(Generation),
    /// Compare our operations with an upstream OpenAPI 3.0/3.1 document.
    ///
    /// Every operation of our spec, and upstream's under the same first path segments (/keys,
    /// /guardrails, ...); those under our spec's x-covered-in-part prefixes that we do not
    /// declare are listed as not covered. Exit 1 when ours is behind or differs, 0 when equal,
    /// only ahead or not covered, 2 when a document cannot be read.
    SpecDiff {
        /// The upstream document: a file, or an http(s):// URL (at most 16 MiB).
        upstream: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Our spec [default: openapi/openrouter-keys.yaml of this workspace].
        #[arg(long, value_name = "PATH")]
        ours: Option<PathBuf>,
        /// How long fetching an upstream URL may take, in seconds (more than 0, at most 3600)
        /// [default: 30].
        #[arg(long, value_name = "SECS", value_parser = parse_timeout)]
        timeout: Option<Duration>,
    },
}

/// What `generate` and `check` work on.
#[derive(Debug, Args)]
struct Generation {
    /// The spec to generate from [default: DIR/openapi/openrouter-keys.yaml].
    #[arg(long, value_name = "PATH")]
    spec: Option<PathBuf>,
    /// The workspace whose codegen/src is written or checked [default: this one].
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

impl Generation {
    /// The spec and the root, defaults filled in.
    fn paths(self) -> (PathBuf, PathBuf) {
        let root = self.root.unwrap_or_else(repo_root);
        let spec = self.spec.unwrap_or_else(|| root.join(generate::SPEC_PATH));
        (spec, root)
    }
}

fn main() -> ExitCode {
    let outcome = match Cli::parse().task {
        Task::Generate(generation) => {
            let (spec, root) = generation.paths();
            generate::write(&spec, &root)
        }
        Task::Check(generation) => {
            let (spec, root) = generation.paths();
            generate::check(&spec, &root)
        }
        Task::SpecDiff {
            upstream,
            json,
            ours,
            timeout,
        } => {
            return spec_diff::run(&spec_diff::Request {
                upstream,
                ours: ours.unwrap_or_else(|| repo_root().join(generate::SPEC_PATH)),
                as_json: json,
                timeout: timeout.unwrap_or(spec_diff::DEFAULT_TIMEOUT),
            });
        }
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::from(1)
    })
}

/// The repository root: the parent of this crate's directory.
fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// `--timeout`: a number of seconds, more than 0 and at most an hour.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 3600.0 => {
            Ok(Duration::from_secs_f64(secs))
        }
        _ => Err("a number of seconds, more than 0 and at most 3600".into()),
    }
}
