//! Ctrl-C: what it says may exist, what it saves, and at the prompt.

use crate::common::{
    Fake, assert_code, hashes_named, interrupt, secrets, stderr, tempdir, wait_until, write,
};
use openrouter_keys_testkit::{Fault, Route};

/// Ctrl-C during a create says that the key may exist and how to look for it; during a
/// bulk-create it writes the secrets file from the journal.
#[cfg(unix)]
#[test]
fn ctrl_c_says_what_may_exist_and_saves_the_secrets() {
    use std::process::Stdio;
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    fake.server.inject(
        Route::CreateKeys,
        Fault::Delay(std::time::Duration::from_millis(3_000)),
    );
    let child = fake
        .cli(d)
        .args(["create", "--name", "slow1", "--secret-file", "slow1.key"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until(|| fake.server.requests(Route::CreateKeys) >= 1);
    std::thread::sleep(std::time::Duration::from_millis(200));
    interrupt(&child);
    let output = child.wait_with_output().unwrap();
    assert_code(&output, 130);
    let text = stderr(&output);
    assert!(text.contains("may or may not have been created"), "{text}");
    assert!(
        text.contains("list --include-disabled --match 'slow1'"),
        "{text}"
    );

    let mut csv = String::from("name\n");
    for i in 0..30 {
        csv.push_str(&format!("cc-{i:02}\n"));
    }
    write(d, "in.csv", &csv);
    let before = fake.server.created_key_count();
    fake.server.inject_n(
        Route::CreateKeys,
        Fault::Delay(std::time::Duration::from_millis(150)),
        30,
    );
    let child = fake
        .cli(d)
        .args([
            "bulk-create",
            "in.csv",
            "--secrets-out",
            "s.csv",
            "--concurrency",
            "2",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Counted from here: `slow1` above is one of the fake's created keys too.
    wait_until(|| fake.server.created_key_count() >= before + 6);
    interrupt(&child);
    let output = child.wait_with_output().unwrap();
    assert_code(&output, 130);
    let text = stderr(&output);
    assert!(text.contains("written from the journal"), "{text}");
    let saved = secrets(d, "s.csv");
    // At most two creates (the concurrency) were in flight, acted on but unanswered.
    assert!(saved.len() >= 4, "{text}");
    for row in &saved {
        assert!(fake.all_keys().iter().any(|k| k.hash == row["hash"]));
    }
}

/// Ctrl-C at the y/N prompt exits 130 and says that nothing was changed.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_at_the_prompt_exits_130() {
    use std::io::Read;
    use std::os::fd::FromRawFd;
    use std::process::Stdio;
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    assert_code(&fake.run(d, &["create", "--name", "pr-1"]), 0);
    // A terminal for stdin: the prompt is shown only there.
    let (mut leader, mut follower) = (0, 0);
    // SAFETY: openpty writes two descriptors into our integers; the other arguments may be null.
    let rc = unsafe {
        libc::openpty(
            &mut leader,
            &mut follower,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    if rc != 0 {
        // A sandbox without pseudo-terminals (no /dev/ptmx): nothing to test the prompt on.
        eprintln!(
            "skipped: openpty failed ({})",
            std::io::Error::last_os_error()
        );
        return;
    }
    // SAFETY: both descriptors were just opened by openpty and are owned here only.
    let (_leader, follower) = unsafe {
        (
            std::fs::File::from_raw_fd(leader),
            std::fs::File::from_raw_fd(follower),
        )
    };
    let mut child = fake
        .cli(d)
        .args(["delete", "--match", "pr-*"])
        .stdin(follower)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("Proceed?") {
        let n = err.read(&mut chunk).unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&chunk[..n]);
    }
    interrupt(&child);
    err.read_to_end(&mut seen).unwrap();
    let status = child.wait().unwrap();
    let text = String::from_utf8_lossy(&seen);
    assert_eq!(status.code(), Some(130), "{text}");
    assert!(text.contains("nothing was changed"), "{text}");
    assert_eq!(hashes_named(&fake, "pr-1").len(), 1);
}
