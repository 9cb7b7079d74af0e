//! `report`: totals and what they count, keys near their limit, every format.

use crate::common;
use crate::common::{Fake, assert_code, create, csv_rows, hash_of, stdout, tempdir};

#[test]
fn report_in_every_format() {
    let fake = Fake::start();
    let dir = tempdir();
    create(&fake, dir.path(), "r-1", &["--limit", "10"]);
    create(&fake, dir.path(), "<r-2>", &[]);
    create(&fake, dir.path(), "r-3", &["--limit", "100"]);
    let keys = fake.all_keys();
    let hash = |name: &str| {
        keys.iter()
            .find(|k| k.name.as_deref() == Some(name))
            .unwrap()
            .hash
            .clone()
    };
    assert!(fake.server.add_usage(&hash("r-1"), 8.5));
    assert!(fake.server.add_usage(&hash("r-3"), 20.0));
    let output = fake.run(dir.path(), &["report"]);
    assert_code(&output, 0);
    let table = stdout(&output);
    assert!(table.contains("4 active, 0 disabled"), "{table}");
    assert!(
        table.contains("110.00 in total over 2 of 4 key(s), 81.50 remaining"),
        "{table}"
    );
    assert!(table.contains("total 28.50"), "{table}");
    let near = table.split("at >= 80% of their limit: 1\n").nth(1).unwrap();
    assert!(
        near.lines().nth(1).unwrap().starts_with(" 85.0%"),
        "{table}"
    );
    let top = table.split("top spenders").nth(1).unwrap();
    assert!(
        top.find("r-3").unwrap() < top.find("r-1").unwrap(),
        "sorted by usage: {top}"
    );
    let output = fake.run(dir.path(), &["report", "--format", "csv", "--match", "r-*"]);
    let rows = csv_rows(&stdout(&output));
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[0]["name"].as_str(),
            rows[0]["limit_used_percent"].as_str()
        ),
        ("r-3", "20.0")
    );
    assert_eq!(rows[1]["limit_used_percent"], "85.0");
    let output = fake.run(
        dir.path(),
        &["report", "--format", "html", "--out", "r.html"],
    );
    assert_code(&output, 0);
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("&lt;r-2&gt;"));
    assert_eq!(
        html.matches("<rect").count(),
        2,
        "one bar per key with usage (r-1 and r-3)"
    );
    assert!(html.contains("class=\"near\""));
    for external in ["<script", "src=", "href=", "@import", "url("] {
        assert!(
            !html.contains(external),
            "the report loads something: {external}"
        );
    }
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

/// The report says how many expired keys it left out of its totals.
#[test]
fn the_report_says_expired_keys_were_left_out() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    assert_code(
        &fake.run(
            d,
            &[
                "create",
                "--name",
                "soon",
                "--expires-in",
                "1s",
                "--limit",
                "4",
            ],
        ),
        0,
    );
    std::thread::sleep(std::time::Duration::from_millis(2_100));
    let output = fake.run(d, &["report"]);
    assert_code(&output, 0);
    let text = common::stdout(&output);
    assert!(text.contains("1 expired key left out"), "{text}");
    let output = fake.run(d, &["report", "--include-expired"]);
    assert!(!common::stdout(&output).contains("expired key left out"));
}
