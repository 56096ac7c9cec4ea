//! User-editable pick lists of customers: sources (客户来源) and levels (客户等级).

use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::{Db, in_use_violation, unique_violation};
use crate::error::{Error, Reason, Result};
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PickList {
    Source,
    Level,
}

impl PickList {
    /// The table behind the list: a fixed name, never user input.
    fn table(self) -> &'static str {
        match self {
            PickList::Source => "customer_sources",
            PickList::Level => "customer_levels",
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            PickList::Source => "source",
            PickList::Level => "level",
        }
    }

    fn customer_column(self) -> &'static str {
        match self {
            PickList::Source => "source_id",
            PickList::Level => "level_id",
        }
    }

    pub fn parse(text: &str) -> Option<PickList> {
        match text {
            "source" | "sources" | "来源" => Some(PickList::Source),
            "level" | "levels" | "等级" => Some(PickList::Level),
            _ => None,
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
    /// How many customers use this entry.
    pub used: i64,
}

pub async fn list(db: &Db, list: PickList) -> Result<Vec<PickItem>> {
    let sql = format!(
        "SELECT p.id, p.name, p.name_en, p.sort_order, p.active,
                (SELECT count(*) FROM customers c WHERE c.{column} = p.id) AS used
         FROM {table} p ORDER BY p.sort_order, p.id",
        column = list.customer_column(),
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

/// Deletes an unused entry; one still used by customers is refused (deactivate it instead).
pub async fn delete(db: &Db, actor: &Actor, list: PickList, id: i64) -> Result<()> {
    actor.require(Permission::EditPickLists)?;
    let item = find(db, list, id).await?;
    let mut tx = db.write().await?;
    let sql = format!("DELETE FROM {} WHERE id = ?", list.table());
    sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| in_use_violation(e, list.field(), &format!("{} customers", item.used)))?;
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
