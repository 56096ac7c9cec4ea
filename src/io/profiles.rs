//! Saved header mappings (导入方案): a clerk maps a supplier's odd headers once and reuses the mapping by name.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::audit;
use crate::auth::Actor;
use crate::db::Db;
use crate::error::{Error, Reason, Result};
use crate::io::import::Entity;
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub id: i64,
    pub entity: Entity,
    pub name: String,
    /// File header → column key.
    pub mapping: BTreeMap<String, String>,
}

/// Saves (or replaces) the mapping called `name` for `entity`. Every target must be a column of the format.
pub async fn save(
    db: &Db,
    actor: &Actor,
    entity: Entity,
    name: &str,
    mapping: &HashMap<String, String>,
) -> Result<Profile> {
    actor.require(crate::auth::Permission::WriteCustomers)?;
    let name = text::required("name", name, 40)?;
    for column in mapping.values() {
        if !entity.columns().iter().any(|c| c.key == column) {
            let allowed = entity.columns().iter().map(|c| c.key).collect::<Vec<_>>().join(", ");
            return Err(Error::invalid("mapping", Reason::NotAllowed { value: column.clone(), allowed }));
        }
    }
    let sorted: BTreeMap<String, String> = mapping.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let json = serde_json::to_string(&sorted).unwrap_or_else(|_| "{}".into());
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO import_profiles (entity, name, mapping) VALUES (?, ?, ?)
         ON CONFLICT (entity, name) DO UPDATE SET mapping = excluded.mapping
         RETURNING id",
    )
    .bind(entity.as_str())
    .bind(&name)
    .bind(&json)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, actor, "import_profile", id, "save", serde_json::json!({ "name": name, "mapping": sorted }))
        .await?;
    tx.commit().await?;
    Ok(Profile { id, entity, name, mapping: sorted })
}

pub async fn list(db: &Db, entity: Entity) -> Result<Vec<Profile>> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, mapping FROM import_profiles WHERE entity = ? ORDER BY name")
            .bind(entity.as_str())
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, mapping)| Profile {
            id,
            entity,
            name,
            mapping: serde_json::from_str(&mapping).unwrap_or_default(),
        })
        .collect())
}

/// The mapping saved as `name`, ready for [`ImportOptions::mapping`](crate::io::import::ImportOptions).
pub async fn load(db: &Db, entity: Entity, name: &str) -> Result<HashMap<String, String>> {
    list(db, entity)
        .await?
        .into_iter()
        .find(|p| p.name == name.trim())
        .map(|p| p.mapping.into_iter().collect())
        .ok_or_else(|| Error::not_found("import profile", name))
}
