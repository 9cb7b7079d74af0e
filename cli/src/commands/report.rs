//! `report`: totals, keys at 80 % of their limit or more, top spenders; as a table, CSV, or
//! one self-contained HTML file (inline CSS and an inline SVG chart: no scripts, fonts or
//! links to fetch).

use crate::cli::{ReportArgs, ReportFormat};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::Exit;
use crate::key_state::{NEAR_LIMIT, is_near_limit, used_share};
use crate::render::{KeyRow, name_of, printable, shown_name, status_of, usd};
use crate::select::{Matcher, matching_keys};
use openrouter_keys::Key;
use std::fmt::Write as _;

/// Keys shown in "top spenders" and in the chart.
const TOP: usize = 10;
const CHART_KEYS: usize = 25;

struct Totals {
    active: usize,
    disabled: usize,
    /// Keys that matched but are not counted.
    left_out: LeftOut,
    /// Keys with a limit, and the sums over them.
    limited: usize,
    limit: f64,
    remaining: f64,
    daily: f64,
    weekly: f64,
    monthly: f64,
    total: f64,
}

/// Keys that matched but are not counted: disabled ones without `--include-disabled`,
/// expired ones without `--include-expired` (an expired key that is also disabled counts as
/// disabled).
#[derive(Clone, Copy, Default)]
struct LeftOut {
    disabled: usize,
    expired: usize,
}

fn totals(keys: &[Key], left_out: LeftOut) -> Totals {
    let mut t = Totals {
        active: 0,
        disabled: 0,
        left_out,
        limited: 0,
        limit: 0.0,
        remaining: 0.0,
        daily: 0.0,
        weekly: 0.0,
        monthly: 0.0,
        total: 0.0,
    };
    for k in keys {
        if k.disabled == Some(true) {
            t.disabled += 1;
        } else {
            t.active += 1;
        }
        if let Some(limit) = k.limit {
            t.limited += 1;
            t.limit += limit;
            // A key past its limit has nothing left, not a negative amount.
            t.remaining += k.limit_remaining.unwrap_or(limit).max(0.0);
        }
        t.daily += k.usage.daily.unwrap_or(0.0);
        t.weekly += k.usage.weekly.unwrap_or(0.0);
        t.monthly += k.usage.monthly.unwrap_or(0.0);
        t.total += k.usage.total.unwrap_or(0.0);
    }
    t
}

impl Totals {
    /// `keys`, `limits` and `usage` lines, the same words in every format.
    fn lines(&self) -> [(&'static str, String); 3] {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut notes = Vec::new();
        if self.left_out.disabled > 0 {
            notes.push(format!(
                "{} disabled key{} left out; --include-disabled counts them",
                self.left_out.disabled,
                plural(self.left_out.disabled)
            ));
        }
        if self.left_out.expired > 0 {
            notes.push(format!(
                "{} expired key{} left out; --include-expired counts them",
                self.left_out.expired,
                plural(self.left_out.expired)
            ));
        }
        let mut keys = if self.left_out.disabled > 0 {
            format!("{} active", self.active)
        } else {
            format!("{} active, {} disabled", self.active, self.disabled)
        };
        if !notes.is_empty() {
            keys.push_str(&format!(" ({})", notes.join("; ")));
        }
        let counted = self.active + self.disabled;
        let limits = if self.limited == 0 {
            "no limits".to_string()
        } else {
            format!(
                "{:.2} in total over {} of {counted} key(s), {:.2} remaining",
                self.limit, self.limited, self.remaining
            )
        };
        let usage = format!(
            "day {:.2}, week {:.2}, month {:.2}, total {:.2}",
            self.daily, self.weekly, self.monthly, self.total
        );
        [
            ("keys", keys),
            ("limits (USD)", limits),
            ("usage (USD)", usage),
        ]
    }
}

pub async fn run(ctx: &Context, args: &ReportArgs) -> CliResult<Exit> {
    let matcher = Matcher::new(&args.patterns)?;
    // Disabled and expired keys are always listed, so that the totals can say how many were
    // left out.
    let mut filters = args.filters.clone();
    filters.include_disabled = true;
    filters.include_expired = true;
    let mut keys = matching_keys(ctx, &filters, args.all_workspaces, &matcher).await?;
    let now = openrouter_keys::time::OffsetDateTime::now_utc();
    let mut left_out = LeftOut::default();
    keys.retain(|k| {
        if k.disabled == Some(true) {
            if args.filters.include_disabled {
                return true;
            }
            left_out.disabled += 1;
            return false;
        }
        let expired = k
            .expires_at
            .as_ref()
            .and_then(|t| t.datetime())
            .is_some_and(|at| at <= now);
        if expired && !args.filters.include_expired {
            left_out.expired += 1;
            return false;
        }
        true
    });
    keys.sort_by(|a, b| {
        b.usage
            .total
            .unwrap_or(0.0)
            .total_cmp(&a.usage.total.unwrap_or(0.0))
    });
    let text = match args.format {
        ReportFormat::Table => table(&keys, left_out),
        ReportFormat::Csv => csv_report(&keys)?,
        ReportFormat::Html => html(&keys, left_out),
    };
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| CliError::io("cannot write the report", path, &e))?,
        None => ctx.print.data(text)?,
    }
    Ok(Exit::Success)
}

fn near_limit(keys: &[Key]) -> Vec<(&Key, f64)> {
    let mut near: Vec<(&Key, f64)> = keys
        .iter()
        .filter_map(|k| used_share(k).map(|s| (k, s)))
        .filter(|(_, s)| *s >= NEAR_LIMIT)
        .collect();
    near.sort_by(|a, b| b.1.total_cmp(&a.1));
    near
}

fn table(keys: &[Key], left_out: LeftOut) -> String {
    let mut out = String::new();
    for (name, value) in totals(keys, left_out).lines() {
        let _ = writeln!(out, "{name:<14} {value}");
    }
    let near = near_limit(keys);
    let _ = writeln!(out, "\nat >= 80% of their limit: {}", near.len());
    for (k, share) in &near {
        let _ = writeln!(
            out,
            "  {:>5.1}%  {}  {}",
            share * 100.0,
            printable(&k.hash),
            shown_name(k)
        );
    }
    let _ = writeln!(out, "\ntop spenders (total USD):");
    for k in keys.iter().take(TOP) {
        let _ = writeln!(
            out,
            "  {:>10.2}  month {:>8.2}  {}  {}",
            k.usage.total.unwrap_or(0.0),
            k.usage.monthly.unwrap_or(0.0),
            printable(&k.hash),
            shown_name(k)
        );
    }
    out
}

fn csv_report(keys: &[Key]) -> CliResult<String> {
    // A value the API did not send is empty, as in `list --format csv`.
    let amount = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_default();
    let mut writer = csv::Writer::from_writer(Vec::new());
    for k in keys {
        // `flatten` is not supported by the csv crate's serializer: write the row by hand.
        let row = KeyRow::from(k);
        let share = used_share(k)
            .map(|s| format!("{:.1}", s * 100.0))
            .unwrap_or_default();
        writer
            .write_record([
                row.hash.as_str(),
                name_of(k),
                status_of(row.disabled),
                &amount(row.limit),
                &amount(row.limit_remaining),
                &share,
                &amount(row.usage_daily),
                &amount(row.usage_weekly),
                &amount(row.usage_monthly),
                &amount(row.usage),
            ])
            .map_err(|e| CliError::failure(format!("cannot write CSV: {e}")))?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| CliError::failure(format!("cannot write CSV: {e}")))?;
    let header = "hash,name,status,limit,limit_remaining,limit_used_percent,usage_daily,usage_weekly,usage_monthly,usage\n";
    Ok(format!("{header}{}", String::from_utf8_lossy(&body)))
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A horizontal bar chart of total usage per key (the top spenders), as inline SVG.
fn chart(keys: &[Key]) -> String {
    let shown: Vec<&Key> = keys.iter().take(CHART_KEYS).collect();
    let max = shown
        .iter()
        .map(|k| k.usage.total.unwrap_or(0.0))
        .fold(0.0_f64, f64::max)
        .max(0.01);
    let (bar_h, gap, label_w, bar_w) = (18, 6, 220, 460);
    let height = shown.len() * (bar_h + gap) + gap;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"usage per key\">",
        label_w + bar_w + 90
    );
    for (i, k) in shown.iter().enumerate() {
        let y = gap + i * (bar_h + gap);
        let w = ((k.usage.total.unwrap_or(0.0) / max) * bar_w as f64)
            .round()
            .max(1.0);
        let name: String = name_of(k).chars().take(30).collect();
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"{bar_h}\" fill=\"{}\"><title>{}: {:.2} USD</title></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{:.2}</text>",
            label_w - 6,
            y + 13,
            escape(&name),
            if is_near_limit(k) {
                "#c0392b"
            } else {
                "#2e86de"
            },
            escape(name_of(k)),
            k.usage.total.unwrap_or(0.0),
            label_w as f64 + w + 6.0,
            y + 13,
            k.usage.total.unwrap_or(0.0)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn html(keys: &[Key], left_out: LeftOut) -> String {
    let totals: String = totals(keys, left_out)
        .lines()
        .iter()
        .map(|(name, value)| format!("<tr><th>{name}</th><td>{}</td></tr>\n", escape(value)))
        .collect();
    let mut rows = String::new();
    for k in keys {
        let share = used_share(k);
        let low = k.limit_remaining.is_some_and(|r| r < 1.0);
        let _ = writeln!(
            rows,
            "<tr{}><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td{}>{}</td><td>{}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td></tr>",
            if share.is_some_and(|s| s >= NEAR_LIMIT) {
                " class=\"near\""
            } else {
                ""
            },
            escape(&k.hash),
            escape(name_of(k)),
            if k.disabled == Some(true) {
                "disabled"
            } else {
                "active"
            },
            usd(k.limit),
            if low { " class=\"low\"" } else { "" },
            usd(k.limit_remaining),
            share
                .map(|s| format!("{:.1}%", s * 100.0))
                .unwrap_or_else(|| "-".into()),
            k.usage.daily.unwrap_or(0.0),
            k.usage.weekly.unwrap_or(0.0),
            k.usage.monthly.unwrap_or(0.0),
            k.usage.total.unwrap_or(0.0)
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>OpenRouter key usage</title>\n<style>\n\
body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;font-size:13px}}\n\
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}td:nth-child(2),th:nth-child(2){{text-align:left}}\n\
tr.near{{background:#fdecea}}td.low{{color:#c0392b;font-weight:bold}}.totals td{{text-align:left}}\n\
</style></head><body>\n<h1>OpenRouter key usage</h1>\n<table class=\"totals\">\n\
{}<tr><th>at &ge; 80% of limit</th><td>{}</td></tr>\n</table>\n<h2>Usage per key (top {})</h2>\n{}\n\
<h2>All keys, by usage</h2>\n<table>\n<tr><th>hash</th><th>name</th><th>status</th><th>limit</th><th>remaining</th><th>used</th><th>day</th><th>week</th><th>month</th><th>total</th></tr>\n{}</table>\n</body></html>\n",
        totals,
        near_limit(keys).len(),
        CHART_KEYS,
        chart(keys),
        rows
    )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
    }
}
