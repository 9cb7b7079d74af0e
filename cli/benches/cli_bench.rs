//! Figures for the `openrouter-keys` binary against the in-process fake: wall time and peak
//! RSS of the CLI process (its `VmHWM`) for
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
use openrouter_keys_testkit::{FakeServer, RandomFaults};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the CLI to completion; returns wall time, peak RSS in KiB and the exit code.
///
/// Peak RSS is the child's `VmHWM` from `/proc/PID/status`, read until its memory is released
/// at exit. Not `wait4`'s `ru_maxrss`: a child spawned with `vfork`/`posix_spawn` (as
/// `std::process::Command` does) is charged the *parent's* resident set until it execs, which
/// here would count the in-process fake and its keys. Linux only; 0 elsewhere.
fn measure(fake: &FakeServer, dir: &std::path::Path, args: &[&str]) -> (Duration, i64, i32) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_openrouter-keys"))
        .args(args)
        .current_dir(dir)
        .env("OPENROUTER_API_KEY", fake.management_key())
        .env("OPENROUTER_BASE_URL", fake.base_url())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the CLI starts");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    // Until the child exits its status shows VmHWM; a zombie's does not (nothing reaps it
    // before `wait` below).
    while let Some(hwm) = std::fs::read_to_string(&status_file)
        .ok()
        .and_then(|status| vm_hwm_kib(&status))
    {
        peak_kib = hwm;
        std::thread::sleep(Duration::from_micros(500));
    }
    let status = child.wait().expect("the CLI ends");
    (started.elapsed(), peak_kib, status.code().unwrap_or(-1))
}

/// The `VmHWM:   1234 kB` line of `/proc/PID/status`.
fn vm_hwm_kib(status: &str) -> Option<i64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
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

    // The same batch with 10 % of requests on every route faulted (as in cli/tests/faults.rs).
    let fake = runtime.block_on(FakeServer::start()).expect("the fake");
    fake.inject_random(RandomFaults {
        rate: 0.10,
        faults: [
            "500",
            "502:html",
            "503:empty",
            "429:ms=20",
            "close-before",
            "close-after",
            "delay=900",
            "truncate",
            "invalid-json",
        ]
        .iter()
        .map(|f| f.parse().expect("a fault"))
        .collect(),
        seed: 42,
    });
    let faulted = [
        "--timeout",
        "300ms",
        "--attempts",
        "6",
        "bulk-create",
        "rows.csv",
        "--secrets-out",
        "faulted.csv",
        "--concurrency",
        "8",
    ];
    let started = Instant::now();
    let mut runs = 0;
    let mut peak = 0;
    loop {
        runs += 1;
        let (_, rss, code) = measure(&fake, dir.path(), &faulted);
        peak = peak.max(rss);
        if code == 0 || runs == 5 {
            break;
        }
    }
    report(
        &format!("bulk-create 1,000 rows, 10% faults ({runs} run(s))"),
        (started.elapsed(), peak, 0),
    );
    println!(
        "  keys created: {}; faults injected: {:?}",
        fake.created_key_count(),
        fake.faults_injected()
    );

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
