//! `name: value` views of one key for humans (`get`, `whoami`).

use super::text::{or_dash, or_never, printable, status_of, usd};
use openrouter_keys::{CurrentKey, Key, Usage};

/// `name: value` lines for one key.
pub fn key_details(k: &Key) -> String {
    let mut lines = vec![
        ("hash", k.hash.clone()),
        ("name", or_dash(k.name.as_ref())),
        ("label", or_dash(k.label.as_ref())),
        ("status", status_of(k.disabled).to_string()),
        ("limit (USD)", usd(k.limit)),
        ("remaining (USD)", usd(k.limit_remaining)),
        ("limit reset", or_never(k.limit_reset.as_ref())),
        ("BYOK in limit", or_dash(k.include_byok_in_limit)),
        ("usage (USD)", usage_line(&k.usage)),
        ("created", or_dash(k.created_at.as_ref())),
        ("expires", or_never(k.expires_at.as_ref())),
        ("workspace", or_dash(k.workspace_id.as_ref())),
    ];
    if let Some(t) = &k.updated_at {
        lines.push(("updated", t.to_string()));
    }
    if let Some(t) = &k.last_used_at {
        lines.push(("last used", t.to_string()));
    }
    aligned(&lines)
}

/// The current key, for humans.
pub fn current_key_details(k: &CurrentKey) -> String {
    let mut lines = vec![
        ("label", or_dash(k.label.as_ref())),
        ("management key", or_dash(k.is_management_key)),
        ("limit (USD)", usd(k.limit)),
        ("remaining (USD)", usd(k.limit_remaining)),
        ("limit reset", or_never(k.limit_reset.as_ref())),
        ("usage (USD)", usage_line(&k.usage)),
        ("expires", or_never(k.expires_at.as_ref())),
        ("free tier", or_dash(k.is_free_tier)),
    ];
    if let Some(w) = &k.workspace_id {
        lines.push(("workspace", w.clone()));
    }
    if let Some(regions) = &k.allowed_data_regions {
        let regions: Vec<&str> = regions.iter().map(|r| r.as_str()).collect();
        let shown = if regions.is_empty() {
            "none permitted".to_string()
        } else {
            regions.join(", ")
        };
        lines.push(("data regions", shown));
    }
    for budget in k.budgets.iter().flatten() {
        lines.push((
            "budget",
            format!(
                "{}: {} of {} USD spent, {} left{}",
                or_dash(budget.scope.as_ref()),
                usd(budget.spend_usd),
                usd(budget.limit_usd),
                usd(budget.remaining_usd),
                budget
                    .reset_interval
                    .as_ref()
                    .map(|r| format!(", resets {r}"))
                    .unwrap_or_default()
            ),
        ));
    }
    aligned(&lines)
}

/// `day 0.10, week 0.50, month 2.00, total 9.00` (`-` for a period the API did not send).
fn usage_line(usage: &Usage) -> String {
    format!(
        "day {}, week {}, month {}, total {}",
        usd(usage.daily),
        usd(usage.weekly),
        usd(usage.monthly),
        usd(usage.total)
    )
}

fn aligned(lines: &[(&str, String)]) -> String {
    let width = lines.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    lines
        .iter()
        .map(|(name, value)| format!("{name:<width$}  {}\n", printable(value)))
        .collect()
}
