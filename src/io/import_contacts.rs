//! Contacts from a file: matched to their customer by code and to an existing contact by name.

use std::collections::HashMap;

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::crm::contacts::{self, Contact, ContactInput};
use crate::crm::customers;
use crate::crm::search;
use crate::error::{Error, Reason, Result};
use crate::io::batch::{Mode, RowFailure, RowOutcome, previous_values};
use crate::io::columns::RowFields;

/// One contacts import: the customers already found, by code.
#[derive(Default)]
pub struct ContactImport {
    customers: HashMap<String, Option<i64>>,
}

impl ContactImport {
    pub async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
        mode: Mode,
    ) -> Result<RowOutcome, RowFailure> {
        let code = row.get("customer_code");
        let unknown = || RowFailure::field("customer_code", Reason::Unknown { value: code.to_string() });
        if code.is_empty() {
            return Err(RowFailure::field("customer_code", Reason::Required));
        }
        let customer_id = match self.customers.get(code) {
            Some(found) => *found,
            None => {
                let id: Option<i64> = sqlx::query_scalar("SELECT id FROM customers WHERE code = ?")
                    .bind(code)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(Error::from)?;
                // A customer outside the actor's scope is as unknown as a missing one.
                let visible = match id {
                    Some(id) => customers::fetch_visible_in(conn, actor, id).await.ok().map(|c| c.id),
                    None => None,
                };
                self.customers.insert(code.to_string(), visible);
                visible
            }
        }
        .ok_or_else(unknown)?;
        let input = ContactInput {
            name: row.get("name").to_string(),
            title: row.get("title").to_string(),
            phone: row.get("phone").to_string(),
            email: row.get("email").to_string(),
            birthday: row.get("birthday").to_string(),
            hobbies: row.get("hobbies").to_string(),
        };
        let valid = contacts::validate(&input)?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM contacts WHERE customer_id = ? AND name = ? ORDER BY id LIMIT 1")
                .bind(customer_id)
                .bind(input.name.trim())
                .fetch_optional(&mut *conn)
                .await
                .map_err(Error::from)?;
        let outcome = match existing {
            None => {
                let id = contacts::insert_in(conn, customer_id, &valid).await?;
                RowOutcome::Inserted { id, version: 1 }
            }
            Some(_) if mode == Mode::Insert => return Ok(RowOutcome::Skipped),
            Some(id) => {
                let before = contacts::fetch_in(conn, id).await?;
                contacts::update_in(conn, id, &valid).await?;
                let version = version(conn, id).await?.unwrap_or(0);
                let before = serde_json::to_value(&before)
                    .map_err(|e| Error::Io { path: "contact".into(), source: std::io::Error::other(e) })?;
                RowOutcome::Updated { id, version, before }
            }
        };
        search::reindex(conn, customer_id).await?;
        Ok(outcome)
    }
}

pub async fn version(conn: &mut SqliteConnection, id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT version FROM contacts WHERE id = ?").bind(id).fetch_optional(conn).await?)
}

pub async fn undo_record(conn: &mut SqliteConnection, id: i64, action: &str, before: Option<&str>) -> Result<()> {
    let customer_id: Option<i64> =
        sqlx::query_scalar("SELECT customer_id FROM contacts WHERE id = ?").bind(id).fetch_optional(&mut *conn).await?;
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
        }
        _ => return Err(Error::Refused(crate::error::Refusal::NoPreviousValues)),
    }
    if let Some(customer_id) = customer_id {
        search::reindex(conn, customer_id).await?;
    }
    Ok(())
}
