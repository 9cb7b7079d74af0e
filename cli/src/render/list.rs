//! A list of keys written one key at a time in the chosen format (`list`): the header
//! first, the closing bracket last, so that a listing streams page by page.

use super::rows::{CSV_FIELDS, KeyRow};
use super::text::{fit, or_dash, or_never, printable, shown_name, status_of, usd};
use crate::cli::ListFormat;
use openrouter_keys::Key;
use std::io::Write;

const TABLE_HEADER: &str = "HASH                                                              NAME                            STATUS    LIMIT      REMAINING  USAGE/MO   EXPIRES                   CREATED";

/// The workspace column, last, in a listing of every workspace.
const WORKSPACE_HEADER: &str = "WORKSPACE";

/// One table line. Column widths are fixed so that a list can be printed as it streams in.
fn table_line(k: &Key, workspace_column: bool) -> String {
    let line = format!(
        "{:<65} {:<31} {:<9} {:<10} {:<10} {:<10} {:<25} {}",
        printable(&k.hash),
        fit(&shown_name(k), 31),
        status_of(k.disabled),
        usd(k.limit),
        usd(k.limit_remaining),
        usd(k.usage.monthly),
        printable(&or_never(k.expires_at.as_ref())),
        or_dash(k.created_at.as_ref())
    );
    if !workspace_column {
        return line;
    }
    // A created_at as the API writes it (`2026-01-02T03:04:05Z`) is 20 characters.
    let workspace = or_dash(k.workspace_id.as_deref().map(printable));
    format!("{:<TABLE_WIDTH$} {workspace}", line)
}

/// The width of a table line up to its last column's start, with room for a timestamp.
const TABLE_WIDTH: usize = TABLE_HEADER.len() - "CREATED".len() + 20;

/// Writes keys one at a time in the chosen format. Its errors are the writer's.
pub struct ListWriter<W: Write> {
    format: ListFormat,
    sink: Sink<W>,
    count: usize,
    /// The table shows each key's workspace (the machine formats always carry it).
    workspace_column: bool,
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
            workspace_column: false,
        }
    }

    /// With `shown`, the table ends each line with the key's workspace (for a listing of
    /// every workspace).
    pub fn with_workspace_column(mut self, shown: bool) -> Self {
        self.workspace_column = shown;
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
                if first && self.workspace_column {
                    writeln!(out, "{TABLE_HEADER:<TABLE_WIDTH$} {WORKSPACE_HEADER}")?;
                } else if first {
                    writeln!(out, "{TABLE_HEADER}")?;
                }
                writeln!(out, "{}", table_line(key, self.workspace_column))
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
