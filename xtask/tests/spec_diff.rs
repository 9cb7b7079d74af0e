//! `cargo xtask spec-diff` end to end: one fixture pair per kind of difference (our
//! `fixtures/spec-diff/ours.yaml` against an `upstream-*.yaml` that differs in one way), the
//! upstream snapshot with changes of those kinds, and upstream documents served over HTTP by a
//! local server on 127.0.0.1.

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/spec-diff")
        .join(name)
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
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/openrouter/upstream/openapi-keys-subset.yaml");
    std::fs::read_to_string(&path).ok()
}

fn our_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openrouter-keys.yaml")
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
        println!("skipped: the upstream snapshot is absent");
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
