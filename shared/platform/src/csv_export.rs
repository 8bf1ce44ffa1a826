//! CSV for the exports a person opens in a spreadsheet: RFC 4180 through the `csv` crate, and
//! every cell guarded against formula injection (CWE-1236). A text cell that starts with `=`,
//! `+`, `-`, `@`, a tab or a carriage return would be run as a formula by Excel or LibreOffice
//! (`=HYPERLINK(...)`, `@SUM(...)`): it is written with a leading `'`, which the spreadsheet
//! shows as text. A cell that is a plain number (`-12`, `+3.5`) is data and stays as it is.

/// What can go wrong writing an export (the writer is in memory: only the `csv` crate's own
/// errors, never an I/O failure).
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("cannot write the CSV: {0}")]
    Write(#[from] csv::Error),
    #[error("cannot finish the CSV: {0}")]
    Finish(String),
}

/// `value` as a spreadsheet may open it: with a leading `'` when it would be read as a formula.
pub fn defuse(value: &str) -> std::borrow::Cow<'_, str> {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && value.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// The CSV text of `header` and `rows` (each row as many cells as the header), every cell
/// through [`defuse`].
pub fn to_csv<const N: usize>(
    header: [&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> Result<String, CsvError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record(header.iter().map(|cell| defuse(cell).into_owned()))?;
    for row in rows {
        writer.write_record(row.iter().map(|cell| defuse(cell).into_owned()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| CsvError::Finish(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| CsvError::Finish(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_get_a_quote_and_nothing_else_changes() {
        let cases = [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+39 055 4382", "'+39 055 4382"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("-12", "-12"),
            ("+3.5", "+3.5"),
            ("Reggello", "Reggello"),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (value, expected) in cases {
            assert_eq!(defuse(value), expected, "{value:?}");
        }
    }

    #[test]
    fn fields_with_commas_quotes_and_newlines_are_quoted_as_rfc_4180_says() {
        let text = to_csv(
            ["code", "name"],
            [
                ["048001".to_owned(), "Unione, \"Casentino\"".to_owned()],
                ["048002".to_owned(), "two\nlines".to_owned()],
                ["048003".to_owned(), "=1+1".to_owned()],
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text,
            "code,name\n048001,\"Unione, \"\"Casentino\"\"\"\n048002,\"two\nlines\"\n048003,'=1+1\n"
        );
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let names: Vec<String> = reader
            .records()
            .map(|r| r.map(|r| r[1].to_owned()).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        assert_eq!(names, ["Unione, \"Casentino\"", "two\nlines", "'=1+1"]);
    }
}
