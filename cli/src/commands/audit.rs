//! `audit`: every matching key checked against the rules of `audit.rs`, read-only. Findings go
//! to stdout (table, JSON or CSV); the exit code says whether there were any (6) or none (0),
//! so that a CI job can gate on it.
//!
//! Disabled and expired keys are not audited unless asked (`--include-disabled`,
//! `--include-expired`): a disabled key cannot spend, an expired one no longer works. They are
//! counted and said, never dropped silently. Which guardrail each key holds is read once for
//! the whole account (`GET /guardrails/assignments/keys`), not once per key.

use crate::audit::{Policy, Rule, findings};
use crate::cli::{AuditArgs, AuditFormat};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::Exit;
use crate::guardrails::assignments_of;
use crate::render::columns::wrapped;
use crate::render::{TableWidth, audit_summary, findings_csv, findings_json, findings_table};
use crate::select::{Matcher, filtered_keys};
use openrouter_keys::time::{Duration, OffsetDateTime};
use std::collections::HashSet;

pub async fn run(ctx: &Context, args: &AuditArgs) -> CliResult<Exit> {
    let matcher = Matcher::new(&args.patterns)?;
    let policy = policy_of(args)?;
    // The keys the filters leave out are counted: the summary says how many.
    let (keys, left_out) = filtered_keys(ctx, &args.filters, args.all_workspaces, &matcher).await?;
    let now = OffsetDateTime::now_utc();
    let guarded = if policy.checks(Rule::NoGuardrail) {
        let hashes: HashSet<&str> = keys.iter().map(|key| key.hash.as_str()).collect();
        let held = assignments_of(ctx, &hashes).await.map_err(|e| {
            e.hint("--skip no-guardrail audits without reading guardrail assignments")
        })?;
        Some(held)
    } else {
        None
    };
    let found: Vec<_> = keys
        .iter()
        .flat_map(|key| {
            let holds = guarded.as_ref().map(|held| held.contains_key(&key.hash));
            findings(key, holds, &policy, now)
        })
        .collect();
    let summary = audit_summary(&found, keys.len(), left_out, &policy.skipped);
    match args.format {
        AuditFormat::Table => {
            let width = ctx.print.table_width();
            let mut text = findings_table(&found, width);
            if !found.is_empty() {
                text.push('\n');
            }
            match width {
                TableWidth::Fitted(columns) => {
                    text.push_str(&wrapped(&summary, columns, "", "  ", ""));
                }
                TableWidth::Unlimited => text.push_str(&summary),
            }
            text.push('\n');
            ctx.print.data(text)?;
        }
        AuditFormat::Json => {
            ctx.print.data(findings_json(&found)?)?;
            ctx.print.note(summary);
        }
        AuditFormat::Csv => {
            ctx.print.data(findings_csv(&found)?)?;
            ctx.print.note(summary);
        }
    }
    Ok(Exit::of_audit(found.len()))
}

/// The thresholds of the flags, as lengths of time.
fn policy_of(args: &AuditArgs) -> CliResult<Policy> {
    let length = |flag: &str, value: std::time::Duration| {
        Duration::try_from(value)
            .map_err(|_| CliError::usage(format!("{flag}: {value:?} is too long")))
    };
    // A key cannot live for no time: a replacement of a zero lifetime is dead on arrival.
    if args.max_lifetime.is_some_and(|max| max.is_zero()) {
        return Err(CliError::usage(
            "--max-lifetime must be longer than zero (the longest a key may live, e.g. 90d)",
        ));
    }
    let mut skipped: Vec<Rule> = Vec::new();
    for rule in &args.skip {
        if !skipped.contains(rule) {
            skipped.push(*rule);
        }
    }
    Ok(Policy {
        expiring_within: length("--expiring-within", args.expiring_within)?,
        max_lifetime: args
            .max_lifetime
            .map(|max| length("--max-lifetime", max))
            .transpose()?,
        idle: Duration::days(i64::from(args.idle_days)),
        skipped,
    })
}
