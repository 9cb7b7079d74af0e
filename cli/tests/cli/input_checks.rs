//! Flags and CSV values refused before any request: unknown or repeated columns, limits,
//! expiries, names.

use crate::common::{Fake, assert_code, stderr, tempdir, write};

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

/// A CSV column named twice, and limits above 1,000,000,000 USD (flags or cells), are
/// refused.
#[test]
fn duplicate_columns_and_absurd_limits_are_refused() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    for (file, text) in [
        ("a.csv", "name,limit,limit\nx-1,2,3\n"),
        ("b.csv", "name,Name\nx-1,x-2\n"),
        ("c.csv", "name,limit\nx-1,1e300\n"),
    ] {
        write(d, file, text);
        let output = fake.run(d, &["bulk-create", file, "--secrets-out", "s.csv"]);
        assert_code(&output, 2);
    }
    write(d, "g.csv", "name\nx-1\n");
    for args in [
        &[
            "bulk-create",
            "g.csv",
            "--secrets-out",
            "s.csv",
            "--limit",
            "1e30",
        ][..],
        &["create", "--name", "big", "--limit", "1e30"],
    ] {
        let output = fake.run(d, args);
        assert_code(&output, 2);
        assert!(
            stderr(&output).contains("1000000000"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(fake.server.created_key_count(), 0);
}

/// A name (or any text sent) longer than the bound is refused before anything is sent: in a
/// CSV cell, in `--name`, in `--workspace`; a cell of 1 MiB is not echoed whole.
#[test]
fn text_longer_than_the_bound_is_refused_before_anything_is_sent() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    let huge = "n".repeat(1 << 20);
    write(d, "big.csv", &format!("name\nok-1\n{huge}\n"));
    let output = fake.run(d, &["bulk-create", "big.csv", "--secrets-out", "s.csv"]);
    assert_code(&output, 2);
    let text = stderr(&output);
    assert!(text.contains("line 3: name:"), "{text}");
    assert!(text.contains("longer than 1000"), "{text}");
    assert!(
        text.len() < 2_000,
        "the cell is not echoed: {} bytes",
        text.len()
    );
    assert!(!d.join("s.csv.journal").exists());
    // Command-line arguments are capped by the system (128 KiB each on Linux): 10,000
    // characters are plenty to exceed the bound.
    let long = "w".repeat(10_000);
    for args in [
        &["create", "--name", long.as_str()][..],
        &["create", "--name", "short", "--workspace", long.as_str()],
        &["update", "somehash", "--name", long.as_str(), "--yes"],
        &["get", long.as_str()],
    ] {
        let output = fake.run(d, args);
        assert_code(&output, 2);
        assert!(
            stderr(&output).contains("longer than 1000"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(fake.server.total_requests(), 0, "nothing was sent");
}

/// Every bad row of a CSV is reported in one run: five typos take one run to find.
#[test]
fn every_bad_row_is_reported_at_once() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(
        d,
        "typos.csv",
        "name,limit,limit_reset,expires_at,include_byok_in_limit\n\
         good-1,5,,,\n\
         bad-2,five,,,\n\
         bad-3,,yearly,,\n\
         good-4,,,,\n\
         bad-5,,,tomorrow,\n\
         bad-6,,,,maybe\n\
         ,3,,,\n\
         good-1,,,,\n",
    );
    let output = fake.run(d, &["bulk-create", "typos.csv", "--secrets-out", "s.csv"]);
    assert_code(&output, 2);
    let text = stderr(&output);
    for line in [
        "line 3:",
        "line 4:",
        "line 6:",
        "line 7:",
        "line 8:",
        "lines 2 and 9",
    ] {
        assert!(text.contains(line), "{line} not reported: {text}");
    }
    assert!(!text.contains("line 5:"), "{text}");
    assert!(text.contains("6 bad row(s)"), "{text}");
    assert_eq!(fake.server.total_requests(), 0, "nothing was sent");
}

/// Mistakes in a CSV are named as what they are: an empty file, a semicolon-separated
/// export, a row with more values than the header has columns (no parser offsets), and a bad
/// cell without a word about unique names when no name repeats.
#[test]
fn csv_mistakes_are_named_as_what_they_are() {
    let fake = Fake::start();
    let dir = tempdir();
    for (file, text, says, not_said) in [
        ("empty.csv", "", "the file is empty", "no `name` column"),
        (
            "semi.csv",
            "name;limit\nsc1;5\n",
            "separated by `;`",
            "unknown column",
        ),
        (
            "ragged.csv",
            "name,limit\nx,5,extra\n",
            "line 2: 3 values where the header has 2 columns",
            "byte",
        ),
        ("cell.csv", "name,limit\nq1,abc\n", "line 2:", "unique"),
    ] {
        write(dir.path(), file, text);
        let output = fake.run(dir.path(), &["bulk-create", file, "--secrets-out", "s.csv"]);
        assert_code(&output, 2);
        let said = stderr(&output);
        assert!(said.contains(says), "{file}: {said}");
        assert!(!said.contains(not_said), "{file}: {said}");
    }
    write(dir.path(), "empty-delete.csv", "");
    let output = fake.run(dir.path(), &["bulk-delete", "empty-delete.csv", "--yes"]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("the file is empty"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fake.server.created_key_count(), 0);
}

/// `--limit` takes a plain number, and says so; a negative one is refused for what it is,
/// not taken for a flag.
#[test]
fn a_limit_that_is_not_an_amount_says_what_to_write() {
    let fake = Fake::start();
    let dir = tempdir();
    for (limit, says) in [("5usd", "write a plain number"), ("-5", "at least 0")] {
        let output = fake.run(dir.path(), &["create", "--name", "x", "--limit", limit]);
        assert_code(&output, 2);
        let said = stderr(&output);
        assert!(said.contains(says), "{limit}: {said}");
        assert!(!said.contains("float literal"), "{limit}: {said}");
    }
    assert_eq!(fake.server.created_key_count(), 0);
}

/// `--secrets-out -` would make a file named `-`: refused before anything is sent.
#[test]
fn a_dash_is_no_secrets_file() {
    let fake = Fake::start();
    let dir = tempdir();
    write(dir.path(), "in.csv", "name\nso1\n");
    let output = fake.run(dir.path(), &["bulk-create", "in.csv", "--secrets-out", "-"]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("`-` names no file"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("-").exists());
    assert_eq!(fake.server.created_key_count(), 0);
}
