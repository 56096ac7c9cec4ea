//! Orders from a file of order lines, a million at a time: each line validated against customers,
//! products and salespeople read once, lines grouped into orders by number, written in bulk through
//! prepared statements; undoing a batch of orders.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rusqlite::params;
use sqlx::SqliteConnection;

use crate::auth::{Actor, Role};
use crate::choice::Choice;
use crate::db::{now_stamp, with_raw};
use crate::error::{Error, FieldError, Reason, Result};
use crate::inventory::stock::{self, Booked, Booking};
use crate::io::batch::{ImportOptions, Mode, RowFailure, RowOutcome, previous_values, record_batch_records};
use crate::io::bulk::{self, BulkLoad};
use crate::io::columns::{ColumnMap, RowFields};
use crate::io::fields;
use crate::io::notice::Notice;
use crate::lines;
use crate::money::Money;
use crate::quantity::Quantity;
use crate::sales::orders::{Order, OrderStatus, quantities_by_product};
use crate::sales::salesperson::Assignee;
use crate::settings::PaymentTerms;
use crate::{text, users};

/// Lines are written this many at a time.
const CHUNK: usize = 20_000;

/// Where each column of `columns::ORDERS` is in the file.
#[derive(Clone, Copy)]
enum Col {
    OrderNo,
    OrderDate,
    CustomerCode,
    Salesperson,
    Sku,
    Quantity,
    UnitPrice,
    UnitCost,
    DueDate,
    Status,
    CustomerName,
    ProductName,
    Amount,
}

#[derive(Clone, Copy)]
struct CustomerRef {
    id: i64,
    owner_id: Option<i64>,
    branch_id: Option<i64>,
}

#[derive(Clone, Copy)]
struct ProductRef {
    id: i64,
    cost_price: Money,
}

/// What a name finds among the records the importer may see: one record, or the ids of every record
/// that has it (few: a name held twice is rare, and a file naming it is told to give the code).
enum Named<T> {
    One(T),
    Many(Vec<i64>),
}

/// Names → records, built once at the start beside the maps by code.
fn names_of<T: Copy>(
    records: impl IntoIterator<Item = (String, T)>,
    id: impl Fn(&T) -> i64,
) -> HashMap<String, Named<T>> {
    let mut names: HashMap<String, Named<T>> = HashMap::new();
    for (name, record) in records {
        match names.get_mut(&name) {
            None => {
                names.insert(name, Named::One(record));
            }
            Some(named) => match named {
                Named::One(first) => *named = Named::Many(vec![id(first), id(&record)]),
                Named::Many(ids) => ids.push(id(&record)),
            },
        }
    }
    names
}

/// The record a line names by code or by name: a code wins, and a name beside it must be that record's.
/// `found` is what the code found (None: unknown or not given); problems go under `code_field` or
/// `name_field`.
fn by_code_or_name<T: Copy>(
    (code_field, code, found): (&'static str, &str, Option<T>),
    (name_field, name): (&'static str, &str),
    names: &HashMap<String, Named<T>>,
    id: impl Fn(&T) -> i64,
    problems: &mut Vec<FieldError>,
) -> Option<T> {
    let problem = |field, reason| FieldError { field, reason };
    if !code.is_empty() {
        let record = fields::known(code_field, code, found, problems)?;
        let agrees = match names.get(name) {
            _ if name.is_empty() => true,
            Some(Named::One(named)) => id(named) == id(&record),
            Some(Named::Many(ids)) => ids.contains(&id(&record)),
            None => false,
        };
        if !agrees {
            problems.push(problem(name_field, Reason::NameDiffers { value: name.into(), code: code.into() }));
        }
        return Some(record);
    }
    match names.get(name) {
        Some(Named::One(record)) => Some(*record),
        Some(Named::Many(ids)) => {
            problems.push(problem(name_field, Reason::Ambiguous { value: name.into(), count: ids.len() }));
            None
        }
        // A file with neither column is refused at its header; a line that leaves both empty needs the code.
        None if name.is_empty() => {
            problems.push(problem(code_field, Reason::Required));
            None
        }
        None => {
            problems.push(problem(name_field, Reason::Unknown { value: name.into() }));
            None
        }
    }
}

/// An order of the file: what its first line said, and its running totals.
struct Header {
    id: i64,
    first_line: u64,
    order_date: NaiveDate,
    customer_id: i64,
    salesperson_id: Option<i64>,
    branch_id: Option<i64>,
    due_date: NaiveDate,
    status: OrderStatus,
    total: Money,
    cost_total: Money,
    lines: i64,
    /// The existing order this one replaces (upsert).
    replaces: bool,
    /// The totals its row was written with: lines of an order usually come together, so most rows are
    /// written complete and only the few whose lines straddle a write (or are scattered) are updated.
    written: Option<(Money, Money, i64)>,
}

struct Line {
    id: i64,
    order_id: i64,
    line_no: i64,
    product_id: i64,
    quantity: Quantity,
    unit_price: Money,
    unit_cost: Money,
    amount: Money,
    /// quantity × unit cost, for the order's cost total.
    cost_amount: Money,
}

/// A customer as read: code, name, id, owner, branch.
type CustomerRow = (String, String, i64, Option<i64>, Option<i64>);

/// An existing order as read: number, id, salesperson, branch, draft, imported, version.
type ExistingRow = (String, i64, Option<i64>, Option<i64>, bool, bool, i64);

/// An order already in the company: its id, whose it is, and whether an import may replace it: a
/// draft, or an order a file made that nobody has touched in the app since (confirmed, delivered,
/// cancelled or edited there, its stock and its status are the app's, and only the app changes them).
struct Existing {
    id: i64,
    salesperson_id: Option<i64>,
    branch_id: Option<i64>,
    replaceable: bool,
}

/// Parses and checks a line against the customers, products and people the import read at its start:
/// pure work, so it runs on the thread that reads the file while this one writes.
#[derive(Clone)]
pub struct OrderChecker {
    positions: Vec<Option<usize>>,
    actor: Actor,
    terms: PaymentTerms,
    salesperson_only: Option<i64>,
    customers: Arc<HashMap<String, CustomerRef>>,
    products: Arc<HashMap<String, ProductRef>>,
    /// The customers the importer sees and every product, by name, for files that name them.
    customer_names: Arc<HashMap<String, Named<CustomerRef>>>,
    product_names: Arc<HashMap<String, Named<ProductRef>>>,
    /// User name or display name → (id, branch).
    people: Arc<HashMap<String, (i64, Option<i64>)>>,
    /// Every user's branch, for the order's branch (what a branch manager sees).
    branch_of: Arc<HashMap<i64, Option<i64>>>,
}

/// A line as the checker found it: its order's part and its own, or what is wrong with it.
pub struct CheckedLine {
    result: std::result::Result<(Header, Line), Vec<FieldError>>,
    /// Whether the line names no salesperson, or one the checker knew: a salesperson the import
    /// creates on the way is unknown to a checker that started before, so such lines are checked again.
    salesperson_known: bool,
}

pub struct OrderImport {
    batch_id: i64,
    mode: Mode,
    checker: OrderChecker,
    existing: HashMap<String, Existing>,
    orders: HashMap<String, Header>,
    replaced: Vec<(i64, &'static str, Option<String>, i64)>,
    warehouse_id: i64,
    next_order_id: i64,
    next_line_id: i64,
    /// Orders first seen since the last write (new or replaced), by number; then their lines.
    pending_orders: Vec<String>,
    pending: Vec<Line>,
    moves_stock: bool,
    user_id: i64,
    now: String,
    /// Indexes dropped for a bulk load, to build again (sorted, at once) when the lines are in.
    bulk: BulkLoad,
    flush_time: std::time::Duration,
}

/// A typical order line's size in a file.
const BYTES_PER_LINE: u64 = 60;

/// The index kept while loading: lines by order, which an order the file replaces needs to drop its old
/// lines, and which costs little since lines arrive in order. Lines by product are built afterwards:
/// kept, they cost a search from the root per line, twice the time of sorting once.
const KEPT_INDEXES: [&str; 1] = ["order_lines_order"];

impl OrderChecker {
    fn field<'a>(&self, fields: &'a [String], column: Col) -> &'a str {
        self.positions[column as usize].and_then(|p| fields.get(p)).map_or("", String::as_str)
    }

    /// Checks one line's fields.
    pub fn check(&self, fields: &[String]) -> CheckedLine {
        let salesperson = self.field(fields, Col::Salesperson);
        let salesperson_known = salesperson.is_empty() || self.people.contains_key(salesperson);
        let mut problems = Vec::new();
        let result = match self.parse(fields, &mut problems) {
            Some(parsed) if problems.is_empty() => Ok(parsed),
            _ => Err(problems),
        };
        CheckedLine { result, salesperson_known }
    }

    /// Parses and checks a line's fields: the order's part (header) and the line's own.
    fn parse(&self, row: &[String], problems: &mut Vec<FieldError>) -> Option<(Header, Line)> {
        let mut date = |field: &'static str, column: Col, required: bool| {
            let value = self.field(row, column);
            if value.is_empty() {
                if required {
                    problems.push(FieldError { field, reason: Reason::Required });
                }
                return None;
            }
            text::parse_date(field, value).map_err(|e| problems.extend(e.field_errors())).ok()
        };
        let order_date = date("order_date", Col::OrderDate, true);
        let due_date = date("due_date", Col::DueDate, false);
        let customer_code = self.field(row, Col::CustomerCode);
        let in_scope = self.customers.get(customer_code).filter(|c| self.actor.scope().sees(c.owner_id, c.branch_id));
        let customer = by_code_or_name(
            ("customer_code", customer_code, in_scope.copied()),
            ("customer_name", self.field(row, Col::CustomerName)),
            &self.customer_names,
            |c| c.id,
            problems,
        );
        let salesperson = self.field(row, Col::Salesperson);
        let salesperson_id = match salesperson {
            "" => self.salesperson_only.or(customer.and_then(|c| c.owner_id)),
            name => self.people.get(name).map(|(id, _)| *id),
        };
        let assignee = Assignee::of(
            salesperson_id,
            salesperson_id.and_then(|id| self.branch_of.get(&id).copied().flatten()),
            customer.and_then(|c| c.branch_id),
        );
        if !assignee.may_be_given_by(&self.actor) {
            problems.push(FieldError { field: "salesperson", reason: Reason::Forbidden { value: salesperson.into() } });
        }
        let Assignee { salesperson_id, branch_id } = assignee;
        let sku = self.field(row, Col::Sku);
        let product = by_code_or_name(
            ("sku", sku, self.products.get(sku).copied()),
            ("product_name", self.field(row, Col::ProductName)),
            &self.product_names,
            |p| p.id,
            problems,
        );
        let quantity = fields::checked("quantity", lines::quantity(self.field(row, Col::Quantity)), problems);
        let unit_price =
            fields::checked("unit_price", fields::required_price(self.field(row, Col::UnitPrice)), problems);
        let unit_cost = fields::checked("unit_cost", lines::price(self.field(row, Col::UnitCost)), problems);
        let status = match self.field(row, Col::Status) {
            "" => Some(OrderStatus::Delivered),
            text => OrderStatus::parse(text).or_else(|| {
                problems.push(FieldError { field: "status", reason: OrderStatus::not_allowed(text) });
                None
            }),
        };
        let (
            Some(order_date),
            Some(customer),
            Some(product),
            Some(quantity),
            Some(unit_price),
            Some(unit_cost),
            Some(status),
        ) = (order_date, customer, product, quantity, unit_price, unit_cost, status)
        else {
            return None;
        };
        if !problems.is_empty() {
            return None;
        }
        let unit_cost = unit_cost.unwrap_or(product.cost_price);
        // Each figure is bounded, their products are not: a line whose amount would not fit is refused,
        // on the price that makes it so (an amount the file gives is only checked).
        let (amount, cost_amount) = match (lines::amount(quantity, unit_price), lines::amount(quantity, unit_cost)) {
            (Ok(amount), Ok(cost_amount)) => (amount, cost_amount),
            (Err(reason), _) => {
                problems.push(FieldError { field: "unit_price", reason });
                return None;
            }
            (_, Err(reason)) => {
                problems.push(FieldError { field: "unit_cost", reason });
                return None;
            }
        };
        let given = self.field(row, Col::Amount);
        if !given.is_empty() {
            match given.parse::<Money>() {
                Ok(given) if given == amount => {}
                Ok(_) => problems.push(FieldError {
                    field: "amount",
                    reason: Reason::AmountDiffers { value: given.into(), expected: amount.to_string() },
                }),
                Err(e) => problems.push(FieldError { field: "amount", reason: e.into() }),
            }
            if !problems.is_empty() {
                return None;
            }
        }
        let header = Header {
            id: 0,
            first_line: 0,
            order_date,
            customer_id: customer.id,
            salesperson_id,
            branch_id,
            due_date: due_date.unwrap_or(self.terms.customer_due(order_date)),
            status,
            total: Money::ZERO,
            cost_total: Money::ZERO,
            lines: 0,
            replaces: false,
            written: None,
        };
        let line = Line {
            id: 0,
            order_id: 0,
            line_no: 0,
            product_id: product.id,
            quantity,
            unit_price,
            unit_cost,
            amount,
            cost_amount,
        };
        Some((header, line))
    }
}

impl OrderImport {
    /// Reads what every line is checked against, once, inside the import's transaction.
    pub async fn start(
        conn: &mut SqliteConnection,
        actor: &Actor,
        map: &ColumnMap,
        batch_id: i64,
        options: &ImportOptions,
        file_bytes: u64,
    ) -> Result<OrderImport> {
        let customers: Vec<CustomerRow> =
            sqlx::query_as("SELECT code, name, id, owner_id, branch_id FROM customers").fetch_all(&mut *conn).await?;
        let products: Vec<(String, String, i64, Money)> =
            sqlx::query_as("SELECT sku, name, id, cost_price FROM products").fetch_all(&mut *conn).await?;
        let people: Vec<(String, String, i64, Option<i64>)> =
            sqlx::query_as("SELECT username, display_name, id, branch_id FROM users ORDER BY id DESC")
                .fetch_all(&mut *conn)
                .await?;
        let existing: Vec<ExistingRow> = sqlx::query_as(
            "SELECT order_no, id, salesperson_id, branch_id, status = 'draft', import_batch_id IS NOT NULL, version
             FROM orders",
        )
        .fetch_all(&mut *conn)
        .await?;
        // The version each order was left at by the last import that replaced it (an order an import
        // made is at version 1 until something else changes it).
        let left_at: HashMap<i64, i64> = sqlx::query_as(
            "SELECT r.record_id, r.version_after FROM import_batch_records r JOIN import_batches b ON b.id = r.batch_id
             WHERE b.entity = 'orders' AND b.undone_at IS NULL ORDER BY r.rowid",
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
        let next_order_id: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM orders").fetch_one(&mut *conn).await?;
        let next_line_id: Option<i64> =
            sqlx::query_scalar("SELECT max(id) FROM order_lines").fetch_one(&mut *conn).await?;
        let warehouse_id: i64 =
            sqlx::query_scalar("SELECT min(id) FROM warehouses WHERE active = 1").fetch_one(&mut *conn).await?;
        let lines_there = next_line_id.unwrap_or(0) as u64;
        let bulk = if bulk::worth_it(file_bytes, BYTES_PER_LINE, lines_there) {
            BulkLoad::start(conn, &["orders", "order_lines"], &KEPT_INDEXES, 64).await?
        } else {
            BulkLoad::none()
        };
        let branch_of = people.iter().map(|(_, _, id, branch)| (*id, *branch)).collect();
        let mut by_name = HashMap::new();
        // Display names first, user names after: a user name wins when both match.
        for (_, display_name, id, branch) in &people {
            by_name.insert(display_name.clone(), (*id, *branch));
        }
        for (username, _, id, branch) in people {
            by_name.insert(username, (id, branch));
        }
        let scope = actor.scope();
        let mut customers_by_code = HashMap::with_capacity(customers.len());
        let mut visible_names = Vec::new();
        for (code, name, id, owner_id, branch_id) in customers {
            let customer = CustomerRef { id, owner_id, branch_id };
            // A name counts only among the customers the importer sees: one they cannot see neither
            // makes a name ambiguous nor is found by it.
            if scope.sees(owner_id, branch_id) {
                visible_names.push((name, customer));
            }
            customers_by_code.insert(code, customer);
        }
        let mut products_by_sku = HashMap::with_capacity(products.len());
        let mut product_names = Vec::with_capacity(products.len());
        for (sku, name, id, cost_price) in products {
            let product = ProductRef { id, cost_price };
            products_by_sku.insert(sku, product);
            product_names.push((name, product));
        }
        let checker = OrderChecker {
            positions: map.positions.clone(),
            actor: actor.clone(),
            terms: PaymentTerms::read(&mut *conn).await?,
            salesperson_only: (actor.role == Role::Salesperson).then_some(actor.user_id),
            customers: Arc::new(customers_by_code),
            products: Arc::new(products_by_sku),
            customer_names: Arc::new(names_of(visible_names, |c| c.id)),
            product_names: Arc::new(names_of(product_names, |p| p.id)),
            people: Arc::new(by_name),
            branch_of: Arc::new(branch_of),
        };
        Ok(OrderImport {
            batch_id,
            mode: options.mode,
            checker,
            existing: existing
                .into_iter()
                .map(|(no, id, salesperson_id, branch_id, draft, imported, version)| {
                    let untouched = imported && version == left_at.get(&id).copied().unwrap_or(1);
                    (no, Existing { id, salesperson_id, branch_id, replaceable: draft || untouched })
                })
                .collect(),
            orders: HashMap::new(),
            replaced: Vec::new(),
            warehouse_id,
            next_order_id: next_order_id.unwrap_or(0) + 1,
            next_line_id: next_line_id.unwrap_or(0) + 1,
            pending_orders: Vec::new(),
            pending: Vec::with_capacity(CHUNK),
            moves_stock: options.moves_stock,
            user_id: actor.user_id,
            now: now_stamp(),
            bulk,
            flush_time: std::time::Duration::ZERO,
        })
    }

    /// The checker, to run on the reading thread.
    pub fn checker(&self) -> OrderChecker {
        self.checker.clone()
    }

    fn field<'a>(&self, row: &'a RowFields<'_>, column: Col) -> &'a str {
        self.checker.field(row.fields, column)
    }

    /// Checks one line (or takes what the reading thread's checker found) and queues it. `writing` is
    /// false once any line was bad: the rest are only checked.
    #[allow(clippy::too_many_arguments)]
    pub async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
        line: u64,
        writing: bool,
        notices: &mut Vec<Notice>,
        checked: Option<CheckedLine>,
    ) -> Result<RowOutcome, RowFailure> {
        let order_no = self.field(row, Col::OrderNo);
        if order_no.is_empty() {
            return Err(RowFailure::field("order_no", Reason::Required));
        }
        if order_no.chars().count() > 40 {
            return Err(RowFailure::field("order_no", Reason::TooLong { max: 40 }));
        }
        let existing = self.existing.get(order_no);
        // Another salesperson's or branch's order is neither skipped nor replaced: its number is taken.
        if existing.is_some_and(|e| !actor.scope().sees(e.salesperson_id, e.branch_id)) {
            return Err(RowFailure::field("order_no", Reason::Taken { value: order_no.into() }));
        }
        let existing = existing.map(|e| (e.id, e.replaceable));
        if existing.is_some() && self.mode == Mode::Insert {
            return Ok(RowOutcome::Skipped);
        }
        if existing.is_some_and(|(_, replaceable)| !replaceable) {
            return Err(RowFailure::field("order_no", Reason::NotReplaceable { value: order_no.to_string() }));
        }
        let salesperson = self.field(row, Col::Salesperson);
        if !salesperson.is_empty() && !self.checker.people.contains_key(salesperson) {
            let (id, created) = users::ensure_salesperson(conn, actor, salesperson).await?;
            if created {
                notices.push(Notice::SalespersonCreated { name: salesperson.to_string() });
            }
            let branch: Option<i64> = sqlx::query_scalar("SELECT branch_id FROM users WHERE id = ?")
                .bind(id)
                .fetch_one(&mut *conn)
                .await
                .map_err(Error::from)?;
            Arc::make_mut(&mut self.checker.people).insert(salesperson.to_string(), (id, branch));
            Arc::make_mut(&mut self.checker.branch_of).insert(id, branch);
        }

        let checked = match checked {
            Some(checked) if checked.salesperson_known => checked,
            _ => self.checker.check(row.fields),
        };
        let (header, fields) = checked.result.map_err(RowFailure::Fields)?;
        let mut problems = Vec::new();
        // A line that names its customer by name is told about that column.
        let (customer_field, customer_column) = match self.field(row, Col::CustomerCode) {
            "" => ("customer_name", Col::CustomerName),
            _ => ("customer_code", Col::CustomerCode),
        };
        let texts = [Col::OrderDate, customer_column, Col::Salesperson, Col::DueDate, Col::Status]
            .map(|column| self.field(row, column));
        let (order_id, line_no, replaces) = match self.orders.get_mut(order_no) {
            Some(first) => {
                let differs = |field: &'static str, problems: &mut Vec<FieldError>, text: &str| {
                    problems.push(FieldError {
                        field,
                        reason: Reason::Differs { value: text.into(), line: first.first_line },
                    });
                };
                let agree = [
                    ("order_date", first.order_date == header.order_date),
                    (customer_field, first.customer_id == header.customer_id),
                    ("salesperson", first.salesperson_id == header.salesperson_id),
                    // A line without a due date takes the order's.
                    ("due_date", first.due_date == header.due_date || texts[3].is_empty()),
                    ("status", first.status == header.status),
                ];
                for ((field, same), text) in agree.into_iter().zip(texts) {
                    if !same {
                        differs(field, &mut problems, text);
                    }
                }
                if !problems.is_empty() {
                    return Err(RowFailure::Fields(problems));
                }
                // The order's totals so far with this line: refused, on this line's price, when they would
                // not fit.
                let total =
                    first.total.checked_add(fields.amount).map_err(|e| RowFailure::field("unit_price", e.into()))?;
                let cost_total = first
                    .cost_total
                    .checked_add(fields.cost_amount)
                    .map_err(|e| RowFailure::field("unit_cost", e.into()))?;
                (first.lines, first.total, first.cost_total) = (first.lines + 1, total, cost_total);
                (first.id, first.lines, first.replaces)
            }
            None => {
                let (id, replaces) = match existing {
                    Some((id, _)) => (id, true),
                    None => {
                        self.next_order_id += 1;
                        (self.next_order_id - 1, false)
                    }
                };
                if replaces && writing {
                    self.forget_lines_of(conn, id).await?;
                }
                if writing {
                    self.pending_orders.push(order_no.to_string());
                }
                self.orders.insert(
                    order_no.to_string(),
                    Header {
                        id,
                        first_line: line,
                        lines: 1,
                        total: fields.amount,
                        cost_total: fields.cost_amount,
                        replaces,
                        ..header
                    },
                );
                (id, 1, replaces)
            }
        };
        if writing {
            self.pending.push(Line { id: self.next_line_id, order_id, line_no, ..fields });
            self.next_line_id += 1;
            if self.pending.len() >= CHUNK {
                self.flush(conn).await?;
            }
        }
        Ok(if replaces { RowOutcome::UpdatedInBatch } else { RowOutcome::InsertedInBatch })
    }

    /// Keeps an order the file replaces as it was (for undo), takes back the stock it moved or
    /// reserved, and drops its lines: the file's come instead, and book their own stock.
    async fn forget_lines_of(&mut self, conn: &mut SqliteConnection, id: i64) -> Result<()> {
        let before = crate::sales::orders::fetch_in(conn, id).await?;
        let json = serde_json::to_string(&before)
            .map_err(|e| Error::Io { path: "order".into(), source: std::io::Error::other(e) })?;
        self.replaced.push((id, "update", Some(json), before.version + 1));
        take_back_stock(conn, &before).await?;
        sqlx::query("DELETE FROM order_lines WHERE order_id = ?").bind(id).execute(&mut *conn).await?;
        Ok(())
    }

    /// Writes the orders first seen since the last time, then the queued lines, through prepared statements.
    async fn flush(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        let lines = std::mem::take(&mut self.pending);
        let orders = std::mem::take(&mut self.pending_orders);
        let this = &*self;
        let flush_started = std::time::Instant::now();
        with_raw(conn, |raw| {
            let mut insert = raw.prepare_cached(
                "INSERT INTO orders (id, order_no, total, cost_total, line_count, order_date, customer_id,
                     salesperson_id, branch_id, warehouse_id, status, due_date, moves_stock, import_batch_id,
                     created_by, confirmed_at, delivered_at, cancelled_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            )?;
            let mut replace = raw.prepare_cached(
                "UPDATE orders SET total = ?3, cost_total = ?4, line_count = ?5, order_date = ?6, customer_id = ?7,
                     salesperson_id = ?8, branch_id = ?9, warehouse_id = ?10, status = ?11, due_date = ?12,
                     moves_stock = ?13, import_batch_id = coalesce(import_batch_id, ?14), confirmed_at = ?16, delivered_at = ?17,
                     cancelled_at = ?18, version = version + 1, updated_at = ?19
                 WHERE id = ?1 AND order_no = ?2",
            )?;
            for order_no in &orders {
                let h = &this.orders[order_no];
                if h.written.is_some() {
                    continue;
                }
                let now = this.now.as_str();
                let stamp = |status: OrderStatus| (h.status == status).then_some(now);
                let values = params![
                    h.id,
                    order_no,
                    h.total.minor(),
                    h.cost_total.minor(),
                    h.lines,
                    h.order_date.to_string(),
                    h.customer_id,
                    h.salesperson_id,
                    h.branch_id,
                    this.warehouse_id,
                    h.status.as_str(),
                    h.due_date.to_string(),
                    this.moves_stock,
                    this.batch_id,
                    this.user_id,
                    stamp(OrderStatus::Confirmed).or(stamp(OrderStatus::Delivered)),
                    stamp(OrderStatus::Delivered),
                    stamp(OrderStatus::Cancelled),
                    now,
                ];
                if h.replaces {
                    replace.execute(values)?
                } else {
                    insert.execute(values)?
                };
            }
            // Many lines per statement: SQLite then opens the table and its index once per statement,
            // not once per line.
            let mut many = raw.prepare_cached(&lines_insert(LINES_PER_INSERT))?;
            let mut one = raw.prepare_cached(&lines_insert(1))?;
            let mut chunks = lines.chunks_exact(LINES_PER_INSERT);
            for chunk in &mut chunks {
                bind_lines(&mut many, chunk)?;
                many.raw_execute()?;
            }
            for line in chunks.remainder() {
                bind_lines(&mut one, std::slice::from_ref(line))?;
                one.raw_execute()?;
            }
            Ok(())
        })
        .await?;
        for order_no in &orders {
            if let Some(h) = self.orders.get_mut(order_no) {
                h.written.get_or_insert((h.total, h.cost_total, h.lines));
            }
        }
        self.flush_time += flush_started.elapsed();
        self.pending = lines;
        self.pending.clear();
        Ok(())
    }

    /// Writes the last lines and every order's totals, builds dropped indexes again, books stock when asked.
    pub async fn finish(&mut self, conn: &mut SqliteConnection, actor: &Actor) -> Result<()> {
        self.flush(conn).await?;
        tracing::debug!(seconds = self.flush_time.as_secs_f64(), "import: time spent writing rows");
        let mut headers: Vec<&Header> = self.orders.values().collect();
        headers.sort_by_key(|h| h.id);
        let bulk = &mut self.bulk;
        with_raw(conn, |raw| {
            let mut totals = raw.prepare("UPDATE orders SET total = ?, cost_total = ?, line_count = ? WHERE id = ?")?;
            for h in headers.iter().filter(|h| h.written != Some((h.total, h.cost_total, h.lines))) {
                totals.execute(params![h.total.minor(), h.cost_total.minor(), h.lines, h.id])?;
            }
            bulk.finish(raw)?;
            Ok(())
        })
        .await?;
        record_batch_records(conn, self.batch_id, &self.replaced).await?;
        if self.moves_stock {
            book_stock(conn, actor, self.batch_id, self.warehouse_id).await?;
        }
        Ok(())
    }
}

/// Order lines written by one statement of the bulk load.
const LINES_PER_INSERT: usize = 64;

fn lines_insert(rows: usize) -> String {
    let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; rows].join(", ");
    format!(
        "INSERT INTO order_lines (id, order_id, line_no, product_id, quantity, unit_price, unit_cost, amount) \
         VALUES {values}"
    )
}

fn bind_lines(statement: &mut rusqlite::CachedStatement<'_>, lines: &[Line]) -> rusqlite::Result<()> {
    for (i, l) in lines.iter().enumerate() {
        let at = i * 8;
        statement.raw_bind_parameter(at + 1, l.id)?;
        statement.raw_bind_parameter(at + 2, l.order_id)?;
        statement.raw_bind_parameter(at + 3, l.line_no)?;
        statement.raw_bind_parameter(at + 4, l.product_id)?;
        statement.raw_bind_parameter(at + 5, l.quantity.milli())?;
        statement.raw_bind_parameter(at + 6, l.unit_price.minor())?;
        statement.raw_bind_parameter(at + 7, l.unit_cost.minor())?;
        statement.raw_bind_parameter(at + 8, l.amount.minor())?;
    }
    Ok(())
}

/// Books the stock of the batch's confirmed and delivered orders, order by order and product by product,
/// as the app would have when they happened: delivered goods leave, confirmed ones are reserved.
async fn book_stock(conn: &mut SqliteConnection, actor: &Actor, batch_id: i64, warehouse_id: i64) -> Result<()> {
    // Read straight into bookings: a million lines are hundreds of thousands of them.
    let bookings = with_raw(conn, |raw| {
        let mut lines = raw.prepare(
            "SELECT o.id, o.order_date, o.status = 'delivered', l.product_id, sum(l.quantity) FROM orders o
             JOIN order_lines l ON l.order_id = o.id
             WHERE (o.import_batch_id = ?1 OR o.id IN (SELECT record_id FROM import_batch_records WHERE batch_id = ?1))
               AND o.status IN ('confirmed', 'delivered')
             GROUP BY o.id, l.product_id ORDER BY o.id, l.product_id",
        )?;
        let mut rows = lines.query([batch_id])?;
        let mut bookings = Vec::new();
        while let Some(row) = rows.next()? {
            bookings.push(Booking {
                document_id: row.get(0)?,
                date: text::parse_date("order_date", row.get_ref(1)?.as_str().unwrap_or_default())?,
                booked: if row.get(2)? { Booked::Delivered } else { Booked::Reserved },
                product_id: row.get(3)?,
                quantity: Quantity::from_milli(row.get(4)?),
            });
        }
        Ok(bookings)
    })
    .await?;
    stock::book_imported(conn, warehouse_id, actor.user_id, "import", &bookings).await
}

/// How many of a batch's orders were changed since it was imported (confirmed, delivered, cancelled,
/// edited, replaced by a later import): each change adds to an order's version. An order the batch
/// made is at version 1 until then; one it replaced is at the version the batch left it.
pub async fn changed_since(
    conn: &mut SqliteConnection,
    batch_id: i64,
    replaced: &[(i64, String, Option<String>, i64)],
) -> Result<usize> {
    let expected: HashMap<i64, i64> = replaced.iter().map(|(id, _, _, version)| (*id, *version)).collect();
    let made: Vec<(i64, i64)> = sqlx::query_as("SELECT id, version FROM orders WHERE import_batch_id = ?")
        .bind(batch_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut changed = made.iter().filter(|(id, version)| !expected.contains_key(id) && *version != 1).count();
    for (id, version_after) in &expected {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM orders WHERE id = ?").bind(id).fetch_optional(&mut *conn).await?;
        if version != Some(*version_after) {
            changed += 1;
        }
    }
    Ok(changed)
}

/// Takes a batch of orders back: stock they moved returns, orders they replaced come back as they
/// were (with the stock they had booked), the rest are deleted with their lines.
pub async fn undo(
    conn: &mut SqliteConnection,
    actor: &Actor,
    batch_id: i64,
    replaced: &[(i64, String, Option<String>, i64)],
) -> Result<()> {
    let replaced_ids: std::collections::HashSet<i64> = replaced.iter().map(|(id, ..)| *id).collect();
    // Only orders that moved stock are read whole (a batch of history holds hundreds of thousands).
    let moved: Vec<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE import_batch_id = ? AND moves_stock")
        .bind(batch_id)
        .fetch_all(&mut *conn)
        .await?;
    for id in moved.into_iter().filter(|id| !replaced_ids.contains(id)) {
        let order = crate::sales::orders::fetch_in(conn, id).await?;
        take_back_stock(conn, &order).await?;
    }
    for (id, _, before, _) in replaced {
        let before: Order = previous_values(before.as_deref().unwrap_or("null"))?;
        let now = crate::sales::orders::fetch_in(conn, *id).await?;
        take_back_stock(conn, &now).await?;
        restore(conn, *id, &before).await?;
        book_again(conn, actor, &before).await?;
    }
    sqlx::query("DELETE FROM orders WHERE import_batch_id = ?").bind(batch_id).execute(&mut *conn).await?;
    Ok(())
}

/// Gives back what an order did to stock: the goods it delivered return, what it reserved is freed.
async fn take_back_stock(conn: &mut SqliteConnection, order: &Order) -> Result<()> {
    if !order.moves_stock {
        return Ok(());
    }
    stock::unbook_order(conn, order.id).await?;
    if order.status() == OrderStatus::Confirmed {
        for (product_id, quantity) in quantities_by_product(order) {
            stock::release(conn, product_id, order.warehouse_id, quantity).await?;
        }
    }
    Ok(())
}

/// Books again the stock of an order put back by an undo, as it was booked before it was replaced.
async fn book_again(conn: &mut SqliteConnection, actor: &Actor, order: &Order) -> Result<()> {
    let booked = match order.status() {
        _ if !order.moves_stock => return Ok(()),
        OrderStatus::Delivered => Booked::Delivered,
        OrderStatus::Confirmed => Booked::Reserved,
        OrderStatus::Draft | OrderStatus::Cancelled => return Ok(()),
    };
    let date = text::parse_date("order_date", &order.order_date)?;
    let bookings: Vec<Booking> = quantities_by_product(order)
        .into_iter()
        .map(|(product_id, quantity)| Booking { document_id: order.id, date, product_id, quantity, booked })
        .collect();
    stock::book_imported(conn, order.warehouse_id, actor.user_id, "undo", &bookings).await
}

/// Puts an order the import replaced back as it was, lines and all.
async fn restore(conn: &mut SqliteConnection, id: i64, before: &Order) -> Result<()> {
    sqlx::query(
        "UPDATE orders SET order_date = ?, customer_id = ?, salesperson_id = ?, branch_id = ?, warehouse_id = ?,
             status = ?, due_date = ?, total = ?, cost_total = ?, line_count = ?, notes = ?, moves_stock = ?,
             import_batch_id = ?, confirmed_at = ?, delivered_at = ?, cancelled_at = ?, version = ?
         WHERE id = ?",
    )
    .bind(&before.order_date)
    .bind(before.customer_id)
    .bind(before.salesperson_id)
    .bind(before.branch_id)
    .bind(before.warehouse_id)
    .bind(&before.status)
    .bind(&before.due_date)
    .bind(before.total)
    .bind(before.cost_total)
    .bind(before.lines.len() as i64)
    .bind(&before.notes)
    .bind(before.moves_stock)
    .bind(before.import_batch_id)
    .bind(&before.confirmed_at)
    .bind(&before.delivered_at)
    .bind(&before.cancelled_at)
    .bind(before.version)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM order_lines WHERE order_id = ?").bind(id).execute(&mut *conn).await?;
    for line in &before.lines {
        sqlx::query(
            "INSERT INTO order_lines (id, order_id, line_no, product_id, quantity, unit_price, unit_cost, amount)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(line.id)
        .bind(id)
        .bind(line.line_no)
        .bind(line.product_id)
        .bind(line.quantity)
        .bind(line.unit_price)
        .bind(line.unit_cost)
        .bind(line.amount)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_column_order_matches_the_format() {
        let keys: Vec<_> = crate::io::columns::ORDERS.iter().map(|c| c.key).collect();
        assert_eq!(
            keys,
            [
                "order_no",
                "order_date",
                "customer_code",
                "salesperson",
                "sku",
                "quantity",
                "unit_price",
                "unit_cost",
                "due_date",
                "status",
                "customer_name",
                "product_name",
                "amount"
            ]
        );
    }
}
