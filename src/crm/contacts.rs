//! Contacts (联系人): the people at a customer, edited with the customer's permissions.

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::crm::customers::fetch_visible_in;
use crate::crm::search;
use crate::db::Db;
use crate::error::{Error, FieldError, Result};
use crate::io::insert::{self, Insertable, Inserting};
use crate::text;
use rusqlite::types::Value;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactInput {
    pub name: String,
    pub title: String,
    pub phone: String,
    pub email: String,
    pub birthday: String,
    pub hobbies: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Contact {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub title: String,
    pub phone: String,
    pub email: String,
    pub birthday: Option<String>,
    pub hobbies: String,
}

#[derive(Clone)]
pub(crate) struct ValidContact {
    name: String,
    title: String,
    phone: String,
    email: String,
    birthday: Option<String>,
    hobbies: String,
}

impl ValidContact {
    /// The contact's name, as a customer's contacts are matched by it.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

pub(crate) fn validate(input: &ContactInput) -> Result<ValidContact> {
    let mut problems: Vec<FieldError> = Vec::new();
    let mut check = |result: Result<String>| {
        result.unwrap_or_else(|e| {
            problems.extend(e.field_errors());
            String::new()
        })
    };
    let name = check(text::required("name", &input.name, 60));
    let title = check(text::bounded("title", &input.title, 60));
    let phone = check(text::phone("phone", &input.phone));
    let email = check(text::email("email", &input.email));
    let hobbies = check(text::bounded("hobbies", &input.hobbies, 200));
    let birthday = text::optional_date("birthday", Some(&input.birthday))
        .map_err(|e| problems.extend(e.field_errors()))
        .ok()
        .flatten()
        .map(|d| d.to_string());
    if !problems.is_empty() {
        return Err(Error::from_fields(problems));
    }
    Ok(ValidContact { name, title, phone, email, birthday, hobbies })
}

pub async fn list(db: &Db, actor: &Actor, customer_id: i64) -> Result<Vec<Contact>> {
    actor.require(Permission::ReadCustomers)?;
    let mut conn = db.pool().acquire().await?;
    fetch_visible_in(&mut conn, actor, customer_id).await?;
    Ok(sqlx::query_as(
        "SELECT id, customer_id, name, title, phone, email, birthday, hobbies FROM contacts WHERE customer_id = ? ORDER BY id",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn add(db: &Db, actor: &Actor, customer_id: i64, input: &ContactInput) -> Result<Contact> {
    actor.require(Permission::WriteCustomers)?;
    let valid = validate(input)?;
    let mut tx = db.write().await?;
    fetch_visible_in(&mut tx, actor, customer_id).await?;
    let id = insert_in(&mut tx, actor, customer_id, &valid).await?;
    let contact = fetch_in(&mut tx, id).await?;
    audit::record(&mut tx, actor, "contact", id, "create", serde_json::to_value(&contact).unwrap_or_default()).await?;
    tx.commit().await?;
    Ok(contact)
}

pub(crate) async fn insert_in(
    conn: &mut SqliteConnection,
    actor: &Actor,
    customer_id: i64,
    valid: &ValidContact,
) -> Result<i64> {
    let new = NewContact { customer_id, contact: valid.clone() };
    let id = insert::insert_one(conn, &new, actor, None).await?;
    search::index_new(conn, search::Rows::Contacts, id, &[&valid.name, &valid.phone]).await?;
    Ok(id)
}

/// A contact to write, with its customer.
pub(crate) struct NewContact {
    pub customer_id: i64,
    pub contact: ValidContact,
}

impl Insertable for NewContact {
    const TABLE: &'static str = "contacts";
    const INSERTED: &'static [&'static str] =
        &["customer_id", "name", "title", "phone", "email", "birthday", "hobbies", "created_at"];

    fn inserted(&self, inserting: &Inserting) -> Vec<Value> {
        let c = &self.contact;
        vec![
            Value::Integer(self.customer_id),
            insert::text(c.name.as_str()),
            insert::text(c.title.as_str()),
            insert::text(c.phone.as_str()),
            insert::text(c.email.as_str()),
            insert::optional(c.birthday.clone()),
            insert::text(c.hobbies.as_str()),
            insert::text(inserting.now.as_str()),
        ]
    }
}

/// Rewrites a contact's fields and bumps its version (an import's undo checks it).
pub(crate) async fn update_in(conn: &mut SqliteConnection, contact_id: i64, valid: &ValidContact) -> Result<()> {
    sqlx::query(
        "UPDATE contacts SET name = ?, title = ?, phone = ?, email = ?, birthday = ?, hobbies = ?, version = version + 1
         WHERE id = ?",
    )
    .bind(&valid.name)
    .bind(&valid.title)
    .bind(&valid.phone)
    .bind(&valid.email)
    .bind(&valid.birthday)
    .bind(&valid.hobbies)
    .bind(contact_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update(db: &Db, actor: &Actor, contact_id: i64, input: &ContactInput) -> Result<Contact> {
    actor.require(Permission::WriteCustomers)?;
    let valid = validate(input)?;
    let mut tx = db.write().await?;
    let before = fetch_in(&mut tx, contact_id).await?;
    fetch_visible_in(&mut tx, actor, before.customer_id).await.map_err(|_| Error::not_found("contact", contact_id))?;
    update_in(&mut tx, contact_id, &valid).await?;
    search::reindex_contact(&mut tx, contact_id).await?;
    let after = fetch_in(&mut tx, contact_id).await?;
    audit::record_changes(&mut tx, actor, "contact", contact_id, "update", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(db: &Db, actor: &Actor, contact_id: i64) -> Result<()> {
    actor.require(Permission::WriteCustomers)?;
    let mut tx = db.write().await?;
    let before = fetch_in(&mut tx, contact_id).await?;
    fetch_visible_in(&mut tx, actor, before.customer_id).await.map_err(|_| Error::not_found("contact", contact_id))?;
    // Its search rows go with it (a trigger: however a contact goes).
    sqlx::query("DELETE FROM contacts WHERE id = ?").bind(contact_id).execute(&mut *tx).await?;
    audit::record(&mut tx, actor, "contact", contact_id, "delete", serde_json::to_value(&before).unwrap_or_default())
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn fetch_in(conn: &mut SqliteConnection, id: i64) -> Result<Contact> {
    sqlx::query_as("SELECT id, customer_id, name, title, phone, email, birthday, hobbies FROM contacts WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| Error::not_found("contact", id))
}
