//! Where the API key comes from: `--api-key-file` or one of three variables.

use crate::common::{Fake, assert_code, stderr, stdout, tempdir, write};

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
fn no_api_key_names_every_variable_read() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake
        .cli(dir.path())
        .env_remove("OPENROUTER_API_KEY")
        .arg("whoami")
        .output()
        .unwrap();
    assert_code(&output, 2);
    for variable in [
        "OPENROUTER_API_KEY",
        "OPENROUTER_MANAGEMENT_KEY",
        "OPENROUTER_PROVISIONING_KEY",
    ] {
        assert!(stderr(&output).contains(variable), "{}", stderr(&output));
    }
}

/// A UTF-8 BOM in the key file is not part of the key; an empty OPENROUTER_API_KEY does not
/// hide a set OPENROUTER_MANAGEMENT_KEY.
#[test]
fn a_bom_is_stripped_and_an_empty_variable_does_not_hide_another() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(
        d,
        "key.txt",
        &format!("\u{feff}{}\n", fake.server.management_key()),
    );
    let output = fake
        .cli(d)
        .env_remove("OPENROUTER_API_KEY")
        .args(["--api-key-file", "key.txt", "whoami"])
        .output()
        .unwrap();
    assert_code(&output, 0);
    let output = fake
        .cli(d)
        .env("OPENROUTER_API_KEY", "")
        .env("OPENROUTER_MANAGEMENT_KEY", fake.server.management_key())
        .args(["whoami"])
        .output()
        .unwrap();
    assert_code(&output, 0);
}
