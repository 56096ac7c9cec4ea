//! The audit log: who changed what, when, from which value to which, written in the same transaction as the change.

use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::SqliteConnection;

use crate::auth::{Actor, Permission};
use crate::db::{Db, now_stamp};
use crate::error::Result;

/// Writes one audit entry. `changes` is a JSON object: for an update `{field: [old, new]}`,
/// for a create or delete the record itself.
pub async fn record(
    conn: &mut SqliteConnection,
    actor: &Actor,
    entity: &str,
    entity_id: i64,
    action: &str,
    changes: Value,
) -> Result<()> {
    sqlx::query("INSERT INTO audit_log (at, user_id, entity, entity_id, action, changes) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(now_stamp())
        .bind(actor.user_id)
        .bind(entity)
        .bind(entity_id)
        .bind(action)
        .bind(changes.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Records an update of `entity` as the fields that changed from `before` to `after`; an update
/// that changed nothing leaves no entry.
pub async fn record_changes<T: Serialize>(
    conn: &mut SqliteConnection,
    actor: &Actor,
    entity: &str,
    entity_id: i64,
    action: &str,
    before: &T,
    after: &T,
) -> Result<()> {
    match diff(before, after) {
        Some(changes) => record(conn, actor, entity, entity_id, action, changes).await,
        None => Ok(()),
    }
}

/// The fields that differ between two versions of a record, as `{field: [old, new]}`.
/// Returns None when nothing changed, so no empty entry is written.
fn diff<T: Serialize>(old: &T, new: &T) -> Option<Value> {
    let (Ok(Value::Object(old)), Ok(Value::Object(new))) = (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return None;
    };
    let changed: Map<String, Value> = new
        .iter()
        .filter(|(field, value)| old.get(*field) != Some(*value))
        .map(|(field, value)| {
            (field.clone(), Value::Array(vec![old.get(field).cloned().unwrap_or(Value::Null), value.clone()]))
        })
        .collect();
    (!changed.is_empty()).then_some(Value::Object(changed))
}

/// One line of a record's history.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub username: Option<String>,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub action: String,
    pub changes: String,
}

/// The newest entries first, optionally for one entity kind.
pub async fn recent(db: &Db, actor: &Actor, entity: Option<&str>, limit: i64) -> Result<Vec<AuditEntry>> {
    actor.require(Permission::ReadAudit)?;
    Ok(sqlx::query_as(
        "SELECT a.id, a.at, u.username, a.entity, a.entity_id, a.action, a.changes
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
         WHERE (?1 IS NULL OR a.entity = ?1)
         ORDER BY a.id DESC LIMIT ?2",
    )
    .bind(entity)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// History of one record and of the records merged into it (oldest first). Callers check
/// that the actor may see the record itself.
pub async fn history_of(conn: &mut SqliteConnection, entity: &str, ids: &[i64]) -> Result<Vec<AuditEntry>> {
    let ids_json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_string());
    Ok(sqlx::query_as(
        "SELECT a.id, a.at, u.username, a.entity, a.entity_id, a.action, a.changes
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
         WHERE a.entity = ? AND a.entity_id IN (SELECT value FROM json_each(?))
         ORDER BY a.id",
    )
    .bind(entity)
    .bind(ids_json)
    .fetch_all(conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    struct Card {
        name: &'static str,
        phone: &'static str,
    }

    #[test]
    fn diff_lists_only_changed_fields_with_old_and_new() {
        let old = Card { name: "鼎盛", phone: "1" };
        let new = Card { name: "鼎盛", phone: "2" };
        assert_eq!(diff(&old, &new), Some(json!({ "phone": ["1", "2"] })));
        assert_eq!(diff(&old, &old), None);
    }
}
