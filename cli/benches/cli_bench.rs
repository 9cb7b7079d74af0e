//! Figures for the `openrouter-keys` binary against the in-process fake: wall time and peak
//! RSS of the CLI process (from `wait4`'s rusage) for
//!
//! - `bulk-create` of 1,000 rows at `--concurrency 8`,
//! - `list` of 10,000 keys streamed (`--format ndjson` and `table`), and with `--sort`
//!   (which holds every key) for comparison.
//!
//! A benchmark prints figures; it asserts nothing. Run: `cargo bench -p openrouter-keys-cli`.
//! The fake runs in this process, so its work is not in the CLI's RSS (it is in the wall
//! time: both share the machine).

use futures_util::StreamExt;
use openrouter_keys::{Client, NewKey};
use openrouter_keys_testkit::FakeServer;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the CLI to completion; returns wall time, peak RSS in KiB and the exit code.
// The child is reaped by `wait4` (which also returns its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn measure(fake: &FakeServer, dir: &std::path::Path, args: &[&str]) -> (Duration, i64, i32) {
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_openrouter-keys"))
        .args(args)
        .current_dir(dir)
        .env("OPENROUTER_API_KEY", fake.management_key())
        .env("OPENROUTER_BASE_URL", fake.base_url())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the CLI starts");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for the child spawned above, which nothing else waits for.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let elapsed = started.elapsed();
    assert!(pid > 0, "wait4 failed");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (elapsed, usage.ru_maxrss, code)
}

fn report(what: &str, (wall, rss_kib, code): (Duration, i64, i32)) {
    println!(
        "{what:<48} wall {:>8.1} ms   peak RSS {:>7.1} MiB   exit {code}",
        wall.as_secs_f64() * 1000.0,
        rss_kib as f64 / 1024.0
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temp dir");

    // bulk-create of 1,000 rows at concurrency 8.
    let fake = runtime.block_on(FakeServer::start()).expect("the fake");
    let mut csv = String::from("name,limit\n");
    for i in 0..1_000 {
        csv.push_str(&format!("bench-{i:04},{}\n", i % 20));
    }
    std::fs::write(dir.path().join("rows.csv"), csv).expect("write rows");
    let args = [
        "bulk-create",
        "rows.csv",
        "--secrets-out",
        "s.csv",
        "--concurrency",
        "8",
    ];
    report(
        "bulk-create 1,000 rows, --concurrency 8",
        measure(&fake, dir.path(), &args),
    );
    report(
        "  rerun (journal says all done)",
        measure(&fake, dir.path(), &args),
    );
    println!("  keys created: {}", fake.created_key_count());

    // list of 10,000 keys.
    let fake = runtime.block_on(FakeServer::start()).expect("the fake");
    let client = Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .build()
        .expect("a client");
    // Memory is flat when a listing of 10,000 keys peaks where a listing of 1,000 does.
    for total in [1_000, 10_000, 20_000] {
        seed(&runtime, &client, fake.created_key_count(), total);
        for (what, args) in [
            ("--format ndjson", vec!["list", "--format", "ndjson"]),
            (
                "--match nothing (no output)",
                vec!["list", "--match", "zzz"],
            ),
            ("--format table", vec!["list"]),
            ("--format csv", vec!["list", "--format", "csv"]),
            (
                "--sort usage (holds every key)",
                vec!["list", "--sort", "usage"],
            ),
        ] {
            let title = format!("list {total:>6} keys {what}");
            report(&title, measure(&fake, dir.path(), &args));
        }
    }
}

/// Creates keys through the SDK until the fake holds `total`.
fn seed(runtime: &tokio::runtime::Runtime, client: &Client, from: usize, total: usize) {
    runtime.block_on(async {
        futures_util::stream::iter(from..total)
            .map(|i| {
                let client = client.clone();
                async move {
                    client
                        .keys()
                        .create(NewKey::new(format!("key-{i:06}")))
                        .await
                }
            })
            .buffer_unordered(32)
            .for_each(|r| async move {
                r.expect("seeding a key");
            })
            .await;
    });
}
