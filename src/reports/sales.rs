//! The sales analyses: sales by period against the previous one and last year, sales by share, gross
//! profit, and the salespeople's ranking.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::query::ReportQuery;
use super::table::{Cell, ChartKind, Column, ColumnKind as K, Table, change_percent, percent};
use super::{COUNTED, LINE_COST, push_counted_orders};
use crate::auth::Actor;
use crate::error::{Error, Reason, Result};
use crate::money::Money;
use crate::period::{Granularity, Period};
use crate::quantity::Quantity;

const TREND: [Column; 6] = [
    Column::new("period", "期间", "Period", K::Period),
    Column::new("sales", "销售额", "Sales", K::Money),
    Column::new("prev", "上期", "Previous period", K::Money),
    Column::new("prev_pct", "环比%", "vs previous %", K::Percent),
    Column::new("last_year", "去年同期", "Same period last year", K::Money),
    Column::new("yoy_pct", "同比%", "Year on year %", K::Percent),
];

/// `sales-trend`: sales of every period in the range (empty ones too), of one product, a category or
/// all, with the period before and the same period a year earlier.
pub async fn trend(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let granularity = query.granularity(Granularity::Month)?;
    let mut builder = match query.key() {
        Some(key) => {
            ensure_product_or_category(conn, key).await?;
            let mut builder = QueryBuilder::<Sqlite>::new(
                "SELECT +o.order_date, sum(l.amount) FROM orders o JOIN order_lines l ON l.order_id = o.id
                 JOIN products p ON p.id = l.product_id
                 LEFT JOIN product_categories pc ON pc.id = p.category_id
                 LEFT JOIN product_categories pp ON pp.id = pc.parent_id WHERE ",
            );
            builder.push(COUNTED).push(" AND (p.sku = ").push_bind(key.to_string());
            builder.push(" OR pc.name = ").push_bind(key.to_string());
            builder.push(" OR pp.name = ").push_bind(key.to_string()).push(")");
            builder
        }
        None => {
            let mut builder = QueryBuilder::<Sqlite>::new("SELECT +o.order_date, sum(o.total) FROM orders o WHERE ");
            builder.push(COUNTED);
            builder
        }
    };
    super::push_scope(&mut builder, actor);
    // The comparisons reach back before the first period: read from the earliest day they need.
    let periods_from = query.from.map(|from| Period::containing(from, granularity));
    if let Some(first) = periods_from {
        let earliest = first.previous().start().min(first.same_period_last_year().start());
        builder.push(" AND o.order_date >= ").push_bind(earliest.to_string());
    }
    if let Some(to) = query.to {
        builder.push(" AND o.order_date <= ").push_bind(to.to_string());
    }
    // `+` keeps SQLite from walking the date index to group (a table lookup a row, most of the time).
    builder.push(" GROUP BY 1");
    let days: Vec<(String, i64)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    let mut sales: HashMap<Period, i64> = HashMap::new();
    let mut first_day: Option<NaiveDate> = None;
    let mut last_day: Option<NaiveDate> = None;
    for (day, amount) in days {
        let Ok(date) = day.parse::<NaiveDate>() else { continue };
        *sales.entry(Period::containing(date, granularity)).or_default() += amount;
        first_day = Some(first_day.map_or(date, |d| d.min(date)));
        last_day = Some(last_day.map_or(date, |d| d.max(date)));
    }
    let mut table = Table::new("sales-trend", &TREND).with_chart(ChartKind::Line, "period", &["sales", "last_year"]);
    let (Some(from), Some(to)) = (query.from.or(first_day), query.to.or(last_day)) else {
        return Ok(table);
    };
    let of = |period: Period| sales.get(&period).copied().unwrap_or(0);
    let (mut total, mut total_prev, mut total_last_year) = (0, 0, 0);
    for period in Period::range(from, to, granularity) {
        let (now, prev, last_year) = (of(period), of(period.previous()), of(period.same_period_last_year()));
        table.rows.push(vec![
            Cell::Period(period),
            Cell::Money(Money::from_minor(now)),
            Cell::Money(Money::from_minor(prev)),
            Cell::Percent(change_percent(now, prev)),
            Cell::Money(Money::from_minor(last_year)),
            Cell::Percent(change_percent(now, last_year)),
        ]);
        total += now;
        total_prev += prev;
        total_last_year += last_year;
    }
    table.totals = Some(vec![
        Cell::Empty,
        Cell::Money(Money::from_minor(total)),
        Cell::Money(Money::from_minor(total_prev)),
        Cell::Percent(change_percent(total, total_prev)),
        Cell::Money(Money::from_minor(total_last_year)),
        Cell::Percent(change_percent(total, total_last_year)),
    ]);
    Ok(table)
}

/// A sku, a 大分类 or a 小分类, or an error saying it is none.
async fn ensure_product_or_category(conn: &mut SqliteConnection, key: &str) -> Result<()> {
    let known: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM products WHERE sku = ?1) OR EXISTS (SELECT 1 FROM product_categories WHERE name = ?1)",
    )
    .bind(key)
    .fetch_one(&mut *conn)
    .await?;
    if known { Ok(()) } else { Err(Error::Invalid { field: "key", reason: Reason::Unknown { value: key.into() } }) }
}

const COMPOSITION: [Column; 3] = [
    Column::new("key", "项目", "Item", K::Text),
    Column::new("sales", "销售额", "Sales", K::Money),
    Column::new("share_pct", "占比%", "Share %", K::Percent),
];

/// The dimensions of `sales-composition`, the default first.
pub const COMPOSITION_BY: [&str; 5] = ["source", "category", "subcategory", "product", "customer"];

/// `sales-composition`: each customer source's (or category's, subcategory's, product's, customer's)
/// share of the period's sales, largest first.
pub async fn composition(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let by = query.dimension(&COMPOSITION_BY)?;
    let mut builder = QueryBuilder::<Sqlite>::new(match by {
        "source" => {
            "SELECT coalesce(s.name, '—'), sum(o.total) FROM orders o JOIN customers c ON c.id = o.customer_id
             LEFT JOIN customer_sources s ON s.id = c.source_id WHERE "
        }
        "customer" => {
            "SELECT c.code || ' ' || c.name, sum(o.total) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE "
        }
        "product" => {
            "SELECT p.sku || ' ' || p.name, sum(l.amount) FROM orders o JOIN order_lines l ON l.order_id = o.id
             JOIN products p ON p.id = l.product_id WHERE "
        }
        "category" => {
            "SELECT coalesce(pp.name, pc.name, '—'), sum(l.amount) FROM orders o JOIN order_lines l ON l.order_id = o.id
             JOIN products p ON p.id = l.product_id LEFT JOIN product_categories pc ON pc.id = p.category_id
             LEFT JOIN product_categories pp ON pp.id = pc.parent_id WHERE "
        }
        _ => {
            "SELECT CASE WHEN pc.parent_id IS NULL THEN '—' ELSE pc.name END, sum(l.amount) FROM orders o
             JOIN order_lines l ON l.order_id = o.id JOIN products p ON p.id = l.product_id
             LEFT JOIN product_categories pc ON pc.id = p.category_id WHERE "
        }
    });
    push_counted_orders(&mut builder, actor, query);
    builder.push(" GROUP BY 1");
    let sums: Vec<(String, i64)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    Ok(super::shares_table("sales-composition", &COMPOSITION, sums, query))
}

const PROFIT: [Column; 5] = [
    Column::new("key", "项目", "Item", K::Text),
    Column::new("sales", "销售额", "Sales", K::Money),
    Column::new("cost", "成本", "Cost", K::Money),
    Column::new("profit", "毛利", "Gross profit", K::Money),
    Column::new("margin_pct", "毛利率%", "Margin %", K::Percent),
];

/// The dimensions of `profit`, the default first.
pub const PROFIT_BY: [&str; 4] = ["product", "salesperson", "category", "customer"];

/// `profit`: sales, cost, gross profit and margin per product (or salesperson, category, customer), of
/// the whole company or of one salesperson (`--key`), largest profit first.
pub async fn profit(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let by = query.dimension(&PROFIT_BY)?;
    let key = match by {
        "product" => "p.sku || ' ' || p.name",
        "salesperson" => "coalesce(u.display_name, '—')",
        "category" => "coalesce(pp.name, pc.name, '—')",
        _ => "c.code || ' ' || c.name",
    };
    let mut builder = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {key}, sum(l.amount), sum({LINE_COST}) FROM orders o JOIN order_lines l ON l.order_id = o.id
         JOIN products p ON p.id = l.product_id JOIN customers c ON c.id = o.customer_id
         LEFT JOIN users u ON u.id = o.salesperson_id
         LEFT JOIN product_categories pc ON pc.id = p.category_id
         LEFT JOIN product_categories pp ON pp.id = pc.parent_id WHERE "
    ));
    push_counted_orders(&mut builder, actor, query);
    if let Some(user) = query.key() {
        let id = super::user_named(conn, user).await?;
        builder.push(" AND o.salesperson_id = ").push_bind(id);
    }
    builder.push(" GROUP BY 1");
    let mut rows: Vec<(String, i64, i64)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    rows.sort_by(|a, b| (b.1 - b.2).cmp(&(a.1 - a.2)).then_with(|| a.0.cmp(&b.0)));
    let mut table = Table::new("profit", &PROFIT).with_chart(ChartKind::Bar, "key", &["sales", "profit"]);
    let cells = |key: Cell, sales: i64, cost: i64| {
        vec![
            key,
            Cell::Money(Money::from_minor(sales)),
            Cell::Money(Money::from_minor(cost)),
            Cell::Money(Money::from_minor(sales - cost)),
            Cell::Percent(percent(sales - cost, sales)),
        ]
    };
    for (key, sales, cost) in query.limited(rows) {
        table.rows.push(cells(Cell::Text(key), sales, cost));
    }
    let (sales, cost) = (table.money_sum("sales").minor(), table.money_sum("cost").minor());
    table.totals = Some(cells(Cell::Empty, sales, cost));
    Ok(table)
}

const RANKING: [Column; 7] = [
    Column::new("rank", "名次", "Rank", K::Integer),
    Column::new("salesperson", "业务员", "Salesperson", K::Text),
    Column::new("sales", "销售额", "Sales", K::Money),
    Column::new("profit", "毛利", "Gross profit", K::Money),
    Column::new("orders", "订单数", "Orders", K::Integer),
    Column::new("customers", "客户数", "Customers", K::Integer),
    Column::new("username", "用户名", "User name", K::Code),
];

/// `sales-ranking`: salespeople by the period's sales, ties by user name; orders nobody sold are left out.
pub async fn ranking(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let mut builder = QueryBuilder::<Sqlite>::new(
        "SELECT u.username, u.display_name, sum(o.total), sum(o.total - o.cost_total), count(*),
             count(DISTINCT o.customer_id)
         FROM orders o CROSS JOIN users u ON u.id = o.salesperson_id WHERE ",
    );
    // CROSS JOIN keeps the orders outside: from the users, SQLite would read each one's orders through
    // the salesperson index, a table lookup an order (0.47 s for a million lines).
    push_counted_orders(&mut builder, actor, query);
    builder.push(" GROUP BY u.id");
    let mut rows: Vec<(String, String, i64, i64, i64, i64)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let mut table =
        Table::new("sales-ranking", &RANKING).with_chart(ChartKind::Bar, "salesperson", &["sales", "profit"]);
    for (rank, (username, name, sales, profit, orders, customers)) in query.limited(rows).into_iter().enumerate() {
        table.rows.push(vec![
            Cell::Integer(rank as i64 + 1),
            Cell::Text(name),
            Cell::Money(Money::from_minor(sales)),
            Cell::Money(Money::from_minor(profit)),
            Cell::Integer(orders),
            Cell::Integer(customers),
            Cell::Text(username),
        ]);
    }
    let orders = table.cells("orders").map(|c| if let Cell::Integer(n) = c { *n } else { 0 }).sum();
    table.totals = Some(vec![
        Cell::Empty,
        Cell::Empty,
        Cell::Money(table.money_sum("sales")),
        Cell::Money(table.money_sum("profit")),
        Cell::Integer(orders),
        Cell::Empty,
        Cell::Empty,
    ]);
    Ok(table)
}

const SLOW: [Column; 5] = [
    Column::new("sku", "商品编号", "SKU", K::Code),
    Column::new("product", "商品", "Product", K::Text),
    Column::new("quantity", "销量", "Quantity", K::Quantity),
    Column::new("sales", "销售额", "Sales", K::Money),
    Column::new("best_source", "最佳客户来源", "Best customer source", K::Text),
];

/// What one product sold in the period, and the source that bought most of it: (sales, name).
#[derive(Default)]
struct Sold {
    quantity: i64,
    sales: i64,
    best: Option<(i64, String)>,
}

/// `slow-products`: every active product, unsold ones included, slowest first (quantity, then sales,
/// then sku), with the customer source that bought most of it (by sales; ties by the source's name).
pub async fn slow_products(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let mut builder = QueryBuilder::<Sqlite>::new(
        "SELECT +l.product_id, coalesce(s.name, '—'), sum(l.quantity), sum(l.amount)
         FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN customers c ON c.id = o.customer_id
         LEFT JOIN customer_sources s ON s.id = c.source_id WHERE ",
    );
    push_counted_orders(&mut builder, actor, query);
    // `+`: the lines in their own order, not the product index's (4.4 s of random reads for a million).
    builder.push(" GROUP BY 1, 2");
    let sold: Vec<(i64, String, i64, i64)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    let mut by_product: HashMap<i64, Sold> = HashMap::new();
    for (product, source, quantity, sales) in sold {
        let entry = by_product.entry(product).or_default();
        entry.quantity += quantity;
        entry.sales += sales;
        if entry.best.as_ref().is_none_or(|(best, name)| sales > *best || (sales == *best && source < *name)) {
            entry.best = Some((sales, source));
        }
    }
    let products: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, sku, name FROM products WHERE active = 1").fetch_all(&mut *conn).await?;
    let mut rows: Vec<(String, String, i64, i64, Option<String>)> = products
        .into_iter()
        .map(|(id, sku, name)| {
            let sold = by_product.remove(&id).unwrap_or_default();
            (sku, name, sold.quantity, sold.sales, sold.best.map(|(_, source)| source))
        })
        .collect();
    rows.sort_by(|a, b| a.2.cmp(&b.2).then(a.3.cmp(&b.3)).then_with(|| a.0.cmp(&b.0)));
    let mut table = Table::new("slow-products", &SLOW).with_chart(ChartKind::Bar, "product", &["quantity"]);
    for (sku, name, quantity, sales, best) in query.limited(rows) {
        table.rows.push(vec![
            Cell::Text(sku),
            Cell::Text(name),
            Cell::Quantity(Quantity::from_milli(quantity)),
            Cell::Money(Money::from_minor(sales)),
            best.map_or(Cell::Empty, Cell::Text),
        ]);
    }
    Ok(table)
}
