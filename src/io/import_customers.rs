//! Customers from a file: each row validated and matched by code, new ones written in multi-row
//! statements; undoing a batch's customers.

use std::collections::HashMap;

use compact_str::CompactString;
use sqlx::SqliteConnection;

use crate::auth::{Actor, Scope};
use crate::crm::customers::{self, Customer, CustomerInput, Lookups, ValidCustomer};
use crate::crm::search;
use crate::db::with_raw;
use crate::error::{Error, Reason, Result};
use crate::io::batch::{Mode, RowFailure, RowOutcome, previous_values};
use crate::io::bulk::{self, BulkLoad};
use crate::io::columns::RowFields;
use crate::io::fields;
use crate::io::notice::Notice;

/// New customers are written this many at a time.
const CHUNK: usize = 2_000;

/// The state of one customers import: what exists, what is waiting to be written.
pub struct CustomerImport {
    lookups: Lookups,
    /// Every customer code in the company or the file so far. Codes are short: kept inline, a million
    /// of them take ~80 MB rather than ~150 MB as `String`s with their own allocations.
    codes: HashMap<CompactString, Code>,
    next_id: i64,
    pending: Vec<(i64, ValidCustomer)>,
    search: search::Staging,
    /// Indexes dropped for a bulk load, built again at the end.
    bulk: BulkLoad,
}

/// What is known of a customer code, in 16 bytes.
#[derive(Clone, Copy)]
struct Code {
    /// The customer's id, once it exists (0 for a code first met on a bad row: ids start at 1).
    id: i64,
    /// The line of the file that named it first (0 for none: the header is line 1).
    line: u64,
}

/// A typical customer row's size in a file.
const BYTES_PER_ROW: u64 = 120;

impl CustomerImport {
    /// Reads what the import needs to know up front, inside its transaction.
    pub async fn start(conn: &mut SqliteConnection, file_bytes: u64) -> Result<CustomerImport> {
        let existing: Vec<(String, i64)> =
            sqlx::query_as("SELECT code, id FROM customers").fetch_all(&mut *conn).await?;
        let last_id: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM customers").fetch_one(&mut *conn).await?;
        let bulk = if bulk::worth_it(file_bytes, BYTES_PER_ROW, existing.len() as u64) {
            // A smaller cache than orders take: customers keep a map of every code, and their search rows
            // are indexed at the end, and a million-row file must stay within 300 MB.
            BulkLoad::start(conn, &["customers"], &[], 32).await?
        } else {
            BulkLoad::none()
        };
        Ok(CustomerImport {
            lookups: Lookups::default(),
            codes: existing.into_iter().map(|(code, id)| (code.into(), Code { id, line: 0 })).collect(),
            next_id: last_id.unwrap_or(0) + 1,
            pending: Vec::new(),
            search: search::Staging::start(conn).await?,
            bulk,
        })
    }

    pub async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
        line: u64,
        mode: Mode,
        notices: &mut Vec<Notice>,
    ) -> Result<RowOutcome, RowFailure> {
        let code = row.get("code");
        if code.is_empty() {
            return Err(RowFailure::field("code", Reason::Required));
        }
        let owner = row.get("owner");
        if !self.lookups.knows_owner(owner) {
            fields::ensure_salesperson(conn, actor, owner, notices).await?;
        }
        let input = input_of(row, code, owner);
        let known = self.codes.entry(code.into()).or_insert(Code { id: 0, line: 0 });
        if known.line > 0 {
            let reason = Reason::DuplicateInFile { value: code.to_string(), first_line: known.line };
            return Err(RowFailure::field("code", reason));
        }
        known.line = line;
        match (known.id > 0).then_some(known.id) {
            None => {
                let valid = customers::validate(conn, actor, &input, &mut self.lookups).await?;
                customers::check_scope(actor, &valid, owner)?;
                let id = self.next_id;
                self.next_id += 1;
                if let Some(known) = self.codes.get_mut(code) {
                    known.id = id;
                }
                self.pending.push((id, valid));
                if self.pending.len() >= CHUNK {
                    self.flush(conn).await?;
                }
                Ok(RowOutcome::Inserted { id, version: 1 })
            }
            // Another's customer is neither skipped nor updated: its code is taken (a skip would tell
            // the importer the customer is there and theirs).
            Some(id) if actor.scope() != Scope::All && customers::fetch_visible_in(conn, actor, id).await.is_err() => {
                Err(RowFailure::field("code", Reason::Taken { value: code.to_string() }))
            }
            Some(_) if mode == Mode::Insert => Ok(RowOutcome::Skipped),
            Some(id) => {
                let before = customers::fetch_visible_in(conn, actor, id).await?;
                let valid = customers::validate(conn, actor, &input, &mut self.lookups).await?;
                customers::check_scope(actor, &valid, owner)?;
                customers::update_in(conn, id, &valid).await?;
                let before_json = serde_json::to_value(&before)
                    .map_err(|e| Error::Io { path: "customer".into(), source: std::io::Error::other(e) })?;
                Ok(RowOutcome::Updated { id, version: before.version + 1, before: before_json })
            }
        }
    }

    /// Writes what is waiting.
    async fn flush(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        customers::insert_many(conn, &self.pending, &mut self.search).await?;
        self.pending.clear();
        Ok(())
    }

    /// Writes the last customers and makes every new one searchable. Call after the last row.
    pub async fn finish(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        self.flush(conn).await?;
        let bulk = &mut self.bulk;
        with_raw(conn, |raw| Ok(bulk.finish(raw)?)).await?;
        tracing::debug!(peak_mib = crate::io::batch::peak_memory_mib(), "import: customers written, indexes built");
        self.search.finish(conn).await
    }
}

fn input_of(row: &RowFields<'_>, code: &str, owner: &str) -> CustomerInput {
    CustomerInput {
        code: code.to_string(),
        name: row.get("name").to_string(),
        kind: row.get("type").to_string(),
        source: row.get("source").to_string(),
        level: row.get("level").to_string(),
        phone: row.get("phone").to_string(),
        email: row.get("email").to_string(),
        address: row.get("address").to_string(),
        city: row.get("city").to_string(),
        birthday: row.get("birthday").to_string(),
        hobbies: row.get("hobbies").to_string(),
        owner: owner.to_string(),
        created_on: row.get("created_on").to_string(),
        notes: row.get("notes").to_string(),
        tags: row.get("tags").to_string(),
        version: None,
        allow_duplicate: true,
    }
}

/// The version of a customer now; None once deleted.
pub async fn version(conn: &mut SqliteConnection, id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT version FROM customers WHERE id = ?").bind(id).fetch_optional(conn).await?)
}

/// Takes back what an import did to one customer: deletes an inserted one, restores an updated one.
pub async fn undo_record(conn: &mut SqliteConnection, id: i64, action: &str, before: Option<&str>) -> Result<()> {
    match (action, before) {
        ("insert", _) => customers::delete_in(conn, id).await,
        ("update", Some(before)) => {
            let before: Customer = previous_values(before)?;
            customers::update_in(conn, id, &ValidCustomer::from_stored(&before)?).await
        }
        _ => Err(Error::Refused(crate::error::Refusal::NoPreviousValues)),
    }
}
