//! The report as text for a terminal: when and what, totals, keys near their limit, top
//! spenders.

use super::contents::{Report, TOP};
use crate::render::text::{printable, shown_name};
use std::fmt::Write as _;

pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:<14} {}", "generated", report.made_at_text());
    for (name, value) in report.scope.lines() {
        let _ = writeln!(out, "{name:<14} {}", printable(&value));
    }
    out.push('\n');
    for (name, value) in report.totals().lines() {
        let _ = writeln!(out, "{name:<14} {value}");
    }
    let near = report.near_limit();
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
    for k in report.keys.iter().take(TOP) {
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
