//! Branches and departments (分支机构/部门): the unit a manager's and a clerk's scope is drawn by.

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::db::{Db, now_stamp, unique_violation};
use crate::error::{Error, Reason, Result};
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Branch {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewBranch {
    pub code: String,
    pub name: String,
    /// "branch" (default) or "department".
    pub kind: Option<String>,
    pub parent_code: Option<String>,
}

pub async fn create(db: &Db, actor: &Actor, new: &NewBranch) -> Result<Branch> {
    actor.require(Permission::ManageUsers)?;
    let code = text::required("code", &new.code, 20)?;
    let name = text::required("name", &new.name, 60)?;
    let kind = match text::optional(new.kind.as_deref()).as_deref() {
        None | Some("branch" | "分支机构" | "分店") => "branch",
        Some("department" | "部门") => "department",
        Some(other) => {
            return Err(Error::invalid(
                "kind",
                Reason::NotAllowed { value: other.to_string(), allowed: "branch, department".into() },
            ));
        }
    };
    let mut tx = db.write().await?;
    let parent_id = match text::optional(new.parent_code.as_deref()) {
        Some(parent) => Some(id_by_code(&mut tx, &parent).await?),
        None => None,
    };
    let id = sqlx::query("INSERT INTO branches (code, name, kind, parent_id, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(&code)
        .bind(&name)
        .bind(kind)
        .bind(parent_id)
        .bind(now_stamp())
        .execute(&mut *tx)
        .await
        .map_err(|e| unique_violation(e, "branch", "code", &code))?
        .last_insert_rowid();
    audit::record(&mut tx, actor, "branch", id, "create", serde_json::json!({ "code": code, "name": name })).await?;
    tx.commit().await?;
    Ok(Branch { id, code, name, kind: kind.to_string(), parent_id })
}

pub async fn list(db: &Db) -> Result<Vec<Branch>> {
    Ok(sqlx::query_as("SELECT id, code, name, kind, parent_id FROM branches ORDER BY code")
        .fetch_all(db.pool())
        .await?)
}

pub async fn id_by_code(conn: &mut SqliteConnection, code: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT id FROM branches WHERE code = ? OR name = ?")
        .bind(code)
        .bind(code)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| Error::invalid("branch", Reason::Unknown { value: code.to_string() }))
}
