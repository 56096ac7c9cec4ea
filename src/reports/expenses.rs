//! The expense analyses: who and what the money went to, and how it ran month by month through a year.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::query::{ReportQuery, not_one_of};
use super::table::{Cell, ChartKind, Column, ColumnKind as K, Table, change_percent};
use crate::auth::Actor;
use crate::error::Result;
use crate::money::Money;
use crate::period::{Granularity, Period};

const COMPOSITION: [Column; 3] = [
    Column::new("key", "项目", "Item", K::Text),
    Column::new("expenses", "费用", "Expenses", K::Money),
    Column::new("share_pct", "占比%", "Share %", K::Percent),
];

/// The dimensions of `expense-composition`, the default first.
pub const COMPOSITION_BY: [&str; 3] = ["salesperson", "customer", "category"];

/// `expense-composition`: each salesperson's (customer's, category's) share of the period's expenses;
/// by customer, expenses that name none are left out.
pub async fn composition(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let by = query.dimension(&COMPOSITION_BY)?;
    let mut builder = QueryBuilder::<Sqlite>::new(match by {
        "salesperson" => {
            "SELECT u.display_name, sum(e.amount) FROM expenses e JOIN users u ON u.id = e.salesperson_id WHERE 1 = 1"
        }
        "customer" => {
            "SELECT c.code || ' ' || c.name, sum(e.amount) FROM expenses e JOIN customers c ON c.id = e.customer_id WHERE 1 = 1"
        }
        _ => {
            "SELECT k.name, sum(e.amount) FROM expenses e JOIN expense_categories k ON k.id = e.category_id WHERE 1 = 1"
        }
    });
    crate::sales::salesperson::push_scope(&mut builder, "e", actor.scope());
    query.push_dates(&mut builder, "e.expense_date");
    builder.push(" GROUP BY 1");
    let sums: Vec<(String, i64)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    Ok(super::shares_table("expense-composition", &COMPOSITION, sums, query))
}

const TREND: [Column; 3] = [
    Column::new("month", "月份", "Month", K::Period),
    Column::new("expenses", "费用", "Expenses", K::Money),
    Column::new("mom_pct", "环比%", "vs previous month %", K::Percent),
];

/// `expense-trend`: the expenses of all twelve months of a year (`--key`, else the year of `--from`,
/// else this year), each against the month before (January against the previous December).
pub async fn trend(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery, today: NaiveDate) -> Result<Table> {
    let year = match query.key() {
        Some(key) => key
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=9999).contains(y))
            .ok_or_else(|| not_one_of("key", key, &["a year, e.g. 2026"]))?,
        None => query.from.unwrap_or(today).year(),
    };
    let days = (
        NaiveDate::from_ymd_opt(year - 1, 12, 1),
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    );
    let (Some(first), Some(january), Some(last)) = days else {
        return Err(not_one_of("key", &year.to_string(), &["a year, e.g. 2026"]));
    };
    let mut builder = QueryBuilder::<Sqlite>::new(
        "SELECT substr(e.expense_date, 1, 7) || '-01', sum(e.amount) FROM expenses e WHERE 1 = 1",
    );
    crate::sales::salesperson::push_scope(&mut builder, "e", actor.scope());
    builder.push(" AND e.expense_date >= ").push_bind(first.to_string());
    builder.push(" AND e.expense_date <= ").push_bind(last.to_string());
    builder.push(" GROUP BY 1");
    let months: HashMap<Period, i64> = builder
        .build_query_as::<(String, i64)>()
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .filter_map(|(month, amount)| Some((Period::containing(month.parse().ok()?, Granularity::Month), amount)))
        .collect();
    let of = |period: Period| months.get(&period).copied().unwrap_or(0);
    let mut table = Table::new("expense-trend", &TREND).with_chart(ChartKind::Bar, "month", &["expenses"]);
    let mut total = 0;
    for month in Period::range(january, last, Granularity::Month) {
        let (now, before) = (of(month), of(month.previous()));
        total += now;
        table.rows.push(vec![
            Cell::Period(month),
            Cell::Money(Money::from_minor(now)),
            Cell::Percent(change_percent(now, before)),
        ]);
    }
    table.totals = Some(vec![Cell::Empty, Cell::Money(Money::from_minor(total)), Cell::Empty]);
    Ok(table)
}
