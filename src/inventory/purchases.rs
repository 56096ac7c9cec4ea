//! Purchase orders to suppliers and the goods received against them (stock in at the purchase cost).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::{Db, Page, next_number, now_stamp, page_limit, today, unique_violation};
use crate::error::{Error, FieldError, Reason, Result, StatusAction};
use crate::inventory::stock::{self, MoveKind, NewMove};
use crate::lines;
use crate::money::Money;
use crate::quantity::Quantity;
use crate::settings::PaymentTerms;
use crate::text;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PurchaseLineInput {
    pub product_id: Option<i64>,
    pub sku: String,
    pub quantity: String,
    /// Empty: the product's cost price.
    pub unit_cost: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PurchaseInput {
    /// Empty: the next `PO000123`.
    pub po_no: String,
    pub po_date: String,
    pub supplier_id: Option<i64>,
    pub supplier_code: String,
    pub warehouse_id: Option<i64>,
    pub due_date: String,
    pub notes: String,
    pub lines: Vec<PurchaseLineInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PurchaseLine {
    pub id: i64,
    pub line_no: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub quantity: Quantity,
    pub received: Quantity,
    pub unit_cost: Money,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Purchase {
    pub id: i64,
    pub po_no: String,
    pub po_date: String,
    pub supplier_id: i64,
    pub supplier_code: String,
    pub supplier_name: String,
    pub warehouse_id: i64,
    pub warehouse: String,
    pub status: String,
    pub due_date: Option<String>,
    pub total: Money,
    pub notes: String,
    pub received_at: Option<String>,
    /// The import that wrote it, if one did.
    pub import_batch_id: Option<i64>,
    pub version: i64,
    #[sqlx(skip)]
    pub lines: Vec<PurchaseLine>,
}

const PURCHASE_SELECT: &str = "SELECT po.id, po.po_no, po.po_date, po.supplier_id, s.code AS supplier_code,
        s.name AS supplier_name, po.warehouse_id, w.name AS warehouse, po.status, po.due_date, po.total, po.notes,
        po.received_at, po.import_batch_id, po.version
    FROM purchase_orders po JOIN suppliers s ON s.id = po.supplier_id JOIN warehouses w ON w.id = po.warehouse_id";

pub(crate) async fn fetch_in(conn: &mut SqliteConnection, id: i64) -> Result<Purchase> {
    let mut purchase: Purchase = sqlx::query_as(sqlx::AssertSqlSafe(format!("{PURCHASE_SELECT} WHERE po.id = ?")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::not_found("purchase order", id))?;
    purchase.lines = sqlx::query_as(
        "SELECT l.id, l.line_no, l.product_id, p.sku, p.name, l.quantity, l.received, l.unit_cost, l.amount
         FROM purchase_lines l JOIN products p ON p.id = l.product_id WHERE l.purchase_id = ? ORDER BY l.line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(purchase)
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Purchase> {
    actor.require(Permission::ReadProducts)?;
    fetch_in(&mut *db.pool().acquire().await?, id).await
}

fn date_or(field: &'static str, value: &str, default: NaiveDate, problems: &mut Vec<FieldError>) -> NaiveDate {
    match value.trim() {
        "" => default,
        date => text::parse_date(field, date).unwrap_or_else(|e| {
            problems.extend(e.field_errors());
            default
        }),
    }
}

/// Creates a purchase order, status `ordered`: nothing is in stock until it is received.
pub async fn create(db: &Db, actor: &Actor, input: &PurchaseInput) -> Result<Purchase> {
    actor.require(Permission::ManageStock)?;
    let mut problems = Vec::new();
    let po_date = date_or("po_date", &input.po_date, today(), &mut problems);
    let notes = text::bounded("notes", &input.notes, 2_000).unwrap_or_else(|e| {
        problems.extend(e.field_errors());
        String::new()
    });
    let mut tx = db.write().await?;
    let terms = PaymentTerms::read(&mut tx).await?;
    let due_date = date_or("due_date", &input.due_date, terms.supplier_due(po_date), &mut problems);
    let supplier_id: Option<i64> = match (input.supplier_id, input.supplier_code.trim()) {
        (Some(id), _) => {
            sqlx::query_scalar("SELECT id FROM suppliers WHERE id = ?").bind(id).fetch_optional(&mut *tx).await?
        }
        (None, code) => {
            sqlx::query_scalar("SELECT id FROM suppliers WHERE code = ?").bind(code).fetch_optional(&mut *tx).await?
        }
    };
    if supplier_id.is_none() {
        problems.push(FieldError { field: "supplier", reason: Reason::Unknown { value: input.supplier_code.clone() } });
    }
    let warehouse_id: i64 = match input.warehouse_id {
        Some(id) => id,
        None => sqlx::query_scalar("SELECT min(id) FROM warehouses WHERE active = 1").fetch_one(&mut *tx).await?,
    };
    if input.lines.is_empty() {
        problems.push(FieldError { field: "lines", reason: Reason::Required });
    }
    // Product, quantity, unit cost, amount.
    let mut valid_lines: Vec<(i64, Quantity, Money, Money)> = Vec::new();
    for (index, line) in input.lines.iter().enumerate() {
        let problem = |reason: Reason| FieldError {
            field: "lines",
            reason: Reason::OnLine { line: index as u64 + 1, inner: reason.into() },
        };
        let product: Option<(i64, Money)> = match line.product_id {
            Some(id) => {
                sqlx::query_as("SELECT id, cost_price FROM products WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
            None => {
                sqlx::query_as("SELECT id, cost_price FROM products WHERE sku = ?")
                    .bind(line.sku.trim())
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
        let Some((product_id, cost_price)) = product else {
            problems.push(problem(Reason::Unknown { value: line.sku.trim().to_string() }));
            continue;
        };
        // Both figures are checked before the line is given up on, so a line reports each bad one. The
        // rules are the ones a file's lines keep (`lines`); an empty cost is the product's cost price.
        let quantity =
            lines::quantity(&line.quantity).map_err(|r| problems.push(text::line_figure("quantity", index, r)));
        let unit_cost = lines::price(&line.unit_cost)
            .map(|typed| typed.unwrap_or(cost_price))
            .map_err(|r| problems.push(text::line_figure("unit_cost", index, r)));
        let (Ok(quantity), Ok(unit_cost)) = (quantity, unit_cost) else {
            continue;
        };
        match lines::amount(quantity, unit_cost) {
            Ok(amount) => valid_lines.push((product_id, quantity, unit_cost, amount)),
            Err(reason) => problems.push(FieldError { field: "amount", reason }),
        }
    }
    let total = lines::total(valid_lines.iter().map(|line| line.3)).unwrap_or_else(|reason| {
        problems.push(FieldError { field: "total", reason });
        Money::ZERO
    });
    if !problems.is_empty() {
        return Err(Error::from_fields(problems));
    }
    let po_no = match text::bounded("po_no", &input.po_no, 40)? {
        no if no.is_empty() => next_number(&mut tx, "purchase_orders", "po_no", "PO").await?,
        no => no,
    };
    let id = sqlx::query(
        "INSERT INTO purchase_orders (po_no, po_date, supplier_id, warehouse_id, status, due_date, total, notes,
             created_by, updated_at)
         VALUES (?, ?, ?, ?, 'ordered', ?, ?, ?, ?, ?)",
    )
    .bind(&po_no)
    .bind(po_date.to_string())
    .bind(supplier_id)
    .bind(warehouse_id)
    .bind(due_date.to_string())
    .bind(total)
    .bind(&notes)
    .bind(actor.user_id)
    .bind(now_stamp())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_violation(e, "purchase order", "po_no", &po_no))?
    .last_insert_rowid();
    let mut insert = QueryBuilder::<Sqlite>::new(
        "INSERT INTO purchase_lines (purchase_id, line_no, product_id, quantity, unit_cost, amount) ",
    );
    insert.push_values(
        valid_lines.iter().enumerate(),
        |mut values, (index, (product_id, quantity, unit_cost, amount))| {
            values
                .push_bind(id)
                .push_bind(index as i64 + 1)
                .push_bind(*product_id)
                .push_bind(*quantity)
                .push_bind(*unit_cost)
                .push_bind(*amount);
        },
    );
    insert.build().execute(&mut *tx).await?;
    let purchase = fetch_in(&mut tx, id).await?;
    audit::record(&mut tx, actor, "purchase_order", id, "create", serde_json::to_value(&purchase).unwrap_or_default())
        .await?;
    tx.commit().await?;
    Ok(purchase)
}

/// Books the goods received: every line's outstanding quantity comes into stock at its purchase cost,
/// which moves the average cost. The order is then `received`.
pub async fn receive(db: &Db, actor: &Actor, id: i64, date: Option<NaiveDate>) -> Result<Purchase> {
    actor.require(Permission::ManageStock)?;
    let mut tx = db.write().await?;
    let purchase = fetch_in(&mut tx, id).await?;
    if purchase.status != "ordered" {
        return Err(Error::WrongStatus { entity: "purchase", status: purchase.status, action: StatusAction::Received });
    }
    for line in &purchase.lines {
        let outstanding = line.quantity - line.received;
        if !outstanding.is_positive() {
            continue;
        }
        let new = NewMove {
            date: date.unwrap_or_else(today),
            product_id: line.product_id,
            warehouse_id: purchase.warehouse_id,
            kind: MoveKind::Receipt,
            quantity: outstanding,
            value_in: Some(outstanding.times(line.unit_cost)?),
            reason: "",
            order_id: None,
            purchase_id: Some(id),
            user_id: actor.user_id,
            release_reserved: false,
            check_stock: true,
        };
        stock::apply(&mut tx, &new).await?;
        sqlx::query("UPDATE purchase_lines SET received = quantity WHERE id = ?")
            .bind(line.id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE purchase_orders SET status = 'received', received_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
    )
    .bind(now_stamp())
    .bind(now_stamp())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let after = fetch_in(&mut tx, id).await?;
    audit::record(&mut tx, actor, "purchase_order", id, "receive", serde_json::json!({ "total": after.total })).await?;
    tx.commit().await?;
    Ok(after)
}

/// Cancels a purchase order that has not been received.
pub async fn cancel(db: &Db, actor: &Actor, id: i64) -> Result<Purchase> {
    actor.require(Permission::ManageStock)?;
    let mut tx = db.write().await?;
    let purchase = fetch_in(&mut tx, id).await?;
    if purchase.status != "ordered" && purchase.status != "draft" {
        return Err(Error::WrongStatus {
            entity: "purchase",
            status: purchase.status,
            action: StatusAction::Cancelled,
        });
    }
    sqlx::query("UPDATE purchase_orders SET status = 'cancelled', version = version + 1, updated_at = ? WHERE id = ?")
        .bind(now_stamp())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let after = fetch_in(&mut tx, id).await?;
    audit::record(&mut tx, actor, "purchase_order", id, "cancel", serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(after)
}

/// Purchase orders, newest first, optionally of one supplier.
pub async fn list(
    db: &Db,
    actor: &Actor,
    supplier_id: Option<i64>,
    offset: i64,
    limit: Option<i64>,
) -> Result<Page<Purchase>> {
    actor.require(Permission::ReadProducts)?;
    let limit = page_limit(limit);
    let offset = offset.max(0);
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM purchase_orders WHERE ?1 IS NULL OR supplier_id = ?1")
        .bind(supplier_id)
        .fetch_one(db.pool())
        .await?;
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PURCHASE_SELECT} WHERE ?1 IS NULL OR po.supplier_id = ?1 ORDER BY po.po_date DESC, po.id DESC LIMIT ?2 OFFSET ?3"
    )))
    .bind(supplier_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    Ok(Page { rows, total, offset, limit })
}
