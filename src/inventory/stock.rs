//! Stock levels and moves: every change of stock goes through `apply`, which keeps levels, reservations
//! and the moving average cost in step; adjustments, transfers, low-stock list and valuation.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::audit;
use crate::auth::{Actor, Permission, SALES_OWNER, Scope};
use crate::db::{Db, now_stamp, today, with_raw};
use crate::error::{Error, FieldError, Reason, Refusal, Result};
use crate::inventory::warehouses;
use crate::money::{AmountTooLarge, Money};
use crate::quantity::Quantity;
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MoveKind {
    Receipt,
    Delivery,
    Transfer,
    Adjustment,
}

impl MoveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MoveKind::Receipt => "receipt",
            MoveKind::Delivery => "delivery",
            MoveKind::Transfer => "transfer",
            MoveKind::Adjustment => "adjustment",
        }
    }
}

/// One change of stock to book.
pub(crate) struct NewMove<'a> {
    pub date: NaiveDate,
    pub product_id: i64,
    pub warehouse_id: i64,
    pub kind: MoveKind,
    /// Signed: positive comes in, negative goes out.
    pub quantity: Quantity,
    /// What incoming stock is worth; None: the moving average cost. Ignored for outgoing stock,
    /// which always leaves at its share of the stock's value.
    pub value_in: Option<Money>,
    pub reason: &'a str,
    pub order_id: Option<i64>,
    pub purchase_id: Option<i64>,
    pub user_id: i64,
    /// Outgoing stock that a confirmed order had reserved: the reservation goes with it.
    pub release_reserved: bool,
    /// Refuse to go below zero where the warehouse does not allow it. Imported history is never refused.
    pub check_stock: bool,
}

/// What `apply` needs to know about a product and one of its warehouses.
#[derive(sqlx::FromRow)]
struct Position {
    sku: String,
    stock_quantity: Quantity,
    stock_value: Money,
    cost_price: Money,
    on_hand: Quantity,
    reserved: Quantity,
    warehouse: String,
    allow_negative: bool,
}

async fn position(conn: &mut SqliteConnection, product_id: i64, warehouse_id: i64) -> Result<Position> {
    sqlx::query_as(
        "SELECT p.sku, p.stock_quantity, p.stock_value, p.cost_price,
                coalesce(l.on_hand, 0) AS on_hand, coalesce(l.reserved, 0) AS reserved,
                w.name AS warehouse, w.allow_negative
         FROM products p JOIN warehouses w ON w.id = ?2
         LEFT JOIN stock_levels l ON l.product_id = p.id AND l.warehouse_id = w.id
         WHERE p.id = ?1",
    )
    .bind(product_id)
    .bind(warehouse_id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| Error::not_found("product", product_id))
}

/// The value that leaves with `quantity` (positive) at the moving average cost: its share of the
/// stock's value, so the value reaches exactly zero with the last unit. Beyond what is on hand
/// (a warehouse that may go negative) the extra leaves at the last average cost, or the cost price.
fn value_out(quantity: Quantity, position: &Position) -> Result<Money, AmountTooLarge> {
    value_out_of(quantity, position.stock_quantity, position.stock_value, position.cost_price)
}

/// [`value_out`] of a product's whole stock (`on_hand` units worth `value`); refused when it does not fit.
fn value_out_of(
    quantity: Quantity,
    on_hand: Quantity,
    value: Money,
    cost_price: Money,
) -> Result<Money, AmountTooLarge> {
    if on_hand.is_positive() && quantity <= on_hand {
        return quantity.share_of(on_hand, value);
    }
    if on_hand.is_positive() {
        let unit = Quantity::units(1).share_of(on_hand, value)?;
        // Both quantities are positive here, so their difference cannot overflow.
        value.checked_add((quantity - on_hand).times(unit)?)
    } else {
        quantity.times(cost_price)
    }
}

/// One imported document's stock of one product, in one warehouse.
pub(crate) struct Booking {
    pub date: NaiveDate,
    /// The order's id, or the purchase order's for goods received.
    pub document_id: i64,
    pub product_id: i64,
    pub quantity: Quantity,
    pub booked: Booked,
}

/// What a [`Booking`] does to stock.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Booked {
    /// An order's goods delivered: they leave at their share of the stock's value.
    Delivered,
    /// A confirmed order's goods set aside.
    Reserved,
    /// A purchase order's goods received, worth what they cost.
    Received { value: Money },
}

/// Books many imported documents' stock in one warehouse, in the order given, never refused (the past
/// happened): the same moves, levels, quantities and moving-average values as [`apply`] and
/// a reservation one at a time, worked out in memory and written in one pass — a hundred
/// thousand orders in seconds rather than minutes.
pub(crate) async fn book_imported(
    conn: &mut SqliteConnection,
    warehouse_id: i64,
    user_id: i64,
    reason: &str,
    bookings: &[Booking],
) -> Result<()> {
    let products: Vec<(i64, Quantity, Money, Money)> =
        sqlx::query_as("SELECT id, stock_quantity, stock_value, cost_price FROM products")
            .fetch_all(&mut *conn)
            .await?;
    let mut stock: HashMap<i64, (Quantity, Money, Money)> =
        products.into_iter().map(|(id, quantity, value, cost)| (id, (quantity, value, cost))).collect();
    let before: HashMap<i64, (Quantity, Money)> = stock.iter().map(|(id, (q, v, _))| (*id, (*q, *v))).collect();
    // Per product: (on hand, reserved) added in this warehouse.
    let mut levels: BTreeMap<i64, (Quantity, Quantity)> = BTreeMap::new();
    // Each move: its booking, and the signed quantity and value it moved.
    let mut moves: Vec<(&Booking, Quantity, Money)> = Vec::new();
    for booking in bookings {
        let Some((on_hand, value, cost_price)) = stock.get_mut(&booking.product_id) else {
            return Err(Error::not_found("product", booking.product_id));
        };
        let level = levels.entry(booking.product_id).or_insert((Quantity::ZERO, Quantity::ZERO));
        match booking.booked {
            Booked::Delivered => {
                let out = value_out_of(booking.quantity, *on_hand, *value, *cost_price)?;
                *on_hand = *on_hand - booking.quantity;
                *value = value.checked_sub(out)?;
                level.0 = level.0 - booking.quantity;
                moves.push((booking, -booking.quantity, -out));
            }
            Booked::Reserved => level.1 = level.1 + booking.quantity,
            Booked::Received { value: cost } => {
                *on_hand = *on_hand + booking.quantity;
                *value = value.checked_add(cost)?;
                level.0 = level.0 + booking.quantity;
                moves.push((booking, booking.quantity, cost));
            }
        }
    }
    let now = now_stamp();
    with_raw(conn, |raw| {
        let mut insert = raw.prepare(
            "INSERT INTO stock_moves (moved_on, product_id, warehouse_id, kind, quantity, value, reason, order_id,
                 purchase_id, user_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?;
        for (booking, quantity, value) in &moves {
            let (kind, order_id, purchase_id) = match booking.booked {
                Booked::Received { .. } => (MoveKind::Receipt, None, Some(booking.document_id)),
                Booked::Delivered | Booked::Reserved => (MoveKind::Delivery, Some(booking.document_id), None),
            };
            insert.execute(rusqlite::params![
                booking.date.to_string(),
                booking.product_id,
                warehouse_id,
                kind.as_str(),
                quantity.milli(),
                value.minor(),
                reason,
                order_id,
                purchase_id,
                user_id,
                now,
            ])?;
        }
        let mut level = raw.prepare(
            "INSERT INTO stock_levels (product_id, warehouse_id, on_hand, reserved) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (product_id, warehouse_id) DO UPDATE SET on_hand = on_hand + ?3, reserved = reserved + ?4",
        )?;
        for (product_id, (on_hand, reserved)) in &levels {
            level.execute(rusqlite::params![product_id, warehouse_id, on_hand.milli(), reserved.milli()])?;
        }
        let mut product = raw.prepare("UPDATE products SET stock_quantity = ?, stock_value = ? WHERE id = ?")?;
        for (id, (quantity, value, _)) in &stock {
            if before.get(id) != Some(&(*quantity, *value)) {
                product.execute(rusqlite::params![quantity.milli(), value.minor(), id])?;
            }
        }
        Ok(())
    })
    .await
}

/// Books one move: checks stock (unless the warehouse may go negative), writes the move, updates the
/// warehouse level and the product's quantity and value. Returns the signed value moved.
pub(crate) async fn apply(conn: &mut SqliteConnection, new: &NewMove<'_>) -> Result<Money> {
    let position = position(conn, new.product_id, new.warehouse_id).await?;
    let outgoing = -new.quantity;
    let released = if new.release_reserved && outgoing.is_positive() { outgoing } else { Quantity::ZERO };
    if outgoing.is_positive() && new.check_stock && !position.allow_negative {
        let available = position.on_hand - (position.reserved - released);
        if available < outgoing {
            return Err(Error::InsufficientStock {
                sku: position.sku,
                warehouse: position.warehouse,
                available: available.to_string(),
                needed: outgoing.to_string(),
            });
        }
    }
    let value = if outgoing.is_positive() {
        -value_out(outgoing, &position)?
    } else if let Some(value_in) = new.value_in {
        value_in
    } else {
        let unit = if position.stock_quantity.is_positive() {
            Quantity::units(1).share_of(position.stock_quantity, position.stock_value)?
        } else {
            position.cost_price
        };
        new.quantity.times(unit)?
    };
    // The product's new value is worked out here, checked, rather than by SQL's `+`, which would turn
    // an overflowing integer into a float.
    let stock_value = position.stock_value.checked_add(value)?;
    sqlx::query(
        "INSERT INTO stock_moves (moved_on, product_id, warehouse_id, kind, quantity, value, reason, order_id,
             purchase_id, user_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(new.date.to_string())
    .bind(new.product_id)
    .bind(new.warehouse_id)
    .bind(new.kind.as_str())
    .bind(new.quantity)
    .bind(value)
    .bind(new.reason)
    .bind(new.order_id)
    .bind(new.purchase_id)
    .bind(new.user_id)
    .bind(now_stamp())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO stock_levels (product_id, warehouse_id, on_hand, reserved) VALUES (?1, ?2, ?3, -?4)
         ON CONFLICT (product_id, warehouse_id) DO UPDATE SET on_hand = on_hand + ?3, reserved = reserved - ?4",
    )
    .bind(new.product_id)
    .bind(new.warehouse_id)
    .bind(new.quantity)
    .bind(released)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE products SET stock_quantity = stock_quantity + ?, stock_value = ? WHERE id = ?")
        .bind(new.quantity)
        .bind(stock_value)
        .bind(new.product_id)
        .execute(&mut *conn)
        .await?;
    Ok(value)
}

/// Sets stock aside for a confirmed order; refused when not enough is available (on hand less what
/// other orders reserved), unless the warehouse may go negative.
pub(crate) async fn reserve(
    conn: &mut SqliteConnection,
    product_id: i64,
    warehouse_id: i64,
    quantity: Quantity,
) -> Result<()> {
    let position = position(conn, product_id, warehouse_id).await?;
    let available = position.on_hand - position.reserved;
    if !position.allow_negative && available < quantity {
        return Err(Error::InsufficientStock {
            sku: position.sku,
            warehouse: position.warehouse,
            available: available.to_string(),
            needed: quantity.to_string(),
        });
    }
    change_reserved(conn, product_id, warehouse_id, quantity).await
}

/// Takes back every move booked for an order, as if it never happened (undoing an import): levels,
/// quantities and values return to what they were before, whatever came after.
pub(crate) async fn unbook_order(conn: &mut SqliteConnection, order_id: i64) -> Result<()> {
    unbook(conn, "order_id", order_id).await
}

/// The same for a purchase order's goods received.
pub(crate) async fn unbook_purchase(conn: &mut SqliteConnection, purchase_id: i64) -> Result<()> {
    unbook(conn, "purchase_id", purchase_id).await
}

/// `column` is a fixed name from this module, never user input.
async fn unbook(conn: &mut SqliteConnection, column: &'static str, id: i64) -> Result<()> {
    let moves: Vec<(i64, i64, Quantity, Money)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT product_id, warehouse_id, quantity, value FROM stock_moves WHERE {column} = ?"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for (product_id, warehouse_id, quantity, value) in moves {
        sqlx::query("UPDATE stock_levels SET on_hand = on_hand - ? WHERE product_id = ? AND warehouse_id = ?")
            .bind(quantity)
            .bind(product_id)
            .bind(warehouse_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE products SET stock_quantity = stock_quantity - ?, stock_value = stock_value - ? WHERE id = ?",
        )
        .bind(quantity)
        .bind(value)
        .bind(product_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM stock_moves WHERE {column} = ?")))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives back what `reserve` set aside.
pub(crate) async fn release(
    conn: &mut SqliteConnection,
    product_id: i64,
    warehouse_id: i64,
    quantity: Quantity,
) -> Result<()> {
    change_reserved(conn, product_id, warehouse_id, -quantity).await
}

async fn change_reserved(conn: &mut SqliteConnection, product_id: i64, warehouse_id: i64, by: Quantity) -> Result<()> {
    sqlx::query(
        "INSERT INTO stock_levels (product_id, warehouse_id, reserved) VALUES (?1, ?2, ?3)
         ON CONFLICT (product_id, warehouse_id) DO UPDATE SET reserved = reserved + ?3",
    )
    .bind(product_id)
    .bind(warehouse_id)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// A stock adjustment as a form sends it: a signed quantity, a reason, and for stock found, what it is worth.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AdjustmentInput {
    pub product_id: i64,
    pub warehouse_id: i64,
    /// "+5", "-2.5"
    pub quantity: String,
    /// For an increase: the cost of one unit; empty: the moving average cost.
    pub unit_cost: String,
    pub reason: String,
    /// Empty: today.
    pub date: String,
}

fn quantity_field(field: &'static str, value: &str) -> Result<Quantity> {
    value.parse::<Quantity>().map_err(|e| Error::invalid(field, e.into()))
}

/// Books an adjustment (count, breakage, stock found) with its reason.
pub async fn adjust(db: &Db, actor: &Actor, input: &AdjustmentInput) -> Result<StockMove> {
    actor.require(Permission::ManageStock)?;
    let mut problems = Vec::new();
    let quantity = quantity_field("quantity", &input.quantity).unwrap_or_else(|e| {
        problems.extend(e.field_errors());
        Quantity::ZERO
    });
    if quantity == Quantity::ZERO && problems.is_empty() {
        problems.push(FieldError { field: "quantity", reason: Reason::NotPositive { value: input.quantity.clone() } });
    }
    let reason = text::required("reason", &input.reason, 200).unwrap_or_else(|e| {
        problems.extend(e.field_errors());
        String::new()
    });
    let unit_cost = match input.unit_cost.trim() {
        "" => None,
        cost => match cost.parse::<Money>() {
            Ok(money) if !money.is_negative() => Some(money),
            Ok(_) => {
                problems.push(FieldError { field: "unit_cost", reason: Reason::NotPositive { value: cost.into() } });
                None
            }
            Err(e) => {
                problems.push(FieldError { field: "unit_cost", reason: e.into() });
                None
            }
        },
    };
    let date = match input.date.trim() {
        "" => today(),
        date => text::parse_date("date", date).unwrap_or_else(|e| {
            problems.extend(e.field_errors());
            today()
        }),
    };
    if !problems.is_empty() {
        return Err(Error::from_fields(problems));
    }
    let mut tx = db.write().await?;
    warehouses::fetch_in(&mut tx, input.warehouse_id).await?;
    let new = NewMove {
        date,
        product_id: input.product_id,
        warehouse_id: input.warehouse_id,
        kind: MoveKind::Adjustment,
        quantity,
        value_in: unit_cost
            .map(|cost| quantity.times(cost))
            .transpose()
            .map_err(|e| Error::invalid("unit_cost", e.into()))?,
        reason: &reason,
        order_id: None,
        purchase_id: None,
        user_id: actor.user_id,
        release_reserved: false,
        check_stock: true,
    };
    apply(&mut tx, &new).await?;
    let id: i64 = sqlx::query_scalar("SELECT max(id) FROM stock_moves").fetch_one(&mut *tx).await?;
    let booked = move_in(&mut tx, id).await?;
    audit::record(&mut tx, actor, "stock_move", id, "create", serde_json::to_value(&booked).unwrap_or_default())
        .await?;
    tx.commit().await?;
    Ok(booked)
}

/// Moves stock between warehouses on a day (none: today); it leaves and arrives at the same value, so the
/// average cost holds.
pub async fn transfer(
    db: &Db,
    actor: &Actor,
    product_id: i64,
    from_warehouse: i64,
    to_warehouse: i64,
    quantity: &str,
    on: Option<NaiveDate>,
) -> Result<()> {
    actor.require(Permission::ManageStock)?;
    let quantity = quantity_field("quantity", quantity)?;
    if !quantity.is_positive() {
        return Err(Error::invalid("quantity", Reason::NotPositive { value: quantity.to_string() }));
    }
    if from_warehouse == to_warehouse {
        return Err(Error::Refused(Refusal::SameWarehouse));
    }
    let mut tx = db.write().await?;
    warehouses::fetch_in(&mut tx, to_warehouse).await?;
    let reason = "transfer";
    let mut new = NewMove {
        date: on.unwrap_or_else(today),
        product_id,
        warehouse_id: from_warehouse,
        kind: MoveKind::Transfer,
        quantity: -quantity,
        value_in: None,
        reason,
        order_id: None,
        purchase_id: None,
        user_id: actor.user_id,
        release_reserved: false,
        check_stock: true,
    };
    let value = apply(&mut tx, &new).await?;
    new.warehouse_id = to_warehouse;
    new.quantity = quantity;
    new.value_in = Some(-value);
    apply(&mut tx, &new).await?;
    audit::record(
        &mut tx,
        actor,
        "product",
        product_id,
        "transfer",
        serde_json::json!({ "from": from_warehouse, "to": to_warehouse, "quantity": quantity.to_string() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One booked move, for a product's stock history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StockMove {
    pub id: i64,
    pub moved_on: String,
    pub sku: String,
    pub warehouse: String,
    pub kind: String,
    pub quantity: Quantity,
    pub value: Money,
    pub reason: String,
    pub order_no: Option<String>,
    pub po_no: Option<String>,
    pub username: Option<String>,
}

/// Stock moves with what they belong to; `order_no` is the expression that shows the order's number.
fn move_select(order_no: &str) -> String {
    format!(
        "SELECT m.id, m.moved_on, p.sku, w.name AS warehouse, m.kind, m.quantity, m.value, m.reason,
            {order_no} AS order_no, po.po_no, u.username
        FROM stock_moves m JOIN products p ON p.id = m.product_id JOIN warehouses w ON w.id = m.warehouse_id
        LEFT JOIN orders o ON o.id = m.order_id LEFT JOIN purchase_orders po ON po.id = m.purchase_id
        LEFT JOIN users u ON u.id = m.user_id"
    )
}

async fn move_in(conn: &mut SqliteConnection, id: i64) -> Result<StockMove> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{} WHERE m.id = ?", move_select("o.order_no"))))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| Error::not_found("stock move", id))
}

/// A product's moves, newest first.
pub async fn moves(db: &Db, actor: &Actor, product_id: i64, limit: i64) -> Result<Vec<StockMove>> {
    actor.require(Permission::ReadProducts)?;
    // Stock belongs to the whole company; which order took it is told only to those who see the order.
    let order_no = format!("CASE WHEN {} THEN o.order_no END", Scope::sql_condition("o", SALES_OWNER));
    let (kind, who) = actor.scope().sql_params();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{} WHERE m.product_id = ?3 ORDER BY m.moved_on DESC, m.id DESC LIMIT ?4",
        move_select(&order_no)
    )))
    .bind(kind)
    .bind(who)
    .bind(product_id)
    .bind(limit.clamp(1, 10_000))
    .fetch_all(db.pool())
    .await?)
}

/// Stock of one product in one warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StockLevel {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub warehouse_id: i64,
    pub warehouse: String,
    pub on_hand: Quantity,
    pub reserved: Quantity,
    pub available: Quantity,
}

/// Every product's stock per warehouse (one product when given).
pub async fn levels(db: &Db, actor: &Actor, product_id: Option<i64>) -> Result<Vec<StockLevel>> {
    actor.require(Permission::ReadProducts)?;
    Ok(sqlx::query_as(
        "SELECT p.id AS product_id, p.sku, p.name, w.id AS warehouse_id, w.name AS warehouse, l.on_hand, l.reserved,
                l.on_hand - l.reserved AS available
         FROM stock_levels l JOIN products p ON p.id = l.product_id JOIN warehouses w ON w.id = l.warehouse_id
         WHERE ?1 IS NULL OR p.id = ?1
         ORDER BY p.sku, w.id",
    )
    .bind(product_id)
    .fetch_all(db.pool())
    .await?)
}

/// A product below its low-stock threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LowStock {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub on_hand: Quantity,
    pub low_stock: Quantity,
}

/// Active products whose stock (all warehouses) is below their threshold, the emptiest first.
pub async fn low_stock(db: &Db, actor: &Actor) -> Result<Vec<LowStock>> {
    actor.require(Permission::ReadProducts)?;
    Ok(sqlx::query_as(
        "SELECT id AS product_id, sku, name, unit, stock_quantity AS on_hand, low_stock
         FROM products
         WHERE active = 1 AND low_stock IS NOT NULL AND stock_quantity < low_stock
         ORDER BY stock_quantity - low_stock, sku",
    )
    .fetch_all(db.pool())
    .await?)
}

/// What the stock is worth, product by product, at moving average cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Valuation {
    pub rows: Vec<ValuationRow>,
    /// The same value per top-level category (大分类), largest first: the window's chart draws these.
    pub by_category: Vec<CategoryValue>,
    pub total: Money,
}

/// The stock value of one top-level category; `category` is None for products without one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryValue {
    pub category: Option<String>,
    pub value: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ValuationRow {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub quantity: Quantity,
    pub value: Money,
    #[sqlx(skip)]
    /// None when one unit's share of the value does not fit (see `Product::moving_average_cost`).
    pub average_cost: Option<Money>,
}

pub async fn valuation(db: &Db, actor: &Actor) -> Result<Valuation> {
    actor.require(Permission::ReadProducts)?;
    let mut rows: Vec<ValuationRow> = sqlx::query_as(
        "SELECT p.sku, p.name, coalesce(parent.name, c.name) AS category, p.stock_quantity AS quantity,
                p.stock_value AS value
         FROM products p LEFT JOIN product_categories c ON c.id = p.category_id
         LEFT JOIN product_categories parent ON parent.id = c.parent_id
         WHERE p.stock_quantity != 0 OR p.stock_value != 0
         ORDER BY p.sku",
    )
    .fetch_all(db.pool())
    .await?;
    for row in &mut rows {
        row.average_cost = if row.quantity.is_positive() {
            Quantity::units(1).share_of(row.quantity, row.value).ok()
        } else {
            Some(Money::ZERO)
        };
    }
    let total = Money::sum_checked(rows.iter().map(|r| r.value)).map_err(|e| Error::invalid("total", e.into()))?;
    let by_category = by_category(&rows)?;
    Ok(Valuation { rows, by_category, total })
}

/// Sums the rows per category, largest value first (ties by name, uncategorised last among equals).
fn by_category(rows: &[ValuationRow]) -> Result<Vec<CategoryValue>> {
    let mut sums: BTreeMap<Option<&str>, Vec<Money>> = BTreeMap::new();
    for row in rows {
        sums.entry(row.category.as_deref()).or_default().push(row.value);
    }
    let mut parts = Vec::with_capacity(sums.len());
    for (category, values) in sums {
        let value = Money::sum_checked(values).map_err(|e| Error::invalid("total", e.into()))?;
        parts.push(CategoryValue { category: category.map(str::to_string), value });
    }
    parts.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.category.is_none().cmp(&b.category.is_none())));
    Ok(parts)
}
