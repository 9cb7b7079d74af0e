//! The report as CSV: one row per key, for spreadsheets (text cells neutralised; see
//! `render/spreadsheet.rs`). Columns are only ever added, at the end.

use super::contents::{GuardrailOf, Report};
use crate::error::{CliError, CliResult};
use crate::key_state::used_share;
use crate::render::rows::{KeyRow, csv_amount};
use crate::render::spreadsheet::neutralised;
use crate::render::text::{name_of, status_of};

const HEADER: [&str; 14] = [
    "hash",
    "name",
    "status",
    "limit",
    "limit_remaining",
    "limit_used_percent",
    "usage_daily",
    "usage_weekly",
    "usage_monthly",
    "usage",
    "expires_at",
    "workspace_id",
    "guardrail_id",
    "guardrail_name",
];

pub fn csv(report: &Report) -> CliResult<String> {
    let fail = |e: ::csv::Error| CliError::failure(format!("cannot write CSV: {e}"));
    // Amounts exact, as `list --format csv` writes them; empty when the API sent none.
    let amount = |v: Option<f64>| v.map(csv_amount).unwrap_or_default();
    let text = |v: &Option<String>| neutralised(v.as_deref().unwrap_or("")).into_owned();
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER).map_err(fail)?;
    for k in report.keys {
        let row = KeyRow::from(k);
        // Empty for no guardrail, `?` when the assignments could not be read.
        let (guardrail_id, guardrail_name) = match report.guardrail_of(k) {
            GuardrailOf::Held(held) => (
                neutralised(&held.id).into_owned(),
                text(&held.guardrail.as_ref().and_then(|g| g.name.clone())),
            ),
            GuardrailOf::None => (String::new(), String::new()),
            GuardrailOf::Unknown => ("?".to_string(), "?".to_string()),
        };
        let share = used_share(k)
            .map(|s| format!("{:.1}", s * 100.0))
            .unwrap_or_default();
        writer
            .write_record([
                row.hash.as_str(),
                &neutralised(name_of(k)),
                status_of(row.disabled),
                &amount(row.limit),
                &amount(row.limit_remaining),
                &share,
                &amount(row.usage_daily),
                &amount(row.usage_weekly),
                &amount(row.usage_monthly),
                &amount(row.usage),
                &text(&row.expires_at),
                &text(&row.workspace_id),
                &guardrail_id,
                &guardrail_name,
            ])
            .map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| CliError::failure(format!("cannot write CSV: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
