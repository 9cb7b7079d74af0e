//! `whoami`: the key the CLI authenticates with.

use crate::common::{Fake, assert_code, stdout, tempdir};

#[test]
fn whoami_shows_the_current_key() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(dir.path(), &["whoami"]);
    assert_code(&output, 0);
    assert!(stdout(&output).contains("management key  yes"));
    let output = fake.run(dir.path(), &["whoami", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["is_management_key"], true);
    assert_eq!(json["allowed_data_regions"][0], "global");
}
