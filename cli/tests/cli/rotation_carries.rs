//! `rotate` never widens access: what a replacement carries over from the key it replaces
//! (limit, reset, BYOK setting, workspace, creator, external user, guardrail), its expiry
//! (the old lifetime from now, or the flags; never the old instant), the guardrail assigned
//! and read back before the new secret is handed out, and the preview naming what cannot be
//! carried.

use crate::common::{Aged, assert_code, csv_rows, stderr, stdout, tempdir};
use openrouter_keys::time::{Duration, OffsetDateTime};
use openrouter_keys::{ExternalIdentity, Key, LimitReset, NewKey, Timestamp};
use openrouter_keys_testkit::{Fault, FaultBody, NewGuardrail, NewWorkspace, Route};
use std::path::Path;

/// When the old keys are made: long enough ago that their lifetime from now ends long after
/// their own expiry.
fn made_at() -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + Duration::seconds(1_767_225_600) // 2026-01-01T00:00:00Z
}

/// The old keys' expiry: a year after [`made_at`], or 60 days from now if that is later, so
/// that they are active when the rotation runs.
fn old_expiry() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    (made_at() + Duration::days(365)).max(now + Duration::days(60))
}

/// A fake whose clock starts at [`made_at`], with a workspace and a guardrail in it.
struct Account {
    aged: Aged,
    workspace: String,
    guardrail: String,
}

impl Account {
    fn new() -> Account {
        let aged = Aged::starting_at(made_at());
        let workspace = aged
            .fake
            .server
            .add_workspace(NewWorkspace::new("team"))
            .expect("a workspace");
        let guardrail = aged
            .fake
            .server
            .add_guardrail(NewGuardrail::new("cap").limit_usd(20.0))
            .expect("a guardrail");
        Account {
            aged,
            workspace,
            guardrail,
        }
    }

    /// A key made now on the fake's clock with every setting a rotation carries, holding the
    /// guardrail; its hash.
    fn guarded_key(&self, name: &str) -> String {
        let hash = self.aged.create(
            NewKey::new(name)
                .limit(7.5)
                .limit_reset(LimitReset::Weekly)
                .include_byok_in_limit(true)
                .expires_at(Timestamp::from(old_expiry()))
                .workspace_id(self.workspace.as_str())
                .creator_user_id("user_member_1")
                .external(ExternalIdentity::new("partner-user-9")),
        );
        self.aged.assign(&self.guardrail, &[hash.as_str()]);
        hash
    }

    /// The fake's clock moved on to the real one (the CLI's), where the rotation happens.
    fn now(&self) -> OffsetDateTime {
        let now = OffsetDateTime::now_utc();
        self.aged.at(now);
        now
    }

    fn key(&self, hash: &str) -> Key {
        self.aged
            .fake
            .all_keys_everywhere()
            .into_iter()
            .find(|k| k.hash == hash)
            .unwrap_or_else(|| panic!("no key {hash}"))
    }

    fn rotate(&self, dir: &Path, old: &str, extra: &[&str]) -> std::process::Output {
        let mut args = vec!["rotate", old, "--secrets-out", "new.csv", "--yes"];
        args.extend_from_slice(extra);
        self.aged.fake.run(dir, &args)
    }

    /// `rotate` with one attempt per call, so that an injected fault fails it.
    fn rotate_once(&self, dir: &Path, old: &str) -> std::process::Output {
        let args = [
            "--attempts",
            "1",
            "rotate",
            old,
            "--secrets-out",
            "new.csv",
            "--yes",
        ];
        self.aged.fake.run(dir, &args)
    }

    /// The old key still works and no secret was handed out.
    fn assert_left_alone(&self, dir: &Path, old: &str) {
        assert_eq!(self.key(old).disabled, Some(false), "not retired");
        let saved = std::fs::read_to_string(dir.join("new.csv")).unwrap_or_default();
        assert!(csv_rows(&saved).is_empty(), "no secret handed out: {saved}");
    }

    /// The old key retired, its replacement holding the guardrail.
    fn assert_rotated(&self, dir: &Path, old: &str) {
        let new = replacement_of(dir, old);
        let held = self.aged.fake.server.guardrail_of(&new);
        assert_eq!(held.as_ref(), Some(&self.guardrail));
        assert_eq!(self.key(old).disabled, Some(true));
    }
}

/// The hash of the replacement the secrets file names for `old`.
fn replacement_of(dir: &Path, old: &str) -> String {
    let text = std::fs::read_to_string(dir.join("new.csv")).expect("the secrets file");
    let rows = csv_rows(&text);
    let row = rows.iter().find(|r| r["replaces"] == old).expect("a row");
    row["hash"].clone()
}

fn expiry(key: &Key) -> OffsetDateTime {
    key.expires_at
        .as_ref()
        .and_then(Timestamp::datetime)
        .expect("an expiry")
}

#[test]
fn a_replacement_keeps_every_setting_that_bounds_the_old_keys_access() {
    let account = Account::new();
    let old = account.guarded_key("svc");
    let dir = tempdir();
    let before = account.now();
    let output = account.rotate(dir.path(), &old, &[]);
    let after = OffsetDateTime::now_utc();
    assert_code(&output, 0);
    let new = account.key(&replacement_of(dir.path(), &old));
    let was = account.key(&old);
    assert_eq!(new.name.as_deref(), Some("svc"));
    assert_eq!(new.limit, Some(7.5));
    assert_eq!(new.limit_reset, Some(LimitReset::Weekly));
    assert_eq!(new.include_byok_in_limit, Some(true));
    assert_eq!(
        new.workspace_id.as_deref(),
        Some(account.workspace.as_str())
    );
    assert_eq!(new.creator_user_id.as_deref(), Some("user_member_1"));
    assert_eq!(new.external_user.as_deref(), Some("partner-user-9"));
    assert_eq!(
        account.aged.fake.server.guardrail_of(&new.hash),
        Some(account.guardrail.clone()),
        "the replacement holds the old key's guardrail"
    );
    assert_eq!(account.key(&old).disabled, Some(true), "retired");
    // The old key's lifetime, counted from the rotation: not the old key's own instant.
    let created = was.created_at.as_ref().and_then(Timestamp::datetime);
    let lifetime = expiry(&was) - created.expect("a creation time");
    let expires = expiry(&new);
    assert!(
        expires >= before + lifetime - Duration::seconds(2)
            && expires <= after + lifetime + Duration::seconds(2),
        "expires {expires}, lifetime {lifetime} from {before}..{after}"
    );
    assert_ne!(new.expires_at, was.expires_at);
}

#[test]
fn a_replacement_of_a_key_without_expiry_has_none() {
    let account = Account::new();
    let old = account.aged.create(NewKey::new("forever").limit(1.0));
    let dir = tempdir();
    account.now();
    assert_code(&account.rotate(dir.path(), &old, &[]), 0);
    let new = account.key(&replacement_of(dir.path(), &old));
    assert_eq!(new.expires_at, None);
    assert_eq!(
        account.aged.fake.server.guardrail_of(&new.hash),
        None,
        "no guardrail, as the old key"
    );
}

#[test]
fn the_expiry_flags_set_every_replacements_expiry() {
    let account = Account::new();
    let first = account.guarded_key("first");
    let second = account.aged.create(NewKey::new("second"));
    let dir = tempdir();
    let before = account.now();
    let output = account.rotate(dir.path(), &first, &["--expires-in", "30d"]);
    let after = OffsetDateTime::now_utc();
    assert_code(&output, 0);
    let expires = expiry(&account.key(&replacement_of(dir.path(), &first)));
    assert!(
        expires >= before + Duration::days(30) - Duration::seconds(1)
            && expires <= after + Duration::days(30) + Duration::seconds(1),
        "{expires}"
    );

    let dir = tempdir();
    let output = account.rotate(dir.path(), &second, &["--expires-at", "2031-03-04"]);
    assert_code(&output, 0);
    let expires = expiry(&account.key(&replacement_of(dir.path(), &second)));
    assert_eq!(
        expires.unix_timestamp(),
        1_930_435_199,
        "the end of 2031-03-04 in UTC: {expires}"
    );
}

#[test]
fn an_expiry_flag_in_the_past_is_refused_before_anything_is_made() {
    let account = Account::new();
    let old = account.guarded_key("svc");
    let dir = tempdir();
    account.now();
    let count = account.aged.fake.server.created_key_count();
    let output = account.rotate(dir.path(), &old, &["--expires-at", "2020-01-01"]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("--expires-at"),
        "{}",
        stderr(&output)
    );
    assert_eq!(account.aged.fake.server.created_key_count(), count);
}

/// The preview says what each replacement gets (expiry, guardrail, creator, external user)
/// and what no replacement can get: its usage so far, a partner's write-only
/// `external.api_key`.
#[test]
fn the_preview_names_what_is_carried_and_what_cannot_be() {
    let account = Account::new();
    let old = account.guarded_key("svc");
    let dir = tempdir();
    account.now();
    let output = account.aged.fake.run(
        dir.path(),
        &["rotate", &old, "--secrets-out", "new.csv", "--dry-run"],
    );
    assert_code(&output, 0);
    let plan = stdout(&output);
    assert!(plan.contains("the old key's lifetime from now"), "{plan}");
    assert!(
        plan.contains(&format!("guardrail {}", account.guardrail)),
        "{plan}"
    );
    assert!(plan.contains("creator user_member_1"), "{plan}");
    assert!(plan.contains("external user partner-user-9"), "{plan}");
    let notes = stderr(&output);
    assert!(notes.contains("not carried: usage so far"), "{notes}");
    assert!(notes.contains("external.api_key"), "{notes}");
}

/// When the guardrail cannot be assigned, the replacement's secret is not handed out and
/// the old key is not retired; a rerun once the API answers again finishes the rotation.
#[test]
fn a_replacement_whose_guardrail_cannot_be_assigned_leaves_the_old_key_alone() {
    let account = Account::new();
    let old = account.guarded_key("svc");
    let dir = tempdir();
    account.now();
    let server = &account.aged.fake.server;
    server.inject_n(Route::BulkAssignKeysToGuardrail, Fault::status(500), 100);
    let output = account.rotate_once(dir.path(), &old);
    assert_ne!(output.status.code(), Some(0));
    let text = stderr(&output);
    assert!(text.contains("cannot assign guardrail"), "{text}");
    assert!(text.contains("the old key was left alone"), "{text}");
    assert!(text.contains("withheld"), "{text}");
    account.assert_left_alone(dir.path(), &old);

    // The API answers again: the same command finishes the rotation.
    server.clear_faults();
    let output = account.rotate(dir.path(), &old, &[]);
    assert_code(&output, 0);
    account.assert_rotated(dir.path(), &old);
}

/// An assignment the API answers but does not hold (read back, the replacement holds no
/// guardrail) stops the row the same way: the old key stays, the secret stays withheld.
#[test]
fn an_assignment_that_does_not_hold_leaves_the_old_key_alone() {
    let account = Account::new();
    let old = account.guarded_key("svc");
    let dir = tempdir();
    account.now();
    let server = &account.aged.fake.server;
    // The assignment answers 200 with a count without acting, twice: the rotation's
    // assignment and its one retry after reading back none.
    let answered_not_done = Fault::Status {
        status: 200,
        body: FaultBody::Json(r#"{"assigned_count":1}"#.to_string()),
        retry_after: None,
    };
    server.inject_n(Route::BulkAssignKeysToGuardrail, answered_not_done, 2);
    let output = account.rotate(dir.path(), &old, &[]);
    assert_ne!(output.status.code(), Some(0));
    let text = stderr(&output);
    assert!(text.contains("does not hold guardrail"), "{text}");
    assert!(text.contains("the assignments show none"), "{text}");
    account.assert_left_alone(dir.path(), &old);
}

/// When the assignment cannot be read back, it is not taken for done: the old key stays,
/// the secret stays withheld, and a rerun reads it again and finishes.
#[test]
fn an_assignment_that_cannot_be_read_back_leaves_the_old_key_alone() {
    let account = Account::new();
    let old = account.guarded_key("svc");
    let dir = tempdir();
    account.now();
    let server = &account.aged.fake.server;
    // A first run makes the replacement and stops at the assignment.
    server.inject_n(Route::BulkAssignKeysToGuardrail, Fault::status(500), 100);
    assert_ne!(account.rotate_once(dir.path(), &old).status.code(), Some(0));
    server.clear_faults();
    // The rerun cannot read the assignments (before it resumes, it reads the old key's
    // guardrail again): it changes nothing and keeps the secret withheld.
    server.inject_n(Route::ListKeyAssignments, Fault::status(503), 100);
    let output = account.rotate_once(dir.path(), &old);
    assert_ne!(output.status.code(), Some(0));
    let text = stderr(&output);
    assert!(
        text.contains("reads its old keys' guardrails again"),
        "{text}"
    );
    assert!(text.contains("withheld"), "{text}");
    account.assert_left_alone(dir.path(), &old);
    // Once it can be read, the same command finishes.
    server.clear_faults();
    assert_code(&account.rotate(dir.path(), &old, &[]), 0);
    account.assert_rotated(dir.path(), &old);
}
