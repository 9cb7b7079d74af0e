//! `report`: totals, keys at 80 % of their limit or more, top spenders; as a table, CSV, or
//! one self-contained HTML page (`render/report/`). Here: which keys it covers, and where
//! it goes.

use crate::cli::{ReportArgs, ReportFormat};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::Exit;
use crate::guardrails;
use crate::render::TableWidth;
use crate::render::report::{self, Guardrails, Report, Scope};
use crate::select::{Matcher, filtered_keys};
use openrouter_keys::time::OffsetDateTime;
use std::collections::HashSet;

pub async fn run(ctx: &Context, args: &ReportArgs) -> CliResult<Exit> {
    let matcher = Matcher::new(&args.patterns)?;
    // The keys the filters leave out are counted: the totals say how many.
    let (mut keys, left_out) =
        filtered_keys(ctx, &args.filters, args.all_workspaces, &matcher).await?;
    let made_at = OffsetDateTime::now_utc();
    keys.sort_by(|a, b| {
        b.usage
            .total
            .unwrap_or(0.0)
            .total_cmp(&a.usage.total.unwrap_or(0.0))
    });
    let hashes: HashSet<&str> = keys.iter().map(|k| k.hash.as_str()).collect();
    // The keys carry their workspace's id; `--workspace` may have named it by its slug,
    // which the guardrails' listing is not documented to take.
    let workspace = args
        .filters
        .workspace
        .as_ref()
        .and(keys.first())
        .and_then(|key| key.workspace_id.as_deref());
    let held = guardrails::held_by(ctx, &hashes, workspace).await;
    let guardrails = match &held {
        Ok(held) => Guardrails::Read(held),
        Err(error) => {
            // The usage is the report's point: it is made without the guardrails, saying so.
            ctx.print.line(format_args!(
                "warning: {error}\n  the report's guardrail column shows `?` (unknown)"
            ));
            Guardrails::Unread(error.what().to_string())
        }
    };
    let report = Report {
        keys: &keys,
        left_out,
        scope: Scope {
            api: api_host(ctx.client()?.base_url()),
            workspace: args.filters.workspace.clone(),
            every_workspace: args.all_workspaces,
            patterns: args.patterns.clone(),
            include_disabled: args.filters.include_disabled,
            include_expired: args.filters.include_expired,
        },
        made_at,
        guardrails,
    };
    let text = match args.format {
        ReportFormat::Table => {
            let width = match args.out {
                Some(_) => TableWidth::Unlimited,
                None => ctx.print.table_width(),
            };
            report::table(&report, width)
        }
        ReportFormat::Csv => report::csv(&report)?,
        ReportFormat::Html => report::html(&report),
    };
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| CliError::io("cannot write the report", path, &e))?,
        None => ctx.print.data(text)?,
    }
    Ok(Exit::Success)
}

/// The API a report is about, for people: the base URL's host (with its port when it has
/// one), or the whole base URL when it has no host.
fn api_host(base_url: &str) -> String {
    let url = openrouter_keys::reqwest::Url::parse(base_url).ok();
    match url.as_ref().and_then(|u| Some((u.host_str()?, u.port()))) {
        Some((host, Some(port))) => format!("{host}:{port}"),
        Some((host, None)) => host.to_string(),
        None => base_url.to_string(),
    }
}
