//! On a terminal: changes are confirmed, secrets are not shown unasked.

use crate::common::{Fake, assert_code, create, disabled, stdout, tempdir};

/// Runs the CLI on a pseudo-terminal through util-linux `script`, feeding `input` to it.
/// `None` when `script` is not installed.
fn on_a_terminal(
    fake: &Fake,
    dir: &std::path::Path,
    args: &str,
    input: &str,
) -> Option<std::process::Output> {
    use std::io::Write;
    // A terminal of 80 columns, whatever the one running the tests.
    let command = format!(
        "stty cols 80 rows 24; {} {args}",
        env!("CARGO_BIN_EXE_openrouter-keys")
    );
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env("OPENROUTER_API_KEY", fake.server.management_key())
        .env("OPENROUTER_BASE_URL", fake.server.base_url())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    // Give the prompt a moment before answering, as a person would.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let _ = child.stdin.take()?.write_all(input.as_bytes());
    child.wait_with_output().ok()
}

#[test]
fn on_a_terminal_changes_are_confirmed_and_secrets_are_not_shown_unasked() {
    let fake = Fake::start();
    let dir = tempdir();
    create(&fake, dir.path(), "tty", &[]);
    let hash = fake
        .all_keys()
        .into_iter()
        .find(|k| k.name.as_deref() == Some("tty"))
        .unwrap()
        .hash;
    let Some(output) = on_a_terminal(&fake, dir.path(), &format!("disable {hash}"), "n\n") else {
        eprintln!("util-linux `script` is not installed: terminal behaviour not tested");
        return;
    };
    assert_code(&output, 2);
    let said = stdout(&output);
    assert!(said.contains("Proceed? [y/N]"), "{said}");
    // A deliberate no is an answer, said as such, not an error.
    assert!(said.contains("cancelled: nothing was changed"), "{said}");
    assert!(!said.contains("error"), "{said}");
    assert_eq!(disabled(&fake, &hash), Some(false));
    let output = on_a_terminal(&fake, dir.path(), &format!("disable {hash}"), "y\n").unwrap();
    assert_code(&output, 0);
    assert_eq!(disabled(&fake, &hash), Some(true));

    // A secret is not shown on a terminal unless asked for, and then no key is created.
    let output = on_a_terminal(&fake, dir.path(), "create --name shown", "").unwrap();
    assert_code(&output, 2);
    assert!(stdout(&output).contains("--show-secret"));
    assert!(
        !fake
            .server
            .created_key_names()
            .contains(&"shown".to_string())
    );
    let output = on_a_terminal(&fake, dir.path(), "create --name shown --show-secret", "").unwrap();
    assert_code(&output, 0);
    assert!(stdout(&output).contains("sk-or-v1-"));
}

#[test]
fn on_an_80_column_terminal_the_list_fits_and_an_empty_one_says_so() {
    let fake = Fake::start();
    let dir = tempdir();
    let name = "a-very-long-key-name-for-the-monthly-budget-of-the-research-team-２０２６";
    create(
        &fake,
        dir.path(),
        name,
        &["--limit", "1000000000", "--expires-in", "30d"],
    );
    let Some(output) = on_a_terminal(&fake, dir.path(), "list", "") else {
        eprintln!("util-linux `script` is not installed: terminal behaviour not tested");
        return;
    };
    assert_code(&output, 0);
    let table = stdout(&output);
    assert!(table.contains("a-very-long-key-name"), "{table}");
    for line in table.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(line.trim_end_matches('\r')) <= 80,
            "{line:?} is wider than the terminal:\n{table}"
        );
    }
    // Without this, a terminal shows nothing at all.
    let output = on_a_terminal(&fake, dir.path(), "list --match nothing-like-this", "").unwrap();
    assert_code(&output, 0);
    assert!(
        stdout(&output).contains("no key in the default workspace matches --match"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_batch_with_nothing_left_to_do_leaves_no_empty_line_on_a_terminal() {
    let fake = Fake::start();
    let dir = tempdir();
    std::fs::write(dir.path().join("in.csv"), "name\nt-1\nt-2\n").unwrap();
    let args = "bulk-create in.csv --secrets-out s.csv";
    let Some(first) = on_a_terminal(&fake, dir.path(), args, "") else {
        eprintln!("util-linux `script` is not installed: terminal behaviour not tested");
        return;
    };
    assert_code(&first, 0);
    let again = on_a_terminal(&fake, dir.path(), args, "").unwrap();
    assert_code(&again, 0);
    let said = stdout(&again);
    assert!(said.contains("resuming the batch"), "{said}");
    assert!(
        !said.replace('\r', "").contains("\n\n"),
        "an empty line where no bar was drawn:\n{said:?}"
    );
}
