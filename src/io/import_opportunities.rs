//! Opportunities from a file, matched by code (closed deals with their date and reason come too),
//! checked as the form checks them against what the import read at its start, new ones written many to
//! a statement; undoing a batch's opportunities.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::auth::{Actor, Scope};
use crate::db::with_raw;
use crate::directory::Directory;
use crate::error::{Error, FieldError, Reason, Result};
use crate::io::batch::{Mode, RowFailure, RowOutcome, previous_values};
use crate::io::bulk::{self, BulkLoad};
use crate::io::columns::RowFields;
use crate::io::insert::Pending;
use crate::io::numbering::Numbering;
use crate::sales::pipeline::{self, OpportunityInput, ValidOpportunity};

/// An opportunity's columns as stored: what an undo puts back.
#[derive(Debug, Serialize, Deserialize, sqlx::FromRow)]
struct Stored {
    code: String,
    customer_id: i64,
    salesperson_id: Option<i64>,
    branch_id: Option<i64>,
    name: String,
    amount: i64,
    stage_id: i64,
    probability: i64,
    expected_close: String,
    status: String,
    closed_on: Option<String>,
    lost_reason_id: Option<i64>,
    notes: String,
    version: i64,
}

/// One opportunities import: the directory every row is checked against (read again when the import
/// adds people or list entries), the deals there are by code, and what waits to be written.
pub struct OpportunityImport {
    directory: Directory,
    /// Whether the import added a person or an entry since it started: a row the reading thread found
    /// wrong may name it, and is checked again.
    grew: bool,
    existing: Numbering,
    pending: Pending<ValidOpportunity>,
    bulk: BulkLoad,
}

/// A typical opportunity row's size in a file.
const BYTES_PER_ROW: u64 = 90;

impl OpportunityImport {
    pub async fn start(
        conn: &mut SqliteConnection,
        actor: &Actor,
        batch_id: i64,
        file_bytes: u64,
    ) -> Result<OpportunityImport> {
        let existing = Numbering::read(conn, "opportunities", "code").await?;
        let bulk = if bulk::worth_it(file_bytes, BYTES_PER_ROW, existing.len() as u64) {
            BulkLoad::start(conn, &["opportunities"], &[], 32).await?
        } else {
            BulkLoad::none()
        };
        Ok(OpportunityImport {
            directory: Directory::whole(conn).await?,
            grew: false,
            existing,
            pending: Pending::numbered(actor, batch_id),
            bulk,
        })
    }

    /// Reads the people and lists again when the import added to them (`io::values` adds what a file
    /// names that they lack: `added` counts them).
    pub async fn lists_changed(&mut self, conn: &mut SqliteConnection, added: usize) -> Result<()> {
        if self.directory.catch_up(conn, added).await? {
            self.grew = true;
        }
        Ok(())
    }

    /// What the reading thread checks each row with ([`check`]): the directory as it is now.
    pub fn checker(&self) -> Arc<Directory> {
        Arc::new(self.directory.clone())
    }

    /// Takes a row the reading thread checked (checked here when it was not, or was wrong and the import
    /// has added people or entries since), and unless `writing` is off (a row was bad) queues it, or
    /// skips or updates the deal of that code.
    pub(crate) async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
        checked: Option<Checked>,
        mode: Mode,
        writing: bool,
    ) -> Result<RowOutcome, RowFailure> {
        let code = row.get("code").trim();
        if code.is_empty() {
            return Err(RowFailure::field("code", Reason::Required));
        }
        let existing = self.existing.get(code);
        // Only a deal the importing user may see is theirs to skip or overwrite; another's code is taken.
        if let Some(id) = existing
            && actor.scope() != Scope::All
            && pipeline::fetch_visible_in(conn, actor, id).await.is_err()
        {
            return Err(RowFailure::field("code", Reason::Taken { value: code.to_string() }));
        }
        let checked = match checked {
            Some(Err(_)) if self.grew => check(actor, row, &self.directory),
            Some(checked) => checked,
            None => check(actor, row, &self.directory),
        };
        let valid = checked.map_err(RowFailure::Fields)?;
        if !writing {
            return Ok(RowOutcome::InsertedInBatch);
        }
        match existing {
            None => {
                let id = self.existing.give(code.to_string());
                self.pending.push_numbered(conn, id, valid).await?;
                Ok(RowOutcome::Inserted { id, version: 1 })
            }
            Some(_) if mode == Mode::Insert => Ok(RowOutcome::Skipped),
            Some(id) => {
                let before = stored(conn, id).await?;
                pipeline::update_in(conn, id, code, &valid).await?;
                let before = serde_json::to_value(&before)
                    .map_err(|e| Error::Io { path: "opportunity".into(), source: std::io::Error::other(e) })?;
                Ok(RowOutcome::Updated { id, version: version(conn, id).await?.unwrap_or(1), before })
            }
        }
    }

    /// Writes the last opportunities and builds dropped indexes again. Call after the last row.
    pub async fn finish(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        self.pending.flush(conn).await?;
        let bulk = &mut self.bulk;
        with_raw(conn, |raw| Ok(bulk.finish(raw)?)).await
    }
}

/// A row checked: the deal, or what is wrong with it.
pub(crate) type Checked = std::result::Result<ValidOpportunity, Vec<FieldError>>;

/// An opportunity row checked as the form checks it, against `directory`: pure, so it runs on the
/// reading thread. The code's own rules (required, not another's) are the writer's.
pub(crate) fn check(actor: &Actor, row: &RowFields<'_>, directory: &Directory) -> Checked {
    let input = OpportunityInput {
        code: row.get("code").trim().to_string(),
        customer_code: row.get("customer_code").into(),
        salesperson: row.get("salesperson").into(),
        name: row.get("name").into(),
        amount: row.get("amount").into(),
        stage: row.get("stage").into(),
        probability: row.get("probability").into(),
        expected_close: row.get("expected_close").into(),
        status: row.get("status").into(),
        closed_on: row.get("closed_on").into(),
        lost_reason: row.get("lost_reason").into(),
        notes: row.get("notes").into(),
        ..OpportunityInput::default()
    };
    pipeline::check(actor, &input, directory).map_err(|e| e.field_errors())
}

async fn stored(conn: &mut SqliteConnection, id: i64) -> Result<Stored> {
    Ok(sqlx::query_as(
        "SELECT code, customer_id, salesperson_id, branch_id, name, amount, stage_id, probability, expected_close,
                status, closed_on, lost_reason_id, notes, version
         FROM opportunities WHERE id = ?",
    )
    .bind(id)
    .fetch_one(conn)
    .await?)
}

pub async fn version(conn: &mut SqliteConnection, id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT version FROM opportunities WHERE id = ?").bind(id).fetch_optional(conn).await?)
}

pub async fn undo_record(conn: &mut SqliteConnection, id: i64, action: &str, before: Option<&str>) -> Result<()> {
    match (action, before) {
        ("insert", _) => {
            sqlx::query("DELETE FROM opportunities WHERE id = ?")
                .bind(id)
                .execute(conn)
                .await
                .map_err(|e| crate::db::in_use_violation(e, "opportunity", "quotes or leads"))?;
            Ok(())
        }
        ("update", Some(before)) => {
            let before: Stored = previous_values(before)?;
            sqlx::query(
                "UPDATE opportunities SET code = ?, customer_id = ?, salesperson_id = ?, branch_id = ?, name = ?,
                     amount = ?, stage_id = ?, probability = ?, expected_close = ?, status = ?, closed_on = ?,
                     lost_reason_id = ?, notes = ?, version = ?
                 WHERE id = ?",
            )
            .bind(before.code)
            .bind(before.customer_id)
            .bind(before.salesperson_id)
            .bind(before.branch_id)
            .bind(before.name)
            .bind(before.amount)
            .bind(before.stage_id)
            .bind(before.probability)
            .bind(before.expected_close)
            .bind(before.status)
            .bind(before.closed_on)
            .bind(before.lost_reason_id)
            .bind(before.notes)
            .bind(before.version)
            .bind(id)
            .execute(conn)
            .await?;
            Ok(())
        }
        _ => Err(Error::Refused(crate::error::Refusal::NoPreviousValues)),
    }
}
