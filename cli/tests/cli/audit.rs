//! `audit`: each rule against keys made for it on the fake (and a clean key with no finding),
//! disabled and expired keys counted when left out, the formats, the exit code, guardrail
//! assignments read once, and `--all-workspaces`.
//!
//! The fake's clock starts in December 2025 and is moved on by hand, so that keys can be
//! created long ago and used when a test says; the CLI runs on the real clock, which the
//! fake's has caught up with by then.

use crate::common::{Fake, assert_code, csv_rows, stderr, stdout, tempdir};
use openrouter_keys::time::{Duration, OffsetDateTime};
use openrouter_keys::{NewKey, Timestamp};
use openrouter_keys_testkit::{FakeServer, NewGuardrail, NewWorkspace, Route};
use std::collections::{BTreeMap, BTreeSet};

/// The fake's wall clock at its start: a month before OpenRouter began recording last use.
fn start() -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + Duration::seconds(1_764_547_200) // 2025-12-01T00:00:00Z
}

/// A fake whose clock starts at [`start`], with a guardrail to assign keys to.
struct Aged {
    aged: crate::common::Aged,
    guardrail: String,
}

impl std::ops::Deref for Aged {
    type Target = crate::common::Aged;
    fn deref(&self) -> &Self::Target {
        &self.aged
    }
}

impl Aged {
    fn new() -> Aged {
        let aged = crate::common::Aged::starting_at(start());
        let guardrail = aged
            .fake
            .server
            .add_guardrail(NewGuardrail::new("cap").limit_usd(50.0))
            .expect("a guardrail");
        Aged { aged, guardrail }
    }

    fn guard(&self, hashes: &[&str]) {
        self.assign(&self.guardrail, hashes);
    }
}

/// A key with a limit, an expiry two months ahead, and a name under `a-`.
fn sound(name: &str, now: OffsetDateTime) -> NewKey {
    NewKey::new(format!("a-{name}"))
        .limit(10.0)
        .expires_at(Timestamp::from(now + Duration::days(60)))
}

/// Rule names found per key name, from `audit --format json`.
fn rules_by_name(json: &str) -> BTreeMap<String, BTreeSet<String>> {
    let findings: Vec<serde_json::Value> = serde_json::from_str(json).expect("a JSON array");
    let mut by_name: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in findings {
        by_name
            .entry(f["name"].as_str().unwrap().to_string())
            .or_default()
            .insert(f["rule"].as_str().unwrap().to_string());
    }
    by_name
}

fn set(rules: &[&str]) -> BTreeSet<String> {
    rules.iter().map(|r| r.to_string()).collect()
}

/// The keys of the rule cases, each breaking one rule (or none), made at the times the rules
/// need; the fake's clock is at the real time afterwards. Returns the real time used.
fn rule_cases(aged: &Aged) -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    // In 2025: used then, never since.
    let used_in_2025 = aged.create(sound("used-in-2025", now));
    aged.use_key(&used_in_2025, 3.0);
    // 100 days ago: one key used 45 days ago, one expired yesterday.
    aged.at(now - Duration::days(100));
    let idle = aged.create(sound("idle", now));
    let expired =
        aged.create(sound("expired", now).expires_at(Timestamp::from(now - Duration::days(1))));
    aged.at(now - Duration::days(45));
    aged.use_key(&idle, 0.5);
    // 40 days ago: never used since; 5 days ago: too new to call unused.
    aged.at(now - Duration::days(40));
    let never_used = aged.create(sound("never-used", now));
    aged.at(now - Duration::days(5));
    let new_unused = aged.create(sound("new-unused", now));
    // Now.
    aged.at(now);
    let clean = aged.create(sound("clean", now));
    let no_limit = aged
        .create(NewKey::new("a-no-limit").expires_at(Timestamp::from(now + Duration::days(60))));
    let near_limit = aged.create(sound("near-limit", now));
    let no_expiry = aged.create(NewKey::new("a-no-expiry").limit(10.0));
    let expiring = aged
        .create(sound("expiring-soon", now).expires_at(Timestamp::from(now + Duration::days(3))));
    let unguarded = aged.create(sound("no-guardrail", now));
    let disabled = aged.create(NewKey::new("a-disabled"));
    for hash in [
        &clean, &no_limit, &no_expiry, &expiring, &unguarded, &disabled,
    ] {
        aged.use_key(hash, 1.0);
    }
    aged.use_key(&near_limit, 8.5);
    let guarded: Vec<&str> = [
        &used_in_2025,
        &idle,
        &expired,
        &never_used,
        &new_unused,
        &clean,
        &no_limit,
        &near_limit,
        &no_expiry,
        &expiring,
        &disabled,
    ]
    .iter()
    .map(|h| h.as_str())
    .collect();
    aged.guard(&guarded);
    let client = aged.fake.client();
    aged.fake
        .runtime
        .block_on(async {
            client
                .keys()
                .update(&disabled, openrouter_keys::KeyUpdate::new().disabled(true))
                .await
        })
        .expect("disabled");
    now
}

#[test]
fn each_rule_finds_its_key_and_a_clean_key_has_no_finding() {
    let aged = Aged::new();
    rule_cases(&aged);
    let dir = tempdir();
    let output = aged
        .fake
        .run(dir.path(), &["audit", "--match", "a-*", "--format", "json"]);
    assert_code(&output, 6);
    let found = rules_by_name(&stdout(&output));
    let expected: BTreeMap<String, BTreeSet<String>> = [
        ("a-used-in-2025", set(&["idle"])),
        ("a-idle", set(&["idle"])),
        ("a-never-used", set(&["never-used"])),
        ("a-no-limit", set(&["no-limit"])),
        ("a-near-limit", set(&["near-limit"])),
        ("a-no-expiry", set(&["no-expiry"])),
        ("a-expiring-soon", set(&["expiring-soon"])),
        ("a-no-guardrail", set(&["no-guardrail"])),
    ]
    .into_iter()
    .map(|(name, rules)| (name.to_string(), rules))
    .collect();
    // `a-clean` and `a-new-unused` have none; the disabled and the expired key are left out.
    assert_eq!(found, expected);
    let text = stderr(&output);
    assert!(
        text.contains("audit: 8 finding(s) on 8 of 10 key(s) audited"),
        "{text}"
    );
    assert!(
        text.contains("not audited: 1 disabled (--include-disabled audits them), 1 expired (--include-expired audits them)"),
        "{text}"
    );
}

/// One finding of `audit --format json`, its text fields.
#[derive(Debug)]
struct Seen {
    hash: String,
    detail: String,
    fix: String,
}

#[test]
fn findings_say_what_was_seen_and_the_command_that_fixes_it() {
    let aged = Aged::new();
    rule_cases(&aged);
    let dir = tempdir();
    let output = aged
        .fake
        .run(dir.path(), &["audit", "--match", "a-*", "--format", "json"]);
    let text = stdout(&output);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let of = |rule: &str, name: &str| {
        let f = findings
            .iter()
            .find(|f| f["rule"] == rule && f["name"] == name)
            .unwrap_or_else(|| panic!("{rule} on {name}: {findings:#?}"));
        let field = |name: &str| f[name].as_str().unwrap().to_string();
        Seen {
            hash: field("hash"),
            detail: field("detail"),
            fix: field("fix"),
        }
    };
    // The documented field set, in order (as written: `Value` would sort the fields).
    let first = &text[..text.find('}').expect("an object")];
    let positions: Vec<usize> = ["rule", "hash", "name", "workspace_id", "detail", "fix"]
        .iter()
        .map(|k| first.find(&format!("\"{k}\":")).expect(k))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{first}");

    let f = of("no-limit", "a-no-limit");
    assert_eq!(
        f.fix,
        format!("openrouter-keys update {} --limit USD", f.hash)
    );
    let f = of("idle", "a-used-in-2025");
    assert!(
        f.detail.contains("no usage recorded since the end of 2025")
            && f.detail.contains("3.00 USD"),
        "a null last_used_at with usage is idle, not unused: {f:?}"
    );
    assert_eq!(f.fix, format!("openrouter-keys disable {}", f.hash));
    let f = of("idle", "a-idle");
    assert!(f.detail.starts_with("last used 45 days ago"), "{f:?}");
    let f = of("never-used", "a-never-used");
    assert!(f.detail.contains("created 40 days ago"), "{f:?}");
    let f = of("near-limit", "a-near-limit");
    assert!(
        f.detail.starts_with("85.0% of its 10.00 USD limit"),
        "{f:?}"
    );
    let f = of("no-expiry", "a-no-expiry");
    assert_eq!(
        f.fix,
        format!(
            "openrouter-keys rotate {} --expires-in 90d --secrets-out rotated-{}.csv",
            f.hash,
            &f.hash[..8]
        )
    );
    let f = of("expiring-soon", "a-expiring-soon");
    assert!(f.detail.starts_with("expires in 3 days"), "{f:?}");
    assert_eq!(
        f.fix,
        format!(
            "openrouter-keys rotate {} --secrets-out rotated-{}.csv",
            f.hash,
            &f.hash[..8]
        ),
        "the replacement carries the old lifetime on its own"
    );
    let f = of("no-guardrail", "a-no-guardrail");
    assert!(f.fix.contains("/assignments/keys"), "{f:?}");
}

#[test]
fn disabled_and_expired_keys_are_audited_when_asked() {
    let aged = Aged::new();
    rule_cases(&aged);
    let dir = tempdir();
    let output = aged.fake.run(
        dir.path(),
        &[
            "audit",
            "--match",
            "a-disabled",
            "--match",
            "a-expired",
            "--include-disabled",
            "--include-expired",
            "--format",
            "json",
        ],
    );
    assert_code(&output, 6);
    let found = rules_by_name(&stdout(&output));
    // The expired key no longer works: that is all there is to say about it.
    assert_eq!(found["a-expired"], set(&["expired"]));
    assert_eq!(found["a-disabled"], set(&["no-limit", "no-expiry"]));
    let findings: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
    let expired = findings.iter().find(|f| f["rule"] == "expired").unwrap();
    assert_eq!(
        expired["fix"],
        format!(
            "openrouter-keys delete {}",
            expired["hash"].as_str().unwrap()
        )
    );
    // `rotate` refuses a disabled key (its replacement would be active): the fix of a
    // disabled key's expiry finding is to delete it.
    let no_expiry = findings.iter().find(|f| f["rule"] == "no-expiry").unwrap();
    assert_eq!(
        no_expiry["fix"],
        format!(
            "openrouter-keys delete {}",
            no_expiry["hash"].as_str().unwrap()
        )
    );
}

/// A maximum lifetime of zero is no policy: refused before anything is read.
#[test]
fn a_maximum_lifetime_of_zero_is_refused() {
    let aged = Aged::new();
    let dir = tempdir();
    let output = aged
        .fake
        .run(dir.path(), &["audit", "--max-lifetime", "0d"]);
    assert_code(&output, 2);
    assert!(stderr(&output).contains("--max-lifetime must be longer than zero"));
}

#[test]
fn the_maximum_lifetime_flags_longer_lives_and_keys_that_never_expire() {
    let aged = Aged::new();
    let now = OffsetDateTime::now_utc();
    aged.at(now);
    let within = aged.create(
        NewKey::new("l-within")
            .limit(5.0)
            .expires_at(Timestamp::from(now + Duration::days(89))),
    );
    let longer = aged.create(
        NewKey::new("l-longer")
            .limit(5.0)
            .expires_at(Timestamp::from(now + Duration::days(200))),
    );
    let forever = aged.create(NewKey::new("l-forever").limit(5.0));
    for hash in [&within, &longer, &forever] {
        aged.use_key(hash, 0.1);
    }
    let dir = tempdir();
    let audit = |extra: &[&str]| {
        let mut args = vec![
            "audit",
            "--match",
            "l-*",
            "--format",
            "json",
            "--skip",
            "no-guardrail",
        ];
        args.extend_from_slice(extra);
        aged.fake.run(dir.path(), &args)
    };
    let output = audit(&[]);
    assert_eq!(
        rules_by_name(&stdout(&output)),
        [("l-forever".to_string(), set(&["no-expiry"]))]
            .into_iter()
            .collect(),
        "no lifetime rule without --max-lifetime"
    );
    let output = audit(&["--max-lifetime", "90d"]);
    assert_code(&output, 6);
    let found = rules_by_name(&stdout(&output));
    assert_eq!(found.get("l-within"), None);
    assert_eq!(found["l-longer"], set(&["over-max-lifetime"]));
    assert_eq!(found["l-forever"], set(&["no-expiry", "over-max-lifetime"]));
    let findings: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
    let longer = findings.iter().find(|f| f["name"] == "l-longer").unwrap();
    assert!(
        longer["detail"]
            .as_str()
            .unwrap()
            .starts_with("lives 200 days (created "),
        "{longer}"
    );
    assert!(
        longer["fix"].as_str().unwrap().contains("--expires-in 90d"),
        "the replacement lives no longer than allowed: {longer}"
    );
}

#[test]
fn a_clean_audit_exits_0_and_thresholds_move_with_their_flags() {
    let aged = Aged::new();
    let now = OffsetDateTime::now_utc();
    aged.at(now - Duration::days(10));
    let quiet = aged.create(sound("quiet", now));
    aged.use_key(&quiet, 1.0);
    aged.at(now);
    aged.guard(&[&quiet]);
    let dir = tempdir();
    let output = aged.fake.run(dir.path(), &["audit", "--match", "a-*"]);
    assert_code(&output, 0);
    assert_eq!(stdout(&output), "audit: no findings on 1 key(s) audited\n");
    // Used 10 days ago: idle for a 7-day threshold; 60 days ahead: soon for a 90-day window.
    let output = aged.fake.run(
        dir.path(),
        &[
            "audit",
            "--match",
            "a-*",
            "--idle-days",
            "7",
            "--expiring-within",
            "90d",
            "--format",
            "json",
        ],
    );
    assert_code(&output, 6);
    assert_eq!(
        rules_by_name(&stdout(&output))["a-quiet"],
        set(&["idle", "expiring-soon"])
    );
    let output = aged.fake.run(
        dir.path(),
        &[
            "audit",
            "--match",
            "a-*",
            "--idle-days",
            "7",
            "--skip",
            "idle",
        ],
    );
    assert_code(&output, 0);
    assert!(
        stdout(&output).contains("rules skipped: idle"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_table_and_csv_carry_the_same_findings() {
    let aged = Aged::new();
    rule_cases(&aged);
    let dir = tempdir();
    let output = aged.fake.run(dir.path(), &["audit", "--match", "a-no-*"]);
    assert_code(&output, 6);
    let table = stdout(&output);
    let hash = crate::common::hash_of(&aged.fake, "a-no-limit");
    assert!(
        table.contains(&format!("{hash}  a-no-limit  (workspace ")),
        "{table}"
    );
    assert!(
        table.contains("  no-limit           no spending limit"),
        "{table}"
    );
    assert!(
        table.contains(&format!("fix: openrouter-keys update {hash} --limit USD")),
        "{table}"
    );
    assert!(
        table.ends_with("audit: 3 finding(s) on 3 of 3 key(s) audited\n"),
        "{table}"
    );

    let output = aged.fake.run(
        dir.path(),
        &["audit", "--match", "a-no-*", "--format", "csv"],
    );
    assert_code(&output, 6);
    let text = stdout(&output);
    assert!(
        text.starts_with("rule,hash,name,workspace_id,detail,fix\n"),
        "{text}"
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rules: BTreeSet<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(rules, set(&["no-limit", "no-expiry", "no-guardrail"]));
    // A name a spreadsheet would run is written as text, as in every CSV of the CLI.
    crate::common::create(&aged.fake, dir.path(), "=HYPERLINK(\"x\")", &[]);
    let output = aged
        .fake
        .run(dir.path(), &["audit", "--match", "=*", "--format", "csv"]);
    let text = stdout(&output);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let names: BTreeSet<String> = reader
        .records()
        .map(|r| r.unwrap()[2].to_string())
        .collect();
    assert_eq!(names, set(&["'=HYPERLINK(\"x\")"]));
    // No findings: the header alone.
    let output = aged.fake.run(
        dir.path(),
        &["audit", "--match", "a-clean", "--format", "csv"],
    );
    assert_code(&output, 0);
    assert_eq!(csv_rows(&stdout(&output)).len(), 0);
    assert_eq!(stdout(&output), "rule,hash,name,workspace_id,detail,fix\n");
}

#[test]
fn guardrail_assignments_are_read_once_and_not_at_all_when_skipped() {
    let fake = Fake::start_with(FakeServer::builder().page_size(2));
    let dir = tempdir();
    for name in ["g-1", "g-2", "g-3", "g-4", "g-5"] {
        crate::common::create(
            &fake,
            dir.path(),
            name,
            &["--limit", "5", "--expires-in", "30d"],
        );
    }
    let output = fake.run(dir.path(), &["audit", "--match", "g-*", "--format", "json"]);
    assert_code(&output, 6);
    assert_eq!(rules_by_name(&stdout(&output)).len(), 5);
    // One page of assignments (empty), for five keys listed over three pages.
    assert_eq!(fake.server.requests(Route::ListKeyAssignments), 1);
    let output = fake.run(
        dir.path(),
        &[
            "audit",
            "--match",
            "g-*",
            "--skip",
            "no-guardrail",
            "--idle-days",
            "1",
        ],
    );
    assert_code(&output, 0);
    assert_eq!(fake.server.requests(Route::ListKeyAssignments), 1);
}

#[test]
fn an_audit_that_cannot_read_assignments_fails_instead_of_passing() {
    let fake = Fake::start();
    let dir = tempdir();
    crate::common::create(
        &fake,
        dir.path(),
        "f-1",
        &["--limit", "5", "--expires-in", "30d"],
    );
    fake.server.inject_n(
        Route::ListKeyAssignments,
        openrouter_keys_testkit::Fault::status(500),
        10,
    );
    let output = fake.run(dir.path(), &["audit", "--match", "f-*", "--attempts", "1"]);
    assert_code(&output, 1);
    let text = stderr(&output);
    assert!(text.contains("--skip no-guardrail"), "{text}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn every_workspace_is_audited_with_all_workspaces() {
    let fake = Fake::start();
    let dir = tempdir();
    let research = fake
        .server
        .add_workspace(NewWorkspace::new("Research"))
        .unwrap();
    crate::common::create(&fake, dir.path(), "w-home", &[]);
    crate::common::create(&fake, dir.path(), "w-away", &["--workspace", &research]);
    let names = |args: &[&str]| -> BTreeSet<String> {
        let output = fake.run(dir.path(), args);
        assert_code(&output, 6);
        rules_by_name(&stdout(&output)).into_keys().collect()
    };
    let one = names(&["audit", "--match", "w-*", "--format", "json"]);
    assert_eq!(one, set(&["w-home"]));
    let every = names(&[
        "audit",
        "--match",
        "w-*",
        "--format",
        "json",
        "--all-workspaces",
    ]);
    assert_eq!(every, set(&["w-home", "w-away"]));
    let output = fake.run(
        dir.path(),
        &[
            "audit",
            "--match",
            "w-*",
            "--format",
            "json",
            "--all-workspaces",
        ],
    );
    let findings: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(
        findings
            .iter()
            .filter(|f| f["name"] == "w-away")
            .all(|f| f["workspace_id"] == research.as_str())
    );
    let output = fake.run(
        dir.path(),
        &["audit", "--workspace", &research, "--all-workspaces"],
    );
    assert_code(&output, 2);
}
