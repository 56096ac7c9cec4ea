//! Saved header mappings (导入方案): a clerk maps a supplier's odd headers once, and the values its lists
//! did not know, and reuses both by name.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::audit;
use crate::auth::Actor;
use crate::db::Db;
use crate::error::{Error, Reason, Result};
use crate::io::import::Entity;
use crate::io::values::ValueMap;
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub id: i64,
    pub entity: Entity,
    pub name: String,
    /// File header → column key.
    pub mapping: BTreeMap<String, String>,
    /// Column key → value in a file → the list's entry it means.
    pub values: ValueMap,
}

/// Saves (or replaces) the mapping called `name` for `entity`, with its value map. Every target must be a
/// column of the format, and every value map's column one a list backs.
pub async fn save(
    db: &Db,
    actor: &Actor,
    entity: Entity,
    name: &str,
    mapping: &HashMap<String, String>,
    values: &ValueMap,
) -> Result<Profile> {
    actor.require(crate::auth::Permission::WriteCustomers)?;
    let name = text::required("name", name, 40)?;
    for column in mapping.values() {
        if !entity.columns().iter().any(|c| c.key == column) {
            let allowed = entity.columns().iter().map(|c| c.key).collect::<Vec<_>>().join(", ");
            return Err(Error::invalid("mapping", Reason::NotAllowed { value: column.clone(), allowed }));
        }
    }
    for column in values.0.keys() {
        if crate::io::values::list_of(entity, column).is_none() {
            return Err(Error::invalid("map_value", Reason::Unknown { value: column.clone() }));
        }
    }
    let values_json = serde_json::to_string(values).unwrap_or_else(|_| "{}".into());
    let sorted: BTreeMap<String, String> = mapping.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let json = serde_json::to_string(&sorted).unwrap_or_else(|_| "{}".into());
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO import_profiles (entity, name, mapping, value_map) VALUES (?, ?, ?, ?)
         ON CONFLICT (entity, name) DO UPDATE SET mapping = excluded.mapping, value_map = excluded.value_map
         RETURNING id",
    )
    .bind(entity.as_str())
    .bind(&name)
    .bind(&json)
    .bind(&values_json)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        actor,
        "import_profile",
        id,
        "save",
        serde_json::json!({ "name": name, "mapping": sorted, "values": values }),
    )
    .await?;
    tx.commit().await?;
    Ok(Profile { id, entity, name, mapping: sorted, values: values.clone() })
}

pub async fn list(db: &Db, entity: Entity) -> Result<Vec<Profile>> {
    let rows: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, name, mapping, value_map FROM import_profiles WHERE entity = ? ORDER BY name")
            .bind(entity.as_str())
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, mapping, values)| Profile {
            id,
            entity,
            name,
            mapping: serde_json::from_str(&mapping).unwrap_or_default(),
            values: serde_json::from_str(&values).unwrap_or_default(),
        })
        .collect())
}

/// The profile saved as `name`.
pub async fn find(db: &Db, entity: Entity, name: &str) -> Result<Profile> {
    list(db, entity)
        .await?
        .into_iter()
        .find(|p| p.name == name.trim())
        .ok_or_else(|| Error::not_found("import profile", name))
}

/// The mapping saved as `name`, ready for [`ImportOptions::mapping`](crate::io::import::ImportOptions).
pub async fn load(db: &Db, entity: Entity, name: &str) -> Result<HashMap<String, String>> {
    Ok(find(db, entity, name).await?.mapping.into_iter().collect())
}
