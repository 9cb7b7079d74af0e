//! Shared support of the xtask's tests: the workspace, fixtures, scratch folders, the xtask
//! binary, and the Rust sources of a folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A file of `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh, empty folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the xtask binary with `args`.
pub fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The upstream snapshot of OpenRouter's spec (its API-keys part), when this machine has it.
pub fn upstream_snapshot() -> Option<PathBuf> {
    upstream_file("openapi-keys-subset.yaml")
}

/// OpenRouter's whole published spec, when this machine has it.
pub fn upstream_full() -> Option<PathBuf> {
    upstream_file("openapi-full.yaml")
}

/// A file of the upstream snapshots: in `$OPENROUTER_UPSTREAM_DIR` when set (a worktree
/// elsewhere than beside `shared/`), else `../shared/openrouter/upstream` beside the workspace.
fn upstream_file(name: &str) -> Option<PathBuf> {
    let dir = match std::env::var_os("OPENROUTER_UPSTREAM_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => repo_root().join("../shared/openrouter/upstream"),
    };
    let upstream = dir.join(name);
    if upstream.exists() {
        Some(upstream)
    } else {
        println!("skipped: {} is absent", upstream.display());
        None
    }
}

/// Every `.rs` file under `dir`, as (path relative to the workspace root, text), in path order.
pub fn rust_files(dir: &str) -> Vec<(String, String)> {
    let root = repo_root();
    let mut pending = vec![root.join(dir)];
    let mut files = Vec::new();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let relative = path.strip_prefix(&root).unwrap().display().to_string();
                files.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}
