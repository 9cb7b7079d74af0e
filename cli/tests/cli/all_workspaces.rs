//! `--all-workspaces`: every workspace's keys, each once, with its workspace; `--workspace`
//! with it is refused. (`audit --all-workspaces` is with `audit`.)

use crate::common::{Fake, assert_code, cli_at, create, csv_rows, stderr, stdout, tempdir};
use openrouter_keys_testkit::scripted::{Reply, ScriptedServer};
use openrouter_keys_testkit::{DEFAULT_WORKSPACE, NewWorkspace};
use serde_json::json;

/// A fake with keys in the default workspace and in two others; the workspaces' ids.
fn spread(fake: &Fake, dir: &std::path::Path) -> (String, String) {
    let research = fake
        .server
        .add_workspace(NewWorkspace::new("Research"))
        .unwrap();
    let empty = fake
        .server
        .add_workspace(NewWorkspace::new("Empty"))
        .unwrap();
    create(fake, dir, "s-home", &["--limit", "10"]);
    create(
        fake,
        dir,
        "s-away-1",
        &["--workspace", &research, "--limit", "5"],
    );
    create(fake, dir, "s-away-2", &["--workspace", &research]);
    (research, empty)
}

#[test]
fn list_shows_every_workspace_with_its_workspace_column() {
    let fake = Fake::start_with(openrouter_keys_testkit::FakeServer::builder().page_size(1));
    let dir = tempdir();
    let (research, _) = spread(&fake, dir.path());

    let output = fake.run(dir.path(), &["list", "--match", "s-*", "--format", "json"]);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
    let names: Vec<&str> = listed.iter().map(|k| k["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["s-home"], "one workspace by default");

    let output = fake.run(
        dir.path(),
        &[
            "list",
            "--match",
            "s-*",
            "--format",
            "json",
            "--all-workspaces",
        ],
    );
    assert_code(&output, 0);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
    let seen: Vec<(&str, &str)> = listed
        .iter()
        .map(|k| {
            (
                k["name"].as_str().unwrap(),
                k["workspace_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("s-home", DEFAULT_WORKSPACE),
            ("s-away-1", research.as_str()),
            ("s-away-2", research.as_str()),
        ],
        "workspace after workspace, as GET /workspaces lists them"
    );

    let output = fake.run(
        dir.path(),
        &[
            "list",
            "--match",
            "s-*",
            "--format",
            "csv",
            "--all-workspaces",
        ],
    );
    let rows = csv_rows(&stdout(&output));
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2]["workspace_id"], research);

    let output = fake.run(dir.path(), &["list", "--match", "s-*", "--all-workspaces"]);
    let table = stdout(&output);
    let mut lines = table.lines();
    assert_eq!(lines.next(), Some("keys of every workspace"), "{table}");
    let header = lines.next().unwrap();
    assert!(header.contains(" WORKSPACE "), "{header}");
    let column = header.find("WORKSPACE").unwrap();
    for line in lines {
        let workspace = line[column..].split(' ').next().unwrap();
        assert!(
            workspace == DEFAULT_WORKSPACE || workspace == research,
            "{line}"
        );
    }
    let output = fake.run(dir.path(), &["list", "--match", "s-*"]);
    assert!(!stdout(&output).contains("WORKSPACE"));
}

#[test]
fn a_workspace_and_every_workspace_cannot_be_asked_for_together() {
    let fake = Fake::start();
    let dir = tempdir();
    for command in [
        &["list"][..],
        &["report"][..],
        &["audit"][..],
        &["delete", "--match", "s-*", "--yes"][..],
    ] {
        let mut args = command.to_vec();
        args.extend(["--workspace", DEFAULT_WORKSPACE, "--all-workspaces"]);
        let output = fake.run(dir.path(), &args);
        assert_code(&output, 2);
        assert!(
            stderr(&output).contains("cannot be used with"),
            "{command:?}"
        );
        assert_eq!(fake.server.total_requests(), 0, "refused before any call");
    }
}

#[test]
fn report_counts_every_workspace() {
    let fake = Fake::start();
    let dir = tempdir();
    spread(&fake, dir.path());
    let report = |extra: &[&str]| {
        let mut args = vec!["report", "--match", "s-*"];
        args.extend_from_slice(extra);
        let output = fake.run(dir.path(), &args);
        assert_code(&output, 0);
        stdout(&output)
    };
    let one = report(&[]);
    assert!(one.contains("1 active, 0 disabled"), "{one}");
    assert!(one.contains("the default workspace"), "{one}");
    let every = report(&["--all-workspaces"]);
    assert!(every.contains("3 active, 0 disabled"), "{every}");
    assert!(every.contains("every workspace"), "{every}");
    assert!(
        every.contains("15.00 in total over 2 of 3 key(s)"),
        "{every}"
    );
}

/// A key that moves to a workspace listed later, while the listing runs, is listed once: as
/// the real API would show it, in both workspaces' listings (a scripted server, in order).
#[test]
fn a_key_seen_in_two_workspaces_is_listed_once() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let key = |hash: &str, name: &str, workspace: &str| {
        let mut key = openrouter_keys_testkit::canned::canned_key(hash, name);
        key["workspace_id"] = json!(workspace);
        key
    };
    let workspace = |id: &str| openrouter_keys_testkit::canned::canned_workspace(id, id);
    let page = |keys: Vec<serde_json::Value>| Reply::json(200, &json!({ "data": keys }));
    let script = vec![
        Reply::json(
            200,
            &json!({"data": [workspace("ws-a"), workspace("ws-b")], "total_count": 2}),
        ),
        page(vec![key("k1", "one", "ws-a"), key("k2", "moving", "ws-a")]),
        page(vec![]),
        page(vec![
            key("k2", "moving", "ws-b"),
            key("k3", "three", "ws-b"),
        ]),
        page(vec![]),
        Reply::json(200, &json!({"data": [], "total_count": 2})),
    ];
    let server = runtime.block_on(ScriptedServer::start(script)).unwrap();
    let dir = tempdir();
    let base_url = format!("{}/api/v1", server.base_url);
    let output = cli_at(&base_url, "sk-or-v1-scripted", dir.path())
        .args(["list", "--all-workspaces", "--format", "ndjson"])
        .output()
        .unwrap();
    assert_code(&output, 0);
    let hashes: Vec<String> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["hash"].to_string())
        .collect();
    assert_eq!(hashes, ["\"k1\"", "\"k2\"", "\"k3\""]);
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert!(targets[0].starts_with("/api/v1/workspaces"), "{targets:?}");
    assert!(targets[1].contains("workspace_id=ws-a"), "{targets:?}");
    assert!(targets[3].contains("workspace_id=ws-b"), "{targets:?}");
}

#[test]
fn changes_by_match_reach_every_workspace_when_asked() {
    let fake = Fake::start();
    let dir = tempdir();
    let (research, _) = spread(&fake, dir.path());
    let state = |name: &str| {
        fake.all_keys_everywhere()
            .into_iter()
            .find(|k| k.name.as_deref() == Some(name))
            .map(|k| (k.disabled, k.limit))
    };
    // One workspace by default: the keys of Research are left alone.
    let output = fake.run(dir.path(), &["disable", "--match", "s-*", "--yes"]);
    assert_code(&output, 0);
    assert_eq!(state("s-home"), Some((Some(true), Some(10.0))));
    assert_eq!(state("s-away-1"), Some((Some(false), Some(5.0))));

    let output = fake.run(
        dir.path(),
        &["disable", "--match", "s-*", "--all-workspaces", "--dry-run"],
    );
    assert_code(&output, 0);
    let plan = stdout(&output);
    assert!(
        plan.contains(&format!("s-away-1  (workspace {research})")),
        "the preview names each key's workspace: {plan}"
    );
    assert_eq!(
        state("s-away-1"),
        Some((Some(false), Some(5.0))),
        "a dry run"
    );

    for args in [
        &["disable", "--match", "s-*", "--all-workspaces", "--yes"][..],
        &[
            "update",
            "--match",
            "s-*",
            "--all-workspaces",
            "--limit",
            "7",
            "--yes",
        ][..],
    ] {
        let output = fake.run(dir.path(), args);
        assert_code(&output, 0);
    }
    for name in ["s-home", "s-away-1", "s-away-2"] {
        assert_eq!(state(name), Some((Some(true), Some(7.0))), "{name}");
    }
    let output = fake.run(
        dir.path(),
        &["enable", "--match", "s-away-*", "--all-workspaces", "--yes"],
    );
    assert_code(&output, 0);
    assert_eq!(state("s-away-2"), Some((Some(false), Some(7.0))));
    let output = fake.run(
        dir.path(),
        &["delete", "--match", "s-*", "--all-workspaces", "--yes"],
    );
    assert_code(&output, 0);
    assert_eq!(state("s-away-1"), None);
    assert!(
        fake.all_keys_everywhere()
            .iter()
            .all(|k| !k.name.as_deref().is_some_and(|n| n.starts_with("s-")))
    );
    // By hash a key is found in any workspace: --all-workspaces is for --match.
    let output = fake.run(dir.path(), &["delete", "abc", "--all-workspaces", "--yes"]);
    assert_code(&output, 2);
}

/// `--workspace` takes a workspace's id or its slug (read once with `GET /workspaces/{id}`),
/// and a workspace that does not exist is an error, not an empty listing or a clean audit.
#[test]
fn a_workspace_given_by_slug_is_listed_and_an_unknown_one_is_an_error() {
    let fake = Fake::start();
    let dir = tempdir();
    spread(&fake, dir.path());
    let output = fake.run(
        dir.path(),
        &["list", "--workspace", "research", "--format", "json"],
    );
    assert_code(&output, 0);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
    let mut names: Vec<&str> = listed.iter().map(|k| k["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["s-away-1", "s-away-2"]);
    for command in ["list", "audit", "report"] {
        let output = fake.run(dir.path(), &[command, "--workspace", "no-such-team"]);
        assert_code(&output, 1);
        let said = stderr(&output);
        assert!(
            said.contains("no workspace has this id or slug"),
            "{command}: {said}"
        );
    }
}
