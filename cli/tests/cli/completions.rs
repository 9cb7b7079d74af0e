//! `completions`: three shells, and a closed pipe.

use crate::common::{Fake, assert_code, stderr, stdout, tempdir};
use std::process::Stdio;

#[test]
fn completions_for_three_shells() {
    let fake = Fake::start();
    let dir = tempdir();
    for shell in ["bash", "zsh", "fish"] {
        let output = fake.run(dir.path(), &["completions", shell]);
        assert_code(&output, 0);
        assert!(stdout(&output).contains("bulk-create"));
    }
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
