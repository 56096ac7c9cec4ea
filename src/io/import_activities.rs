//! Activities from a file, through the bulk path of plain records ([`crate::io::plain`]): each row
//! checked as the form checks one (an operator the company lacks is met first by [`crate::io::values`]).

use crate::auth::Actor;
use crate::crm::activities::{self, ActivityInput, ValidActivity};
use crate::directory::Directory;
use crate::io::columns::RowFields;
use crate::io::plain::Checked;

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
