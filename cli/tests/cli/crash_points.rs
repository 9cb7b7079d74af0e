//! `bulk-create` and `rotate` killed at every journal record boundary, against a server that
//! acts late and lists late, then rerun: the end state is exactly one live key per row (per
//! rotated key), every secret saved and working, no old key retired before its replacement
//! authenticated and held the old key's guardrail, no secret saved before its key held it,
//! and exit 0 only once that holds.
//!
//! The kill is the CLI's own crash-point hook (`OPENROUTER_KEYS_TEST_CRASH_BEFORE_RECORD=N`:
//! SIGKILL just before the run writes its journal record N), so every boundary is hit, in
//! order, on any machine: no timer hopes to land in a window.

use crate::common::{Fake, create, csv_rows, hash_of, stderr};
use openrouter_keys_testkit::{FakeServer, Fault, ListingLag, NewGuardrail, Route};
use std::collections::HashMap;
use std::future::IntoFuture;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

const CRASH_HOOK: &str = "OPENROUTER_KEYS_TEST_CRASH_BEFORE_RECORD";

/// How late the fake lists a new key.
const LAG: Duration = Duration::from_millis(200);

/// How long after a create arrives the fake performs it: the first of a run...
const FIRST_LATE: Duration = Duration::from_millis(700);
/// ... and the others.
const LATE: Duration = Duration::from_millis(150);

/// Every run's flags: an attempt gives up after 400 ms (so the first create ends without a
/// clear answer); a create may take effect and be listed for 1.5 s after its call ended
/// (the fake's lateness plus its lag is 0.9 s at most: the assumption holds).
const RUN: [&str; 2] = ["--timeout", "400ms"];
const BATCH: [&str; 4] = ["--settle", "1500ms", "--concurrency", "2"];

/// A fake that lists new keys late, whose first create takes effect after the client gave up
/// on it (its answer comes too late) and whose other creates take effect a while after they
/// arrive (answered then): a run killed meanwhile leaves them to take effect after it died.
fn late_fake() -> Fake {
    let fake = Fake::start_with(FakeServer::builder().listing_lag(ListingLag::new_keys(LAG)));
    late_creates(&fake);
    fake
}

/// The creates of a run: the first late, past the client's timeout; the others less.
fn late_creates(fake: &Fake) {
    fake.server
        .inject(Route::CreateKeys, Fault::late(FIRST_LATE));
    fake.server
        .inject_n(Route::CreateKeys, Fault::late(LATE), 100);
}

/// Runs the CLI; with `crash_before`, it kills itself before writing that journal record.
fn run(fake: &Fake, dir: &Path, args: &[&str], crash_before: Option<usize>) -> Output {
    let mut command = fake.cli(dir);
    command.args(args);
    if let Some(n) = crash_before {
        command.env(CRASH_HOOK, n.to_string());
    }
    command.output().expect("the CLI runs")
}

/// Whether the run was killed by the hook (no exit code: a signal).
fn killed(output: &Output) -> bool {
    output.status.code().is_none()
}

/// Reruns until exit 0 (at most four runs), each ending in a code a rerun resolves. A
/// rotation killed after its last step may be finished already: its rerun says so (exit 2).
fn rerun_to_success(fake: &Fake, dir: &Path, args: &[&str], at: usize) {
    for _ in 0..4 {
        let output = run(fake, dir, args, None);
        match output.status.code() {
            Some(0) => return,
            Some(2) if stderr(&output).contains("this rotation already finished") => return,
            Some(3..=5) => continue,
            other => panic!(
                "crash before record {at}: rerun ended {other:?}:\n{}",
                stderr(&output)
            ),
        }
    }
    panic!("crash before record {at}: no success in four reruns");
}

/// After every late create took effect and the listing caught up.
fn settled(fake: &Fake) {
    crate::common::wait_until(|| fake.server.pending_late_calls() == 0);
    std::thread::sleep(LAG + Duration::from_millis(100));
}

/// `(hash, secret)` of every key the journal says a create made, by row.
fn journaled_keys(dir: &Path, journal: &str) -> HashMap<String, (String, String)> {
    let Ok(text) = std::fs::read_to_string(dir.join(journal)) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|record| record["event"] == "created")
        .map(|record| {
            let text = |field: &str| record[field].as_str().unwrap_or_default().to_string();
            (text("row"), (text("hash"), text("secret")))
        })
        .collect()
}

/// Exactly one live key per name, its secret in the file (and working).
fn assert_exactly_once(fake: &Fake, dir: &Path, secrets: &str, names: &[String], at: usize) {
    let keys = fake.all_keys();
    let text = std::fs::read_to_string(dir.join(secrets));
    let text = text.unwrap_or_else(|e| panic!("crash before record {at}: {secrets}: {e}"));
    let saved = csv_rows(&text);
    for name in names {
        let live: Vec<_> = keys
            .iter()
            .filter(|k| k.name.as_deref() == Some(name) && k.disabled != Some(true))
            .collect();
        assert_eq!(
            live.len(),
            1,
            "crash before record {at}: active keys named {name}: {live:?}"
        );
        let row = saved
            .iter()
            .find(|r| r["name"] == *name)
            .unwrap_or_else(|| panic!("crash before record {at}: no secret for {name}"));
        assert_eq!(
            row["hash"], live[0].hash,
            "crash before record {at}: {name}"
        );
        assert!(
            fake.authenticates_as(&row["key"], &live[0].label),
            "crash before record {at}: the secret of {name} does not work"
        );
    }
}

#[test]
fn bulk_create_killed_at_every_journal_record_ends_exactly_once() {
    let names: Vec<String> = (1..=3).map(|i| format!("cp-{i}")).collect();
    let mut at = 0;
    loop {
        let fake = late_fake();
        let dir = crate::common::tempdir();
        let d = dir.path();
        let csv = format!("name\n{}\n", names.join("\n"));
        crate::common::write(d, "in.csv", &csv);
        let mut args = RUN.to_vec();
        args.extend(["bulk-create", "in.csv", "--secrets-out", "s.csv"]);
        args.extend(BATCH);
        let output = run(&fake, d, &args, Some(at));
        if !killed(&output) {
            // Past the last record: the run went through on its own.
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            assert!(at > 8, "too few records to mean anything: {at}");
            break;
        }
        rerun_to_success(&fake, d, &args, at);
        settled(&fake);
        assert_exactly_once(&fake, d, "s.csv", &names, at);
        at += 1;
    }
}

#[test]
fn rotate_killed_at_every_journal_record_ends_exactly_once() {
    let names: Vec<String> = (1..=2).map(|i| format!("cr-{i}")).collect();
    let mut at = 0;
    loop {
        let fake = Fake::start_with(FakeServer::builder().listing_lag(ListingLag::new_keys(LAG)));
        let dir = crate::common::tempdir();
        let d = dir.path();
        for name in &names {
            create(&fake, d, name, &["--limit", "2"]);
        }
        std::thread::sleep(LAG);
        let old: HashMap<String, String> = names
            .iter()
            .map(|name| (hash_of(&fake, name), name.clone()))
            .collect();
        // The old keys hold a guardrail: their replacements are to hold it before their
        // secrets are saved, and before the old keys go.
        let guardrail = fake
            .server
            .add_guardrail(NewGuardrail::new("cap").limit_usd(5.0))
            .expect("a guardrail");
        fake.assign(&guardrail, old.keys());
        let guarded = |hash: &str| fake.server.guardrail_of(hash).as_ref() == Some(&guardrail);
        // As in `late_fake`, once the old keys exist.
        late_creates(&fake);
        let mut args = RUN.to_vec();
        args.extend([
            "rotate",
            "--match",
            "cr-*",
            "--then",
            "delete",
            "--secrets-out",
            "r.csv",
            "--yes",
        ]);
        args.extend(BATCH);
        let output = run(&fake, d, &args, Some(at));
        if !killed(&output) {
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            assert!(at > 13, "too few records to mean anything: {at}");
            break;
        }
        // No secret saved before its key held the guardrail.
        if let Ok(text) = std::fs::read_to_string(d.join("r.csv")) {
            for row in csv_rows(&text) {
                assert!(
                    guarded(&row["hash"]),
                    "crash before record {at}: {} saved without its guardrail",
                    row["name"]
                );
            }
        }
        // No old key retired before its replacement held the guardrail and authenticated.
        let made = journaled_keys(d, "r.csv.journal");
        let live: Vec<String> = fake.all_keys().into_iter().map(|k| k.hash).collect();
        for (hash, name) in &old {
            if !live.contains(hash) {
                let (new_hash, secret) = made
                    .get(hash)
                    .unwrap_or_else(|| panic!("crash before record {at}: {name} deleted first"));
                // Read by hash: the listing may not show the new key yet.
                let client = fake.client();
                let read = client.keys().get(new_hash.as_str()).into_future();
                let label = fake.runtime.block_on(read).ok().and_then(|k| k.label);
                assert!(
                    fake.authenticates_as(secret, &label),
                    "crash before record {at}: {name} deleted, its replacement does not work"
                );
                assert!(
                    guarded(new_hash),
                    "crash before record {at}: {name} deleted, its replacement holds no guardrail"
                );
            }
        }
        rerun_to_success(&fake, d, &args, at);
        settled(&fake);
        assert_exactly_once(&fake, d, "r.csv", &names, at);
        let live: Vec<String> = fake.all_keys().into_iter().map(|k| k.hash).collect();
        assert!(
            old.keys().all(|hash| !live.contains(hash)),
            "crash before record {at}: an old key lives on"
        );
        // Every replacement holds the old keys' guardrail.
        for key in fake.all_keys() {
            if key.name.as_ref().is_some_and(|name| names.contains(name)) {
                assert!(
                    guarded(&key.hash),
                    "crash before record {at}: {key:?} holds no guardrail"
                );
            }
        }
        at += 1;
    }
}
