//! Service requests from a file: each row checked like a form; a row identical to one recorded before
//! this import is skipped, so importing a file twice records nothing twice.

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::choice::Choice;
use crate::crm::service::{self, ServiceInput};
use crate::error::Result;
use crate::io::batch::{RowFailure, RowOutcome};
use crate::io::columns::RowFields;

pub struct ServiceImport {
    batch_id: i64,
}

impl ServiceImport {
    pub fn new(batch_id: i64) -> ServiceImport {
        ServiceImport { batch_id }
    }

    pub async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
    ) -> Result<RowOutcome, RowFailure> {
        let input = ServiceInput {
            date: row.get("date").into(),
            customer_code: row.get("customer_code").into(),
            kind: row.get("type").into(),
            satisfaction: row.get("satisfaction").into(),
            status: row.get("status").into(),
            content: row.get("content").into(),
            resolution: row.get("resolution").into(),
            ..ServiceInput::default()
        };
        let valid = service::validate(conn, actor, &input).await?;
        let recorded: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM service_requests WHERE request_date = ? AND customer_id = ? AND kind = ? AND content = ?
                 AND resolution = ? AND import_batch_id IS NOT ? LIMIT 1",
        )
        .bind(valid.date.to_string())
        .bind(valid.customer_id)
        .bind(valid.kind.as_str())
        .bind(&valid.content)
        .bind(&valid.resolution)
        .bind(self.batch_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(crate::error::Error::from)?;
        if recorded.is_some() {
            return Ok(RowOutcome::Skipped);
        }
        service::insert_in(conn, actor, &valid, Some(self.batch_id)).await?;
        Ok(RowOutcome::InsertedInBatch)
    }
}
