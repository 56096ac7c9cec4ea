//! Company-wide preferences kept in the company file, such as the language shown before anyone logs in.

use crate::db::Db;
use crate::error::Result;

pub const LANGUAGE: &str = "ui.language";

pub async fn get(db: &Db, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = ?").bind(key).fetch_optional(db.pool()).await?)
}

pub async fn set(db: &Db, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(db.pool())
    .await?;
    Ok(())
}
