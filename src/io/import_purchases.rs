//! Purchases from a file of purchase lines: grouped into purchase orders by number, recorded as received
//! history (stock moves only when asked); undoing a batch of purchases.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::db::{now_stamp, with_raw};
use crate::error::{FieldError, Reason, Result};
use crate::inventory::purchases::Purchase;
use crate::inventory::stock::{self, Booked, Booking};
use crate::io::batch::{Mode, RowFailure, RowOutcome, previous_values, record_batch_records};
use crate::io::columns::{ColumnMap, PURCHASES, RowFields};
use crate::io::fields;
use crate::lines;
use crate::money::Money;
use crate::quantity::Quantity;
use crate::settings::PaymentTerms;
use crate::text;

struct Document {
    first_line: u64,
    po_date: NaiveDate,
    supplier_id: i64,
    due_date: NaiveDate,
    /// The imported purchase order this one replaces (upsert).
    replaces: Option<i64>,
    /// Product, quantity, unit cost, amount.
    lines: Vec<(i64, Quantity, Money, Money)>,
    /// The sum of the lines' amounts, checked as each line is added.
    total: Money,
}

pub struct PurchaseImport {
    batch_id: i64,
    mode: Mode,
    positions: Vec<Option<usize>>,
    suppliers: HashMap<String, i64>,
    products: HashMap<String, i64>,
    /// Purchase orders in the company: id and whether an import may replace it (imported, no stock moved).
    existing: HashMap<String, (i64, bool)>,
    documents: Vec<(String, Document)>,
    index: HashMap<String, usize>,
    terms: PaymentTerms,
}

impl PurchaseImport {
    pub async fn start(
        conn: &mut SqliteConnection,
        map: &ColumnMap,
        batch_id: i64,
        mode: Mode,
    ) -> Result<PurchaseImport> {
        let suppliers: Vec<(String, i64)> =
            sqlx::query_as("SELECT code, id FROM suppliers").fetch_all(&mut *conn).await?;
        let products: Vec<(String, i64)> = sqlx::query_as("SELECT sku, id FROM products").fetch_all(&mut *conn).await?;
        let existing: Vec<(String, i64, bool)> = sqlx::query_as(
            "SELECT po_no, id, import_batch_id IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM stock_moves m WHERE m.purchase_id = purchase_orders.id)
                 FROM purchase_orders",
        )
        .fetch_all(&mut *conn)
        .await?;
        Ok(PurchaseImport {
            batch_id,
            mode,
            positions: map.positions.clone(),
            suppliers: suppliers.into_iter().collect(),
            products: products.into_iter().collect(),
            existing: existing.into_iter().map(|(no, id, imported)| (no, (id, imported))).collect(),
            documents: Vec::new(),
            index: HashMap::new(),
            terms: PaymentTerms::read(&mut *conn).await?,
        })
    }

    fn field<'a>(&self, row: &'a RowFields<'_>, key: &str) -> &'a str {
        PURCHASES
            .iter()
            .position(|c| c.key == key)
            .and_then(|i| self.positions[i])
            .and_then(|p| row.fields.get(p))
            .map_or("", String::as_str)
    }

    pub async fn row(
        &mut self,
        _conn: &mut SqliteConnection,
        row: &RowFields<'_>,
        line: u64,
        _writing: bool,
    ) -> Result<RowOutcome, RowFailure> {
        let po_no = self.field(row, "po_no");
        if po_no.is_empty() {
            return Err(RowFailure::field("po_no", Reason::Required));
        }
        let existing = self.existing.get(po_no).copied();
        match existing {
            Some(_) if self.mode == Mode::Insert => return Ok(RowOutcome::Skipped),
            Some((_, false)) => {
                return Err(RowFailure::field("po_no", Reason::NotReplaceable { value: po_no.to_string() }));
            }
            _ => {}
        }
        let mut problems: Vec<FieldError> = Vec::new();
        let mut date = |field: &'static str, required: bool| match self.field(row, field) {
            "" if required => {
                problems.push(FieldError { field, reason: Reason::Required });
                None
            }
            "" => None,
            value => text::parse_date(field, value).map_err(|e| problems.extend(e.field_errors())).ok(),
        };
        let po_date = date("date", true);
        let due_date = date("due_date", false);
        let supplier_code = self.field(row, "supplier_code");
        let supplier_id =
            fields::known("supplier_code", supplier_code, self.suppliers.get(supplier_code).copied(), &mut problems);
        let sku = self.field(row, "sku");
        let product_id = fields::known("sku", sku, self.products.get(sku).copied(), &mut problems);
        let quantity = fields::checked("quantity", lines::quantity(self.field(row, "quantity")), &mut problems);
        let unit_cost =
            fields::checked("unit_cost", fields::required_price(self.field(row, "unit_cost")), &mut problems);
        let (Some(po_date), Some(supplier_id), Some(product_id), Some(quantity), Some(unit_cost), true) =
            (po_date, supplier_id, product_id, quantity, unit_cost, problems.is_empty())
        else {
            return Err(RowFailure::Fields(problems));
        };
        let due_date = due_date.unwrap_or(self.terms.supplier_due(po_date));
        // Each figure is bounded, their product is not: a line whose amount would not fit is refused, on
        // the cost that makes it so (the file has no column for the amount); so is one that makes its
        // order's total too large.
        let amount = lines::amount(quantity, unit_cost).map_err(|reason| RowFailure::field("unit_cost", reason))?;
        match self.index.get(po_no) {
            Some(&at) => {
                let document = &self.documents[at].1;
                let first_line = document.first_line;
                let differs = |field, text: &str| FieldError {
                    field,
                    reason: Reason::Differs { value: text.into(), line: first_line },
                };
                if document.po_date != po_date {
                    problems.push(differs("date", self.field(row, "date")));
                }
                if document.supplier_id != supplier_id {
                    problems.push(differs("supplier_code", supplier_code));
                }
                if document.due_date != due_date {
                    problems.push(differs("due_date", self.field(row, "due_date")));
                }
                if !problems.is_empty() {
                    return Err(RowFailure::Fields(problems));
                }
                let document = &mut self.documents[at].1;
                document.total =
                    document.total.checked_add(amount).map_err(|e| RowFailure::field("unit_cost", e.into()))?;
                document.lines.push((product_id, quantity, unit_cost, amount));
            }
            None => {
                self.index.insert(po_no.to_string(), self.documents.len());
                let document = Document {
                    first_line: line,
                    po_date,
                    supplier_id,
                    due_date,
                    replaces: existing.map(|(id, _)| id),
                    lines: vec![(product_id, quantity, unit_cost, amount)],
                    total: amount,
                };
                self.documents.push((po_no.to_string(), document));
            }
        }
        Ok(if existing.is_some() { RowOutcome::UpdatedInBatch } else { RowOutcome::InsertedInBatch })
    }

    /// Writes every purchase order, received, with its lines, in the order of their dates; brings the
    /// goods into stock when asked, as receiving them one after the other would have.
    pub async fn finish(&mut self, conn: &mut SqliteConnection, actor: &Actor, moves_stock: bool) -> Result<()> {
        let warehouse_id: i64 =
            sqlx::query_scalar("SELECT min(id) FROM warehouses WHERE active = 1").fetch_one(&mut *conn).await?;
        self.documents.sort_by_key(|(_, d)| d.po_date);
        let mut replaced = Vec::new();
        for (_, document) in &self.documents {
            if let Some(id) = document.replaces {
                replaced.push(self.clear_replaced(conn, id, document, warehouse_id).await?);
            }
        }
        let first_new_id: i64 =
            sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM purchase_orders").fetch_one(&mut *conn).await?;
        let (batch_id, documents) = (self.batch_id, &self.documents);
        let ids =
            with_raw(conn, |raw| write_documents(raw, documents, first_new_id, warehouse_id, batch_id, actor)).await?;
        if moves_stock {
            let bookings: Vec<Booking> = documents
                .iter()
                .zip(&ids)
                .flat_map(|((_, document), id)| {
                    document.lines.iter().map(move |(product_id, quantity, _, amount)| Booking {
                        date: document.po_date,
                        document_id: *id,
                        product_id: *product_id,
                        quantity: *quantity,
                        booked: Booked::Received { value: *amount },
                    })
                })
                .collect();
            stock::book_imported(conn, warehouse_id, actor.user_id, "import", &bookings).await?;
        }
        record_batch_records(conn, self.batch_id, &replaced).await
    }

    /// Makes an imported purchase order the file replaces ready for its new lines: its header as the
    /// file has it, its old lines gone. Returns what the batch records of it.
    async fn clear_replaced(
        &self,
        conn: &mut SqliteConnection,
        id: i64,
        document: &Document,
        warehouse_id: i64,
    ) -> Result<(i64, &'static str, Option<String>, i64)> {
        let before = crate::inventory::purchases::fetch_in(conn, id).await?;
        let json = serde_json::to_string(&before).unwrap_or_default();
        sqlx::query("DELETE FROM purchase_lines WHERE purchase_id = ?").bind(id).execute(&mut *conn).await?;
        sqlx::query(
            "UPDATE purchase_orders SET po_date = ?, supplier_id = ?, warehouse_id = ?, status = 'received',
                 due_date = ?, total = ?, import_batch_id = ?, received_at = ?, version = version + 1,
                 updated_at = ?
             WHERE id = ?",
        )
        .bind(document.po_date.to_string())
        .bind(document.supplier_id)
        .bind(warehouse_id)
        .bind(document.due_date.to_string())
        .bind(document.total)
        .bind(self.batch_id)
        .bind(now_stamp())
        .bind(now_stamp())
        .bind(id)
        .execute(&mut *conn)
        .await?;
        Ok((id, "update", Some(json), before.version + 1))
    }
}

/// Writes the new purchase orders, numbered from `first_id` in the order given, and every document's
/// lines, through one prepared statement each. Returns each document's id.
fn write_documents(
    raw: &rusqlite::Connection,
    documents: &[(String, Document)],
    first_id: i64,
    warehouse_id: i64,
    batch_id: i64,
    actor: &Actor,
) -> Result<Vec<i64>> {
    let now = now_stamp();
    let mut order = raw.prepare(
        "INSERT INTO purchase_orders (id, po_no, po_date, supplier_id, warehouse_id, status, due_date, total,
             import_batch_id, created_by, received_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'received', ?6, ?7, ?8, ?9, ?10, ?10)",
    )?;
    let mut next_id = first_id;
    let mut ids = Vec::with_capacity(documents.len());
    for (po_no, document) in documents {
        let id = match document.replaces {
            Some(id) => id,
            None => {
                let id = next_id;
                next_id += 1;
                order.execute(rusqlite::params![
                    id,
                    po_no,
                    document.po_date.to_string(),
                    document.supplier_id,
                    warehouse_id,
                    document.due_date.to_string(),
                    document.total.minor(),
                    batch_id,
                    actor.user_id,
                    now,
                ])?;
                id
            }
        };
        write_lines(raw, id, &document.lines)?;
        ids.push(id);
    }
    Ok(ids)
}

/// Writes a purchase order's lines (product, quantity, unit cost, amount), numbered from 1, all received.
fn write_lines(raw: &rusqlite::Connection, purchase_id: i64, lines: &[(i64, Quantity, Money, Money)]) -> Result<()> {
    let mut line = raw.prepare_cached(
        "INSERT INTO purchase_lines (purchase_id, line_no, product_id, quantity, received, unit_cost, amount)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
    )?;
    for (index, (product_id, quantity, unit_cost, amount)) in lines.iter().enumerate() {
        line.execute(rusqlite::params![
            purchase_id,
            index as i64 + 1,
            product_id,
            quantity.milli(),
            unit_cost.minor(),
            amount.minor()
        ])?;
    }
    Ok(())
}

/// How many of a batch's purchase orders changed since (each change adds to the version).
pub async fn changed_since(conn: &mut SqliteConnection, batch_id: i64) -> Result<usize> {
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM purchase_orders po
         WHERE po.import_batch_id = ?1 AND po.version != coalesce(
             (SELECT r.version_after FROM import_batch_records r WHERE r.batch_id = ?1 AND r.record_id = po.id), 1)",
    )
    .bind(batch_id)
    .fetch_one(conn)
    .await?;
    Ok(count as usize)
}

/// Takes a batch of purchases back: its stock moves, the purchase orders it replaced, the rest deleted.
pub async fn undo(conn: &mut SqliteConnection, batch_id: i64) -> Result<()> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM purchase_orders WHERE import_batch_id = ?")
        .bind(batch_id)
        .fetch_all(&mut *conn)
        .await?;
    for id in &ids {
        stock::unbook_purchase(conn, *id).await?;
    }
    let replaced: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT record_id, before FROM import_batch_records WHERE batch_id = ?")
            .bind(batch_id)
            .fetch_all(&mut *conn)
            .await?;
    for (id, before) in replaced {
        let before: Purchase = previous_values(before.as_deref().unwrap_or("null"))?;
        sqlx::query(
            "UPDATE purchase_orders SET po_date = ?, supplier_id = ?, warehouse_id = ?, status = ?, due_date = ?,
                 total = ?, notes = ?, received_at = ?, version = ?, import_batch_id = ?
             WHERE id = ?",
        )
        .bind(&before.po_date)
        .bind(before.supplier_id)
        .bind(before.warehouse_id)
        .bind(&before.status)
        .bind(&before.due_date)
        .bind(before.total)
        .bind(&before.notes)
        .bind(&before.received_at)
        .bind(before.version)
        .bind(before.import_batch_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM purchase_lines WHERE purchase_id = ?").bind(id).execute(&mut *conn).await?;
        let lines: Vec<(i64, Quantity, Money, Money)> =
            before.lines.iter().map(|l| (l.product_id, l.quantity, l.unit_cost, l.amount)).collect();
        with_raw(conn, |raw| write_lines(raw, id, &lines)).await?;
    }
    sqlx::query("DELETE FROM purchase_orders WHERE import_batch_id = ?").bind(batch_id).execute(&mut *conn).await?;
    Ok(())
}
