//! The analyses of work with customers: time spent by activity type or operator, contacts per customer,
//! and service requests with their satisfaction. Activities and requests are seen through their
//! customer's scope, as their lists are.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::query::ReportQuery;
use super::table::{Cell, ChartKind, Column, ColumnKind as K, Table, average};
use crate::auth::Actor;
use crate::choice::Choice;
use crate::crm::activities::ActivityKind;
use crate::crm::customers;
use crate::crm::service::ServiceKind;
use crate::error::Result;

/// A stored kind as both languages name it; the code itself when it is none this build knows.
fn kind_cell<C: Choice>(code: String) -> Cell {
    C::parse(&code).map_or(Cell::Text(code), |kind| Cell::Label { zh: kind.chinese(), en: kind.as_str() })
}

const WORK_TIME: [Column; 3] = [
    Column::new("key", "项目", "Item", K::Text),
    Column::new("activities", "活动数", "Activities", K::Integer),
    Column::new("minutes", "分钟", "Minutes", K::Integer),
];

/// The dimensions of `work-time`, the default first.
pub const WORK_TIME_BY: [&str; 2] = ["type", "operator"];

/// `work-time`: activities and the minutes they took, by type or by operator, most minutes first.
pub async fn work_time(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let by = query.dimension(&WORK_TIME_BY)?;
    let key = if by == "type" { "a.kind" } else { "coalesce(u.display_name, '—')" };
    let mut builder = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {key}, count(*), sum(a.minutes) FROM activities a JOIN customers c ON c.id = a.customer_id
         LEFT JOIN users u ON u.id = a.operator_id WHERE 1 = 1"
    ));
    customers::push_scope(&mut builder, actor.scope());
    query.push_dates(&mut builder, "a.activity_date");
    builder.push(" GROUP BY 1");
    let mut rows: Vec<(String, i64, i64)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then_with(|| a.0.cmp(&b.0)));
    let mut table = Table::new("work-time", &WORK_TIME).with_chart(ChartKind::Bar, "key", &["minutes"]);
    let (mut activities, mut minutes) = (0, 0);
    for (key, n, spent) in rows {
        activities += n;
        minutes += spent;
        let key = if by == "type" { kind_cell::<ActivityKind>(key) } else { Cell::Text(key) };
        table.rows.push(vec![key, Cell::Integer(n), Cell::Integer(spent)]);
    }
    table.totals = Some(vec![Cell::Empty, Cell::Integer(activities), Cell::Integer(minutes)]);
    Ok(table)
}

const CONTACTS: [Column; 4] = [
    Column::new("customer_code", "客户编号", "Customer code", K::Code),
    Column::new("customer", "客户", "Customer", K::Text),
    Column::new("contacts", "联系次数", "Contacts", K::Integer),
    Column::new("last_contact", "最近联系", "Last contact", K::Date),
];

/// `customer-contacts`: how often each customer was contacted in the period (every activity counts),
/// and when last; most contacted first, ties by code.
pub async fn customer_contacts(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let mut builder = QueryBuilder::<Sqlite>::new(
        "SELECT c.code, c.name, count(*), max(a.activity_date) FROM activities a
         JOIN customers c ON c.id = a.customer_id WHERE 1 = 1",
    );
    customers::push_scope(&mut builder, actor.scope());
    query.push_dates(&mut builder, "a.activity_date");
    builder.push(" GROUP BY c.id");
    let mut rows: Vec<(String, String, i64, String)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let mut table = Table::new("customer-contacts", &CONTACTS).with_chart(ChartKind::Bar, "customer", &["contacts"]);
    let mut contacts = 0;
    for (code, name, n, last) in query.limited(rows) {
        contacts += n;
        let last = last.parse().map_or(Cell::Text(last), Cell::Date);
        table.rows.push(vec![Cell::Text(code), Cell::Text(name), Cell::Integer(n), last]);
    }
    table.totals = Some(vec![Cell::Empty, Cell::Empty, Cell::Integer(contacts), Cell::Empty]);
    Ok(table)
}

const FEEDBACK: [Column; 3] = [
    Column::new("key", "项目", "Item", K::Text),
    Column::new("requests", "服务次数", "Requests", K::Integer),
    Column::new("avg_satisfaction", "平均满意度", "Average satisfaction", K::Decimal),
];

/// The dimensions of `service-feedback`, the default first.
pub const FEEDBACK_BY: [&str; 2] = ["type", "customer"];

/// `service-feedback`: service requests of any status by type or customer, with the average
/// satisfaction of the rated ones; most requests first.
pub async fn service_feedback(conn: &mut SqliteConnection, actor: &Actor, query: &ReportQuery) -> Result<Table> {
    let by = query.dimension(&FEEDBACK_BY)?;
    let key = if by == "type" { "r.kind" } else { "c.code || ' ' || c.name" };
    let mut builder = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {key}, count(*), coalesce(sum(r.satisfaction), 0), count(r.satisfaction) FROM service_requests r
         JOIN customers c ON c.id = r.customer_id WHERE 1 = 1"
    ));
    customers::push_scope(&mut builder, actor.scope());
    query.push_dates(&mut builder, "r.request_date");
    builder.push(" GROUP BY 1");
    let mut rows: Vec<(String, i64, i64, i64)> = builder.build_query_as().fetch_all(&mut *conn).await?;
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut table = Table::new("service-feedback", &FEEDBACK).with_chart(ChartKind::Bar, "key", &["requests"]);
    let (mut requests, mut sum, mut rated) = (0, 0, 0);
    for (key, n, satisfaction, rated_here) in query.limited(rows) {
        (requests, sum, rated) = (requests + n, sum + satisfaction, rated + rated_here);
        let key = if by == "type" { kind_cell::<ServiceKind>(key) } else { Cell::Text(key) };
        table.rows.push(vec![key, Cell::Integer(n), Cell::Decimal(average(satisfaction, rated_here))]);
    }
    table.totals = Some(vec![Cell::Empty, Cell::Integer(requests), Cell::Decimal(average(sum, rated))]);
    Ok(table)
}
