//! `completions`: each shell's script, loaded into that shell, completes flags, flag values
//! and subcommands (bash always; zsh and fish where installed); and a closed pipe.

use crate::common::{Fake, assert_code, installed, output_within, stderr, stdout, tempdir};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Command lines (the cursor at the end, where Tab is pressed) and what completes them.
const CASES: &[(&str, &[&str])] = &[
    ("openrouter-keys bul", &["bulk-create", "bulk-delete"]),
    (
        "openrouter-keys list --format ",
        &["csv", "json", "ndjson", "table"],
    ),
    (
        "openrouter-keys rotate --then ",
        &["delete", "disable", "keep"],
    ),
    ("openrouter-keys create --re", &["--reset"]),
    (
        "openrouter-keys report --format ",
        &["csv", "html", "table"],
    ),
    ("openrouter-keys --quiet get --for", &["--format"]),
    ("openrouter-keys bulk-delete --conc", &["--concurrency"]),
];

/// A driver script of `tests/cli/shells/`.
fn driver(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/shells")
        .join(name)
}

/// The CLI's completion script for `shell`, written to `dir`.
fn script(dir: &Path, shell: &str) -> PathBuf {
    let fake = Fake::start();
    let output = fake.run(dir, &["completions", shell]);
    assert_code(&output, 0);
    let path = dir.join(format!("openrouter-keys.{shell}"));
    std::fs::write(&path, &output.stdout).expect("the script is written");
    path
}

/// Runs `complete` for every case and compares what it offers, sorted, with the case's.
fn completes_every_case(shell: &str, complete: impl Fn(&str) -> Command) {
    for (line, expected) in CASES {
        let output = output_within(&mut complete(line), Duration::from_secs(60));
        assert_code(&output, 0);
        let mut offered: Vec<String> = stdout(&output)
            .lines()
            // fish prints `match<TAB>description`.
            .map(|l| l.split('\t').next().unwrap_or("").to_string())
            .filter(|l| !l.is_empty())
            .collect();
        offered.sort();
        assert_eq!(offered, *expected, "{shell} completing `{line}`");
    }
}

#[test]
fn bash_completes_flags_values_and_subcommands() {
    let Some(bash) = installed("bash", "bash completions") else {
        return;
    };
    let dir = tempdir();
    let script = script(dir.path(), "bash");
    completes_every_case("bash", |line| {
        let mut command = Command::new(&bash);
        command
            .args(["--norc", "--noprofile"])
            .arg(driver("complete.bash"))
            .arg(&script)
            .arg(line);
        command
    });
}

#[test]
fn zsh_completes_flags_values_and_subcommands() {
    let Some(zsh) = installed("zsh", "zsh completions") else {
        return;
    };
    let dir = tempdir();
    let script = script(dir.path(), "zsh");
    completes_every_case("zsh", |line| {
        let mut command = Command::new(&zsh);
        command
            .arg("-f")
            .arg(driver("complete.zsh"))
            .arg(&script)
            .arg(line)
            .env("TMPDIR", dir.path());
        command
    });
}

#[test]
fn fish_completes_flags_values_and_subcommands() {
    let Some(fish) = installed("fish", "fish completions") else {
        return;
    };
    let dir = tempdir();
    let script = script(dir.path(), "fish");
    completes_every_case("fish", |line| {
        let mut command = Command::new(&fish);
        command
            .arg("--no-config")
            .arg("-c")
            .arg("source $argv[1]; complete --do-complete $argv[2]")
            .arg(&script)
            .arg(line)
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path());
        command
    });
}

#[cfg(unix)]
#[test]
fn completions_on_a_closed_pipe_exit_quietly() {
    let fake = Fake::start();
    let dir = tempdir();
    // The read end is closed before the CLI starts: its first write fails with EPIPE.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = fake
        .cli(dir.path())
        .args(["completions", "bash"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
        .wait_with_output()
        .unwrap();
    assert_code(&output, 0);
    assert_eq!(stderr(&output), "", "no panic, no message");
}
