//! `bulk-delete`: from secrets files and `list` output; keys already gone.

use crate::common::{Fake, assert_code, create, hash_of, stderr, stdout, tempdir};

#[test]
fn list_csv_and_json_feed_bulk_delete() {
    let fake = Fake::start();
    let dir = tempdir();
    for i in 0..6 {
        create(&fake, dir.path(), &format!("tmp-{i}"), &[]);
    }
    create(&fake, dir.path(), "keep-me", &[]);
    let output = fake.run(
        dir.path(),
        &["list", "--match", "tmp-[0-2]", "--format", "csv"],
    );
    std::fs::write(dir.path().join("old.csv"), stdout(&output)).unwrap();
    let output = fake.run(
        dir.path(),
        &["list", "--match", "tmp-[3-5]", "--format", "json"],
    );
    std::fs::write(dir.path().join("old.json"), stdout(&output)).unwrap();

    let output = fake.run(dir.path(), &["bulk-delete", "old.csv"]);
    assert_code(&output, 2);
    let output = fake.run(dir.path(), &["bulk-delete", "old.csv", "--dry-run"]);
    assert_code(&output, 0);
    assert_eq!(fake.server.created_key_count(), 7);
    let output = fake.run(dir.path(), &["bulk-delete", "old.csv", "--yes"]);
    assert_code(&output, 0);
    let output = fake.run(dir.path(), &["bulk-delete", "old.json", "--yes"]);
    assert_code(&output, 0);
    assert_eq!(fake.server.created_key_names(), ["keep-me"]);
    // A rerun finds the keys gone and still succeeds.
    let output = fake.run(dir.path(), &["bulk-delete", "old.csv", "--yes"]);
    assert_code(&output, 0);
}

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
fn bulk_delete_dash_reads_the_keys_from_stdin() {
    use std::io::Write;
    use std::process::Stdio;
    let fake = Fake::start();
    let dir = tempdir();
    create(&fake, dir.path(), "old-1", &[]);
    create(&fake, dir.path(), "old-2", &[]);
    create(&fake, dir.path(), "keep", &[]);
    let listed = fake.run(dir.path(), &["list", "--match", "old-*", "--format", "csv"]);
    let run = |args: &[&str]| {
        let mut child = fake
            .cli(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The CLI may refuse before it reads: a closed pipe is not the test's failure.
        let _ = child.stdin.take().unwrap().write_all(&listed.stdout);
        child.wait_with_output().unwrap()
    };
    // Stdin carries the keys: no prompt can be answered, so --yes or --dry-run is needed.
    let output = run(&["bulk-delete", "-"]);
    assert_code(&output, 2);
    assert!(stderr(&output).contains("--yes"), "{}", stderr(&output));
    let output = run(&["bulk-delete", "-", "--dry-run"]);
    assert_code(&output, 0);
    assert!(
        stdout(&output).contains("would delete 2 key(s)"),
        "{}",
        stdout(&output)
    );
    assert_eq!(fake.server.created_key_count(), 3);
    let output = run(&["bulk-delete", "-", "--yes"]);
    assert_code(&output, 0);
    assert_eq!(fake.server.created_key_names(), ["keep"]);
}

#[test]
fn bulk_delete_previews_a_name_with_its_blanks() {
    let fake = Fake::start();
    let dir = tempdir();
    let name = "  =spaced";
    let output = fake.run(dir.path(), &["create", &format!("--name={name}")]);
    assert_code(&output, 0);
    let hash = hash_of(&fake, name);
    let output = fake.run(
        dir.path(),
        &["list", "--format", "csv", "--match", "*spaced*"],
    );
    assert_code(&output, 0);
    std::fs::write(dir.path().join("old.csv"), &output.stdout).unwrap();
    let output = fake.run(dir.path(), &["bulk-delete", "old.csv", "--dry-run"]);
    assert_code(&output, 0);
    let plan = stdout(&output);
    assert!(plan.contains(&format!("{hash}  {name}\n")), "{plan:?}");
}
