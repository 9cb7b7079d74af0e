//! Every command end to end against the in-process fake: output formats, exit codes,
//! confirmation rules, secret files, and round trips between commands.

mod common;

use common::{Fake, assert_code, csv_rows, stderr, stdout};
use std::future::IntoFuture;

/// Whether the key with this hash is disabled, as the API says.
fn disabled(fake: &Fake, hash: &str) -> Option<bool> {
    fake.all_keys()
        .into_iter()
        .find(|k| k.hash == hash)
        .and_then(|k| k.disabled)
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp dir")
}

/// Creates a key through the CLI (stdout is a pipe, so the secret is printed).
fn create(fake: &Fake, dir: &std::path::Path, name: &str, extra: &[&str]) -> String {
    let mut args = vec!["create", "--name", name];
    args.extend_from_slice(extra);
    let output = fake.run(dir, &args);
    assert_code(&output, 0);
    stdout(&output).trim().to_string()
}

#[test]
fn help_lists_every_command_and_the_exit_codes() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(dir.path(), &["--help"]);
    assert_code(&output, 0);
    let help = stdout(&output);
    for command in [
        "whoami",
        "list",
        "get",
        "create",
        "update",
        "enable",
        "disable",
        "delete",
        "bulk-create",
        "bulk-delete",
        "rotate",
        "report",
        "completions",
    ] {
        assert!(help.contains(command), "{command} missing from --help");
    }
    assert!(help.contains("outcome unknown"));
    let output = fake.run(dir.path(), &["list", "--format", "yaml"]);
    assert_code(&output, 2);
}

#[test]
fn whoami_shows_the_current_key() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(dir.path(), &["whoami"]);
    assert_code(&output, 0);
    assert!(stdout(&output).contains("management key   true"));
    let output = fake.run(dir.path(), &["whoami", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["is_management_key"], true);
    assert_eq!(json["allowed_data_regions"][0], "global");
}

#[test]
fn the_key_comes_from_any_of_three_variables_or_a_file() {
    let fake = Fake::start();
    let dir = tempdir();
    for variable in ["OPENROUTER_MANAGEMENT_KEY", "OPENROUTER_PROVISIONING_KEY"] {
        let output = fake
            .cli(dir.path())
            .env_remove("OPENROUTER_API_KEY")
            .env(variable, fake.server.management_key())
            .arg("whoami")
            .output()
            .unwrap();
        assert_code(&output, 0);
    }
    std::fs::write(
        dir.path().join("key"),
        format!("{}\n", fake.server.normal_key()),
    )
    .unwrap();
    let output = fake.run(
        dir.path(),
        &["whoami", "--api-key-file", "key", "--format", "json"],
    );
    assert_code(&output, 0);
    assert!(stdout(&output).contains("\"is_management_key\": false"));
    // A normal key cannot list: an API error, with a hint, and no key in the message.
    let output = fake.run(dir.path(), &["list", "--api-key-file", "key"]);
    assert_code(&output, 1);
    assert!(stderr(&output).contains("management key"));
    assert!(!stderr(&output).contains(fake.server.normal_key()));
    let output = fake
        .cli(dir.path())
        .env_remove("OPENROUTER_API_KEY")
        .arg("whoami")
        .output()
        .unwrap();
    assert_code(&output, 2);
    assert!(stderr(&output).contains("OPENROUTER_API_KEY"));
}

#[test]
fn create_prints_the_secret_only_to_stdout_and_get_shows_the_key() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(
        dir.path(),
        &[
            "create",
            "--name",
            "ci",
            "--limit",
            "25",
            "--reset",
            "monthly",
            "--expires-in",
            "30d",
            "--include-byok",
        ],
    );
    assert_code(&output, 0);
    let secret = stdout(&output).trim().to_string();
    assert!(secret.starts_with("sk-or-v1-"));
    assert!(
        !stderr(&output).contains(&secret),
        "the secret reached stderr"
    );
    let keys = fake.all_keys();
    let key = keys
        .iter()
        .find(|k| k.name.as_deref() == Some("ci"))
        .unwrap();
    assert_eq!(key.limit, Some(25.0));
    assert_eq!(
        key.limit_reset.as_ref().map(|r| r.as_str()),
        Some("monthly")
    );
    assert_eq!(key.include_byok_in_limit, Some(true));
    assert!(key.expires_at.is_some());
    assert!(fake.authenticates_as(&secret, &key.label));

    let output = fake.run(dir.path(), &["get", &key.hash, "--format", "json"]);
    assert_code(&output, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["name"], "ci");
    assert_eq!(json["limit"], 25.0);
    let output = fake.run(dir.path(), &["get", "nope"]);
    assert_code(&output, 1);
    assert!(stderr(&output).contains("404"));

    let output = fake.run(dir.path(), &["create", "--name", "j", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(json["secret"].as_str().unwrap().starts_with("sk-or-v1-"));
    assert_eq!(json["key"]["name"], "j");

    let output = fake.run(
        dir.path(),
        &["create", "--name", "x", "--expires-at", "tomorrow"],
    );
    assert_code(&output, 2);
}

#[cfg(unix)]
#[test]
fn secret_files_are_0600_and_never_overwritten_without_force() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(
        dir.path(),
        &["create", "--name", "a", "--secret-file", "a.key"],
    );
    assert_code(&output, 0);
    let path = dir.path().join("a.key");
    assert_eq!(common::mode(&path), 0o600);
    let secret = std::fs::read_to_string(&path).unwrap().trim().to_string();
    assert!(
        !stdout(&output).contains(&secret),
        "stdout has the secret despite --secret-file"
    );
    let output = fake.run(
        dir.path(),
        &["create", "--name", "b", "--secret-file", "a.key"],
    );
    assert_code(&output, 2);
    assert_eq!(
        fake.server.created_key_count(),
        1,
        "refused before creating"
    );
    let output = fake.run(
        dir.path(),
        &["create", "--name", "b", "--secret-file", "a.key", "--force"],
    );
    assert_code(&output, 0);
    assert_eq!(common::mode(&path), 0o600);
    assert_ne!(std::fs::read_to_string(&path).unwrap().trim(), secret);
}

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
    assert!(stdout(&output).starts_with("HASH"));
    assert_eq!(stdout(&output).lines().count(), 5);

    let output = fake.run(
        dir.path(),
        &["list", "--match", "none-*", "--format", "json"],
    );
    assert_eq!(stdout(&output).trim(), "[]");
    let output = fake.run(dir.path(), &["list", "--match", "[", "--format", "json"]);
    assert_code(&output, 2);
}

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
fn bulk_create_then_bulk_delete_from_the_secrets_file() {
    let fake = Fake::start();
    let dir = tempdir();
    std::fs::write(
        dir.path().join("in.csv"),
        "Name,limit,limit_reset,expires_at,include_byok_in_limit\n\
         student-a,15,monthly,2030-01-01T00:00:00Z,true\n\
         student-b,,,,\n",
    )
    .unwrap();
    let output = fake.run(
        dir.path(),
        &[
            "bulk-create",
            "in.csv",
            "--secrets-out",
            "s.csv",
            "--limit",
            "3",
        ],
    );
    assert_code(&output, 0);
    let rows = csv_rows(&std::fs::read_to_string(dir.path().join("s.csv")).unwrap());
    assert_eq!(rows.len(), 2);
    let keys = fake.all_keys();
    let a = keys
        .iter()
        .find(|k| k.name.as_deref() == Some("student-a"))
        .unwrap();
    let b = keys
        .iter()
        .find(|k| k.name.as_deref() == Some("student-b"))
        .unwrap();
    assert_eq!(
        (a.limit, b.limit),
        (Some(15.0), Some(3.0)),
        "per-row values beat flag defaults"
    );
    assert!(a.include_byok_in_limit == Some(true) && a.expires_at.is_some());
    for row in &rows {
        let key = keys.iter().find(|k| k.hash == row["hash"]).unwrap();
        assert!(fake.authenticates_as(&row["key"], &key.label));
    }
    // Secrets never on stderr.
    for row in &rows {
        assert!(!stderr(&output).contains(&row["key"]));
    }
    // A create acted on late (sent by a killed run, processed after its listing) leaves a key
    // with a batch name and no saved secret: the next run's final sweep deletes it. That run
    // left its intent in the journal, unanswered, before the row's `created`.
    let journal = dir.path().join("s.csv.journal");
    let text = std::fs::read_to_string(&journal).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let created = text.find("{\"event\":\"created\",\"row\":\"2\"").unwrap();
    let text = format!(
        "{}{{\"event\":\"intent\",\"row\":\"2\",\"at\":{now}}}\n{}",
        &text[..created],
        &text[created..]
    );
    std::fs::write(&journal, text).unwrap();
    let stray = fake
        .runtime
        .block_on(
            fake.client()
                .keys()
                .create(openrouter_keys::NewKey::new("student-b"))
                .into_future(),
        )
        .unwrap();
    let output = fake.run(
        dir.path(),
        &[
            "bulk-create",
            "in.csv",
            "--secrets-out",
            "s.csv",
            "--limit",
            "3",
        ],
    );
    assert_code(&output, 0);
    assert!(
        stderr(&output).contains("1 key(s) made for a row"),
        "{}",
        stderr(&output)
    );
    let keys = fake.all_keys();
    assert!(keys.iter().all(|k| k.hash != stray.key().hash));
    assert_eq!(
        keys.iter()
            .filter(|k| k.name.as_deref() == Some("student-b"))
            .count(),
        1
    );
    assert_eq!(
        csv_rows(&std::fs::read_to_string(dir.path().join("s.csv")).unwrap()),
        rows
    );
    // Refuses to start another batch over the same secrets file.
    std::fs::write(dir.path().join("other.csv"), "name\nz\n").unwrap();
    let output = fake.run(
        dir.path(),
        &["bulk-create", "other.csv", "--secrets-out", "s.csv"],
    );
    assert_code(&output, 2);
    // Duplicate names are refused before anything is created.
    std::fs::write(dir.path().join("dup.csv"), "name\nq\nq\n").unwrap();
    let output = fake.run(
        dir.path(),
        &["bulk-create", "dup.csv", "--secrets-out", "d.csv"],
    );
    assert_code(&output, 2);
    assert!(stderr(&output).contains("unique"));

    let output = fake.run(dir.path(), &["bulk-delete", "s.csv", "--yes"]);
    assert_code(&output, 0);
    assert_eq!(fake.server.created_key_count(), 0);
}

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
    assert!(
        table.contains("at >= 80% of their limit: 1\n   85.0%"),
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
    assert_eq!(html.matches("<rect").count(), 4, "one bar per key");
    assert!(html.contains("class=\"near\""));
    for external in ["<script", "src=", "href=", "@import", "url("] {
        assert!(
            !html.contains(external),
            "the report loads something: {external}"
        );
    }
}

#[test]
fn completions_for_three_shells() {
    let fake = Fake::start();
    let dir = tempdir();
    for shell in ["bash", "zsh", "fish"] {
        let output = fake.run(dir.path(), &["completions", shell]);
        assert_code(&output, 0);
        assert!(stdout(&output).contains("bulk-create"));
    }
}

/// Runs the CLI on a pseudo-terminal through util-linux `script`, feeding `input` to it.
/// `None` when `script` is not installed.
fn on_a_terminal(
    fake: &Fake,
    dir: &std::path::Path,
    args: &str,
    input: &str,
) -> Option<std::process::Output> {
    use std::io::Write;
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_openrouter-keys"));
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .env("OPENROUTER_API_KEY", fake.server.management_key())
        .env("OPENROUTER_BASE_URL", fake.server.base_url())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    // Give the prompt a moment before answering, as a person would.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let _ = child.stdin.take()?.write_all(input.as_bytes());
    child.wait_with_output().ok()
}

#[test]
fn on_a_terminal_changes_are_confirmed_and_secrets_are_not_shown_unasked() {
    let fake = Fake::start();
    let dir = tempdir();
    create(&fake, dir.path(), "tty", &[]);
    let hash = fake
        .all_keys()
        .into_iter()
        .find(|k| k.name.as_deref() == Some("tty"))
        .unwrap()
        .hash;
    let Some(output) = on_a_terminal(&fake, dir.path(), &format!("disable {hash}"), "n\n") else {
        eprintln!("util-linux `script` is not installed: terminal behaviour not tested");
        return;
    };
    assert_code(&output, 2);
    assert!(
        stdout(&output).contains("Proceed? [y/N]"),
        "{}",
        stdout(&output)
    );
    assert_eq!(disabled(&fake, &hash), Some(false));
    let output = on_a_terminal(&fake, dir.path(), &format!("disable {hash}"), "y\n").unwrap();
    assert_code(&output, 0);
    assert_eq!(disabled(&fake, &hash), Some(true));

    // A secret is not shown on a terminal unless asked for, and then no key is created.
    let output = on_a_terminal(&fake, dir.path(), "create --name shown", "").unwrap();
    assert_code(&output, 2);
    assert!(stdout(&output).contains("--show-secret"));
    assert!(
        !fake
            .server
            .created_key_names()
            .contains(&"shown".to_string())
    );
    let output = on_a_terminal(&fake, dir.path(), "create --name shown --show-secret", "").unwrap();
    assert_code(&output, 0);
    assert!(stdout(&output).contains("sk-or-v1-"));
}
