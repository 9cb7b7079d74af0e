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
