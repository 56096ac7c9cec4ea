//! Text that a spreadsheet would run as a formula leaves in exports and error files quoted, and imports back as it was.

mod common;

use std::path::Path;

use common::company;
use suanpan::io::csv_source::{CsvSource, SourceOptions};
use suanpan::io::export;
use suanpan::io::import::{self, Entity, ImportOptions, Mode};

const FORMULAS: [&str; 4] = ["=HYPERLINK(\"x\")", "@SUM(1)", "+1", "-2+3"];

async fn names(c: &common::Company) -> Vec<String> {
    common::customer_names(&c.db, &c.owner).await
}

/// Every field of every line of `file` as a spreadsheet reads it, without the importer's help.
fn raw_cells(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    reader.records().flat_map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>()).collect()
}

#[tokio::test]
async fn an_export_quotes_formula_names_and_imports_back_unchanged() {
    let c = company().await;
    for name in FORMULAS {
        c.add(&c.owner, name, "").await;
    }
    c.add(&c.owner, "上海鼎盛", "").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("customers.csv");
    export::export_csv(&c.db, &c.owner, Entity::Customers, &file).await.unwrap();

    let cells = raw_cells(&file);
    for name in FORMULAS {
        assert!(cells.contains(&format!("'{name}")), "{name} is written as text: {cells:?}");
    }
    let running: Vec<&String> = cells.iter().filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r'])).collect();
    assert!(running.is_empty(), "no cell starts like a formula: {running:?}");
    assert!(cells.contains(&"上海鼎盛".to_string()), "other text is left alone");

    let other = company().await;
    let report = import::import_file(
        &other.db,
        &other.owner,
        Entity::Customers,
        &file,
        ImportOptions { mode: Mode::Insert, ..Default::default() },
    )
    .await
    .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(names(&other).await, names(&c).await, "the same names come back");
}

#[tokio::test]
async fn the_error_file_quotes_formulas_and_reads_back_as_the_rows_were() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.csv");
    std::fs::write(
        &file,
        "code,name,birthday\nC1,\"=HYPERLINK(\"\"x\"\")\",1990-02-30\nC2,@SUM(1),1990-02-31\nC3,+1,not a day\n",
    )
    .unwrap();
    let options = ImportOptions { mode: Mode::Insert, ..Default::default() };
    let report = import::import_file(&c.db, &c.owner, Entity::Customers, &file, options).await.unwrap();
    assert_eq!(report.bad_rows.len(), 3, "{:?}", report.errors);
    let errors = dir.path().join("errors.csv");
    import::write_error_csv(&report, &errors).unwrap();

    let cells = raw_cells(&errors);
    for name in ["'=HYPERLINK(\"x\")", "'@SUM(1)", "'+1"] {
        assert!(cells.contains(&name.to_string()), "{name}: {cells:?}");
    }
    let mut source = CsvSource::open(&errors, SourceOptions::default()).unwrap();
    for bad in &report.bad_rows {
        let row = source.next_row().unwrap().unwrap();
        assert_eq!(row.fields[..bad.fields.len()], bad.fields[..], "line {}", bad.line);
    }
}
