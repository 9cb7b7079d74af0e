//! `create` and `get`: one key, its secret only on stdout or in a file, and what an unknown
//! outcome says.

use crate::common::{Fake, assert_code, stderr, stdout, tempdir};
use openrouter_keys_testkit::{Fault, Route};

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

#[test]
fn an_unknown_create_outcome_says_which_command_to_run() {
    let fake = Fake::start();
    let dir = tempdir();
    fake.server.inject(Route::CreateKeys, Fault::status(500));
    let output = fake.run(dir.path(), &["create", "--name", "u"]);
    assert_code(&output, 4);
    let text = stderr(&output);
    assert!(text.contains("openrouter-keys list"), "{text}");
    assert!(text.contains("--match 'u'"), "{text}");
    assert!(
        !text.contains("client.keys()"),
        "library code shown: {text}"
    );
}

#[test]
fn create_with_quiet_says_nothing_on_stderr() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(dir.path(), &["create", "--name", "a", "--quiet"]);
    assert_code(&output, 0);
    assert!(stdout(&output).starts_with("sk-or-v1-"));
    assert_eq!(stderr(&output), "");
    let output = fake.run(
        dir.path(),
        &["-q", "create", "--name", "b", "--secret-file", "b.key"],
    );
    assert_code(&output, 0);
    assert_eq!(stderr(&output), "");
    // Without --quiet it says what it made.
    let output = fake.run(dir.path(), &["create", "--name", "c"]);
    assert!(
        stderr(&output).contains("created key"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_expiry_date_means_the_end_of_that_day_in_utc() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(
        dir.path(),
        &["create", "--name", "dated", "--expires-at", "2999-06-30"],
    );
    assert_code(&output, 0);
    let key = fake
        .all_keys()
        .into_iter()
        .find(|k| k.name.as_deref() == Some("dated"))
        .unwrap();
    assert_eq!(
        key.expires_at.as_ref().map(|t| t.as_str()),
        Some("2999-06-30T23:59:59Z")
    );
    let output = fake.run(
        dir.path(),
        &["create", "--name", "x", "--expires-at", "30.06.2999"],
    );
    assert_code(&output, 2);
    let said = stderr(&output);
    assert!(
        said.contains("--expires-at") && said.contains("2027-06-30") && said.contains("RFC 3339"),
        "{said}"
    );
    assert_eq!(fake.server.created_key_count(), 1);
    let help = stdout(&fake.run(dir.path(), &["create", "--help"]));
    assert!(help.contains("end of that day in UTC"), "{help}");
}
