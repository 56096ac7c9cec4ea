//! Quotes (报价单): priced lines for a customer, often for an opportunity. Accepting one makes the
//! draft order in the same step and marks its opportunity won.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::{Db, next_number, now_stamp, today, unique_violation};
use crate::error::{Error, FieldError, Reason, Result, StatusAction};
use crate::money::Money;
use crate::quantity::Quantity;
use crate::sales::orders::{self, Order, OrderInput, OrderLineInput};
use crate::sales::pipeline::{self, Outcome};
use crate::sales::salesperson;
use crate::text;

/// A quote as a form or the CLI sends it: the order-like part (customer, salesperson, lines; an empty
/// price is the customer's price), how long it holds, and the opportunity it is for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct QuoteInput {
    /// Empty: the next `QT000123`.
    pub quote_no: String,
    /// Empty: today.
    pub quote_date: String,
    /// Empty: 30 days after the quote's date.
    pub valid_until: String,
    /// The customer comes from the opportunity when one is given.
    pub opportunity_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub customer_code: String,
    pub salesperson: String,
    pub notes: String,
    pub lines: Vec<OrderLineInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct QuoteLine {
    pub line_no: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Quote {
    pub id: i64,
    pub quote_no: String,
    pub quote_date: String,
    pub valid_until: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub salesperson_id: Option<i64>,
    pub salesperson: Option<String>,
    pub opportunity_id: Option<i64>,
    pub opportunity_code: Option<String>,
    /// open, accepted or rejected.
    pub status: String,
    pub total: Money,
    pub notes: String,
    pub order_id: Option<i64>,
    pub order_no: Option<String>,
    pub version: i64,
    #[sqlx(skip)]
    pub lines: Vec<QuoteLine>,
}

const QUOTE_SELECT: &str = "SELECT q.id, q.quote_no, q.quote_date, q.valid_until, q.customer_id,
        c.code AS customer_code, c.name AS customer_name, q.salesperson_id, u.username AS salesperson,
        q.opportunity_id, p.code AS opportunity_code, q.status, q.total, q.notes, q.order_id, o.order_no, q.version
    FROM quotes q JOIN customers c ON c.id = q.customer_id
    LEFT JOIN users u ON u.id = q.salesperson_id
    LEFT JOIN opportunities p ON p.id = q.opportunity_id
    LEFT JOIN orders o ON o.id = q.order_id";

async fn fetch_visible_in(conn: &mut SqliteConnection, actor: &Actor, id: i64) -> Result<Quote> {
    let mut builder = QueryBuilder::<Sqlite>::new(QUOTE_SELECT);
    builder.push(" WHERE q.id = ").push_bind(id);
    salesperson::push_scope(&mut builder, "q", actor.scope());
    let mut quote: Quote =
        builder.build_query_as().fetch_optional(&mut *conn).await?.ok_or_else(|| Error::not_found("quote", id))?;
    quote.lines = sqlx::query_as(
        "SELECT l.line_no, l.product_id, p.sku, p.name, p.unit, l.quantity, l.unit_price, l.amount
         FROM quote_lines l JOIN products p ON p.id = l.product_id WHERE l.quote_id = ? ORDER BY l.line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(quote)
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Quote> {
    actor.require(Permission::ReadSales)?;
    fetch_visible_in(&mut *db.pool().acquire().await?, actor, id).await
}

pub async fn by_number(db: &Db, actor: &Actor, quote_no: &str) -> Result<Quote> {
    actor.require(Permission::ReadSales)?;
    let id: i64 = sqlx::query_scalar("SELECT id FROM quotes WHERE quote_no = ?")
        .bind(quote_no.trim())
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| Error::not_found("quote", quote_no))?;
    get(db, actor, id).await
}

/// Writes a quote: its lines are checked and priced exactly as an order's are.
pub async fn create(db: &Db, actor: &Actor, input: &QuoteInput) -> Result<Quote> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let mut problems: Vec<FieldError> = Vec::new();
    let quote_no = text::collect(text::bounded("quote_no", &input.quote_no, 40), String::new(), &mut problems);
    let quote_date = text::collect(text::date_or("quote_date", &input.quote_date, today()), today(), &mut problems);
    let valid_until = text::collect(
        text::date_or("valid_until", &input.valid_until, quote_date + chrono::Days::new(30)),
        quote_date,
        &mut problems,
    );
    if valid_until < quote_date {
        let reason =
            Reason::TooEarly { value: valid_until.to_string(), earliest: quote_date.to_string(), of: "quote_date" };
        problems.push(FieldError { field: "valid_until", reason });
    }
    let opportunity = match input.opportunity_id {
        Some(id) => Some(pipeline::fetch_visible_in(&mut tx, actor, id).await?),
        None => None,
    };
    let order_like = OrderInput {
        order_date: quote_date.to_string(),
        customer_id: opportunity.as_ref().map(|o| o.customer_id).or(input.customer_id),
        customer_code: input.customer_code.clone(),
        salesperson: input.salesperson.clone(),
        notes: input.notes.clone(),
        lines: input.lines.clone(),
        ..OrderInput::default()
    };
    let valid = match orders::validate(&mut tx, actor, &order_like).await {
        Ok(valid) if problems.is_empty() => valid,
        Ok(_) => return Err(Error::from_fields(problems)),
        Err(error @ (Error::Invalid { .. } | Error::Fields(_))) => {
            problems.extend(error.field_errors());
            return Err(Error::from_fields(problems));
        }
        Err(fault) => return Err(fault),
    };
    let quote_no = match quote_no.as_str() {
        "" => next_number(&mut tx, "quotes", "quote_no", "QT").await?,
        typed => typed.to_string(),
    };
    let id = sqlx::query(
        "INSERT INTO quotes (quote_no, quote_date, valid_until, customer_id, salesperson_id, branch_id, opportunity_id,
             status, total, notes, created_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)",
    )
    .bind(&quote_no)
    .bind(quote_date.to_string())
    .bind(valid_until.to_string())
    .bind(valid.customer_id)
    .bind(valid.salesperson_id)
    .bind(valid.branch_id)
    .bind(input.opportunity_id)
    .bind(valid.total)
    .bind(&valid.notes)
    .bind(actor.user_id)
    .bind(now_stamp())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_violation(e, "quote", "quote_no", &quote_no))?
    .last_insert_rowid();
    let mut insert = QueryBuilder::<Sqlite>::new(
        "INSERT INTO quote_lines (quote_id, line_no, product_id, quantity, unit_price, amount) ",
    );
    insert.push_values(valid.lines.iter().enumerate(), |mut values, (index, line)| {
        values
            .push_bind(id)
            .push_bind(index as i64 + 1)
            .push_bind(line.product_id)
            .push_bind(line.quantity)
            .push_bind(line.unit_price)
            .push_bind(line.amount);
    });
    insert.build().execute(&mut *tx).await?;
    let quote = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record(&mut tx, actor, "quote", id, "create", serde_json::to_value(&quote).unwrap_or_default()).await?;
    tx.commit().await?;
    Ok(quote)
}

/// Quotes the actor sees, newest first: of a customer, of an opportunity, or all.
pub async fn list(db: &Db, actor: &Actor, customer_id: Option<i64>, opportunity_id: Option<i64>) -> Result<Vec<Quote>> {
    actor.require(Permission::ReadSales)?;
    let mut builder = QueryBuilder::<Sqlite>::new(QUOTE_SELECT);
    builder.push(" WHERE 1 = 1");
    salesperson::push_scope(&mut builder, "q", actor.scope());
    if let Some(customer) = customer_id {
        builder.push(" AND q.customer_id = ").push_bind(customer);
    }
    if let Some(opportunity) = opportunity_id {
        builder.push(" AND q.opportunity_id = ").push_bind(opportunity);
    }
    builder.push(" ORDER BY q.quote_date DESC, q.id DESC LIMIT 1000");
    Ok(builder.build_query_as().fetch_all(db.pool()).await?)
}

fn require_open(quote: &Quote, action: StatusAction) -> Result<()> {
    if quote.status == "open" {
        Ok(())
    } else {
        Err(Error::WrongStatus { entity: "quote", status: quote.status.clone(), action })
    }
}

/// The customer accepted: one transaction makes the draft order from the quote's lines at the quoted
/// prices, marks the quote accepted, and closes its open opportunity as won with that order.
pub async fn accept(db: &Db, actor: &Actor, id: i64, on: Option<NaiveDate>) -> Result<Order> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let quote = fetch_visible_in(&mut tx, actor, id).await?;
    require_open(&quote, StatusAction::Accepted)?;
    let on = on.unwrap_or_else(today);
    let input = OrderInput {
        order_date: on.to_string(),
        customer_id: Some(quote.customer_id),
        salesperson: quote.salesperson.clone().unwrap_or_default(),
        notes: if quote.notes.is_empty() {
            quote.quote_no.clone()
        } else {
            format!("{} {}", quote.quote_no, quote.notes)
        },
        lines: quote
            .lines
            .iter()
            .map(|l| OrderLineInput {
                product_id: Some(l.product_id),
                sku: l.sku.clone(),
                quantity: l.quantity.to_string(),
                unit_price: l.unit_price.to_string(),
            })
            .collect(),
        ..OrderInput::default()
    };
    let order = orders::create_in(&mut tx, actor, &input).await?;
    sqlx::query(
        "UPDATE quotes SET status = 'accepted', order_id = ?, version = version + 1, updated_at = ? WHERE id = ?",
    )
    .bind(order.id)
    .bind(now_stamp())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, actor, "quote", id, "accept", serde_json::json!({ "order_no": order.order_no })).await?;
    // An open opportunity is won by this order; one already closed (won by another quote, or lost and
    // kept as lost) is left as it was.
    if let Some(opportunity_id) = quote.opportunity_id
        && pipeline::fetch_visible_in(&mut tx, actor, opportunity_id).await?.status == "open"
    {
        pipeline::close_in(&mut tx, actor, opportunity_id, Outcome::Won, on).await?;
        sqlx::query("UPDATE opportunities SET order_id = ?, version = version + 1 WHERE id = ?")
            .bind(order.id)
            .bind(opportunity_id)
            .execute(&mut *tx)
            .await?;
        let link = serde_json::json!({ "order_no": order.order_no, "quote_no": quote.quote_no });
        audit::record(&mut tx, actor, "opportunity", opportunity_id, "order", link).await?;
    }
    tx.commit().await?;
    Ok(order)
}

/// The customer declined; the quote stays for the record.
pub async fn reject(db: &Db, actor: &Actor, id: i64) -> Result<Quote> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let quote = fetch_visible_in(&mut tx, actor, id).await?;
    require_open(&quote, StatusAction::Rejected)?;
    sqlx::query("UPDATE quotes SET status = 'rejected', version = version + 1, updated_at = ? WHERE id = ?")
        .bind(now_stamp())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, actor, "quote", id, "reject", serde_json::json!({})).await?;
    let after = fetch_visible_in(&mut tx, actor, id).await?;
    tx.commit().await?;
    Ok(after)
}
