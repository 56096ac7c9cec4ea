//! Who a sales record (order, opportunity, quote, expense) belongs to: the salesperson typed, else the
//! acting salesperson or the customer's owner; their branch; and whether the actor may give it to them.

use sqlx::SqliteConnection;

use crate::auth::{Actor, Role, SALES_OWNER, Scope};
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
    let salesperson_branch: Option<i64> = match salesperson_id {
        Some(id) => {
            sqlx::query_scalar("SELECT branch_id FROM users WHERE id = ?").bind(id).fetch_one(&mut *conn).await?
        }
        None => None,
    };
    let assignee = Assignee::of(salesperson_id, salesperson_branch, customer.and_then(|c| c.branch_id));
    if !assignee.may_be_given_by(actor) {
        problems.push(FieldError { field, reason: Reason::Forbidden { value: typed.trim().to_string() } });
    }
    Ok(assignee)
}

impl Assignee {
    /// A record's salesperson, and its branch: the salesperson's, else the customer's.
    pub fn of(salesperson_id: Option<i64>, salesperson_branch: Option<i64>, customer_branch: Option<i64>) -> Assignee {
        Assignee { salesperson_id, branch_id: salesperson_branch.or(customer_branch) }
    }

    /// Whether `actor` may give a record to this salesperson: it must land where its author can still
    /// see it (a branch manager keeps to their branch, a salesperson to themselves). The form, the
    /// quote and every importer ask this.
    pub fn may_be_given_by(&self, actor: &Actor) -> bool {
        self.salesperson_id.is_none() || actor.scope().sees(self.salesperson_id, self.branch_id)
    }
}

/// Adds the actor's scope to a query over a sales table aliased `alias` with `salesperson_id` and
/// `branch_id` columns: own records, their branch's, or all.
pub(crate) fn push_scope(builder: &mut sqlx::QueryBuilder<sqlx::Sqlite>, alias: &'static str, scope: Scope) {
    scope.push_sql(builder, alias, SALES_OWNER);
}
