//! Checks of single fields of an import row that several entities share; each problem is collected,
//! so a row reports all of its problems at once.

use crate::error::{FieldError, Reason};
use crate::io::notice::Notice;
use crate::money::Money;

/// A figure checked by the rule every form and file keeps (`crate::lines`), its problem collected under
/// `field`.
pub fn checked<T>(field: &'static str, checked: Result<T, Reason>, problems: &mut Vec<FieldError>) -> Option<T> {
    checked.map_err(|reason| problems.push(FieldError { field, reason })).ok()
}

/// A price a file must give (it is history: today's list price would be wrong).
pub fn required_price(text: &str) -> Result<Money, Reason> {
    crate::lines::price(text)?.ok_or(Reason::Required)
}

/// A reference by code (a sku, a supplier): what the lookup `found`, or "required" / "unknown".
pub fn known<T>(field: &'static str, code: &str, found: Option<T>, problems: &mut Vec<FieldError>) -> Option<T> {
    if found.is_none() {
        let reason = if code.is_empty() { Reason::Required } else { Reason::Unknown { value: code.into() } };
        problems.push(FieldError { field, reason });
    }
    found
}

/// Makes sure a salesperson a file names exists (a record-only user the owner can later let log in),
/// saying so in the import's notices when one is created. Empty names nobody.
pub async fn ensure_salesperson(
    conn: &mut sqlx::SqliteConnection,
    actor: &crate::auth::Actor,
    name: &str,
    notices: &mut Vec<Notice>,
) -> crate::error::Result<()> {
    if !name.trim().is_empty() {
        let (_, created) = crate::users::ensure_salesperson(conn, actor, name).await?;
        if created {
            notices.push(Notice::SalespersonCreated { name: name.trim().to_string() });
        }
    }
    Ok(())
}

/// Makes sure a pick-list entry a file names exists (a lost reason, an expense category), saying so in
/// the import's notices when one is added. Only a user who may edit the lists adds to them; for anyone
/// else an unknown entry stays unknown, and the row says so.
pub async fn ensure_pick(
    conn: &mut sqlx::SqliteConnection,
    actor: &crate::auth::Actor,
    list: crate::crm::picklists::PickList,
    name: &str,
    notices: &mut Vec<Notice>,
) -> crate::error::Result<()> {
    if !name.trim().is_empty() && actor.can(crate::auth::Permission::EditPickLists) {
        let (_, added) = crate::crm::picklists::ensure(conn, list, name).await?;
        if added {
            notices.push(Notice::PickAdded { name: name.trim().to_string(), list });
        }
    }
    Ok(())
}
