//! Sales orders: draft, edit, confirm (reserving stock, freezing costs), deliver (stock out), cancel.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission, Scope};
use crate::choice::Choice;
use crate::crm::customers;
use crate::db::{Db, next_number, now_stamp, today, unique_violation};
use crate::error::{Error, FieldError, Reason, Result, StatusAction};
use crate::inventory::stock::{self, MoveKind, NewMove};
use crate::lines;
use crate::money::Money;
use crate::quantity::Quantity;
use crate::sales::salesperson::{self, Assignee};
use crate::settings::PaymentTerms;
use crate::text;

/// Where an order is in its life. Cancelled orders count nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Draft,
    Confirmed,
    Delivered,
    Cancelled,
}

impl Choice for OrderStatus {
    const ALL: &'static [OrderStatus] =
        &[OrderStatus::Draft, OrderStatus::Confirmed, OrderStatus::Delivered, OrderStatus::Cancelled];

    fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// As SPEC §3 lists them.
    fn chinese(self) -> &'static str {
        match self {
            OrderStatus::Draft => "草稿",
            OrderStatus::Confirmed => "已确认",
            OrderStatus::Delivered => "已发货",
            OrderStatus::Cancelled => "已取消",
        }
    }

    fn also(self) -> &'static [&'static str] {
        match self {
            OrderStatus::Cancelled => &["canceled"],
            _ => &[],
        }
    }
}

/// One line as a form sends it. The product by id (forms) or sku (CLI); an empty price means the
/// price for the customer's level.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderLineInput {
    pub product_id: Option<i64>,
    pub sku: String,
    pub quantity: String,
    pub unit_price: String,
}

/// An order as a form or the CLI sends it. Empty strings mean "not given".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderInput {
    /// Empty: the next `SO000123`.
    pub order_no: String,
    /// Empty: today.
    pub order_date: String,
    pub customer_id: Option<i64>,
    /// The customer by code when no id is given.
    pub customer_code: String,
    /// A user name; empty: the acting salesperson, else the customer's owner.
    pub salesperson: String,
    /// Empty: the first warehouse.
    pub warehouse_id: Option<i64>,
    /// When payment is due; empty: the company's payment terms after the order date.
    pub due_date: String,
    pub notes: String,
    pub lines: Vec<OrderLineInput>,
    pub version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct OrderLine {
    pub id: i64,
    pub line_no: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub unit_cost: Option<Money>,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Order {
    pub id: i64,
    pub order_no: String,
    pub order_date: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub salesperson_id: Option<i64>,
    pub salesperson: Option<String>,
    pub branch_id: Option<i64>,
    pub warehouse_id: i64,
    pub warehouse: String,
    pub status: OrderStatusText,
    pub due_date: Option<String>,
    pub total: Money,
    pub cost_total: Money,
    pub notes: String,
    pub moves_stock: bool,
    /// The import that wrote it, if one did.
    pub import_batch_id: Option<i64>,
    pub confirmed_at: Option<String>,
    pub delivered_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub version: i64,
    #[sqlx(skip)]
    pub lines: Vec<OrderLine>,
}

/// The status column as stored ("draft", …); `status()` gives the enum.
pub type OrderStatusText = String;

impl Order {
    pub fn status(&self) -> OrderStatus {
        OrderStatus::parse(&self.status).unwrap_or(OrderStatus::Draft)
    }
}

const ORDER_SELECT: &str = "SELECT o.id, o.order_no, o.order_date, o.customer_id, c.code AS customer_code,
        c.name AS customer_name, o.salesperson_id, u.username AS salesperson, o.branch_id, o.warehouse_id,
        w.name AS warehouse, o.status, o.due_date, o.total, o.cost_total, o.notes, o.moves_stock, o.import_batch_id, o.confirmed_at,
        o.delivered_at, o.cancelled_at, o.version
    FROM orders o JOIN customers c ON c.id = o.customer_id JOIN warehouses w ON w.id = o.warehouse_id
    LEFT JOIN users u ON u.id = o.salesperson_id";

/// Adds the acting user's scope to a query over `orders o`: own orders, their branch's, or all.
pub(crate) fn push_order_scope(builder: &mut QueryBuilder<Sqlite>, scope: Scope) {
    salesperson::push_scope(builder, "o", scope);
}

pub(crate) async fn fetch_visible_in(conn: &mut SqliteConnection, actor: &Actor, id: i64) -> Result<Order> {
    fetch_scoped(conn, actor.scope(), id).await
}

/// An order whoever may see it (imports check scope themselves).
pub(crate) async fn fetch_in(conn: &mut SqliteConnection, id: i64) -> Result<Order> {
    fetch_scoped(conn, Scope::All, id).await
}

async fn fetch_scoped(conn: &mut SqliteConnection, scope: Scope, id: i64) -> Result<Order> {
    let mut builder = QueryBuilder::<Sqlite>::new(ORDER_SELECT);
    builder.push(" WHERE o.id = ").push_bind(id);
    push_order_scope(&mut builder, scope);
    let mut order: Order =
        builder.build_query_as().fetch_optional(&mut *conn).await?.ok_or_else(|| Error::not_found("order", id))?;
    order.lines = sqlx::query_as(
        "SELECT l.id, l.line_no, l.product_id, p.sku, p.name, p.unit, l.quantity, l.unit_price, l.unit_cost, l.amount
         FROM order_lines l JOIN products p ON p.id = l.product_id
         WHERE l.order_id = ? ORDER BY l.line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(order)
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Order> {
    actor.require(Permission::ReadSales)?;
    fetch_visible_in(&mut *db.pool().acquire().await?, actor, id).await
}

pub async fn by_number(db: &Db, actor: &Actor, order_no: &str) -> Result<Order> {
    actor.require(Permission::ReadSales)?;
    let id: i64 = sqlx::query_scalar("SELECT id FROM orders WHERE order_no = ?")
        .bind(order_no.trim())
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| Error::not_found("order", order_no))?;
    get(db, actor, id).await
}

/// A line once checked: the product, quantity, price and rounded amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValidLine {
    pub product_id: i64,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValidOrder {
    pub order_no: Option<String>,
    pub order_date: NaiveDate,
    pub customer_id: i64,
    pub salesperson_id: Option<i64>,
    pub branch_id: Option<i64>,
    pub warehouse_id: i64,
    pub due_date: NaiveDate,
    pub notes: String,
    pub lines: Vec<ValidLine>,
    /// The sum of the lines' amounts, checked.
    pub total: Money,
}

#[derive(sqlx::FromRow)]
struct PricedProduct {
    id: i64,
    active: bool,
    standard_price: Money,
    member_price: Option<Money>,
}

/// Checks an order and every line, naming every problem; lines' fields are `lines.N.quantity`-style
/// messages on the `lines` field.
pub(crate) async fn validate(conn: &mut SqliteConnection, actor: &Actor, input: &OrderInput) -> Result<ValidOrder> {
    let mut problems: Vec<FieldError> = Vec::new();
    let order_no = match text::bounded("order_no", &input.order_no, 40) {
        Ok(no) if no.is_empty() => None,
        Ok(no) => Some(no),
        Err(e) => {
            problems.extend(e.field_errors());
            None
        }
    };
    let order_date = match input.order_date.trim() {
        "" => today(),
        date => text::parse_date("order_date", date).unwrap_or_else(|e| {
            problems.extend(e.field_errors());
            today()
        }),
    };
    let due_date = match input.due_date.trim() {
        "" => PaymentTerms::read(&mut *conn).await?.customer_due(order_date),
        date => text::parse_date("due_date", date).unwrap_or_else(|e| {
            problems.extend(e.field_errors());
            order_date
        }),
    };
    let notes = text::bounded("notes", &input.notes, 2_000).unwrap_or_else(|e| {
        problems.extend(e.field_errors());
        String::new()
    });
    let customer =
        customers::named_visible(conn, actor, "customer", input.customer_id, &input.customer_code, true, &mut problems)
            .await?;
    let customer_id = customer.as_ref().map(|c| c.id);
    let member: bool = match customer.as_ref().and_then(|c| c.level_id) {
        Some(level) => sqlx::query_scalar("SELECT member FROM customer_levels WHERE id = ?")
            .bind(level)
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or(false),
        None => false,
    };
    let Assignee { salesperson_id, branch_id } =
        salesperson::resolve(conn, actor, "salesperson", &input.salesperson, customer.as_ref(), &mut problems).await?;
    let warehouse_id = match input.warehouse_id {
        Some(id) => id,
        None => sqlx::query_scalar("SELECT min(id) FROM warehouses WHERE active = 1").fetch_one(&mut *conn).await?,
    };
    if input.lines.is_empty() {
        problems.push(FieldError { field: "lines", reason: Reason::Required });
    }
    let mut valid_lines = Vec::with_capacity(input.lines.len());
    for (index, line) in input.lines.iter().enumerate() {
        let line_problem = |reason: Reason| FieldError {
            field: "lines",
            reason: Reason::OnLine { line: index as u64 + 1, inner: reason.into() },
        };
        let product: Option<PricedProduct> = match (line.product_id, line.sku.trim()) {
            (Some(id), _) => {
                sqlx::query_as("SELECT id, active, standard_price, member_price FROM products WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            (None, sku) => {
                sqlx::query_as("SELECT id, active, standard_price, member_price FROM products WHERE sku = ?")
                    .bind(sku)
                    .fetch_optional(&mut *conn)
                    .await?
            }
        };
        let Some(product) = product else {
            problems.push(line_problem(Reason::Unknown { value: line.sku.trim().to_string() }));
            continue;
        };
        if !product.active {
            problems.push(line_problem(Reason::Discontinued { value: line.sku.trim().to_string() }));
        }
        // Both figures are checked before the line is given up on, so a line reports each bad one.
        // The rules are the ones a file's lines keep (`lines`); an empty price is the customer's price.
        let quantity =
            lines::quantity(&line.quantity).map_err(|r| problems.push(text::line_figure("quantity", index, r)));
        let unit_price = lines::price(&line.unit_price)
            .map(|typed| {
                typed.unwrap_or(match (member, product.member_price) {
                    (true, Some(price)) => price,
                    _ => product.standard_price,
                })
            })
            .map_err(|r| problems.push(text::line_figure("unit_price", index, r)));
        let (Ok(quantity), Ok(unit_price)) = (quantity, unit_price) else {
            continue;
        };
        match lines::amount(quantity, unit_price) {
            Ok(amount) => valid_lines.push(ValidLine { product_id: product.id, quantity, unit_price, amount }),
            Err(reason) => problems.push(FieldError { field: "amount", reason }),
        }
    }
    let total = lines::total(valid_lines.iter().map(|l| l.amount)).unwrap_or_else(|reason| {
        problems.push(FieldError { field: "total", reason });
        Money::ZERO
    });
    if !problems.is_empty() {
        return Err(Error::from_fields(problems));
    }
    Ok(ValidOrder {
        order_no,
        order_date,
        customer_id: customer_id.unwrap_or_default(),
        salesperson_id,
        branch_id,
        warehouse_id,
        due_date,
        notes,
        lines: valid_lines,
        total,
    })
}

/// Creates a draft order.
pub async fn create(db: &Db, actor: &Actor, input: &OrderInput) -> Result<Order> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let order = create_in(&mut tx, actor, input).await?;
    tx.commit().await?;
    Ok(order)
}

/// Creates a draft order inside the caller's transaction (a quote accepted becomes one).
pub(crate) async fn create_in(tx: &mut SqliteConnection, actor: &Actor, input: &OrderInput) -> Result<Order> {
    let valid = validate(&mut *tx, actor, input).await?;
    let order_no = match &valid.order_no {
        Some(no) => no.clone(),
        None => next_number(&mut *tx, "orders", "order_no", "SO").await?,
    };
    let insert = sqlx::query(
        "INSERT INTO orders (order_no, order_date, customer_id, salesperson_id, branch_id, warehouse_id, due_date,
             total, line_count, notes, status, created_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)",
    );
    let id = bind_header(insert, &order_no, &valid)
        .bind(actor.user_id)
        .bind(now_stamp())
        .execute(&mut *tx)
        .await
        .map_err(|e| unique_violation(e, "order", "order_no", &order_no))?
        .last_insert_rowid();
    insert_lines(&mut *tx, id, &valid.lines).await?;
    let order = fetch_visible_in(&mut *tx, actor, id).await?;
    audit::record(&mut *tx, actor, "order", id, "create", serde_json::to_value(&order).unwrap_or_default()).await?;
    Ok(order)
}

type Query<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>;

/// Binds an order's own fields, in the order both the insert and the update name them: number, date,
/// customer, salesperson, branch, warehouse, due date, total, line count, notes.
fn bind_header<'q>(query: Query<'q>, order_no: &'q str, valid: &'q ValidOrder) -> Query<'q> {
    query
        .bind(order_no)
        .bind(valid.order_date.to_string())
        .bind(valid.customer_id)
        .bind(valid.salesperson_id)
        .bind(valid.branch_id)
        .bind(valid.warehouse_id)
        .bind(valid.due_date.to_string())
        .bind(valid.total)
        .bind(valid.lines.len() as i64)
        .bind(&valid.notes)
}

async fn insert_lines(conn: &mut SqliteConnection, order_id: i64, lines: &[ValidLine]) -> Result<()> {
    let mut insert = QueryBuilder::<Sqlite>::new(
        "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price, amount) ",
    );
    insert.push_values(lines.iter().enumerate(), |mut values, (index, line)| {
        values
            .push_bind(order_id)
            .push_bind(index as i64 + 1)
            .push_bind(line.product_id)
            .push_bind(line.quantity)
            .push_bind(line.unit_price)
            .push_bind(line.amount);
    });
    insert.build().execute(conn).await?;
    Ok(())
}

/// Edits a draft; confirmed, delivered and cancelled orders are not edited.
pub async fn update(db: &Db, actor: &Actor, id: i64, input: &OrderInput) -> Result<Order> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let before = fetch_visible_in(&mut tx, actor, id).await?;
    require_status(&before, &[OrderStatus::Draft], StatusAction::Edited)?;
    if input.version.is_some_and(|v| v != before.version) {
        return Err(Error::Conflict { entity: "order" });
    }
    let valid = validate(&mut tx, actor, input).await?;
    let order_no = valid.order_no.clone().unwrap_or(before.order_no.clone());
    let update = sqlx::query(
        "UPDATE orders SET order_no = ?, order_date = ?, customer_id = ?, salesperson_id = ?, branch_id = ?,
             warehouse_id = ?, due_date = ?, total = ?, line_count = ?, notes = ?, version = version + 1, updated_at = ?
         WHERE id = ?",
    );
    bind_header(update, &order_no, &valid)
        .bind(now_stamp())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| unique_violation(e, "order", "order_no", &order_no))?;
    sqlx::query("DELETE FROM order_lines WHERE order_id = ?").bind(id).execute(&mut *tx).await?;
    insert_lines(&mut tx, id, &valid.lines).await?;
    let after = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record_changes(&mut tx, actor, "order", id, "update", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

fn require_status(order: &Order, allowed: &[OrderStatus], action: StatusAction) -> Result<()> {
    if allowed.contains(&order.status()) {
        Ok(())
    } else {
        Err(Error::WrongStatus { entity: "order", status: order.status.clone(), action })
    }
}

/// Each product's total quantity on the order (a product may be on several lines).
pub(crate) fn quantities_by_product(order: &Order) -> BTreeMap<i64, Quantity> {
    let mut by_product = BTreeMap::new();
    for line in &order.lines {
        let entry = by_product.entry(line.product_id).or_insert(Quantity::ZERO);
        *entry = *entry + line.quantity;
    }
    by_product
}

/// Confirms a draft: checks and reserves the stock, and freezes each line's cost at the moving average.
/// A draft that came from a file (history, which moved no stock) becomes a sale of today when it is
/// confirmed here: from then on it moves stock like any order, so delivering or cancelling it gives
/// back exactly what this reserved.
pub async fn confirm(db: &Db, actor: &Actor, id: i64) -> Result<Order> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let order = fetch_visible_in(&mut tx, actor, id).await?;
    require_status(&order, &[OrderStatus::Draft], StatusAction::Confirmed)?;
    if !order.moves_stock {
        sqlx::query("UPDATE orders SET moves_stock = 1 WHERE id = ?").bind(id).execute(&mut *tx).await?;
    }
    for (product_id, quantity) in quantities_by_product(&order) {
        stock::reserve(&mut tx, product_id, order.warehouse_id, quantity).await?;
    }
    let costs: Vec<(i64, Quantity, Quantity, Money, Money)> = sqlx::query_as(
        "SELECT l.id, l.quantity, p.stock_quantity, p.stock_value, p.cost_price FROM order_lines l
         JOIN products p ON p.id = l.product_id WHERE l.order_id = ?",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let mut cost_total = Money::ZERO;
    for (line_id, quantity, on_hand, value, cost_price) in costs {
        let unit_cost = if on_hand.is_positive() { Quantity::units(1).share_of(on_hand, value)? } else { cost_price };
        cost_total = cost_total.checked_add(quantity.times(unit_cost)?)?;
        sqlx::query("UPDATE order_lines SET unit_cost = ? WHERE id = ?")
            .bind(unit_cost)
            .bind(line_id)
            .execute(&mut *tx)
            .await?;
    }
    set_status(&mut tx, id, OrderStatus::Confirmed, Some(cost_total)).await?;
    let after = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record(&mut tx, actor, "order", id, "confirm", serde_json::json!({ "cost_total": cost_total })).await?;
    tx.commit().await?;
    Ok(after)
}

async fn set_status(
    conn: &mut SqliteConnection,
    id: i64,
    status: OrderStatus,
    cost_total: Option<Money>,
) -> Result<()> {
    let stamp_column = match status {
        OrderStatus::Confirmed => "confirmed_at",
        OrderStatus::Delivered => "delivered_at",
        OrderStatus::Cancelled => "cancelled_at",
        OrderStatus::Draft => "updated_at",
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE orders SET status = ?, {stamp_column} = ?, cost_total = coalesce(?, cost_total),
             version = version + 1, updated_at = ? WHERE id = ?"
    )))
    .bind(status.as_str())
    .bind(now_stamp())
    .bind(cost_total)
    .bind(now_stamp())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Delivers a confirmed order: its stock leaves the warehouse (the reservation with it) at the moving average cost.
pub async fn deliver(db: &Db, actor: &Actor, id: i64) -> Result<Order> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let order = fetch_visible_in(&mut tx, actor, id).await?;
    require_status(&order, &[OrderStatus::Confirmed], StatusAction::Delivered)?;
    if order.moves_stock {
        for (product_id, quantity) in quantities_by_product(&order) {
            let new = NewMove {
                date: today(),
                product_id,
                warehouse_id: order.warehouse_id,
                kind: MoveKind::Delivery,
                quantity: -quantity,
                value_in: None,
                reason: "",
                order_id: Some(id),
                purchase_id: None,
                user_id: actor.user_id,
                release_reserved: true,
                check_stock: true,
            };
            stock::apply(&mut tx, &new).await?;
        }
    }
    set_status(&mut tx, id, OrderStatus::Delivered, None).await?;
    let after = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record(&mut tx, actor, "order", id, "deliver", serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(after)
}

/// Cancels a draft or a confirmed order, giving back what it reserved. A delivered order is not
/// cancelled: its goods have left (a return is its own document).
pub async fn cancel(db: &Db, actor: &Actor, id: i64) -> Result<Order> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let order = fetch_visible_in(&mut tx, actor, id).await?;
    require_status(&order, &[OrderStatus::Draft, OrderStatus::Confirmed], StatusAction::Cancelled)?;
    if order.status() == OrderStatus::Confirmed && order.moves_stock {
        for (product_id, quantity) in quantities_by_product(&order) {
            stock::release(&mut tx, product_id, order.warehouse_id, quantity).await?;
        }
    }
    set_status(&mut tx, id, OrderStatus::Cancelled, None).await?;
    let after = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record(&mut tx, actor, "order", id, "cancel", serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_status_is_read_and_listed_from_its_variants() {
        crate::choice::tests::check::<OrderStatus>();
        assert_eq!(OrderStatus::parse("Canceled"), Some(OrderStatus::Cancelled));
        assert_eq!(OrderStatus::parse(""), None);
    }
}
