//! The texts people read: `--help` of every command, and messages.

use crate::common::{COMMANDS, Fake, assert_code, create, hash_of, stderr, stdout, tempdir, write};
use openrouter_keys_testkit::{Fault, Route};

#[test]
fn help_lists_every_command_and_the_exit_codes() {
    let fake = Fake::start();
    let dir = tempdir();
    let output = fake.run(dir.path(), &["--help"]);
    assert_code(&output, 0);
    let help = stdout(&output);
    for command in COMMANDS {
        assert!(help.contains(command), "{command} missing from --help");
    }
    assert!(help.contains("outcome unknown"));
    assert!(help.contains("6  audit: findings"));
    let output = fake.run(dir.path(), &["list", "--format", "yaml"]);
    assert_code(&output, 2);
}

/// Runs of two or more blanks inside a sentence (what a lost line continuation in a message
/// literal leaves), one line each. Not sentences: rows that list keys (their first word is a
/// hash), and the gap between an indented term and its description (`  -q, --quiet   Print
/// ...`, `  rotate   Replace keys ...`, `    0  success`).
fn blank_runs(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let first = trimmed.split_whitespace().next().unwrap_or("");
        if first.len() >= 16 && first.chars().all(|c| c.is_ascii_hexdigit()) {
            continue;
        }
        let mut rest = trimmed.trim_end();
        if trimmed.len() < line.len()
            && let Some(gap) = rest.find("  ")
        {
            let term = &rest[..gap];
            if term.starts_with('-') || !term.contains(' ') {
                rest = rest[gap..].trim_start();
            }
        }
        if rest.contains("  ") || rest.contains('\t') {
            found.push(line.to_string());
        }
    }
    found
}

#[test]
fn the_scan_finds_the_blanks_a_lost_line_continuation_leaves() {
    let gap = " ".repeat(14);
    for broken in [
        format!(
            "error: this rotation already finished (new secrets in r.csv, journal{gap}r.csv.journal)"
        ),
        format!("  hint: rotate only active keys, or enable a{gap}key first"),
        format!(
            "{gap}rotate only active keys, or enable a key first (`openrouter-keys enable{gap}HASH`)"
        ),
        format!("          Start a new batch even though{gap}--secrets-out exists"),
    ] {
        assert_eq!(blank_runs(&broken), vec![broken.clone()]);
    }
    let columns = "  -q, --quiet          Print no progress\n  bulk-create  Create one key per CSV row\n    0  success\n  0123456789abcdef0123  svc-1  disabled\n  hint: pass --yes\n";
    assert_eq!(blank_runs(columns), Vec::<String>::new());
}

/// Every `--help` text (the command's and each subcommand's, short and long) and every error
/// message the tests below can trigger: no run of blanks inside a sentence.
#[test]
fn no_help_or_error_text_has_a_run_of_blanks_inside_a_sentence() {
    let fake = Fake::start();
    let dir = tempdir();
    let d = dir.path();
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut record = |args: &[&str], output: std::process::Output| {
        texts.push((
            args.join(" "),
            format!("{}{}", stdout(&output), stderr(&output)),
        ));
    };
    // Help: the subcommands are read from the root's own list, so a new one is scanned too.
    let root = stdout(&fake.run(d, &["--help"]));
    let commands: Vec<String> = root
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 13, "{root}");
    for flag in ["--help", "-h"] {
        record(&[flag], fake.run(d, &[flag]));
        for command in &commands {
            let args = [command.as_str(), flag];
            record(&args, fake.run(d, &args));
        }
    }
    // Errors: of the key, flags, inputs, confirmation, the API, batches and rotations.
    write(d, "bad.key", "sk-or-v1-not-a-key\n");
    create(&fake, d, "svc-1", &[]);
    create(&fake, d, "off-1", &[]);
    create(&fake, d, "dup", &[]);
    create(&fake, d, "dup", &[]);
    assert_code(&fake.run(d, &["disable", "--match", "off-1", "--yes"]), 0);
    let svc = hash_of(&fake, "svc-1");
    // CSVs that bulk-create refuses, one reason each.
    let refused = [
        ("unknown.csv", "name,limt\na,1\n"),
        ("twice.csv", "name,Name\na,b\n"),
        ("noname.csv", "limit\n1\n"),
        ("empty-name.csv", "name,limit\n,1\n"),
        ("limit.csv", "name,limit\na,lots\n"),
        ("big.csv", "name,limit\na,1e30\n"),
        ("reset.csv", "name,limit_reset\na,yearly\n"),
        ("byok.csv", "name,include_byok_in_limit\na,maybe\n"),
        ("past.csv", "name,expires_at\na,2020-01-01T00:00:00Z\n"),
        ("same-names.csv", "name\nq\nq\n"),
        ("norows.csv", "name\n"),
    ];
    for (file, text) in refused {
        write(d, file, text);
    }
    write(d, "one.csv", "name\nb-1\n");
    write(d, "other.csv", "name\nb-2\n");
    write(d, "not-json.json", "[1, 2");
    write(d, "nohash.csv", "name\nx\n");
    std::fs::create_dir(d.join("dir")).unwrap();
    assert_code(
        &fake.run(d, &["bulk-create", "one.csv", "--secrets-out", "one-s.csv"]),
        0,
    );
    let rotate = ["rotate", &svc, "--secrets-out", "r.csv", "--yes"];
    assert_code(&fake.run(d, &rotate), 0);
    let failing: Vec<Vec<&str>> = vec![
        vec!["--attempts", "0", "list"],
        vec!["list", "--format", "yaml"],
        vec!["list", "--match", "["],
        vec!["report", "--match", "["],
        vec!["--api-key-file", "missing.key", "whoami"],
        vec!["--api-key-file", "bad.key", "list"],
        vec!["--api-key-file", "bad.key", "whoami"],
        vec!["get", "nope"],
        vec!["create", "--name", ""],
        vec!["create", "--name", "x", "--limit", "1e30"],
        vec!["create", "--name", "x", "--limit", "-1"],
        vec!["create", "--name", "x", "--expires-at", "tomorrow"],
        vec![
            "create",
            "--name",
            "x",
            "--expires-at",
            "2020-01-01T00:00:00Z",
        ],
        vec!["create", "--name", "x", "--expires-in", "0s"],
        vec!["create", "--name", "x", "--secret-file", "dir"],
        vec!["create", "--name", "x", "--secret-file", "nodir/x.key"],
        vec!["create", "--name", "x", "--secret-file", "bad.key"],
        vec!["update", &svc, "--yes"],
        vec!["update", "--match", "svc-*", "--name", "y", "--yes"],
        vec!["update", &svc, "--name", "", "--yes"],
        vec!["update", &svc, "--limit", "1e30", "--yes"],
        vec!["disable", "--match", "*"],
        vec!["delete", "nope", "--yes"],
        vec!["bulk-delete", "not-json.json", "--yes"],
        vec!["bulk-delete", "nohash.csv", "--yes"],
        vec!["bulk-delete", "one-s.csv"],
        vec!["bulk-delete", "missing.csv"],
        vec!["bulk-create", "missing.csv", "--secrets-out", "s.csv"],
        vec![
            "bulk-create",
            "one.csv",
            "--secrets-out",
            "one.csv",
            "--force",
        ],
        vec!["bulk-create", "one.csv", "--secrets-out", "dir"],
        vec!["bulk-create", "other.csv", "--secrets-out", "one-s.csv"],
        vec!["bulk-create", "other.csv", "--secrets-out", "bad.key"],
        vec![
            "bulk-create",
            "other.csv",
            "--secrets-out",
            "s.csv",
            "--limit",
            "1e30",
        ],
        vec![
            "rotate",
            "--match",
            "off-*",
            "--include-disabled",
            "--secrets-out",
            "o.csv",
            "--yes",
        ],
        vec![
            "rotate",
            "--match",
            "dup",
            "--secrets-out",
            "d.csv",
            "--yes",
        ],
        vec!["rotate", "--match", "svc-*", "--secrets-out", "r2.csv"],
        rotate.to_vec(),
    ];
    let mut failing = failing;
    for (file, _) in &refused {
        failing.push(vec!["bulk-create", file, "--secrets-out", "s.csv"]);
    }
    for args in &failing {
        let output = fake.run(d, args);
        assert_ne!(output.status.code(), Some(0), "{args:?} succeeded");
        record(args, output);
    }
    // An unknown create outcome, and a journal another run holds.
    fake.server.inject(Route::CreateKeys, Fault::status(500));
    let args = ["create", "--name", "u"];
    record(&args, fake.run(d, &args));
    let journal = std::fs::File::open(d.join("one-s.csv.journal")).unwrap();
    journal.lock().unwrap();
    let args = ["bulk-create", "one.csv", "--secrets-out", "one-s.csv"];
    record(&args, fake.run(d, &args));
    journal.unlock().unwrap();

    let mut broken = Vec::new();
    for (args, text) in &texts {
        for line in blank_runs(text) {
            broken.push(format!("`{args}`: {line:?}"));
        }
    }
    assert!(broken.is_empty(), "runs of blanks:\n{}", broken.join("\n"));
}
