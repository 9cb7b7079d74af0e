//! The defects an operator review found (issue 14's review), one test each: every test here
//! failed before its fix.

mod common;

use common::{Fake, assert_code, csv_rows, stderr, stdout};
use openrouter_keys_testkit::{Fault, Route};
use std::path::Path;
use std::process::Stdio;

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp dir")
}

/// The hash of the only key with this name.
fn hash_of(fake: &Fake, name: &str) -> String {
    fake.all_keys()
        .into_iter()
        .find(|k| k.name.as_deref() == Some(name))
        .map(|k| k.hash)
        .expect("the key exists")
}

fn create(fake: &Fake, dir: &Path, name: &str, extra: &[&str]) {
    let mut args = vec!["create", "--name", name];
    args.extend_from_slice(extra);
    assert_code(&fake.run(dir, &args), 0);
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

#[test]
fn bulk_create_refuses_unknown_columns_and_names_the_known_ones() {
    let fake = Fake::start();
    let dir = tempdir();
    std::fs::write(dir.path().join("t.csv"), "name,limt\ntypo-1,5\n").unwrap();
    let output = fake.run(
        dir.path(),
        &["bulk-create", "t.csv", "--secrets-out", "s.csv"],
    );
    assert_code(&output, 2);
    let text = stderr(&output);
    assert!(text.contains("`limt`"), "{text}");
    for known in [
        "name",
        "limit",
        "limit_reset",
        "expires_at",
        "include_byok_in_limit",
    ] {
        assert!(text.contains(known), "{known} not named: {text}");
    }
    assert_eq!(fake.server.created_key_count(), 0);
    assert!(!dir.path().join("s.csv.journal").exists());
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

#[test]
fn an_expiry_in_the_past_is_refused_before_any_request() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(
        dir.path(),
        &[
            "create",
            "--name",
            "p",
            "--expires-at",
            "2020-01-01T00:00:00Z",
        ],
    );
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("in the past"),
        "{}",
        stderr(&output)
    );
    std::fs::write(dir.path().join("n.csv"), "name\na\n").unwrap();
    let output = fake.run(
        dir.path(),
        &[
            "bulk-create",
            "n.csv",
            "--secrets-out",
            "s.csv",
            "--expires-in",
            "0s",
        ],
    );
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("in the past"),
        "{}",
        stderr(&output)
    );
    std::fs::write(
        dir.path().join("p.csv"),
        "name,expires_at\na,2099-01-01T00:00:00Z\nb,2021-06-01T00:00:00Z\n",
    )
    .unwrap();
    let output = fake.run(
        dir.path(),
        &["bulk-create", "p.csv", "--secrets-out", "s.csv"],
    );
    assert_code(&output, 2);
    assert!(stderr(&output).contains("line 3"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("in the past"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        fake.server.total_requests(),
        0,
        "nothing was asked of the API"
    );
}

#[test]
fn report_totals_say_what_they_count() {
    let fake = Fake::start();
    let dir = tempdir();
    create(&fake, dir.path(), "a", &[]);
    create(&fake, dir.path(), "b", &[]);
    create(&fake, dir.path(), "c", &[]);
    let c = hash_of(&fake, "c");
    assert_code(&fake.run(dir.path(), &["disable", &c, "--yes"]), 0);

    let output = fake.run(dir.path(), &["report"]);
    assert_code(&output, 0);
    let text = stdout(&output);
    assert!(!text.contains("0 disabled"), "{text}");
    assert!(text.contains("1 disabled key left out"), "{text}");
    assert!(text.contains("no limits"), "{text}");
    assert!(!text.contains("0.00 in total"), "{text}");
    let output = fake.run(dir.path(), &["report", "--include-disabled"]);
    let text = stdout(&output);
    // a, b and the fake's own normal key; c.
    assert!(text.contains("3 active, 1 disabled"), "{text}");

    // A $0 limit with usage is at (past) its limit.
    create(&fake, dir.path(), "zero", &["--limit", "0"]);
    let zero = hash_of(&fake, "zero");
    assert!(fake.server.add_usage(&zero, 0.5));
    let output = fake.run(dir.path(), &["report", "--format", "html"]);
    assert_code(&output, 0);
    let html = stdout(&output);
    assert!(html.contains("at &ge; 80% of limit</th><td>1<"), "{html}");
    let output = fake.run(dir.path(), &["report"]);
    let text = stdout(&output);
    assert!(text.contains("at >= 80% of their limit: 1"), "{text}");
    assert!(text.contains(&zero), "{text}");
    assert!(text.contains("0.00 in total over 1 of 4 key(s)"), "{text}");
}

#[test]
fn an_unknown_create_outcome_says_which_command_to_run() {
    let fake = Fake::start();
    let dir = tempdir();
    fake.server.inject(Route::CreateKeys, Fault::status(500));
    let output = fake.run(dir.path(), &["create", "--name", "u"]);
    assert_code(&output, 4);
    let text = stderr(&output);
    assert!(text.contains("openrouter-keys list"), "{text}");
    assert!(text.contains("--match 'u'"), "{text}");
    assert!(
        !text.contains("client.keys()"),
        "library code shown: {text}"
    );
}

#[test]
fn a_wrong_base_url_is_not_also_a_missing_hash() {
    let fake = Fake::start();
    let dir = tempdir();
    let wrong = fake
        .server
        .base_url()
        .trim_end_matches("/api/v1")
        .to_string();
    // `GET /key`, which has no documented 404. (The fake answers an unknown path with
    // OpenRouter's error JSON, so a `list` there reads as a documented 404 of `GET /keys`;
    // the real site answers a web page, which the SDK does blame on the URL.)
    let output = fake.run(dir.path(), &["whoami", "--base-url", &wrong]);
    assert_code(&output, 1);
    let text = stderr(&output);
    assert!(text.contains("base URL"), "{text}");
    assert!(!text.contains("no key has this hash"), "{text}");
    // A hash that does not exist (right base URL) keeps its hint.
    let output = fake.run(dir.path(), &["get", "nope"]);
    assert!(stderr(&output).contains("no key has this hash"));
}

#[test]
fn a_refused_key_from_a_file_names_the_file() {
    let fake = Fake::start();
    let dir = tempdir();
    std::fs::write(dir.path().join("bad.key"), "sk-or-v1-not-a-key\n").unwrap();
    let output = fake.run(dir.path(), &["list", "--api-key-file", "bad.key"]);
    assert_code(&output, 1);
    let text = stderr(&output);
    assert!(text.contains("bad.key"), "{text}");
    assert!(!text.contains("OPENROUTER_API_KEY"), "{text}");
    // From the environment, the variable is named once.
    let output = fake
        .cli(dir.path())
        .env("OPENROUTER_API_KEY", "sk-or-v1-not-a-key")
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(stderr(&output).matches("OPENROUTER_API_KEY").count(), 1);
}

#[test]
fn a_failed_orphan_delete_is_reported_as_a_delete_failure() {
    let fake = Fake::start();
    let dir = tempdir();
    std::fs::write(dir.path().join("n.csv"), "name\norphan-1\n").unwrap();
    // The first create acts and its answer is lost: the row is in doubt and has an orphan,
    // whose deletion then fails every time.
    fake.server.inject(Route::CreateKeys, Fault::CloseAfterRead);
    fake.server
        .inject_n(Route::DeleteKeys, Fault::status(500), 1000);
    let output = fake.run(
        dir.path(),
        &[
            "--attempts",
            "1",
            "bulk-create",
            "n.csv",
            "--secrets-out",
            "s.csv",
        ],
    );
    assert_ne!(output.status.code(), Some(0));
    let text = stderr(&output);
    assert!(!text.contains("listing keys to reconcile failed"), "{text}");
    assert!(text.contains("deleting"), "{text}");
}

/// A key `svc` and the rotate command for it.
fn rotate_setup(fake: &Fake, dir: &Path) -> (String, Vec<String>) {
    create(fake, dir, "svc", &["--limit", "5"]);
    let old = hash_of(fake, "svc");
    let args = [
        "--attempts",
        "1",
        "rotate",
        old.as_str(),
        "--secrets-out",
        "new.csv",
        "--yes",
    ]
    .map(str::to_string)
    .to_vec();
    (old, args)
}

#[test]
fn rotate_reports_a_failed_verification_as_what_it_is() {
    let fake = Fake::start();
    let dir = tempdir();
    let (_, args) = rotate_setup(&fake, dir.path());
    fake.server
        .inject_n(Route::GetCurrentKey, Fault::status(503), 100);
    let output = fake.cli(dir.path()).args(&args).output().unwrap();
    assert_ne!(output.status.code(), Some(0));
    let text = stderr(&output);
    assert!(!text.contains("does not authenticate"), "{text}");
    assert!(text.contains("503"), "{text}");
    assert!(text.contains("could not verify"), "{text}");
    assert!(text.contains("new.csv"), "{text}");
    let secrets = csv_rows(&std::fs::read_to_string(dir.path().join("new.csv")).unwrap());
    assert_eq!(secrets.len(), 1, "the new secret is saved");
}

#[test]
fn rotate_counts_a_verified_replacement_whose_old_key_stayed_active() {
    let fake = Fake::start();
    let dir = tempdir();
    let (old, args) = rotate_setup(&fake, dir.path());
    fake.server
        .inject_n(Route::UpdateKeys, Fault::status(500), 100);
    let output = fake.cli(dir.path()).args(&args).output().unwrap();
    assert_ne!(output.status.code(), Some(0));
    let text = stderr(&output);
    assert!(
        text.contains("1 of 1 key(s) replaced and verified"),
        "{text}"
    );
    assert!(
        text.contains(&format!("cannot disable old key {old}")),
        "{text}"
    );
    assert!(text.contains("1 old key(s) still to disable"), "{text}");
}

#[test]
fn a_finished_batch_whose_keys_were_deleted_says_so() {
    let fake = Fake::start();
    let dir = tempdir();
    std::fs::write(dir.path().join("n.csv"), "name\ng-1\ng-2\ng-3\n").unwrap();
    let batch = ["bulk-create", "n.csv", "--secrets-out", "s.csv"];
    assert_code(&fake.run(dir.path(), &batch), 0);
    assert_code(&fake.run(dir.path(), &["bulk-delete", "s.csv", "--yes"]), 0);
    let output = fake.run(dir.path(), &batch);
    assert_code(&output, 3);
    let text = stderr(&output);
    assert!(!text.contains("3 of 3 rows have a key"), "{text}");
    assert!(text.contains("no longer exist"), "{text}");
    assert!(
        fake.all_keys()
            .iter()
            .all(|k| k.name.as_deref() != Some("g-1"))
    );
}

#[test]
fn a_long_rate_limit_wait_is_announced() {
    let fake = Fake::start();
    let dir = tempdir();
    fake.server
        .inject(Route::List, "429:retry=2".parse().unwrap());
    let output = fake.run(dir.path(), &["list"]);
    assert_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("waiting 2s"), "{text}");
    assert!(text.contains("list"), "{text}");
    assert!(text.contains("429"), "{text}");
}

// The review's "smaller" list.

#[test]
fn bulk_delete_tells_deleted_keys_from_keys_already_gone() {
    let fake = Fake::start();
    let dir = tempdir();
    create(&fake, dir.path(), "d", &[]);
    let hash = hash_of(&fake, "d");
    std::fs::write(
        dir.path().join("h.csv"),
        format!("hash\n{hash}\nnever-was\n"),
    )
    .unwrap();
    let output = fake.run(dir.path(), &["bulk-delete", "h.csv", "--yes"]);
    assert_code(&output, 0);
    let out = stdout(&output);
    assert!(out.contains(&format!("deleted {hash}")), "{out}");
    assert!(!out.contains("deleted never-was"), "{out}");
    assert!(stderr(&output).contains("never-was"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("1 already gone"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn json_details_keep_their_documented_field_order() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(dir.path(), &["create", "--name", "j", "--format", "json"]);
    assert_code(&output, 0);
    let text = stdout(&output);
    let at = |field: &str| text.find(&format!("\"{field}\"")).unwrap();
    assert!(at("key") < at("secret"), "{text}");
    assert!(
        at("hash") < at("name") && at("name") < at("label"),
        "{text}"
    );
    assert!(at("usage") < at("created_at"), "{text}");
    let output = fake.run(dir.path(), &["whoami", "--format", "json"]);
    let text = stdout(&output);
    let at = |field: &str| text.find(&format!("\"{field}\"")).unwrap();
    assert!(at("label") < at("is_management_key"), "{text}");
    assert!(
        at("limit") < at("usage") && at("usage") < at("expires_at"),
        "{text}"
    );
}

#[test]
fn report_csv_leaves_a_missing_limit_empty() {
    let fake = Fake::start();
    let dir = tempdir();
    create(&fake, dir.path(), "nolimit", &[]);
    let output = fake.run(
        dir.path(),
        &["report", "--format", "csv", "--match", "nolimit"],
    );
    let rows = csv_rows(&stdout(&output));
    assert_eq!(rows[0]["limit"], "");
    assert_eq!(rows[0]["limit_used_percent"], "");
}

#[test]
fn bad_flags_are_refused_as_flags_before_anything_happens() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(dir.path(), &["--attempts", "0", "list"]);
    assert_code(&output, 2);
    let output = fake.run(dir.path(), &["update", "somehash", "--name", "", "--yes"]);
    assert_code(&output, 2);
    assert!(
        !stderr(&output).contains("will update"),
        "{}",
        stderr(&output)
    );
    std::fs::write(dir.path().join("n.csv"), "name\na\nb\na\n").unwrap();
    let output = fake.run(
        dir.path(),
        &[
            "bulk-create",
            "n.csv",
            "--secrets-out",
            "s.csv",
            "--limit",
            "1e400",
        ],
    );
    assert_code(&output, 2);
    assert!(!stderr(&output).contains("line"), "{}", stderr(&output));
    assert!(stderr(&output).contains("--limit"), "{}", stderr(&output));
    let output = fake.run(
        dir.path(),
        &["bulk-create", "n.csv", "--secrets-out", "s.csv"],
    );
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("lines 2 and 4"),
        "{}",
        stderr(&output)
    );
    // A missing input file is a usage error too.
    let output = fake.run(
        dir.path(),
        &["bulk-create", "no.csv", "--secrets-out", "s.csv"],
    );
    assert_code(&output, 2);
    assert_eq!(fake.server.total_requests(), 0);
}

#[test]
fn no_api_key_names_every_variable_read() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake
        .cli(dir.path())
        .env_remove("OPENROUTER_API_KEY")
        .arg("whoami")
        .output()
        .unwrap();
    assert_code(&output, 2);
    for variable in [
        "OPENROUTER_API_KEY",
        "OPENROUTER_MANAGEMENT_KEY",
        "OPENROUTER_PROVISIONING_KEY",
    ] {
        assert!(stderr(&output).contains(variable), "{}", stderr(&output));
    }
}

#[test]
fn another_batchs_journal_is_explained() {
    let fake = Fake::start();
    let dir = tempdir();
    std::fs::write(dir.path().join("a.csv"), "name\na-1\n").unwrap();
    std::fs::write(dir.path().join("b.csv"), "name\nb-1\n").unwrap();
    assert_code(
        &fake.run(
            dir.path(),
            &["bulk-create", "a.csv", "--secrets-out", "s.csv"],
        ),
        0,
    );
    let output = fake.run(
        dir.path(),
        &["bulk-create", "b.csv", "--secrets-out", "s.csv", "--force"],
    );
    assert_code(&output, 2);
    assert!(stderr(&output).contains("move"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("s.csv.journal"),
        "{}",
        stderr(&output)
    );
    let output = fake.run(dir.path(), &["bulk-create", "--help"]);
    assert!(
        !stdout(&output).contains("it is replaced)"),
        "{}",
        stdout(&output)
    );
    let output = fake.run(dir.path(), &["bulk-delete", "--help"]);
    let help = stdout(&output);
    let line = help.lines().find(|l| l.contains("--concurrency")).unwrap();
    assert!(line.trim().len() > "--concurrency <N>".len() + 2, "{help}");
}

#[test]
fn a_journal_held_by_another_run_is_a_failure_not_a_usage_error() {
    let fake = Fake::start();
    let dir = tempdir();
    std::fs::write(dir.path().join("n.csv"), "name\nl-1\n").unwrap();
    let batch = ["bulk-create", "n.csv", "--secrets-out", "s.csv"];
    assert_code(&fake.run(dir.path(), &batch), 0);
    // Another run of the batch holds the journal's lock (an flock, as the CLI takes it).
    let journal = std::fs::File::open(dir.path().join("s.csv.journal")).unwrap();
    journal.lock().unwrap();
    let output = fake.run(dir.path(), &batch);
    assert_code(&output, 1);
    assert!(
        stderr(&output).contains("another run"),
        "{}",
        stderr(&output)
    );
    journal.unlock().unwrap();
    assert_code(&fake.run(dir.path(), &batch), 0);
}

/// A newcomer review found key names printed raw: an escape sequence in a name reached the
/// operator's terminal, and a line break split a table row.
#[test]
fn names_with_control_characters_are_escaped_for_humans_and_kept_for_machines() {
    let fake = Fake::start();
    let dir = tempdir();
    let name = "evil\u{1b}[31mred\nnext\u{202e}";
    create(&fake, dir.path(), name, &[]);
    let hash = hash_of(&fake, name);
    for args in [
        vec!["list"],
        vec!["get", hash.as_str()],
        vec!["report"],
        vec!["disable", "--match", "evil*", "--dry-run"],
    ] {
        let output = fake.run(dir.path(), &args);
        let shown = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!shown.contains('\u{1b}'), "{args:?}: {shown:?}");
        assert!(!shown.contains('\u{202e}'), "{args:?}: {shown:?}");
        assert!(!shown.contains("red\nnext"), "{args:?}: {shown:?}");
        assert!(
            shown.contains("evil\\u{1b}[31mred\\nnext"),
            "{args:?}: {shown:?}"
        );
    }
    // Machine formats keep the name as the API has it.
    let json = stdout(&fake.run(dir.path(), &["list", "--format", "json"]));
    let keys: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = keys
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["name"].as_str())
        .collect();
    assert!(names.contains(&name), "{names:?}");
}
