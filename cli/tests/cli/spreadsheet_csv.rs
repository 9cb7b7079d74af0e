//! CSV for people (`list --format csv`, `report --format csv`, the secrets files of
//! `bulk-create` and `rotate`) never holds a cell a spreadsheet would run; JSON keeps names
//! exact; and a CSV of ours read back (`bulk-delete`) gives the names and hashes as they were.

use crate::common::{Fake, assert_code, create, stdout, tempdir};

/// `--match` globs that select every name of [`NAMES`] and nothing else the tests make.
const GLOBS: [&str; 6] = ["--match", "[-+@']*", "--match", "=H*", "--match", "plain"];
use std::collections::HashMap;
use std::path::Path;

/// Names a spreadsheet would run, names that only look close, and plain ones.
const NAMES: [&str; 7] = [
    "=HYPERLINK(\"http://example.com/?leak\",\"open\")",
    "+1+2",
    "-3",
    "@SUM(1)",
    "'=quoted by someone",
    "'plain",
    "plain",
];

/// What a CSV for people holds for `name`: OWASP's `'` in front of a formula (and of a
/// name that already starts with `'` and a formula character, so that reading back can
/// tell the two apart).
fn in_csv(name: &str) -> String {
    match name {
        "'plain" | "plain" => name.to_string(),
        _ => format!("'{name}"),
    }
}

/// Rows of a CSV text as maps from header to cell.
fn rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("a header").clone();
    reader
        .records()
        .map(|record| {
            let record = record.expect("a CSV record");
            header
                .iter()
                .map(str::to_string)
                .zip(record.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn file_rows(dir: &Path, file: &str) -> Vec<HashMap<String, String>> {
    rows(&std::fs::read_to_string(dir.join(file)).expect("the file"))
}

/// The name cells of `rows`, by the original name (found by hash in `hashes`).
fn names_by_hash(rows: &[HashMap<String, String>]) -> HashMap<String, String> {
    rows.iter()
        .map(|row| (row["hash"].clone(), row["name"].clone()))
        .collect()
}

fn create_named(fake: &Fake, dir: &Path) -> HashMap<String, &'static str> {
    for name in NAMES {
        // `--name=-3`: a separate `-3` would be taken for a flag.
        let output = fake.run(dir, &["create", &format!("--name={name}"), "--limit", "5"]);
        assert_code(&output, 0);
    }
    fake.all_keys()
        .into_iter()
        .filter_map(|k| {
            let name = NAMES.iter().find(|n| k.name.as_deref() == Some(**n))?;
            Some((k.hash, *name))
        })
        .collect()
}

#[test]
fn list_and_report_csv_prefix_cells_a_spreadsheet_would_run_and_json_stays_exact() {
    let fake = Fake::start();
    let dir = tempdir();
    let created = create_named(&fake, dir.path());
    assert_eq!(created.len(), NAMES.len());

    let output = fake.run(dir.path(), &["list", "--format", "csv"]);
    assert_code(&output, 0);
    let listed = names_by_hash(&rows(&stdout(&output)));
    let output = fake.run(dir.path(), &["report", "--format", "csv"]);
    assert_code(&output, 0);
    let reported = names_by_hash(&rows(&stdout(&output)));
    for (hash, name) in &created {
        assert_eq!(listed[hash], in_csv(name), "list --format csv");
        assert_eq!(reported[hash], in_csv(name), "report --format csv");
    }

    for format in ["json", "ndjson"] {
        let output = fake.run(dir.path(), &["list", "--format", format]);
        let text = stdout(&output);
        let keys: Vec<serde_json::Value> = match format {
            "json" => serde_json::from_str(&text).unwrap(),
            _ => text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
        };
        for key in keys {
            if let Some(name) = created.get(key["hash"].as_str().unwrap()) {
                assert_eq!(key["name"], *name, "--format {format} keeps names exact");
            }
        }
    }
}

#[test]
fn a_list_csv_read_back_by_bulk_delete_names_and_deletes_the_same_keys() {
    let fake = Fake::start();
    let dir = tempdir();
    let created = create_named(&fake, dir.path());
    create(&fake, dir.path(), "=keep me", &[]);
    let output = fake.run(
        dir.path(),
        &[&["list", "--format", "csv"][..], &GLOBS].concat(),
    );
    std::fs::write(dir.path().join("old.csv"), &output.stdout).unwrap();

    let output = fake.run(dir.path(), &["bulk-delete", "old.csv", "--dry-run"]);
    assert_code(&output, 0);
    let plan = stdout(&output);
    for (hash, name) in &created {
        assert!(
            plan.contains(&format!("{hash}  {name}\n")),
            "{name}: {plan}"
        );
    }
    let output = fake.run(dir.path(), &["bulk-delete", "old.csv", "--yes"]);
    assert_code(&output, 0);
    let left: Vec<String> = fake
        .server
        .created_key_names()
        .into_iter()
        .filter(|n| NAMES.contains(&n.as_str()) || n == "=keep me")
        .collect();
    assert_eq!(left, ["=keep me"]);
}

#[test]
fn secrets_files_prefix_names_and_keep_hashes_and_secrets_exact() {
    let fake = Fake::start();
    let dir = tempdir();
    let mut input = csv::Writer::from_writer(Vec::new());
    input.write_record(["name"]).unwrap();
    for name in NAMES {
        input.write_record([name]).unwrap();
    }
    std::fs::write(dir.path().join("in.csv"), input.into_inner().unwrap()).unwrap();
    let output = fake.run(
        dir.path(),
        &["bulk-create", "in.csv", "--secrets-out", "made.csv"],
    );
    assert_code(&output, 0);
    let made = secrets_file(&fake, dir.path(), "made.csv");

    let output = fake.run(
        dir.path(),
        &[
            &[
                "rotate",
                "--then",
                "keep",
                "--yes",
                "--secrets-out",
                "rotated.csv",
            ][..],
            &GLOBS,
        ]
        .concat(),
    );
    assert_code(&output, 0);
    let rotated = secrets_file(&fake, dir.path(), "rotated.csv");
    for row in &rotated {
        assert!(made.iter().any(|m| m["hash"] == row["replaces"]));
    }
}

/// The rows of a secrets file, checked: one per name, each name neutralised, each hash and
/// secret exactly the API's (the hash names a key, the secret authenticates as it).
fn secrets_file(fake: &Fake, dir: &Path, file: &str) -> Vec<HashMap<String, String>> {
    let rows = file_rows(dir, file);
    assert_eq!(rows.len(), NAMES.len(), "{file}");
    let keys = fake.all_keys();
    for row in &rows {
        let key = keys
            .iter()
            .find(|k| k.hash == row["hash"])
            .expect("the hash as it is");
        assert_eq!(row["name"], in_csv(key.name.as_deref().unwrap()), "{file}");
        assert!(
            fake.authenticates_as(&row["key"], &key.label),
            "{file}: the secret as it is"
        );
    }
    rows
}
