//! Suppliers: validate, create, edit, find by code and list them.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::{Db, Page, now_stamp, page_limit, unique_violation};
use crate::error::{Error, Result};
use crate::io::insert::{self, Insertable, Inserting};
use crate::text;

/// A supplier as a form or an import row sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SupplierInput {
    pub code: String,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub active: Option<bool>,
    pub version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSupplier {
    pub code: String,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Supplier {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub phone: String,
    pub address: String,
    pub active: bool,
    pub version: i64,
}

const SUPPLIER_SELECT: &str = "SELECT id, code, name, phone, address, active, version FROM suppliers";

pub fn validate(input: &SupplierInput) -> Result<ValidSupplier> {
    let mut problems = Vec::new();
    let mut keep = |result: Result<String>| match result {
        Ok(value) => value,
        Err(error) => {
            problems.extend(error.field_errors());
            String::new()
        }
    };
    let code = keep(text::required("code", &input.code, 40));
    let name = keep(text::required("name", &input.name, 120));
    let phone = keep(text::phone("phone", &input.phone));
    let address = keep(text::bounded("address", &input.address, 200));
    if !problems.is_empty() {
        return Err(Error::from_fields(problems));
    }
    Ok(ValidSupplier { code, name, phone, address, active: input.active.unwrap_or(true) })
}

pub async fn create(db: &Db, actor: &Actor, input: &SupplierInput) -> Result<Supplier> {
    actor.require(Permission::WriteProducts)?;
    let valid = validate(input)?;
    let mut tx = db.write().await?;
    let id = insert_in(&mut tx, actor, &valid).await?;
    let supplier = fetch_in(&mut tx, id).await?;
    audit::record(&mut tx, actor, "supplier", id, "create", serde_json::to_value(&supplier).unwrap_or_default())
        .await?;
    tx.commit().await?;
    Ok(supplier)
}

pub async fn update(db: &Db, actor: &Actor, id: i64, input: &SupplierInput) -> Result<Supplier> {
    actor.require(Permission::WriteProducts)?;
    let mut valid = validate(input)?;
    let mut tx = db.write().await?;
    let before = fetch_in(&mut tx, id).await?;
    if input.version.is_some_and(|v| v != before.version) {
        return Err(Error::Conflict { entity: "supplier" });
    }
    if input.active.is_none() {
        valid.active = before.active;
    }
    update_in(&mut tx, id, &valid).await?;
    let after = fetch_in(&mut tx, id).await?;
    audit::record_changes(&mut tx, actor, "supplier", id, "update", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

pub(crate) async fn insert_in(conn: &mut SqliteConnection, actor: &Actor, valid: &ValidSupplier) -> Result<i64> {
    insert::insert_one(conn, valid, actor, None)
        .await
        .map_err(|e| insert::unique_violation(e, "supplier", "code", &valid.code))
}

impl Insertable for ValidSupplier {
    const TABLE: &'static str = "suppliers";
    const INSERTED: &'static [&'static str] = &["code", "name", "phone", "address", "active", "updated_at"];
    const CARRIES_BATCH: bool = false;

    fn inserted(&self, inserting: &Inserting) -> Vec<Value> {
        vec![
            insert::text(self.code.as_str()),
            insert::text(self.name.as_str()),
            insert::text(self.phone.as_str()),
            insert::text(self.address.as_str()),
            Value::Integer(self.active.into()),
            insert::text(inserting.now.as_str()),
        ]
    }
}

pub(crate) async fn update_in(conn: &mut SqliteConnection, id: i64, valid: &ValidSupplier) -> Result<()> {
    sqlx::query(
        "UPDATE suppliers SET code = ?, name = ?, phone = ?, address = ?, active = ?, version = version + 1,
             updated_at = ? WHERE id = ?",
    )
    .bind(&valid.code)
    .bind(&valid.name)
    .bind(&valid.phone)
    .bind(&valid.address)
    .bind(valid.active)
    .bind(now_stamp())
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(|e| unique_violation(e, "supplier", "code", &valid.code))?;
    Ok(())
}

pub(crate) async fn fetch_in(conn: &mut SqliteConnection, id: i64) -> Result<Supplier> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SUPPLIER_SELECT} WHERE id = ?")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| Error::not_found("supplier", id))
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Supplier> {
    actor.require(Permission::ReadProducts)?;
    fetch_in(&mut *db.pool().acquire().await?, id).await
}

/// Suppliers matching the words (code, name, phone), by code.
pub async fn list(db: &Db, actor: &Actor, words: &str, offset: i64, limit: Option<i64>) -> Result<Page<Supplier>> {
    actor.require(Permission::ReadProducts)?;
    let limit = page_limit(limit);
    let offset = offset.max(0);
    let filter = |builder: &mut QueryBuilder<Sqlite>| {
        builder.push(" WHERE 1 = 1");
        for word in words.split_whitespace() {
            let pattern = format!("%{}%", word.replace(['%', '_'], ""));
            builder.push(" AND (code LIKE ").push_bind(pattern.clone());
            builder.push(" OR name LIKE ").push_bind(pattern.clone());
            builder.push(" OR phone LIKE ").push_bind(pattern).push(")");
        }
    };
    let mut count = QueryBuilder::<Sqlite>::new("SELECT count(*) FROM suppliers");
    filter(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(db.pool()).await?;
    let mut rows = QueryBuilder::<Sqlite>::new(SUPPLIER_SELECT);
    filter(&mut rows);
    rows.push(" ORDER BY code LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows = rows.build_query_as().fetch_all(db.pool()).await?;
    Ok(Page { rows, total, offset, limit })
}
