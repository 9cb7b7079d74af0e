//! Tables for people on a terminal (`list`, the report's key lines): columns laid out once
//! per run for the width they may take, so that rows stream; text measured in the columns
//! a terminal gives it (`unicode-width`: a full-width `％` or a CJK character takes two) and
//! cut with `…`; numbers right-aligned; hashes shortened.
//!
//! A table is fitted when it has a width ([`TableWidth::Fitted`], see
//! `Printer::table_width`): hashes show their first [`SHORT_HASH`] characters, the last
//! column (a name) is cut to what is left, and columns that allow it are left out, lowest
//! priority first, rather than cut the last one below [`LAST_MIN`]. Without a width (a pipe,
//! a file, `--wide`) every value is whole: a script reads JSON or CSV, and a person who
//! greps a listing finds a whole hash.

use super::text::printable;
use openrouter_keys::Timestamp;
use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use unicode_width::UnicodeWidthChar;

/// How wide a table may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableWidth {
    /// At most this many columns (a terminal's width, or `COLUMNS`).
    Fitted(usize),
    /// No limit: every value whole.
    Unlimited,
}

/// Characters of a hash shown in a fitted table (48 bits of a hex hash: two keys of one
/// account share them about once in 10^9 listings of 1,000 keys; a table shows the later
/// one whole when they do).
pub const SHORT_HASH: usize = 12;
/// The least the last column is cut to before a droppable column is left out.
pub const LAST_MIN: usize = 16;
/// Blanks between two columns.
const GAP: &str = "  ";

/// How many columns `text` takes on a terminal. Control characters take none here: text
/// from the API goes through `printable` (escapes) before it is measured.
pub fn display_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `text` in at most `width` terminal columns, the cut marked with `…`.
pub fn cut(text: &str, width: usize) -> Cow<'_, str> {
    if display_width(text) <= width {
        return Cow::Borrowed(text);
    }
    let mut kept = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        kept.push(c);
        used += w;
    }
    if width > 0 {
        kept.push('…');
    }
    Cow::Owned(kept)
}

/// Left or right in its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// One column before the last: its header, width and alignment, and whether a fitted table
/// may leave it out (the lowest `drop_rank` first) to give the last column room.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub width: usize,
    pub align: Align,
    pub drop_rank: Option<u8>,
}

impl Column {
    pub const fn left(header: &'static str, width: usize) -> Self {
        Self {
            header,
            width,
            align: Align::Left,
            drop_rank: None,
        }
    }

    pub const fn right(header: &'static str, width: usize) -> Self {
        Self {
            header,
            width,
            align: Align::Right,
            drop_rank: None,
        }
    }

    /// May be left out of a fitted table; columns of lower rank go first.
    pub const fn droppable(mut self, rank: u8) -> Self {
        self.drop_rank = Some(rank);
        self
    }
}

/// The columns of a table, laid out once for its width, then one line per row. The last
/// column (a name) is left-aligned and takes what the others leave: cut to fit in a fitted
/// table, whole otherwise.
pub struct Layout {
    columns: Vec<Column>,
    /// Whether each of `columns` is shown.
    shown: Vec<bool>,
    last_header: &'static str,
    /// The last column's width; `None`: unlimited.
    last_width: Option<usize>,
}

impl Layout {
    pub fn new(columns: Vec<Column>, last_header: &'static str, width: TableWidth) -> Self {
        let mut shown = vec![true; columns.len()];
        let last_width = match width {
            TableWidth::Unlimited => None,
            TableWidth::Fitted(total) => {
                let room = |shown: &[bool]| {
                    let used: usize = columns
                        .iter()
                        .zip(shown)
                        .filter(|(_, shown)| **shown)
                        .map(|(c, _)| c.width + GAP.len())
                        .sum();
                    total.saturating_sub(used)
                };
                let mut droppable: Vec<usize> = (0..columns.len())
                    .filter(|&i| columns[i].drop_rank.is_some())
                    .collect();
                droppable.sort_by_key(|&i| columns[i].drop_rank);
                for i in droppable {
                    if room(&shown) >= LAST_MIN {
                        break;
                    }
                    shown[i] = false;
                }
                // A terminal too narrow for the rest still shows a few characters of the
                // last column; the line is then wider than the terminal.
                Some(room(&shown).max(8).max(last_header.len()))
            }
        };
        Self {
            columns,
            shown,
            last_header,
            last_width,
        }
    }

    /// Whether the column with this header is shown.
    pub fn shows(&self, header: &str) -> bool {
        self.columns
            .iter()
            .zip(&self.shown)
            .any(|(c, shown)| *shown && c.header == header)
    }

    /// The header line.
    pub fn header(&self) -> String {
        let cells: Vec<Cow<str>> = self
            .columns
            .iter()
            .map(|c| Cow::Borrowed(c.header))
            .collect();
        self.line(&cells, self.last_header)
    }

    /// One row: a cell per column (those left out are skipped), then the last column's
    /// text. In a fitted table a cell wider than its column is cut; otherwise it is whole
    /// and pushes the rest of its line.
    pub fn line(&self, cells: &[Cow<str>], last: &str) -> String {
        let mut line = String::new();
        for ((column, shown), cell) in self.columns.iter().zip(&self.shown).zip(cells) {
            if !shown {
                continue;
            }
            let cell = match self.last_width {
                Some(_) => cut(cell, column.width),
                None => Cow::Borrowed(cell.as_ref()),
            };
            let pad = " ".repeat(column.width.saturating_sub(display_width(&cell)));
            match column.align {
                Align::Left => {
                    line.push_str(&cell);
                    line.push_str(&pad);
                }
                Align::Right => {
                    line.push_str(&pad);
                    line.push_str(&cell);
                }
            }
            line.push_str(GAP);
        }
        match self.last_width {
            Some(width) => line.push_str(&cut(last, width)),
            None => line.push_str(last),
        }
        line.truncate(line.trim_end().len());
        line
    }
}

/// Hashes for a fitted table: the first [`SHORT_HASH`] characters and `…`, unique within
/// the listing (a hash whose short form was shown before is shown whole). Remembers one
/// number per hash shown, not the hashes.
#[derive(Default)]
pub struct ShortHashes {
    seen: HashSet<u64>,
}

impl ShortHashes {
    /// `hash` as a table of `width` shows it.
    pub fn show<'h>(&mut self, hash: &'h str, width: TableWidth) -> Cow<'h, str> {
        let whole = printable(hash);
        if width == TableWidth::Unlimited || whole.chars().count() <= SHORT_HASH + 1 {
            return whole;
        }
        let short: String = whole.chars().take(SHORT_HASH).collect();
        let mut hasher = DefaultHasher::new();
        short.hash(&mut hasher);
        if !self.seen.insert(hasher.finish()) {
            return whole;
        }
        Cow::Owned(short + "…")
    }
}

/// `text` in lines of at most `width` terminal columns where its words allow: the first
/// line after `first`, the others after `next`, broken at blanks only (a word longer than a
/// line stays whole), every line but the last ending with `joint` (` \` keeps a shell
/// command one command when it is copied; empty for prose).
pub fn wrapped(text: &str, width: usize, first: &str, next: &str, joint: &str) -> String {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut has_word = false;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let needed = display_width(&line)
            + usize::from(has_word)
            + display_width(word)
            + display_width(joint);
        if has_word && needed > width {
            lines.push(line + joint);
            line = next.to_string();
        } else if has_word {
            line.push(' ');
        }
        line.push_str(word);
        has_word = true;
    }
    lines.push(line);
    lines.join("\n")
}

/// An amount of USD for a column `width` wide: two decimals when they fit, fewer, then
/// thousands (`k`), millions (`M`) or billions (`B`); `-` for none.
pub fn amount(value: Option<f64>, width: usize) -> String {
    let Some(value) = value else {
        return "-".to_string();
    };
    for decimals in [2, 1, 0] {
        let text = format!("{value:.decimals$}");
        if text.len() <= width {
            return text;
        }
    }
    let (scale, suffix) = match value.abs() {
        v if v >= 1e9 => (1e9, "B"),
        v if v >= 1e6 => (1e6, "M"),
        _ => (1e3, "k"),
    };
    for decimals in [1, 0] {
        let text = format!("{:.decimals$}{suffix}", value / scale);
        if text.len() <= width {
            return text;
        }
    }
    format!("{value:.0}")
}

/// A timestamp's date for a table (`2027-06-30`, UTC), the API's text when it is not a
/// time, `empty` when there is none.
pub fn date(at: Option<&Timestamp>, empty: &str) -> String {
    let Some(at) = at else {
        return empty.to_string();
    };
    match at.datetime() {
        Some(time) => time
            .to_offset(openrouter_keys::time::UtcOffset::UTC)
            .date()
            .to_string(),
        None => printable(at.as_str()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_text_breaks_at_blanks_and_keeps_a_long_word_whole() {
        let hash = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            wrapped(
                &format!("tool update {hash} --limit USD"),
                30,
                "fix: ",
                "  ",
                " \\"
            ),
            format!("fix: tool update \\\n  {hash} \\\n  --limit USD")
        );
        assert_eq!(wrapped("a b", 80, "> ", "  ", ""), "> a b");
    }

    #[test]
    fn text_is_measured_and_cut_in_terminal_columns() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("５０％"), 6);
        assert_eq!(cut("student-alice", 8), "student…");
        assert_eq!(cut("５０％off", 5), "５０…");
        assert_eq!(display_width(&cut("５０％off", 5)), 5);
        assert_eq!(cut("short", 8), "short");
    }

    #[test]
    fn amounts_fit_their_column() {
        assert_eq!(amount(Some(15.0), 8), "15.00");
        assert_eq!(amount(Some(-3.2), 8), "-3.20");
        assert_eq!(amount(Some(123456.789), 8), "123456.8");
        assert_eq!(amount(Some(12345678.0), 8), "12345678");
        assert_eq!(amount(Some(123_456_789.0), 8), "123.5M");
        assert_eq!(amount(Some(1_000_000_000.0), 8), "1.0B");
        assert_eq!(amount(Some(1_000_000_000.0), 5), "1.0B");
        assert_eq!(amount(None, 8), "-");
    }

    #[test]
    fn a_fitted_layout_leaves_out_droppable_columns_before_cutting_the_last_below_its_least() {
        let columns = vec![
            Column::left("A", 30),
            Column::right("B", 10).droppable(1),
            Column::right("C", 10).droppable(0),
        ];
        let wide = Layout::new(columns.clone(), "NAME", TableWidth::Fitted(80));
        assert!(wide.shows("B") && wide.shows("C"));
        let narrow = Layout::new(columns.clone(), "NAME", TableWidth::Fitted(60));
        assert!(narrow.shows("B") && !narrow.shows("C"));
        let line = narrow.line(
            &["a".into(), "1.00".into(), "2.00".into()],
            "a-very-long-name-that-cannot-fit",
        );
        assert_eq!(display_width(&line), 60, "{line}");
        assert!(line.ends_with('…'));
        let unlimited = Layout::new(columns, "NAME", TableWidth::Unlimited);
        assert!(
            unlimited
                .line(
                    &["a".into(), "1".into(), "2".into()],
                    "x".repeat(200).as_str()
                )
                .ends_with(&"x".repeat(200))
        );
    }

    #[test]
    fn short_hashes_are_unique_within_a_listing() {
        let mut hashes = ShortHashes::default();
        let fitted = TableWidth::Fitted(80);
        let a = "0123456789abcdef0123";
        let b = "0123456789abffff0000";
        assert_eq!(hashes.show(a, fitted), "0123456789ab…");
        assert_eq!(hashes.show(b, fitted), b, "the same short form: whole");
        assert_eq!(hashes.show("abc", fitted), "abc");
        assert_eq!(hashes.show(a, TableWidth::Unlimited), a);
    }
}
