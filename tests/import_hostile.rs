//! Hostile files fed to the importer as the window and the command line feed it (customers, contacts,
//! orders): whatever the bytes, the outcome is a typed error, a report whose row errors name a line and
//! a column, or a correct import; never a panic, a hang, or part of a file written.

mod common;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use encoding_rs::GB18030;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use suanpan::io::csv_source::SourceOptions;
use suanpan::io::decode::Encoding;
use suanpan::io::import::{self, Entity, ImportOptions, ImportReport};

/// Panics on the threads an import runs on, the importer's reading thread included (its panic would
/// otherwise reach the import only as "reading stopped"); not the tests' own threads, whose failed
/// assertions are theirs to report.
static PANICS: AtomicUsize = AtomicUsize::new(0);

/// The test harness's threads, each named after its test.
static TEST_THREADS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn count_panics() {
    if let Some(name) = std::thread::current().name() {
        TEST_THREADS.lock().expect("test threads").push(name.to_string());
    }
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let usual = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let name = std::thread::current().name().map(String::from);
            let a_test = name.is_some_and(|name| TEST_THREADS.lock().is_ok_and(|tests| tests.contains(&name)));
            if !a_test {
                PANICS.fetch_add(1, Ordering::SeqCst);
            }
            usual(info);
        }));
    });
}

/// A company with two customers and a product for the files to refer to, and the runtime it lives in.
struct Bench {
    runtime: tokio::runtime::Runtime,
    company: common::Company,
    dir: tempfile::TempDir,
}

const TABLES: [&str; 9] = [
    "customers",
    "contacts",
    "customer_search",
    "products",
    "orders",
    "order_lines",
    "stock_moves",
    "import_batches",
    "import_batch_records",
];

impl Bench {
    fn new() -> Bench {
        count_panics();
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let company = runtime.block_on(common::company());
        let bench = Bench { runtime, company, dir: tempfile::tempdir().expect("temp dir") };
        for (entity, text) in [
            (Entity::Customers, "code,name\nC1,上海鼎盛\nC2,广州华丰\n"),
            (Entity::Products, "sku,name,standard_price\nP1,西湖龙井,168.00\n"),
        ] {
            let report = bench.import(entity, text.as_bytes(), SourceOptions::default(), Duration::from_secs(60));
            assert!(matches!(report, Ok(Ok(ref r)) if r.batch_id.is_some()), "{report:?}");
        }
        bench
    }

    /// The rows of every table an import of customers, contacts or orders writes.
    fn counts(&self) -> Vec<i64> {
        self.runtime.block_on(async {
            let mut counts = Vec::new();
            for table in TABLES {
                let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                    .fetch_one(self.company.db.pool())
                    .await
                    .expect("count");
                counts.push(count);
            }
            counts
        })
    }

    /// Imports `bytes` as `entity` on a thread of its own, given `limit` to finish. The outer error says
    /// it panicked or hung.
    fn import(
        &self,
        entity: Entity,
        bytes: &[u8],
        source: SourceOptions,
        limit: Duration,
    ) -> Result<suanpan::Result<ImportReport>, String> {
        let path = self.dir.path().join("hostile.csv");
        std::fs::write(&path, bytes).expect("write the file");
        let (db, owner, handle) = (self.company.db.clone(), self.company.owner.clone(), self.runtime.handle().clone());
        let (done, outcome) = std::sync::mpsc::channel();
        let panics_before = PANICS.load(Ordering::SeqCst);
        std::thread::spawn(move || {
            let options = ImportOptions { source, ..Default::default() };
            // The window previews a file before importing it: the preview must stand it too.
            match import::preview(entity, &path, &options, 20) {
                Err(error) if !error.is_user_error() => panic!("previewing: a fault, not a clear error: {error:?}"),
                _ => {}
            }
            let _ = done.send(handle.block_on(import::import_file(&db, &owner, entity, &path, options)));
        });
        let result = match outcome.recv_timeout(limit) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => return Err(format!("no answer within {limit:?}: a hang")),
            Err(RecvTimeoutError::Disconnected) => return Err("the import panicked".into()),
        };
        if PANICS.load(Ordering::SeqCst) != panics_before {
            return Err("a thread panicked during the import".into());
        }
        Ok(result)
    }

    /// Imports the file and judges the outcome; a correct import is undone again, so every case starts
    /// from the same company.
    fn check(&self, entity: Entity, bytes: &[u8], source: SourceOptions, limit: Duration) -> Outcome {
        let before = self.counts();
        let outcome = self.import(entity, bytes, source, limit).unwrap_or_else(|why| panic!("{entity:?}: {why}"));
        let after = self.counts();
        let report = match outcome {
            Err(error) => {
                assert!(error.is_user_error(), "{entity:?}: a fault, not a clear error: {error:?}");
                assert!(!error.code().is_empty() && !error.to_string().is_empty());
                assert_eq!(before, after, "{entity:?}: refused with {error}, yet something was written");
                return Outcome::Refused(error);
            }
            Ok(report) => report,
        };
        if !report.errors.is_empty() {
            assert_eq!(report.batch_id, None);
            assert_eq!(before, after, "{entity:?}: {} bad rows, yet something was written", report.errors.len());
            let lines = bytes.iter().filter(|b| **b == b'\n' || **b == b'\r').count() as u64 + 1;
            for error in &report.errors {
                assert!(error.line >= 2 && error.line <= lines, "{entity:?}: line {} of {lines}", error.line);
                assert!(
                    error.column.is_empty() || report.headers.contains(&error.column),
                    "{entity:?}: column '{}' is none of the file's",
                    error.column
                );
                assert!(!error.message.is_empty() && !error.reason.is_empty());
            }
            return Outcome::Reported(report);
        }
        let batch = report.batch_id.unwrap_or_else(|| panic!("{entity:?}: no errors and no batch: {report:?}"));
        assert_eq!(report.inserted + report.updated + report.skipped, report.rows, "{entity:?}: every row counted");
        let grew = |table: &str| {
            let at = TABLES.iter().position(|t| *t == table).expect("a counted table");
            (after[at] - before[at]) as u64
        };
        let written = match entity {
            Entity::Customers => grew("customers"),
            Entity::Contacts => grew("contacts"),
            _ => grew("order_lines"),
        };
        assert_eq!(written, report.inserted, "{entity:?}: what the report says was inserted is there");
        self.runtime
            .block_on(import::undo(&self.company.db, &self.company.owner, batch))
            .unwrap_or_else(|e| panic!("{entity:?}: undoing the import: {e}"));
        let undone = self.counts();
        assert_eq!(before[..7], undone[..7], "{entity:?}: the undo took back every record");
        Outcome::Imported(report)
    }
}

#[derive(Debug)]
enum Outcome {
    Refused(suanpan::Error),
    Reported(ImportReport),
    Imported(ImportReport),
}

const LIMIT: Duration = Duration::from_secs(30);
const ENTITIES: [Entity; 3] = [Entity::Customers, Entity::Contacts, Entity::Orders];

/// Row `i` of a good file.
type GoodRow = fn(usize) -> Vec<String>;

/// The headers of each entity's file, in English and in Chinese, and a good row `i` for them.
fn good_file(entity: Entity, chinese: bool) -> (Vec<&'static str>, GoodRow) {
    match (entity, chinese) {
        (Entity::Customers, false) => (vec!["code", "name", "phone"], |i| {
            vec![format!("H{i}"), format!("客户{i}"), format!("1390000{:04}", i % 10_000)]
        }),
        (Entity::Customers, true) => (vec!["客户编号", "客户名称", "电话"], |i| {
            vec![format!("H{i}"), format!("客户{i}"), format!("1390000{:04}", i % 10_000)]
        }),
        (Entity::Contacts, false) => {
            (vec!["customer_code", "name", "title"], |i| vec!["C1".into(), format!("联系人{i}"), "经理".into()])
        }
        (Entity::Contacts, true) => {
            (vec!["客户编号", "联系人", "职务"], |i| vec!["C2".into(), format!("联系人{i}"), "经理".into()])
        }
        (_, false) => (vec!["order_no", "order_date", "customer_code", "sku", "quantity", "unit_price"], |i| {
            vec![format!("HS{}", i / 2), "2024-03-01".into(), "C1".into(), "P1".into(), "2".into(), "168.00".into()]
        }),
        (_, true) => (vec!["订单号", "订单日期", "客户编号", "商品编号", "数量", "单价"], |i| {
            vec![format!("HS{}", i / 2), "2024/3/1".into(), "C1".into(), "P1".into(), "1.5".into(), "168".into()]
        }),
    }
}

/// What a hostile field may be: the characters that break CSV code, NUL, quotes that never close,
/// Excel's `="…"`, a byte-order mark in the middle, or any text at all.
fn hostile_field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("\0".to_string()),
        Just("a\0b".to_string()),
        Just("\"".to_string()),
        Just("\"unclosed".to_string()),
        Just("mid\"quote".to_string()),
        Just("=\"001\"".to_string()),
        Just("\r".to_string()),
        Just("\n".to_string()),
        Just("\u{FEFF}".to_string()),
        Just("\u{FFFD}".to_string()),
        Just(" ,;\t ".to_string()),
        "(?s).{0,40}",
    ]
}

/// How the text becomes bytes: as each program writes it, or wrongly.
#[derive(Debug, Clone, Copy)]
enum Bytes {
    Utf8,
    Utf8Bom,
    Gbk,
    /// GBK bytes, with the user saying they are UTF-8.
    GbkClaimedUtf8,
    /// UTF-8 bytes, with the user saying they are GBK.
    Utf8ClaimedGbk,
    /// UTF-16 as Windows writes it, but without the byte-order mark that says so.
    Utf16LeWithoutBom,
    /// UTF-16 with its mark and a lone surrogate (half a character) inserted.
    Utf16LeLoneSurrogate,
    Utf16Be,
}

fn bytes_kind() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        Just(Bytes::Utf8),
        Just(Bytes::Utf8Bom),
        Just(Bytes::Gbk),
        Just(Bytes::GbkClaimedUtf8),
        Just(Bytes::Utf8ClaimedGbk),
        Just(Bytes::Utf16LeWithoutBom),
        Just(Bytes::Utf16LeLoneSurrogate),
        Just(Bytes::Utf16Be),
    ]
}

fn encode(text: &str, kind: Bytes, at: usize) -> (Vec<u8>, Option<Encoding>) {
    let utf16 = |units: Vec<u16>, big: bool| -> Vec<u8> {
        units.into_iter().flat_map(|u| if big { u.to_be_bytes() } else { u.to_le_bytes() }).collect()
    };
    match kind {
        Bytes::Utf8 => (text.as_bytes().to_vec(), None),
        Bytes::Utf8Bom => ([&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(), None),
        Bytes::Gbk => (GB18030.encode(text).0.into_owned(), None),
        Bytes::GbkClaimedUtf8 => (GB18030.encode(text).0.into_owned(), Some(Encoding::Utf8)),
        Bytes::Utf8ClaimedGbk => (text.as_bytes().to_vec(), Some(Encoding::Gb18030)),
        Bytes::Utf16LeWithoutBom => (utf16(text.encode_utf16().collect(), false), None),
        Bytes::Utf16LeLoneSurrogate => {
            let mut units: Vec<u16> = std::iter::once(0xFEFF).chain(text.encode_utf16()).collect();
            units.insert(1 + at % units.len(), 0xD800);
            (utf16(units, false), None)
        }
        Bytes::Utf16Be => (utf16(std::iter::once(0xFEFF).chain(text.encode_utf16()).collect(), true), None),
    }
}

/// A file shaped like a spreadsheet's CSV, then damaged: good rows with hostile fields among them, rows
/// too short or too long, blank lines, any line end, any delimiter, any encoding.
#[derive(Debug, Clone)]
struct Shape {
    entity: usize,
    chinese: bool,
    /// (row index, field index, hostile text): fields replaced after the rows are laid out.
    damage: Vec<(usize, usize, String)>,
    rows: usize,
    /// Rows whose field count is changed by this much.
    ragged: Vec<(usize, i8)>,
    blank_lines: Vec<usize>,
    quote_every_field: bool,
    line_end: &'static str,
    delimiter: char,
    bytes: Bytes,
    at: usize,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        (0..ENTITIES.len(), any::<bool>(), 0usize..12),
        proptest::collection::vec((0usize..12, 0usize..8, hostile_field()), 0..4),
        proptest::collection::vec((0usize..12, -3i8..4), 0..2),
        proptest::collection::vec(0usize..14, 0..3),
        (
            any::<bool>(),
            prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
            prop_oneof![Just(','), Just(';'), Just('\t')],
        ),
        (bytes_kind(), any::<usize>()),
    )
        .prop_map(
            |((entity, chinese, rows), damage, ragged, blank_lines, (quote, line_end, delimiter), (bytes, at))| Shape {
                entity,
                chinese,
                damage,
                rows,
                ragged,
                blank_lines,
                quote_every_field: quote,
                line_end,
                delimiter,
                bytes,
                at,
            },
        )
}

impl Shape {
    fn text(&self) -> String {
        let (headers, good_row) = good_file(ENTITIES[self.entity], self.chinese);
        let mut table: Vec<Vec<String>> = vec![headers.iter().map(|h| h.to_string()).collect()];
        table.extend((0..self.rows).map(good_row));
        for (row, field, text) in &self.damage {
            if let Some(cell) = table.get_mut(row % (self.rows + 1)).and_then(|r| r.get_mut(*field)) {
                *cell = text.clone();
            }
        }
        for (row, change) in &self.ragged {
            if let Some(row) = table.get_mut(1 + row % self.rows.max(1)) {
                let len = (row.len() as i64 + i64::from(*change)).max(0) as usize;
                row.resize(len, "多".into());
            }
        }
        let mut lines: Vec<String> = table
            .iter()
            .map(|row| {
                let cells: Vec<String> = row
                    .iter()
                    .map(|c| if self.quote_every_field { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.clone() })
                    .collect();
                cells.join(&self.delimiter.to_string())
            })
            .collect();
        for at in &self.blank_lines {
            lines.insert(at % (lines.len() + 1), String::new());
        }
        lines.iter().map(|l| format!("{l}{}", self.line_end)).collect()
    }
}

/// A runner of `cases` cases, or of `PROPTEST_CASES` for a longer hunt.
fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    let failures = FileFailurePersistence::Direct("proptest-regressions/import_hostile.txt");
    TestRunner::new(Config { cases, failure_persistence: Some(Box::new(failures)), ..Config::default() })
}

#[test]
fn spreadsheet_shaped_files_damaged_every_way_import_whole_or_are_refused_clearly() {
    let bench = Bench::new();
    let imported = std::cell::Cell::new(0);
    runner(64)
        .run(&shape(), |shape| {
            let (bytes, encoding) = encode(&shape.text(), shape.bytes, shape.at);
            let source = SourceOptions { encoding, delimiter: None };
            if let Outcome::Imported(_) = bench.check(ENTITIES[shape.entity], &bytes, source, LIMIT) {
                imported.set(imported.get() + 1);
            }
            Ok::<(), TestCaseError>(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
    assert!(imported.get() > 0, "some damaged files are still whole enough to import");
}

#[test]
fn any_bytes_at_all_are_refused_clearly_or_reported_row_by_row() {
    let bench = Bench::new();
    let bytes = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..3_000),
        // A good header, then garbage: the rows are read and judged, not just the header.
        proptest::collection::vec(any::<u8>(), 0..3_000).prop_map(|tail| [&b"code,name,phone\n"[..], &tail].concat()),
        proptest::collection::vec(any::<u8>(), 0..3_000)
            .prop_map(|tail| [&b"customer_code,name\n"[..], &tail].concat()),
        proptest::collection::vec(any::<u8>(), 0..3_000)
            .prop_map(|tail| { [&b"order_no,order_date,customer_code,sku,quantity,unit_price\n"[..], &tail].concat() }),
    ];
    let encoding = proptest::option::of(prop_oneof![
        Just(Encoding::Utf8),
        Just(Encoding::Gb18030),
        Just(Encoding::Utf16Le),
        Just(Encoding::Utf16Be),
    ]);
    runner(48)
        .run(&(bytes, 0..ENTITIES.len(), encoding), |(bytes, entity, encoding)| {
            bench.check(ENTITIES[entity], &bytes, SourceOptions { encoding, delimiter: None }, LIMIT);
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}

fn refused(outcome: Outcome) -> suanpan::Error {
    match outcome {
        Outcome::Refused(error) => error,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn empty_files_blank_lines_and_a_header_alone_are_refused_naming_the_file() {
    let bench = Bench::new();
    for entity in ENTITIES {
        let (headers, _) = good_file(entity, false);
        for text in [String::new(), "\n\n\r\n  \n".into(), format!("{}\n", headers.join(",")), headers.join(",")] {
            let error = refused(bench.check(entity, text.as_bytes(), SourceOptions::default(), LIMIT));
            assert!(matches!(error, suanpan::Error::BadFile { .. }), "{entity:?} {text:?}: {error:?}");
        }
    }
}

#[test]
fn a_five_megabyte_field_is_refused_on_its_line() {
    let bench = Bench::new();
    let huge = "鼎".repeat(5 * 1024 * 1024 / 3);
    let half = "鼎".repeat(5 * 1024 * 1024 / 6);
    // Unquoted in the second column, or quoted across two lines in the first; orders both ways, as a
    // file this large is loaded in bulk.
    let cases = [
        (Entity::Customers, false, 1),
        (Entity::Contacts, true, 0),
        (Entity::Orders, false, 1),
        (Entity::Orders, true, 0),
    ];
    for (entity, quoted, column) in cases {
        let (headers, good_row) = good_file(entity, false);
        let mut text = format!("{}\n", headers.join(","));
        for i in 0..3 {
            let mut row = good_row(i);
            if i == 1 {
                row[column] = if quoted { format!("\"{half}\n{half}\"") } else { huge.clone() };
            }
            text.push_str(&row.join(","));
            text.push('\n');
        }
        match bench.check(entity, text.as_bytes(), SourceOptions::default(), Duration::from_secs(120)) {
            Outcome::Reported(report) => {
                let lines: Vec<(u64, &str)> = report.errors.iter().map(|e| (e.line, e.column.as_str())).collect();
                assert_eq!(lines, [(3, headers[column])], "{entity:?}");
            }
            other => panic!("{entity:?}: a five-megabyte {} is refused on its line: {other:?}", headers[column]),
        }
    }
}

#[test]
fn ten_thousand_columns_are_read_and_the_unknown_ones_ignored() {
    let bench = Bench::new();
    for entity in ENTITIES {
        let (headers, good_row) = good_file(entity, false);
        let extra = 10_000 - headers.len();
        let mut text = headers.join(",");
        (0..extra).for_each(|i| text.push_str(&format!(",x{i}")));
        text.push('\n');
        for i in 0..4 {
            text.push_str(&good_row(i).join(","));
            text.push_str(&",多".repeat(extra));
            text.push('\n');
        }
        match bench.check(entity, text.as_bytes(), SourceOptions::default(), Duration::from_secs(120)) {
            Outcome::Imported(report) => {
                assert_eq!(report.rows, 4, "{entity:?}");
                assert_eq!(report.ignored_columns.len(), extra, "{entity:?}");
            }
            other => panic!("{entity:?}: {other:?}"),
        }
    }
}

#[test]
fn old_mac_files_with_cr_alone_between_lines_import_with_their_line_numbers() {
    let bench = Bench::new();
    let good = "code,name,phone\rH1,上海鼎盛,13900001111\rH2,广州华丰,13900002222\r";
    match bench.check(Entity::Customers, good.as_bytes(), SourceOptions::default(), LIMIT) {
        Outcome::Imported(report) => assert_eq!((report.rows, report.inserted), (2, 2)),
        other => panic!("{other:?}"),
    }
    let (gbk, _, _) = GB18030.encode("客户编号,客户名称\rH1,上海鼎盛\r\rH2,\r");
    match bench.check(Entity::Customers, &gbk, SourceOptions::default(), LIMIT) {
        Outcome::Reported(report) => {
            assert_eq!(report.encoding, "GB18030");
            let lines: Vec<(u64, &str)> = report.errors.iter().map(|e| (e.line, e.column.as_str())).collect();
            assert_eq!(lines, [(4, "客户名称")], "the blank line counts: H2 is on line 4");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_file_on_disk_the_importer_cannot_read_is_an_io_error() {
    let bench = Bench::new();
    let missing = Path::new("/nonexistent/hostile.csv");
    let outcome = bench.runtime.block_on(import::import_file(
        &bench.company.db,
        &bench.company.owner,
        Entity::Customers,
        missing,
        ImportOptions::default(),
    ));
    assert!(matches!(outcome, Err(suanpan::Error::Io { .. })), "{outcome:?}");
}
