//! A customer's timeline: their orders, opportunities, activities, service requests and expenses,
//! newest first, one page at a time.

use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite};

use crate::auth::{Actor, Permission};
use crate::crm::customers;
use crate::db::{Db, Page, page_limit};
use crate::error::Result;
use crate::money::Money;
use crate::sales::orders::push_order_scope;
use crate::sales::salesperson;

/// One event: an order (`kind` "order": number, status, total), an opportunity ("opportunity": name,
/// status, amount, stage), an activity (its type: subject, minutes, operator, next follow-up), a service
/// request ("service": content, status, type) or an expense ("expense": note, amount, category).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TimelineEvent {
    pub date: String,
    /// "order", "opportunity", "service", "expense", or an activity's type: "call", "visit", …
    pub kind: String,
    pub id: i64,
    /// An order's number, an opportunity's name, an activity's subject, a request's content, an expense's note.
    pub title: String,
    /// An order's, opportunity's or service request's status.
    pub status: Option<String>,
    pub amount: Option<Money>,
    pub minutes: Option<i64>,
    pub who: Option<String>,
    pub next_follow_up: Option<String>,
    /// An opportunity's stage, a service request's type, an expense's category.
    pub detail: Option<String>,
}

/// The customer's events the actor may see: every activity and service request of a customer they see,
/// and the orders, opportunities and expenses within their sales scope.
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
                    NULL AS minutes, u.username AS who, NULL AS next_follow_up, NULL AS detail
             FROM orders o LEFT JOIN users u ON u.id = o.salesperson_id
             WHERE o.customer_id = ",
        );
        builder.push_bind(customer_id);
        push_order_scope(builder, actor.scope());
        builder.push(
            " UNION ALL
             SELECT coalesce(p.closed_on, p.created_on), 'opportunity', p.id, p.name, p.status, p.amount, NULL,
                    u.username, NULL, s.name
             FROM opportunities p JOIN opportunity_stages s ON s.id = p.stage_id
             LEFT JOIN users u ON u.id = p.salesperson_id
             WHERE p.customer_id = ",
        );
        builder.push_bind(customer_id);
        salesperson::push_scope(builder, "p", actor.scope());
        builder.push(
            " UNION ALL
             SELECT e.expense_date, 'expense', e.id, e.note, NULL, e.amount, NULL, u.username, NULL, k.name
             FROM expenses e JOIN expense_categories k ON k.id = e.category_id
             LEFT JOIN users u ON u.id = e.salesperson_id
             WHERE e.customer_id = ",
        );
        builder.push_bind(customer_id);
        salesperson::push_scope(builder, "e", actor.scope());
        builder.push(
            " UNION ALL
             SELECT a.activity_date, a.kind, a.id, a.subject, NULL, NULL, a.minutes, u.username, a.next_follow_up, NULL
             FROM activities a LEFT JOIN users u ON u.id = a.operator_id
             WHERE a.customer_id = ",
        );
        builder.push_bind(customer_id);
        builder.push(
            " UNION ALL
             SELECT r.request_date, 'service', r.id, r.content, r.status, NULL, NULL, u.username, NULL, r.kind
             FROM service_requests r LEFT JOIN users u ON u.id = r.handler_id
             WHERE r.customer_id = ",
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
