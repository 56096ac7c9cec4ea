//! Importing a file as one batch: read every row, validate it, write it, all in one transaction
//! that lands whole or not at all; list batches and undo one.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;

use serde::Serialize;
use sqlx::{Connection, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Role};
use crate::crm::activities::ValidActivity;
use crate::crm::service::ValidService;
use crate::db::{Db, now_stamp};
use crate::error::{Error, FileProblem, Reason, Refusal, Result};
pub use crate::io::batch::{ImportOptions, Mode, Progress, SkipReason, Skipped, peak_memory_mib, reset_peak_memory};
use crate::io::batch::{RowFailure, RowOutcome, count_skip, record_batch_records};
use crate::io::bulk;
use crate::io::columns::{self, HeaderProblem, RowFields};
use crate::io::csv_source::CsvSource;
pub use crate::io::entity::Entity;
use crate::io::import_orders::CheckedLine;
use crate::io::notice::Notice;
use crate::io::plain::{Check, Checked, PlainImport};
use crate::io::read_ahead::ReadAhead;
use crate::io::values::{Translator, UnknownValue};
use crate::io::{
    import_activities, import_contacts, import_customers, import_expenses, import_opportunities, import_orders,
    import_products, import_purchases, import_service, import_suppliers,
};
use crate::sales::expenses::ValidExpense;

/// How a batch of `entity` is taken back. Exhaustive: a new entity must say how.
fn undone_by(entity: Entity) -> UndoneBy {
    match entity {
        Entity::Customers => UndoneBy::Records(RecordKind::Customers),
        Entity::Contacts => UndoneBy::Records(RecordKind::Contacts),
        Entity::Products => UndoneBy::Records(RecordKind::Products),
        Entity::Suppliers => UndoneBy::Records(RecordKind::Suppliers),
        Entity::Opportunities => UndoneBy::Records(RecordKind::Opportunities),
        Entity::Orders => UndoneBy::Orders,
        Entity::Purchases => UndoneBy::Purchases,
        Entity::Activities => UndoneBy::BatchId("activities"),
        Entity::Expenses => UndoneBy::BatchId("expenses"),
        Entity::Service => UndoneBy::BatchId("service_requests"),
    }
}

/// How an import batch is found again and taken back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UndoneBy {
    /// Each record it wrote is listed in `import_batch_records`, with its fields before an update.
    Records(RecordKind),
    /// Records without a code to match carry the batch id they came with (a fixed table name).
    BatchId(&'static str),
    /// Orders and purchases: documents with lines, and the stock they booked.
    Orders,
    Purchases,
}

/// Entities whose batches list each record they wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordKind {
    Customers,
    Contacts,
    Products,
    Suppliers,
    Opportunities,
}

impl RecordKind {
    /// The record's version now (None: deleted since).
    async fn version(self, conn: &mut SqliteConnection, id: i64) -> Result<Option<i64>> {
        match self {
            RecordKind::Customers => import_customers::version(conn, id).await,
            RecordKind::Contacts => import_contacts::version(conn, id).await,
            RecordKind::Products => import_products::version(conn, id).await,
            RecordKind::Suppliers => import_suppliers::version(conn, id).await,
            RecordKind::Opportunities => import_opportunities::version(conn, id).await,
        }
    }

    /// Takes back what the batch did to one record: deletes an inserted one, restores an updated one.
    async fn undo_record(self, conn: &mut SqliteConnection, id: i64, action: &str, before: Option<&str>) -> Result<()> {
        match self {
            RecordKind::Customers => import_customers::undo_record(conn, id, action, before).await,
            RecordKind::Contacts => import_contacts::undo_record(conn, id, action, before).await,
            RecordKind::Products => import_products::undo_record(conn, id, action, before).await,
            RecordKind::Suppliers => import_suppliers::undo_record(conn, id, action, before).await,
            RecordKind::Opportunities => import_opportunities::undo_record(conn, id, action, before).await,
        }
    }
}

/// One problem in one row: the line, the column (as the file names it) and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub reason: &'static str,
    pub params: serde_json::Value,
    pub message: String,
}

/// A bad row as it was in the file, for the error CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRow {
    pub line: u64,
    pub fields: Vec<String>,
}

/// What an import found and did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub entity: Entity,
    pub file: String,
    pub encoding: &'static str,
    pub delimiter: String,
    pub headers: Vec<String>,
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub skipped: u64,
    /// Why they were skipped: each reason once, with its count.
    pub skipped_reasons: Vec<Skipped>,
    pub errors: Vec<RowError>,
    /// Errors beyond the ones kept (a file can have a million bad rows).
    pub more_errors: u64,
    pub bad_rows: Vec<BadRow>,
    pub ignored_columns: Vec<String>,
    pub notices: Vec<Notice>,
    /// Each value a list-backed column gave that its list did not know (or that was mapped), once,
    /// with its count and what became of it.
    pub unknown_values: Vec<UnknownValue>,
    /// Some once written; None after a dry run or when any row was bad.
    pub batch_id: Option<i64>,
}

impl ImportReport {
    fn skip(&mut self, reason: SkipReason) {
        self.skipped += 1;
        count_skip(&mut self.skipped_reasons, reason);
    }
}

/// At most this many row errors are kept in a report; the rest are counted.
pub const KEPT_ERRORS: usize = 100_000;

/// The entity-specific half of an import: validates and writes one row at a time.
enum Writer {
    Customers(Box<import_customers::CustomerImport>),
    Contacts(Box<import_contacts::ContactImport>),
    Products(import_products::ProductImport),
    Suppliers(import_suppliers::SupplierImport),
    Orders(Box<import_orders::OrderImport>),
    Purchases(Box<import_purchases::PurchaseImport>),
    Activities(Box<PlainImport<ValidActivity>>),
    Opportunities(Box<import_opportunities::OpportunityImport>),
    Expenses(Box<PlainImport<ValidExpense>>),
    Service(Box<PlainImport<ValidService>>),
}

/// What the reading thread made of a row, for the writer that takes it.
#[derive(Default)]
enum Prepared {
    #[default]
    Nothing,
    OrderLine(CheckedLine),
    Activity(Checked<ValidActivity>),
    Expense(Checked<ValidExpense>),
    Service(Checked<ValidService>),
    Contact(import_contacts::Checked),
    Customer(Box<import_customers::Prepared>),
    Opportunity(import_opportunities::Checked),
}

/// Runs `check` on the reading thread for every row, against `directory` as the import read it (plain
/// records, contacts, opportunities).
fn directory_reader<R: Send + 'static>(
    source: CsvSource,
    actor: &Actor,
    map: &columns::ColumnMap,
    columns: &'static [columns::Column],
    (check, directory): (Check<R>, std::sync::Arc<crate::directory::Directory>),
    wrap: fn(Checked<R>) -> Prepared,
) -> ReadAhead<Prepared> {
    let (actor, map) = (actor.clone(), map.clone());
    ReadAhead::start(source, move |row, prepared: &mut Prepared| {
        // Values the person mapped are read on the writer's side (`io::values`): such a row is checked there again.
        let fields = RowFields { columns, map: &map, fields: &row.fields, overrides: &[] };
        *prepared = wrap(check(&actor, &fields, &directory));
    })
}

/// What the import screen shows before anything is checked: the encoding and delimiter found,
/// which header went to which column, and the first rows.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub encoding: &'static str,
    pub delimiter: String,
    pub headers: Vec<String>,
    /// For each header, the column it was matched to (None: ignored).
    pub matched: Vec<Option<&'static str>>,
    /// Problems with the headers as a whole (a required column missing); empty when fine.
    pub header_problems: Vec<HeaderProblem>,
    /// Every column of the format, for choosing where a header goes.
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

pub fn preview(entity: Entity, path: &Path, options: &ImportOptions, rows: usize) -> Result<Preview> {
    let mut source = CsvSource::open(path, options.source)?;
    let columns = entity.columns();
    let (matched, header_problems) = match columns::map_headers(columns, source.headers(), &options.mapping) {
        Ok(map) => {
            let mut matched = vec![None; source.headers().len()];
            for (column, position) in columns.iter().zip(&map.positions) {
                if let Some(position) = position {
                    matched[*position] = Some(column.key);
                }
            }
            (matched, Vec::new())
        }
        Err(problems) => (vec![None; source.headers().len()], problems),
    };
    let mut first = Vec::new();
    while first.len() < rows {
        match source.next_row()? {
            Some(row) => first.push(row.fields),
            None => break,
        }
    }
    Ok(Preview {
        encoding: source.encoding().name(),
        delimiter: (source.delimiter() as char).to_string(),
        headers: source.headers().to_vec(),
        matched,
        header_problems,
        columns: columns.iter().map(|c| c.key).collect(),
        rows: first,
    })
}

/// Imports `path` as `entity`. Nothing is written unless every row is good and this is not a dry run.
pub async fn import_file(
    db: &Db,
    actor: &Actor,
    entity: Entity,
    path: &Path,
    options: ImportOptions,
) -> Result<ImportReport> {
    actor.require(entity.permission())?;
    let source = CsvSource::open(path, options.source)?;
    let columns = entity.columns();
    let map = columns::map_headers(columns, source.headers(), &options.mapping)
        .map_err(|problems| source.bad_file(1, FileProblem::Headers(problems)))?;
    let report = ImportReport {
        entity,
        file: path.display().to_string(),
        encoding: source.encoding().name(),
        delimiter: (source.delimiter() as char).to_string(),
        headers: source.headers().to_vec(),
        rows: 0,
        inserted: 0,
        updated: 0,
        skipped: 0,
        skipped_reasons: Vec::new(),
        errors: Vec::new(),
        more_errors: 0,
        bad_rows: Vec::new(),
        ignored_columns: map.ignored.clone(),
        notices: Vec::new(),
        unknown_values: Vec::new(),
        batch_id: None,
    };
    let file_bytes = source.progress().1;
    // A bulk load of orders checks every reference itself, against customers, products and users read
    // in its own transaction: SQLite's own foreign-key lookups (several per line) would only repeat
    // them. The pragma cannot change inside a transaction, so it is set on the connection around it,
    // and a connection that cannot be set back is closed rather than returned to the pool.
    let relaxed = Relaxed {
        foreign_keys: entity == Entity::Orders && bulk::large(file_bytes),
        // A bulk load of customers writes a type the checks read into an enum: the table's CHECK of it
        // (an IN list, for which SQLite builds a temporary index at every insert) would only repeat it.
        checks: entity == Entity::Customers && bulk::large(file_bytes),
    };
    let mut conn = ImportConnection::acquire(db, relaxed).await?;
    let result = import_in(conn.connection(), actor, entity, source, &map, options, report).await;
    conn.restore().await;
    result
}

/// What SQLite leaves to an import's own checks while it runs.
#[derive(Clone, Copy)]
struct Relaxed {
    /// `PRAGMA foreign_keys = OFF`.
    foreign_keys: bool,
    /// `PRAGMA ignore_check_constraints = ON`.
    checks: bool,
}

/// The import's pooled connection while its pragmas may differ from the pool's: foreign keys off for a
/// bulk load of orders, CHECK constraints off for a bulk load of customers, and the larger page cache a bulk load sets (which it shrinks again when it ends
/// well; after a bad row or a fault the cache is set back here, so no pooled connection keeps tens of
/// megabytes it no longer needs). Only after [`ImportConnection::restore`] set both back does it return
/// to the pool. Dropped any other way — a panic, or the import's future dropped half-way — it closes the
/// connection instead: Drop cannot run the statements that would set the pragmas back, and a connection
/// whose pragmas may be wrong must never be lent again.
struct ImportConnection {
    pooled: sqlx::pool::PoolConnection<Sqlite>,
    usual_cache: i64,
    relaxed: Relaxed,
    restored: bool,
}

impl ImportConnection {
    async fn acquire(db: &Db, relaxed: Relaxed) -> Result<ImportConnection> {
        let mut guard =
            ImportConnection { pooled: db.pool().acquire().await?, usual_cache: 0, relaxed, restored: false };
        guard.usual_cache = sqlx::query_scalar("PRAGMA cache_size").fetch_one(&mut *guard.pooled).await?;
        if relaxed.foreign_keys {
            sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *guard.pooled).await?;
        }
        if relaxed.checks {
            sqlx::query("PRAGMA ignore_check_constraints = ON").execute(&mut *guard.pooled).await?;
        }
        Ok(guard)
    }

    fn connection(&mut self) -> &mut SqliteConnection {
        &mut self.pooled
    }

    /// Sets the pragmas back, so that the connection returns to the pool; when either cannot be set
    /// back (or this is dropped half-way), it is closed instead.
    async fn restore(mut self) {
        let cache_back = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = {}", self.usual_cache)))
            .execute(&mut *self.pooled)
            .await
            .is_ok();
        let keys_back = !self.relaxed.foreign_keys
            || sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *self.pooled).await.is_ok();
        let checks_back = !self.relaxed.checks
            || sqlx::query("PRAGMA ignore_check_constraints = OFF").execute(&mut *self.pooled).await.is_ok();
        self.restored = cache_back && keys_back && checks_back;
    }
}

impl Drop for ImportConnection {
    fn drop(&mut self) {
        if !self.restored {
            self.pooled.close_on_drop();
        }
    }
}

/// The import itself, on one connection, in one transaction.
async fn import_in(
    conn: &mut SqliteConnection,
    actor: &Actor,
    entity: Entity,
    source: CsvSource,
    map: &columns::ColumnMap,
    mut options: ImportOptions,
    mut report: ImportReport,
) -> Result<ImportReport> {
    let columns = entity.columns();
    let headers = source.headers().to_vec();
    let header_count = headers.len();
    let file_bytes = source.progress().1;
    let no_rows = source.bad_file(1, FileProblem::NoRows);
    let progress_of_file = source.progress_handle();
    let started = std::time::Instant::now();
    let key_position = columns.iter().position(|c| c.key == entity.key_column());
    // Keys are short: kept inline, a million of them take half the memory of `String`s.
    let mut first_line_of_key: HashMap<compact_str::CompactString, u64> = HashMap::new();
    // Records written one by one, for undo: inserted ones as `(id, version)` alone (a million of them
    // in 16 MB), updated ones with their fields before.
    let mut inserted: Vec<(i64, i64)> = Vec::new();
    let mut updated: Vec<(i64, &'static str, Option<String>, i64)> = Vec::new();

    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let batch_id = start_batch(&mut tx, actor, &report, options.mode).await?;
    let mut values = Translator::start(&mut tx, actor, entity, map, std::mem::take(&mut options.values)).await?;
    let mut writer = match entity {
        Entity::Customers => Writer::Customers(Box::new(
            import_customers::CustomerImport::start(&mut tx, actor, batch_id, file_bytes).await?,
        )),
        Entity::Contacts => Writer::Contacts(Box::new(
            import_contacts::ContactImport::start(&mut tx, actor, batch_id, file_bytes).await?,
        )),
        Entity::Products => Writer::Products(import_products::ProductImport::start(&mut tx, actor, batch_id).await?),
        Entity::Suppliers => {
            Writer::Suppliers(import_suppliers::SupplierImport::start(&mut tx, actor, batch_id).await?)
        }
        Entity::Orders => Writer::Orders(Box::new(
            import_orders::OrderImport::start(&mut tx, actor, map, batch_id, &options, file_bytes).await?,
        )),
        Entity::Purchases => Writer::Purchases(Box::new(
            import_purchases::PurchaseImport::start(&mut tx, map, batch_id, options.mode).await?,
        )),
        Entity::Activities => Writer::Activities(Box::new(
            PlainImport::start(
                &mut tx,
                actor,
                batch_id,
                import_activities::check,
                file_bytes,
                import_activities::BYTES_PER_ROW,
            )
            .await?,
        )),
        Entity::Opportunities => Writer::Opportunities(Box::new(
            import_opportunities::OpportunityImport::start(&mut tx, actor, batch_id, file_bytes).await?,
        )),
        Entity::Expenses => Writer::Expenses(Box::new(
            PlainImport::start(
                &mut tx,
                actor,
                batch_id,
                import_expenses::check,
                file_bytes,
                import_expenses::BYTES_PER_ROW,
            )
            .await?,
        )),
        Entity::Service => Writer::Service(Box::new(
            PlainImport::start(
                &mut tx,
                actor,
                batch_id,
                import_service::check,
                file_bytes,
                import_service::BYTES_PER_ROW,
            )
            .await?,
        )),
    };
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), peak_mib = peak_memory_mib(), "import: started");
    // Order lines, customers, contacts, opportunities and plain records are parsed and checked on the
    // reading thread, against what the import read at its start.
    let mut source = match &writer {
        Writer::Orders(orders) => {
            let checker = orders.checker();
            ReadAhead::start(source, move |row, prepared: &mut Prepared| {
                *prepared = Prepared::OrderLine(checker.check(&row.fields));
            })
        }
        Writer::Activities(plain) => directory_reader(source, actor, map, columns, plain.checker(), Prepared::Activity),
        Writer::Expenses(plain) => directory_reader(source, actor, map, columns, plain.checker(), Prepared::Expense),
        Writer::Service(plain) => directory_reader(source, actor, map, columns, plain.checker(), Prepared::Service),
        Writer::Contacts(contacts) => {
            let checker = (import_contacts::check as Check<_>, contacts.checker());
            directory_reader(source, actor, map, columns, checker, Prepared::Contact)
        }
        Writer::Customers(_) => {
            let map = map.clone();
            ReadAhead::start(source, move |row, prepared: &mut Prepared| {
                let fields = RowFields { columns, map: &map, fields: &row.fields, overrides: &[] };
                *prepared = Prepared::Customer(Box::new(import_customers::prepare(&fields)));
            })
        }
        Writer::Opportunities(opportunities) => {
            let checker = (import_opportunities::check as Check<_>, opportunities.checker());
            directory_reader(source, actor, map, columns, checker, Prepared::Opportunity)
        }
        Writer::Products(_) | Writer::Suppliers(_) | Writer::Purchases(_) => ReadAhead::start(source, |_, _| {}),
    };
    while let Some((row, prepared)) = source.next_row()? {
        if options.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            tx.rollback().await?;
            return Err(Error::Refused(Refusal::ImportCancelled));
        }
        report.rows += 1;
        if let Some(progress) = options.progress.as_ref().filter(|_| report.rows.is_multiple_of(1_000)) {
            let (bytes, total_bytes) = progress_of_file.get();
            progress(Progress { rows: report.rows, bytes, total_bytes });
        }
        let mut problems: Vec<(String, Reason)> = Vec::new();
        if row.fields.len() != header_count {
            problems.push((String::new(), Reason::WrongFieldCount { found: row.fields.len(), expected: header_count }));
        }
        if let Some(position) = row.fields.iter().position(|f| f.contains('\u{FFFD}')) {
            let column = headers.get(position).cloned().unwrap_or_default();
            let value = row.fields[position].clone();
            problems.push((column, Reason::Unreadable { value }));
        }
        let overrides = values.translate(&mut tx, actor, &row.fields, &mut report.notices).await?;
        let fields = RowFields { columns, map, fields: &row.fields, overrides: &overrides };
        let key = entity.record_key(&fields);
        if !key.is_empty() {
            if let Some(first) = first_line_of_key.get(&key) {
                let reason = Reason::DuplicateInFile { value: key.into(), first_line: *first };
                problems.push((header_of(&headers, map, key_position), reason));
            } else {
                first_line_of_key.insert(key, row.line);
            }
        }
        if problems.is_empty() {
            // Once a row is bad nothing will be written: the rest are only checked.
            let writing = report.errors.is_empty();
            let outcome = match &mut writer {
                Writer::Customers(customers) => {
                    let prepared = match std::mem::take(prepared) {
                        Prepared::Customer(prepared) => Some(*prepared),
                        _ => None,
                    };
                    customers.row(&mut tx, actor, &fields, prepared, row.line, options.mode, &mut report.notices).await
                }
                Writer::Contacts(contacts) => {
                    let checked = match std::mem::take(prepared) {
                        Prepared::Contact(checked) => Some(checked),
                        _ => None,
                    };
                    contacts.row(&mut tx, actor, &fields, checked, row.line, options.mode, writing).await
                }
                Writer::Products(products) => products.row(&mut tx, &fields, options.mode, writing).await,
                Writer::Suppliers(suppliers) => suppliers.row(&mut tx, &fields, options.mode, writing).await,
                Writer::Orders(orders) => {
                    let checked = match std::mem::take(prepared) {
                        Prepared::OrderLine(checked) => Some(checked),
                        _ => None,
                    };
                    orders.row(&mut tx, actor, &fields, row.line, writing, &mut report.notices, checked).await
                }
                Writer::Purchases(purchases) => purchases.row(&mut tx, &fields, row.line, writing).await,
                Writer::Activities(plain) => {
                    let checked = match std::mem::take(prepared) {
                        Prepared::Activity(checked) if overrides.is_empty() => Some(checked),
                        _ => None,
                    };
                    plain.lists_changed(&mut tx, values.added()).await?;
                    plain.row(&mut tx, actor, &fields, checked, writing).await
                }
                Writer::Opportunities(opportunities) => {
                    let checked = match std::mem::take(prepared) {
                        Prepared::Opportunity(checked) if overrides.is_empty() => Some(checked),
                        _ => None,
                    };
                    opportunities.lists_changed(&mut tx, values.added()).await?;
                    opportunities.row(&mut tx, actor, &fields, checked, options.mode, writing).await
                }
                Writer::Expenses(plain) => {
                    let checked = match std::mem::take(prepared) {
                        Prepared::Expense(checked) if overrides.is_empty() => Some(checked),
                        _ => None,
                    };
                    plain.lists_changed(&mut tx, values.added()).await?;
                    plain.row(&mut tx, actor, &fields, checked, writing).await
                }
                Writer::Service(plain) => {
                    let checked = match std::mem::take(prepared) {
                        Prepared::Service(checked) if overrides.is_empty() => Some(checked),
                        _ => None,
                    };
                    plain.lists_changed(&mut tx, values.added()).await?;
                    plain.row(&mut tx, actor, &fields, checked, writing).await
                }
            };
            match outcome {
                Ok(RowOutcome::Inserted { id, version }) => {
                    report.inserted += 1;
                    inserted.push((id, version));
                }
                Ok(RowOutcome::Updated { id, version, before }) => {
                    report.updated += 1;
                    updated.push((id, "update", Some(before.to_string()), version));
                }
                Ok(RowOutcome::InsertedInBatch) => report.inserted += 1,
                Ok(RowOutcome::UpdatedInBatch) => report.updated += 1,
                Ok(RowOutcome::Skipped) => report.skip(SkipReason::Exists),
                Ok(RowOutcome::AlreadyImported) => report.skip(SkipReason::AlreadyImported),
                Err(RowFailure::Fields(fields_wrong)) => {
                    for wrong in fields_wrong {
                        let position = columns.iter().position(|c| c.key == column_of_field(wrong.field));
                        problems.push((header_of(&headers, map, position), wrong.reason));
                    }
                }
                Err(RowFailure::Fault(error)) => return Err(error),
            }
        }
        if !problems.is_empty() {
            for (column, reason) in problems {
                if report.errors.len() < KEPT_ERRORS {
                    report.errors.push(RowError {
                        line: row.line,
                        column,
                        reason: reason.code(),
                        params: reason.params(),
                        message: reason.to_string(),
                    });
                } else {
                    report.more_errors += 1;
                }
            }
            if report.bad_rows.len() < KEPT_ERRORS {
                report.bad_rows.push(BadRow { line: row.line, fields: row.fields.clone() });
            }
        }
    }
    tracing::debug!(
        rows = report.rows,
        seconds = started.elapsed().as_secs_f64(),
        peak_mib = peak_memory_mib(),
        "import: rows read and checked"
    );
    report.unknown_values = values.finish();
    if report.rows == 0 {
        return Err(no_rows);
    }
    if !report.errors.is_empty() {
        tx.rollback().await?;
        return Ok(report);
    }
    match &mut writer {
        Writer::Customers(customers) => customers.finish(&mut tx).await?,
        Writer::Contacts(contacts) => contacts.finish(&mut tx).await?,
        Writer::Products(products) => products.finish(&mut tx).await?,
        Writer::Suppliers(suppliers) => suppliers.finish(&mut tx).await?,
        Writer::Orders(orders) => orders.finish(&mut tx, actor).await?,
        Writer::Purchases(purchases) => purchases.finish(&mut tx, actor, options.moves_stock).await?,
        Writer::Activities(plain) => plain.finish(&mut tx).await?,
        Writer::Expenses(plain) => plain.finish(&mut tx).await?,
        Writer::Service(plain) => plain.finish(&mut tx).await?,
        Writer::Opportunities(opportunities) => opportunities.finish(&mut tx).await?,
    }
    if options.dry_run {
        tx.rollback().await?;
        return Ok(report);
    }
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), peak_mib = peak_memory_mib(), "import: written");
    finish_batch(&mut tx, actor, &report, batch_id, &inserted, &updated).await?;
    tx.commit().await?;
    tracing::debug!(seconds = started.elapsed().as_secs_f64(), peak_mib = peak_memory_mib(), "import: committed");
    report.batch_id = Some(batch_id);
    Ok(report)
}

/// The column a validation field belongs to (the engine calls the customer type `type`, as the file does).
fn column_of_field(field: &str) -> &str {
    match field {
        "kind" => "type",
        other => other,
    }
}

fn header_of(headers: &[String], map: &columns::ColumnMap, column: Option<usize>) -> String {
    column.and_then(|c| map.positions[c]).and_then(|p| headers.get(p)).cloned().unwrap_or_default()
}

/// Opens the import's batch (inside its transaction: a failed import leaves no batch behind), so that
/// records can carry its id as they are written.
async fn start_batch(conn: &mut SqliteConnection, actor: &Actor, report: &ImportReport, mode: Mode) -> Result<i64> {
    let file_name =
        Path::new(&report.file).file_name().map_or(report.file.clone(), |n| n.to_string_lossy().into_owned());
    Ok(sqlx::query(
        "INSERT INTO import_batches (entity, file_name, encoding, mode, user_id, started_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(report.entity.as_str())
    .bind(&file_name)
    .bind(report.encoding)
    .bind(mode.as_str())
    .bind(actor.user_id)
    .bind(now_stamp())
    .execute(&mut *conn)
    .await?
    .last_insert_rowid())
}

/// Records what the batch did: its counts, each record it wrote one by one, and an audit entry.
async fn finish_batch(
    conn: &mut SqliteConnection,
    actor: &Actor,
    report: &ImportReport,
    batch_id: i64,
    inserted: &[(i64, i64)],
    updated: &[(i64, &'static str, Option<String>, i64)],
) -> Result<()> {
    sqlx::query(
        "UPDATE import_batches SET finished_at = ?, rows = ?, inserted = ?, updated = ?, skipped = ? WHERE id = ?",
    )
    .bind(now_stamp())
    .bind(report.rows as i64)
    .bind(report.inserted as i64)
    .bind(report.updated as i64)
    .bind(report.skipped as i64)
    .bind(batch_id)
    .execute(&mut *conn)
    .await?;
    for chunk in inserted.chunks(2_000) {
        let records: Vec<_> = chunk.iter().map(|(id, version)| (*id, "insert", None, *version)).collect();
        record_batch_records(conn, batch_id, &records).await?;
    }
    record_batch_records(conn, batch_id, updated).await?;
    let summary = serde_json::json!({
        "entity": report.entity.as_str(), "file": report.file, "rows": report.rows,
        "inserted": report.inserted, "updated": report.updated, "skipped": report.skipped,
    });
    audit::record(conn, actor, "import_batch", batch_id, "import", summary).await
}

/// How many of a batch's records in `table` (a fixed name from [`undone_by`]) were edited
/// since: each edit adds to a record's version.
async fn changed_in_table(conn: &mut SqliteConnection, table: &'static str, batch_id: i64) -> Result<usize> {
    let changed: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM {table} WHERE import_batch_id = ? AND version != 1"
    )))
    .bind(batch_id)
    .fetch_one(conn)
    .await?;
    Ok(changed as usize)
}

/// Writes the bad rows as they were, plus a column saying what is wrong, as UTF-8 with a BOM (so
/// Excel opens it): fix them there and import the file again. Text that a spreadsheet would run as a
/// formula is quoted, as exports do, and the importer reads it back unquoted.
pub fn write_error_csv(report: &ImportReport, out: &Path) -> Result<()> {
    let io_error = |e: std::io::Error| Error::Io { path: out.display().to_string(), source: e };
    let mut file = std::fs::File::create(out).map_err(io_error)?;
    std::io::Write::write_all(&mut file, b"\xEF\xBB\xBF").map_err(io_error)?;
    let mut writer = csv::Writer::from_writer(file);
    let csv_error = |e: csv::Error| Error::Io { path: out.display().to_string(), source: std::io::Error::other(e) };
    // Every cell is text from the person's file and may start like a formula.
    let safe =
        |cells: &[String]| cells.iter().map(|c| crate::io::formula::neutralise(c).into_owned()).collect::<Vec<_>>();
    let mut header = report.headers.clone();
    header.push("error".into());
    writer.write_record(safe(&header)).map_err(csv_error)?;
    for bad in &report.bad_rows {
        let reasons: Vec<String> = report
            .errors
            .iter()
            .filter(|e| e.line == bad.line)
            .map(|e| if e.column.is_empty() { e.message.clone() } else { format!("{}: {}", e.column, e.message) })
            .collect();
        let mut record = bad.fields.clone();
        record.resize(report.headers.len(), String::new());
        record.push(format!("line {}: {}", bad.line, reasons.join("; ")));
        writer.write_record(safe(&record)).map_err(csv_error)?;
    }
    writer.flush().map_err(io_error)
}

/// One line of the list of imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Batch {
    pub id: i64,
    pub entity: String,
    pub file_name: String,
    pub encoding: String,
    pub mode: String,
    pub username: Option<String>,
    pub started_at: String,
    pub rows: i64,
    pub inserted: i64,
    pub updated: i64,
    pub skipped: i64,
    pub undone_at: Option<String>,
}

/// Imports, newest first: the owner sees all, others their own.
pub async fn batches(db: &Db, actor: &Actor) -> Result<Vec<Batch>> {
    let all = actor.role == Role::Owner;
    Ok(sqlx::query_as(
        "SELECT b.id, b.entity, b.file_name, b.encoding, b.mode, u.username, b.started_at, b.rows, b.inserted,
                b.updated, b.skipped, b.undone_at
         FROM import_batches b LEFT JOIN users u ON u.id = b.user_id
         WHERE ?1 OR b.user_id = ?2
         ORDER BY b.id DESC",
    )
    .bind(all)
    .bind(actor.user_id)
    .fetch_all(db.pool())
    .await?)
}

/// Undoes a batch: deletes what it inserted and puts back what it updated, in one transaction.
/// Refused when any of its records was changed (or deleted) after the import.
pub async fn undo(db: &Db, actor: &Actor, batch_id: i64) -> Result<Batch> {
    let mut tx = db.write().await?;
    let batch: Option<(String, Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT entity, user_id, undone_at FROM import_batches WHERE id = ?")
            .bind(batch_id)
            .fetch_optional(&mut *tx)
            .await?;
    let (entity, user_id, undone_at) = batch.ok_or_else(|| Error::not_found("import", batch_id))?;
    if actor.role != Role::Owner && user_id != Some(actor.user_id) {
        return Err(Error::not_found("import", batch_id));
    }
    if undone_at.is_some() {
        return Err(Error::Refused(Refusal::AlreadyUndone));
    }
    let entity = Entity::parse(&entity).ok_or(Error::Refused(Refusal::UndoUnknownKind))?;
    actor.require(entity.permission())?;
    let records: Vec<(i64, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT record_id, action, before, version_after FROM import_batch_records WHERE batch_id = ? ORDER BY rowid DESC",
    )
    .bind(batch_id)
    .fetch_all(&mut *tx)
    .await?;
    let changed = match undone_by(entity) {
        UndoneBy::Orders => import_orders::changed_since(&mut tx, batch_id, &records).await?,
        UndoneBy::Purchases => import_purchases::changed_since(&mut tx, batch_id).await?,
        UndoneBy::BatchId(table) => changed_in_table(&mut tx, table, batch_id).await?,
        UndoneBy::Records(kind) => {
            let mut changed = 0;
            for (id, _, _, version_after) in &records {
                if kind.version(&mut tx, *id).await? != Some(*version_after) {
                    changed += 1;
                }
            }
            if kind == RecordKind::Customers {
                changed += crate::crm::customers::referenced_among_inserted(&mut tx, batch_id).await?;
            }
            changed
        }
    };
    if changed > 0 {
        return Err(Error::BatchChanged { changed });
    }
    match undone_by(entity) {
        UndoneBy::Orders => import_orders::undo(&mut tx, actor, batch_id, &records).await?,
        UndoneBy::Purchases => import_purchases::undo(&mut tx, batch_id).await?,
        UndoneBy::BatchId(table) => {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE import_batch_id = ?")))
                .bind(batch_id)
                .execute(&mut *tx)
                .await?;
        }
        UndoneBy::Records(kind) => {
            if kind == RecordKind::Customers {
                import_customers::undo_contacts(&mut tx, batch_id).await?;
            }
            for (id, action, before, _) in &records {
                kind.undo_record(&mut tx, *id, action, before.as_deref()).await?;
            }
        }
    }
    sqlx::query("UPDATE import_batches SET undone_at = ?, undone_by = ? WHERE id = ?")
        .bind(now_stamp())
        .bind(actor.user_id)
        .bind(batch_id)
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, actor, "import_batch", batch_id, "undo", serde_json::json!({ "records": records.len() }))
        .await?;
    tx.commit().await?;
    batches(db, actor).await?.into_iter().find(|b| b.id == batch_id).ok_or_else(|| Error::not_found("import", batch_id))
}
