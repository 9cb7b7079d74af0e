//! `bulk-create`: the batch, its journal and reconciliation, reruns, keys it did not make.

use crate::common::{
    Fake, assert_code, csv_rows, hashes_named, secrets, stderr, stdout, tempdir, write,
};
use openrouter_keys::ExposeSecret;
use openrouter_keys_testkit::{Fault, Route};
use std::future::IntoFuture;

#[test]
fn bulk_create_then_bulk_delete_from_the_secrets_file() {
    let fake = Fake::start();
    let dir = tempdir();
    std::fs::write(
        dir.path().join("in.csv"),
        "Name,limit,limit_reset,expires_at,include_byok_in_limit\n\
         student-a,15,monthly,2030-01-01T00:00:00Z,true\n\
         student-b,,,,\n",
    )
    .unwrap();
    let output = fake.run(
        dir.path(),
        &[
            "bulk-create",
            "in.csv",
            "--secrets-out",
            "s.csv",
            "--limit",
            "3",
        ],
    );
    assert_code(&output, 0);
    let rows = csv_rows(&std::fs::read_to_string(dir.path().join("s.csv")).unwrap());
    assert_eq!(rows.len(), 2);
    let keys = fake.all_keys();
    let a = keys
        .iter()
        .find(|k| k.name.as_deref() == Some("student-a"))
        .unwrap();
    let b = keys
        .iter()
        .find(|k| k.name.as_deref() == Some("student-b"))
        .unwrap();
    assert_eq!(
        (a.limit, b.limit),
        (Some(15.0), Some(3.0)),
        "per-row values beat flag defaults"
    );
    assert!(a.include_byok_in_limit == Some(true) && a.expires_at.is_some());
    for row in &rows {
        let key = keys.iter().find(|k| k.hash == row["hash"]).unwrap();
        assert!(fake.authenticates_as(&row["key"], &key.label));
    }
    // Secrets never on stderr.
    for row in &rows {
        assert!(!stderr(&output).contains(&row["key"]));
    }
    // A create acted on late (sent by a killed run, processed after its listing) leaves a key
    // with a batch name and no saved secret: the next run's final sweep deletes it. That run
    // left its intent in the journal, unanswered, before the row's `created`.
    let journal = dir.path().join("s.csv.journal");
    let text = std::fs::read_to_string(&journal).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let created = text.find("{\"event\":\"created\",\"row\":\"2\"").unwrap();
    let text = format!(
        "{}{{\"event\":\"intent\",\"row\":\"2\",\"at\":{now}}}\n{}",
        &text[..created],
        &text[created..]
    );
    std::fs::write(&journal, text).unwrap();
    let stray = fake
        .runtime
        .block_on(
            fake.client()
                .keys()
                .create(openrouter_keys::NewKey::new("student-b"))
                .into_future(),
        )
        .unwrap();
    let output = fake.run(
        dir.path(),
        &[
            "bulk-create",
            "in.csv",
            "--secrets-out",
            "s.csv",
            "--limit",
            "3",
        ],
    );
    assert_code(&output, 0);
    assert!(
        stderr(&output).contains("1 key(s) made for a row"),
        "{}",
        stderr(&output)
    );
    let keys = fake.all_keys();
    assert!(keys.iter().all(|k| k.hash != stray.key().hash));
    assert_eq!(
        keys.iter()
            .filter(|k| k.name.as_deref() == Some("student-b"))
            .count(),
        1
    );
    assert_eq!(
        csv_rows(&std::fs::read_to_string(dir.path().join("s.csv")).unwrap()),
        rows
    );
    // Refuses to start another batch over the same secrets file.
    std::fs::write(dir.path().join("other.csv"), "name\nz\n").unwrap();
    let output = fake.run(
        dir.path(),
        &["bulk-create", "other.csv", "--secrets-out", "s.csv"],
    );
    assert_code(&output, 2);
    // Duplicate names are refused before anything is created.
    std::fs::write(dir.path().join("dup.csv"), "name\nq\nq\n").unwrap();
    let output = fake.run(
        dir.path(),
        &["bulk-create", "dup.csv", "--secrets-out", "d.csv"],
    );
    assert_code(&output, 2);
    assert!(stderr(&output).contains("unique"));

    let output = fake.run(dir.path(), &["bulk-delete", "s.csv", "--yes"]);
    assert_code(&output, 0);
    assert_eq!(fake.server.created_key_count(), 0);
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

/// A rerun of a finished batch leaves alone the keys with its names that it never made: a
/// rotation's replacements, another batch's keys.
#[test]
fn a_rerun_leaves_keys_it_did_not_make_alone() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(d, "in.csv", "name,limit\nrk-1,2\nrk-2,3\n");
    let first = ["bulk-create", "in.csv", "--secrets-out", "s.csv"];
    assert_code(&fake.run(d, &first), 0);
    let rotate = [
        "rotate",
        "--match",
        "rk-*",
        "--secrets-out",
        "r.csv",
        "--yes",
    ];
    assert_code(&fake.run(d, &rotate), 0);
    // A second batch with the same names.
    write(d, "in2.csv", "name\nrk-1\nrk-2\n");
    assert_code(
        &fake.run(d, &["bulk-create", "in2.csv", "--secrets-out", "s2.csv"]),
        0,
    );
    let output = fake.run(d, &first);
    assert_code(&output, 0);
    let text = stderr(&output);
    assert!(!text.contains("were deleted"), "{text}");
    assert!(text.contains("left alone"), "{text}");
    for row in secrets(d, "r.csv").iter().chain(&secrets(d, "s2.csv")) {
        let hash = &row["hash"];
        assert!(
            fake.all_keys().iter().any(|k| &k.hash == hash),
            "{hash} ({}) was deleted: {text}",
            row["name"]
        );
    }
    assert_eq!(
        hashes_named(&fake, "rk-1").len(),
        3,
        "old, replacement, batch 2"
    );
}

/// Keys that already carry a batch's names are listed in a warning; the batch makes its own
/// beside them.
#[test]
fn keys_already_carrying_a_batch_name_are_listed() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(d, "in.csv", "name\nrel-1\nrel-2\n");
    let output = fake.run(d, &["bulk-create", "in.csv", "--secrets-out", "a.csv"]);
    assert_code(&output, 0);
    assert!(!stderr(&output).contains("already carry"));
    write(d, "in.csv", "name\nrel-1\nrel-2\nrel-3\n");
    let output = fake.run(d, &["bulk-create", "in.csv", "--secrets-out", "b.csv"]);
    assert_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("2 existing key(s) already carry"), "{text}");
    for row in secrets(d, "a.csv") {
        assert!(text.contains(&row["hash"]), "{text}");
    }
}

/// The summary counts every orphan deleted, those deleted before another delete failed too.
#[test]
fn the_summary_counts_every_deleted_orphan() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(d, "in.csv", "name\nor-1\nor-2\nor-3\nor-4\n");
    // Every create acts, then the connection closes: four orphans; one delete fails once.
    fake.server
        .inject_n(Route::CreateKeys, Fault::CloseAfterRead, 4);
    fake.server.inject(Route::DeleteKeys, Fault::status(503));
    let output = fake.run(
        d,
        &[
            "--attempts",
            "1",
            "bulk-create",
            "in.csv",
            "--secrets-out",
            "s.csv",
            "--concurrency",
            "4",
        ],
    );
    assert_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("4 key(s) made for a row"), "{text}");
    let live = fake
        .all_keys()
        .into_iter()
        .filter(|k| k.name.as_deref().is_some_and(|n| n.starts_with("or-")))
        .count();
    assert_eq!(live, 4, "{text}");
}

/// A batch begun by the previous version (its journal written in that version's format and
/// under its fingerprint, as in `tests/fixtures/bulk-create-0.1.journal`) resumes after an
/// upgrade: the row it created keeps its key and secret, the row it left in doubt is
/// created, nothing twice.
#[test]
fn a_batch_begun_by_the_previous_version_resumes_after_an_upgrade() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(d, "in.csv", "name\nup-1\nup-2\n");
    // Row 1's create was answered and journaled; row 2's intent was written, then the
    // process died before its create was sent.
    let made = fake
        .runtime
        .block_on(
            fake.client()
                .keys()
                .create(openrouter_keys::NewKey::new("up-1"))
                .into_future(),
        )
        .unwrap();
    let (key, secret) = made.into_parts();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let journal = [
        r#"{"event":"begin","command":"bulk-create","fingerprint":"43c82b9d65a95645","preexisting":[],"rows":[["1",{"expires_at":null,"include_byok_in_limit":null,"limit":null,"limit_reset":null,"name":"up-1","workspace_id":null}],["2",{"expires_at":null,"include_byok_in_limit":null,"limit":null,"limit_reset":null,"name":"up-2","workspace_id":null}]]}"#,
        r#"{"event":"intent","row":"1","at":NOW}"#,
        r#"{"event":"created","row":"1","hash":"HASH","secret":"SECRET"}"#,
        r#"{"event":"intent","row":"2","at":NOW}"#,
        "",
    ]
    .join("\n")
    .replace("NOW", &now.to_string())
    .replace("HASH", &key.hash)
    .replace("SECRET", secret.expose_secret());
    write(d, "s.csv.journal", &journal);
    // Row 2's create may have been sent by the run that died: the run waits the settle time
    // (1 s here) before its final check.
    let output = fake.run(
        d,
        &[
            "bulk-create",
            "in.csv",
            "--secrets-out",
            "s.csv",
            "--settle",
            "1s",
        ],
    );
    assert_code(&output, 0);
    assert!(
        stderr(&output).contains("resuming the batch"),
        "{}",
        stderr(&output)
    );
    let rows = secrets(d, "s.csv");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["hash"].as_str(), rows[0]["key"].as_str()),
        (key.hash.as_str(), secret.expose_secret())
    );
    assert_eq!(hashes_named(&fake, "up-1"), vec![key.hash.clone()]);
    assert_eq!(hashes_named(&fake, "up-2"), vec![rows[1]["hash"].clone()]);
    assert_eq!(fake.server.created_key_count(), 2, "no key made twice");
}

/// A run killed the moment its journal appeared (before the `begin` line, or within it)
/// sent nothing: its journal is taken over by the next run instead of blocking the batch.
#[test]
fn a_journal_cut_before_its_first_record_is_taken_over() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(d, "in.csv", "name\nbirth-1\nbirth-2\n");
    for (secrets, left) in [("a.csv", ""), ("b.csv", "{\"event\":\"begin\",\"comm")] {
        write(d, &format!("{secrets}.journal"), left);
        let output = fake.run(d, &["bulk-create", "in.csv", "--secrets-out", secrets]);
        assert_code(&output, 0);
        assert_eq!(secrets_of(d, secrets), 2);
    }
    assert_eq!(fake.server.created_key_count(), 4);
}

fn secrets_of(dir: &std::path::Path, file: &str) -> usize {
    secrets(dir, file).len()
}

/// Two runs of one batch started together: one makes the keys, the other says that another
/// run is using the journal (never a raw "File exists").
#[test]
fn of_two_simultaneous_runs_one_proceeds_and_the_other_says_why_not() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(d, "in.csv", "name\nsim-1\nsim-2\n");
    let batch = ["bulk-create", "in.csv", "--secrets-out", "s.csv"];
    // The first run's listing of existing keys is slow: the second starts meanwhile.
    fake.server.inject(
        Route::List,
        Fault::Delay(std::time::Duration::from_millis(800)),
    );
    let first = fake
        .cli(d)
        .args(batch)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    crate::common::wait_until(|| fake.server.requests(Route::List) >= 1);
    let second = fake.run(d, &batch);
    let first = first.wait_with_output().unwrap();
    let (won, lost) = if first.status.code() == Some(0) {
        (first, second)
    } else {
        (second, first)
    };
    assert_code(&won, 0);
    assert_code(&lost, 1);
    let text = stderr(&lost);
    assert!(text.contains("another run is using the journal"), "{text}");
    assert!(!text.contains("os error"), "{text}");
    assert_eq!(fake.server.created_key_count(), 2);
}

#[test]
fn bulk_create_drops_the_blanks_around_a_cell_quoted_or_not() {
    let fake = Fake::start();
    let dir = tempdir();
    write(
        dir.path(),
        "in.csv",
        "name , limit\n  padded  , 5 \n\"  quoted \",\n",
    );
    let output = fake.run(
        dir.path(),
        &["bulk-create", "in.csv", "--secrets-out", "s.csv"],
    );
    assert_code(&output, 0);
    let mut names = fake.server.created_key_names();
    names.sort();
    assert_eq!(names, ["padded", "quoted"]);
    assert_eq!(hashes_named(&fake, "padded").len(), 1);
}
