//! Service requests from a file: each row checked like a form; a row equal in every column to one an
//! earlier import recorded is skipped, so importing a file twice records nothing twice.

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::choice::Choice;
use crate::crm::service::{self, ServiceInput};
use crate::error::Result;
use crate::io::batch::{EarlierImport, RowFailure, RowOutcome};
use crate::io::columns::RowFields;
use crate::io::entity::Entity;

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
        let recorded = EarlierImport::of(Entity::Service, "service_requests")
            .same("date", "request_date", valid.date.to_string())
            .same("customer_code", "customer_id", valid.customer_id)
            .same("type", "kind", valid.kind.as_str())
            .same("satisfaction", "satisfaction", valid.satisfaction)
            .same("status", "status", valid.status.as_str())
            .same("content", "content", valid.content.clone())
            .same("resolution", "resolution", valid.resolution.clone())
            .recorded(conn, self.batch_id)
            .await?;
        if recorded {
            return Ok(RowOutcome::AlreadyImported);
        }
        service::insert_in(conn, actor, &valid, Some(self.batch_id)).await?;
        Ok(RowOutcome::InsertedInBatch)
    }
}
