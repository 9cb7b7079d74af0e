//! A list of keys written one key at a time in the chosen format (`list`): the header
//! first, the closing bracket last, so that a listing streams page by page.

use super::columns::{Column, Layout, SHORT_HASH, ShortHashes, TableWidth, amount, date};
use super::rows::{CSV_FIELDS, KeyRow};
use super::text::{printable, shown_name, state_of, usd};
use crate::cli::ListFormat;
use openrouter_keys::time::OffsetDateTime;
use openrouter_keys::{Key, Timestamp};
use std::borrow::Cow;
use std::io::Write;

/// The table for people: laid out once, for the width it may take, so that it streams.
/// Columns: hash, status (only when disabled or expired keys are listed: otherwise every
/// key is active), limit, remaining, usage this month, expiry and creation dates, the
/// workspace (only in a listing of every workspace), then the name, which takes the rest of
/// the line. A narrow terminal loses the creation date, then
/// the expiry, before a name is cut below 16 columns.
struct Table {
    /// A line above the header: which keys these are (the workspace).
    caption: String,
    layout: Layout,
    width: TableWidth,
    hashes: ShortHashes,
    now: OffsetDateTime,
}

/// Optional columns of the table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shown {
    /// Each key's status: disabled or expired keys are listed.
    pub status: bool,
    /// Each key's workspace: a listing of every workspace.
    pub workspace: bool,
}

/// Columns of a workspace id in a fitted table (cut with `…`; `--wide` shows it whole).
const WORKSPACE_SHOWN: usize = 9;

/// Columns of amounts, wide enough for `99999.99` (a larger amount is shortened, `123.4k`, in
/// a fitted table).
const AMOUNT: usize = 8;

impl Table {
    fn new(width: TableWidth, shows: Shown, caption: String) -> Self {
        // Unlimited: a hash as the API writes them (64 hex digits), a time in RFC 3339, a
        // workspace id whole (a UUID).
        let (hash, time, workspace) = match width {
            TableWidth::Fitted(_) => (SHORT_HASH + 1, "2027-06-30".len(), WORKSPACE_SHOWN),
            TableWidth::Unlimited => (64, "2027-06-30T23:59:59Z".len(), 36),
        };
        let mut columns = vec![Column::left("HASH", hash)];
        if shows.status {
            columns.push(Column::left("STATUS", "disabled".len()));
        }
        columns.extend([
            Column::right("LIMIT", AMOUNT),
            Column::right("REMAINING", "REMAINING".len()),
            Column::right("USAGE/MO", AMOUNT),
            Column::left("EXPIRES", time).droppable(1),
            Column::left("CREATED", time).droppable(0),
        ]);
        if shows.workspace {
            columns.push(Column::left("WORKSPACE", workspace));
        }
        Self {
            caption,
            layout: Layout::new(columns, "NAME", width),
            width,
            hashes: ShortHashes::default(),
            now: OffsetDateTime::now_utc(),
        }
    }

    fn line(&mut self, k: &Key) -> String {
        // Whole values without a width: amounts to the cent, times as the API wrote them.
        let money = |value: Option<f64>, width: usize| match self.width {
            TableWidth::Fitted(_) => amount(value, width),
            TableWidth::Unlimited => usd(value),
        };
        let time = |at: Option<&Timestamp>, empty: &str| match (self.width, at) {
            (TableWidth::Fitted(_), _) | (_, None) => date(at, empty),
            (TableWidth::Unlimited, Some(at)) => printable(at.as_str()).into_owned(),
        };
        let mut cells: Vec<Cow<str>> = vec![self.hashes.show(&k.hash, self.width)];
        if self.layout.shows("STATUS") {
            cells.push(state_of(k, self.now).into());
        }
        cells.extend([
            money(k.limit, AMOUNT).into(),
            money(k.limit_remaining, "REMAINING".len()).into(),
            money(k.usage.monthly, AMOUNT).into(),
            time(k.expires_at.as_ref(), "never").into(),
            time(k.created_at.as_ref(), "-").into(),
        ]);
        if self.layout.shows("WORKSPACE") {
            cells.push(printable(k.workspace_id.as_deref().unwrap_or("-")));
        }
        self.layout.line(&cells, &shown_name(k))
    }
}

/// Writes keys one at a time in the chosen format. Its errors are the writer's.
pub struct ListWriter<W: Write> {
    format: ListFormat,
    sink: Sink<W>,
    count: usize,
    table: Option<Table>,
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
            table: None,
        }
    }

    /// How the table is laid out: for `width`, with the optional columns `shows`, `caption`
    /// above the header. Without this, it is a fitted 80 columns without a caption.
    pub fn table(mut self, width: TableWidth, shows: Shown, caption: String) -> Self {
        self.table = Some(Table::new(width, shows, caption));
        self
    }

    pub fn write(&mut self, key: &Key) -> std::io::Result<()> {
        let first = self.count == 0;
        self.count += 1;
        let out = match &mut self.sink {
            Sink::Csv(csv) => {
                return csv
                    .serialize(KeyRow::from(key).for_spreadsheet())
                    .map_err(csv_error);
            }
            Sink::Plain(out) => out,
        };
        match self.format {
            ListFormat::Table => {
                let table = self.table.get_or_insert_with(|| {
                    Table::new(TableWidth::Fitted(80), Shown::default(), "".into())
                });
                if first {
                    if !table.caption.is_empty() {
                        writeln!(out, "{}", table.caption)?;
                    }
                    writeln!(out, "{}", table.layout.header())?;
                }
                writeln!(out, "{}", table.line(key))
            }
            ListFormat::Json => {
                let json = serde_json::to_string_pretty(&KeyRow::from(key))?;
                let json = json.replace('\n', "\n  ");
                write!(out, "{}  {json}", if first { "[\n" } else { ",\n" })
            }
            ListFormat::Ndjson | ListFormat::Csv => {
                let json = serde_json::to_string(&KeyRow::from(key))?;
                writeln!(out, "{json}")
            }
        }
    }

    /// Closes the document (`]` for JSON, the CSV header when no key was written), flushes,
    /// and says how many keys were written.
    pub fn finish(self) -> std::io::Result<usize> {
        match self.sink {
            Sink::Csv(mut csv) => {
                if self.count == 0 {
                    csv.write_record(CSV_FIELDS).map_err(csv_error)?;
                }
                csv.flush()?;
            }
            Sink::Plain(mut out) => {
                match self.format {
                    ListFormat::Json if self.count == 0 => writeln!(out, "[]")?,
                    ListFormat::Json => writeln!(out, "\n]")?,
                    _ => {}
                }
                out.flush()?;
            }
        }
        Ok(self.count)
    }
}

/// The writer's own error, or what the CSV encoder refused.
fn csv_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("cannot write CSV: {other:?}")),
    }
}
