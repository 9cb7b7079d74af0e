//! Shared by the CLI tests: a testkit fake started in-process (on its own runtime, so tests
//! stay synchronous), the `openrouter-keys` binary pointed at it, and the helpers the tests
//! of several commands use.

use openrouter_keys::time::OffsetDateTime;
use openrouter_keys::{Client, Key, NewKey};
use openrouter_keys_testkit::{FakeServer, Fault, ManualClock, RandomFaults};
use std::future::IntoFuture;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub struct Fake {
    // Dropped first: the server's tasks live on `runtime`.
    pub server: FakeServer,
    pub runtime: tokio::runtime::Runtime,
    /// One connection pool for every client the tests build (building one per secret is slow).
    http: openrouter_keys::reqwest::Client,
}

impl Fake {
    pub fn start() -> Fake {
        Self::start_with(FakeServer::builder())
    }

    pub fn start_with(builder: openrouter_keys_testkit::FakeServerBuilder) -> Fake {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let server = runtime.block_on(builder.start()).expect("the fake starts");
        let http = openrouter_keys::http_client_builder()
            .build()
            .expect("an HTTP client");
        Fake {
            server,
            runtime,
            http,
        }
    }

    /// The CLI, configured for this fake through the environment, stdin not a terminal.
    pub fn cli(&self, dir: &Path) -> Command {
        cli_at(self.server.base_url(), self.server.management_key(), dir)
    }

    /// Assigns the keys to the guardrail, through the SDK.
    pub fn assign<S: Into<String>>(&self, guardrail: &str, hashes: impl IntoIterator<Item = S>) {
        let client = self.client();
        self.runtime
            .block_on(async { client.guardrails().assign_keys(guardrail, hashes).await })
            .expect("assigned");
    }

    /// Runs the CLI with these arguments and returns its output.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Output {
        self.cli(dir).args(args).output().expect("the CLI runs")
    }

    /// An SDK client with the management key, without retries waiting long.
    pub fn client(&self) -> Client {
        self.client_with(self.server.management_key())
    }

    pub fn client_with(&self, key: &str) -> Client {
        Client::builder()
            .api_key(key)
            .base_url(self.server.base_url())
            .http_client(self.http.clone())
            .build()
            .expect("a client")
    }

    /// Every key (disabled and expired included), read with faults off.
    pub fn all_keys(&self) -> Vec<Key> {
        use futures_util::TryStreamExt;
        let client = self.client();
        self.runtime.block_on(async {
            client
                .keys()
                .list()
                .include_disabled(true)
                .include_expired(true)
                .into_stream()
                .try_collect()
                .await
                .expect("listing works")
        })
    }

    /// Every key of every workspace (disabled and expired included), read with faults off.
    pub fn all_keys_everywhere(&self) -> Vec<Key> {
        let client = self.client();
        self.runtime
            .block_on(
                client
                    .keys()
                    .list()
                    .include_disabled(true)
                    .include_expired(true)
                    .all_in_every_workspace(),
            )
            .expect("listing works")
    }

    /// Whether `secret` authenticates as the key with this label.
    pub fn authenticates_as(&self, secret: &str, label: &Option<String>) -> bool {
        let client = self.client_with(secret);
        self.runtime
            .block_on(client.current_key().into_future())
            .is_ok_and(|k| label.is_some() && k.label == *label)
    }

    /// 10 % of requests on every route get one of every kind of fault.
    pub fn random_faults(&self, seed: u64) {
        self.server.inject_random(RandomFaults {
            rate: 0.10,
            faults: all_faults(),
            seed,
        });
    }
}

/// A fake whose clock starts at a wall-clock time in the past and stands still until moved
/// ([`Aged::at`]): keys made long ago and used when a test says. The CLI runs on the real
/// clock, which a test moves the fake's up to before running it.
pub struct Aged {
    pub fake: Fake,
    pub clock: ManualClock,
    start: OffsetDateTime,
}

impl Aged {
    pub fn starting_at(start: OffsetDateTime) -> Aged {
        let clock = ManualClock::new();
        let fake = Fake::start_with(
            FakeServer::builder()
                .manual_clock(&clock)
                .wall_clock_start(start),
        );
        Aged { fake, clock, start }
    }

    /// Moves the fake's clock on to `wall` (never back).
    pub fn at(&self, wall: OffsetDateTime) -> &Self {
        let now = self.start + self.clock.now();
        if wall > now {
            self.clock
                .advance(std::time::Duration::try_from(wall - now).expect("forward"));
        }
        self
    }

    /// Creates a key now on the fake's clock; its hash.
    pub fn create(&self, new_key: NewKey) -> String {
        let client = self.fake.client();
        let created = self
            .fake
            .runtime
            .block_on(async { client.keys().create(new_key).await })
            .expect("created");
        created.key().hash.clone()
    }

    /// Records a use of the key now on the fake's clock.
    pub fn use_key(&self, hash: &str, usd: f64) {
        assert!(self.fake.server.add_usage(hash, usd));
    }

    /// Assigns the keys to the guardrail.
    pub fn assign(&self, guardrail: &str, hashes: &[&str]) {
        self.fake.assign(guardrail, hashes.iter().copied());
    }
}

/// The CLI, run in `dir` against the API at `base_url` with `api_key` (and no other key
/// variable), stdin not a terminal.
pub fn cli_at(base_url: &str, api_key: &str, dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_openrouter-keys"));
    command
        .current_dir(dir)
        .env_remove("OPENROUTER_MANAGEMENT_KEY")
        .env_remove("OPENROUTER_PROVISIONING_KEY")
        .env("OPENROUTER_API_KEY", api_key)
        .env("OPENROUTER_BASE_URL", base_url)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}

/// 5xx (envelope, HTML, empty), 429, cut connections before and after acting, a delay past
/// the CLI's timeout, a truncated body, invalid JSON.
pub fn all_faults() -> Vec<Fault> {
    vec![
        Fault::status(500),
        "502:html".parse().expect("fault"),
        "503:empty".parse().expect("fault"),
        "429:ms=20".parse().expect("fault"),
        Fault::CloseBeforeRead,
        Fault::CloseAfterRead,
        Fault::Delay(Duration::from_millis(900)),
        Fault::TruncatedBody,
        Fault::InvalidJson,
    ]
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code, showing stderr when it differs.
pub fn assert_code(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "exit code; stderr:\n{}\nstdout:\n{}",
        stderr(output),
        stdout(output)
    );
}

/// Rows of a CSV file as maps from header to value.
pub fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split(',')
        .map(str::to_string)
        .collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp dir")
}

/// Creates a key through the CLI (stdout is a pipe, so the secret is printed).
pub fn create(fake: &Fake, dir: &Path, name: &str, extra: &[&str]) -> String {
    let mut args = vec!["create", "--name", name];
    args.extend_from_slice(extra);
    let output = fake.run(dir, &args);
    assert_code(&output, 0);
    stdout(&output).trim().to_string()
}

/// The hash of the only key with this name.
pub fn hash_of(fake: &Fake, name: &str) -> String {
    fake.all_keys()
        .into_iter()
        .find(|k| k.name.as_deref() == Some(name))
        .map(|k| k.hash)
        .expect("the key exists")
}

/// Hashes of every key with this name (disabled and expired included).
pub fn hashes_named(fake: &Fake, name: &str) -> Vec<String> {
    fake.all_keys()
        .into_iter()
        .filter(|k| k.name.as_deref() == Some(name))
        .map(|k| k.hash)
        .collect()
}

/// Whether the key with this hash is disabled, as the API says.
pub fn disabled(fake: &Fake, hash: &str) -> Option<bool> {
    fake.all_keys()
        .into_iter()
        .find(|k| k.hash == hash)
        .and_then(|k| k.disabled)
}

pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("a file");
}

pub fn secrets(dir: &Path, file: &str) -> Vec<std::collections::HashMap<String, String>> {
    csv_rows(&std::fs::read_to_string(dir.join(file)).expect("the secrets file"))
}

/// Sends SIGINT to a running child.
#[cfg(unix)]
pub fn interrupt(child: &std::process::Child) {
    // SAFETY: sends SIGINT to our own child, which has not been reaped.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
}

/// Waits (up to 20 s) until `ready` holds.
pub fn wait_until(ready: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !ready() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// A program a test drives (a shell, a browser), found on `PATH`. When it is not installed
/// the test is skipped, and says so on its output, unless `OPENROUTER_KEYS_TEST_TOOLS`
/// (space-separated program names; `.ci/run` installs them and sets it) names it: then its
/// absence fails the test, so that a CI whose install went wrong does not pass by skipping.
pub fn installed(program: &str, test: &str) -> Option<std::path::PathBuf> {
    let found = find_program(program);
    let required = std::env::var("OPENROUTER_KEYS_TEST_TOOLS")
        .is_ok_and(|tools| tools.split_whitespace().any(|tool| tool == program));
    match found {
        Some(path) => Some(path),
        None if required => {
            panic!("{program} is not on PATH, and OPENROUTER_KEYS_TEST_TOOLS requires it")
        }
        None => {
            println!("skipped {test}: {program} is not installed (apt-get install {program})");
            None
        }
    }
}

/// Runs `command` to its end, its stdout and stderr captured. A run that has not ended
/// after `limit` is killed and fails the test (a hang guard for programs driven on a
/// pseudo-terminal, such as a shell waiting for input; not a timing assertion).
pub fn output_within(command: &mut Command, limit: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program starts");
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting works") {
            break status;
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: out.join().expect("stdout read"),
        stderr: err.join().expect("stderr read"),
    }
}

/// `program` on `PATH`, if it is there.
pub fn find_program(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

/// Every subcommand, in `--help`'s order.
pub const COMMANDS: [&str; 14] = [
    "whoami",
    "list",
    "get",
    "create",
    "update",
    "enable",
    "disable",
    "delete",
    "bulk-create",
    "bulk-delete",
    "rotate",
    "report",
    "audit",
    "completions",
];
