//! The `openrouter-keys-fake` binary as a user meets it: `--help`, mistakes, the lines it
//! prints to paste into another shell, and the timing faults its flags set, seen over HTTP.
//! Timing checks use waits far longer than any test run (a 10-minute latency, a one-an-hour
//! rate limit), so "not yet" cannot flake on a slow machine.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn fake() -> Command {
    Command::new(env!("CARGO_BIN_EXE_openrouter-keys-fake"))
}

#[test]
fn help_lists_the_routes_and_the_fault_syntax() {
    let output = fake().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "--fault ROUTE=FAULT[*N]",
        "createKeys",
        "getCurrentKey",
        "429:retry=SECONDS",
        "delay=MILLISECONDS",
        "close-before",
        "invalid-json",
        "late=MILLISECONDS",
        "--latency ROUTE=MILLISECONDS",
        "--rate-limit ROUTE=REQUESTS/UNIT[:burst=N]",
        "--listing-lag MILLISECONDS[:new-keys]",
        "--guardrail NAME[=USD[/INTERVAL]]",
        "listGuardrails",
        "bulkAssignKeysToGuardrail",
        "getWorkspace",
    ] {
        assert!(
            help.contains(expected),
            "`{expected}` missing from:\n{help}"
        );
    }
}

#[test]
fn help_indents_every_line_of_an_options_description() {
    let output = fake().arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    let options = help
        .split_once("Options:\n")
        .and_then(|(_, rest)| rest.split_once("\n\n"))
        .map(|(options, _)| options)
        .expect("an Options section");
    let continued: Vec<&str> = options
        .lines()
        .filter(|line| !line.trim_start().starts_with('-'))
        .collect();
    assert!(
        continued.len() >= 8,
        "descriptions go on over lines:\n{options}"
    );
    for line in continued {
        assert!(
            line.starts_with(&" ".repeat(20)),
            "a description's line starts at the margin: {line:?}\n{options}"
        );
    }
}

#[test]
fn an_unknown_fault_or_route_lists_the_valid_ones() {
    let output = fake()
        .args(["--fault", "createKeys=boom"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown fault `boom`"), "{stderr}");
    assert!(stderr.contains("close-after"), "{stderr}");

    let output = fake().args(["--fault", "rotate=500"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown route `rotate`"), "{stderr}");
    assert!(stderr.contains("deleteKeys"), "{stderr}");
}

#[test]
fn it_prints_copy_paste_credentials_and_takes_either_route_spelling() {
    let mut child = fake()
        .args([
            "--port",
            "0",
            "--fault",
            "CreateKeys=503*2",
            "--fault",
            "list=500",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.contains("Ctrl-C");
        lines.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = lines.join("\n");
    let base = lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("export OPENROUTER_BASE_URL="))
        .unwrap_or_else(|| panic!("no base URL line in:\n{text}"));
    assert!(base.starts_with("http://127.0.0.1:"), "{text}");
    let key = lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("export OPENROUTER_API_KEY="))
        .unwrap_or_else(|| panic!("no key line in:\n{text}"));
    assert!(key.starts_with("sk-or-"), "{text}");
}

/// A running fake binary, stopped when dropped.
struct Running {
    child: Child,
    /// `127.0.0.1:PORT`
    addr: String,
    key: String,
    /// What it printed at start.
    printed: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on a free port with `args`, and reads its address and key.
fn run(args: &[&str]) -> Running {
    let mut child = fake()
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (mut addr, mut key, mut printed) = (None, None, Vec::new());
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(url) = line
            .trim()
            .strip_prefix("export OPENROUTER_BASE_URL=http://")
        {
            addr = url.strip_suffix("/api/v1").map(str::to_string);
        }
        if let Some(k) = line.trim().strip_prefix("export OPENROUTER_API_KEY=") {
            key = Some(k.to_string());
        }
        let done = line.contains("Ctrl-C");
        printed.push(line);
        if done {
            break;
        }
    }
    Running {
        child,
        addr: addr.expect("a base URL line"),
        key: key.expect("a key line"),
        printed,
    }
}

/// An answer: status, headers (lower-case names), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on its own connection; `Err` when no answer came within `wait`.
fn request(
    fake: &Running,
    method: &str,
    path: &str,
    body: &str,
    wait: Duration,
) -> std::io::Result<Answer> {
    let mut socket = TcpStream::connect(&fake.addr)?;
    socket.set_read_timeout(Some(wait))?;
    write!(
        socket,
        "{method} /api/v1{path} HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        fake.addr,
        fake.key,
        body.len()
    )?;
    let mut raw = String::new();
    socket.read_to_string(&mut raw)?;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Answer {
        status,
        headers,
        body: body.to_string(),
    })
}

/// Generous: for answers that come at once on any machine.
const AT_ONCE: Duration = Duration::from_secs(30);

fn create(fake: &Running, name: &str, wait: Duration) -> std::io::Result<Answer> {
    request(
        fake,
        "POST",
        "/keys",
        &format!(r#"{{"name":"{name}"}}"#),
        wait,
    )
}

fn listed(fake: &Running) -> String {
    request(fake, "GET", "/keys", "", AT_ONCE).unwrap().body
}

/// The `hash` of a create's answer (64 hex digits in the fake).
fn hash_of(answer: &Answer) -> String {
    let at = answer.body.find(r#""hash":""#).expect("a hash") + 8;
    answer.body[at..at + 64].to_string()
}

#[test]
fn a_late_create_from_the_command_line_takes_effect_after_the_client_gave_up() {
    let fake = run(&[
        "--fault",
        "createKeys=late=600000",
        "--fault",
        "createKeys=late=300",
    ]);
    // Ten minutes late: not there while this test runs.
    assert!(create(&fake, "ten-minutes", Duration::from_millis(200)).is_err());
    assert!(!listed(&fake).contains("ten-minutes"));
    // 300 ms late, after its client gave up at 100 ms: it appears, once.
    assert!(create(&fake, "soon", Duration::from_millis(100)).is_err());
    let deadline = Instant::now() + AT_ONCE;
    while !listed(&fake).contains("soon") {
        assert!(
            Instant::now() < deadline,
            "the late create never took effect"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(listed(&fake).matches(r#""name":"soon""#).count(), 1);
}

#[test]
fn a_lagging_listing_from_the_command_line_hides_new_keys_that_exist() {
    let fake = run(&["--listing-lag", "600000"]);
    let created = create(&fake, "hidden", AT_ONCE).unwrap();
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(!listed(&fake).contains("hidden"));
    let by_hash = request(
        &fake,
        "GET",
        &format!("/keys/{}", hash_of(&created)),
        "",
        AT_ONCE,
    );
    let by_hash = by_hash.unwrap();
    assert_eq!(by_hash.status, 200);
    assert!(by_hash.body.contains("hidden"));
}

#[test]
fn latency_from_the_command_line_holds_its_route_only() {
    let fake = run(&["--latency", "createKeys=600000"]);
    assert!(
        create(&fake, "slow", Duration::from_millis(300)).is_err(),
        "no answer before ten minutes"
    );
    let current = request(&fake, "GET", "/key", "", AT_ONCE).unwrap();
    assert_eq!(current.status, 200, "other routes answer at once");
    assert!(
        listed(&fake).contains("slow"),
        "the create took effect on arrival"
    );
}

#[test]
fn a_rate_limit_from_the_command_line_answers_429_with_retry_after() {
    let fake = run(&["--rate-limit", "createKeys=1/h"]);
    assert_eq!(create(&fake, "allowed", AT_ONCE).unwrap().status, 201);
    let refused = create(&fake, "refused", AT_ONCE).unwrap();
    assert_eq!(refused.status, 429);
    assert!(refused.body.contains(r#""code":429"#), "{}", refused.body);
    let seconds: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&seconds), "{seconds}");
    assert!(!listed(&fake).contains("refused"));
}

#[test]
fn workspaces_and_guardrails_from_the_command_line_are_served_and_their_ids_printed() {
    let fake = run(&[
        "--workspace",
        "Research Lab",
        "--guardrail",
        "ci-agents=40/weekly",
    ]);
    let printed_id = |prefix: &str| {
        fake.printed
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in {:?}", fake.printed))
            .to_string()
    };
    let workspace = printed_id("workspace research-lab: ");
    let guardrail = printed_id("guardrail ci-agents: ");

    let by_slug = request(&fake, "GET", "/workspaces/research-lab", "", AT_ONCE).unwrap();
    assert_eq!(by_slug.status, 200, "{}", by_slug.body);
    assert!(by_slug.body.contains(&workspace), "{}", by_slug.body);
    let workspaces = request(&fake, "GET", "/workspaces", "", AT_ONCE).unwrap();
    assert!(
        workspaces.body.contains(r#""total_count":2"#),
        "{}",
        workspaces.body
    );

    let read = request(
        &fake,
        "GET",
        &format!("/guardrails/{guardrail}"),
        "",
        AT_ONCE,
    )
    .unwrap();
    assert!(read.body.contains(r#""limit_usd":40.0"#), "{}", read.body);
    assert!(
        read.body.contains(r#""reset_interval":"weekly""#),
        "{}",
        read.body
    );
    let hash = hash_of(&create(&fake, "agent", AT_ONCE).unwrap());
    let assigned = request(
        &fake,
        "POST",
        &format!("/guardrails/{guardrail}/assignments/keys"),
        &format!(r#"{{"key_hashes":["{hash}"]}}"#),
        AT_ONCE,
    )
    .unwrap();
    assert_eq!(assigned.body, r#"{"assigned_count":1}"#);
    let assignments = request(&fake, "GET", "/guardrails/assignments/keys", "", AT_ONCE).unwrap();
    assert!(assignments.body.contains(&hash), "{}", assignments.body);
}

#[test]
fn a_bad_setting_exits_2_and_says_what_to_write() {
    for (args, expected) in [
        (["--latency", "createKeys=fast"], "1500ms"),
        (["--rate-limit", "createKeys=fast"], "REQUESTS/UNIT"),
        (["--listing-lag", "later"], "MILLISECONDS[:new-keys]"),
        (["--fault", "createKeys=late=later"], "is not a duration"),
        (["--guardrail", "ci=much"], "NAME[=USD[/INTERVAL]]"),
        (["--workspace", "Default"], "`default` is empty or taken"),
    ] {
        // Port 0: a setting refused after the port is bound must not depend on 8089 being free.
        let output = fake().args(["--port", "0"]).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}
