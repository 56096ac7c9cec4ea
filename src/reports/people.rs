//! The analyses of the sales force: the deals lost year by year and why, and one salesperson's work in
//! a period.

use std::collections::BTreeMap;

use chrono::Datelike;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::query::ReportQuery;
use super::table::{Cell, ChartKind, Column, ColumnKind as K, Table};
use super::{COUNTED, push_counted_orders};
use crate::auth::Actor;
use crate::crm::customers;
use crate::error::{Error, Reason, Result};
use crate::money::Money;
use crate::sales::salesperson;

const LOST: [Column; 4] = [
    Column::new("year", "年份", "Year", K::Integer),
    Column::new("lost_count", "丢单数", "Deals lost", K::Integer),
    Column::new("lost_amount", "丢单金额", "Amount lost", K::Money),
    Column::new("top_reason", "主要原因", "Main reason", K::Text),
];

/// `lost-orders`: opportunities lost, by the year they were closed, with the reason given most often
/// (ties by the reason's place in its list); every year of the range listed.
pub async fn lost_orders(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let mut builder = QueryBuilder::<Sqlite>::new(
        "SELECT CAST(substr(p.closed_on, 1, 4) AS INTEGER), coalesce(r.name, '—'), coalesce(r.sort_order, 1000000),
             count(*), sum(p.amount)
         FROM opportunities p LEFT JOIN lost_reasons r ON r.id = p.lost_reason_id WHERE p.status = 'lost'",
    );
    salesperson::push_scope(&mut builder, "p", actor.scope());
    query.push_dates(&mut builder, "p.closed_on");
    builder.push(" GROUP BY 1, 2");
    let rows: Vec<(i64, String, i64, i64, i64)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    let mut years: BTreeMap<i64, LostYear> = BTreeMap::new();
    for (year, reason, place, count, amount) in rows {
        let entry = years.entry(year).or_default();
        entry.count += count;
        entry.amount += amount;
        if entry.top.as_ref().is_none_or(|top| count > top.count || (count == top.count && place < top.place)) {
            entry.top = Some(TopReason { count, place, name: reason });
        }
    }
    let mut table = Table::new("lost-orders", &LOST).with_chart(ChartKind::Bar, "year", &["lost_amount"]);
    let first = query.from.map(|d| i64::from(d.year())).or(years.keys().next().copied());
    let last = query.to.map(|d| i64::from(d.year())).or(years.keys().next_back().copied());
    let (Some(first), Some(last)) = (first, last) else { return Ok(table) };
    let (mut count, mut amount) = (0, 0);
    for year in first..=last {
        let lost = years.remove(&year).unwrap_or_default();
        (count, amount) = (count + lost.count, amount + lost.amount);
        let reason = lost.top.map_or(Cell::Empty, |top| Cell::Text(top.name));
        table.rows.push(vec![
            Cell::Integer(year),
            Cell::Integer(lost.count),
            Cell::Money(Money::from_minor(lost.amount)),
            reason,
        ]);
    }
    table.totals = Some(vec![Cell::Empty, Cell::Integer(count), Cell::Money(Money::from_minor(amount)), Cell::Empty]);
    Ok(table)
}

/// The deals lost in one year.
#[derive(Default)]
struct LostYear {
    count: i64,
    amount: i64,
    top: Option<TopReason>,
}

/// The reason given most often so far, and its place in the list of reasons.
struct TopReason {
    count: i64,
    place: i64,
    name: String,
}

const PERFORMANCE: [Column; 2] =
    [Column::new("metric", "指标", "Metric", K::Text), Column::new("value", "数值", "Value", K::Text)];

/// `salesperson-performance`: one salesperson's (`--key`, required) orders, sales, profit, new customers,
/// activities, minutes, customers contacted and expenses in the period, within what the actor may see.
/// Collections come with payments: until then the report says so rather than show 0.
pub async fn performance(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let name = query.key().ok_or(Error::Invalid { field: "key", reason: Reason::Required })?;
    let user = super::user_named(conn, name).await?;

    let mut orders = QueryBuilder::<Sqlite>::new(
        "SELECT count(*), coalesce(sum(o.total), 0), coalesce(sum(o.total - o.cost_total), 0) FROM orders o WHERE ",
    );
    push_counted_orders(&mut orders, actor, query);
    orders.push(" AND o.salesperson_id = ").push_bind(user);
    let (order_count, sales, profit): (i64, i64, i64) = orders.build_query_as().fetch_one(&mut *conn).await?;

    // A customer is new to the salesperson's record when their first counted order, of all the actor
    // sees, is theirs and lies in the period.
    let mut new = QueryBuilder::<Sqlite>::new(
        "SELECT count(*) FROM (SELECT o.order_date, o.salesperson_id,
             row_number() OVER (PARTITION BY o.customer_id ORDER BY o.order_date, o.id) AS nth FROM orders o WHERE ",
    );
    new.push(COUNTED);
    super::push_scope(&mut new, actor);
    new.push(") f WHERE f.nth = 1 AND f.salesperson_id = ").push_bind(user);
    query.push_dates(&mut new, "f.order_date");
    let new_customers: i64 = new.build_query_scalar().fetch_one(&mut *conn).await?;

    let mut work = QueryBuilder::<Sqlite>::new(
        "SELECT count(*), coalesce(sum(a.minutes), 0), count(DISTINCT a.customer_id) FROM activities a
         JOIN customers c ON c.id = a.customer_id WHERE a.operator_id = ",
    );
    work.push_bind(user);
    customers::push_scope(&mut work, actor.scope());
    query.push_dates(&mut work, "a.activity_date");
    let (activities, minutes, contacted): (i64, i64, i64) = work.build_query_as().fetch_one(&mut *conn).await?;

    let mut spent =
        QueryBuilder::<Sqlite>::new("SELECT coalesce(sum(e.amount), 0) FROM expenses e WHERE e.salesperson_id = ");
    spent.push_bind(user);
    salesperson::push_scope(&mut spent, "e", actor.scope());
    query.push_dates(&mut spent, "e.expense_date");
    let expenses: i64 = spent.build_query_scalar().fetch_one(&mut *conn).await?;

    let metric = |zh: &'static str, en: &'static str, value: Cell| vec![Cell::Label { zh, en }, value];
    let mut table = Table::new("salesperson-performance", &PERFORMANCE);
    table.rows = vec![
        metric("订单数", "Orders", Cell::Integer(order_count)),
        metric("销售额", "Sales", Cell::Money(Money::from_minor(sales))),
        metric("毛利", "Gross profit", Cell::Money(Money::from_minor(profit))),
        metric("新客户数", "New customers", Cell::Integer(new_customers)),
        metric("活动数", "Activities", Cell::Integer(activities)),
        metric("活动分钟", "Minutes", Cell::Integer(minutes)),
        metric("联系客户数", "Customers contacted", Cell::Integer(contacted)),
        metric("回款", "Collections", Cell::Label { zh: "收款功能尚未启用", en: "payments are not recorded yet" }),
        metric("费用", "Expenses", Cell::Money(Money::from_minor(expenses))),
    ];
    Ok(table)
}
