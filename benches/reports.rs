//! Issue 12's figures: every report over a company of 1,000,000 order lines and 50,000 customers, in
//! the engine (release, medians), side by side in one run with DuckDB computing the same figures over
//! the same rows (`benches/data/reports_duckdb.py`, when the Python `duckdb` package is there).
//!
//! `RUNS=5 cargo bench --bench reports`; the company is imported once and kept in `target/bench-data/`
//! (delete it to regenerate).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use suanpan::io::import::{self, Entity, ImportOptions};
use suanpan::reports::{self, ReportQuery};
use suanpan::{Actor, Db, auth, users};

#[path = "data/mod.rs"]
mod data;

const LINES: usize = 1_000_000;
const CUSTOMERS: usize = 50_000;

fn main() {
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(5);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench data folder");
    let kept = dir.join("reports-1m.sqlite");
    let (db, boss, salesperson) = runtime.block_on(company(&kept));

    let month = ReportQuery::default();
    let year_2023 = ReportQuery {
        from: Some("2023-01-01".parse().expect("date")),
        to: Some("2023-12-31".parse().expect("date")),
        ..Default::default()
    };
    let cases: Vec<(&str, ReportQuery)> = vec![
        ("sales-trend", month.clone()),
        ("sales-composition", month.clone()),
        ("profit", month.clone()),
        ("sales-ranking", month.clone()),
        ("customer-value", month.clone()),
        ("customer-sources", month.clone()),
        ("new-customers", month.clone()),
        ("slow-products", month.clone()),
        ("key-customer-gifts", ReportQuery { limit: Some(50), ..year_2023.clone() }),
        ("salesperson-performance", ReportQuery { key: Some("sales3".into()), ..year_2023.clone() }),
        ("lost-orders", month.clone()),
        ("work-time", month.clone()),
        ("customer-contacts", month.clone()),
        ("expense-composition", month.clone()),
        ("expense-trend", ReportQuery { key: Some("2023".into()), ..Default::default() }),
        ("service-feedback", month.clone()),
    ];
    let mut ours: HashMap<&str, (Duration, usize)> = HashMap::new();
    for (slug, query) in &cases {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let table = runtime.block_on(reports::run(&db, &boss, slug, query)).expect("report");
            times.push(started.elapsed());
            rows = table.rows.len();
        }
        ours.insert(slug, (median(times), rows));
    }
    // A salesperson's view of the heaviest ones: the scope is part of every query.
    let mut scoped = Vec::new();
    for slug in ["sales-trend", "sales-composition", "profit", "customer-value"] {
        let mut times = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            runtime.block_on(reports::run(&db, &salesperson, slug, &month)).expect("report");
            times.push(started.elapsed());
        }
        scoped.push((slug, median(times)));
    }
    let duckdb = duckdb_figures(&kept, &dir, runs);

    println!("{LINES} order lines, {CUSTOMERS} customers; medians of {runs} (ms)");
    println!("| report | rows | Suanpan | DuckDB | Suanpan ÷ DuckDB |");
    println!("|---|---|---|---|---|");
    for (slug, _) in &cases {
        let (time, rows) = ours[slug];
        let ms = time.as_secs_f64() * 1000.0;
        match duckdb.get(*slug) {
            Some(reference) => println!("| {slug} | {rows} | {ms:.1} | {reference:.1} | {:.1}× |", ms / reference),
            None => println!("| {slug} | {rows} | {ms:.1} | | |"),
        }
    }
    for (slug, time) in scoped {
        println!("| {slug}, as salesperson sales3 | | {:.1} | | |", time.as_secs_f64() * 1000.0);
    }
}

/// The kept company, imported once: 50,000 customers with sources, 500 products, a million lines.
async fn company(kept: &Path) -> (Db, Actor, Actor) {
    if !kept.exists() {
        let started = Instant::now();
        let (db, _) = Db::open(kept).await.expect("open");
        let owner = users::create_owner(&db, "boss", "老板", "secret-123").await.expect("owner");
        let files = tempfile::tempdir().expect("temp dir");
        let (_, products) = data::write_reference_files(files.path());
        let customers = files.path().join("customers.csv");
        data::write_customers_with_sources(&customers, CUSTOMERS);
        let lines = files.path().join("orders.csv");
        data::write_orders_file_for(&lines, LINES, CUSTOMERS);
        for (entity, file) in [(Entity::Customers, customers), (Entity::Products, products), (Entity::Orders, lines)] {
            let report =
                import::import_file(&db, &owner, entity, &file, ImportOptions::default()).await.expect("import");
            assert!(report.errors.is_empty(), "{:?}", report.errors.first());
        }
        sqlx::query(
            "UPDATE users SET can_login = 1, password_hash = (SELECT password_hash FROM users WHERE username = 'boss')",
        )
        .execute(db.pool())
        .await
        .expect("passwords");
        db.close().await;
        eprintln!("imported {LINES} order lines in {:.1?}", started.elapsed());
    }
    let (db, _) = Db::open(kept).await.expect("open");
    let boss = auth::login(&db, "boss", "secret-123").await.expect("owner");
    let salesperson = auth::login(&db, "sales3", "secret-123").await.expect("salesperson");
    (db, boss, salesperson)
}

/// DuckDB's medians (ms) by report, from CSV copies of the tables written once next to the company.
fn duckdb_figures(kept: &Path, dir: &Path, runs: usize) -> HashMap<String, f64> {
    let csv_dir = dir.join("reports-1m-csv");
    if !csv_dir.join("users.csv").exists() {
        std::fs::create_dir_all(&csv_dir).expect("csv folder");
        for table in
            ["orders", "order_lines", "customers", "customer_sources", "products", "product_categories", "users"]
        {
            let out = std::fs::File::create(csv_dir.join(format!("{table}.csv"))).expect("csv");
            let status = Command::new("sqlite3")
                .arg("-header")
                .arg("-csv")
                .arg(kept)
                .arg(format!("SELECT * FROM {table}"))
                .stdout(out)
                .status();
            if !status.is_ok_and(|s| s.success()) {
                eprintln!("sqlite3 is not installed: no DuckDB reference");
                return HashMap::new();
            }
        }
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/data/reports_duckdb.py");
    let output = Command::new("python3").arg(script).arg(&csv_dir).arg(runs.to_string()).output();
    match output {
        Ok(output) if output.status.success() => String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| {
                let mut parts = line.split_whitespace();
                Some((parts.next()?.to_string(), parts.next()?.parse().ok()?))
            })
            .collect(),
        _ => {
            eprintln!("python3 with duckdb is not installed (pip install duckdb): no DuckDB reference");
            HashMap::new()
        }
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}
