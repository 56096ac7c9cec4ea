//! Suppliers from a file, matched by code, new ones written many to a statement; undoing a batch's
//! suppliers.

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::catalog::suppliers::{self, Supplier, SupplierInput, ValidSupplier};
use crate::error::{Error, Result};
use crate::io::batch::{Mode, RowFailure, RowOutcome, previous_values};
use crate::io::columns::RowFields;
use crate::io::insert::Pending;
use crate::io::numbering::Numbering;

pub struct SupplierImport {
    existing: Numbering,
    pending: Pending<ValidSupplier>,
}

impl SupplierImport {
    pub async fn start(conn: &mut SqliteConnection, actor: &Actor, batch_id: i64) -> Result<SupplierImport> {
        Ok(SupplierImport {
            existing: Numbering::read(conn, "suppliers", "code").await?,
            pending: Pending::numbered(actor, batch_id),
        })
    }

    pub async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        row: &RowFields<'_>,
        mode: Mode,
        writing: bool,
    ) -> Result<RowOutcome, RowFailure> {
        let input = SupplierInput {
            code: row.get("code").to_string(),
            name: row.get("name").to_string(),
            phone: row.get("phone").to_string(),
            address: row.get("address").to_string(),
            active: None,
            version: None,
        };
        let mut valid = suppliers::validate(&input)?;
        if !writing {
            return Ok(RowOutcome::InsertedInBatch);
        }
        match self.existing.get(&valid.code) {
            None => {
                let id = self.existing.give(valid.code.clone());
                self.pending.push_numbered(conn, id, valid).await?;
                Ok(RowOutcome::Inserted { id, version: 1 })
            }
            Some(_) if mode == Mode::Insert => Ok(RowOutcome::Skipped),
            Some(id) => {
                let before = suppliers::fetch_in(conn, id).await?;
                valid.active = before.active;
                suppliers::update_in(conn, id, &valid).await?;
                let before_json = serde_json::to_value(&before)
                    .map_err(|e| Error::Io { path: "supplier".into(), source: std::io::Error::other(e) })?;
                Ok(RowOutcome::Updated { id, version: before.version + 1, before: before_json })
            }
        }
    }

    /// Writes the last suppliers. Call after the last row.
    pub async fn finish(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        self.pending.flush(conn).await
    }
}

pub async fn version(conn: &mut SqliteConnection, id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT version FROM suppliers WHERE id = ?").bind(id).fetch_optional(conn).await?)
}

pub async fn undo_record(conn: &mut SqliteConnection, id: i64, action: &str, before: Option<&str>) -> Result<()> {
    match (action, before) {
        ("insert", _) => {
            sqlx::query("DELETE FROM suppliers WHERE id = ?")
                .bind(id)
                .execute(conn)
                .await
                .map_err(|e| crate::db::in_use_violation(e, "supplier", "purchase orders"))?;
            Ok(())
        }
        ("update", Some(before)) => {
            let before: Supplier = previous_values(before)?;
            let valid = ValidSupplier {
                code: before.code,
                name: before.name,
                phone: before.phone,
                address: before.address,
                active: before.active,
            };
            suppliers::update_in(conn, id, &valid).await?;
            // update_in counts a new version; the undone record is as it was.
            sqlx::query("UPDATE suppliers SET version = ? WHERE id = ?")
                .bind(before.version)
                .bind(id)
                .execute(conn)
                .await?;
            Ok(())
        }
        _ => Err(Error::Refused(crate::error::Refusal::NoPreviousValues)),
    }
}
