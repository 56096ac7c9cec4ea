//! Issue 4's figures: confirming an order of 50 lines, and the orders list over 1,000,000 order lines
//! (first page, a deep page, filters), and a customer's timeline of 5,000 events; besides, the pipeline
//! board, the forecast and the expense breakdown over 100,000 opportunities and 200,000 expenses.
//!
//! `cargo bench --bench orders`; the company (5,000 customers, 500 products, a million lines in
//! ~250,000 orders) is imported once and kept in `target/bench-data/` (delete it to regenerate).

use std::path::PathBuf;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use suanpan::io::import::{self, Entity, ImportOptions};
use suanpan::sales::expenses::{self, ExpenseBy, ExpenseQuery};
use suanpan::sales::order_list::{self, OrderQuery};
use suanpan::sales::orders::{self, OrderInput, OrderLineInput, OrderStatus};
use suanpan::sales::pipeline::{self, OpportunityQuery, OpportunityStatus};
use suanpan::sales::timeline;
use suanpan::{Actor, Db, auth, users};
use tokio::runtime::Runtime;

#[path = "data/mod.rs"]
mod data;

const LINES: usize = 1_000_000;

fn company(runtime: &Runtime) -> (Db, Actor) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench data folder");
    let kept = dir.join("orders-1m.sqlite");
    runtime.block_on(async {
        if !kept.exists() {
            let started = std::time::Instant::now();
            let (db, _) = Db::open(&kept).await.expect("open");
            let owner = users::create_owner(&db, "boss", "老板", "secret-123").await.expect("owner");
            let files = tempfile::tempdir().expect("temp dir");
            let (customers, products) = data::write_reference_files(files.path());
            let lines = files.path().join("orders.csv");
            data::write_orders_file(&lines, LINES);
            for (entity, file) in
                [(Entity::Customers, customers), (Entity::Products, products), (Entity::Orders, lines)]
            {
                let report =
                    import::import_file(&db, &owner, entity, &file, ImportOptions::default()).await.expect("import");
                assert!(report.errors.is_empty(), "{:?}", report.errors.first());
            }
            sqlx::query("UPDATE warehouses SET allow_negative = 1").execute(db.pool()).await.expect("warehouse");
            db.close().await;
            eprintln!("imported {LINES} order lines in {:.1?}", started.elapsed());
        }
        // Confirming writes: work on a copy, so the kept company stays as it was.
        let copy = dir.join("orders-1m-run.sqlite");
        for stale in ["orders-1m-run.sqlite-wal", "orders-1m-run.sqlite-shm"] {
            let _ = std::fs::remove_file(dir.join(stale));
        }
        std::fs::copy(&kept, &copy).expect("copy");
        let (db, _) = Db::open(&copy).await.expect("open");
        let owner = auth::login(&db, "boss", "secret-123").await.expect("owner");
        (db, owner)
    })
}

fn bench(c: &mut Criterion) {
    let runtime = Runtime::new().expect("runtime");
    let (db, owner) = company(&runtime);
    let lines: i64 =
        runtime.block_on(sqlx::query_scalar("SELECT count(*) FROM order_lines").fetch_one(db.pool())).expect("count");
    assert!(lines >= LINES as i64, "{lines} lines");

    let mut group = c.benchmark_group("orders_1m_lines");
    group.sample_size(30).measurement_time(Duration::from_secs(4));
    let fifty = OrderInput {
        customer_code: "C000042".into(),
        lines: (1..=50)
            .map(|i| OrderLineInput { sku: format!("P{i:04}"), quantity: "2.5".into(), ..Default::default() })
            .collect(),
        ..Default::default()
    };
    group.bench_function("confirm_order_of_50_lines", |b| {
        b.iter_batched(
            || runtime.block_on(orders::create(&db, &owner, &fifty)).expect("draft").id,
            |id| runtime.block_on(orders::confirm(&db, &owner, id)).expect("confirm"),
            BatchSize::PerIteration,
        )
    });
    let customer = runtime
        .block_on(sqlx::query_scalar::<_, i64>("SELECT id FROM customers WHERE code = 'C000777'").fetch_one(db.pool()))
        .expect("customer");
    let product = runtime
        .block_on(sqlx::query_scalar::<_, i64>("SELECT id FROM products WHERE sku = 'P0123'").fetch_one(db.pool()))
        .expect("product");
    let queries = [
        ("first_page", OrderQuery::default()),
        ("page_at_200000", OrderQuery { offset: 200_000, ..Default::default() }),
        ("filter_customer", OrderQuery { customer_id: Some(customer), ..Default::default() }),
        (
            "filter_status_and_month",
            OrderQuery {
                status: Some(OrderStatus::Confirmed),
                from: Some("2023-03-01".into()),
                to: Some("2023-03-31".into()),
                ..Default::default()
            },
        ),
        ("filter_product", OrderQuery { product_id: Some(product), ..Default::default() }),
        ("search_order_number", OrderQuery { text: "SO0012345".into(), ..Default::default() }),
        ("search_customer_name", OrderQuery { text: "客户777有限".into(), ..Default::default() }),
    ];
    // A customer with 5,000 activities besides their orders: the timeline's first page.
    runtime
        .block_on(
            sqlx::query(
                "INSERT INTO activities (activity_date, customer_id, operator_id, kind, minutes, subject, created_at)
                 SELECT date('2022-01-01', '+' || (value % 1500) || ' days'), ?, 1, 'call', 10, '电话回访 ' || value, 'now'
                 FROM generate_series(1, 5000)",
            )
            .bind(customer)
            .execute(db.pool()),
        )
        .map(|_| ())
        .or_else(|_| {
            // Without the series extension: one statement per activity.
            runtime.block_on(async {
                for n in 0..5_000 {
                    sqlx::query(
                        "INSERT INTO activities (activity_date, customer_id, operator_id, kind, minutes, subject, created_at)
                         VALUES (date('2022-01-01', '+' || (? % 1500) || ' days'), ?, 1, 'call', 10, '电话回访', 'now')",
                    )
                    .bind(n)
                    .bind(customer)
                    .execute(db.pool())
                    .await?;
                }
                Ok::<(), sqlx::Error>(())
            })
        })
        .expect("activities");
    let events = runtime.block_on(timeline::timeline(&db, &owner, customer, 0, None)).expect("timeline");
    assert!(events.total >= 5_000, "{} events", events.total);
    group.bench_function("timeline_of_5000_events", |b| {
        b.iter(|| runtime.block_on(timeline::timeline(&db, &owner, customer, 0, None)).expect("timeline"))
    });
    for (name, query) in &queries {
        let page = runtime.block_on(order_list::list(&db, &owner, query)).expect("list");
        assert!(!page.rows.is_empty(), "{name} found nothing");
        group.bench_function(*name, |b| {
            b.iter(|| runtime.block_on(order_list::list(&db, &owner, query)).expect("list"))
        });
    }
    group.finish();

    // 100,000 deals over four years (one in twenty still open) and 200,000 expenses, written in SQL.
    runtime
        .block_on(async {
            sqlx::query(
                "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 100000)
                 INSERT INTO opportunities (code, customer_id, salesperson_id, name, amount, stage_id, probability,
                     expected_close, status, closed_on, lost_reason_id, created_on, updated_at)
                 SELECT 'B' || v, 1 + v % 5000, 1, '商机 ' || v, 100000 + v % 977 * 10000, 1 + v % 5, (1 + v % 5) * 15,
                     date('2026-12-01', '-' || (v % 1400) || ' days'),
                     CASE WHEN v % 20 = 0 THEN 'open' WHEN v % 2 = 0 THEN 'won' ELSE 'lost' END,
                     CASE WHEN v % 20 = 0 THEN NULL ELSE date('2026-11-20', '-' || (v % 1400) || ' days') END,
                     CASE WHEN v % 20 <> 0 AND v % 2 = 1 THEN 1 + v % 6 END, '2022-01-01', 'now'
                 FROM n",
            )
            .execute(db.pool())
            .await?;
            sqlx::query(
                "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 200000)
                 INSERT INTO expenses (expense_date, salesperson_id, customer_id, category_id, amount, created_at)
                 SELECT date('2026-11-20', '-' || (v % 1400) || ' days'), 1, CASE WHEN v % 3 > 0 THEN 1 + v % 5000 END,
                     1 + v % 8, 1000 + v % 97 * 100, 'now'
                 FROM n",
            )
            .execute(db.pool())
            .await
        })
        .expect("deals and expenses");
    let mut group = c.benchmark_group("pipeline_100k_deals");
    group.sample_size(30).measurement_time(Duration::from_secs(4));
    let board = runtime.block_on(pipeline::board(&db, &owner, None)).expect("board");
    assert!(board.iter().map(|column| column.count).sum::<i64>() >= 5_000);
    group.bench_function("board", |b| b.iter(|| runtime.block_on(pipeline::board(&db, &owner, None)).expect("board")));
    let from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1);
    group.bench_function("forecast_12_months", |b| {
        b.iter(|| runtime.block_on(pipeline::forecast(&db, &owner, from, 12)).expect("forecast"))
    });
    let open = OpportunityQuery { status: Some(OpportunityStatus::Open), ..Default::default() };
    group.bench_function("open_deals_first_page", |b| {
        b.iter(|| runtime.block_on(pipeline::list(&db, &owner, &open)).expect("list"))
    });
    let year = ExpenseQuery { from: Some("2025-01-01".into()), to: Some("2025-12-31".into()), ..Default::default() };
    group.bench_function("expenses_of_a_year_by_category", |b| {
        b.iter(|| runtime.block_on(expenses::breakdown(&db, &owner, &year, ExpenseBy::Category)).expect("breakdown"))
    });
    group.bench_function("expenses_first_page_with_sum", |b| {
        b.iter(|| runtime.block_on(expenses::list(&db, &owner, &ExpenseQuery::default())).expect("list"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
