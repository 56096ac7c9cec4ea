//! Customers from a file: each row validated and matched by code (or, without one, by name and phone),
//! new ones written in multi-row statements with their main contacts; undoing a batch's customers.

use std::collections::HashMap;

use compact_str::CompactString;
use sqlx::SqliteConnection;

use crate::auth::{Actor, Scope};
use crate::crm::contacts::{self, ContactInput, NewContact, ValidContact};
use crate::crm::customers::{self, CheckedFields, Customer, CustomerInput, Derived, Lookups, Names, ValidCustomer};
use crate::crm::search;
use crate::db::with_raw;
use crate::error::{Error, FieldError, Reason, Result};
use crate::io::batch::{Mode, RowFailure, RowOutcome, previous_values};
use crate::io::bulk::{self, BulkLoad};
use crate::io::columns::RowFields;
use crate::io::fields;
use crate::io::insert::{self, Inserting};
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
    /// The first id this import gives: customers below it existed before the file.
    first_new_id: i64,
    /// The next generated code's number, once a row without a code needed one.
    next_number: Option<u32>,
    /// Customers the actor may see, by folded name and phone digits, for rows without a code: read at
    /// the first such row.
    by_name: Option<HashMap<(String, String), Named>>,
    batch_id: i64,
    pending: Vec<(i64, ValidCustomer, Derived)>,
    /// The main contacts of pending customers.
    pending_contacts: Vec<NewContact>,
    inserting: Inserting,
    search: search::Staging,
    /// The last contact id before the import: the main contacts it writes come after, and are indexed
    /// for search at the end.
    last_contact_before: i64,
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

/// The customers a folded name and phone stand for, and the line of the file that named them first.
#[derive(Default)]
struct Named {
    ids: Vec<i64>,
    line: u64,
}

/// A customer as rows without a code match it: id, folded name, phone digits, owner, branch.
type NameRow = (i64, String, String, Option<i64>, Option<i64>);

/// A typical customer row's size in a file.
const BYTES_PER_ROW: u64 = 120;

impl CustomerImport {
    /// Reads what the import needs to know up front, inside its transaction.
    pub async fn start(
        conn: &mut SqliteConnection,
        actor: &Actor,
        batch_id: i64,
        file_bytes: u64,
    ) -> Result<CustomerImport> {
        // Straight from SQLite into the map, as the directory reads customers.
        let codes = with_raw(conn, |raw| {
            let mut select = raw.prepare("SELECT code, id FROM customers")?;
            let rows = select.query_map([], |row| {
                Ok((CompactString::from(row.get_ref(0)?.as_str()?), Code { id: row.get(1)?, line: 0 }))
            })?;
            Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
        })
        .await?;
        let last_id: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM customers").fetch_one(&mut *conn).await?;
        let last_contact_before: i64 =
            sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM contacts").fetch_one(&mut *conn).await?;
        let bulk = if bulk::worth_it(file_bytes, BYTES_PER_ROW, codes.len() as u64) {
            // A smaller cache than orders take: customers keep a map of every code, and their search rows
            // are indexed at the end, and a million-row file must stay within 300 MB.
            BulkLoad::start(conn, &["customers"], &[], 32).await?
        } else {
            BulkLoad::none()
        };
        Ok(CustomerImport {
            lookups: Lookups::default(),
            codes,
            next_id: last_id.unwrap_or(0) + 1,
            first_new_id: last_id.unwrap_or(0) + 1,
            next_number: None,
            by_name: None,
            batch_id,
            pending: Vec::new(),
            pending_contacts: Vec::new(),
            inserting: Inserting::by(actor),
            search: search::Staging::start(conn, search::Rows::Customers).await?,
            last_contact_before,
            bulk,
        })
    }

    /// Takes a row the reading thread prepared ([`prepare`]; `None`: prepare it here): looks up what it
    /// names, matches it to a customer by code (or by name and phone), and queues, updates or skips it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
        prepared: Option<Prepared>,
        line: u64,
        mode: Mode,
        notices: &mut Vec<Notice>,
    ) -> Result<RowOutcome, RowFailure> {
        let code = row.get("code");
        let owner = row.get("owner");
        if !self.lookups.knows_owner(owner) {
            fields::ensure_salesperson(conn, actor, owner, notices).await?;
        }
        let Prepared { fields, contact } = prepared.unwrap_or_else(|| prepare(row));
        let contact = contact.map_err(RowFailure::Fields)?;
        let names = Names { source: row.get("source"), level: row.get("level"), owner };
        if code.is_empty() {
            return self.row_without_code(conn, actor, row, fields, names, contact, line, mode).await;
        }
        let known = self.codes.entry(code.into()).or_insert(Code { id: 0, line: 0 });
        if known.line > 0 {
            let reason = Reason::DuplicateInFile { value: code.to_string(), first_line: known.line };
            return Err(RowFailure::field("code", reason));
        }
        known.line = line;
        match (known.id > 0).then_some(known.id) {
            None => {
                let (valid, derived) = customers::complete(conn, actor, fields, names, &mut self.lookups).await?;
                customers::check_scope(actor, &valid, owner)?;
                let id = self.next_id;
                self.next_id += 1;
                if let Some(known) = self.codes.get_mut(code) {
                    known.id = id;
                }
                self.push(conn, id, valid, derived, contact).await?;
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
                let (valid, _) = customers::complete(conn, actor, fields, names, &mut self.lookups).await?;
                customers::check_scope(actor, &valid, owner)?;
                customers::update_in(conn, id, &valid).await?;
                self.add_contact(conn, id, contact).await?;
                let before_json = serde_json::to_value(&before)
                    .map_err(|e| Error::Io { path: "customer".into(), source: std::io::Error::other(e) })?;
                Ok(RowOutcome::Updated { id, version: before.version + 1, before: before_json })
            }
        }
    }

    /// A row that names no customer code: the customer the actor may see with the same folded name and
    /// phone digits is this one; none is a new customer, numbered as the form numbers them.
    #[allow(clippy::too_many_arguments)]
    async fn row_without_code(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
        fields: CheckedFields,
        names: Names<'_>,
        contact: Option<ValidContact>,
        line: u64,
        mode: Mode,
    ) -> Result<RowOutcome, RowFailure> {
        let owner = names.owner;
        let (mut valid, derived) = customers::complete(conn, actor, fields, names, &mut self.lookups).await?;
        customers::check_scope(actor, &valid, owner)?;
        if self.by_name.is_none() {
            self.by_name = Some(self.read_names(conn, actor).await?);
        }
        let name = row.get("name").trim();
        let named = self.by_name.get_or_insert_default().entry(derived.match_key()).or_default();
        if named.line > 0 {
            let reason = Reason::DuplicateInFile { value: name.to_string(), first_line: named.line };
            return Err(RowFailure::field("name", reason));
        }
        named.line = line;
        match *named.ids.as_slice() {
            [] => {
                let code = self.generated_code(conn).await?;
                valid.set_code(code.clone());
                let id = self.next_id;
                self.next_id += 1;
                self.codes.insert(code.into(), Code { id, line });
                self.push(conn, id, valid, derived, contact).await?;
                Ok(RowOutcome::Inserted { id, version: 1 })
            }
            [_] if mode == Mode::Insert => Ok(RowOutcome::Skipped),
            [id] => {
                let before = customers::fetch_visible_in(conn, actor, id).await?;
                valid.set_code(before.code.clone());
                customers::update_in(conn, id, &valid).await?;
                self.add_contact(conn, id, contact).await?;
                let before_json = serde_json::to_value(&before)
                    .map_err(|e| Error::Io { path: "customer".into(), source: std::io::Error::other(e) })?;
                Ok(RowOutcome::Updated { id, version: before.version + 1, before: before_json })
            }
            [..] => {
                Err(RowFailure::field("name", Reason::Ambiguous { value: name.to_string(), count: named.ids.len() }))
            }
        }
    }

    /// The customers that existed before the file and the actor may see, by folded name and phone digits.
    async fn read_names(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
    ) -> Result<HashMap<(String, String), Named>> {
        let rows: Vec<NameRow> = sqlx::query_as(
            "SELECT id, name_key, phone_digits, owner_id, branch_id FROM customers WHERE id < ? ORDER BY id",
        )
        .bind(self.first_new_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut names: HashMap<(String, String), Named> = HashMap::new();
        for (id, name_key, phone_digits, owner_id, branch_id) in rows {
            if actor.scope().sees(owner_id, branch_id) {
                names.entry((name_key, phone_digits)).or_default().ids.push(id);
            }
        }
        Ok(names)
    }

    /// The next code in the sequence the form uses: the first after every code written so far (the
    /// pending ones are written first), then counted on, skipping codes the file already holds.
    async fn generated_code(&mut self, conn: &mut SqliteConnection) -> Result<String> {
        let mut number = match self.next_number {
            Some(number) => number,
            None => {
                self.flush(conn).await?;
                let first = customers::next_code(conn).await?;
                first[customers::CODE_PREFIX.len()..].parse::<u32>().unwrap_or(1)
            }
        };
        loop {
            let code = crate::db::numbered(customers::CODE_PREFIX, number);
            number += 1;
            if !self.codes.contains_key(code.as_str()) {
                self.next_number = Some(number);
                return Ok(code);
            }
        }
    }

    /// Queues a new customer (and its main contact) for writing.
    async fn push(
        &mut self,
        conn: &mut SqliteConnection,
        id: i64,
        valid: ValidCustomer,
        derived: Derived,
        contact: Option<ValidContact>,
    ) -> Result<()> {
        debug_assert!(valid.has_code());
        self.pending.push((id, valid, derived));
        if let Some(contact) = contact {
            self.pending_contacts.push(NewContact { customer_id: id, contact });
        }
        if self.pending.len() >= CHUNK {
            self.flush(conn).await?;
        }
        Ok(())
    }

    /// Gives an existing customer the row's contact unless it has one of that name already.
    async fn add_contact(&mut self, conn: &mut SqliteConnection, id: i64, contact: Option<ValidContact>) -> Result<()> {
        let Some(contact) = contact else { return Ok(()) };
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM contacts WHERE customer_id = ? AND name = ? LIMIT 1")
                .bind(id)
                .bind(contact.name())
                .fetch_optional(&mut *conn)
                .await?;
        if existing.is_none() {
            let new = [NewContact { customer_id: id, contact }];
            insert::insert_all(conn, &new, &self.inserting, self.batch_id).await?;
        }
        Ok(())
    }

    /// Writes what is waiting.
    async fn flush(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        customers::insert_many(
            conn,
            &self.pending,
            &self.pending_contacts,
            self.batch_id,
            &self.inserting,
            &mut self.search,
        )
        .await?;
        self.pending.clear();
        self.pending_contacts.clear();
        Ok(())
    }

    /// Writes the last customers and makes every new one searchable. Call after the last row.
    pub async fn finish(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        self.flush(conn).await?;
        let bulk = &mut self.bulk;
        with_raw(conn, |raw| Ok(bulk.finish(raw)?)).await?;
        tracing::debug!(peak_mib = crate::io::batch::peak_memory_mib(), "import: customers written, indexes built");
        self.search.finish(conn).await?;
        let mut contacts = search::Staging::start(conn, search::Rows::Contacts).await?;
        contacts.add_contacts_after(conn, self.last_contact_before).await?;
        contacts.finish(conn).await
    }
}

/// What the reading thread makes of a customer row: its fields checked, with what they give for sorting,
/// matching and search, and its main contact. Looking up lists and owners, matching and writing are
/// the writer's; values the person mapped only change what is looked up.
pub(crate) struct Prepared {
    fields: CheckedFields,
    contact: std::result::Result<Option<ValidContact>, Vec<FieldError>>,
}

pub(crate) fn prepare(row: &RowFields<'_>) -> Prepared {
    let fields = customers::check_fields(&input_of(row));
    Prepared { fields, contact: contact_of(row) }
}

/// The row's main contact, if it names one. A sheet with one phone column gives the office's number to
/// both: the customer's phone stands in for the contact's, and the contact's for the customer's.
fn contact_of(row: &RowFields<'_>) -> std::result::Result<Option<ValidContact>, Vec<FieldError>> {
    let name = row.get("contact_name");
    if name.trim().is_empty() {
        return Ok(None);
    }
    let phone = match row.get("contact_phone") {
        "" => row.get("phone"),
        phone => phone,
    };
    let input = ContactInput {
        name: name.to_string(),
        title: row.get("contact_title").to_string(),
        phone: phone.to_string(),
        ..ContactInput::default()
    };
    contacts::validate(&input).map(Some).map_err(|e| {
        // A contact's fields are the row's contact columns.
        let fields = e.field_errors().into_iter().map(|mut f| {
            f.field = match f.field {
                "name" => "contact_name",
                "title" => "contact_title",
                "phone" => "contact_phone",
                other => other,
            };
            f
        });
        fields.collect()
    })
}

/// The row's own fields as the form takes them. Its source, level and owner are not among them: values the
/// person mapped may stand for them, and the writer looks them up from the row ([`Names`]).
fn input_of(row: &RowFields<'_>) -> CustomerInput {
    let phone = match row.get("phone") {
        "" => row.get("contact_phone"),
        phone => phone,
    };
    CustomerInput {
        code: row.get("code").to_string(),
        name: row.get("name").to_string(),
        kind: row.get("type").to_string(),
        phone: phone.to_string(),
        email: row.get("email").to_string(),
        address: row.get("address").to_string(),
        city: row.get("city").to_string(),
        birthday: row.get("birthday").to_string(),
        hobbies: row.get("hobbies").to_string(),
        created_on: row.get("created_on").to_string(),
        notes: row.get("notes").to_string(),
        tags: row.get("tags").to_string(),
        allow_duplicate: true,
        ..CustomerInput::default()
    }
}

/// The version of a customer now; None once deleted.
pub async fn version(conn: &mut SqliteConnection, id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT version FROM customers WHERE id = ?").bind(id).fetch_optional(conn).await?)
}

/// Deletes the main contacts batch `batch_id` gave customers that existed before it (those of the customers
/// it made go with them), before the customers are put back.
pub async fn undo_contacts(conn: &mut SqliteConnection, batch_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM contacts WHERE import_batch_id = ?").bind(batch_id).execute(&mut *conn).await?;
    Ok(())
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
