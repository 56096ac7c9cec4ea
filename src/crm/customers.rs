//! Customers: validate, create, edit, delete, read and list them within the acting user's scope.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, CUSTOMER_OWNER, Permission, Role, Scope};
use crate::choice::Choice;
use crate::crm::contacts::NewContact;
use crate::crm::kind::CustomerKind;
use crate::crm::picklists::{self, PickList};
use crate::crm::pinyin_key::pinyin_keys;
use crate::crm::search;
use crate::db::{Db, now_stamp, today, unique_violation, with_raw};
use crate::error::{DuplicateMatch, Error, FieldError, Reason, Result};
use crate::io::insert::{self, Inserting};
use crate::text;

// Listing and paging live in their own module; customers are listed through here too.
pub use crate::crm::customer_list::{CustomerQuery, CustomerRow, CustomerSort, Page, list};

/// A customer as a form, an import row or the CLI sends it: loose text, not yet validated.
/// Empty strings mean "not given".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerInput {
    /// Empty: the engine assigns the next free `C000123`.
    pub code: String,
    pub name: String,
    /// consumer / channel / institution, or 消费客户 / 中间客户 / 公利客户; empty: consumer.
    pub kind: String,
    /// A source by name (Chinese or English).
    pub source: String,
    pub level: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub city: String,
    pub birthday: String,
    pub hobbies: String,
    /// The owning salesperson's user name (or display name).
    pub owner: String,
    /// Empty: today.
    pub created_on: String,
    pub notes: String,
    /// Tags separated by commas, 、 or semicolons.
    pub tags: String,
    /// The version the editor loaded; an edit of a record changed since is refused.
    pub version: Option<i64>,
    /// Save even though a customer with the same name or phone exists.
    pub allow_duplicate: bool,
}

/// A customer as stored, with the names behind its references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Customer {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub source_id: Option<i64>,
    pub source: Option<String>,
    pub level_id: Option<i64>,
    pub level: Option<String>,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub city: String,
    pub birthday: Option<String>,
    pub hobbies: String,
    pub owner_id: Option<i64>,
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    pub branch_id: Option<i64>,
    pub created_on: String,
    pub notes: String,
    pub tags: String,
    pub version: i64,
    pub updated_at: String,
}

/// What a save returns: the stored customer.
#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    pub customer: Customer,
}

/// A validated customer, ready to write. Only [`validate`] builds one.
#[derive(Debug, Clone)]
pub(crate) struct ValidCustomer {
    code: Option<String>,
    name: String,
    kind: CustomerKind,
    source_id: Option<i64>,
    level_id: Option<i64>,
    phone: String,
    email: String,
    address: String,
    city: String,
    birthday: Option<NaiveDate>,
    hobbies: String,
    owner_id: Option<i64>,
    branch_id: Option<i64>,
    created_on: NaiveDate,
    notes: String,
    tags: String,
}

impl ValidCustomer {
    pub(crate) fn has_code(&self) -> bool {
        self.code.is_some()
    }

    pub(crate) fn set_code(&mut self, code: String) {
        self.code = Some(code);
    }

    /// A stored customer taken as valid again, for rewriting it (a merge).
    pub(crate) fn from_stored(stored: &Customer) -> Result<ValidCustomer> {
        let date = |field: &'static str, value: &str| text::parse_date(field, value);
        Ok(ValidCustomer {
            code: Some(stored.code.clone()),
            name: stored.name.clone(),
            kind: CustomerKind::read("type", &stored.kind)?,
            source_id: stored.source_id,
            level_id: stored.level_id,
            phone: stored.phone.clone(),
            email: stored.email.clone(),
            address: stored.address.clone(),
            city: stored.city.clone(),
            birthday: stored.birthday.as_deref().map(|b| date("birthday", b)).transpose()?,
            hobbies: stored.hobbies.clone(),
            owner_id: stored.owner_id,
            branch_id: stored.branch_id,
            created_on: date("created_on", &stored.created_on)?,
            notes: stored.notes.clone(),
            tags: stored.tags.clone(),
        })
    }
}

pub(crate) const SELECT_CUSTOMER: &str = "SELECT c.id, c.code, c.name, c.kind, c.source_id, s.name AS source,
        c.level_id, l.name AS level, c.phone, c.email, c.address, c.city, c.birthday, c.hobbies,
        c.owner_id, u.username AS owner, u.display_name AS owner_name, c.branch_id, c.created_on,
        c.notes, c.tags, c.version, c.updated_at
 FROM customers c
 LEFT JOIN customer_sources s ON s.id = c.source_id
 LEFT JOIN customer_levels l ON l.id = c.level_id
 LEFT JOIN users u ON u.id = c.owner_id";

/// Checks every field of `input` and resolves its references. All problems are reported
/// together, each naming its field.
pub(crate) async fn validate(
    conn: &mut SqliteConnection,
    actor: &Actor,
    input: &CustomerInput,
    lookups: &mut Lookups,
) -> Result<ValidCustomer> {
    let names = Names { source: &input.source, level: &input.level, owner: &input.owner };
    Ok(complete(conn, actor, check_fields(input), names, lookups).await?.0)
}

/// A customer's own fields checked — all but the list entries and the owner it names, which are looked up
/// ([`complete`]) — and what they give for sorting, matching and search. Needs no database, so an import
/// works it out on its reading thread.
pub(crate) struct FieldsChecked(ValidCustomer, Derived);

/// A customer's own fields checked, or every problem with them.
pub(crate) type CheckedFields = std::result::Result<FieldsChecked, Vec<FieldError>>;

/// What a customer names by name, looked up by [`complete`].
pub(crate) struct Names<'a> {
    pub source: &'a str,
    pub level: &'a str,
    pub owner: &'a str,
}

/// Checks the fields of `input` that need nothing looked up; every problem, each naming its field.
pub(crate) fn check_fields(input: &CustomerInput) -> CheckedFields {
    let mut problems: Vec<FieldError> = Vec::new();
    let mut check = |result: Result<String>| -> String {
        result.unwrap_or_else(|e| {
            problems.extend(e.field_errors());
            String::new()
        })
    };
    let code = check(text::bounded("code", &input.code, 30));
    let name = check(text::required("name", &input.name, 100));
    let phone = check(text::phone("phone", &input.phone));
    let email = check(text::email("email", &input.email));
    let address = check(text::bounded("address", &input.address, 200));
    let city = check(text::bounded("city", &input.city, 40));
    let hobbies = check(text::bounded("hobbies", &input.hobbies, 200));
    let notes = check(text::bounded("notes", &input.notes, 2000));
    let tags = normalize_tags(&check(text::bounded("tags", &input.tags, 200)));
    if code.chars().any(char::is_whitespace) {
        problems.push(FieldError { field: "code", reason: Reason::Forbidden { value: code.clone() } });
    }
    let kind = match input.kind.trim() {
        "" => Some(CustomerKind::Consumer),
        text => CustomerKind::read("type", text).map_err(|e| problems.extend(e.field_errors())).ok(),
    };
    let birthday = text::optional_date("birthday", Some(&input.birthday))
        .map_err(|e| problems.extend(e.field_errors()))
        .ok()
        .flatten();
    let created_on = match text::optional(Some(&input.created_on)) {
        None => Some(today()),
        Some(value) => text::parse_date("created_on", &value).map_err(|e| problems.extend(e.field_errors())).ok(),
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let valid = ValidCustomer {
        code: (!code.is_empty()).then_some(code),
        name,
        kind: kind.unwrap_or(CustomerKind::Consumer),
        source_id: None,
        level_id: None,
        phone,
        email,
        address,
        city,
        birthday,
        hobbies,
        owner_id: None,
        branch_id: None,
        created_on: created_on.unwrap_or_else(today),
        notes,
        tags,
    };
    let derived = Derived::of(&valid);
    Ok(FieldsChecked(valid, derived))
}

/// Looks up the source, level and owner a customer names, once its fields are checked: the problems of
/// both, the fields' first, are reported together.
pub(crate) async fn complete(
    conn: &mut SqliteConnection,
    actor: &Actor,
    checked: CheckedFields,
    named: Names<'_>,
    lookups: &mut Lookups,
) -> Result<(ValidCustomer, Derived)> {
    let (fields, mut problems) = match checked {
        Ok(fields) => (Some(fields), Vec::new()),
        Err(problems) => (None, problems),
    };
    let source_id = lookups.pick(conn, PickList::Source, named.source, &mut problems).await?;
    let level_id = lookups.pick(conn, PickList::Level, named.level, &mut problems).await?;
    let owner = lookups.owner(conn, actor, named.owner, &mut problems).await?;
    let Some(FieldsChecked(mut valid, derived)) = fields.filter(|_| problems.is_empty()) else {
        return Err(Error::from_fields(problems));
    };
    let (owner_id, owner_branch) = owner.unwrap_or((None, None));
    valid.source_id = source_id;
    valid.level_id = level_id;
    valid.owner_id = owner_id;
    valid.branch_id = owner_branch.or(actor.branch_id);
    Ok((valid, derived))
}

/// What a customer's fields give for sorting, for matching a file's rows, and for search (all but its
/// code's part, which an import may number later): worked out apart from writing, so an import works it
/// out on its reading thread.
pub(crate) struct Derived {
    name_pinyin: String,
    name_key: String,
    phone_digits: String,
    /// The search text of every part but the code.
    search: search::SearchText,
}

impl Derived {
    fn of(v: &ValidCustomer) -> Derived {
        Derived {
            name_pinyin: pinyin_keys(&v.name).1,
            name_key: text::name_key(&v.name),
            phone_digits: text::digits(&v.phone),
            search: search::SearchText::of(&[&v.name, &v.phone, &v.email, &v.city, &v.address, &v.tags]),
        }
    }

    /// What finds a customer again when a file gives no code: its folded name and its phone's digits.
    pub(crate) fn match_key(&self) -> (String, String) {
        (self.name_key.clone(), self.phone_digits.clone())
    }
}

/// Pick-list entries and users already looked up: an import of a million rows asks the database
/// once per distinct name, not once per row. A form's save uses a fresh one.
#[derive(Default)]
pub(crate) struct Lookups {
    picks: HashMap<(PickList, String), Option<i64>>,
    owners: HashMap<String, Option<(i64, Option<i64>)>>,
}

impl Lookups {
    async fn pick(
        &mut self,
        conn: &mut SqliteConnection,
        list: PickList,
        name: &str,
        problems: &mut Vec<FieldError>,
    ) -> Result<Option<i64>> {
        let name = name.trim();
        if name.is_empty() {
            return Ok(None);
        }
        let key = (list, name.to_string());
        let found = match self.picks.get(&key) {
            Some(found) => *found,
            None => {
                let found = match picklists::resolve(conn, list, name).await {
                    Ok(id) => Some(id),
                    Err(Error::Db(e)) => return Err(Error::Db(e)),
                    Err(_) => None,
                };
                self.picks.insert(key, found);
                found
            }
        };
        if found.is_none() {
            problems.push(FieldError { field: list.field(), reason: Reason::Unknown { value: name.to_string() } });
        }
        Ok(found)
    }

    /// Whether `name` is already known as a user (so an import need not create them).
    pub(crate) fn knows_owner(&self, name: &str) -> bool {
        matches!(self.owners.get(name.trim()), Some(Some(_)))
    }

    /// The owner: a salesperson always owns what they create; others may name any user.
    /// Returns the owner's id and branch.
    async fn owner(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        owner: &str,
        problems: &mut Vec<FieldError>,
    ) -> Result<Option<(Option<i64>, Option<i64>)>> {
        let owner = owner.trim();
        if owner.is_empty() {
            return Ok(Some(match actor.role {
                Role::Salesperson => (Some(actor.user_id), actor.branch_id),
                _ => (None, None),
            }));
        }
        let found = match self.owners.get(owner) {
            Some(found) => *found,
            None => {
                let found: Option<(i64, Option<i64>)> = sqlx::query_as(
                    "SELECT id, branch_id FROM users WHERE username = ?1 OR display_name = ?1
                     ORDER BY username = ?1 DESC LIMIT 1",
                )
                .bind(owner)
                .fetch_optional(&mut *conn)
                .await?;
                self.owners.insert(owner.to_string(), found);
                found
            }
        };
        match found {
            None => {
                problems.push(FieldError { field: "owner", reason: Reason::Unknown { value: owner.to_string() } });
                Ok(None)
            }
            Some((id, branch)) => Ok(Some((Some(id), branch))),
        }
    }
}

/// Tags as one comma-separated string, trimmed, without empties or repeats.
fn normalize_tags(raw: &str) -> String {
    let mut tags: Vec<&str> = Vec::new();
    for tag in raw.split([',', '，', '、', ';', '；']).map(str::trim).filter(|t| !t.is_empty()) {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags.join(",")
}

/// Refuses a customer the actor could not see once saved (a salesperson giving it to someone else).
pub(crate) fn check_scope(actor: &Actor, valid: &ValidCustomer, owner_typed: &str) -> Result<()> {
    if actor.scope().sees(valid.owner_id, valid.branch_id) {
        Ok(())
    } else {
        Err(Error::invalid("owner", Reason::Forbidden { value: owner_typed.to_string() }))
    }
}

/// Appends the scope condition on customers aliased `c`.
pub(crate) fn push_scope(builder: &mut QueryBuilder<Sqlite>, scope: Scope) {
    scope.push_sql(builder, "c", CUSTOMER_OWNER);
}

/// Creates a customer. Refused with [`Error::PossibleDuplicate`] when one with the same
/// name or phone exists, unless the input says to save anyway.
pub async fn create(db: &Db, actor: &Actor, input: &CustomerInput) -> Result<Saved> {
    actor.require(Permission::WriteCustomers)?;
    let mut tx = db.write().await?;
    let customer = create_in(&mut tx, actor, input).await?;
    tx.commit().await?;
    Ok(Saved { customer })
}

/// Creates a customer inside the caller's transaction (a lead converted makes one), audited.
pub(crate) async fn create_in(conn: &mut SqliteConnection, actor: &Actor, input: &CustomerInput) -> Result<Customer> {
    let valid = validate(conn, actor, input, &mut Lookups::default()).await?;
    check_scope(actor, &valid, &input.owner)?;
    if !input.allow_duplicate {
        refuse_duplicates(conn, actor, &valid, None).await?;
    }
    let id = insert_in(conn, &valid).await?;
    let customer = fetch_in(conn, id).await?;
    audit::record(conn, actor, "customer", id, "create", audit_view(&customer)).await?;
    Ok(customer)
}

/// The prefix of a generated customer code (`C000123`).
pub(crate) const CODE_PREFIX: &str = "C";

/// The code a customer saved without one gets: the next in the sequence the form and imports share.
pub(crate) async fn next_code(conn: &mut SqliteConnection) -> Result<String> {
    crate::db::next_number(conn, "customers", "code", CODE_PREFIX).await
}

/// Writes one new customer and its search row. Shared by forms, imports and the demo.
pub(crate) async fn insert_in(conn: &mut SqliteConnection, valid: &ValidCustomer) -> Result<i64> {
    let code = match &valid.code {
        Some(code) => code.clone(),
        None => next_code(conn).await?,
    };
    let query = sqlx::query(
        "INSERT INTO customers (code, name, name_pinyin, name_key, phone_digits, kind, source_id, level_id, phone,
             email, address, city, birthday, hobbies, owner_id, branch_id, created_on, notes, tags, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    let id = bind_fields(query, &code, valid)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_violation(e, "customer", "code", &code))?
        .last_insert_rowid();
    let parts = [&code, &valid.name, &valid.phone, &valid.email, &valid.city, &valid.address, &valid.tags];
    search::index_new(conn, search::Rows::Customers, id, &parts).await?;
    Ok(id)
}

/// Writes many new customers, with the ids given, in a few multi-row statements: what an import
/// of a million rows needs; their search rows go to `search`. Codes must be present and free.
/// `contacts` are the main contacts of some of them, by customer id, made by import batch `batch_id`.
pub(crate) async fn insert_many(
    conn: &mut SqliteConnection,
    rows: &[(i64, ValidCustomer, Derived)],
    contacts: &[NewContact],
    batch_id: i64,
    inserting: &Inserting,
    search: &mut search::Staging,
) -> Result<()> {
    let now = now_stamp();
    // One prepared statement a row, straight on SQLite: a multi-row statement through sqlx cost more
    // in building and binding than SQLite spent inserting.
    with_raw(conn, |raw| {
        let mut insert = raw.prepare_cached(
            "INSERT INTO customers (id, code, name, name_pinyin, name_key, phone_digits, kind, source_id, level_id,
                 phone, email, address, city, birthday, hobbies, owner_id, branch_id, created_on, notes, tags,
                 updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
        )?;
        for (id, valid, derived) in rows {
            insert
                .execute(rusqlite::params![
                    id,
                    valid.code.as_deref().unwrap_or_default(),
                    valid.name,
                    derived.name_pinyin,
                    derived.name_key,
                    derived.phone_digits,
                    valid.kind.as_str(),
                    valid.source_id,
                    valid.level_id,
                    valid.phone,
                    valid.email,
                    valid.address,
                    valid.city,
                    valid.birthday.map(|d| d.to_string()),
                    valid.hobbies,
                    valid.owner_id,
                    valid.branch_id,
                    valid.created_on.to_string(),
                    valid.notes,
                    valid.tags,
                    now,
                ])
                .map_err(|e| match e {
                    rusqlite::Error::SqliteFailure(f, _)
                        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
                    {
                        let value = valid.code.clone().unwrap_or_default();
                        Error::AlreadyExists { entity: "customer", field: "code", value }
                    }
                    other => Error::from(other),
                })?;
        }
        Ok(())
    })
    .await?;
    insert::insert_all(conn, contacts, inserting, batch_id).await?;
    let texts = rows.iter().map(|(id, v, derived)| {
        (*id, search::SearchText::of(&[v.code.as_deref().unwrap_or_default()]).then(&derived.search))
    });
    search.add_texts(conn, texts).await
}

/// Binds a customer's columns in the order both the INSERT and the UPDATE name them:
/// code, name, derived keys, fields, and the time stamp.
fn bind_fields<'q>(
    query: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>,
    code: &'q str,
    valid: &'q ValidCustomer,
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments> {
    let (_, pinyin) = pinyin_keys(&valid.name);
    query
        .bind(code)
        .bind(&valid.name)
        .bind(pinyin)
        .bind(text::name_key(&valid.name))
        .bind(text::digits(&valid.phone))
        .bind(valid.kind.as_str())
        .bind(valid.source_id)
        .bind(valid.level_id)
        .bind(&valid.phone)
        .bind(&valid.email)
        .bind(&valid.address)
        .bind(&valid.city)
        .bind(valid.birthday.map(|d| d.to_string()))
        .bind(&valid.hobbies)
        .bind(valid.owner_id)
        .bind(valid.branch_id)
        .bind(valid.created_on.to_string())
        .bind(&valid.notes)
        .bind(&valid.tags)
        .bind(now_stamp())
}

/// Edits a customer the actor may see. The input's `version` must match the stored one.
pub async fn update(db: &Db, actor: &Actor, id: i64, input: &CustomerInput) -> Result<Saved> {
    actor.require(Permission::WriteCustomers)?;
    let mut tx = db.write().await?;
    let before = fetch_visible_in(&mut tx, actor, id).await?;
    if input.version.is_some_and(|v| v != before.version) {
        return Err(Error::Conflict { entity: "customer" });
    }
    let mut valid = validate(&mut tx, actor, input, &mut Lookups::default()).await?;
    if valid.code.is_none() {
        valid.code = Some(before.code.clone());
    }
    if input.created_on.trim().is_empty() {
        valid.created_on = NaiveDate::parse_from_str(&before.created_on, "%Y-%m-%d").unwrap_or(valid.created_on);
    }
    if input.owner.trim().is_empty() && actor.role != Role::Salesperson {
        valid.owner_id = before.owner_id;
        valid.branch_id = before.branch_id;
    }
    check_scope(actor, &valid, &input.owner)?;
    if !input.allow_duplicate {
        refuse_duplicates(&mut tx, actor, &valid, Some(id)).await?;
    }
    update_in(&mut tx, id, &valid).await?;
    let after = fetch_in(&mut tx, id).await?;
    audit::record_changes(&mut tx, actor, "customer", id, "update", &audit_view(&before), &audit_view(&after)).await?;
    tx.commit().await?;
    Ok(Saved { customer: after })
}

pub(crate) async fn update_in(conn: &mut SqliteConnection, id: i64, valid: &ValidCustomer) -> Result<()> {
    let code = valid.code.clone().unwrap_or_default();
    let query = sqlx::query(
        "UPDATE customers SET code = ?, name = ?, name_pinyin = ?, name_key = ?, phone_digits = ?, kind = ?,
             source_id = ?, level_id = ?, phone = ?, email = ?, address = ?, city = ?, birthday = ?, hobbies = ?,
             owner_id = ?, branch_id = ?, created_on = ?, notes = ?, tags = ?, version = version + 1, updated_at = ?
         WHERE id = ?",
    );
    bind_fields(query, &code, valid)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_violation(e, "customer", "code", &code))?;
    search::reindex(conn, id).await
}

/// Deletes a customer and its contacts. Refused while anything else (orders, activities…)
/// refers to it: those records would lose their customer.
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::DeleteCustomers)?;
    let mut tx = db.write().await?;
    let before = fetch_visible_in(&mut tx, actor, id).await?;
    let users = references(&mut tx, id).await?;
    if !users.is_empty() {
        let by = users.iter().map(|(table, n)| format!("{n} {table}")).collect::<Vec<_>>().join(", ");
        return Err(Error::InUse { entity: "customer", by });
    }
    delete_in(&mut tx, id).await?;
    audit::record(&mut tx, actor, "customer", id, "delete", audit_view(&before)).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes one customer (its contacts go with it) and its search rows.
pub(crate) async fn delete_in(conn: &mut SqliteConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM customers WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(|e| crate::db::in_use_violation(e, "customer", "other records"))?;
    search::reindex(conn, id).await
}

/// Tables holding a foreign key to customers, read from the schema so that every table a later
/// module adds is covered: (table, column, deleted along with the customer).
pub(crate) async fn referencing_columns(conn: &mut SqliteConnection) -> Result<Vec<(String, String, bool)>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT m.name, f.\"from\", f.on_delete
         FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
         WHERE m.type = 'table' AND f.\"table\" = 'customers'
         ORDER BY m.name",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(table, column, on_delete)| (table, column, on_delete == "CASCADE")).collect())
}

/// How many of the customers a batch inserted have any record pointing at them now (a contact, an
/// order, an activity, a merge …): undoing the batch would delete those records or fail on them, so
/// each counts as a change since the import. Set-based, one query per referencing table.
pub(crate) async fn referenced_among_inserted(conn: &mut SqliteConnection, batch_id: i64) -> Result<usize> {
    let mut referenced: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    for (table, column, _) in referencing_columns(conn).await? {
        // The main contacts the batch made with its customers are the batch's own, not added since.
        let own = if table == "contacts" { " AND t.import_batch_id IS NOT ?" } else { "" };
        let sql = format!(
            "SELECT DISTINCT r.record_id FROM import_batch_records r JOIN \"{table}\" t ON t.\"{column}\" = r.record_id
             WHERE r.batch_id = ? AND r.action = 'insert'{own}"
        );
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(batch_id);
        if !own.is_empty() {
            query = query.bind(batch_id);
        }
        let ids: Vec<i64> = query.fetch_all(&mut *conn).await?;
        referenced.extend(ids);
    }
    Ok(referenced.len())
}

/// Records in other tables that would block deleting customer `id`: (table, count).
async fn references(conn: &mut SqliteConnection, id: i64) -> Result<Vec<(String, i64)>> {
    let mut blocking = Vec::new();
    for (table, column, cascades) in referencing_columns(conn).await? {
        if cascades {
            continue;
        }
        let sql = format!("SELECT count(*) FROM \"{table}\" WHERE \"{column}\" = ?");
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(&mut *conn).await?;
        if count > 0 {
            blocking.push((table, count));
        }
    }
    Ok(blocking)
}

/// One customer the actor may see; others are "not found", so their existence does not leak.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Customer> {
    actor.require(Permission::ReadCustomers)?;
    let mut conn = db.pool().acquire().await?;
    fetch_visible_in(&mut conn, actor, id).await
}

/// One customer by code, within the actor's scope.
pub async fn get_by_code(db: &Db, actor: &Actor, code: &str) -> Result<Customer> {
    actor.require(Permission::ReadCustomers)?;
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM customers WHERE code = ?")
        .bind(code.trim())
        .fetch_optional(db.pool())
        .await?;
    let id = id.ok_or_else(|| Error::not_found("customer", code))?;
    let mut conn = db.pool().acquire().await?;
    fetch_visible_in(&mut conn, actor, id).await.map_err(|_| Error::not_found("customer", code))
}

/// The id of the customer with this code, whoever may see it (callers check the scope).
pub(crate) async fn id_of_code(conn: &mut SqliteConnection, code: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM customers WHERE code = ?").bind(code.trim()).fetch_optional(conn).await?)
}

/// The customer a form or a row names — by id, else by code — when the actor sees it. Otherwise a
/// problem on `field` is noted (required, or unknown: a customer outside the actor's scope is as
/// unknown as a mistyped code) and the answer is None; only faults are errors.
pub(crate) async fn named_visible(
    conn: &mut SqliteConnection,
    actor: &Actor,
    field: &'static str,
    id: Option<i64>,
    code: &str,
    required: bool,
    problems: &mut Vec<FieldError>,
) -> Result<Option<Customer>> {
    let code = code.trim();
    let unknown = |value: String| FieldError { field, reason: Reason::Unknown { value } };
    let id = match (id, code) {
        (Some(id), _) => Some(id),
        (None, "") => {
            if required {
                problems.push(FieldError { field, reason: Reason::Required });
            }
            return Ok(None);
        }
        (None, code) => id_of_code(conn, code).await?,
    };
    let Some(id) = id else {
        problems.push(unknown(code.to_string()));
        return Ok(None);
    };
    match fetch_visible_in(conn, actor, id).await {
        Ok(customer) => Ok(Some(customer)),
        Err(Error::NotFound { .. }) => {
            problems.push(unknown(if code.is_empty() { id.to_string() } else { code.to_string() }));
            Ok(None)
        }
        Err(fault) => Err(fault),
    }
}

pub(crate) async fn fetch_visible_in(conn: &mut SqliteConnection, actor: &Actor, id: i64) -> Result<Customer> {
    let mut builder = QueryBuilder::<Sqlite>::new(SELECT_CUSTOMER);
    builder.push(" WHERE c.id = ").push_bind(id);
    push_scope(&mut builder, actor.scope());
    builder.build_query_as::<Customer>().fetch_optional(conn).await?.ok_or_else(|| Error::not_found("customer", id))
}

pub(crate) async fn fetch_in(conn: &mut SqliteConnection, id: i64) -> Result<Customer> {
    let mut builder = QueryBuilder::<Sqlite>::new(SELECT_CUSTOMER);
    builder.push(" WHERE c.id = ").push_bind(id);
    builder.build_query_as::<Customer>().fetch_optional(conn).await?.ok_or_else(|| Error::not_found("customer", id))
}

/// What the audit log keeps of a customer: its fields, not its bookkeeping.
fn audit_view(customer: &Customer) -> serde_json::Value {
    let mut value = serde_json::to_value(customer).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        for key in ["id", "version", "updated_at", "owner_name", "source_id", "level_id"] {
            object.remove(key);
        }
    }
    value
}

/// Customers within the actor's scope that look like `name` / `phone` (same name key, or the same
/// phone digits). One outside the scope is as unknown here as everywhere: its code and name are not
/// told, and it does not hold back a save.
pub async fn duplicates_in(
    conn: &mut SqliteConnection,
    actor: &Actor,
    name: &str,
    phone: &str,
    except: Option<i64>,
) -> Result<Vec<DuplicateMatch>> {
    let name_key = text::name_key(name);
    let phone_digits = text::digits(phone);
    let mut query = QueryBuilder::<Sqlite>::new("SELECT c.id, c.code, c.name, c.name_key = ");
    query.push_bind(name_key.clone()).push(" AS same_name FROM customers c WHERE ((c.name_key = ");
    query.push_bind(name_key.clone()).push(" AND c.name_key <> '') OR (c.phone_digits = ");
    query.push_bind(phone_digits.clone()).push(" AND length(c.phone_digits) >= 5))");
    push_scope(&mut query, actor.scope());
    query.push(" ORDER BY c.code LIMIT 10");
    let rows: Vec<(i64, String, String, bool)> = query.build_query_as().fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .filter(|(id, ..)| Some(*id) != except)
        .map(|(id, code, name, same_name)| DuplicateMatch {
            id,
            code,
            name,
            field: if same_name { "name" } else { "phone" },
        })
        .collect())
}

async fn refuse_duplicates(
    conn: &mut SqliteConnection,
    actor: &Actor,
    valid: &ValidCustomer,
    except: Option<i64>,
) -> Result<()> {
    let matches = duplicates_in(conn, actor, &valid.name, &valid.phone, except).await?;
    if matches.is_empty() { Ok(()) } else { Err(Error::PossibleDuplicate { matches }) }
}

/// Customers that look alike (same name or phone), for a merge.
pub async fn find_duplicates(
    db: &Db,
    actor: &Actor,
    name: &str,
    phone: &str,
    except: Option<i64>,
) -> Result<Vec<DuplicateMatch>> {
    actor.require(Permission::ReadCustomers)?;
    let mut conn = db.pool().acquire().await?;
    duplicates_in(&mut conn, actor, name, phone, except).await
}

/// The history of a customer: its audit entries and those of customers merged into it.
pub async fn history(db: &Db, actor: &Actor, id: i64) -> Result<Vec<audit::AuditEntry>> {
    actor.require(Permission::ReadCustomers)?;
    let mut conn = db.pool().acquire().await?;
    fetch_visible_in(&mut conn, actor, id).await?;
    let mut ids: Vec<i64> = sqlx::query_scalar("SELECT merged_id FROM customer_merges WHERE survivor_id = ?")
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    ids.push(id);
    audit::history_of(&mut conn, "customer", &ids).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_and_deduplicated() {
        assert_eq!(normalize_tags(" VIP， 老客户、VIP;;重点 "), "VIP,老客户,重点");
        assert_eq!(normalize_tags(""), "");
    }
}
