//! Merging two customers into one: the survivor keeps its fields, fills its gaps from the other,
//! and takes over its contacts and every record that refers to it.

use sqlx::AssertSqlSafe;

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::crm::customers::{Customer, ValidCustomer, fetch_in, fetch_visible_in, referencing_columns, update_in};
use crate::crm::search;
use crate::db::{Db, now_stamp};
use crate::error::{Error, Refusal, Result};

/// Merges `merged_id` into `survivor_id` in one transaction and returns the survivor.
pub async fn merge(db: &Db, actor: &Actor, survivor_id: i64, merged_id: i64) -> Result<Customer> {
    actor.require(Permission::MergeCustomers)?;
    if survivor_id == merged_id {
        return Err(Error::Refused(Refusal::MergeIntoItself));
    }
    let mut tx = db.write().await?;
    let survivor = fetch_visible_in(&mut tx, actor, survivor_id).await?;
    let merged = fetch_visible_in(&mut tx, actor, merged_id).await?;

    update_in(&mut tx, survivor_id, &combined(&survivor, &merged)?).await?;
    for (table, column, _) in referencing_columns(&mut tx).await? {
        // Table and column names come from the schema itself, never from input.
        let sql = format!("UPDATE \"{table}\" SET \"{column}\" = ? WHERE \"{column}\" = ?");
        sqlx::query(AssertSqlSafe(sql)).bind(survivor_id).bind(merged_id).execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO customer_merges (merged_id, merged_code, survivor_id, at, user_id) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(merged_id)
    .bind(&merged.code)
    .bind(survivor_id)
    .bind(now_stamp())
    .bind(actor.user_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM customers WHERE id = ?").bind(merged_id).execute(&mut *tx).await?;
    search::reindex(&mut tx, merged_id).await?;
    search::reindex(&mut tx, survivor_id).await?;

    let after = fetch_in(&mut tx, survivor_id).await?;
    let record = serde_json::json!({ "merged_code": merged.code, "merged_id": merged_id, "into": survivor.code });
    audit::record(&mut tx, actor, "customer", survivor_id, "merge", record.clone()).await?;
    audit::record(&mut tx, actor, "customer", merged_id, "merged_away", record).await?;
    tx.commit().await?;
    Ok(after)
}

/// The survivor's fields, with empty ones filled from the merged customer, tags united and notes kept.
fn combined(survivor: &Customer, merged: &Customer) -> Result<ValidCustomer> {
    let pick = |mine: &str, theirs: &str| {
        if mine.trim().is_empty() { theirs.to_string() } else { mine.to_string() }
    };
    let mut tags: Vec<&str> = survivor.tags.split(',').filter(|t| !t.is_empty()).collect();
    for tag in merged.tags.split(',').filter(|t| !t.is_empty()) {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let notes = match (survivor.notes.trim(), merged.notes.trim()) {
        (_, "") => survivor.notes.clone(),
        ("", theirs) => theirs.to_string(),
        (mine, theirs) => format!("{mine}\n[{}] {theirs}", merged.code),
    };
    let mut merged_view = survivor.clone();
    merged_view.phone = pick(&survivor.phone, &merged.phone);
    merged_view.email = pick(&survivor.email, &merged.email);
    merged_view.address = pick(&survivor.address, &merged.address);
    merged_view.city = pick(&survivor.city, &merged.city);
    merged_view.hobbies = pick(&survivor.hobbies, &merged.hobbies);
    merged_view.birthday = survivor.birthday.clone().or_else(|| merged.birthday.clone());
    merged_view.source_id = survivor.source_id.or(merged.source_id);
    merged_view.level_id = survivor.level_id.or(merged.level_id);
    if survivor.owner_id.is_none() {
        merged_view.owner_id = merged.owner_id;
        merged_view.branch_id = merged.branch_id;
    }
    merged_view.created_on = survivor.created_on.clone().min(merged.created_on.clone());
    merged_view.tags = tags.join(",");
    merged_view.notes = notes;
    ValidCustomer::from_stored(&merged_view)
}
