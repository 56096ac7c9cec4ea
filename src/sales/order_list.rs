//! The orders list: filters (customer, salesperson, status, dates, product, words), newest first, a page at a time.

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use crate::auth::{Actor, Permission};
use crate::choice::Choice;
use crate::crm::customers;
use crate::db::{Db, Page, page_limit, push_between};
use crate::error::Result;
use crate::money::Money;
use crate::sales::orders::{OrderStatus, push_order_scope};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderQuery {
    /// An order number (or its start), a customer code, or part of a customer's name.
    pub text: String,
    pub customer_id: Option<i64>,
    pub salesperson_id: Option<i64>,
    pub status: Option<OrderStatus>,
    /// Inclusive ISO dates.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Orders with a line of this product.
    pub product_id: Option<i64>,
    pub offset: i64,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OrderRow {
    pub id: i64,
    pub order_no: String,
    pub order_date: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub salesperson: Option<String>,
    pub status: String,
    pub total: Money,
    pub line_count: i64,
    pub due_date: Option<String>,
}

/// The filters of a query over `orders o`, within the actor's scope.
fn push_filters(builder: &mut QueryBuilder<Sqlite>, actor: &Actor, query: &OrderQuery) {
    builder.push(" WHERE 1 = 1");
    push_order_scope(builder, actor.scope());
    if let Some(customer) = query.customer_id {
        builder.push(" AND o.customer_id = ").push_bind(customer);
    }
    if let Some(salesperson) = query.salesperson_id {
        builder.push(" AND o.salesperson_id = ").push_bind(salesperson);
    }
    if let Some(status) = query.status {
        builder.push(" AND o.status = ").push_bind(status.as_str());
    }
    push_between(builder, "o.order_date", &query.from, &query.to);
    if let Some(product) = query.product_id {
        builder.push(" AND o.id IN (SELECT order_id FROM order_lines WHERE product_id = ").push_bind(product).push(")");
    }
    let text = query.text.trim();
    if !text.is_empty() {
        // A prefix GLOB (case-sensitive, unlike LIKE) walks the order-number index; the customers'
        // orders come from their index: SQLite unions the two lookups instead of scanning.
        // The customers are those the actor may see whose code or a part of whose name the words are.
        builder.push(" AND (o.order_no GLOB ").push_bind(format!("{}*", glob_literal(text)));
        builder.push(" OR o.customer_id IN (SELECT c.id FROM customers c WHERE (c.code = ").push_bind(text.to_string());
        builder.push(" OR c.name LIKE ").push_bind(format!("%{}%", text.replace(['%', '_'], ""))).push(")");
        customers::push_scope(builder, actor.scope());
        builder.push("))");
    }
}

/// Text matched literally by GLOB: its wildcards in brackets.
fn glob_literal(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '*' | '?' | '[' => format!("[{c}]"),
            c => c.to_string(),
        })
        .collect()
}

/// The orders the actor may see that match, newest first, one page, and how many match in all.
pub async fn list(db: &Db, actor: &Actor, query: &OrderQuery) -> Result<Page<OrderRow>> {
    actor.require(Permission::ReadSales)?;
    let limit = page_limit(query.limit);
    let offset = query.offset.max(0);
    let mut count = QueryBuilder::<Sqlite>::new("SELECT count(*) FROM orders o");
    push_filters(&mut count, actor, query);
    let total: i64 = count.build_query_scalar().fetch_one(db.pool()).await?;
    // The page's ids first (an index walk), then their details: deep pages stay fast.
    let mut ids = QueryBuilder::<Sqlite>::new("SELECT o.id FROM orders o");
    push_filters(&mut ids, actor, query);
    ids.push(" ORDER BY o.order_date DESC, o.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let ids: Vec<i64> = ids.build_query_scalar().fetch_all(db.pool()).await?;
    if ids.is_empty() {
        return Ok(Page { rows: Vec::new(), total, offset, limit });
    }
    let mut rows = QueryBuilder::<Sqlite>::new(
        "SELECT o.id, o.order_no, o.order_date, o.customer_id, c.code AS customer_code, c.name AS customer_name,
                u.username AS salesperson, o.status, o.total, o.line_count, o.due_date
         FROM orders o JOIN customers c ON c.id = o.customer_id LEFT JOIN users u ON u.id = o.salesperson_id
         WHERE o.id IN (",
    );
    let mut separated = rows.separated(", ");
    for id in &ids {
        separated.push_bind(*id);
    }
    rows.push(") ORDER BY o.order_date DESC, o.id DESC");
    let rows = rows.build_query_as().fetch_all(db.pool()).await?;
    Ok(Page { rows, total, offset, limit })
}
