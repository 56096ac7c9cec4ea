//! Sales expenses (费用): what a salesperson spent, on which category, optionally for which customer;
//! the list with its sum, and the breakdown by salesperson, customer or category.

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::crm::picklists::PickList;
use crate::db::{Db, page_limit, push_between, today};
use crate::directory::{Directory, Wanted};
use crate::error::{Error, FieldError, Reason, Result};
use crate::io::insert::{self, Insertable, Inserting};
use crate::io::plain::{Checked, PlainRecord};
use crate::money::Money;
use crate::sales::salesperson::{self, Assignee};
use crate::text;
use rusqlite::types::Value;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExpenseInput {
    /// Empty: today.
    pub date: String,
    /// A user name; empty: the acting user (a salesperson always records their own).
    pub salesperson: String,
    pub customer_id: Option<i64>,
    /// Empty: no customer.
    pub customer_code: String,
    /// An expense category (费用类别) by name.
    pub category: String,
    pub amount: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Expense {
    pub id: i64,
    pub date: String,
    pub salesperson_id: i64,
    pub salesperson: String,
    pub salesperson_name: String,
    pub customer_id: Option<i64>,
    pub customer_code: Option<String>,
    pub customer_name: Option<String>,
    pub category_id: i64,
    pub category: String,
    pub amount: Money,
    pub note: String,
    pub version: i64,
}

const EXPENSE_SELECT: &str = "SELECT e.id, e.expense_date AS date, e.salesperson_id, u.username AS salesperson,
        u.display_name AS salesperson_name, e.customer_id, c.code AS customer_code, c.name AS customer_name,
        e.category_id, k.name AS category, e.amount, e.note, e.version
    FROM expenses e JOIN users u ON u.id = e.salesperson_id
    JOIN expense_categories k ON k.id = e.category_id
    LEFT JOIN customers c ON c.id = e.customer_id";

/// An expense once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidExpense {
    pub date: chrono::NaiveDate,
    pub assignee: Assignee,
    pub customer_id: Option<i64>,
    pub category_id: i64,
    pub amount: Money,
    pub note: String,
}

pub(crate) async fn validate(conn: &mut SqliteConnection, actor: &Actor, input: &ExpenseInput) -> Result<ValidExpense> {
    let wanted = Wanted {
        customer_ids: input.customer_id.into_iter().collect(),
        customer_codes: vec![input.customer_code.as_str()],
        picks: vec![(PickList::ExpenseCategory, input.category.as_str())],
    };
    let directory = Directory::for_names(conn, &wanted).await?;
    check(actor, input, &directory).map_err(Error::from_fields)
}

/// The checks of [`validate`], against what `directory` knows: a form's and every row of a file's.
pub fn check(actor: &Actor, input: &ExpenseInput, directory: &Directory) -> Checked<ValidExpense> {
    let mut problems: Vec<FieldError> = Vec::new();
    let date = text::collect(text::date_or("date", &input.date, today()), today(), &mut problems);
    let note = text::collect(text::bounded("note", &input.note, 500), String::new(), &mut problems);
    let amount = match input.amount.trim().parse::<Money>() {
        Ok(amount) if amount.minor() > 0 => amount,
        Ok(_) => {
            problems.push(FieldError { field: "amount", reason: Reason::NotPositive { value: input.amount.clone() } });
            Money::ZERO
        }
        Err(e) => {
            problems.push(FieldError { field: "amount", reason: e.into() });
            Money::ZERO
        }
    };
    let category_id = directory.required_entry(PickList::ExpenseCategory, "category", &input.category, &mut problems);
    let customer_id = directory
        .customer(actor, "customer_code", input.customer_id, &input.customer_code, false, &mut problems)
        .map(|c| c.id);
    let assignee = directory.assignee(actor, "salesperson", &input.salesperson, None, &mut problems);
    match (category_id, assignee.salesperson_id, problems.is_empty()) {
        (Some(category_id), Some(_), true) => {
            Ok(ValidExpense { date, assignee, customer_id, category_id, amount, note })
        }
        _ => Err(problems),
    }
}

impl Insertable for ValidExpense {
    const TABLE: &'static str = "expenses";
    const INSERTED: &'static [&'static str] =
        &["expense_date", "salesperson_id", "branch_id", "customer_id", "category_id", "amount", "note", "created_at"];

    fn inserted(&self, inserting: &Inserting) -> Vec<Value> {
        vec![
            insert::text(self.date.to_string()),
            insert::optional(self.assignee.salesperson_id),
            insert::optional(self.assignee.branch_id),
            insert::optional(self.customer_id),
            Value::Integer(self.category_id),
            Value::Integer(self.amount.minor()),
            insert::text(self.note.as_str()),
            insert::text(inserting.now.as_str()),
        ]
    }
}

impl PlainRecord for ValidExpense {
    const COMPARED: &'static [(&'static str, &'static str)] = &[
        ("date", "expense_date"),
        ("salesperson", "salesperson_id"),
        ("customer_code", "customer_id"),
        ("category", "category_id"),
        ("amount", "amount"),
        ("note", "note"),
    ];

    fn compared(&self) -> Vec<Value> {
        vec![
            insert::text(self.date.to_string()),
            insert::optional(self.assignee.salesperson_id),
            insert::optional(self.customer_id),
            Value::Integer(self.category_id),
            Value::Integer(self.amount.minor()),
            insert::text(self.note.as_str()),
        ]
    }
}

async fn fetch_visible_in(conn: &mut SqliteConnection, actor: &Actor, id: i64) -> Result<Expense> {
    let mut builder = QueryBuilder::<Sqlite>::new(EXPENSE_SELECT);
    builder.push(" WHERE e.id = ").push_bind(id);
    salesperson::push_scope(&mut builder, "e", actor.scope());
    builder.build_query_as().fetch_optional(conn).await?.ok_or_else(|| Error::not_found("expense", id))
}

pub async fn create(db: &Db, actor: &Actor, input: &ExpenseInput) -> Result<Expense> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let valid = validate(&mut tx, actor, input).await?;
    let id = insert::insert_one(&mut tx, &valid, actor, None).await?;
    let expense = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record(&mut tx, actor, "expense", id, "create", serde_json::to_value(&expense).unwrap_or_default()).await?;
    tx.commit().await?;
    Ok(expense)
}

/// Deletes an expense recorded by mistake (the audit log keeps what it was).
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let expense = fetch_visible_in(&mut tx, actor, id).await?;
    sqlx::query("DELETE FROM expenses WHERE id = ?").bind(id).execute(&mut *tx).await?;
    audit::record(&mut tx, actor, "expense", id, "delete", serde_json::to_value(&expense).unwrap_or_default()).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ExpenseQuery {
    /// Inclusive ISO dates.
    pub from: Option<String>,
    pub to: Option<String>,
    pub salesperson_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub category_id: Option<i64>,
    pub offset: i64,
    pub limit: Option<i64>,
}

fn push_filters(builder: &mut QueryBuilder<Sqlite>, actor: &Actor, query: &ExpenseQuery) {
    builder.push(" WHERE 1 = 1");
    salesperson::push_scope(builder, "e", actor.scope());
    push_between(builder, "e.expense_date", &query.from, &query.to);
    if let Some(salesperson) = query.salesperson_id {
        builder.push(" AND e.salesperson_id = ").push_bind(salesperson);
    }
    if let Some(customer) = query.customer_id {
        builder.push(" AND e.customer_id = ").push_bind(customer);
    }
    if let Some(category) = query.category_id {
        builder.push(" AND e.category_id = ").push_bind(category);
    }
}

/// A page of expenses, with how many and how much all the matching ones are.
#[derive(Debug, Clone, Serialize)]
pub struct ExpensePage {
    pub rows: Vec<Expense>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub sum: Money,
}

/// Expenses the actor sees (their own, their branch's, or all), newest first.
pub async fn list(db: &Db, actor: &Actor, query: &ExpenseQuery) -> Result<ExpensePage> {
    actor.require(Permission::ReadSales)?;
    let mut conn = db.pool().acquire().await?;
    let limit = page_limit(query.limit);
    let offset = query.offset.max(0);
    // Amounts are bounded by money::MAX_ENTRY when entered, so the sum is exact up to 900,000 expenses at
    // the bound; past that SQLite's sum() raises "integer overflow" (an Error::Db) rather than wrapping.
    let mut sums = QueryBuilder::<Sqlite>::new("SELECT count(*), coalesce(sum(e.amount), 0) FROM expenses e");
    push_filters(&mut sums, actor, query);
    let (total, sum): (i64, Money) = sums.build_query_as().fetch_one(&mut *conn).await?;
    let mut rows = QueryBuilder::<Sqlite>::new(EXPENSE_SELECT);
    push_filters(&mut rows, actor, query);
    rows.push(" ORDER BY e.expense_date DESC, e.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows = rows.build_query_as().fetch_all(&mut *conn).await?;
    Ok(ExpensePage { rows, total, offset, limit, sum })
}

/// What the breakdown groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpenseBy {
    Salesperson,
    Customer,
    Category,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ExpenseGroup {
    pub key: String,
    pub amount: Money,
    pub count: i64,
}

/// The matching expenses summed by salesperson, customer (expenses naming none are left out) or
/// category, largest first.
pub async fn breakdown(db: &Db, actor: &Actor, query: &ExpenseQuery, by: ExpenseBy) -> Result<Vec<ExpenseGroup>> {
    actor.require(Permission::ReadSales)?;
    // Summed by id first (two people may share a display name), then named: only the groups are joined.
    let (group, key, names) = match by {
        ExpenseBy::Salesperson => ("e.salesperson_id", "n.display_name", "users"),
        ExpenseBy::Customer => ("e.customer_id", "n.code || ' ' || n.name", "customers"),
        ExpenseBy::Category => ("e.category_id", "n.name", "expense_categories"),
    };
    // A sum of bounded amounts, exact or SQLite's "integer overflow" error, as in `list`.
    let mut builder = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {key} AS key, g.amount, g.count
         FROM (SELECT {group} AS id, sum(e.amount) AS amount, count(*) AS count FROM expenses e"
    ));
    push_filters(&mut builder, actor, query);
    if by == ExpenseBy::Customer {
        builder.push(" AND e.customer_id IS NOT NULL");
    }
    builder.push(format_args!(" GROUP BY {group}) g JOIN {names} n ON n.id = g.id ORDER BY g.amount DESC, 1"));
    Ok(builder.build_query_as().fetch_all(db.pool()).await?)
}
