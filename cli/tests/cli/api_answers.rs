//! What the CLI makes of the API's answers: a wrong base URL, a refused key, a long wait.

use crate::common::{Fake, assert_code, stderr, tempdir};
use openrouter_keys_testkit::Route;

#[test]
fn a_wrong_base_url_is_not_also_a_missing_hash() {
    let fake = Fake::start();
    let dir = tempdir();
    let wrong = fake
        .server
        .base_url()
        .trim_end_matches("/api/v1")
        .to_string();
    // `GET /key`, which has no documented 404. (The fake answers an unknown path with
    // OpenRouter's error JSON, so a `list` there reads as a documented 404 of `GET /keys`;
    // the real site answers a web page, which the SDK does blame on the URL.)
    let output = fake.run(dir.path(), &["whoami", "--base-url", &wrong]);
    assert_code(&output, 1);
    let text = stderr(&output);
    assert!(text.contains("base URL"), "{text}");
    assert!(!text.contains("no key has this hash"), "{text}");
    // A hash that does not exist (right base URL) keeps its hint.
    let output = fake.run(dir.path(), &["get", "nope"]);
    assert!(stderr(&output).contains("no key has this hash"));
}

#[test]
fn a_refused_key_from_a_file_names_the_file() {
    let fake = Fake::start();
    let dir = tempdir();
    std::fs::write(dir.path().join("bad.key"), "sk-or-v1-not-a-key\n").unwrap();
    let output = fake.run(dir.path(), &["list", "--api-key-file", "bad.key"]);
    assert_code(&output, 1);
    let text = stderr(&output);
    assert!(text.contains("bad.key"), "{text}");
    assert!(!text.contains("OPENROUTER_API_KEY"), "{text}");
    // From the environment, the variable is named once.
    let output = fake
        .cli(dir.path())
        .env("OPENROUTER_API_KEY", "sk-or-v1-not-a-key")
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(stderr(&output).matches("OPENROUTER_API_KEY").count(), 1);
}

#[test]
fn a_long_rate_limit_wait_is_announced() {
    let fake = Fake::start();
    let dir = tempdir();
    fake.server
        .inject(Route::List, "429:retry=2".parse().unwrap());
    let output = fake.run(dir.path(), &["list"]);
    assert_code(&output, 0);
    let text = stderr(&output);
    assert!(text.contains("waiting 2s"), "{text}");
    assert!(text.contains("list"), "{text}");
    assert!(text.contains("429"), "{text}");
}
