//! Maintainer tasks of the workspace, run as `cargo xtask <task>`.
//!
//! - `generate`: regenerate `codegen/src` from `openapi/openrouter-keys.yaml`.
//! - `check`: fail with a unified diff when `codegen/src` has drifted from the spec.
//! - `spec-diff UPSTREAM`: compare our spec's key operations with OpenRouter's published spec
//!   (a file or an http(s) URL).
//!
//! Errors are printed as one paragraph and exit with code 1; nothing here panics on bad input.

mod check;
mod convert;
mod error;
mod essential;
mod fetch;
mod generate;
mod load;
mod preflight;
mod seam;
mod shape;
mod spec_diff;
mod split;
mod strip;

use error::XtaskError;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <generate|check> [--spec PATH] [--root DIR]
       cargo xtask spec-diff UPSTREAM [--json] [--ours PATH] [--timeout SECS]

  generate   regenerate codegen/src from the spec (default openapi/openrouter-keys.yaml)
  check      exit 1 with a diff when codegen/src differs from what the spec generates

  --spec PATH  the spec to generate from (default: DIR/openapi/openrouter-keys.yaml)
  --root DIR   the workspace whose codegen/src is written or checked (default: this one)

  spec-diff  compare the key operations (/key, /keys and below) with an upstream OpenAPI
             3.0/3.1 document, a file or an http(s):// URL (fetched within --timeout,
             default 30 s, at most 16 MiB): exit 1 when ours is behind or differs, 0 when
             equal or only ahead, 2 when a document cannot be read";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("spec-diff") {
        return run_spec_diff(&args[1..]);
    }
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The repository root: the parent of this crate's directory.
fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

fn run(args: &[String]) -> Result<ExitCode, XtaskError> {
    let (task, rest) = match args.split_first() {
        Some((task, rest)) => (task.as_str(), rest),
        None => {
            eprintln!("{USAGE}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut root = repo_root();
    let mut spec = None;
    let mut flags = rest.iter();
    while let Some(flag) = flags.next() {
        let value = flags.next().map(PathBuf::from);
        match (flag.as_str(), value) {
            ("--spec", Some(path)) => spec = Some(path),
            ("--root", Some(dir)) => root = dir,
            _ => {
                return Err(XtaskError::new(format!(
                    "unexpected arguments {rest:?}\n{USAGE}"
                )));
            }
        }
    }
    let spec = spec.unwrap_or_else(|| root.join(generate::SPEC_PATH));
    match task {
        "generate" => {
            // Progress for a person watching; scripts and tests read errors only.
            if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                eprintln!(
                    "generating codegen/src from {} with progenitor…",
                    spec.display()
                );
            }
            let files = generate::generate_files(&spec)?;
            for file in &files {
                let path = root.join(&file.path);
                let unchanged = std::fs::read_to_string(&path).is_ok_and(|t| t == file.contents);
                if !unchanged {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            XtaskError::new(format!("cannot create its folder: {e}"))
                                .in_file(file.path.display().to_string())
                        })?;
                    }
                    std::fs::write(&path, &file.contents).map_err(|e| {
                        XtaskError::new(format!("cannot write it: {e}"))
                            .in_file(file.path.display().to_string())
                    })?;
                }
                let state = if unchanged { "unchanged" } else { "written" };
                println!("{state:>9}  {}", file.path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        "check" => {
            let files = generate::generate_files(&spec)?;
            let drift = check::find_drift(&root, &files)?;
            if drift.is_empty() {
                println!("codegen/src matches {}", generate::SPEC_PATH);
                return Ok(ExitCode::SUCCESS);
            }
            for d in &drift {
                eprintln!(
                    "{} differs from what the spec generates:\n{}",
                    d.path, d.diff
                );
            }
            eprintln!(
                "error: {} generated file(s) drifted from the spec; run `cargo xtask generate` \
                 and commit the result with the spec change",
                drift.len()
            );
            Ok(ExitCode::from(1))
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(XtaskError::new(format!("unknown task `{other}`\n{USAGE}"))),
    }
}

/// `spec-diff`: exit 0 (same or ahead), 1 (behind or changed) or 2 (unreadable input).
fn run_spec_diff(args: &[String]) -> ExitCode {
    let mut upstream = None;
    let mut ours = repo_root().join(generate::SPEC_PATH);
    let mut as_json = false;
    let mut timeout = fetch::DEFAULT_TIMEOUT;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--json" => as_json = true,
            "--timeout" => match rest.next().and_then(|s| s.parse::<f64>().ok()) {
                Some(secs) if secs.is_finite() && secs > 0.0 && secs <= 3600.0 => {
                    timeout = std::time::Duration::from_secs_f64(secs);
                }
                _ => {
                    return usage_error(
                        "--timeout needs a number of seconds, more than 0 and at most 3600",
                    );
                }
            },
            "--ours" => match rest.next() {
                Some(path) => ours = PathBuf::from(path),
                None => return usage_error("--ours needs a path"),
            },
            location if upstream.is_none() && !location.starts_with("--") => {
                upstream = Some(location.to_string());
            }
            other => return usage_error(&format!("unexpected argument `{other}`")),
        }
    }
    let Some(upstream) = upstream else {
        return usage_error("spec-diff needs the path of the upstream document");
    };
    let loaded = load::load_file(&ours).and_then(|o| {
        let u = if fetch::is_url(&upstream) {
            fetch::fetch_document(&upstream, timeout)?
        } else {
            load::load_file(Path::new(&upstream))?
        };
        let report = spec_diff::diff(&o, &u).map_err(|e| e.in_file(&upstream))?;
        Ok(report)
    });
    let report = match loaded {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if as_json {
        emit(&format!("{:#}\n", report.to_json()));
    } else {
        emit(&report.to_text(&ours.display().to_string(), &upstream));
    }
    if report.needs_work() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
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

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n{USAGE}");
    ExitCode::from(2)
}
