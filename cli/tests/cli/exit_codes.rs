//! The exit code of a command that acts on several keys or rows, by the one rule of
//! `exit.rs`: 0 when every item is done, 3 when some are and others failed, the failures'
//! own code when every item failed (as a single call would), 4 when one may or may not have
//! happened.

use crate::common::{Fake, assert_code, create, tempdir, write};
use openrouter_keys_testkit::{Fault, Route};

#[test]
fn a_batch_exits_3_when_some_rows_fail_and_1_when_every_row_fails() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    write(d, "two.csv", "name\nx-1\nx-2\n");
    fake.server
        .inject_n(Route::CreateKeys, Fault::status(400), 2);
    let output = fake.run(d, &["bulk-create", "two.csv", "--secrets-out", "a.csv"]);
    assert_code(&output, 1);
    write(d, "more.csv", "name\ny-1\ny-2\n");
    fake.server.inject(Route::CreateKeys, Fault::status(400));
    let output = fake.run(
        d,
        &[
            "bulk-create",
            "more.csv",
            "--secrets-out",
            "b.csv",
            "--concurrency",
            "1",
        ],
    );
    assert_code(&output, 3);
}

#[test]
fn changes_and_deletes_exit_3_when_some_keys_fail_and_1_when_every_key_fails() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    for name in ["z-1", "z-2"] {
        create(&fake, d, name, &[]);
    }
    let quick = ["--attempts", "1"];
    fake.server
        .inject_n(Route::UpdateKeys, Fault::status(500), 2);
    let mut args = quick.to_vec();
    args.extend(["disable", "--match", "z-*", "--yes"]);
    assert_code(&fake.run(d, &args), 1);
    fake.server.inject(Route::UpdateKeys, Fault::status(500));
    assert_code(&fake.run(d, &args), 3);
    let listed = fake.run(
        d,
        &[
            "list",
            "--match",
            "z-*",
            "--include-disabled",
            "--format",
            "csv",
        ],
    );
    std::fs::write(d.join("z.csv"), &listed.stdout).unwrap();
    fake.server
        .inject_n(Route::DeleteKeys, Fault::status(500), 2);
    let mut args = quick.to_vec();
    args.extend(["bulk-delete", "z.csv", "--yes"]);
    assert_code(&fake.run(d, &args), 1);
    fake.server.inject(Route::DeleteKeys, Fault::status(500));
    assert_code(&fake.run(d, &args), 3);
    assert_code(&fake.run(d, &args), 0);
}
