//! Expenses from a file: each row checked like a form (a category the list lacks is added when the
//! user may edit the list); a row equal in every column to one an earlier import recorded is skipped, so
//! importing a file twice records nothing twice, while two equal taxi fares in one file (or one typed in
//! the app) are both kept.

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::error::Result;
use crate::io::batch::{EarlierImport, RowFailure, RowOutcome};
use crate::io::columns::RowFields;
use crate::io::entity::Entity;
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
        let recorded = EarlierImport::of(Entity::Expenses, "expenses")
            .same("date", "expense_date", valid.date.to_string())
            .same("salesperson", "salesperson_id", valid.assignee.salesperson_id)
            .same("customer_code", "customer_id", valid.customer_id)
            .same("category", "category_id", valid.category_id)
            .same("amount", "amount", valid.amount)
            .same("note", "note", valid.note.clone())
            .recorded(conn, self.batch_id)
            .await?;
        if recorded {
            return Ok(RowOutcome::AlreadyImported);
        }
        expenses::insert_in(conn, &valid, Some(self.batch_id)).await?;
        Ok(RowOutcome::InsertedInBatch)
    }
}
