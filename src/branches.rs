//! Branches and departments (分支机构/部门): the unit a manager's and a clerk's scope is drawn by.

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::choice::Choice;
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

/// Whether a unit is a branch (a shop, an office) or a department within the company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BranchKind {
    Branch,
    Department,
}

impl Choice for BranchKind {
    const ALL: &'static [BranchKind] = &[BranchKind::Branch, BranchKind::Department];
    const WHEN_EMPTY: Option<BranchKind> = Some(BranchKind::Branch);

    fn as_str(self) -> &'static str {
        match self {
            BranchKind::Branch => "branch",
            BranchKind::Department => "department",
        }
    }

    fn chinese(self) -> &'static str {
        match self {
            BranchKind::Branch => "分支机构",
            BranchKind::Department => "部门",
        }
    }

    fn also(self) -> &'static [&'static str] {
        match self {
            BranchKind::Branch => &["分店"],
            BranchKind::Department => &[],
        }
    }
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
    let kind = BranchKind::read("kind", new.kind.as_deref().unwrap_or_default())?.as_str();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_kind_is_read_and_listed_from_its_variants() {
        crate::choice::tests::check::<BranchKind>();
        assert_eq!(BranchKind::parse(""), Some(BranchKind::Branch));
        assert_eq!(BranchKind::parse("分店"), Some(BranchKind::Branch));
    }
}
