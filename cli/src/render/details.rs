//! `name  value` views of one key for humans (`get`, `whoami`): names short enough that a
//! whole hash fits an 80-column terminal beside its name; a longer value (a name) wraps
//! under itself on a terminal, whole.

use super::columns::{TableWidth, display_width};
use super::text::{or_dash, or_never, printable, state_of, usd};
use openrouter_keys::time::OffsetDateTime;
use openrouter_keys::{CurrentKey, Key, Usage};

/// `name  value` lines for one key.
pub fn key_details(k: &Key, width: TableWidth) -> String {
    let mut lines = vec![
        ("hash", k.hash.clone()),
        ("name", or_dash(k.name.as_ref())),
        ("label", or_dash(k.label.as_ref())),
        ("status", state_of(k, OffsetDateTime::now_utc()).to_string()),
        ("limit", in_usd(k.limit)),
        ("remaining", in_usd(k.limit_remaining)),
        ("limit reset", or_never(k.limit_reset.as_ref())),
        ("BYOK in limit", yes_no(k.include_byok_in_limit)),
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
    aligned(&lines, width)
}

/// The current key, for humans.
pub fn current_key_details(k: &CurrentKey, width: TableWidth) -> String {
    let mut lines = vec![
        ("label", or_dash(k.label.as_ref())),
        ("management key", yes_no(k.is_management_key)),
        ("limit", in_usd(k.limit)),
        ("remaining", in_usd(k.limit_remaining)),
        ("limit reset", or_never(k.limit_reset.as_ref())),
        ("usage (USD)", usage_line(&k.usage)),
        ("expires", or_never(k.expires_at.as_ref())),
        ("free tier", yes_no(k.is_free_tier)),
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
    aligned(&lines, width)
}

/// `12.50 USD`, or `-` for none.
fn in_usd(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.2} USD"))
}

/// `yes`, `no`, or `-` when the API did not say.
fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
    .to_string()
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

/// The lines, names in a column; a value wider than a fitted width goes on over as many lines
/// as it needs, under itself (broken after a blank where it has one). An empty name and
/// value make an empty line. Also the report's "when and what" and totals.
pub(super) fn aligned(lines: &[(&str, String)], width: TableWidth) -> String {
    let names = lines.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let room = match width {
        TableWidth::Fitted(total) => total.saturating_sub(names + 2).max(20),
        TableWidth::Unlimited => usize::MAX,
    };
    let mut out = String::new();
    for (name, value) in lines {
        let value = printable(value);
        let mut rest = value.as_ref();
        let mut label = *name;
        loop {
            let (piece, after) = split_at_width(rest, room);
            let line = format!("{label:<names$}  {piece}");
            out.push_str(line.trim_end());
            out.push('\n');
            let after = after.trim_start_matches(' ');
            if after.is_empty() {
                break;
            }
            rest = after;
            label = "";
        }
    }
    out
}

/// `text` split after at most `width` terminal columns: after its last blank within them,
/// else (one long word, a hash) at the width itself; at least one character.
fn split_at_width(text: &str, width: usize) -> (&str, &str) {
    if display_width(text) <= width {
        return (text, "");
    }
    let mut used = 0;
    let mut last_blank = None;
    for (at, c) in text.char_indices() {
        used += display_width(c.encode_utf8(&mut [0; 4]));
        if used > width && at > 0 {
            let cut = if c == ' ' {
                at
            } else {
                last_blank.unwrap_or(at)
            };
            return text.split_at(cut);
        }
        if c == ' ' && at > 0 {
            last_blank = Some(at + 1);
        }
    }
    (text, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_value_goes_on_under_itself() {
        let lines = [
            (
                "limits",
                "1000000017.00 in total over 3 of 4 keys".to_string(),
            ),
            ("hash", "0123456789abcdef0123456789".to_string()),
        ];
        assert_eq!(
            aligned(&lines, TableWidth::Fitted(34)),
            "limits  1000000017.00 in total\n        over 3 of 4 keys\n\
             hash    0123456789abcdef0123456789\n"
        );
        assert_eq!(
            aligned(&lines[1..], TableWidth::Fitted(20)),
            "hash  0123456789abcdef0123\n      456789\n"
        );
    }
}
