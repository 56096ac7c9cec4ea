//! Contacts from a file: each matched to a customer the importer may see by its code, and to that
//! customer's contact of the same name; new ones written many to a statement, and their search rows
//! (and those of the contacts it changed) added in one statement an index at the end.

use std::collections::HashMap;
use std::sync::Arc;

use compact_str::CompactString;

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::crm::contacts::{self, Contact, ContactInput, NewContact, ValidContact};
use crate::crm::search;
use crate::db::with_raw;
use crate::directory::Directory;
use crate::error::{Error, FieldError, Reason, Result};
use crate::io::batch::{Mode, RowFailure, RowOutcome, previous_values};
use crate::io::bulk::{self, BulkLoad};
use crate::io::columns::RowFields;
use crate::io::insert::Pending;
use crate::io::numbering::Numbering;

/// A row checked: the customer's id and the contact, or what is wrong.
pub(crate) type Checked = std::result::Result<(i64, ValidContact), Vec<FieldError>>;

/// A typical contact row's size in a file.
const BYTES_PER_ROW: u64 = 70;

/// One contacts import: the customers by code, the contacts there are, what waits to be written.
pub struct ContactImport {
    directory: Arc<Directory>,
    /// Each customer's contacts by name (the first, when a customer has two of one name).
    /// Names are short: kept inline, a million of them take half the memory of `String`s.
    existing: Numbering<(i64, CompactString)>,
    pending: Pending<NewContact>,
    /// The last contact id before the import: those after it are new, and get search rows at the end.
    last_id_before: i64,
    /// The line of the file that made each new contact (by id after `last_id_before`), and that matched
    /// each existing one: a second row for the same contact is refused, naming the first.
    new_lines: Vec<u64>,
    matched_lines: HashMap<i64, u64>,
    /// Contacts the import changed: their search rows are rebuilt at the end.
    changed: Vec<i64>,
    bulk: BulkLoad,
}

impl ContactImport {
    /// Reads what every row is checked and matched against, inside the import's transaction.
    pub async fn start(
        conn: &mut SqliteConnection,
        actor: &Actor,
        batch_id: i64,
        file_bytes: u64,
    ) -> Result<ContactImport> {
        let directory = Arc::new(Directory::whole(conn).await?);
        // Newest first: the oldest contact of a name comes last, and is the one found. Straight from
        // SQLite, as the directory's customers are.
        let rows = with_raw(conn, |raw| {
            let mut select = raw.prepare("SELECT customer_id, name, id FROM contacts ORDER BY id DESC")?;
            let rows = select.query_map([], |row| {
                Ok(((row.get::<_, i64>(0)?, CompactString::from(row.get_ref(1)?.as_str()?)), row.get::<_, i64>(2)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await?;
        let last_id_before = rows.first().map_or(0, |(_, id)| *id);
        let existing = Numbering::of(rows);
        let bulk = if bulk::worth_it(file_bytes, BYTES_PER_ROW, existing.len() as u64) {
            BulkLoad::start(conn, &["contacts"], &[], 32).await?
        } else {
            BulkLoad::none()
        };
        Ok(ContactImport {
            directory,
            existing,
            pending: Pending::numbered(actor, batch_id),
            last_id_before,
            new_lines: Vec::new(),
            matched_lines: HashMap::new(),
            changed: Vec::new(),
            bulk,
        })
    }

    /// What the reading thread checks each row with: the directory as the import read it.
    pub fn checker(&self) -> Arc<Directory> {
        Arc::clone(&self.directory)
    }

    /// Takes a row checked on the reading thread ([`check`]; `None`: check it here), matches it to the
    /// customer's contact of that name (refusing a second row for one contact), and unless `writing` is
    /// off (a row was bad) queues it, or skips or updates that contact.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
        checked: Option<Checked>,
        line: u64,
        mode: Mode,
        writing: bool,
    ) -> Result<RowOutcome, RowFailure> {
        let (customer_id, valid) = match checked {
            Some(checked) => checked,
            None => check(actor, row, &self.directory),
        }
        .map_err(RowFailure::Fields)?;
        let key = (customer_id, CompactString::from(valid.name()));
        let found = self.existing.get(&key);
        // The contact's first line in this file, if an earlier row named it.
        let first_line = match found {
            Some(id) if id > self.last_id_before => {
                self.new_lines.get((id - self.last_id_before - 1) as usize).copied()
            }
            Some(id) => self.matched_lines.insert(id, line),
            None => None,
        };
        if let Some(first_line) = first_line {
            let reason = Reason::ContactTwice {
                customer: row.get("customer_code").to_string(),
                name: row.get("name").to_string(),
                first_line,
            };
            return Err(RowFailure::field("name", reason));
        }
        let outcome = match found {
            None => {
                let id = self.existing.give(key);
                self.new_lines.push(line);
                if !writing {
                    return Ok(RowOutcome::InsertedInBatch);
                }
                self.pending.push_numbered(conn, id, NewContact { customer_id, contact: valid }).await?;
                RowOutcome::Inserted { id, version: 1 }
            }
            Some(_) if !writing => return Ok(RowOutcome::InsertedInBatch),
            Some(_) if mode == Mode::Insert => return Ok(RowOutcome::Skipped),
            Some(id) => {
                let before = contacts::fetch_in(conn, id).await?;
                contacts::update_in(conn, id, &valid).await?;
                let version = version(conn, id).await?.unwrap_or(0);
                let before = serde_json::to_value(&before)
                    .map_err(|e| Error::Io { path: "contact".into(), source: std::io::Error::other(e) })?;
                self.changed.push(id);
                RowOutcome::Updated { id, version, before }
            }
        };
        Ok(outcome)
    }

    /// Writes the last contacts, builds dropped indexes again, and indexes the new and changed contacts
    /// for search. Call after the last row.
    pub async fn finish(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        self.pending.flush(conn).await?;
        let bulk = &mut self.bulk;
        with_raw(conn, |raw| Ok(bulk.finish(raw)?)).await?;
        self.changed.sort_unstable();
        self.changed.dedup();
        let mut search = search::Staging::start(conn, search::Rows::Contacts).await?;
        search.add_contacts_after(conn, self.last_id_before).await?;
        search.restage(conn, &self.changed).await?;
        search.finish(conn).await
    }
}

/// A contact row as the reading thread checks it: a customer the actor may see (one outside the actor's
/// scope is as unknown as a missing one), and the form's checks of the contact.
pub(crate) fn check(actor: &Actor, row: &RowFields<'_>, directory: &Directory) -> Checked {
    let mut problems = Vec::new();
    let customer = directory.customer(actor, "customer_code", None, row.get("customer_code"), true, &mut problems);
    let input = ContactInput {
        name: row.get("name").to_string(),
        title: row.get("title").to_string(),
        phone: row.get("phone").to_string(),
        email: row.get("email").to_string(),
        birthday: row.get("birthday").to_string(),
        hobbies: row.get("hobbies").to_string(),
    };
    let valid = contacts::validate(&input).map_err(|e| problems.extend(e.field_errors())).ok();
    match (customer, valid) {
        (Some(customer), Some(valid)) if problems.is_empty() => Ok((customer.id, valid)),
        _ => Err(problems),
    }
}

pub async fn version(conn: &mut SqliteConnection, id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT version FROM contacts WHERE id = ?").bind(id).fetch_optional(conn).await?)
}

/// Takes back what an import did to one contact, search rows included (a deleted contact's go with it).
pub async fn undo_record(conn: &mut SqliteConnection, id: i64, action: &str, before: Option<&str>) -> Result<()> {
    match (action, before) {
        ("insert", _) => {
            sqlx::query("DELETE FROM contacts WHERE id = ?").bind(id).execute(&mut *conn).await?;
        }
        ("update", Some(before)) => {
            let before: Contact = previous_values(before)?;
            let input = ContactInput {
                name: before.name,
                title: before.title,
                phone: before.phone,
                email: before.email,
                birthday: before.birthday.unwrap_or_default(),
                hobbies: before.hobbies,
            };
            contacts::update_in(conn, id, &contacts::validate(&input)?).await?;
            search::reindex_contact(conn, id).await?;
            // The import's update and this one each added a version: the contact is as it was, and an
            // earlier batch that made it must still find the version it left.
            sqlx::query("UPDATE contacts SET version = version - 2 WHERE id = ?").bind(id).execute(&mut *conn).await?;
        }
        _ => return Err(Error::Refused(crate::error::Refusal::NoPreviousValues)),
    }
    Ok(())
}
