//! A key's secret given where a hash belongs (the likeliest paste mistake: both sit side by
//! side in a secrets file) is refused before any request by every command that takes a hash,
//! and never printed: not on stderr, not on stdout, not in a preview.

use crate::common::{Fake, assert_code, create, stderr, stdout, tempdir, write};
use openrouter_keys_testkit::Route;

#[test]
fn no_command_that_takes_a_hash_prints_a_secret_given_as_one() {
    let fake = Fake::start();
    let dir = tempdir();
    // A real secret of a real key, so that nothing but the CLI's own check stands between
    // it and a request.
    let secret = create(&fake, dir.path(), "mine", &[]);
    assert!(secret.starts_with("sk-or-"), "{secret}");
    let hex = secret.trim_start_matches("sk-or-v1-");
    write(
        dir.path(),
        "secrets.csv",
        &format!("hash,name\n{secret},mine\n"),
    );
    let json = format!("[{{\"hash\":\"{secret}\",\"name\":\"mine\"}}]");
    write(dir.path(), "keys.json", &json);
    let requests_before = fake.server.total_requests();
    let commands: Vec<Vec<&str>> = vec![
        vec!["get", &secret],
        vec!["get", &secret, "--format", "json"],
        vec!["delete", &secret, "--yes"],
        vec!["delete", &secret],
        vec!["disable", &secret, "--dry-run"],
        vec!["enable", &secret, "--yes"],
        vec!["update", &secret, "--limit", "5", "--yes"],
        vec!["rotate", &secret, "--secrets-out", "r.csv", "--yes"],
        vec!["bulk-delete", "secrets.csv", "--yes"],
        vec!["bulk-delete", "keys.json", "--dry-run"],
    ];
    for args in &commands {
        let output = fake.run(dir.path(), args);
        let (out, err) = (stdout(&output), stderr(&output));
        assert_code(&output, 2);
        for text in [&out, &err] {
            assert!(
                !text.contains(hex) && !text.contains(&hex[..16]),
                "{args:?} printed the secret:\n{text}"
            );
        }
        assert!(err.contains("secret"), "{args:?} says why:\n{err}");
        assert!(
            err.contains("openrouter-keys list"),
            "{args:?}: the hint speaks the CLI:\n{err}"
        );
        assert!(!err.contains("current_key"), "{args:?}: SDK advice:\n{err}");
    }
    // Read from stdin too.
    let output = fake
        .cli(dir.path())
        .args(["bulk-delete", "-", "--yes"])
        .stdin(std::fs::File::open(dir.path().join("secrets.csv")).unwrap())
        .output()
        .unwrap();
    assert_code(&output, 2);
    assert!(!stderr(&output).contains(hex), "{}", stderr(&output));
    // Refused before anything was sent.
    assert_eq!(fake.server.total_requests(), requests_before);
    assert_eq!(fake.server.requests(Route::DeleteKeys), 0);
    assert!(!dir.path().join("r.csv").exists());
}

#[test]
fn a_hash_refused_by_the_sdk_gets_the_clis_advice() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(dir.path(), &["get", ".."]);
    assert_code(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("openrouter-keys list --wide"), "{err}");
    assert!(!err.contains("current_key"), "{err}");
}
