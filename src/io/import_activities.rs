//! Activities from a file: each row checked like a form; a row identical to a recorded activity is
//! skipped, so importing a file twice records nothing twice.

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::choice::Choice;
use crate::crm::activities::{self, ActivityInput};
use crate::error::Result;
use crate::io::batch::{RowFailure, RowOutcome};
use crate::io::columns::RowFields;
use crate::io::fields;
use crate::io::notice::Notice;

pub struct ActivityImport {
    batch_id: i64,
}

impl ActivityImport {
    pub fn new(batch_id: i64) -> ActivityImport {
        ActivityImport { batch_id }
    }

    pub async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
        notices: &mut Vec<Notice>,
    ) -> Result<RowOutcome, RowFailure> {
        let operator = row.get("operator");
        fields::ensure_salesperson(conn, actor, operator, notices).await?;
        let input = ActivityInput {
            date: row.get("date").into(),
            customer_id: None,
            customer_code: row.get("customer_code").into(),
            operator: operator.into(),
            kind: row.get("type").into(),
            minutes: row.get("minutes").into(),
            subject: row.get("subject").into(),
            next_follow_up: row.get("next_follow_up").into(),
        };
        let valid = activities::validate(conn, actor, &input).await?;
        let recorded: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM activities WHERE customer_id = ? AND activity_date = ? AND operator_id IS ? AND kind = ?
                 AND minutes = ? AND subject = ? LIMIT 1",
        )
        .bind(valid.customer_id)
        .bind(valid.date.to_string())
        .bind(valid.operator_id)
        .bind(valid.kind.as_str())
        .bind(valid.minutes)
        .bind(&valid.subject)
        .fetch_optional(&mut *conn)
        .await
        .map_err(crate::error::Error::from)?;
        if recorded.is_some() {
            return Ok(RowOutcome::Skipped);
        }
        activities::insert_in(conn, &valid, Some(self.batch_id)).await?;
        Ok(RowOutcome::InsertedInBatch)
    }
}
