//! Expenses from a file, through the bulk path of plain records ([`crate::io::plain`]): each row
//! checked as the form checks one; a salesperson or a category the company lacks is added with a notice
//! (a category only by a user who may edit the lists).

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::crm::picklists::PickList;
use crate::directory::Directory;
use crate::error::Result;
use crate::io::batch::{RowFailure, RowOutcome};
use crate::io::columns::RowFields;
use crate::io::notice::Notice;
use crate::io::plain::{Checked, PlainImport};
use crate::sales::expenses::{self, ExpenseInput, ValidExpense};

/// A typical expense row's size in a file.
pub const BYTES_PER_ROW: u64 = 60;

/// A row as the form would send it, checked.
pub fn check(actor: &Actor, row: &RowFields<'_>, directory: &Directory) -> Checked<ValidExpense> {
    let input = ExpenseInput {
        date: row.get("date").into(),
        salesperson: row.get("salesperson").into(),
        customer_id: None,
        customer_code: row.get("customer_code").into(),
        category: row.get("category").into(),
        amount: row.get("amount").into(),
        note: row.get("note").into(),
    };
    expenses::check(actor, &input, directory)
}

/// Makes what a row names on the way, then takes the row.
pub async fn row(
    import: &mut PlainImport<ValidExpense>,
    conn: &mut SqliteConnection,
    actor: &Actor,
    row: &RowFields<'_>,
    checked: Option<Checked<ValidExpense>>,
    writing: bool,
    notices: &mut Vec<Notice>,
) -> Result<RowOutcome, RowFailure> {
    import.ensure_person(conn, actor, row.get("salesperson"), notices).await?;
    import.ensure_entry(conn, actor, PickList::ExpenseCategory, row.get("category"), notices).await?;
    import.row(conn, actor, row, checked, writing).await
}
