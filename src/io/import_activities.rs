//! Activities from a file: each row checked like a form; a row equal in every column to one an earlier
//! import recorded is skipped, so importing a file twice records nothing twice, while equal rows of one
//! file and activities typed in the app never hide a row.

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::choice::Choice;
use crate::crm::activities::{self, ActivityInput};
use crate::error::Result;
use crate::io::batch::{EarlierImport, RowFailure, RowOutcome};
use crate::io::columns::RowFields;
use crate::io::entity::Entity;
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
        let recorded = EarlierImport::of(Entity::Activities, "activities")
            .same("date", "activity_date", valid.date.to_string())
            .same("customer_code", "customer_id", valid.customer_id)
            .same("operator", "operator_id", valid.operator_id)
            .same("type", "kind", valid.kind.as_str())
            .same("minutes", "minutes", valid.minutes)
            .same("subject", "subject", valid.subject.clone())
            .same("next_follow_up", "next_follow_up", valid.next_follow_up.map(|d| d.to_string()))
            .recorded(conn, self.batch_id)
            .await?;
        if recorded {
            return Ok(RowOutcome::AlreadyImported);
        }
        activities::insert_in(conn, &valid, Some(self.batch_id)).await?;
        Ok(RowOutcome::InsertedInBatch)
    }
}
