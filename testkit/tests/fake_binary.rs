//! The `openrouter-keys-fake` binary as a user meets it: `--help`, mistakes, and the lines it
//! prints to paste into another shell.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn fake() -> Command {
    Command::new(env!("CARGO_BIN_EXE_openrouter-keys-fake"))
}

#[test]
fn help_lists_the_routes_and_the_fault_syntax() {
    let output = fake().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "--fault ROUTE=FAULT[*N]",
        "createKeys",
        "getCurrentKey",
        "429:retry=SECONDS",
        "delay=MILLISECONDS",
        "close-before",
        "invalid-json",
    ] {
        assert!(
            help.contains(expected),
            "`{expected}` missing from:\n{help}"
        );
    }
}

#[test]
fn an_unknown_fault_or_route_lists_the_valid_ones() {
    let output = fake()
        .args(["--fault", "createKeys=boom"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown fault `boom`"), "{stderr}");
    assert!(stderr.contains("close-after"), "{stderr}");

    let output = fake().args(["--fault", "rotate=500"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown route `rotate`"), "{stderr}");
    assert!(stderr.contains("deleteKeys"), "{stderr}");
}

#[test]
fn it_prints_copy_paste_credentials_and_takes_either_route_spelling() {
    let mut child = fake()
        .args([
            "--port",
            "0",
            "--fault",
            "CreateKeys=503*2",
            "--fault",
            "list=500",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.contains("Ctrl-C");
        lines.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = lines.join("\n");
    let base = lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("export OPENROUTER_BASE_URL="))
        .unwrap_or_else(|| panic!("no base URL line in:\n{text}"));
    assert!(base.starts_with("http://127.0.0.1:"), "{text}");
    let key = lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("export OPENROUTER_API_KEY="))
        .unwrap_or_else(|| panic!("no key line in:\n{text}"));
    assert!(key.starts_with("sk-or-"), "{text}");
}
