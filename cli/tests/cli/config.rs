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

/// A key refused by a management operation names what it needs; when that key came from
/// OPENROUTER_API_KEY and OPENROUTER_MANAGEMENT_KEY is set too, the hint says which one was
/// used and how to use the other.
#[test]
fn a_refused_key_says_a_management_key_is_needed_and_which_variable_shadowed_one() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake
        .cli(dir.path())
        .env("OPENROUTER_API_KEY", fake.server.normal_key())
        .env("OPENROUTER_MANAGEMENT_KEY", fake.server.management_key())
        .arg("list")
        .output()
        .unwrap();
    assert_code(&output, 1);
    let said = stderr(&output);
    assert!(said.contains("needs a management key"), "{said}");
    assert!(
        said.contains("OPENROUTER_MANAGEMENT_KEY is set too, but OPENROUTER_API_KEY comes first"),
        "{said}"
    );
    // Alone, the refused key gets no word about other variables.
    let output = fake
        .cli(dir.path())
        .env("OPENROUTER_API_KEY", fake.server.normal_key())
        .arg("list")
        .output()
        .unwrap();
    assert!(!stderr(&output).contains("set too"), "{}", stderr(&output));
}

/// A base URL without the API's path reaches the site, not the API: the hint says the base
/// URL is likely wrong, for a listing and for a key's 404 alike (not "no key has this hash").
#[test]
fn a_base_url_without_the_api_path_is_named_as_the_likely_cause() {
    let fake = Fake::start();
    let dir = tempdir();
    let site = fake
        .server
        .base_url()
        .trim_end_matches("/api/v1")
        .to_string();
    for args in [vec!["list"], vec!["get", "0e6f5ad0"]] {
        let output = fake
            .cli(dir.path())
            .arg("--base-url")
            .arg(&site)
            .args(&args)
            .output()
            .unwrap();
        assert_code(&output, 1);
        let said = stderr(&output);
        assert!(said.contains("base URL"), "{args:?}: {said}");
        assert!(!said.contains("no key has this hash"), "{args:?}: {said}");
    }
}
