//! Activities from a file, through the bulk path of plain records ([`crate::io::plain`]): each row
//! checked as the form checks one; an operator the company lacks is created with a notice.

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::crm::activities::{self, ActivityInput, ValidActivity};
use crate::directory::Directory;
use crate::error::Result;
use crate::io::batch::{RowFailure, RowOutcome};
use crate::io::columns::RowFields;
use crate::io::notice::Notice;
use crate::io::plain::{Checked, PlainImport};

/// A typical activity row's size in a file.
pub const BYTES_PER_ROW: u64 = 80;

/// A row as the form would send it, checked.
pub fn check(actor: &Actor, row: &RowFields<'_>, directory: &Directory) -> Checked<ValidActivity> {
    let input = ActivityInput {
        date: row.get("date").into(),
        customer_id: None,
        customer_code: row.get("customer_code").into(),
        operator: row.get("operator").into(),
        kind: row.get("type").into(),
        minutes: row.get("minutes").into(),
        subject: row.get("subject").into(),
        next_follow_up: row.get("next_follow_up").into(),
    };
    activities::check(actor, &input, directory)
}

/// Makes what a row names on the way, then takes the row.
pub async fn row(
    import: &mut PlainImport<ValidActivity>,
    conn: &mut SqliteConnection,
    actor: &Actor,
    row: &RowFields<'_>,
    checked: Option<Checked<ValidActivity>>,
    writing: bool,
    notices: &mut Vec<Notice>,
) -> Result<RowOutcome, RowFailure> {
    import.ensure_person(conn, actor, row.get("operator"), notices).await?;
    import.row(conn, actor, row, checked, writing).await
}
