//! `cargo xtask spec-diff` end to end: one fixture pair per kind of difference (our
//! `fixtures/spec-diff/ours.yaml` against an `upstream-*.yaml` that differs in one way), the
//! upstream snapshot with changes of those kinds, and upstream documents served over HTTP by a
//! local server on 127.0.0.1.

mod common;

use common::{repo_root, scratch, text, upstream_full, upstream_snapshot, xtask};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// A file of the fixture pairs (`tests/fixtures/spec-diff`).
fn fixture(name: &str) -> PathBuf {
    common::fixture(&format!("spec-diff/{name}"))
}

fn spec_diff(upstream: &str, ours: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["spec-diff", upstream, "--json", "--ours"])
        .arg(ours)
        .args(extra)
        .output()
        .unwrap()
}

/// Every finding as (kind, what, upstream pointer, ours pointer).
fn findings(out: &Output) -> Vec<(String, String, String, String)> {
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["findings"].as_array().unwrap().clone())
        .map(|f| {
            (
                text(&f["kind"]),
                text(&f["what"]),
                text(&f["upstream"]),
                text(&f["ours"]),
            )
        })
        .collect()
}

#[test]
fn the_fixture_against_itself_has_no_findings() {
    let ours = fixture("ours.yaml");
    let out = spec_diff(ours.to_str().unwrap(), &ours, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(findings(&out), []);
}

#[test]
fn each_kind_of_difference_is_reported_at_its_pointer() {
    let item = "/components/schemas/Item/properties";
    // (fixture, exit code, kind, what the finding says, its pointer upstream)
    let cases = [
        (
            "new-operation",
            1,
            "behind",
            "operation we do not have",
            "/paths/~1keys~1{hash}~1rotate/post".to_string(),
        ),
        (
            "request-enum",
            1,
            "changed",
            "query parameter `sort`: enum [\"created\", \"name\"] upstream, none here",
            "/paths/~1keys/get/parameters/2".to_string(),
        ),
        (
            // Ours decodes any string: listed, and not a failure.
            "response-enum",
            0,
            "ahead",
            "response 200 field `state`: enum [\"active\", \"disabled\"] upstream, none here",
            format!("{item}/state"),
        ),
        (
            // Ours would refuse a value upstream may send.
            "response-enum-dropped",
            1,
            "changed",
            "response 200 field `kind`: enum [\"personal\", \"shared\"] here, none upstream",
            format!("{item}/kind"),
        ),
        (
            "request-format",
            1,
            "changed",
            "query parameter `workspace_id`: format `uuid` upstream, none here",
            "/paths/~1keys/get/parameters/1".to_string(),
        ),
        (
            "response-format",
            1,
            "changed",
            "response 200 field `created_at`: format `date-time` here, none upstream",
            format!("{item}/created_at"),
        ),
        (
            "one-of-required",
            1,
            "changed",
            "request body field `name`: optional here, required upstream",
            "/components/schemas/NewItem/oneOf/0/properties/name".to_string(),
        ),
        (
            "minimum",
            1,
            "changed",
            "query parameter `offset`: `minimum` 0 here, 1 upstream",
            "/paths/~1keys/get/parameters/0".to_string(),
        ),
        (
            "max-length",
            1,
            "changed",
            "request body field `name`: `maxLength` 64 upstream, none here",
            "/components/schemas/NewItem/properties/name".to_string(),
        ),
        (
            "pattern",
            1,
            "changed",
            "query parameter `workspace_id`: `pattern` \"^ws_\" upstream, none here",
            "/paths/~1keys/get/parameters/1".to_string(),
        ),
        (
            "security",
            1,
            "changed",
            "security {[\"http bearer\"]} here, {[\"apiKey header x-partner-key\"]} upstream",
            "/paths/~1keys/post/security".to_string(),
        ),
        (
            "response-header",
            1,
            "behind",
            "response 429 header `retry-after`: we do not have it",
            "/paths/~1keys/get/responses/429/headers/Retry-After".to_string(),
        ),
    ];
    let ours = fixture("ours.yaml");
    for (name, code, kind, what, pointer) in cases {
        let upstream = fixture(&format!("upstream-{name}.yaml"));
        let out = spec_diff(upstream.to_str().unwrap(), &ours, &[]);
        let found = findings(&out);
        assert_eq!(out.status.code(), Some(code), "{name}: {found:#?}");
        // One difference (found once per operation whose schema holds it), nothing else.
        assert!(
            !found.is_empty() && found.iter().all(|(k, _, p, _)| k == kind && *p == pointer),
            "{name}: {found:#?}"
        );
        assert!(
            found.iter().any(|(_, w, _, _)| w == what),
            "{name}: {found:#?}"
        );
    }
}

fn snapshot() -> Option<String> {
    upstream_snapshot().map(|path| std::fs::read_to_string(path).unwrap())
}

fn our_spec() -> PathBuf {
    repo_root().join("openapi/openrouter-keys.yaml")
}

/// The snapshot with one edit, written to a scratch file (the snapshot itself is only read).
fn edited_snapshot(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-spec-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_snapshot_with_a_new_operation_an_enum_or_a_uuid_format_is_reported() {
    let Some(snapshot) = snapshot() else {
        return;
    };
    let edit = |old: &str, new: &str| {
        assert_eq!(snapshot.matches(old).count(), 1, "{old}");
        snapshot.replacen(old, new, 1)
    };
    let rotate = edit(
        "  /keys/{hash}:\n",
        "  /keys/{hash}/rotate:\n    post:\n      operationId: rotateKey\n      responses:\n        '200':\n          description: Rotated\n  /keys/{hash}:\n",
    );
    // The create body's plain-string `name` gains an enum; the list's plain-string
    // `workspace_id` parameter keeps its uuid, but the create body's loses it.
    let enum_added = edit(
        "                  description: Name for the new API key\n                  example: My New API Key\n",
        "                  description: Name for the new API key\n                  enum: [alpha, beta]\n                  example: My New API Key\n",
    );
    let uuid_dropped = edit(
        "                  description: The workspace to create the API key in. Defaults to the default workspace if not provided.\n                  example: 0df9e665-d932-5740-b2c7-b52af166bc11\n                  format: uuid\n",
        "                  description: The workspace to create the API key in. Defaults to the default workspace if not provided.\n                  example: 0df9e665-d932-5740-b2c7-b52af166bc11\n",
    );
    let cases = [
        (
            "rotate",
            rotate.clone(),
            "behind",
            "operation we do not have",
            "/paths/~1keys~1{hash}~1rotate/post",
        ),
        (
            "enum",
            enum_added,
            "changed",
            "request body field `name`: enum [\"alpha\", \"beta\"] upstream, none here",
            "/paths/~1keys/post/requestBody/content/application~1json/schema/properties/name",
        ),
        (
            "uuid",
            uuid_dropped,
            "ahead",
            "request body field `workspace_id`: format `uuid` here, none upstream",
            "/paths/~1keys/post/requestBody/content/application~1json/schema/properties/workspace_id",
        ),
    ];
    for (name, text, kind, what, pointer) in cases {
        let path = edited_snapshot(name, &text);
        let out = spec_diff(path.to_str().unwrap(), &our_spec(), &[]);
        let found = findings(&out);
        assert_eq!(
            out.status.code(),
            Some(if kind == "ahead" { 0 } else { 1 }),
            "{name}: {found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|(k, w, p, _)| k == kind && w == what && p == pointer),
            "{name}: {found:#?}"
        );
    }
    let rotate_text = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["spec-diff"])
        .arg(edited_snapshot("rotate", &rotate))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&rotate_text.stdout);
    assert!(text.contains("POST /keys/{hash}/rotate"), "{text}");
    assert!(text.contains("1 behind, 0 changed"), "{text}");
}

/// Serves one canned answer per connection on 127.0.0.1, in order; returns the base URL.
fn serve(answers: Vec<Vec<u8>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for answer in answers {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            if answer.is_empty() {
                // Never answer: hold the connection open past the client's timeout.
                std::thread::sleep(Duration::from_secs(5));
                continue;
            }
            let _ = stream.write_all(&answer);
        }
    });
    base
}

fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

#[test]
fn an_http_url_is_fetched_and_compared() {
    let yaml = std::fs::read(fixture("upstream-new-operation.yaml")).unwrap();
    let doc: Value = serde_yaml::from_slice(&yaml).unwrap();
    let json = serde_json::to_vec(&doc).unwrap();
    let base = serve(vec![
        http("200 OK", "application/yaml", &yaml),
        http("200 OK", "application/json", &json),
    ]);
    let ours = fixture("ours.yaml");
    for path in ["/openapi.yaml", "/openapi"] {
        let out = spec_diff(&format!("{base}{path}"), &ours, &[]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let found = findings(&out);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].2, "/paths/~1keys~1{hash}~1rotate/post");
    }
}

#[test]
fn an_unusable_http_answer_exits_2_with_a_reason() {
    let big = vec![b'#'; 17 * 1024 * 1024];
    let mut unframed =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/yaml\r\nconnection: close\r\n\r\n".to_vec();
    unframed.extend_from_slice(&big);
    let declared =
        b"HTTP/1.1 200 OK\r\ncontent-length: 17000000\r\nconnection: close\r\n\r\n".to_vec();
    let base = serve(vec![
        http("404 Not Found", "text/plain", b"no"),
        unframed,
        declared,
        http("200 OK", "application/yaml", b"openapi: [unclosed"),
        Vec::new(),
    ]);
    let ours = fixture("ours.yaml");
    let cases: [(&str, &[&str]); 5] = [
        ("answered 404", &[]),
        ("larger than 16 MiB", &[]),
        ("larger than 16 MiB", &[]),
        ("not valid YAML", &[]),
        ("no complete answer within", &["--timeout", "0.5"]),
    ];
    for (reason, extra) in cases {
        let out = spec_diff(&format!("{base}/openapi.yaml"), &ours, extra);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{reason}: {stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(reason),
            "{reason}: {stderr}"
        );
        assert!(stderr.contains(&base), "names the URL: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let refused = spec_diff("http://127.0.0.1:1/openapi.yaml", &ours, &[]);
    assert_eq!(refused.status.code(), Some(2));
    let bad_timeout = spec_diff(&format!("{base}/x"), &ours, &["--timeout", "soon"]);
    assert_eq!(bad_timeout.status.code(), Some(2));
}

#[test]
fn spec_diff_against_the_upstream_snapshot_is_not_behind() {
    let Some(upstream) = upstream_snapshot() else {
        return;
    };
    let out = xtask(&["spec-diff", upstream.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("0 behind, 0 changed"), "{stdout}");
    for newer in [
        "external_user",
        "last_used_at",
        "allowed_data_regions",
        "include_expired",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.contains("AHEAD") && l.contains(newer)),
            "{newer} listed as ahead: {stdout}"
        );
    }
    let json = xtask(&["spec-diff", upstream.to_str().unwrap(), "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["behind"], 0);
    assert_eq!(report["changed"], 0);
}

/// The operations `(METHOD path, compared?)` a JSON report lists: compared, or not covered.
fn listed_operations(report: &Value) -> (Vec<String>, Vec<String>) {
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|o| o["operation"].as_str().unwrap().to_string())
            .collect()
    };
    (names(&report["operations"]), names(&report["not_covered"]))
}

#[test]
fn what_our_spec_covers_in_part_is_compared_where_declared_and_listed_elsewhere() {
    let ours = fixture("ours-in-part.yaml");
    let upstream = fixture("upstream-in-part.yaml");
    let out = spec_diff(upstream.to_str().unwrap(), &ours, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (compared, not_covered) = listed_operations(&report);
    assert_eq!(
        compared,
        [
            "GET /guardrails/{id}",
            "GET /keys",
            "POST /keys/{hash}/rotate"
        ],
        "ours, and upstream's below /keys; never /models"
    );
    assert_eq!(not_covered, ["POST /guardrails"]);
    assert_eq!(
        report["not_covered"][0]["upstream"],
        "/paths/~1guardrails/post"
    );
    let found = findings(&out);
    let behind = |what: &str, pointer: &str| {
        found
            .iter()
            .any(|(k, w, p, _)| k == "behind" && w.contains(what) && p == pointer)
    };
    assert!(
        behind(
            "operation we do not have",
            "/paths/~1keys~1{hash}~1rotate/post"
        ),
        "a new operation below /keys is behind: {found:#?}"
    );
    assert!(
        behind(
            "response 200 field `limit_usd`",
            "/components/schemas/Guardrail/properties/limit_usd"
        ),
        "a covered operation is compared in full: {found:#?}"
    );
    assert_eq!(report["behind"], 2, "{found:#?}");

    let readable = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["spec-diff", upstream.to_str().unwrap(), "--ours"])
        .arg(&ours)
        .output()
        .unwrap();
    let readable = text(&readable.stdout);
    assert!(
        readable.contains("not covered (our spec covers these paths in part: x-covered-in-part)\n  POST /guardrails  upstream: /paths/~1guardrails/post"),
        "{readable}"
    );
    assert!(
        readable.ends_with("2 behind, 0 changed, 0 ahead, 1 not covered\n"),
        "{readable}"
    );
}

#[test]
fn a_malformed_covered_in_part_exits_2_naming_it() {
    let dir = scratch("spec-diff-in-part");
    let ours = std::fs::read_to_string(fixture("ours-in-part.yaml"))
        .unwrap()
        .replace(
            "x-covered-in-part: [/guardrails]",
            "x-covered-in-part: [guardrails]",
        );
    let path = dir.join("ours.yaml");
    std::fs::write(&path, ours).unwrap();
    let upstream = fixture("upstream-in-part.yaml");
    let out = spec_diff(upstream.to_str().unwrap(), &path, &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/x-covered-in-part/0"), "{stderr}");
    assert!(stderr.contains("such as /guardrails"), "{stderr}");
}

#[test]
fn spec_diff_against_the_full_upstream_document_covers_the_policy_operations() {
    let Some(upstream) = upstream_full() else {
        return;
    };
    let out = xtask(&["spec-diff", upstream.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["behind"].clone(), report["changed"].clone()),
        (0.into(), 0.into())
    );
    let (compared, not_covered) = listed_operations(&report);
    for operation in [
        "GET /guardrails",
        "GET /guardrails/{id}",
        "GET /guardrails/assignments/keys",
        "GET /guardrails/{id}/assignments/keys",
        "POST /guardrails/{id}/assignments/keys",
        "POST /guardrails/{id}/assignments/keys/remove",
        "GET /workspaces",
        "GET /workspaces/{id}",
    ] {
        let entry = report["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operation"] == operation)
            .unwrap_or_else(|| panic!("{operation} not compared: {compared:?}"));
        let absent = entry["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["what"] == "operation absent upstream");
        assert!(!absent, "{operation} is matched with upstream's");
    }
    assert!(
        not_covered.contains(&"POST /guardrails".to_string()),
        "{not_covered:?}"
    );
    assert!(
        not_covered
            .iter()
            .all(|o| o.contains(" /guardrails") || o.contains(" /workspaces")),
        "only the parts covered in part: {not_covered:?}"
    );
}

#[test]
fn spec_diff_reports_five_upstream_changes_at_their_pointers() {
    let dir = scratch("spec-diff-five");
    let ours = std::fs::read_to_string(our_spec()).unwrap();
    let upstream = ours
        // 1. a new response field
        .replace(
            "        name: {type: string, description: Name given at creation.}",
            "        rotated_at: {type: [string, 'null']}\n        name: {type: string, description: Name given at creation.}",
        )
        // 2. an enum value removed
        .replace("enum: [daily, weekly, monthly, null]", "enum: [daily, monthly, null]")
        // 3. a response field turned nullable (ours would fail on null)
        .replace(
            "name: {type: string, description: Name given at creation.}",
            "name: {type: [string, 'null'], description: Name given at creation.}",
        )
        // 4. a new query parameter
        .replace(
            "        - name: workspace_id\n          in: query",
            "        - name: sort\n          in: query\n          schema: {type: string}\n        - name: workspace_id\n          in: query",
        )
        // 5. a new status code
        .replace(
            "      description: Deletes one key by hash. Requires a management key.\n      tags: [API Keys]\n      responses:\n",
            "      description: Deletes one key by hash. Requires a management key.\n      tags: [API Keys]\n      responses:\n        '409':\n          description: Conflict\n",
        );
    let path = dir.join("upstream.yaml");
    std::fs::write(&path, &upstream).unwrap();
    let out = xtask(&["spec-diff", path.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings: Vec<(String, String, String)> = report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["findings"].as_array().unwrap().clone())
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["what"].as_str().unwrap().to_string(),
                f["upstream"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let has = |kind: &str, what: &str, pointer: &str| {
        findings
            .iter()
            .any(|(k, w, p)| k == kind && w.contains(what) && p == pointer)
    };
    assert!(
        has(
            "behind",
            "field `data.rotated_at`",
            "/components/schemas/Key/properties/rotated_at"
        ),
        "{findings:#?}"
    );
    assert!(
        has(
            "changed",
            "enum value \"weekly\" removed upstream",
            "/components/schemas/LimitReset"
        ),
        "{findings:#?}"
    );
    assert!(
        has(
            "changed",
            "`data.name`: non-nullable here, nullable upstream",
            "/components/schemas/Key/properties/name"
        ),
        "{findings:#?}"
    );
    assert!(
        has(
            "behind",
            "query parameter `sort`",
            "/paths/~1keys/get/parameters/3"
        ),
        "{findings:#?}"
    );
    assert!(
        has(
            "behind",
            "status 409",
            "/paths/~1keys~1{hash}/delete/responses/409"
        ),
        "{findings:#?}"
    );
}

#[test]
fn spec_diff_on_unreadable_upstream_exits_2() {
    for name in [
        "reject-not-yaml.yaml",
        "reject-swagger.yaml",
        "does-not-exist.yaml",
    ] {
        let out = xtask(&["spec-diff", common::fixture(name).to_str().unwrap()]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.starts_with("error: ") && !stderr.contains("panicked"),
            "{stderr}"
        );
    }
    let out = xtask(&["spec-diff"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `cargo xtask spec-diff … | head` closes the pipe early: the report is cut short quietly,
/// with the usual exit code and no panic.
#[test]
fn spec_diff_into_a_closed_pipe_exits_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let ours = our_spec();
    for json in [false, true] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
        command.args(["spec-diff", ours.to_str().unwrap()]);
        if json {
            command.arg("--json");
        }
        let out = command
            .stdout(writer.try_clone().unwrap())
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.is_empty(), "{stderr}");
    }
}
