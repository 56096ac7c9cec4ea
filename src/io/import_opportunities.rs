//! Opportunities from a file, matched by code (closed deals with their date and reason come too; a
//! reason the list lacks is added); undoing a batch's opportunities.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::auth::{Actor, Scope};
use crate::error::{Error, Reason, Result};
use crate::io::batch::{Mode, RowFailure, RowOutcome, previous_values};
use crate::io::columns::RowFields;
use crate::io::fields;
use crate::io::notice::Notice;
use crate::sales::pipeline::{self, OpportunityInput};

pub struct OpportunityImport {
    batch_id: i64,
    existing: HashMap<String, i64>,
}

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

impl OpportunityImport {
    pub async fn start(conn: &mut SqliteConnection, batch_id: i64) -> Result<OpportunityImport> {
        let existing: Vec<(String, i64)> =
            sqlx::query_as("SELECT code, id FROM opportunities").fetch_all(&mut *conn).await?;
        Ok(OpportunityImport { batch_id, existing: existing.into_iter().collect() })
    }

    pub async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
        mode: Mode,
        notices: &mut Vec<Notice>,
    ) -> Result<RowOutcome, RowFailure> {
        let code = row.get("code").trim();
        if code.is_empty() {
            return Err(RowFailure::field("code", Reason::Required));
        }
        let existing = self.existing.get(code).copied();
        // Only a deal the importing user may see is theirs to skip or overwrite; another's code is taken.
        if let Some(id) = existing
            && actor.scope() != Scope::All
            && pipeline::fetch_visible_in(conn, actor, id).await.is_err()
        {
            return Err(RowFailure::field("code", Reason::Taken { value: code.to_string() }));
        }
        if existing.is_some() && mode == Mode::Insert {
            return Ok(RowOutcome::Skipped);
        }
        fields::ensure_salesperson(conn, actor, row.get("salesperson"), notices).await?;
        let input = OpportunityInput {
            code: code.to_string(),
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
        let valid = pipeline::validate(conn, actor, &input).await?;
        match existing {
            None => {
                let id = pipeline::insert_in(conn, &valid, Some(self.batch_id)).await?;
                self.existing.insert(code.to_string(), id);
                Ok(RowOutcome::Inserted { id, version: 1 })
            }
            Some(id) => {
                let before = stored(conn, id).await?;
                pipeline::update_in(conn, id, code, &valid).await?;
                let before = serde_json::to_value(&before)
                    .map_err(|e| Error::Io { path: "opportunity".into(), source: std::io::Error::other(e) })?;
                Ok(RowOutcome::Updated { id, version: version(conn, id).await?.unwrap_or(1), before })
            }
        }
    }
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
