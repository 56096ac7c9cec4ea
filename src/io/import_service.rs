//! Service requests from a file, through the bulk path of plain records ([`crate::io::plain`]): each
//! row checked as the form checks one.

use crate::auth::Actor;
use crate::crm::service::{self, ServiceInput, ValidService};
use crate::directory::Directory;
use crate::io::columns::RowFields;
use crate::io::plain::Checked;

/// A typical service row's size in a file.
pub const BYTES_PER_ROW: u64 = 80;

/// A row as the form would send it, checked.
pub fn check(actor: &Actor, row: &RowFields<'_>, directory: &Directory) -> Checked<ValidService> {
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
    service::check(actor, &input, directory)
}
