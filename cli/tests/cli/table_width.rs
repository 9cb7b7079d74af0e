//! Tables for people fit the terminal: on 80 columns no line of `list`, `get`, `whoami`,
//! the report or `audit` is longer (hashes shortened, names cut with `…`, wide characters counted as
//! two), and without a terminal every value is whole.

use crate::common::{COMMANDS, Fake, assert_code, create, hash_of, stdout, tempdir};
use unicode_width::UnicodeWidthStr;

const LONG_NAME: &str = "a-very-long-key-name-for-the-monthly-budget-of-the-research-team";
const WIDE_NAME: &str = "５０％ discount key for the marketing team";

/// A fake with keys whose names, amounts and states stretch every column.
fn stretched(dir: &std::path::Path) -> Fake {
    let fake = Fake::start();
    create(
        &fake,
        dir,
        LONG_NAME,
        &["--limit", "15", "--expires-in", "30d"],
    );
    create(&fake, dir, WIDE_NAME, &["--limit", "1000000000"]);
    create(&fake, dir, "ci", &["--limit", "2"]);
    create(&fake, dir, "off", &[]);
    assert!(fake.server.add_usage(&hash_of(&fake, LONG_NAME), 123456.78));
    assert!(fake.server.add_usage(&hash_of(&fake, "ci"), 1.9));
    assert_code(&fake.run(dir, &["disable", "--match", "off", "--yes"]), 0);
    fake
}

/// The lines of stdout wider than `columns` terminal columns.
fn too_wide(output: &std::process::Output, columns: usize) -> Vec<String> {
    stdout(output)
        .lines()
        .filter(|line| line.width() > columns)
        .map(str::to_string)
        .collect()
}

#[test]
fn on_80_columns_no_line_is_longer_than_80() {
    let dir = tempdir();
    let fake = stretched(dir.path());
    let long = hash_of(&fake, LONG_NAME);
    let commands: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["list", "--include-disabled", "--include-expired"],
        vec!["list", "--sort", "usage", "--reverse"],
        vec!["list", "--all-workspaces", "--include-disabled"],
        vec!["get", &long],
        vec!["whoami"],
        vec!["report"],
        vec!["report", "--include-disabled"],
    ];
    for args in &commands {
        let output = fake
            .cli(dir.path())
            .env("COLUMNS", "80")
            .args(args)
            .output()
            .unwrap();
        assert_code(&output, 0);
        assert_eq!(
            too_wide(&output, 80),
            Vec::<String>::new(),
            "{args:?}:\n{}",
            stdout(&output)
        );
    }
    let output = fake
        .cli(dir.path())
        .env("COLUMNS", "80")
        .arg("list")
        .output()
        .unwrap();
    let table = stdout(&output);
    assert!(!table.contains(&long), "hashes shortened:\n{table}");
    assert!(table.contains(&format!("{}…", &long[..12])), "{table}");
    assert!(table.contains("a-very-long-key-name-"), "{table}");
    assert!(!table.contains(LONG_NAME), "names cut:\n{table}");
    // Numbers are right-aligned: every amount of a column ends where its header does.
    let header = table.lines().find(|l| l.contains("LIMIT")).unwrap();
    let limit_end = header.find("LIMIT").unwrap() + "LIMIT".len();
    for line in table.lines().skip_while(|l| *l != header).skip(1) {
        let before = &line[..line
            .char_indices()
            .nth(limit_end)
            .map_or(line.len(), |(at, _)| at)];
        assert!(
            !before.ends_with(' '),
            "LIMIT right-aligned: {line:?}\n{table}"
        );
    }
    // `get` keeps the whole hash: it fits beside its name.
    let output = fake
        .cli(dir.path())
        .env("COLUMNS", "80")
        .args(["get", &long])
        .output()
        .unwrap();
    assert!(stdout(&output).contains(&long), "{}", stdout(&output));
}

#[test]
fn without_a_terminal_or_with_wide_every_value_is_whole() {
    let dir = tempdir();
    let fake = stretched(dir.path());
    let long = hash_of(&fake, LONG_NAME);
    let piped = fake
        .cli(dir.path())
        .env_remove("COLUMNS")
        .arg("list")
        .output()
        .unwrap();
    let wide = fake
        .cli(dir.path())
        .env("COLUMNS", "80")
        .args(["list", "--wide"])
        .output()
        .unwrap();
    for output in [&piped, &wide] {
        assert_code(output, 0);
        let table = stdout(output);
        for whole in [long.as_str(), LONG_NAME, WIDE_NAME, "1000000000.00"] {
            assert!(table.contains(whole), "{whole} whole:\n{table}");
        }
    }
    let report = fake
        .cli(dir.path())
        .env_remove("COLUMNS")
        .arg("report")
        .output()
        .unwrap();
    assert!(stdout(&report).contains(&long), "{}", stdout(&report));
}

#[test]
fn a_report_without_usage_says_so_instead_of_listing_spenders() {
    let fake = Fake::start();
    let dir = tempdir();
    create(&fake, dir.path(), "idle", &[]);
    let output = fake.run(dir.path(), &["report"]);
    assert_code(&output, 0);
    let text = stdout(&output);
    assert!(
        text.contains("no usage yet: none of the 2 key(s)"),
        "{text}"
    );
    assert!(!text.contains("top spenders"), "{text}");
    assert!(!text.contains("0.00  month"), "{text}");
}

#[test]
fn on_80_columns_audit_fits_and_its_fixes_paste_as_one_command() {
    let dir = tempdir();
    let fake = stretched(dir.path());
    let long = hash_of(&fake, LONG_NAME);
    let output = fake
        .cli(dir.path())
        .env("COLUMNS", "80")
        .args(["audit", "--include-disabled", "--max-lifetime", "1d"])
        .output()
        .unwrap();
    // Exit 6: there are findings.
    assert_code(&output, 6);
    let table = stdout(&output);
    assert_eq!(too_wide(&output, 80), Vec::<String>::new(), "{table}");
    // The fixes of the long-named key, continuation lines joined as a shell joins them.
    let commands: Vec<String> = table
        .replace(" \\\n", " ")
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(
        commands.contains(&format!("fix: openrouter-keys update {long} --limit USD")),
        "{table}"
    );
    assert!(
        commands.iter().any(|c| c.starts_with(&format!(
            "fix: openrouter-keys rotate {long} --expires-in 1d --secrets-out"
        ))),
        "{table}"
    );
}

/// Every `--help` fits 80 columns when the terminal has 80: clap wraps the options'
/// descriptions, and the hand-written text after them is written within 80.
#[test]
fn every_help_fits_80_columns() {
    let fake = Fake::start();
    let dir = tempdir();
    for command in std::iter::once("").chain(COMMANDS) {
        let mut cli = fake.cli(dir.path());
        cli.env("COLUMNS", "80");
        if !command.is_empty() {
            cli.arg(command);
        }
        let output = cli.arg("--help").output().unwrap();
        assert_code(&output, 0);
        assert_eq!(
            too_wide(&output, 80),
            Vec::<String>::new(),
            "{command} --help"
        );
    }
}
