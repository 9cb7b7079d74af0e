//! `rotate`: verification before the old key is touched, finished rotations, keys it
//! refuses.

use crate::common::{
    Fake, assert_code, create, csv_rows, hash_of, hashes_named, stderr, stdout, tempdir,
};
use openrouter_keys_testkit::{FakeServer, Fault, ListingLag, Route};
use std::future::IntoFuture;
use std::path::Path;
use std::time::Duration;

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

/// A finished rotation run again is refused (exit 2, `--force` too), naming the way
/// forward: a new `--secrets-out`.
#[test]
fn a_finished_rotation_is_refused_with_the_way_forward() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    assert_code(&fake.run(d, &["create", "--name", "rf-1"]), 0);
    let rotate = [
        "rotate",
        "--match",
        "rf-*",
        "--then",
        "disable",
        "--secrets-out",
        "r.csv",
        "--yes",
    ];
    assert_code(&fake.run(d, &rotate), 0);
    let count = fake.server.created_key_count();
    for extra in [None, Some("--force")] {
        let mut args = rotate.to_vec();
        args.extend(extra);
        let output = fake.run(d, &args);
        assert_code(&output, 2);
        let text = stderr(&output);
        assert!(text.contains("already finished"), "{text}");
        assert!(text.contains("new --secrets-out"), "{text}");
    }
    assert_eq!(fake.server.created_key_count(), count);
}

/// A disabled or expired key is not rotated: its replacement would be an active key.
#[test]
fn disabled_and_expired_keys_are_not_rotated() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    assert_code(
        &fake.run(d, &["create", "--name", "dis-1", "--limit", "3"]),
        0,
    );
    assert_code(&fake.run(d, &["disable", "--match", "dis-1", "--yes"]), 0);
    assert_code(
        &fake.run(d, &["create", "--name", "exp-1", "--expires-in", "1s"]),
        0,
    );
    std::thread::sleep(std::time::Duration::from_millis(2_100));
    let count = fake.server.created_key_count();
    for (glob, flag, why) in [
        ("dis-*", "--include-disabled", "disabled"),
        ("exp-*", "--include-expired", "expired"),
    ] {
        let output = fake.run(
            d,
            &[
                "rotate",
                "--match",
                glob,
                flag,
                "--secrets-out",
                &format!("{why}.csv"),
                "--yes",
            ],
        );
        assert_code(&output, 2);
        let text = stderr(&output);
        assert!(text.contains(why), "{text}");
        assert!(text.contains("giving back access"), "{text}");
    }
    assert_eq!(fake.server.created_key_count(), count, "no replacement");
}

/// Keys sharing a name are not rotated together, and the message names the way out (rename
/// one, or rotate each by hash).
#[test]
fn rotating_keys_that_share_a_name_names_the_way_out() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    for _ in 0..2 {
        assert_code(&fake.run(d, &["create", "--name", "dupe"]), 0);
    }
    let output = fake.run(
        d,
        &[
            "rotate",
            "--match",
            "dupe",
            "--secrets-out",
            "d.csv",
            "--yes",
        ],
    );
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("update HASH --name"),
        "{}",
        stderr(&output)
    );
    // The way out named works: one of them, by hash, rotates.
    let hash = hashes_named(&fake, "dupe").remove(0);
    let output = fake.run(d, &["rotate", &hash, "--secrets-out", "one.csv", "--yes"]);
    assert_code(&output, 0);
}

/// A rotation stopped after an old key's `DELETE` took effect but before the journal
/// recorded it (here: the answer lost) finishes on a rerun: a 404 for the key the rotation
/// set out to delete is that step done.
#[test]
fn a_rerun_after_the_old_keys_delete_took_effect_finishes_the_rotation() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    create(&fake, d, "del-1", &[]);
    let old = hash_of(&fake, "del-1");
    let rotate = [
        "--attempts",
        "1",
        "rotate",
        old.as_str(),
        "--then",
        "delete",
        "--secrets-out",
        "r.csv",
        "--yes",
    ];
    // The delete acts, then the connection is cut: the run cannot know it happened.
    fake.server.inject(Route::DeleteKeys, Fault::CloseAfterRead);
    let output = fake.run(d, &rotate);
    assert_code(&output, 3);
    assert!(
        !hashes_named(&fake, "del-1").contains(&old),
        "the delete took effect"
    );
    let output = fake.run(d, &rotate);
    assert_code(&output, 0);
    let text = stderr(&output);
    assert!(
        text.contains(&format!("{old} was already deleted")),
        "{text}"
    );
    let output = fake.run(d, &rotate);
    assert_code(&output, 2);
    assert!(stderr(&output).contains("already finished"));
    assert_eq!(hashes_named(&fake, "del-1").len(), 1, "one replacement");
}

/// A resumed rotation that finds and deletes a key made for a row by an interrupted create
/// (its secret never saved) says so, as bulk-create does.
#[test]
fn a_resumed_rotation_reports_the_leftover_keys_it_deleted() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    create(&fake, d, "row-a", &[]);
    let old = hash_of(&fake, "row-a");
    // A run of `rotate --match 'row-*' --then delete` (its fingerprint is pinned by a unit
    // test) wrote its intent, sent the create, and died: the key exists, its secret lost.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let journal = [
        r#"{"event":"begin","command":"rotate","fingerprint":"e823660ee3705fb0","preexisting":["OLD"],"rows":[["OLD",{"expires_at":null,"include_byok_in_limit":false,"limit":null,"limit_reset":null,"name":"row-a","workspace_id":null}]]}"#,
        r#"{"event":"intent","row":"OLD","at":NOW}"#,
        "",
    ]
    .join("\n")
    .replace("OLD", &old)
    .replace("NOW", &now.to_string());
    std::fs::write(d.join("r.csv.journal"), journal).unwrap();
    let leftover = crate::common::create(&fake, d, "row-a", &[]);
    assert!(leftover.starts_with("sk-or-"));
    let output = fake.run(
        d,
        &[
            "rotate",
            "--match",
            "row-*",
            "--then",
            "delete",
            "--secrets-out",
            "r.csv",
            "--yes",
            "--settle",
            "1s",
        ],
    );
    assert_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("rotate: 1 key(s) made for a row"), "{text}");
    let named = hashes_named(&fake, "row-a");
    assert_eq!(named.len(), 1, "only the replacement: {named:?}");
    assert_eq!(
        csv_rows(&std::fs::read_to_string(d.join("r.csv")).unwrap())[0]["hash"],
        named[0]
    );
}

/// Only active keys are rotated, so `rotate --help` does not offer the filters that would
/// select others (given anyway, they are refused with the reason).
#[test]
fn rotate_does_not_offer_to_include_disabled_or_expired_keys() {
    let fake = Fake::start();
    let dir = tempdir();
    let help = stdout(&fake.run(dir.path(), &["rotate", "--help"]));
    assert!(!help.contains("--include-disabled"), "{help}");
    assert!(!help.contains("--include-expired"), "{help}");
    assert!(help.contains("--workspace"), "{help}");
}

/// A listing may show keys as they were seconds ago. `rotate --match` reads each selected
/// key again by hash: a key whose limit was lowered meanwhile is replaced with the lower
/// limit, and keys disabled or deleted meanwhile are not rotated (the preview says so).
#[test]
fn rotate_by_match_bounds_each_replacement_by_the_key_as_it_is_now() {
    let lag = Duration::from_millis(1500);
    let fake = Fake::start_with(FakeServer::builder().listing_lag(ListingLag::every_change(lag)));
    let dir = tempdir();
    for name in ["leak-a", "leak-b", "leak-c"] {
        create(&fake, dir.path(), name, &["--limit", "100"]);
    }
    std::thread::sleep(lag + Duration::from_millis(300));
    let [a, b, c] = ["leak-a", "leak-b", "leak-c"].map(|name| hash_of(&fake, name));
    assert_code(
        &fake.run(dir.path(), &["update", &a, "--limit", "1", "--yes"]),
        0,
    );
    assert_code(&fake.run(dir.path(), &["disable", &b, "--yes"]), 0);
    assert_code(&fake.run(dir.path(), &["delete", &c, "--yes"]), 0);

    let args = [
        "rotate",
        "--match",
        "leak-*",
        "--secrets-out",
        "rot.csv",
        "--yes",
    ];
    let output = fake.run(dir.path(), &args);
    assert_code(&output, 0);
    let said = stderr(&output);
    assert!(
        said.contains("1 matching key(s) disabled or expired, not rotated"),
        "{said}"
    );
    assert!(
        said.contains("1 matching key(s) listed but deleted since"),
        "{said}"
    );
    let rows = csv_rows(&std::fs::read_to_string(dir.path().join("rot.csv")).unwrap());
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["replaces"], a);
    let client = fake.client();
    let replacement = fake
        .runtime
        .block_on(client.keys().get(rows[0]["hash"].as_str()).into_future())
        .unwrap();
    assert_eq!(replacement.limit, Some(1.0));
    let deleted = fake
        .runtime
        .block_on(client.keys().get(c.as_str()).into_future());
    assert!(deleted.is_err(), "the deleted key came back");
    let b_now = fake
        .runtime
        .block_on(client.keys().get(b.as_str()).into_future());
    assert_eq!(b_now.unwrap().disabled, Some(true));
}

/// A rotation stopped before it made a replacement, whose old key is then disabled or given
/// a lower limit, is not resumed: its replacement would give back access taken away.
#[test]
fn a_rotation_is_not_resumed_for_a_key_changed_since_it_began() {
    for change in [["--limit", "1"], ["--disable", ""]] {
        let fake = Fake::start();
        let dir = tempdir();
        create(&fake, dir.path(), "leaked", &["--limit", "100"]);
        let old = hash_of(&fake, "leaked");
        let args = ["rotate", old.as_str(), "--secrets-out", "rot.csv", "--yes"];
        let crashed = fake
            .cli(dir.path())
            .env("OPENROUTER_KEYS_TEST_CRASH_BEFORE_RECORD", "1")
            .args(args)
            .output()
            .unwrap();
        assert_ne!(crashed.status.code(), Some(0));
        let changed = if change[0] == "--disable" {
            fake.run(dir.path(), &["disable", &old, "--yes"])
        } else {
            fake.run(dir.path(), &["update", &old, change[0], change[1], "--yes"])
        };
        assert_code(&changed, 0);
        let output = fake.run(dir.path(), &args);
        assert_code(&output, 2);
        let said = stderr(&output);
        assert!(
            said.contains("since the rotation began"),
            "{change:?}: {said}"
        );
        assert_eq!(
            hashes_named(&fake, "leaked"),
            vec![old.as_str()],
            "{change:?}: a replacement was made"
        );
    }
}
