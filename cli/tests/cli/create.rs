//! `create` and `get`: one key, its secret only on stdout or in a file, and what an unknown
//! outcome says.

use crate::common::{Fake, assert_code, stderr, stdout, tempdir};
use openrouter_keys_testkit::{Fault, FaultBody, Route};

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

/// A create the API made whose answer does not decode (here the hash is a number): the key
/// exists, so its secret, still in the answer, goes where a secret goes (stdout, the
/// `--secret-file`, JSON with a null key) and never to stderr; the command fails (the hash is
/// unknown) and says how to find the key, in the CLI's words, not the SDK's calls.
#[test]
fn a_created_key_whose_answer_does_not_decode_still_hands_out_its_secret() {
    let fake = Fake::start();
    let dir = tempdir();
    let secret = format!("sk-or-v1-{}", "5e".repeat(32));
    let unreadable = |body: String| Fault::Status {
        status: 201,
        body: FaultBody::Json(body),
        retry_after: None,
    };
    let with_secret = unreadable(format!(r#"{{"key":"{secret}","data":{{"hash":5}}}}"#));
    let check_failure = |output: &std::process::Output, says: &str| {
        assert_code(output, 1);
        let text = stderr(output);
        assert!(!text.contains(&secret), "the secret reached stderr: {text}");
        assert!(text.contains(says), "{text}");
        assert!(text.contains("openrouter-keys list"), "{text}");
        assert!(!text.contains("client."), "library code shown: {text}");
    };

    fake.server.inject(Route::CreateKeys, with_secret.clone());
    let output = fake.run(dir.path(), &["create", "--name", "odd"]);
    check_failure(&output, "its secret is on stdout");
    assert_eq!(stdout(&output).trim(), secret);

    fake.server.inject(Route::CreateKeys, with_secret.clone());
    let args = ["create", "--name", "odd", "--secret-file", "odd.key"];
    let output = fake.run(dir.path(), &args);
    check_failure(&output, "its secret is in odd.key");
    assert_eq!(stdout(&output), "");
    let saved = std::fs::read_to_string(dir.path().join("odd.key")).unwrap();
    assert_eq!(saved.trim(), secret);

    fake.server.inject(Route::CreateKeys, with_secret);
    let output = fake.run(dir.path(), &["create", "--name", "odd", "--format", "json"]);
    check_failure(&output, "its secret is on stdout");
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["secret"], secret.as_str());
    assert!(json["key"].is_null(), "{json}");

    // Without the secret in the answer, the key is lost: say so and how to undo it.
    fake.server.inject(
        Route::CreateKeys,
        unreadable(r#"{"data":{"hash":5}}"#.into()),
    );
    let output = fake.run(dir.path(), &["create", "--name", "odd"]);
    check_failure(&output, "its secret is lost");
    assert_eq!(stdout(&output), "");
}

/// `create --format json` prints one shape: `{"key": …, "secret": …}`, or with
/// `--secret-file` `{"key": …, "secret_file": PATH}`, so that `.key.hash` reads alike.
#[test]
fn create_json_keeps_its_shape_with_a_secret_file() {
    let fake = Fake::start();
    let dir = tempdir();
    let args = [
        "create",
        "--name",
        "j1",
        "--format",
        "json",
        "--secret-file",
        "j1.key",
    ];
    let output = fake.run(dir.path(), &args);
    assert_code(&output, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["key"]["name"], "j1");
    assert_eq!(json["secret_file"], "j1.key");
    assert!(json.get("secret").is_none(), "{json}");
}
