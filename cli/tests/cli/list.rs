//! `list`: streamed in every format, with filters, globs and sorting.

use crate::common::{Fake, assert_code, cli_at, create, csv_rows, stderr, stdout, tempdir};

#[test]
fn list_streams_in_every_format_with_filters_globs_and_sort() {
    let fake = Fake::start_with(openrouter_keys_testkit::FakeServer::builder().page_size(3));
    let dir = tempdir();
    for name in ["web-b", "web-a", "batch-1", "web-c"] {
        create(&fake, dir.path(), name, &[]);
    }
    let output = fake.run(dir.path(), &["disable", "--match", "web-c", "--yes"]);
    assert_code(&output, 0);

    let output = fake.run(
        dir.path(),
        &["list", "--match", "web-*", "--format", "ndjson"],
    );
    let names: Vec<String> = stdout(&output)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        names,
        ["web-b", "web-a"],
        "disabled keys are hidden by default"
    );

    let output = fake.run(
        dir.path(),
        &[
            "list",
            "--match",
            "web-*",
            "--include-disabled",
            "--sort",
            "name",
            "--format",
            "json",
        ],
    );
    let json: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
    let names: Vec<&str> = json.iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["web-a", "web-b", "web-c"]);
    assert_eq!(json[2]["disabled"], true);

    // The documented, stable field set, in order.
    let output = fake.run(dir.path(), &["list", "--format", "ndjson"]);
    let first = stdout(&output).lines().next().unwrap().to_string();
    let fields: Vec<&str> = first
        .trim_matches(|c| c == '{' || c == '}')
        .split(",\"")
        .map(|f| f.trim_start_matches('"').split('"').next().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "hash",
            "name",
            "label",
            "disabled",
            "limit",
            "limit_remaining",
            "limit_reset",
            "include_byok_in_limit",
            "usage",
            "usage_daily",
            "usage_weekly",
            "usage_monthly",
            "byok_usage",
            "created_at",
            "updated_at",
            "expires_at",
            "workspace_id",
            "creator_user_id",
            "external_user",
            "last_used_at"
        ]
    );
    let output = fake.run(dir.path(), &["list", "--format", "csv"]);
    assert!(stdout(&output).starts_with(&fields.join(",")));
    let rows = csv_rows(&stdout(&output));
    assert_eq!(
        rows.len(),
        4,
        "the normal key and three active keys, across pages of 3"
    );
    assert!(rows.iter().all(|r| r["hash"].len() == 64));

    let output = fake.run(dir.path(), &["list"]);
    let table = stdout(&output);
    // Which workspace, the header, four keys.
    assert!(
        table.starts_with(
            "keys of the default workspace (--workspace ID or --all-workspaces lists others)\nHASH"
        ),
        "{table}"
    );
    assert_eq!(table.lines().count(), 6);

    let output = fake.run(
        dir.path(),
        &["list", "--match", "none-*", "--format", "json"],
    );
    assert_eq!(stdout(&output).trim(), "[]");
    assert_eq!(
        stderr(&output),
        "no key in the default workspace matches --match\n"
    );
    let output = fake.run(dir.path(), &["list", "--match", "none-*", "--quiet"]);
    assert_eq!(
        (stdout(&output).as_str(), stderr(&output).as_str()),
        ("", "")
    );
    let output = fake.run(dir.path(), &["list", "--match", "[", "--format", "json"]);
    assert_code(&output, 2);
}

#[test]
fn the_list_table_shows_each_keys_expiry() {
    let fake = Fake::start();
    let dir = tempdir();
    create(&fake, dir.path(), "dated", &["--expires-at", "2999-06-30"]);
    create(&fake, dir.path(), "forever", &[]);
    let output = fake.run(
        dir.path(),
        &[
            "list", "--sort", "name", "--match", "dated", "--match", "forever",
        ],
    );
    assert_code(&output, 0);
    let table = stdout(&output);
    let lines: Vec<&str> = table.lines().skip(1).collect();
    let column = lines[0].find("EXPIRES").expect("an EXPIRES column");
    let at = |line: &str| {
        line[column..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    assert!(lines[1].contains("dated"), "{table}");
    assert_eq!(at(lines[1]), "2999-06-30T23:59:59Z", "{table}");
    assert_eq!(at(lines[2]), "never", "{table}");
}

/// Pages that repeat (a proxy that ignores `offset`) end the listing with advice for a shell
/// user, not the SDK's way of paging in code.
#[test]
fn a_listing_whose_pages_repeat_says_what_to_do_in_the_clis_words() {
    // The scripted server's tasks run on this runtime's worker while the CLI runs.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let key = openrouter_keys_testkit::canned::canned_key("k1", "one");
    let page = || {
        openrouter_keys_testkit::scripted::Reply::json(
            200,
            &serde_json::json!({ "data": [key.clone()] }),
        )
    };
    let script = vec![page(), page()];
    let server = runtime
        .block_on(openrouter_keys_testkit::scripted::ScriptedServer::start(
            script,
        ))
        .unwrap();
    let dir = tempdir();
    let base_url = format!("{}/api/v1", server.base_url);
    let output = cli_at(&base_url, "sk-or-v1-scripted", dir.path())
        .args(["list", "--format", "ndjson"])
        .output()
        .unwrap();
    assert_code(&output, 1);
    let said = stderr(&output);
    assert!(said.contains("list again later"), "{said}");
    assert!(!said.contains("client."), "library code shown: {said}");
}
