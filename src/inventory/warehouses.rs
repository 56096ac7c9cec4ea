//! Warehouses: listing, adding, finding by code or name, renaming, (de)activating, and whether each may
//! go below zero.

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::{Db, unique_violation};
use crate::error::{Error, Reason, Refusal, Result};
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Warehouse {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub branch_id: Option<i64>,
    pub allow_negative: bool,
    pub active: bool,
}

const WAREHOUSE_SELECT: &str = "SELECT id, code, name, branch_id, allow_negative, active FROM warehouses";

pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<Warehouse>> {
    actor.require(Permission::ReadProducts)?;
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{WAREHOUSE_SELECT} ORDER BY id"))).fetch_all(db.pool()).await?)
}

pub(crate) async fn fetch_in(conn: &mut SqliteConnection, id: i64) -> Result<Warehouse> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{WAREHOUSE_SELECT} WHERE id = ?")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| Error::not_found("warehouse", id))
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    code: &str,
    name: &str,
    branch_id: Option<i64>,
    allow_negative: bool,
) -> Result<Warehouse> {
    actor.require(Permission::WriteProducts)?;
    let code = text::required("code", code, 20)?;
    let name = text::required("name", name, 60)?;
    let mut tx = db.write().await?;
    let id = sqlx::query("INSERT INTO warehouses (code, name, branch_id, allow_negative) VALUES (?, ?, ?, ?)")
        .bind(&code)
        .bind(&name)
        .bind(branch_id)
        .bind(allow_negative)
        .execute(&mut *tx)
        .await
        .map_err(|e| unique_violation(e, "warehouse", "code", &code))?
        .last_insert_rowid();
    let warehouse = fetch_in(&mut tx, id).await?;
    audit::record(&mut tx, actor, "warehouse", id, "create", serde_json::to_value(&warehouse).unwrap_or_default())
        .await?;
    tx.commit().await?;
    Ok(warehouse)
}

/// What to change in a warehouse; `None` leaves that part as it is.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WarehouseChange {
    pub name: Option<String>,
    pub allow_negative: Option<bool>,
    pub active: Option<bool>,
}

/// Renames a warehouse, allows or forbids stock below zero in it, or (de)activates it. The last active
/// warehouse stays active: orders and purchases that name none take their stock from the first active one.
pub async fn update(db: &Db, actor: &Actor, id: i64, change: &WarehouseChange) -> Result<Warehouse> {
    actor.require(Permission::WriteProducts)?;
    let name = change.name.as_deref().map(|name| text::required("name", name, 60)).transpose()?;
    let mut tx = db.write().await?;
    let before = fetch_in(&mut tx, id).await?;
    if change.active == Some(false) && before.active {
        let others: i64 = sqlx::query_scalar("SELECT count(*) FROM warehouses WHERE active = 1 AND id <> ?")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if others == 0 {
            return Err(Error::Refused(Refusal::LastWarehouse));
        }
    }
    sqlx::query("UPDATE warehouses SET name = ?, allow_negative = ?, active = ? WHERE id = ?")
        .bind(name.unwrap_or_else(|| before.name.clone()))
        .bind(change.allow_negative.unwrap_or(before.allow_negative))
        .bind(change.active.unwrap_or(before.active))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let after = fetch_in(&mut tx, id).await?;
    audit::record_changes(&mut tx, actor, "warehouse", id, "update", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Allows or forbids stock below zero in a warehouse.
pub async fn set_allow_negative(db: &Db, actor: &Actor, id: i64, allow: bool) -> Result<Warehouse> {
    update(db, actor, id, &WarehouseChange { allow_negative: Some(allow), ..Default::default() }).await
}

/// The warehouse a person names by its code (any case) or its name; nothing named: the first active
/// warehouse, the one orders and purchases use when they name none.
pub async fn named(db: &Db, actor: &Actor, code_or_name: &str) -> Result<Warehouse> {
    actor.require(Permission::ReadProducts)?;
    let wanted = code_or_name.trim();
    let sql = if wanted.is_empty() {
        format!("{WAREHOUSE_SELECT} WHERE active = 1 ORDER BY id LIMIT 1")
    } else {
        format!(
            "{WAREHOUSE_SELECT} WHERE lower(code) = lower(?1) OR name = ?1 ORDER BY lower(code) = lower(?1) DESC, id LIMIT 1"
        )
    };
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(wanted)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| Error::invalid("warehouse", Reason::Unknown { value: wanted.to_string() }))
}
