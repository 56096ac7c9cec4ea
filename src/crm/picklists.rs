//! User-editable pick lists: customer sources (客户来源) and levels (客户等级), why deals are lost
//! (丢单原因) and what expenses are for (费用类别).

use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::choice::Choice;
use crate::db::{Db, in_use_violation, unique_violation};
use crate::error::{Error, Reason, Result};
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickList {
    Source,
    Level,
    LostReason,
    ExpenseCategory,
}

impl Choice for PickList {
    const ALL: &'static [Self] = &[PickList::Source, PickList::Level, PickList::LostReason, PickList::ExpenseCategory];

    fn as_str(self) -> &'static str {
        match self {
            PickList::Source => "source",
            PickList::Level => "level",
            PickList::LostReason => "lost_reason",
            PickList::ExpenseCategory => "expense_category",
        }
    }

    fn chinese(self) -> &'static str {
        match self {
            PickList::Source => "客户来源",
            PickList::Level => "客户等级",
            PickList::LostReason => "丢单原因",
            PickList::ExpenseCategory => "费用类别",
        }
    }

    /// The plural a command line says (`lists show sources`), with dashes or underscores.
    fn also(self) -> &'static [&'static str] {
        match self {
            PickList::Source => &["sources", "来源"],
            PickList::Level => &["levels", "等级"],
            PickList::LostReason => &["lost_reasons", "lost-reasons", "lost-reason"],
            PickList::ExpenseCategory => {
                &["expense_categories", "expense-categories", "expense-category", "categories"]
            }
        }
    }
}

impl PickList {
    /// The table behind the list: a fixed name, never user input.
    pub(crate) fn table(self) -> &'static str {
        match self {
            PickList::Source => "customer_sources",
            PickList::Level => "customer_levels",
            PickList::LostReason => "lost_reasons",
            PickList::ExpenseCategory => "expense_categories",
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            PickList::Source => "source",
            PickList::Level => "level",
            PickList::LostReason => "lost_reason",
            PickList::ExpenseCategory => "category",
        }
    }

    /// The records that point at an entry (table and column): an entry they use is not deleted.
    fn usage(self) -> (&'static str, &'static str) {
        match self {
            PickList::Source => ("customers", "source_id"),
            PickList::Level => ("customers", "level_id"),
            PickList::LostReason => ("opportunities", "lost_reason_id"),
            PickList::ExpenseCategory => ("expenses", "category_id"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PickItem {
    pub id: i64,
    pub name: String,
    pub name_en: String,
    pub sort_order: i64,
    pub active: bool,
    /// How many records use this entry.
    pub used: i64,
}

pub async fn list(db: &Db, list: PickList) -> Result<Vec<PickItem>> {
    let (users, column) = list.usage();
    let sql = format!(
        "SELECT p.id, p.name, p.name_en, p.sort_order, p.active,
                (SELECT count(*) FROM {users} u WHERE u.{column} = p.id) AS used
         FROM {table} p ORDER BY p.sort_order, p.id",
        table = list.table()
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql)).fetch_all(db.pool()).await?)
}

pub async fn add(db: &Db, actor: &Actor, list: PickList, name: &str, name_en: &str) -> Result<PickItem> {
    actor.require(Permission::EditPickLists)?;
    let name = text::required("name", name, 30)?;
    let name_en = text::bounded("name_en", name_en, 30)?;
    let mut tx = db.write().await?;
    let sql = format!(
        "INSERT INTO {table} (name, name_en, sort_order) VALUES (?, ?, (SELECT coalesce(max(sort_order), 0) + 1 FROM {table}))",
        table = list.table()
    );
    let id = sqlx::query(AssertSqlSafe(sql))
        .bind(&name)
        .bind(&name_en)
        .execute(&mut *tx)
        .await
        .map_err(|e| unique_violation(e, list.field(), "name", &name))?
        .last_insert_rowid();
    audit::record(&mut tx, actor, list.table(), id, "create", serde_json::json!({ "name": name, "name_en": name_en }))
        .await?;
    tx.commit().await?;
    find(db, list, id).await
}

/// Renames an entry or (de)activates it. Customers keep pointing at the same entry.
pub async fn update(
    db: &Db,
    actor: &Actor,
    list: PickList,
    id: i64,
    name: &str,
    name_en: &str,
    active: bool,
) -> Result<PickItem> {
    actor.require(Permission::EditPickLists)?;
    let name = text::required("name", name, 30)?;
    let name_en = text::bounded("name_en", name_en, 30)?;
    let before = find(db, list, id).await?;
    let mut tx = db.write().await?;
    let sql = format!("UPDATE {} SET name = ?, name_en = ?, active = ? WHERE id = ?", list.table());
    sqlx::query(AssertSqlSafe(sql))
        .bind(&name)
        .bind(&name_en)
        .bind(active)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| unique_violation(e, list.field(), "name", &name))?;
    let changes = serde_json::json!({ "name": [before.name, name], "name_en": [before.name_en, name_en], "active": [before.active, active] });
    audit::record(&mut tx, actor, list.table(), id, "update", changes).await?;
    tx.commit().await?;
    find(db, list, id).await
}

/// Deletes an unused entry; one still in use is refused (deactivate it instead).
pub async fn delete(db: &Db, actor: &Actor, list: PickList, id: i64) -> Result<()> {
    actor.require(Permission::EditPickLists)?;
    let item = find(db, list, id).await?;
    let mut tx = db.write().await?;
    let sql = format!("DELETE FROM {} WHERE id = ?", list.table());
    sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| in_use_violation(e, list.field(), &format!("{} {}", item.used, list.usage().0)))?;
    audit::record(&mut tx, actor, list.table(), id, "delete", serde_json::json!({ "name": item.name })).await?;
    tx.commit().await?;
    Ok(())
}

async fn find(db: &Db, list: PickList, id: i64) -> Result<PickItem> {
    self::list(db, list).await?.into_iter().find(|i| i.id == id).ok_or_else(|| Error::not_found(list.field(), id))
}

/// The id of the entry named `name` (Chinese or English name, any case), or an error naming the field.
pub async fn resolve(conn: &mut SqliteConnection, list: PickList, name: &str) -> Result<i64> {
    let sql = format!(
        "SELECT id FROM {} WHERE name = ?1 OR (name_en <> '' AND lower(name_en) = lower(?1)) ORDER BY active DESC LIMIT 1",
        list.table()
    );
    sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(name.trim())
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| Error::invalid(list.field(), Reason::Unknown { value: name.trim().to_string() }))
}

/// The entry named `name` (as [`resolve`] finds it), with its use count.
pub async fn by_name(db: &Db, list: PickList, name: &str) -> Result<PickItem> {
    let mut conn = db.pool().acquire().await?;
    let id = resolve(&mut conn, list, name).await?;
    drop(conn);
    find(db, list, id).await
}

/// The id of the entry named `name`, adding it when the list has none (imports bring their own
/// categories and reasons); the bool says whether it was added.
pub(crate) async fn ensure(conn: &mut SqliteConnection, list: PickList, name: &str) -> Result<(i64, bool)> {
    if let Ok(id) = resolve(conn, list, name).await {
        return Ok((id, false));
    }
    let name = text::required(list.field(), name, 30)?;
    let sql = format!(
        "INSERT INTO {table} (name, sort_order) VALUES (?, (SELECT coalesce(max(sort_order), 0) + 1 FROM {table}))",
        table = list.table()
    );
    let id = sqlx::query(AssertSqlSafe(sql)).bind(&name).execute(conn).await?.last_insert_rowid();
    Ok((id, true))
}

#[cfg(test)]
mod tests {
    use super::PickList;

    #[test]
    fn pick_lists_are_named_in_english_and_chinese() {
        crate::choice::tests::check::<PickList>();
    }
}
