//! Maintainer tasks of the workspace, run as `cargo xtask <task>`.
//!
//! - `generate`: regenerate `codegen/src` from `openapi/openrouter-keys.yaml`.
//! - `check`: fail with a unified diff when `codegen/src` has drifted from the spec.
//!
//! Errors are printed as one paragraph and exit with code 1; nothing here panics on bad input.

mod check;
mod convert;
mod error;
mod generate;
mod load;
mod preflight;
mod seam;

use error::XtaskError;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <generate|check> [--spec PATH] [--root DIR]

  generate   regenerate codegen/src from the spec (default openapi/openrouter-keys.yaml)
  check      exit 1 with a diff when codegen/src differs from what the spec generates

  --spec PATH  the spec to generate from (default: DIR/openapi/openrouter-keys.yaml)
  --root DIR   the workspace whose codegen/src is written or checked (default: this one)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
