//! Formula injection: a text cell that a spreadsheet would run as a formula is written with a leading `'` and read back without it.
//!
//! Excel, WPS and LibreOffice treat a CSV cell that starts with `=`, `+`, `-` or `@` as a formula
//! (`=HYPERLINK(…)`, `@SUM(…)`), and a leading tab or carriage return can hide one; a customer name
//! typed by anyone would then run on the owner's machine. Text cells get the apostrophe that
//! spreadsheets themselves use for "this is text"; money and quantities are written as numbers and
//! left alone. The importer drops that apostrophe again, so an export imports back unchanged.

use std::borrow::Cow;

/// Does a spreadsheet read a cell starting like `text` as a formula?
fn starts_formula(text: &str) -> bool {
    matches!(text.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

/// A text cell as it is safe to write into a CSV file. Text that already starts with apostrophes
/// before a formula character gets one more, so that reading it back gives exactly the text.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if starts_formula(text.trim_start_matches('\'')) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

/// A field read from a CSV file, with the apostrophe of [`neutralise`] dropped. Looks at the first
/// byte only unless that is an apostrophe: it runs for every field of a million-row import.
pub fn unquote(field: &str) -> &str {
    match field.as_bytes().first() {
        Some(b'\'') if starts_formula(field.trim_start_matches('\'')) => &field[1..],
        _ => field,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_would_run_is_quoted_and_reads_back_as_it_was() {
        for (text, written) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("@SUM(1)", "'@SUM(1)"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("'=x", "''=x"),
            ("上海鼎盛", "上海鼎盛"),
            ("'quoted", "'quoted"),
            ("a=b", "a=b"),
            ("", ""),
            ("'", "'"),
        ] {
            assert_eq!(neutralise(text), written, "{text:?}");
            assert_eq!(unquote(&neutralise(text)), text, "{text:?} reads back");
        }
        assert_eq!(unquote("'=1+2"), "=1+2", "what a person marks as text in a file of their own");
    }
}
