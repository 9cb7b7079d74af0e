//! CSV for people is opened in spreadsheets, and a spreadsheet runs a cell that starts like a
//! formula: `=HYPERLINK(…)`, `+…`, `-…`, `@…`, or a tab or carriage return in front of one.
//! Anyone who can name a key could make the CSV of whoever opens it fetch a URL or run a
//! command. OWASP's rule against CSV injection: such a cell gets a leading `'`, which
//! spreadsheets read as "this cell is text".
//!
//! Every CSV the CLI writes for people (`list --format csv`, `report --format csv`, the
//! secrets files of `bulk-create` and `rotate`) passes its text cells through
//! [`neutralised`]: names, labels, ids, timestamps, the API's words. Numbers and booleans
//! are the CLI's own writing, and a spreadsheet reads `-1.50` as a number, not a formula;
//! hashes and secrets are identifiers made by the API (hex digits, `sk-or-v1-…`) that are
//! read back byte for byte: neither is ever prefixed. JSON and NDJSON keep every value
//! exactly as it is.
//!
//! The prefix is undone exactly by [`restored`], where a CSV of ours is read back
//! (`bulk-delete FILE`): a cell that starts with `'`s and then one of the formula characters
//! gets one `'` more, so that a name that really begins with `'=` comes back as it was, and
//! a name that begins with `'` and anything else is left alone both ways.

use std::borrow::Cow;

/// What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text`, after any leading `'`s, starts like a formula.
fn after_quotes_starts_a_formula(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_START)
}

/// A text cell as written to a CSV for people: prefixed with `'` when a spreadsheet would
/// run it (or when it is such a cell already prefixed by someone else, so that
/// [`restored`] can tell the two apart).
pub fn neutralised(text: &str) -> Cow<'_, str> {
    if after_quotes_starts_a_formula(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The text a cell of ours held before [`neutralised`]: exactly one `'` removed, and only
/// from a cell that neutralising prefixed.
pub fn restored(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(text) if after_quotes_starts_a_formula(text) => text,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_starts_a_formula_is_prefixed() {
        for text in [
            "=HYPERLINK(\"http://example.com\",\"x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(neutralised(text), format!("'{text}"), "{text:?}");
        }
        for text in [
            "plain",
            "",
            "a=b",
            " =1",
            "'quoted",
            "''",
            "sk-or-v1-abc",
            "0e6f",
        ] {
            assert_eq!(neutralised(text), text, "{text:?}");
        }
    }

    #[test]
    fn every_text_comes_back_exactly() {
        for text in [
            "=1+1", "'=1+1", "''=1+1", "'", "''", "'plain", "plain", "", "-", "'-", "@", "a'=",
        ] {
            assert_eq!(restored(&neutralised(text)), text, "{text:?}");
        }
        // A cell we never prefixed is never cut.
        assert_eq!(restored("'plain"), "'plain");
    }
}
