//! The SDK's cost per call against raw reqwest doing the same requests, side by side.
//!
//! `cargo bench --bench sdk_vs_raw`. A canned-response server (testkit's `CannedServer`) runs on
//! its own thread and runtime: the stateful fake would change as the benchmark creates keys and
//! spend its own CPU, while the canned one answers fixed, spec-shaped bodies. The client side
//! runs on a current-thread runtime on the main thread, so that thread's CPU clock is exactly
//! the client's cost (reqwest, hyper, decoding, and for the SDK its own layers).
//!
//! Raw reqwest sends the same headers (bearer auth, user agent, accept, content type), the same
//! per-request timeout, and decodes into the same generated structs the SDK decodes into.
//! Rounds alternate SDK and raw so that drift in the machine affects both alike; a level's
//! ratio is the median over rounds of each SDK round against the raw round next to it.
//!
//! `--sizes` prints only the size of each operation's future in flight (what every call in
//! flight holds; a full run prints it too). `SDK_VS_RAW_ROUNDS=1` prints every round's figures
//! to stderr. For profilers,
//! `--only Sdk|Raw List|Get|Create|Mixed CALLS [CONCURRENCY]` runs one side alone (`Mixed`:
//! list, get and create in turn, as an application's calls compete for the caches), e.g. under
//! `valgrind --tool=callgrind --separate-threads=yes` (the client is thread 1).

use openrouter_keys::reqwest;
use openrouter_keys::{Client, NewKey};
use openrouter_keys_codegen::types;
use openrouter_keys_testkit::canned::{CANNED_HASH, CannedServer};
use std::future::Future;
use std::process::Command;
use std::time::{Duration, Instant};

const KEY: &str = "sk-or-v1-benchmark-0000000000000000000000000000000000000000000000";
/// Many short rounds rather than a few long ones: each SDK round runs right next to a raw
/// round, so a burst from another tenant of the machine spoils one pair, not a whole side.
const ROUNDS: usize = 40;
const CALLS_PER_ROUND: usize = 256;
const RSS_CALLS: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    List,
    Get,
    Create,
    /// List, get and create in turn (profilers only, `--only … Mixed`): code of three
    /// operations competing for the instruction cache, as in an application.
    Mixed,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Side {
    Sdk,
    Raw,
}

struct Clients {
    sdk: Client,
    raw: reqwest::Client,
    base_url: String,
}

impl Clients {
    async fn call(&self, side: Side, op: Op, index: usize) {
        let op = match op {
            Op::Mixed => [Op::List, Op::Get, Op::Create][index % 3],
            op => op,
        };
        match side {
            Side::Sdk => self.sdk_call(op).await,
            Side::Raw => self.raw_call(op).await,
        }
    }

    async fn sdk_call(&self, op: Op) {
        let keys = self.sdk.keys();
        let ok = match op {
            Op::List => keys
                .list()
                .await
                .map(|page| page.len() == 3)
                .unwrap_or(false),
            Op::Get => keys.get(CANNED_HASH).await.is_ok(),
            Op::Create => keys.create(NewKey::new("bench")).await.is_ok(),
            Op::Mixed => unreachable!("one operation per call"),
        };
        assert!(ok, "sdk {op:?} failed");
    }

    async fn raw_call(&self, op: Op) {
        let request = match op {
            Op::List => self.raw.get(format!("{}/keys", self.base_url)),
            Op::Get => self
                .raw
                .get(format!("{}/keys/{CANNED_HASH}", self.base_url)),
            Op::Create => self
                .raw
                .post(format!("{}/keys", self.base_url))
                .json(&serde_json::json!({"name": "bench"})),
            Op::Mixed => unreachable!("one operation per call"),
        };
        let response = request
            .bearer_auth(KEY)
            .header(
                "user-agent",
                concat!("openrouter-keys-rust/", env!("CARGO_PKG_VERSION")),
            )
            .header("accept", "application/json")
            .timeout(openrouter_keys::DEFAULT_TIMEOUT)
            .send()
            .await
            .expect("raw send");
        assert!(
            response.status().is_success(),
            "raw {op:?}: {}",
            response.status()
        );
        let bytes = response.bytes().await.expect("raw body");
        let ok = match op {
            Op::List => serde_json::from_slice::<types::KeyListResponse>(&bytes)
                .map(|r| r.data.len() == 3)
                .unwrap_or(false),
            Op::Get => serde_json::from_slice::<types::KeyResponse>(&bytes).is_ok(),
            Op::Create => serde_json::from_slice::<types::CreatedKeyResponse>(&bytes).is_ok(),
            Op::Mixed => unreachable!("one operation per call"),
        };
        assert!(ok, "raw {op:?} did not decode");
    }
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// User and system CPU time of the calling thread (coarser than the thread clock, but split).
fn thread_user_sys() -> (Duration, Duration) {
    // SAFETY: getrusage fills the struct we own; RUSAGE_THREAD is a constant.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
    assert_eq!(rc, 0, "getrusage");
    let of = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (of(usage.ru_utime), of(usage.ru_stime))
}

/// The median of `values` (NaN when empty).
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> i64 {
    // SAFETY: getrusage fills the struct we own.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage");
    usage.ru_maxrss
}

#[derive(Default)]
struct Tally {
    calls: usize,
    wall: Duration,
    user: Duration,
    sys: Duration,
    latencies: Vec<Duration>,
    /// CPU µs per call of each round: the median resists bursts from other tenants of the
    /// machine better than the total does.
    round_cpu_us: Vec<f64>,
}

impl Tally {
    fn percentile(&mut self, p: f64) -> Duration {
        self.latencies.sort_unstable();
        let at = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies.get(at).copied().unwrap_or_default()
    }

    /// Median over rounds of the client CPU per call, in µs.
    fn cpu_per_call_us(&self) -> f64 {
        median(&self.round_cpu_us)
    }

    /// Mean user and system CPU per call over all rounds, in µs.
    fn user_sys_per_call_us(&self) -> (f64, f64) {
        let calls = self.calls.max(1) as f64;
        (
            self.user.as_secs_f64() * 1e6 / calls,
            self.sys.as_secs_f64() * 1e6 / calls,
        )
    }
}

/// `calls` calls spread over `concurrency` interleaved tasks on this thread.
async fn batch(
    clients: &Clients,
    side: Side,
    op: Op,
    concurrency: usize,
    calls: usize,
    tally: &mut Tally,
) {
    let per_worker = calls / concurrency;
    let cpu = thread_cpu();
    let (user, sys) = thread_user_sys();
    let wall = Instant::now();
    let workers = (0..concurrency).map(|_| async {
        let mut latencies = Vec::with_capacity(per_worker);
        for index in 0..per_worker {
            let started = Instant::now();
            clients.call(side, op, index).await;
            latencies.push(started.elapsed());
        }
        latencies
    });
    let results = join_all(workers).await;
    let round_cpu = thread_cpu() - cpu;
    let (user_after, sys_after) = thread_user_sys();
    tally.wall += wall.elapsed();
    tally.user += user_after.saturating_sub(user);
    tally.sys += sys_after.saturating_sub(sys);
    let mut round_calls = 0;
    for latencies in results {
        round_calls += latencies.len();
        tally.latencies.extend(latencies);
    }
    tally.calls += round_calls;
    tally
        .round_cpu_us
        .push(round_cpu.as_secs_f64() * 1e6 / round_calls.max(1) as f64);
}

async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    futures_util::future::join_all(futures).await
}

fn start_server() -> (String, std::thread::JoinHandle<()>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let server = CannedServer::start().await.expect("canned server");
            tx.send(server.base_url().to_string()).expect("send url");
            std::future::pending::<()>().await;
        });
    });
    (rx.recv().expect("server url"), handle)
}

fn clients(base_url: &str) -> Clients {
    Clients {
        sdk: Client::builder()
            .api_key(KEY)
            .base_url(base_url)
            .build()
            .expect("sdk client"),
        raw: openrouter_keys::http_client_builder()
            .build()
            .expect("raw client"),
        base_url: base_url.to_string(),
    }
}

fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime")
}

/// In a child process: 10,000 calls at concurrency 32, then print the peak RSS.
fn rss_child(side: Side) {
    let (base_url, _server) = start_server();
    let clients = clients(&base_url);
    client_runtime().block_on(async {
        let mut tally = Tally::default();
        for op in [Op::List, Op::Get, Op::Create] {
            let calls = RSS_CALLS / 3 + usize::from(op == Op::List);
            batch(&clients, side, op, 32, calls - calls % 32, &mut tally).await;
        }
        let rest = RSS_CALLS - tally.calls;
        for _ in 0..rest {
            clients.call(side, Op::Get, 0).await;
            tally.calls += 1;
        }
        println!("calls {} peak_rss_kib {}", tally.calls, peak_rss_kib());
    });
}

fn measure_rss(side: Side) -> (usize, f64) {
    let exe = std::env::current_exe().expect("own path");
    let output = Command::new(exe)
        .arg("--rss-child")
        .arg(format!("{side:?}"))
        .output()
        .expect("child runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut words = text.split_whitespace();
    let calls = words.nth(1).and_then(|w| w.parse().ok()).unwrap_or(0);
    let kib: f64 = words
        .nth(1)
        .and_then(|w| w.parse().ok())
        .unwrap_or(f64::NAN);
    (calls, kib / 1024.0)
}

/// The bytes one call in flight holds, per operation: the state behind the SDK's boxed
/// future, and the state of the raw call's future next to it.
fn future_sizes(clients: &Clients) -> String {
    use std::future::IntoFuture;
    fn size<T>(future: std::pin::Pin<Box<dyn Future<Output = T> + Send + '_>>) -> usize {
        std::mem::size_of_val(&*future)
    }
    let keys = clients.sdk.keys();
    let raw = |op| std::mem::size_of_val(&clients.raw_call(op));
    format!(
        "future in flight, sdk (raw): list {} B ({} B), get {} B ({} B), create {} B ({} B)",
        size(keys.list().into_future()),
        raw(Op::List),
        size(keys.get(CANNED_HASH).into_future()),
        raw(Op::Get),
        size(keys.create(NewKey::new("bench")).into_future()),
        raw(Op::Create),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--sizes") {
        println!("{}", future_sizes(&clients("http://127.0.0.1:9")));
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--only") {
        // For profilers: `--only Sdk|Raw List|Get|Create|Mixed CALLS [CONCURRENCY]` runs just that
        // (concurrency 32 unless given).
        let side = if args.get(at + 1).map(String::as_str) == Some("Raw") {
            Side::Raw
        } else {
            Side::Sdk
        };
        let op = match args.get(at + 2).map(String::as_str) {
            Some("List") => Op::List,
            Some("Get") => Op::Get,
            Some("Mixed") => Op::Mixed,
            _ => Op::Create,
        };
        let calls = args
            .get(at + 3)
            .and_then(|n| n.parse().ok())
            .unwrap_or(2_000);
        let concurrency = args.get(at + 4).and_then(|n| n.parse().ok()).unwrap_or(32);
        let (base_url, _server) = start_server();
        let clients = clients(&base_url);
        client_runtime().block_on(batch(
            &clients,
            side,
            op,
            concurrency,
            calls,
            &mut Tally::default(),
        ));
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--rss-child") {
        let side = if args.get(at + 1).map(String::as_str) == Some("Raw") {
            Side::Raw
        } else {
            Side::Sdk
        };
        rss_child(side);
        return;
    }
    let (base_url, _server) = start_server();
    let clients = clients(&base_url);
    let runtime = client_runtime();
    println!(
        "sdk_vs_raw: {ROUNDS} interleaved rounds × {CALLS_PER_ROUND} calls per operation, side and concurrency"
    );
    println!(
        "server: canned responses on its own thread; client: one thread, CPU from CLOCK_THREAD_CPUTIME_ID"
    );
    println!("cpu µs/call: median over rounds; user/sys: getrusage(RUSAGE_THREAD) over all rounds");
    println!(
        "ratio at a concurrency: median over rounds of (sdk round / raw round run next to it)"
    );
    println!("{}", future_sizes(&clients));
    println!();
    println!(
        "{:<7} {:>4} {:<4} {:>10} {:>12} {:>8} {:>8} {:>9} {:>9}",
        "op", "conc", "side", "calls/s", "cpu µs/call", "user µs", "sys µs", "p50 µs", "p99 µs"
    );
    let mut ratios = Vec::new();
    runtime.block_on(async {
        // Warm-up: connections, allocator, caches.
        for op in [Op::List, Op::Get, Op::Create] {
            for side in [Side::Sdk, Side::Raw] {
                batch(&clients, side, op, 32, 320, &mut Tally::default()).await;
            }
        }
        for op in [Op::List, Op::Get, Op::Create] {
            let mut worst_level: f64 = 0.0;
            for concurrency in [1, 32] {
                let mut tallies = [Tally::default(), Tally::default()];
                for round in 0..ROUNDS {
                    let order = if round % 2 == 0 {
                        [Side::Sdk, Side::Raw]
                    } else {
                        [Side::Raw, Side::Sdk]
                    };
                    for side in order {
                        let index = side as usize;
                        batch(
                            &clients,
                            side,
                            op,
                            concurrency,
                            CALLS_PER_ROUND,
                            &mut tallies[index],
                        )
                        .await;
                    }
                }
                for (side, tally) in [Side::Sdk, Side::Raw].into_iter().zip(tallies.iter_mut()) {
                    let per_second = tally.calls as f64 / tally.wall.as_secs_f64();
                    let cpu_us = tally.cpu_per_call_us();
                    let (user_us, sys_us) = tally.user_sys_per_call_us();
                    let p50 = tally.percentile(0.50).as_secs_f64() * 1e6;
                    let p99 = tally.percentile(0.99).as_secs_f64() * 1e6;
                    println!(
                        "{:<7} {:>4} {:<4} {:>10.0} {:>12.1} {:>8.1} {:>8.1} {:>9.0} {:>9.0}",
                        format!("{op:?}").to_lowercase(),
                        concurrency,
                        format!("{side:?}").to_lowercase(),
                        per_second,
                        cpu_us,
                        user_us,
                        sys_us,
                        p50,
                        p99
                    );
                }
                // Rounds of the two sides with the same index ran back to back.
                let pairs: Vec<f64> = tallies[0]
                    .round_cpu_us
                    .iter()
                    .zip(&tallies[1].round_cpu_us)
                    .map(|(sdk, raw)| sdk / raw)
                    .collect();
                let level = median(&pairs);
                if std::env::var_os("SDK_VS_RAW_ROUNDS").is_some() {
                    for (round, ratio) in pairs.iter().enumerate() {
                        eprintln!(
                            "{op:?} {concurrency} round {round:2}: sdk {:7.1} raw {:7.1} µs/call, ratio {ratio:.2}",
                            tallies[0].round_cpu_us[round], tallies[1].round_cpu_us[round]
                        );
                    }
                }
                println!(
                    "{:<7} {:>4} ratio sdk/raw cpu-per-call at this concurrency: {level:.2}",
                    "", concurrency
                );
                worst_level = worst_level.max(level);
            }
            // An operation's ratio is its worse concurrency level, not an average that the
            // costlier single-call level would dominate.
            ratios.push((op, worst_level));
        }
    });
    println!();
    for side in [Side::Sdk, Side::Raw] {
        let (calls, mib) = measure_rss(side);
        println!(
            "peak RSS, {calls} calls at concurrency 32, {}: {mib:.1} MiB",
            format!("{side:?}").to_lowercase()
        );
    }
    println!();
    let mut worst: f64 = 0.0;
    for (op, ratio) in &ratios {
        println!(
            "{}: ratio sdk/raw cpu-per-call: {ratio:.2}",
            format!("{op:?}").to_lowercase()
        );
        worst = worst.max(*ratio);
    }
    println!("worst ratio sdk/raw cpu-per-call: {worst:.2}");
}
