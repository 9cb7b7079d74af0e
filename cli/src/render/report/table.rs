//! The report as text for a terminal: when and what, totals, keys near their limit, top
//! spenders; the key lines laid out like `list`'s table (fitted to the terminal, hashes
//! shortened, names cut; whole when written to a file or a pipe).

use super::contents::{Report, TOP};
use crate::render::columns::{Column, Layout, SHORT_HASH, ShortHashes, TableWidth, amount};
use crate::render::details::aligned;
use crate::render::text::shown_name;
use std::borrow::Cow;
use std::fmt::Write as _;

pub fn table(report: &Report, width: TableWidth) -> String {
    let mut about = vec![("generated", report.made_at_text())];
    about.extend(report.scope.lines());
    about.push(("", String::new()));
    about.extend(report.totals().lines());
    let mut out = aligned(&about, width);
    let hash_width = match width {
        TableWidth::Fitted(_) => SHORT_HASH + 1,
        TableWidth::Unlimited => 64,
    };
    let mut hashes = ShortHashes::default();
    let near = report.near_limit();
    let _ = writeln!(out, "\nat >= 80% of their limit: {}", near.len());
    if !near.is_empty() {
        let layout = Layout::new(
            vec![
                Column::right("USED", "100.0%".len()),
                Column::left("HASH", hash_width),
            ],
            "NAME",
            width,
        );
        let _ = writeln!(out, "{}", layout.header());
        for (k, share) in &near {
            let cells = [
                Cow::Owned(format!("{:.1}%", share * 100.0)),
                hashes.show(&k.hash, width),
            ];
            let _ = writeln!(out, "{}", layout.line(&cells, &shown_name(k)));
        }
    }
    let spenders = report.spenders();
    if spenders.is_empty() {
        let _ = writeln!(out, "\n{}", report.no_usage_text());
        return out;
    }
    let _ = writeln!(out, "\ntop spenders (USD):");
    let layout = Layout::new(
        vec![
            Column::right("TOTAL", 10),
            Column::right("MONTH", 8),
            Column::left("HASH", hash_width),
        ],
        "NAME",
        width,
    );
    let _ = writeln!(out, "{}", layout.header());
    let money = |value: Option<f64>, width_of: usize| match width {
        TableWidth::Fitted(_) => amount(Some(value.unwrap_or(0.0)), width_of),
        TableWidth::Unlimited => format!("{:.2}", value.unwrap_or(0.0)),
    };
    for k in spenders.into_iter().take(TOP) {
        let cells = [
            Cow::Owned(money(k.usage.total, 10)),
            Cow::Owned(money(k.usage.monthly, 8)),
            hashes.show(&k.hash, width),
        ];
        let _ = writeln!(out, "{}", layout.line(&cells, &shown_name(k)));
    }
    out
}
