//! How keys are written: the stable JSON/CSV field set, the fixed-width table, and the
//! streaming list writers. One place, so every command prints keys the same way.
//!
//! The JSON, NDJSON and CSV fields are the API's own field names (`usage` split into
//! `usage`, `usage_daily`, ...), in a fixed order; adding a field is the only change they get.

use crate::cli::ListFormat;
use crate::exit::{CliError, CliResult};
use openrouter_keys::{CurrentKey, Key, Usage};
use serde::Serialize;
use std::borrow::Cow;
use std::io::Write;

/// A key as the CLI prints it in JSON, NDJSON and CSV. A field the API did not send is
/// `null` (empty in CSV): the SDK reads tolerantly and so does the CLI.
#[derive(Debug, Clone, Serialize)]
pub struct KeyRow {
    pub hash: String,
    pub name: Option<String>,
    pub label: Option<String>,
    pub disabled: Option<bool>,
    pub limit: Option<f64>,
    pub limit_remaining: Option<f64>,
    pub limit_reset: Option<String>,
    pub include_byok_in_limit: Option<bool>,
    pub usage: Option<f64>,
    pub usage_daily: Option<f64>,
    pub usage_weekly: Option<f64>,
    pub usage_monthly: Option<f64>,
    pub byok_usage: Option<f64>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub expires_at: Option<String>,
    pub workspace_id: Option<String>,
    pub creator_user_id: Option<String>,
    pub external_user: Option<String>,
    pub last_used_at: Option<String>,
}

impl From<&Key> for KeyRow {
    fn from(k: &Key) -> Self {
        let text = |t: &Option<openrouter_keys::Timestamp>| t.as_ref().map(|t| t.to_string());
        Self {
            hash: k.hash.clone(),
            name: k.name.clone(),
            label: k.label.clone(),
            disabled: k.disabled,
            limit: k.limit,
            limit_remaining: k.limit_remaining,
            limit_reset: k.limit_reset.as_ref().map(|r| r.as_str().to_string()),
            include_byok_in_limit: k.include_byok_in_limit,
            usage: k.usage.total,
            usage_daily: k.usage.daily,
            usage_weekly: k.usage.weekly,
            usage_monthly: k.usage.monthly,
            byok_usage: k.byok_usage.total,
            created_at: text(&k.created_at),
            updated_at: text(&k.updated_at),
            expires_at: text(&k.expires_at),
            workspace_id: k.workspace_id.clone(),
            creator_user_id: k.creator_user_id.clone(),
            external_user: k.external_user.clone(),
            last_used_at: text(&k.last_used_at),
        }
    }
}

/// The key's name, or empty when the API did not send one.
pub fn name_of(k: &Key) -> &str {
    k.name.as_deref().unwrap_or("")
}

/// Text from the API (a name, a label) made safe for a terminal: control characters (an
/// escape sequence, a line break that would split a table row) and the bidirectional
/// controls that reorder what a terminal shows are written as escapes (`\u{1b}`, `\n`).
/// Anyone who can name a key can put them there; machine formats (JSON, CSV) keep the text
/// as it is, quoted by their own rules.
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if unsafe_char(c) {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// The key's name for humans: `printable`, empty when the API did not send one.
pub fn shown_name(k: &Key) -> Cow<'_, str> {
    printable(name_of(k))
}

/// `disabled`, `active`, or `?` when the API did not say.
pub fn status_of(disabled: Option<bool>) -> &'static str {
    match disabled {
        Some(true) => "disabled",
        Some(false) => "active",
        None => "?",
    }
}

/// A value for humans, or `-` when the API did not send it.
fn or_dash(value: Option<impl std::fmt::Display>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// A write to stdout failed; a closed pipe (`| head`) ends the command quietly.
pub fn write_error(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        CliError {
            exit: crate::exit::Exit::Success,
            message: String::new(),
        }
    } else {
        CliError::failure(format!("cannot write the output: {e}"))
    }
}

/// `12.50`, or `-` for none.
pub fn usd(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.2}"))
}

/// Cuts `text` to `width` characters, marking the cut with `…`.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

const TABLE_HEADER: &str = "HASH                                                              NAME                            STATUS    LIMIT      REMAINING  USAGE/MO   CREATED";

/// One table line. Column widths are fixed so that a list can be printed as it streams in.
fn table_line(k: &Key) -> String {
    format!(
        "{:<65} {:<31} {:<9} {:<10} {:<10} {:<10} {}",
        printable(&k.hash),
        fit(&shown_name(k), 31),
        status_of(k.disabled),
        usd(k.limit),
        usd(k.limit_remaining),
        usd(k.usage.monthly),
        or_dash(k.created_at.as_ref())
    )
}

/// Writes keys one at a time in the chosen format: header first, closing bracket last.
pub struct ListWriter<W: Write> {
    format: ListFormat,
    sink: Sink<W>,
    count: usize,
}

enum Sink<W: Write> {
    Plain(W),
    Csv(Box<csv::Writer<W>>),
}

impl<W: Write> ListWriter<W> {
    pub fn new(format: ListFormat, out: W) -> Self {
        let sink = match format {
            ListFormat::Csv => Sink::Csv(Box::new(csv::Writer::from_writer(out))),
            _ => Sink::Plain(out),
        };
        Self {
            format,
            sink,
            count: 0,
        }
    }

    pub fn write(&mut self, key: &Key) -> CliResult<()> {
        let first = self.count == 0;
        self.count += 1;
        let out = match &mut self.sink {
            Sink::Csv(csv) => return csv.serialize(KeyRow::from(key)).map_err(csv_error),
            Sink::Plain(out) => out,
        };
        let result = match self.format {
            ListFormat::Table => {
                if first {
                    writeln!(out, "{TABLE_HEADER}").map_err(write_error)?;
                }
                writeln!(out, "{}", table_line(key))
            }
            ListFormat::Json => {
                let json = serde_json::to_string_pretty(&KeyRow::from(key)).map_err(json_error)?;
                let json = json.replace('\n', "\n  ");
                write!(out, "{}  {json}", if first { "[\n" } else { ",\n" })
            }
            ListFormat::Ndjson | ListFormat::Csv => {
                let json = serde_json::to_string(&KeyRow::from(key)).map_err(json_error)?;
                writeln!(out, "{json}")
            }
        };
        result.map_err(write_error)
    }

    /// Closes the document (`]` for JSON, the CSV header when no key was written).
    pub fn finish(self) -> CliResult<usize> {
        match self.sink {
            Sink::Csv(mut csv) => {
                if self.count == 0 {
                    csv.write_record(CSV_FIELDS).map_err(csv_error)?;
                }
                csv.flush().map_err(write_error)?;
            }
            Sink::Plain(mut out) => {
                let result = match self.format {
                    ListFormat::Json if self.count == 0 => writeln!(out, "[]"),
                    ListFormat::Json => writeln!(out, "\n]"),
                    _ => Ok(()),
                };
                result.map_err(write_error)?;
                out.flush().map_err(write_error)?;
            }
        }
        Ok(self.count)
    }
}

/// The CSV header, for an empty list (serde writes it with the first row otherwise).
const CSV_FIELDS: [&str; 20] = [
    "hash",
    "name",
    "label",
    "disabled",
    "limit",
    "limit_remaining",
    "limit_reset",
    "include_byok_in_limit",
    "usage",
    "usage_daily",
    "usage_weekly",
    "usage_monthly",
    "byok_usage",
    "created_at",
    "updated_at",
    "expires_at",
    "workspace_id",
    "creator_user_id",
    "external_user",
    "last_used_at",
];

pub fn json_error(e: serde_json::Error) -> CliError {
    CliError::failure(format!("cannot write JSON: {e}"))
}

pub fn csv_error(e: csv::Error) -> CliError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => write_error(io),
        other => CliError::failure(format!("cannot write CSV: {other:?}")),
    }
}

/// `name: value` lines for one key, for humans.
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

/// The value, or `never` (for resets and expiries).
fn or_never(value: Option<&impl std::fmt::Display>) -> String {
    value.map_or_else(|| "never".to_string(), |v| v.to_string())
}

fn aligned(lines: &[(&str, String)]) -> String {
    let width = lines.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    lines
        .iter()
        .map(|(name, value)| format!("{name:<width$}  {}\n", printable(value)))
        .collect()
}

/// The current key as `whoami --format json` prints it: stable field names in this fixed
/// order (a struct, since `serde_json::Value` objects come out sorted), `null` for what the
/// API did not send.
#[derive(Debug, Serialize)]
pub struct CurrentKeyRow<'a> {
    label: Option<&'a str>,
    is_management_key: Option<bool>,
    limit: Option<f64>,
    limit_remaining: Option<f64>,
    limit_reset: Option<&'a str>,
    include_byok_in_limit: Option<bool>,
    usage: Option<f64>,
    usage_daily: Option<f64>,
    usage_weekly: Option<f64>,
    usage_monthly: Option<f64>,
    is_free_tier: Option<bool>,
    expires_at: Option<&'a str>,
    workspace_id: Option<&'a str>,
    organization_id: Option<&'a str>,
    allowed_data_regions: Option<Vec<&'a str>>,
    budgets: Option<Vec<BudgetRow<'a>>>,
}

/// One budget layer of [`CurrentKeyRow`].
#[derive(Debug, Serialize)]
pub struct BudgetRow<'a> {
    scope: Option<&'a str>,
    limit_usd: Option<f64>,
    spend_usd: Option<f64>,
    remaining_usd: Option<f64>,
    reset_interval: Option<&'a str>,
}

impl<'a> From<&'a CurrentKey> for CurrentKeyRow<'a> {
    fn from(k: &'a CurrentKey) -> Self {
        Self {
            label: k.label.as_deref(),
            is_management_key: k.is_management_key,
            limit: k.limit,
            limit_remaining: k.limit_remaining,
            limit_reset: k.limit_reset.as_ref().map(|r| r.as_str()),
            include_byok_in_limit: k.include_byok_in_limit,
            usage: k.usage.total,
            usage_daily: k.usage.daily,
            usage_weekly: k.usage.weekly,
            usage_monthly: k.usage.monthly,
            is_free_tier: k.is_free_tier,
            expires_at: k.expires_at.as_ref().map(|t| t.as_str()),
            workspace_id: k.workspace_id.as_deref(),
            organization_id: k.organization_id.as_deref(),
            allowed_data_regions: k
                .allowed_data_regions
                .as_ref()
                .map(|regions| regions.iter().map(|r| r.as_str()).collect()),
            budgets: k.budgets.as_ref().map(|budgets| {
                budgets
                    .iter()
                    .map(|b| BudgetRow {
                        scope: b.scope.as_ref().map(|s| s.as_str()),
                        limit_usd: b.limit_usd,
                        spend_usd: b.spend_usd,
                        remaining_usd: b.remaining_usd,
                        reset_interval: b.reset_interval.as_ref().map(|r| r.as_str()),
                    })
                    .collect()
            }),
        }
    }
}

/// A created key and its secret as `create --format json` prints them: `key` first, then
/// `secret`.
#[derive(Serialize)]
pub struct CreatedRow<'a> {
    pub key: &'a KeyRow,
    pub secret: &'a str,
}

/// Prints a progress or summary line on stderr unless `--quiet`.
pub fn note(quiet: bool, message: impl std::fmt::Display) {
    if !quiet {
        let _ = writeln!(anstream::stderr(), "{message}");
    }
}

/// One line of data on stdout. A closed pipe (`| head`) is not an error here: the change the
/// line reports has been made either way.
pub fn out_line(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// One diagnostic line on stderr (never panics, unlike `eprintln!` on a closed stderr).
pub fn err_line(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
