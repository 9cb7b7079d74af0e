//! `completions`: each shell's script, loaded into that shell, completes flags, flag values,
//! subcommands and input files, and offers no file for a value that is not one (bash
//! always; zsh and fish where installed); and a closed pipe.

use crate::common::{Fake, assert_code, installed, output_within, stderr, stdout, tempdir};
use std::ffi::OsString;
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
    // Input files, on an empty word too (in a directory holding only INPUT_FILES).
    ("openrouter-keys bulk-delete ", &INPUT_FILES),
    ("openrouter-keys bulk-create st", &["students.csv"]),
    (
        "openrouter-keys bulk-create --secrets-out se",
        &["secrets.csv"],
    ),
    // Free values: nothing to offer, certainly not file names.
    ("openrouter-keys list --workspace ", &[]),
    ("openrouter-keys create --expires-at ", &[]),
    ("openrouter-keys update --limit ", &[]),
    // The shells there are scripts for, and only those.
    ("openrouter-keys completions ", &["bash", "fish", "zsh"]),
];

/// The files of the directory the shells complete in.
const INPUT_FILES: [&str; 3] = ["keys.csv", "secrets.csv", "students.csv"];

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

/// Loads the CLI's script for `shell` into that shell and compares what it offers for every
/// case, sorted, with the case's; `args(script, line)` are the shell's arguments to complete
/// `line`. Skipped, saying so, when the shell is not installed.
fn completes_every_case(shell: &str, args: impl Fn(&Path, &str) -> Vec<OsString>) {
    let Some(program) = installed(shell, &format!("{shell} completions")) else {
        return;
    };
    let dir = tempdir();
    let script = script(dir.path(), shell);
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    for file in INPUT_FILES {
        std::fs::write(work.join(file), "hash\n").unwrap();
    }
    for (line, expected) in CASES {
        let mut command = Command::new(&program);
        // Whatever the shell writes (zsh's setup file, fish's history) stays in `dir`.
        command
            .args(args(&script, line))
            .current_dir(&work)
            .env("TMPDIR", dir.path())
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path());
        let output = output_within(&mut command, Duration::from_secs(60));
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

/// `args` as the arguments of a command.
fn words(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    args.iter().map(|a| a.as_ref().to_os_string()).collect()
}

#[test]
fn bash_completes_flags_values_and_subcommands() {
    completes_every_case("bash", |script, line| {
        words(&[
            &"--norc",
            &"--noprofile",
            &driver("complete.bash"),
            &script,
            &line,
        ])
    });
}

#[test]
fn zsh_completes_flags_values_and_subcommands() {
    completes_every_case("zsh", |script, line| {
        words(&[&"-f", &driver("complete.zsh"), &script, &line])
    });
}

#[test]
fn fish_completes_flags_values_and_subcommands() {
    completes_every_case("fish", |script, line| {
        let command = "source $argv[1]; complete --do-complete $argv[2]";
        words(&[&"--no-config", &"-c", &command, &script, &line])
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
