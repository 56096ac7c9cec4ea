//! Expenses from a file: each row checked like a form (a category the list lacks is added when the
//! user may edit the list); a row identical to one recorded before this import is skipped, so importing
//! a file twice records nothing twice, while two equal taxi fares in one file are both kept.

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::crm::picklists::PickList;
use crate::error::Result;
use crate::io::batch::{RowFailure, RowOutcome};
use crate::io::columns::RowFields;
use crate::io::fields;
use crate::io::notice::Notice;
use crate::sales::expenses::{self, ExpenseInput};

pub struct ExpenseImport {
    batch_id: i64,
}

impl ExpenseImport {
    pub fn new(batch_id: i64) -> ExpenseImport {
        ExpenseImport { batch_id }
    }

    pub async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
        notices: &mut Vec<Notice>,
    ) -> Result<RowOutcome, RowFailure> {
        fields::ensure_salesperson(conn, actor, row.get("salesperson"), notices).await?;
        fields::ensure_pick(conn, actor, PickList::ExpenseCategory, row.get("category"), notices).await?;
        let input = ExpenseInput {
            date: row.get("date").into(),
            salesperson: row.get("salesperson").into(),
            customer_id: None,
            customer_code: row.get("customer_code").into(),
            category: row.get("category").into(),
            amount: row.get("amount").into(),
            note: row.get("note").into(),
        };
        let valid = expenses::validate(conn, actor, &input).await?;
        let recorded: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM expenses WHERE expense_date = ? AND salesperson_id IS ? AND customer_id IS ?
                 AND category_id = ? AND amount = ? AND note = ? AND import_batch_id IS NOT ? LIMIT 1",
        )
        .bind(valid.date.to_string())
        .bind(valid.assignee.salesperson_id)
        .bind(valid.customer_id)
        .bind(valid.category_id)
        .bind(valid.amount)
        .bind(&valid.note)
        .bind(self.batch_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(crate::error::Error::from)?;
        if recorded.is_some() {
            return Ok(RowOutcome::Skipped);
        }
        expenses::insert_in(conn, &valid, Some(self.batch_id)).await?;
        Ok(RowOutcome::InsertedInBatch)
    }
}
