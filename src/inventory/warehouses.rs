//! Warehouses: listing, adding, and whether each may go below zero.

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::{Db, unique_violation};
use crate::error::{Error, Result};
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

/// Allows or forbids stock below zero in a warehouse.
pub async fn set_allow_negative(db: &Db, actor: &Actor, id: i64, allow: bool) -> Result<Warehouse> {
    actor.require(Permission::WriteProducts)?;
    let mut tx = db.write().await?;
    let before = fetch_in(&mut tx, id).await?;
    sqlx::query("UPDATE warehouses SET allow_negative = ? WHERE id = ?").bind(allow).bind(id).execute(&mut *tx).await?;
    let after = fetch_in(&mut tx, id).await?;
    audit::record_changes(&mut tx, actor, "warehouse", id, "update", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}
