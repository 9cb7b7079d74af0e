//! Creates that take effect after the CLI gave up on them, or that the listing shows late:
//! exit 0 only once no create the batch sent can still make a key (`--settle`), exit 5
//! with `--no-wait` until then, and no early success on a rerun.

use crate::common::{
    Fake, assert_code, create, hash_of, hashes_named, secrets, stderr, tempdir, write,
};
use openrouter_keys_testkit::{FakeServer, Fault, ListingLag, Route};
use std::path::Path;
use std::time::Duration;

/// Every key of this name exists, and the secrets file holds the one key of each row.
fn assert_one_key_per_row(fake: &Fake, dir: &Path, file: &str, names: &[&str]) {
    let saved = secrets(dir, file);
    assert_eq!(saved.len(), names.len(), "secrets in the file");
    for name in names {
        let live = hashes_named(fake, name);
        assert_eq!(live.len(), 1, "live keys named {name}: {live:?}");
        let row = saved
            .iter()
            .find(|r| r["name"] == *name)
            .expect("a saved row");
        assert_eq!(row["hash"], live[0]);
    }
}

/// Waits until the fake has performed every late call it received.
fn until_late_calls_done(fake: &Fake) {
    crate::common::wait_until(|| fake.server.pending_late_calls() == 0);
}

/// A create the server performs after the CLI gave up on it (its attempt timed out) makes a
/// key: the run waits until such a create can no longer take effect, finds the key, and
/// deletes it, before it exits 0. Before the settle rule, the run exited 0 at once and the
/// late key appeared afterwards: two live keys for the row, one whose secret nobody has.
#[test]
fn a_create_performed_after_the_client_gave_up_is_deleted_before_exit_0() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(d, "in.csv", "name\nlate-1\nlate-2\n");
    fake.server
        .inject(Route::CreateKeys, Fault::late(Duration::from_millis(800)));
    let output = fake.run(
        d,
        &[
            "--timeout",
            "300ms",
            "bulk-create",
            "in.csv",
            "--secrets-out",
            "s.csv",
            "--concurrency",
            "1",
            "--settle",
            "2s",
        ],
    );
    assert_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("waiting until"), "{text}");
    assert!(text.contains("1 key(s) made for a row"), "{text}");
    until_late_calls_done(&fake);
    assert_one_key_per_row(&fake, d, "s.csv", &["late-1", "late-2"]);
}

/// A key the listing shows only later (its create's answer lost) is found by the final
/// check, which waits for the settle time: one key per row at exit 0.
#[test]
fn a_key_the_listing_shows_late_is_found_before_exit_0() {
    let fake = Fake::start_with(
        FakeServer::builder().listing_lag(ListingLag::new_keys(Duration::from_millis(500))),
    );
    let dir = tempdir();
    let d = dir.path();
    write(d, "in.csv", "name\nlag-1\n");
    fake.server.inject(Route::CreateKeys, Fault::CloseAfterRead);
    let output = fake.run(
        d,
        &[
            "--attempts",
            "1",
            "bulk-create",
            "in.csv",
            "--secrets-out",
            "s.csv",
            "--settle",
            "1500ms",
        ],
    );
    assert_code(&output, 0);
    assert!(
        stderr(&output).contains("1 key(s) made for a row"),
        "{}",
        stderr(&output)
    );
    std::thread::sleep(Duration::from_millis(600));
    assert_one_key_per_row(&fake, d, "s.csv", &["lag-1"]);
}

/// With `--no-wait` the run exits 5, naming the rows and the time after which a rerun
/// settles them; a rerun before that time does not report success either; once the late key
/// exists, a rerun finds and deletes it, and exits 0.
#[test]
fn with_no_wait_a_batch_exits_5_until_its_creates_are_settled() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(d, "in.csv", "name\nnw-1\nnw-2\n");
    fake.server
        .inject(Route::CreateKeys, Fault::late(Duration::from_millis(2_000)));
    let batch = |extra: &[&str]| {
        let mut args = vec![
            "--timeout",
            "300ms",
            "bulk-create",
            "in.csv",
            "--secrets-out",
            "s.csv",
            "--concurrency",
            "1",
            "--settle",
            "5s",
        ];
        args.extend_from_slice(extra);
        fake.run(d, &args)
    };
    let output = batch(&["--no-wait"]);
    assert_code(&output, 5);
    let text = stderr(&output);
    assert!(
        text.contains("1 row(s) may still get a second key"),
        "{text}"
    );
    assert!(text.contains("row 1 (nw-1)"), "{text}");
    assert!(text.contains("until 20"), "the time: {text}");
    assert!(!text.contains("waiting until"), "{text}");
    assert_eq!(
        secrets(d, "s.csv").len(),
        2,
        "every row has its key already"
    );
    // Before the settle time, and before the late create took effect: not done.
    assert_eq!(fake.server.pending_late_calls(), 1);
    let output = batch(&["--no-wait"]);
    assert_code(&output, 5);
    // Once it took effect, the key it made is found and deleted: nothing is left open.
    until_late_calls_done(&fake);
    let output = batch(&[]);
    assert_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("1 key(s) made for a row"), "{text}");
    assert!(!text.contains("waiting until"), "{text}");
    assert_one_key_per_row(&fake, d, "s.csv", &["nw-1", "nw-2"]);
    let output = batch(&["--no-wait"]);
    assert_code(&output, 0);
}

/// A batch in which no create ended in doubt does not wait at all.
#[test]
fn a_batch_without_a_create_in_doubt_does_not_wait() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(d, "in.csv", "name\nnd-1\nnd-2\nnd-3\n");
    // Refused before acting (a 429, retried; a 400 would fail the row): nothing in doubt.
    fake.server
        .inject(Route::CreateKeys, "429:ms=10".parse().unwrap());
    let output = fake.run(d, &["bulk-create", "in.csv", "--secrets-out", "s.csv"]);
    assert_code(&output, 0);
    assert!(!stderr(&output).contains("waiting"), "{}", stderr(&output));
    let journal = std::fs::read_to_string(d.join("s.csv.journal")).unwrap();
    assert!(!journal.contains("\"unanswered\""), "{journal}");
}

/// A rotation whose replacement's create took effect with its answer lost, and which the
/// listing shows late, ends with one replacement: the extra key is found and deleted before
/// exit 0, and the name can be rotated again. Before, the rotation finished with an extra
/// active key nothing cleaned up, and the next rotation of the name was refused.
#[test]
fn a_rotation_leaves_no_extra_replacement_behind() {
    let fake = Fake::start_with(
        FakeServer::builder().listing_lag(ListingLag::new_keys(Duration::from_millis(400))),
    );
    let dir = tempdir();
    let d = dir.path();
    create(&fake, d, "svc-lag", &["--limit", "3"]);
    std::thread::sleep(Duration::from_millis(450));
    let old = hash_of(&fake, "svc-lag");
    fake.server.inject(Route::CreateKeys, Fault::CloseAfterRead);
    let rotate = |secrets: &str| {
        fake.run(
            d,
            &[
                "--attempts",
                "1",
                "rotate",
                "--match",
                "svc-lag",
                "--secrets-out",
                secrets,
                "--settle",
                "1500ms",
                "--yes",
            ],
        )
    };
    let output = rotate("r1.csv");
    assert_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("rotate: 1 key(s) made for a row"), "{text}");
    std::thread::sleep(Duration::from_millis(450));
    let named = hashes_named(&fake, "svc-lag");
    assert_eq!(
        named.len(),
        2,
        "the old key (disabled) and one replacement: {named:?}"
    );
    assert!(named.contains(&old));
    let replacement = &secrets(d, "r1.csv")[0]["hash"];
    assert!(named.contains(replacement));
    // The name is rotated again: one active key carries it.
    let output = rotate("r2.csv");
    assert_code(&output, 0);
}

/// Ctrl-C while the run waits for creates that may still take effect says what may still
/// appear and until when, saves the secrets, and exits 130; a rerun finishes.
#[cfg(unix)]
#[test]
fn ctrl_c_while_settling_says_what_may_still_appear_and_until_when() {
    let fake = Fake::start_with(
        FakeServer::builder().listing_lag(ListingLag::new_keys(Duration::from_millis(1_000))),
    );
    let dir = tempdir();
    let d = dir.path();
    write(d, "in.csv", "name\ncs-1\n");
    // The create acts, its answer is lost, and the listing shows the key a second late: the
    // row is created again, and the first create stays open while the run waits.
    fake.server.inject(Route::CreateKeys, Fault::CloseAfterRead);
    let args = |settle: &'static str| {
        [
            "--attempts",
            "1",
            "bulk-create",
            "in.csv",
            "--secrets-out",
            "s.csv",
            "--settle",
            settle,
        ]
    };
    let child = fake
        .cli(d)
        .args(args("30s"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let journal = d.join("s.csv.journal");
    crate::common::wait_until(|| {
        std::fs::read_to_string(&journal).is_ok_and(|j| j.contains("\"swept\""))
    });
    std::thread::sleep(Duration::from_millis(200));
    crate::common::interrupt(&child);
    let output = child.wait_with_output().unwrap();
    assert_code(&output, 130);
    let text = stderr(&output);
    assert!(text.contains("waiting until"), "{text}");
    assert!(text.contains("may still get a second key"), "{text}");
    assert!(text.contains("until 20"), "{text}");
    assert_eq!(secrets(d, "s.csv").len(), 1, "the secrets are saved");
    // A settle time that still covers the listing's lag.
    let output = fake.run(d, &args("2s"));
    assert_code(&output, 0);
    assert_one_key_per_row(&fake, d, "s.csv", &["cs-1"]);
}
