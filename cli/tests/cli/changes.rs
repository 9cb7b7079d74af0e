//! `update`, `enable`, `disable`, `delete`: previews, confirmation, dry runs.

use crate::common::{Fake, assert_code, create, disabled, stderr, stdout, tempdir};

#[test]
fn changes_are_refused_without_a_tty_and_dry_runs_change_nothing() {
    let fake = Fake::start();
    let dir = tempdir();
    create(&fake, dir.path(), "team-1", &["--limit", "5"]);
    create(&fake, dir.path(), "team-2", &["--limit", "5"]);
    let before = fake.all_keys();
    for args in [
        vec!["disable", "--match", "team-*"],
        vec!["delete", "--match", "team-*"],
        vec!["update", "--match", "team-*", "--limit", "9"],
    ] {
        let output = fake.run(dir.path(), &args);
        assert_code(&output, 2);
        assert!(stderr(&output).contains("--yes"), "{}", stderr(&output));
        let mut dry = args.clone();
        dry.push("--dry-run");
        let output = fake.run(dir.path(), &dry);
        assert_code(&output, 0);
        assert!(stdout(&output).contains("would"));
        assert!(stdout(&output).contains("team-1") && stdout(&output).contains("team-2"));
    }
    assert_eq!(
        fake.all_keys(),
        before,
        "refusals and dry runs changed nothing"
    );

    let output = fake.run(
        dir.path(),
        &[
            "update", "--match", "team-*", "--limit", "9", "--reset", "weekly", "--yes",
        ],
    );
    assert_code(&output, 0);
    let keys = fake.all_keys();
    assert!(
        keys.iter()
            .filter(|k| k.name.as_deref().unwrap_or("").starts_with("team-"))
            .all(|k| k.limit == Some(9.0))
    );
    let hash = keys
        .iter()
        .find(|k| k.name.as_deref() == Some("team-1"))
        .unwrap()
        .hash
        .clone();
    let output = fake.run(
        dir.path(),
        &["update", &hash, "--no-limit", "--name", "team-one", "-y"],
    );
    assert_code(&output, 0);
    let key = fake
        .all_keys()
        .into_iter()
        .find(|k| k.hash == hash)
        .unwrap();
    assert_eq!((key.name.as_deref(), key.limit), (Some("team-one"), None));
    let output = fake.run(dir.path(), &["update", &hash, "--yes"]);
    assert_code(&output, 2);

    let output = fake.run(dir.path(), &["disable", &hash, "--yes"]);
    assert_code(&output, 0);
    assert_eq!(disabled(&fake, &hash), Some(true));
    let output = fake.run(dir.path(), &["enable", "--match", "team-*", "--yes"]);
    assert_code(&output, 0);
    assert_eq!(disabled(&fake, &hash), Some(false));
    let output = fake.run(dir.path(), &["delete", "--match", "team-*", "--yes"]);
    assert_code(&output, 0);
    assert_eq!(fake.server.created_key_count(), 0);
}

/// A change by `--match` never leaves matching keys out silently: `delete` and `update`
/// select disabled (and expired) keys that match, since the user named them; `disable` and
/// `enable` say how many matching keys were already so; `list` says how many it did not
/// show, and which flag shows them.
#[test]
fn matching_disabled_keys_are_selected_or_counted_never_skipped_silently() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    for i in 1..=3 {
        create(&fake, d, &format!("cs101-{i}"), &[]);
    }
    assert_code(
        &fake.run(d, &["disable", "--match", "cs101-[12]", "--yes"]),
        0,
    );
    let output = fake.run(d, &["disable", "--match", "cs101-*", "--yes"]);
    assert_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("will disable 1 key(s)"), "{text}");
    assert!(
        text.contains("2 matching key(s) already disabled"),
        "{text}"
    );
    let output = fake.run(d, &["list", "--match", "cs101-*", "--format", "csv"]);
    assert_code(&output, 0);
    assert_eq!(stdout(&output).lines().count(), 1, "the header alone");
    assert!(
        stderr(&output).contains("3 matching key(s) not listed: 3 disabled (--include-disabled"),
        "{}",
        stderr(&output)
    );
    let output = fake.run(
        d,
        &["update", "--match", "cs101-*", "--limit", "7", "--yes"],
    );
    assert_code(&output, 0);
    assert!(
        stderr(&output).contains("will update 3 key(s)"),
        "{}",
        stderr(&output)
    );
    assert!(
        fake.all_keys()
            .iter()
            .filter(|k| k.limit == Some(7.0))
            .count()
            == 3
    );
    let output = fake.run(d, &["delete", "--match", "cs101-*", "--yes"]);
    assert_code(&output, 0);
    assert!(
        stderr(&output).contains("will delete 3 key(s)"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        fake.server.created_key_count(),
        0,
        "no disabled key lives on"
    );
    // `enable` only ever acted on disabled keys: the flag that did nothing is gone.
    let output = fake.run(d, &["enable", "--match", "x", "--include-disabled"]);
    assert_code(&output, 2);
}
