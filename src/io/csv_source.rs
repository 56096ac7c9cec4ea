//! Reading a spreadsheet's CSV as rows of text: encoding, delimiter, header, Excel's quirks, line numbers.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, FileProblem, Result};
use crate::io::decode::{self, Encoding};
use crate::io::formula;

/// What the user chose instead of detection.
#[derive(Debug, Clone, Copy, Default)]
pub struct SourceOptions {
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
}

/// One data row: its line number in the file (where the row starts) and its fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceRow {
    pub line: u64,
    pub fields: Vec<String>,
}

/// How far reading a file has got, readable from any thread.
#[derive(Debug, Clone)]
pub struct CsvProgress {
    bytes_read: Arc<AtomicU64>,
    total_bytes: u64,
}

impl CsvProgress {
    /// (bytes read, bytes in all).
    pub fn get(&self) -> (u64, u64) {
        (self.bytes_read.load(Ordering::Relaxed).min(self.total_bytes), self.total_bytes)
    }
}

/// A CSV file opened for reading row by row; it never holds more than a row in memory.
pub struct CsvSource {
    path: PathBuf,
    encoding: Encoding,
    delimiter: u8,
    headers: Vec<String>,
    reader: csv::Reader<Box<dyn Read + Send>>,
    record: csv::ByteRecord,
    bytes_read: Arc<AtomicU64>,
    total_bytes: u64,
}

impl CsvSource {
    pub fn open(path: &Path, options: SourceOptions) -> Result<CsvSource> {
        let io_error = |source| Error::Io { path: path.display().to_string(), source };
        let mut file = File::open(path).map_err(io_error)?;
        let total_bytes = file.metadata().map_err(io_error)?.len();
        let mut sample = Vec::with_capacity(decode::SAMPLE_LEN.min(total_bytes as usize));
        (&mut file).take(decode::SAMPLE_LEN as u64).read_to_end(&mut sample).map_err(io_error)?;
        let encoding = options.encoding.unwrap_or_else(|| decode::detect(&sample));
        let start = sample_text(&sample, encoding);
        let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(&start));

        let file = File::open(path).map_err(io_error)?;
        let bytes_read = Arc::new(AtomicU64::new(0));
        let counted = Counted { inner: file, count: Arc::clone(&bytes_read) };
        let decoded = decode::utf8_reader(counted, encoding);
        let lines = LineEnds::new(decoded, cr_alone_ends_lines(&start));
        let text: Box<dyn Read + Send> = Box::new(BufReader::with_capacity(1 << 16, lines));
        // Records end at '\n' only: with CRLF as a terminator the csv crate reports every line number
        // one short, and a stray '\r' at the end of a field is trimmed anyway.
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_reader(text);
        let mut source = CsvSource {
            path: path.to_path_buf(),
            encoding,
            delimiter,
            headers: Vec::new(),
            reader,
            record: csv::ByteRecord::new(),
            bytes_read,
            total_bytes,
        };
        match source.next_row()? {
            Some(header) => source.headers = header.fields,
            None => return Err(source.bad_file(1, FileProblem::Empty)),
        }
        Ok(source)
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How far through the file reading is, in bytes, for a progress bar.
    pub fn progress(&self) -> (u64, u64) {
        self.progress_handle().get()
    }

    /// A handle on the progress that stays readable when the source moves to another thread.
    pub fn progress_handle(&self) -> CsvProgress {
        CsvProgress { bytes_read: Arc::clone(&self.bytes_read), total_bytes: self.total_bytes }
    }

    /// The next row that is not blank, with Excel's `="001"` text trick undone.
    pub fn next_row(&mut self) -> Result<Option<SourceRow>> {
        let mut row = SourceRow::default();
        Ok(self.read_into(&mut row)?.then_some(row))
    }

    /// Reads the next row that is not blank into `row`, reusing its strings (a million rows then
    /// cost no allocation each); false at the end of the file.
    pub fn read_into(&mut self, row: &mut SourceRow) -> Result<bool> {
        loop {
            let more = self.reader.read_byte_record(&mut self.record).map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                self.bad_file(line, FileProblem::Unreadable { detail: e.to_string() })
            })?;
            if !more {
                return Ok(false);
            }
            if self.record.iter().all(|field| field.iter().all(|b| b.is_ascii_whitespace() || *b == BLANK_LINE)) {
                continue;
            }
            row.line = self.record.position().map_or(0, |p| p.line());
            row.fields.resize_with(self.record.len(), String::new);
            for (text, field) in row.fields.iter_mut().zip(self.record.iter()) {
                text.clear();
                text.push_str(clean_field(&field_text(field)));
            }
            return Ok(true);
        }
    }

    pub fn bad_file(&self, line: u64, problem: FileProblem) -> Error {
        Error::BadFile { file: self.path.display().to_string(), line, problem }
    }
}

/// A field's text without the marks of blank lines (the decoded text is UTF-8, and the CSV reader splits
/// it only at ASCII bytes: what is left of a field is whole characters).
fn field_text(field: &[u8]) -> std::borrow::Cow<'_, str> {
    if field.contains(&BLANK_LINE) {
        let unmarked: Vec<u8> = field.iter().copied().filter(|b| *b != BLANK_LINE).collect();
        std::borrow::Cow::Owned(String::from_utf8_lossy(&unmarked).into_owned())
    } else {
        String::from_utf8_lossy(field)
    }
}

/// `="00123"` (how Excel keeps leading zeros) becomes `00123`, `'=SUM(1)` (text written safe from
/// running as a formula) becomes `=SUM(1)`; surrounding blanks go.
fn clean_field(field: &str) -> &str {
    let field = field.trim();
    field.strip_prefix("=\"").and_then(|f| f.strip_suffix('"')).unwrap_or_else(|| formula::unquote(field))
}

/// The first 64 KB of the file as text, for guessing its delimiter and line ends.
fn sample_text(sample: &[u8], encoding: Encoding) -> String {
    let mut text = String::new();
    let prefix = &sample[..sample.len().min(64 * 1024)];
    let _ = decode::utf8_reader(prefix, encoding).read_to_string(&mut text);
    text
}

/// Whether lines end in a CR alone: the file's start has CRs and no LF at all.
fn cr_alone_ends_lines(start: &str) -> bool {
    start.contains('\r') && !start.contains('\n')
}

/// The delimiter that splits the header line most: comma, semicolon or tab (comma when in doubt).
fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in header.bytes() {
        match c {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            _ => counts.iter_mut().filter(|(d, _)| *d == c).for_each(|(_, n)| *n += 1),
        }
    }
    counts.iter().max_by_key(|(d, n)| (*n, *d == b',')).map(|(d, n)| if *n == 0 { b',' } else { *d }).unwrap_or(b',')
}

/// Marks an empty line: a byte that never occurs in UTF-8, put before the LF that ends the line.
const BLANK_LINE: u8 = 0xFF;

/// Decoded text on its way to the CSV reader, its lines made countable. The reader skips an empty line
/// without a word, and then numbers every row after it one line short: each empty line gets a mark
/// that makes it a (blank) row of its own. And where a CR alone ends each line (Excel for the Mac once
/// wrote "CSV (Macintosh)" so), each CR becomes an LF: read as it is, the whole file would be one row.
struct LineEnds<R> {
    inner: R,
    cr_alone: bool,
    previous: u8,
    /// A byte that did not fit into the caller's buffer.
    pending: Option<u8>,
    read: Vec<u8>,
}

impl<R> LineEnds<R> {
    fn new(inner: R, cr_alone: bool) -> LineEnds<R> {
        LineEnds { inner, cr_alone, previous: b'\n', pending: None, read: Vec::new() }
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut written = 0;
        if let Some(byte) = self.pending.take() {
            match buf.first_mut() {
                Some(first) => *first = byte,
                None => self.pending = Some(byte),
            }
            written = buf.len().min(1);
        }
        // A byte read becomes at most two: read no more than half the room left (one at the least), so
        // that only the second byte of a marked line end can miss the buffer.
        let room = buf.len() - written;
        if room == 0 || (written > 0 && room < 2) {
            return Ok(written);
        }
        self.read.resize((room / 2).max(1), 0);
        let n = self.inner.read(&mut self.read)?;
        let mut rest = &self.read[..n];
        while !rest.is_empty() {
            let cr_alone = self.cr_alone;
            let run = rest.iter().position(|&b| b == b'\n' || (cr_alone && b == b'\r')).unwrap_or(rest.len());
            if run > 0 {
                buf[written..written + run].copy_from_slice(&rest[..run]);
                written += run;
                self.previous = rest[run - 1];
                rest = &rest[run..];
                continue;
            }
            if self.previous == b'\n' {
                buf[written] = BLANK_LINE;
                written += 1;
            }
            match buf.get_mut(written) {
                Some(slot) => {
                    *slot = b'\n';
                    written += 1;
                }
                None => self.pending = Some(b'\n'),
            }
            self.previous = b'\n';
            rest = &rest[1..];
        }
        Ok(written)
    }
}

/// Counts the bytes that pass through, for progress.
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(bytes: &[u8]) -> (Vec<String>, Vec<SourceRow>, u8) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("file.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut source = CsvSource::open(&path, SourceOptions::default()).unwrap();
        let mut rows = Vec::new();
        while let Some(row) = source.next_row().unwrap() {
            rows.push(row);
        }
        (source.headers().to_vec(), rows, source.delimiter())
    }

    #[test]
    fn reads_tabs_semicolons_crlf_quotes_and_excel_text() {
        let (headers, data, delimiter) = rows(b"code\tname\r\n=\"001\"\t\"a\tb\"\r\n\r\nC2\tc\r\n");
        assert_eq!(delimiter, b'\t');
        assert_eq!(headers, ["code", "name"]);
        assert_eq!(data[0], SourceRow { line: 2, fields: vec!["001".into(), "a\tb".into()] });
        assert_eq!(data[1].line, 4, "CRLF line numbers count every line");

        let (_, data, delimiter) = rows(b"code;name\nC1;\"two\nlines\"\nC2;x\n\n\n");
        assert_eq!(delimiter, b';');
        assert_eq!(data[0].fields[1], "two\nlines");
        assert_eq!(data[1].line, 4, "the line where the row starts, after an embedded newline");
        assert_eq!(data.len(), 2, "trailing empty lines are not rows");
    }

    #[test]
    fn blank_lines_count_in_the_line_numbers_of_the_rows_after_them() {
        let (_, data, _) = rows(b"code,name\nC1,x\n\nC2,y\n");
        assert_eq!(data[1], SourceRow { line: 4, fields: vec!["C2".into(), "y".into()] });
        let (headers, data, _) = rows(b"\n\ncode,name\nC1,\"a\n\nb\"\n\n\nC2,y");
        assert_eq!(headers, ["code", "name"]);
        assert_eq!(data[0], SourceRow { line: 4, fields: vec!["C1".into(), "a\n\nb".into()] });
        assert_eq!(data[1], SourceRow { line: 9, fields: vec!["C2".into(), "y".into()] });
    }

    #[test]
    fn cr_alone_ends_lines_as_old_mac_excel_wrote_them() {
        let (headers, data, _) = rows(b"code,name\rC1,\"two\rlines\"\r\rC2,x\r");
        assert_eq!(headers, ["code", "name"]);
        assert_eq!(data[0], SourceRow { line: 2, fields: vec!["C1".into(), "two\nlines".into()] });
        assert_eq!(data[1], SourceRow { line: 5, fields: vec!["C2".into(), "x".into()] });
        let (_, data, _) = rows(b"code,name\r\nC1,\"a\rb\"\r\n");
        assert_eq!(data[0].fields[1], "a\rb", "a CR inside a CRLF file stays as it was");
    }

    #[test]
    fn line_ends_come_out_the_same_through_any_size_of_buffer() {
        let text = b"\n\na,b\r\n\r\nc,\"d\n\n\"\n\n\re\n";
        for cr_alone in [false, true] {
            let mut whole = Vec::new();
            LineEnds::new(&text[..], cr_alone).read_to_end(&mut whole).unwrap();
            for size in 1..8 {
                let mut reader = LineEnds::new(&text[..], cr_alone);
                let (mut pieces, mut buf) = (Vec::new(), vec![0; size]);
                loop {
                    match reader.read(&mut buf).unwrap() {
                        0 => break,
                        n => pieces.extend_from_slice(&buf[..n]),
                    }
                }
                assert_eq!(pieces, whole, "{size} bytes at a time");
            }
            let marks = whole.iter().filter(|b| **b == BLANK_LINE).count();
            assert_eq!(marks, if cr_alone { 8 } else { 4 }, "{:?}", String::from_utf8_lossy(&whole));
        }
    }

    #[test]
    fn an_empty_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.csv");
        std::fs::write(&path, b"\n\n").unwrap();
        assert!(matches!(CsvSource::open(&path, SourceOptions::default()), Err(Error::BadFile { .. })));
    }

    mod fuzz {
        use super::super::*;
        use encoding_rs::GB18030;
        use proptest::prelude::*;

        /// A field as spreadsheets hold them: Chinese, Latin, digits, and the characters that
        /// break naive CSV code (delimiters, quotes, newlines), never blank at either end.
        fn field() -> impl Strategy<Value = String> {
            "[上海鼎盛客户a-zA-Z0-9,;\t\"\n\r '=-]{0,12}".prop_map(|f| f.trim().to_string())
        }

        fn encode(text: &str, encoding: u8) -> Vec<u8> {
            match encoding {
                0 => text.as_bytes().to_vec(),
                1 => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
                2 => [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect(),
                _ => GB18030.encode(text).0.into_owned(),
            }
        }

        fn read_all(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>)> {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("fuzz.csv");
            std::fs::write(&path, bytes).unwrap();
            let mut source = CsvSource::open(&path, SourceOptions { encoding: None, delimiter: Some(b',') })?;
            let mut rows = Vec::new();
            while let Some(row) = source.next_row()? {
                rows.push(row.fields);
            }
            Ok((source.headers().to_vec(), rows))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            #[test]
            fn what_a_csv_writer_writes_with_text_made_safe_reads_back_in_every_encoding(
                rows in proptest::collection::vec(proptest::collection::vec(field(), 3), 1..8),
                encoding in 0u8..4,
            ) {
                let rows: Vec<Vec<String>> = rows
                    .into_iter()
                    .filter(|r| r.iter().any(|f| !f.is_empty()))
                    .map(|r| r.into_iter().map(|f| if f.starts_with("=\"") { f.replacen('=', "x", 1) } else { f }).collect())
                    .collect();
                let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
                writer.write_record(["a", "b", "c"]).unwrap();
                for row in &rows {
                    writer.write_record(row.iter().map(|f| formula::neutralise(f).into_owned())).unwrap();
                }
                let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
                let (headers, read) = read_all(&encode(&text, encoding)).unwrap();
                prop_assert_eq!(headers, vec!["a", "b", "c"]);
                prop_assert_eq!(read, rows);
            }

            #[test]
            fn any_bytes_give_rows_or_an_error_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
                let _ = read_all(&bytes);
            }
        }
    }
}
