//! Files that hold secrets: 0600 from the first byte, never overwritten unasked, checked
//! before any key exists, and never lost (a removed file or directory, a closed stdout).

use crate::common;
use crate::common::{
    Fake, assert_code, hashes_named, secrets, stderr, stdout, tempdir, wait_until, write,
};
use openrouter_keys_testkit::{Fault, Route};

#[cfg(unix)]
#[test]
fn secret_files_are_0600_and_never_overwritten_without_force() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(
        dir.path(),
        &["create", "--name", "a", "--secret-file", "a.key"],
    );
    assert_code(&output, 0);
    let path = dir.path().join("a.key");
    assert_eq!(common::mode(&path), 0o600);
    let secret = std::fs::read_to_string(&path).unwrap().trim().to_string();
    assert!(
        !stdout(&output).contains(&secret),
        "stdout has the secret despite --secret-file"
    );
    let output = fake.run(
        dir.path(),
        &["create", "--name", "b", "--secret-file", "a.key"],
    );
    assert_code(&output, 2);
    assert_eq!(
        fake.server.created_key_count(),
        1,
        "refused before creating"
    );
    let output = fake.run(
        dir.path(),
        &["create", "--name", "b", "--secret-file", "a.key", "--force"],
    );
    assert_code(&output, 0);
    assert_eq!(common::mode(&path), 0o600);
    assert_ne!(std::fs::read_to_string(&path).unwrap().trim(), secret);
}

#[cfg(unix)]
#[test]
fn create_finds_secret_file_problems_before_the_key_exists() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(
        dir.path(),
        &["create", "--name", "c4", "--secret-file", "nodir/x.key"],
    );
    assert_ne!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("nodir/x.key"),
        "{}",
        stderr(&output)
    );
    std::os::unix::fs::symlink("missing", dir.path().join("dang.key")).unwrap();
    let output = fake.run(
        dir.path(),
        &["create", "--name", "s", "--secret-file", "dang.key"],
    );
    assert_code(&output, 2);
    let output = fake.run(
        dir.path(),
        &[
            "create",
            "--name",
            "f",
            "--secret-file",
            "nodir/x.key",
            "--force",
        ],
    );
    assert_ne!(output.status.code(), Some(0));
    assert_eq!(fake.server.created_key_count(), 0, "no key was created");

    // A create the API refuses leaves no empty secret file behind.
    fake.server.inject(Route::CreateKeys, Fault::status(400));
    let output = fake.run(
        dir.path(),
        &["create", "--name", "r", "--secret-file", "r.key"],
    );
    assert_code(&output, 1);
    assert!(!dir.path().join("r.key").exists());

    // The file exists (0600, empty) while the key is being created, then holds the secret.
    let output = fake.run(
        dir.path(),
        &["create", "--name", "ok", "--secret-file", "ok.key"],
    );
    assert_code(&output, 0);
    assert_eq!(common::mode(&dir.path().join("ok.key")), 0o600);
    let secret = std::fs::read_to_string(dir.path().join("ok.key")).unwrap();
    assert!(secret.starts_with("sk-or-v1-"));
}

/// When the secret cannot reach its destination (a closed pipe, a full disk, a secret file
/// removed while the key was being created), `create` fails with the key's hash and the
/// command that deletes it, never saying "created key"; a closed stdout is refused before
/// the key exists.
#[cfg(unix)]
#[test]
fn create_fails_with_the_way_back_when_the_secret_is_lost() {
    use std::process::Stdio;
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    let lost = |output: &std::process::Output, name: &str| {
        assert_code(output, 1);
        let text = stderr(output);
        let hash = hashes_named(&fake, name)
            .pop()
            .expect("the key was created");
        assert!(
            text.contains(&format!("openrouter-keys delete {hash} --yes")),
            "{text}"
        );
        assert!(!text.contains("created key"), "{text}");
    };
    // A pipe whose reader is gone.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = fake
        .cli(d)
        .args(["create", "--name", "bp1"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    lost(&output, "bp1");
    // A full device.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = fake
        .cli(d)
        .args(["create", "--name", "bp3"])
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    lost(&output, "bp3");
    // A closed stdout: refused before the key exists.
    let output = {
        let command = fake.cli(d);
        let program = command.get_program().to_owned();
        let mut shell = std::process::Command::new("sh");
        shell.current_dir(d);
        for (key, value) in command.get_envs() {
            match value {
                Some(v) => shell.env(key, v),
                None => shell.env_remove(key),
            };
        }
        shell
            .arg("-c")
            .arg("exec \"$0\" create --name bp2 >&-")
            .arg(program)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("stdout is closed"),
        "{}",
        stderr(&output)
    );
    assert!(hashes_named(&fake, "bp2").is_empty());
    // The secret file's directory removed while the key is being created.
    std::fs::create_dir(d.join("sub")).unwrap();
    fake.server.inject(
        Route::CreateKeys,
        Fault::Delay(std::time::Duration::from_millis(1_500)),
    );
    let child = fake
        .cli(d)
        .args(["create", "--name", "v", "--secret-file", "sub/v.key"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    std::fs::remove_dir_all(d.join("sub")).unwrap();
    lost(&child.wait_with_output().unwrap(), "v");
}

/// `--force` never bypasses the path checks: the input CSV, or a directory, as the secrets
/// file is refused before any key exists.
#[test]
fn force_does_not_bypass_the_path_checks() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(d, "same.csv", "name\nsame-1\n");
    std::fs::create_dir(d.join("dd")).unwrap();
    for args in [
        &[
            "bulk-create",
            "same.csv",
            "--secrets-out",
            "same.csv",
            "--force",
        ][..],
        &[
            "bulk-create",
            "same.csv",
            "--secrets-out",
            "./same.csv",
            "--force",
        ],
        &["bulk-create", "same.csv", "--secrets-out", "dd", "--force"],
        &["create", "--name", "x", "--secret-file", "dd", "--force"],
        &["create", "--name", "x", "--secret-file", "dd"],
        &[
            "rotate",
            "--match",
            "*",
            "--secrets-out",
            "dd",
            "--force",
            "--yes",
        ],
    ] {
        let output = fake.run(d, args);
        assert_code(&output, 2);
        assert_eq!(fake.server.created_key_count(), 0, "{args:?}");
    }
    assert_eq!(
        std::fs::read_to_string(d.join("same.csv")).unwrap(),
        "name\nsame-1\n"
    );
}

/// The secrets directory removed mid-run loses nothing: the journal is restored, the secrets
/// file written, and a rerun makes no key twice.
#[cfg(unix)]
#[test]
fn a_secrets_directory_removed_mid_run_loses_nothing() {
    use std::process::Stdio;
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    let mut csv = String::from("name\n");
    for i in 0..20 {
        csv.push_str(&format!("gd-{i:02}\n"));
    }
    write(d, "gone.csv", &csv);
    std::fs::create_dir(d.join("gdir")).unwrap();
    fake.server.inject_n(
        Route::CreateKeys,
        Fault::Delay(std::time::Duration::from_millis(100)),
        20,
    );
    let args = [
        "bulk-create",
        "gone.csv",
        "--secrets-out",
        "gdir/sec.csv",
        "--concurrency",
        "2",
    ];
    let child = fake
        .cli(d)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(|| fake.server.created_key_count() >= 4);
    std::fs::remove_dir_all(d.join("gdir")).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_code(&output, 0);
    assert!(stderr(&output).contains("restored"), "{}", stderr(&output));
    assert_eq!(secrets(d, "gdir/sec.csv").len(), 20);
    let output = fake.run(d, &args);
    assert_code(&output, 0);
    assert_eq!(fake.server.created_key_count(), 20, "no key made twice");
}
