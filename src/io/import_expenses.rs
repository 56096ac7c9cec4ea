//! Expenses from a file, through the bulk path of plain records ([`crate::io::plain`]): each row
//! checked as the form checks one (a salesperson or a category the company lacks is met first by
//! [`crate::io::values`]).

use crate::auth::Actor;
use crate::directory::Directory;
use crate::io::columns::RowFields;
use crate::io::plain::Checked;
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
