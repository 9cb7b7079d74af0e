//! `audit`'s findings: a table for people (grouped by key, each finding with its fix), JSON
//! for programs (an array of the fields of [`Finding`], in that order), CSV for spreadsheets
//! (`rule,hash,name,workspace_id,detail,fix`, text cells neutralised: `spreadsheet.rs`); and
//! the summary line.

use super::columns::{ShortHashes, TableWidth, cut, wrapped};
use super::rows::pretty_json;
use super::spreadsheet::neutralised;
use super::text::printable;
use crate::audit::{Finding, Rule};
use crate::error::{CliError, CliResult};
use crate::select::LeftOut;
use std::fmt::Write as _;

/// Width of the rule column: the longest rule name (`over-max-lifetime`) and two blanks.
const RULE_WIDTH: usize = 19;

/// The CSV header, in the order of [`Finding`]'s fields.
const CSV_HEADER: [&str; 6] = ["rule", "hash", "name", "workspace_id", "detail", "fix"];

/// Findings for people: for each key with any, a line with its hash, name and workspace, then
/// one line per finding (rule and detail) and its fix below. Text from the API is made
/// printable. In a fitted `width` (a terminal) the key's line shows a short hash and is cut,
/// a detail goes on under itself, and a fix starts further left, broken at blanks (a command
/// with ` \` at each break, so that it still pastes as one; the whole hash is in it).
pub fn findings_table(findings: &[Finding], width: TableWidth) -> String {
    let mut out = String::new();
    let mut last_hash: Option<&str> = None;
    let mut hashes = ShortHashes::default();
    for finding in findings {
        if last_hash != Some(finding.hash.as_str()) {
            if last_hash.is_some() {
                out.push('\n');
            }
            let mut line = format!(
                "{}  {}",
                hashes.show(&finding.hash, width),
                printable(finding.name.as_deref().unwrap_or(""))
            );
            if let Some(workspace) = &finding.workspace_id {
                let _ = write!(line, "  (workspace {})", printable(workspace));
            }
            match width {
                TableWidth::Fitted(columns) => out.push_str(&cut(&line, columns)),
                TableWidth::Unlimited => out.push_str(&line),
            }
            out.push('\n');
            last_hash = Some(&finding.hash);
        }
        let (rule, detail, fix) = (
            finding.rule.name(),
            printable(&finding.detail),
            printable(&finding.fix),
        );
        match width {
            TableWidth::Fitted(columns) => {
                let under = " ".repeat(2 + RULE_WIDTH);
                let joint = if fix.starts_with("openrouter-keys ") {
                    " \\"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "{}\n{}",
                    wrapped(
                        &detail,
                        columns,
                        &format!("  {rule:<RULE_WIDTH$}"),
                        &under,
                        ""
                    ),
                    wrapped(&fix, columns, "    fix: ", "      ", joint)
                );
            }
            TableWidth::Unlimited => {
                let _ = writeln!(
                    out,
                    "  {rule:<RULE_WIDTH$}{detail}\n  {:<RULE_WIDTH$}fix: {fix}",
                    ""
                );
            }
        }
    }
    out
}

/// Findings as one JSON array, indented, with a final line end.
pub fn findings_json(findings: &[Finding]) -> CliResult<String> {
    pretty_json(&findings)
}

/// Findings as CSV with a header line (a header alone when there are none).
pub fn findings_csv(findings: &[Finding]) -> CliResult<String> {
    let failed = |e: csv::Error| CliError::failure(format!("cannot write CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER).map_err(failed)?;
    for f in findings {
        // Text cells neutralised for spreadsheets; the rule (ours) and the hash (read back
        // byte for byte) as they are, as in every CSV of the CLI.
        writer
            .write_record([
                f.rule.name(),
                &f.hash,
                &neutralised(f.name.as_deref().unwrap_or("")),
                &neutralised(f.workspace_id.as_deref().unwrap_or("")),
                &neutralised(&f.detail),
                &neutralised(&f.fix),
            ])
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| CliError::failure(format!("cannot write CSV: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// What was audited and found: `audit: 3 finding(s) on 2 of 5 key(s) audited; not audited:
/// 1 disabled (--include-disabled audits them); rules skipped: no-guardrail`.
pub fn audit_summary(
    findings: &[Finding],
    audited: usize,
    left_out: LeftOut,
    skipped: &[Rule],
) -> String {
    let mut keys: Vec<&str> = findings.iter().map(|f| f.hash.as_str()).collect();
    keys.dedup();
    let mut summary = if findings.is_empty() {
        format!("audit: no findings on {audited} key(s) audited")
    } else {
        format!(
            "audit: {} finding(s) on {} of {audited} key(s) audited",
            findings.len(),
            keys.len()
        )
    };
    if left_out.total() > 0 {
        let _ = write!(summary, "; not audited: {}", left_out.describe("audits"));
    }
    if !skipped.is_empty() {
        let names: Vec<&str> = skipped.iter().map(|rule| rule.name()).collect();
        let _ = write!(summary, "; rules skipped: {}", names.join(", "));
    }
    summary
}
