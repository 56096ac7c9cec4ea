//! Who a sales record (order, opportunity, quote, expense) belongs to: the salesperson typed, else the
//! acting salesperson or the customer's owner; their branch; and whether the actor may give it to them.

use sqlx::SqliteConnection;

use crate::auth::{Actor, Role, Scope};
use crate::crm::Customer;
use crate::error::{FieldError, Reason, Result};

/// A record's salesperson and branch once resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Assignee {
    pub salesperson_id: Option<i64>,
    pub branch_id: Option<i64>,
}

/// Resolves `typed` (a user name or display name; empty: the default) into the record's salesperson
/// and branch. A salesperson always records their own; a branch manager only within their branch; a
/// user who sees only their own records only for themselves.
/// Problems go into `problems` under `field`.
pub async fn resolve(
    conn: &mut SqliteConnection,
    actor: &Actor,
    field: &'static str,
    typed: &str,
    customer: Option<&Customer>,
    problems: &mut Vec<FieldError>,
) -> Result<Assignee> {
    let salesperson_id = match typed.trim() {
        _ if actor.role == Role::Salesperson => Some(actor.user_id),
        "" => customer.and_then(|c| c.owner_id).or(Some(actor.user_id)),
        name => {
            // A user name is unique, a display name need not be: the user name wins.
            let id: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM users WHERE username = ?1 OR display_name = ?1 ORDER BY username = ?1 DESC LIMIT 1",
            )
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
            if id.is_none() {
                problems.push(FieldError { field, reason: Reason::Unknown { value: name.into() } });
            }
            id
        }
    };
    let branch_id: Option<i64> = match salesperson_id {
        Some(id) => {
            sqlx::query_scalar("SELECT branch_id FROM users WHERE id = ?").bind(id).fetch_one(&mut *conn).await?
        }
        None => None,
    }
    .or(customer.and_then(|c| c.branch_id));
    // The record must land where its author can still see it.
    let visible = match actor.scope() {
        Scope::All => true,
        Scope::Branch(mine) => branch_id == Some(mine),
        Scope::Own(me) => salesperson_id == Some(me),
    };
    if salesperson_id.is_some() && !visible {
        problems.push(FieldError { field, reason: Reason::Forbidden { value: typed.trim().to_string() } });
    }
    Ok(Assignee { salesperson_id, branch_id })
}

/// Adds the actor's scope to a query over a sales table aliased `alias` with `salesperson_id` and
/// `branch_id` columns: own records, their branch's, or all.
pub(crate) fn push_scope(builder: &mut sqlx::QueryBuilder<sqlx::Sqlite>, alias: &'static str, scope: Scope) {
    match scope {
        Scope::All => {}
        Scope::Branch(branch) => {
            builder.push(format_args!(" AND {alias}.branch_id = ")).push_bind(branch);
        }
        Scope::Own(user) => {
            builder.push(format_args!(" AND {alias}.salesperson_id = ")).push_bind(user);
        }
    }
}
