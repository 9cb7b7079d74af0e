//! CSV files users give (`bulk-create`'s rows, `bulk-delete`'s keys): what is wrong with a
//! header or a record, in words a user can act on, instead of the `csv` crate's own text
//! ("record 1 (line: 2, byte: 11)") or a missing column that is really an empty file or a
//! spreadsheet's semicolon-separated export.

/// What keeps `headers` from being a header with a `column` column when the cause is the
/// file's shape rather than a misspelled column: an empty file, or values separated by
/// something other than commas. `None` when the header is comma-separated text.
pub fn header_problem(headers: &csv::StringRecord, column: &str) -> Option<String> {
    if headers.iter().all(str::is_empty) {
        return Some(format!(
            "the file is empty: its first line must be the header, with a `{column}` column"
        ));
    }
    let only = (headers.len() == 1).then(|| headers.get(0)).flatten()?;
    let separator = [(';', "`;`"), ('\t', "tabs"), ('|', "`|`")]
        .into_iter()
        .find(|(mark, _)| only.contains(*mark))?;
    Some(format!(
        "the header has one column, its names separated by {}: this reads comma-separated \
         files (a spreadsheet saves one as \"CSV (comma delimited)\")",
        separator.1
    ))
}

/// What is wrong with a record the `csv` crate could not read, without its byte offsets (the
/// caller names the line).
pub fn record_problem(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "{len} values where the header has {expected_len} columns (a value with a comma \
             in it goes in double quotes)"
        ),
        csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text".to_string(),
        _ => format!("cannot be read as CSV: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(line: &str) -> csv::StringRecord {
        csv::Reader::from_reader(line.as_bytes())
            .headers()
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn an_empty_file_and_a_semicolon_export_are_named_as_such() {
        assert!(
            header_problem(&headers(""), "name")
                .unwrap()
                .contains("empty")
        );
        let semicolons = header_problem(&headers("name;limit\n"), "name").unwrap();
        assert!(semicolons.contains("`;`"), "{semicolons}");
        assert_eq!(header_problem(&headers("name,limit\n"), "name"), None);
        assert_eq!(header_problem(&headers("nmae\n"), "name"), None);
    }

    #[test]
    fn a_ragged_record_says_how_many_values_it_has() {
        let mut reader = csv::Reader::from_reader("name,limit\nx,5,extra\n".as_bytes());
        let error = reader.records().next().unwrap().unwrap_err();
        let said = record_problem(&error);
        assert_eq!(
            said,
            "3 values where the header has 2 columns (a value with a comma in it goes in \
             double quotes)"
        );
    }
}
