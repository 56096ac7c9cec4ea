//! A customer's timeline: their orders and activities (later also service and expenses), newest first,
//! one page at a time.

use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite};

use crate::auth::{Actor, Permission};
use crate::crm::customers;
use crate::db::{Db, Page, page_limit};
use crate::error::Result;
use crate::money::Money;
use crate::sales::orders::push_order_scope;

/// One event: an order (`kind` "order", its number, status and total) or an activity (`kind` its type,
/// its subject, minutes and operator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TimelineEvent {
    pub date: String,
    /// "order", or an activity's type: "call", "visit", …
    pub kind: String,
    pub id: i64,
    /// An order's number, or an activity's subject.
    pub title: String,
    /// An order's status.
    pub status: Option<String>,
    pub amount: Option<Money>,
    pub minutes: Option<i64>,
    pub who: Option<String>,
    pub next_follow_up: Option<String>,
}

/// The customer's events the actor may see: every activity with a customer they see, and the orders
/// within their order scope.
pub async fn timeline(
    db: &Db,
    actor: &Actor,
    customer_id: i64,
    offset: i64,
    limit: Option<i64>,
) -> Result<Page<TimelineEvent>> {
    actor.require(Permission::ReadCustomers)?;
    let mut conn = db.pool().acquire().await?;
    customers::fetch_visible_in(&mut conn, actor, customer_id).await?;
    let limit = page_limit(limit);
    let offset = offset.max(0);
    let push_parts = |builder: &mut QueryBuilder<Sqlite>| {
        builder.push(
            "SELECT o.order_date AS date, 'order' AS kind, o.id, o.order_no AS title, o.status, o.total AS amount,
                    NULL AS minutes, u.username AS who, NULL AS next_follow_up
             FROM orders o LEFT JOIN users u ON u.id = o.salesperson_id
             WHERE o.customer_id = ",
        );
        builder.push_bind(customer_id);
        push_order_scope(builder, actor.scope());
        builder.push(
            " UNION ALL
             SELECT a.activity_date, a.kind, a.id, a.subject, NULL, NULL, a.minutes, u.username, a.next_follow_up
             FROM activities a LEFT JOIN users u ON u.id = a.operator_id
             WHERE a.customer_id = ",
        );
        builder.push_bind(customer_id);
    };
    let mut count = QueryBuilder::<Sqlite>::new("SELECT count(*) FROM (");
    push_parts(&mut count);
    count.push(")");
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    let mut rows = QueryBuilder::<Sqlite>::new("SELECT * FROM (");
    push_parts(&mut rows);
    rows.push(") ORDER BY date DESC, kind = 'order' DESC, id DESC LIMIT ").push_bind(limit);
    rows.push(" OFFSET ").push_bind(offset);
    let rows = rows.build_query_as().fetch_all(&mut *conn).await?;
    Ok(Page { rows, total, offset, limit })
}
