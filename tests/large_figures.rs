//! Figures too large for their field or for 64 bits: a clear field error naming what is too large, and
//! nothing written; never a wrapped or saturated amount (issue 10: an imported line of 900,000,000,000 ×
//! 900,000,000,000 was stored as 92,233,720,368,547,758.07).

mod common;

use std::path::{Path, PathBuf};

use common::{Company, company};
use suanpan::crm::customers::{self, CustomerInput};
use suanpan::error::Reason;
use suanpan::inventory::purchases::{self, PurchaseInput, PurchaseLineInput};
use suanpan::io::import::{self, Entity, ImportReport};
use suanpan::sales::orders::{self, OrderInput, OrderLineInput};
use suanpan::{Error, Money};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

/// A company with customer C1, the fixture's products (P001…P003) and suppliers (S001, S002).
async fn trading_company() -> Company {
    let c = company().await;
    let input =
        CustomerInput { code: "C1".into(), name: "上海鼎盛贸易有限公司".into(), ..Default::default() };
    customers::create(&c.db, &c.owner, &input).await.unwrap();
    for (entity, file) in [(Entity::Products, "products_gbk.csv"), (Entity::Suppliers, "suppliers.csv")] {
        let report = import::import_file(&c.db, &c.owner, entity, &fixture(file), Default::default()).await.unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
    }
    c
}

async fn import_text(c: &Company, entity: Entity, text: &str) -> ImportReport {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.csv");
    std::fs::write(&path, text).unwrap();
    import::import_file(&c.db, &c.owner, entity, &path, Default::default()).await.expect("import runs")
}

async fn count(c: &Company, table: &str) -> i64 {
    let sql = format!("SELECT count(*) FROM {table}");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(c.db.pool()).await.unwrap()
}

/// The (field, reason code) pairs of a refused form.
fn field_reasons(error: Error) -> Vec<(&'static str, &'static str)> {
    error.field_errors().into_iter().map(|f| (f.field, f.reason.code())).collect()
}

/// The (column, reason) pairs of an import's row errors.
fn row_reasons(report: &ImportReport) -> Vec<(u64, &str, &str)> {
    report.errors.iter().map(|e| (e.line, e.column.as_str(), e.reason)).collect()
}

const ORDERS_HEADER: &str =
    "order_no,order_date,customer_code,salesperson,sku,quantity,unit_price,unit_cost,due_date,status\n";

fn order_line(quantity: &str, price: &str) -> OrderLineInput {
    OrderLineInput { sku: "P001".into(), quantity: quantity.into(), unit_price: price.into(), ..Default::default() }
}

fn order(lines: Vec<OrderLineInput>) -> OrderInput {
    OrderInput { customer_code: "C1".into(), lines, ..Default::default() }
}

#[tokio::test]
async fn an_imported_line_of_900_billion_by_900_billion_names_quantity_and_price_and_writes_nothing() {
    let c = trading_company().await;
    let report = import_text(
        &c,
        Entity::Orders,
        &format!("{ORDERS_HEADER}SO1,2024-03-15,C1,,P001,900000000000,900000000000,,,\n"),
    )
    .await;
    assert_eq!(row_reasons(&report), [(2, "quantity", "too_large"), (2, "unit_price", "too_large")]);
    let params: Vec<_> = report.errors.iter().map(|e| e.params.clone()).collect();
    assert_eq!(params[0], serde_json::json!({ "value": "900000000000", "max": "1000000000" }));
    assert_eq!(params[1], serde_json::json!({ "value": "900000000000", "max": "100000000000.00" }));
    assert_eq!((count(&c, "orders").await, count(&c, "order_lines").await), (0, 0));
}

#[tokio::test]
async fn the_same_line_in_the_order_form_is_a_field_error_and_nothing_is_written() {
    let c = trading_company().await;
    let error =
        orders::create(&c.db, &c.owner, &order(vec![order_line("900000000000", "900000000000")])).await.unwrap_err();
    assert_eq!(field_reasons(error), [("quantity", "too_large"), ("unit_price", "too_large")]);
    // Each figure within its bound, their product beyond 64 bits: the amount is refused, not saturated.
    let error =
        orders::create(&c.db, &c.owner, &order(vec![order_line("1000000000", "100000000000")])).await.unwrap_err();
    let Error::Invalid { field: "amount", reason: Reason::TooLarge { value, .. } } = error else { panic!("{error:?}") };
    assert_eq!(value, "100000000000000000000.00");
    assert_eq!(count(&c, "orders").await, 0);
}

#[tokio::test]
async fn totals_of_lines_at_the_bound_are_exact_or_refused_never_wrapped() {
    let c = trading_company().await;
    // A hundred lines at the largest price: exact.
    let lines = (0..100).map(|_| order_line("1", "100000000000")).collect();
    let placed = orders::create(&c.db, &c.owner, &order(lines)).await.unwrap();
    assert_eq!(placed.total, Money::from_minor(100 * 10_000_000_000_000));

    // Two lines of 5 × 10^18 cents each fit; their total does not.
    let half = || order_line("500000", "100000000000");
    let error = orders::create(&c.db, &c.owner, &order(vec![half(), half()])).await.unwrap_err();
    let Error::Invalid { field: "total", reason: Reason::TooLarge { value, max } } = error else { panic!("{error:?}") };
    assert_eq!((value.as_str(), max.as_str()), ("100000000000000000.00", "92233720368547758.07"));
    assert_eq!(count(&c, "orders").await, 1);

    // The same order imported: the second line is the one refused, and nothing is written.
    let row = "SO9,2024-03-15,C1,,P001,500000,100000000000,,,\n";
    let report = import_text(&c, Entity::Orders, &format!("{ORDERS_HEADER}{row}{row}")).await;
    assert_eq!(row_reasons(&report), [(3, "unit_price", "too_large")]);
    assert_eq!(report.errors[0].params["value"], "100000000000000000.00");
    assert_eq!((count(&c, "orders").await, count(&c, "order_lines").await), (1, 100));

    // A purchase order, by form and by file, the same.
    let purchase_line = || PurchaseLineInput {
        sku: "P001".into(),
        quantity: "500000".into(),
        unit_cost: "100000000000".into(),
        ..Default::default()
    };
    let input = PurchaseInput {
        supplier_code: "S001".into(),
        lines: vec![purchase_line(), purchase_line()],
        ..Default::default()
    };
    let error = purchases::create(&c.db, &c.owner, &input).await.unwrap_err();
    assert_eq!(field_reasons(error), [("total", "too_large")]);
    let row = "PO9,2024-03-15,S001,P001,500000,100000000000,\n";
    let report = import_text(
        &c,
        Entity::Purchases,
        &format!("po_no,date,supplier_code,sku,quantity,unit_cost,due_date\n{row}{row}"),
    )
    .await;
    assert_eq!(row_reasons(&report), [(3, "unit_cost", "too_large")]);
    let report = import_text(
        &c,
        Entity::Purchases,
        "po_no,date,supplier_code,sku,quantity,unit_cost,due_date\nPO9,2024-03-15,S001,P001,900000000000,1,\n",
    )
    .await;
    assert_eq!(row_reasons(&report), [(2, "quantity", "too_large")]);
    assert_eq!(count(&c, "purchase_orders").await, 0);
}

#[tokio::test]
async fn other_amounts_a_person_enters_are_bounded_too() {
    let c = trading_company().await;
    let product = suanpan::catalog::products::ProductInput {
        sku: "BIG".into(),
        name: "太贵的东西".into(),
        standard_price: "100000000000.01".into(),
        ..Default::default()
    };
    let error = suanpan::catalog::products::create(&c.db, &c.owner, &product).await.unwrap_err();
    assert_eq!(field_reasons(error), [("standard_price", "too_large")]);
    // A cost-plus price beyond the bound is refused as well, rather than replaced by the cost.
    let product = suanpan::catalog::products::ProductInput {
        cost_price: "100000000000".into(),
        markup: "10".into(),
        standard_price: String::new(),
        ..product
    };
    let error = suanpan::catalog::products::create(&c.db, &c.owner, &product).await.unwrap_err();
    assert_eq!(field_reasons(error), [("markup", "too_large")]);
    let report = import_text(
        &c,
        Entity::Expenses,
        "date,salesperson,customer_code,category,amount,note\n2024-03-01,boss,,差旅,-100000000000.01,\n",
    )
    .await;
    assert_eq!(row_reasons(&report), [(2, "amount", "too_large")]);
}
