//! Import and export throughput on a large file (issue 3's figures), beside SQLite's own `.import` of
//! the same file into a bare table.
//!
//! `ROWS=1000000 cargo bench --bench import` imports a million order lines (~250,000 orders) into a
//! company of 5,000 customers and 500 products; `ENTITY=customers` imports customers instead;
//! `MOVES_STOCK=1` has the orders book their stock as well. `ENTITY=activities`, `expenses` or `service`
//! import those records for the same customers; `ENTITY=contacts` two contacts for each of rows / 2
//! customers imported first; `ENTITY=products` or `suppliers` those into an empty company;
//! `ENTITY=opportunities` deals for the 5,000 customers; `ENTITY=purchases` purchase lines (four an
//! order) from 200 suppliers for the 500 products, booked into stock with `MOVES_STOCK=1`. `REFUSED=1` works for every entity but
//! orders and customers. Each run also times reading the file alone, and
//! `REFUSED=1` puts 43 bad rows into the file, to time how soon a file the import refuses is reported.
//! Default: 100,000 rows.

use std::io::Write;

use std::process::Command;
use std::time::{Duration, Instant};

use suanpan::io::csv_source::{CsvSource, SourceOptions};
use suanpan::io::export;
use suanpan::io::import::{self, Entity, ImportOptions};
use suanpan::{Db, users};

#[path = "data/mod.rs"]
mod data;
use data::{
    PURCHASE_SUPPLIERS, customers_for_contacts, write_contacts_file, write_customers_file, write_opportunities_file,
    write_orders_file, write_plain_file, write_products_file, write_purchases_file, write_reference_files,
    write_suppliers_file,
};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    // RUST_LOG=suanpan=debug shows the phases of each import.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    // RUNS=1 for a quick look; the figures are medians of 3.
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let rows: usize = std::env::var("ROWS").ok().and_then(|r| r.parse().ok()).unwrap_or(100_000);
    // MOVES_STOCK=1: the orders book their stock too (delivered ones out, confirmed ones reserved), and
    // purchases bring their goods in.
    let moves_stock = std::env::var("MOVES_STOCK").is_ok_and(|v| v == "1");
    let entity = std::env::var("ENTITY").ok().and_then(|e| Entity::parse(&e)).unwrap_or(Entity::Orders);
    let refused = std::env::var("REFUSED").is_ok_and(|v| v == "1");
    let bad_every = if refused { rows / 43 } else { 0 };
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(format!("{}.csv", entity.as_str()));
    match entity {
        Entity::Orders => write_orders_file(&file, rows),
        Entity::Customers => write_customers_file(&file, rows),
        Entity::Contacts => write_contacts_file(&file, rows, bad_every),
        Entity::Products => write_products_file(&file, rows, bad_every),
        Entity::Suppliers => write_suppliers_file(&file, rows, bad_every),
        Entity::Opportunities => write_opportunities_file(&file, rows, bad_every),
        Entity::Purchases => write_purchases_file(&file, rows, bad_every),
        Entity::Activities | Entity::Expenses | Entity::Service => {
            write_plain_file(&file, entity.as_str(), rows, bad_every)
        }
    }
    assert!(!refused || !matches!(entity, Entity::Orders | Entity::Customers));
    // Contacts belong to customers of their own: two contacts a customer.
    let contacts_customers = dir.path().join("contacts-customers.csv");
    if entity == Entity::Contacts {
        write_customers_file(&contacts_customers, customers_for_contacts(rows));
    }
    // Purchases are bought from suppliers of their own.
    let purchase_suppliers = dir.path().join("purchase-suppliers.csv");
    if entity == Entity::Purchases {
        write_suppliers_file(&purchase_suppliers, PURCHASE_SUPPLIERS, 0);
    }
    let references = write_reference_files(dir.path());
    let size = std::fs::metadata(&file).expect("file").len();
    println!("file: {rows} {} rows, {:.1} MB", entity.as_str(), size as f64 / 1e6);

    let mut sqlite_times = Vec::new();
    for run in 0..runs {
        let db = dir.path().join(format!("bare-{run}.sqlite"));
        let started = Instant::now();
        let status = Command::new("sqlite3")
            .arg(&db)
            .arg("-cmd")
            .arg(".mode csv")
            .arg(format!(".import {} lines", file.display()))
            .status();
        match status {
            Ok(s) if s.success() => sqlite_times.push(started.elapsed()),
            _ => {
                println!("sqlite3 is not installed: no baseline");
                break;
            }
        }
    }

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    // The floor for this schema: the sqlite3 shell loading the same file into Suanpan's own tables by SQL.
    let mut by_sql_times = Vec::new();
    if entity == Entity::Orders && !sqlite_times.is_empty() {
        let company = dir.path().join("references.sqlite");
        runtime.block_on(async {
            let (db, _) = Db::open(&company).await.expect("open");
            let owner = users::create_owner(&db, "boss", "老板", "secret-123").await.expect("owner");
            for (reference, path) in [(Entity::Customers, &references.0), (Entity::Products, &references.1)] {
                import::import_file(&db, &owner, reference, path, ImportOptions::default()).await.expect("import");
            }
            db.close().await;
        });
        let script = include_str!("data/orders_by_sql.sql").replace("{file}", &file.display().to_string());
        for run in 0..runs {
            let copy = dir.path().join(format!("by-sql-{run}.sqlite"));
            std::fs::copy(&company, &copy).expect("copy");
            let started = Instant::now();
            let mut shell = Command::new("sqlite3")
                .arg(&copy)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("sqlite3");
            shell.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("script");
            assert!(shell.wait().expect("sqlite3").success());
            by_sql_times.push(started.elapsed());
            let count =
                Command::new("sqlite3").arg(&copy).arg("SELECT count(*) FROM order_lines").output().expect("count");
            assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), rows.to_string(), "every line loaded by SQL");
        }
    }
    // What reading the file costs: decoding and splitting every row, nothing checked.
    let mut read_times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let mut source = CsvSource::open(&file, SourceOptions::default()).expect("open");
        let mut read = 0;
        while source.next_row().expect("row").is_some() {
            read += 1;
        }
        assert_eq!(read, rows);
        read_times.push(started.elapsed());
    }
    let mut import_times = Vec::new();
    let mut import_peaks = Vec::new();
    let mut export_times = Vec::new();
    for run in 0..runs {
        runtime.block_on(async {
            let (db, _) = Db::open(&dir.path().join(format!("company-{run}.sqlite"))).await.expect("open");
            let owner = users::create_owner(&db, "boss", "老板", "secret-123").await.expect("owner");
            let prepared = match entity {
                Entity::Customers | Entity::Products | Entity::Suppliers => vec![],
                Entity::Contacts => vec![(Entity::Customers, &contacts_customers)],
                Entity::Purchases => vec![(Entity::Products, &references.1), (Entity::Suppliers, &purchase_suppliers)],
                _ => vec![(Entity::Customers, &references.0), (Entity::Products, &references.1)],
            };
            for (reference, path) in prepared {
                let report =
                    import::import_file(&db, &owner, reference, path, ImportOptions::default()).await.expect("import");
                assert!(report.errors.is_empty(), "{:?}", report.errors.first());
            }
            // The import's own peak, apart from the company set up above.
            import::reset_peak_memory();
            let started = Instant::now();
            let options = ImportOptions { moves_stock, ..Default::default() };
            let report = import::import_file(&db, &owner, entity, &file, options).await.expect("import");
            if refused {
                assert_eq!(report.bad_rows.len(), 43, "{:?}", report.errors.first());
                assert_eq!(report.batch_id, None);
                import_times.push(started.elapsed());
                import_peaks.push(import::peak_memory_mib());
                db.close().await;
                return;
            }
            assert_eq!(report.inserted as usize, rows, "{:?}", report.errors.first());
            // Closing checkpoints the write-ahead log into the file: the import is not done before that.
            db.close().await;
            import_times.push(started.elapsed());
            import_peaks.push(import::peak_memory_mib());
            let (db, _) = Db::open(&dir.path().join(format!("company-{run}.sqlite"))).await.expect("open");
            let out = dir.path().join(format!("export-{run}.csv"));
            let started = Instant::now();
            let exported = export::export_csv(&db, &owner, entity, &out).await.expect("export");
            export_times.push(started.elapsed());
            assert_eq!(exported as usize, rows);
            db.close().await;
        });
    }
    let ours = median(import_times);
    let reading = median(read_times);
    println!("reading the file alone: median {:.2} s", reading.as_secs_f64());
    if refused {
        println!(
            "refused file (43 bad rows) reported: median {:.2} s = {:.2}× reading it (runs: {runs})",
            ours.as_secs_f64(),
            ours.as_secs_f64() / reading.as_secs_f64()
        );
        println!("peak resident memory during the import: {} MiB", import_peaks.iter().max().unwrap_or(&0));
        keep_if_asked(dir);
        return;
    }
    println!(
        "import with full validation: median {:.2} s = {:.0} rows/s (runs: {runs})",
        ours.as_secs_f64(),
        rows as f64 / ours.as_secs_f64()
    );
    if !sqlite_times.is_empty() {
        let bare = median(sqlite_times.clone());
        println!(
            "sqlite3 .import into a bare table: median {:.2} s; ours / sqlite3 = {:.1}×",
            bare.as_secs_f64(),
            ours.as_secs_f64() / bare.as_secs_f64()
        );
    }
    if !by_sql_times.is_empty() && !sqlite_times.is_empty() {
        let by_sql = median(by_sql_times);
        println!(
            "sqlite3 loading it into Suanpan's tables by SQL, unvalidated: median {:.2} s = {:.1}× its .import",
            by_sql.as_secs_f64(),
            by_sql.as_secs_f64() / median(sqlite_times.clone()).as_secs_f64()
        );
    }
    println!("export to CSV: median {:.2} s", median(export_times).as_secs_f64());
    println!("peak resident memory during the import: {} MiB", import_peaks.iter().max().unwrap_or(&0));
    keep_if_asked(dir);
}

/// KEEP=1 leaves the files and companies for a look afterwards (a refused file's company holds what it
/// was imported for, the file not).
fn keep_if_asked(dir: tempfile::TempDir) {
    if std::env::var("KEEP").is_ok_and(|v| v == "1") {
        println!("kept: {}", dir.keep().display());
    }
}
