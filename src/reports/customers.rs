//! The customer analyses: buyers by source, customers ranked by value (and the holiday gift list drawn
//! from them), and new customers year by year.

use std::collections::BTreeMap;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::push_counted_orders;
use super::query::ReportQuery;
use super::table::{Cell, ChartKind, Column, ColumnKind as K, Table, change_percent};
use crate::auth::Actor;
use crate::error::Result;
use crate::money::Money;

const SOURCES: [Column; 3] = [
    Column::new("source", "客户来源", "Customer source", K::Text),
    Column::new("customers", "客户数", "Customers", K::Integer),
    Column::new("sales", "销售额", "Sales", K::Money),
];

/// `customer-sources`: the customers who bought in the period, counted by the source they came from.
pub async fn sources(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let mut builder = QueryBuilder::<Sqlite>::new(
        "SELECT coalesce(s.name, '—'), count(DISTINCT o.customer_id), sum(o.total)
         FROM orders o JOIN customers c ON c.id = o.customer_id
         LEFT JOIN customer_sources s ON s.id = c.source_id WHERE ",
    );
    push_counted_orders(&mut builder, actor, query);
    builder.push(" GROUP BY 1");
    let mut rows: Vec<(String, i64, i64)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then_with(|| a.0.cmp(&b.0)));
    let mut table = Table::new("customer-sources", &SOURCES).with_chart(ChartKind::Pie, "source", &["customers"]);
    let (mut customers, mut sales) = (0, 0);
    for (source, buyers, amount) in rows {
        customers += buyers;
        sales += amount;
        table.rows.push(vec![Cell::Text(source), Cell::Integer(buyers), Cell::Money(Money::from_minor(amount))]);
    }
    table.totals = Some(vec![Cell::Empty, Cell::Integer(customers), Cell::Money(Money::from_minor(sales))]);
    Ok(table)
}

/// A customer's purchases in the period, for the rankings.
struct Buyer {
    code: String,
    name: String,
    sales: i64,
    orders: i64,
    hobbies: String,
    phone: String,
}

/// The customers who bought in the period, by purchases (largest first, ties by code); with their
/// hobbies and a phone when `reachable` (else those are empty: only the gift list shows them).
async fn buyers(
    conn: &mut SqliteConnection,
    actor: &Actor,
    query: &ReportQuery,
    reachable: bool,
) -> Result<Vec<Buyer>> {
    // A customer without a phone of its own is reached through its first contact that has one.
    let reach = if reachable {
        "c.hobbies, CASE WHEN c.phone != '' THEN c.phone ELSE coalesce((SELECT k.phone FROM contacts k
             WHERE k.customer_id = c.id AND k.phone != '' ORDER BY k.id LIMIT 1), '') END"
    } else {
        "'', ''"
    };
    let mut builder = QueryBuilder::<Sqlite>::new(format!(
        "SELECT c.code, c.name, sum(o.total), count(*), {reach} FROM orders o JOIN customers c ON c.id = o.customer_id WHERE "
    ));
    push_counted_orders(&mut builder, actor, query);
    builder.push(" GROUP BY c.id");
    let rows: Vec<(String, String, i64, i64, String, String)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    let mut buyers: Vec<Buyer> = rows
        .into_iter()
        .map(|(code, name, sales, orders, hobbies, phone)| Buyer { code, name, sales, orders, hobbies, phone })
        .collect();
    buyers.sort_by(|a, b| b.sales.cmp(&a.sales).then_with(|| a.code.cmp(&b.code)));
    Ok(query.limited(buyers))
}

const VALUE: [Column; 5] = [
    Column::new("rank", "名次", "Rank", K::Integer),
    Column::new("customer_code", "客户编号", "Customer code", K::Code),
    Column::new("customer", "客户", "Customer", K::Text),
    Column::new("sales", "销售额", "Sales", K::Money),
    Column::new("orders", "订单数", "Orders", K::Integer),
];

/// `customer-value`: customers ranked by what they bought in the period.
pub async fn value(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let mut table = Table::new("customer-value", &VALUE).with_chart(ChartKind::Bar, "customer", &["sales"]);
    let (mut sales, mut orders) = (0, 0);
    for (rank, buyer) in buyers(conn, actor, query, false).await?.into_iter().enumerate() {
        sales += buyer.sales;
        orders += buyer.orders;
        table.rows.push(vec![
            Cell::Integer(rank as i64 + 1),
            Cell::Text(buyer.code),
            Cell::Text(buyer.name),
            Cell::Money(Money::from_minor(buyer.sales)),
            Cell::Integer(buyer.orders),
        ]);
    }
    table.totals =
        Some(vec![Cell::Empty, Cell::Empty, Cell::Empty, Cell::Money(Money::from_minor(sales)), Cell::Integer(orders)]);
    Ok(table)
}

const GIFTS: [Column; 6] = [
    Column::new("rank", "名次", "Rank", K::Integer),
    Column::new("customer", "客户", "Customer", K::Text),
    Column::new("sales", "销售额", "Sales", K::Money),
    Column::new("hobbies", "爱好", "Hobbies", K::Text),
    Column::new("phone", "电话", "Phone", K::Text),
    Column::new("customer_code", "客户编号", "Customer code", K::Code),
];

/// `key-customer-gifts`: the best customers of the period with their hobbies and a phone, for the
/// holiday gift list.
pub async fn gifts(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let mut table = Table::new("key-customer-gifts", &GIFTS);
    for (rank, buyer) in buyers(conn, actor, query, true).await?.into_iter().enumerate() {
        table.rows.push(vec![
            Cell::Integer(rank as i64 + 1),
            Cell::Text(buyer.name),
            Cell::Money(Money::from_minor(buyer.sales)),
            Cell::Text(buyer.hobbies),
            Cell::Text(buyer.phone),
            Cell::Text(buyer.code),
        ]);
    }
    Ok(table)
}

const NEW: [Column; 3] = [
    Column::new("year", "年份", "Year", K::Integer),
    Column::new("new_customers", "新客户数", "New customers", K::Integer),
    Column::new("growth_pct", "增长%", "Growth %", K::Percent),
];

/// `new-customers`: customers by the year of their first counted order (in the actor's scope), every
/// year of the range listed, with the growth on the year before.
pub async fn new_customers(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    // Every counted order, whatever the range: a customer's first order may lie before it.
    let everything = ReportQuery { from: None, to: None, ..query.clone() };
    let mut builder = QueryBuilder::<Sqlite>::new(
        "SELECT CAST(substr(first, 1, 4) AS INTEGER), count(*) FROM (
             SELECT o.customer_id, min(o.order_date) AS first FROM orders o WHERE ",
    );
    push_counted_orders(&mut builder, actor, &everything);
    builder.push(" GROUP BY o.customer_id) GROUP BY 1");
    let years: BTreeMap<i64, i64> =
        builder.build_query_as::<(i64, i64)>().fetch_all(&mut *conn).await?.into_iter().collect();
    let mut table = Table::new("new-customers", &NEW).with_chart(ChartKind::Bar, "year", &["new_customers"]);
    let first = query.from.map(|d| i64::from(chrono::Datelike::year(&d))).or(years.keys().next().copied());
    let last = query.to.map(|d| i64::from(chrono::Datelike::year(&d))).or(years.keys().next_back().copied());
    let (Some(first), Some(last)) = (first, last) else { return Ok(table) };
    let count = |year: i64| years.get(&year).copied().unwrap_or(0);
    let mut total = 0;
    for year in first..=last {
        total += count(year);
        table.rows.push(vec![
            Cell::Integer(year),
            Cell::Integer(count(year)),
            Cell::Percent(change_percent(count(year), count(year - 1))),
        ]);
    }
    table.totals = Some(vec![Cell::Empty, Cell::Integer(total), Cell::Empty]);
    Ok(table)
}
