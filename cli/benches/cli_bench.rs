//! Figures for the `openrouter-keys` binary against the in-process fake: wall time and peak
//! RSS of the CLI process (its `VmHWM`) for
//!
//! - `bulk-create` of 1,000 rows at `--concurrency 8` (no create in doubt: the settle rule
//!   costs no wait), and with 10 % of requests faulted, with `--settle 0s` and the default;
//! - `bulk-create` of 1,000 rows at 100 ms per create, and against a 20/s rate limit on
//!   creates (429 with `Retry-After: 1`: the 429s' share of the POSTs, rows without a key);
//! - `rotate` of 100 keys at 50 ms per call;
//! - `list` of 1,000 to 20,000 keys streamed (`--format ndjson`, `table`, `csv`), and with
//!   `--sort` (which holds every key) for comparison.
//!
//! A benchmark prints figures; it asserts nothing. Run: `cargo bench -p openrouter-keys-cli`
//! (all, several minutes), or name some: `cargo bench -p openrouter-keys-cli -- latency
//! rate-limit rotate faults bulk-create list`.
//! The fake runs in this process, so its work is not in the CLI's RSS (it is in the wall
//! time: both share the machine).

use futures_util::StreamExt;
use openrouter_keys::{Client, NewKey};
use openrouter_keys_testkit::{FakeServer, RandomFaults, Route, TokenBucket};
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

/// The benchmarks to run: those whose name contains one of the arguments (all without
/// any), e.g. `cargo bench -p openrouter-keys-cli -- rate-limit rotate`.
fn wanted(name: &str) -> bool {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

/// A CSV of `rows` rows named `PREFIX-0000`, ….
fn rows_csv(dir: &std::path::Path, file: &str, prefix: &str, rows: usize) {
    let mut csv = String::from("name,limit\n");
    for i in 0..rows {
        csv.push_str(&format!("{prefix}-{i:04},{}\n", i % 20));
    }
    std::fs::write(dir.join(file), csv).expect("write rows");
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temp dir");
    let d = dir.path();

    // bulk-create of 1,000 rows at concurrency 8, no create in doubt: the settle rule costs
    // nothing here (no wait), the final sweep one listing.
    if wanted("bulk-create") {
        let fake = runtime.block_on(FakeServer::start()).expect("the fake");
        rows_csv(d, "rows.csv", "bench", 1_000);
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
            measure(&fake, d, &args),
        );
        report("  rerun (journal says all done)", measure(&fake, d, &args));
        println!("  keys created: {}", fake.created_key_count());
    }

    // The same batch with 10 % of requests on every route faulted (as in
    // cli/tests/faults.rs): creates end in doubt, so the run waits for them to settle. Once
    // with --settle 0s (what the run costs without waiting), once with the default.
    for (settle, title) in [("0s", "--settle 0s"), ("2m", "default --settle (2m)")] {
        if !wanted("faults") {
            break;
        }
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
        let secrets = format!("faulted-{settle}.csv");
        let faulted = [
            "--timeout",
            "300ms",
            "--attempts",
            "6",
            "bulk-create",
            "rows.csv",
            "--secrets-out",
            &secrets,
            "--concurrency",
            "8",
            "--settle",
            settle,
        ];
        rows_csv(d, "rows.csv", "bench", 1_000);
        let started = Instant::now();
        let mut runs = 0;
        let mut peak = 0;
        loop {
            runs += 1;
            let (_, rss, code) = measure(&fake, d, &faulted);
            peak = peak.max(rss);
            if code == 0 || runs == 5 {
                break;
            }
        }
        report(
            &format!("bulk-create 1,000 rows, 10% faults, {title} ({runs} run(s))"),
            (started.elapsed(), peak, 0),
        );
        println!(
            "  keys created: {}; faults injected: {:?}",
            fake.created_key_count(),
            fake.faults_injected()
        );
    }

    // bulk-create at the server's pace: 100 ms per create, default flags (the ideal is
    // rows x latency / concurrency = 25 s at the default concurrency of 4).
    if wanted("latency") {
        let fake = runtime
            .block_on(
                FakeServer::builder()
                    .latency(Route::CreateKeys, Duration::from_millis(100))
                    .start(),
            )
            .expect("the fake");
        rows_csv(d, "slow.csv", "slow", 1_000);
        let args = ["bulk-create", "slow.csv", "--secrets-out", "slow-s.csv"];
        let measured = measure(&fake, d, &args);
        report("bulk-create 1,000 rows, 100 ms per create", measured);
        let ideal = 1_000.0 * 0.1 / 4.0;
        println!(
            "  {:.3} x the ideal {ideal:.1} s (rows x latency / --concurrency 4); keys: {}; \
             most creates in flight: {}",
            measured.0.as_secs_f64() / ideal,
            fake.created_key_count(),
            fake.max_in_flight(Route::CreateKeys)
        );
    }

    // bulk-create against a rate limit: creates limited to 20/s (429 + Retry-After: 1).
    if wanted("rate-limit") {
        let fake = runtime
            .block_on(
                FakeServer::builder()
                    .rate_limit(Route::CreateKeys, TokenBucket::per_second(20))
                    .start(),
            )
            .expect("the fake");
        rows_csv(d, "limited.csv", "limited", 1_000);
        let args = [
            "bulk-create",
            "limited.csv",
            "--secrets-out",
            "limited-s.csv",
        ];
        let measured = measure(&fake, d, &args);
        report("bulk-create 1,000 rows, creates limited to 20/s", measured);
        let posts = fake.requests(Route::CreateKeys);
        let refused = fake.rate_limited(Route::CreateKeys);
        println!(
            "  {:.3} x 50 s; 429s {refused} of {posts} POSTs ({:.1} %); rows without a key: {}",
            measured.0.as_secs_f64() / 50.0,
            100.0 * refused as f64 / posts.max(1) as f64,
            1_000usize.saturating_sub(fake.created_key_count())
        );
    }

    // rotate of 100 keys, every call taking 50 ms, default flags.
    if wanted("rotate") {
        let fake = runtime.block_on(FakeServer::start()).expect("the fake");
        let client = Client::builder()
            .api_key(fake.management_key())
            .base_url(fake.base_url())
            .build()
            .expect("a client");
        seed_named(&runtime, &client, "rot", 100);
        for route in Route::ALL {
            fake.set_latency(route, Duration::from_millis(50));
        }
        let args = [
            "rotate",
            "--match",
            "rot-*",
            "--secrets-out",
            "rotated.csv",
            "--yes",
        ];
        report("rotate 100 keys, 50 ms per call", measure(&fake, d, &args));
        println!(
            "  calls: {}; most in flight at once: creates {}, GET /key {}",
            fake.total_requests(),
            fake.max_in_flight(Route::CreateKeys),
            fake.max_in_flight(Route::GetCurrentKey)
        );
    }

    // list of 1,000 to 20,000 keys.
    if !wanted("list") {
        return;
    }
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
            report(&title, measure(&fake, d, &args));
        }
    }
}

/// Creates `count` keys named `PREFIX-000` through the SDK.
fn seed_named(runtime: &tokio::runtime::Runtime, client: &Client, prefix: &str, count: usize) {
    runtime.block_on(async {
        futures_util::stream::iter(0..count)
            .map(|i| {
                let client = client.clone();
                let name = format!("{prefix}-{i:03}");
                async move { client.keys().create(NewKey::new(name)).await }
            })
            .buffer_unordered(16)
            .for_each(|r| async move {
                r.expect("seeding a key");
            })
            .await;
    });
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
