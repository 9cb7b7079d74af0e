//! Output for humans and for machines: documented field order, names escaped for
//! terminals and kept for machines, amounts written alike in every CSV.

use crate::common::{Fake, assert_code, create, csv_rows, hash_of, stderr, stdout, tempdir};

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

/// Key names reach humans escaped (an escape sequence would reach the terminal, a line break
/// would split a table row) and machines as the API has them.
#[test]
fn names_with_control_characters_are_escaped_for_humans_and_kept_for_machines() {
    let fake = Fake::start();
    let dir = tempdir();
    let name = "evil\u{1b}[31mred\nnext\u{202e}";
    create(&fake, dir.path(), name, &[]);
    let hash = hash_of(&fake, name);
    // Spent something: the report's table names only keys with usage.
    assert!(fake.server.add_usage(&hash, 1.0));
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

#[test]
fn every_csv_writes_an_amount_alike_and_exactly() {
    let fake = Fake::start();
    let dir = tempdir();
    create(&fake, dir.path(), "spent", &["--limit", "15"]);
    assert!(fake.server.add_usage(&hash_of(&fake, "spent"), 0.0034));
    let csv = |args: &[&str]| {
        let output = fake.run(dir.path(), args);
        assert_code(&output, 0);
        csv_rows(&stdout(&output)).remove(0)
    };
    let listed = csv(&["list", "--format", "csv", "--match", "spent"]);
    let reported = csv(&["report", "--format", "csv", "--match", "spent"]);
    for (field, amount) in [
        ("limit", "15.0"),
        ("usage", "0.0034"),
        ("usage_monthly", "0.0034"),
    ] {
        assert_eq!(listed[field], amount, "list: {field}");
        assert_eq!(reported[field], amount, "report: {field}");
    }
}
