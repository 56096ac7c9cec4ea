//! Products from a file: matched by sku, categories created as they are named; undoing a batch's products.

use std::collections::HashMap;

use sqlx::SqliteConnection;

use crate::catalog::categories::CategoryCache;
use crate::catalog::products::{self, Product, ProductInput};
use crate::error::{Error, Result};
use crate::io::batch::{Mode, RowFailure, RowOutcome, previous_values};
use crate::io::columns::RowFields;

pub struct ProductImport {
    existing: HashMap<String, i64>,
    categories: CategoryCache,
}

impl ProductImport {
    pub async fn start(conn: &mut SqliteConnection) -> Result<ProductImport> {
        let existing: Vec<(String, i64)> = sqlx::query_as("SELECT sku, id FROM products").fetch_all(&mut *conn).await?;
        Ok(ProductImport { existing: existing.into_iter().collect(), categories: CategoryCache::default() })
    }

    pub async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        row: &RowFields<'_>,
        mode: Mode,
    ) -> Result<RowOutcome, RowFailure> {
        let input = ProductInput {
            sku: row.get("sku").to_string(),
            name: row.get("name").to_string(),
            category: row.get("category").to_string(),
            subcategory: row.get("subcategory").to_string(),
            unit: row.get("unit").to_string(),
            standard_price: row.get("standard_price").to_string(),
            member_price: row.get("member_price").to_string(),
            cost_price: row.get("cost_price").to_string(),
            markup: row.get("markup").to_string(),
            low_stock: row.get("low_stock").to_string(),
            notes: row.get("notes").to_string(),
            active: None,
            version: None,
        };
        let existing = self.existing.get(input.sku.trim()).copied();
        if existing.is_some() && mode == Mode::Insert {
            return Ok(RowOutcome::Skipped);
        }
        let valid = products::validate(conn, &input, &mut self.categories).await?;
        match existing {
            None => {
                let id = products::insert_in(conn, &valid).await?;
                self.existing.insert(valid.sku, id);
                Ok(RowOutcome::Inserted { id, version: 1 })
            }
            Some(id) => {
                let before = products::fetch_in(conn, id).await?;
                let mut valid = valid;
                valid.active = before.active;
                products::update_in(conn, id, &valid).await?;
                let before_json = serde_json::to_value(&before)
                    .map_err(|e| Error::Io { path: "product".into(), source: std::io::Error::other(e) })?;
                Ok(RowOutcome::Updated { id, version: before.version + 1, before: before_json })
            }
        }
    }
}

pub async fn version(conn: &mut SqliteConnection, id: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT version FROM products WHERE id = ?").bind(id).fetch_optional(conn).await?)
}

/// Deletes an inserted product (refused once anything refers to it) or restores an updated one.
pub async fn undo_record(conn: &mut SqliteConnection, id: i64, action: &str, before: Option<&str>) -> Result<()> {
    match (action, before) {
        ("insert", _) => {
            sqlx::query("DELETE FROM products WHERE id = ?")
                .bind(id)
                .execute(conn)
                .await
                .map_err(|e| crate::db::in_use_violation(e, "product", "orders or stock"))?;
            Ok(())
        }
        ("update", Some(before)) => {
            let before: Product = previous_values(before)?;
            let input = ProductInput {
                sku: before.sku.clone(),
                name: before.name.clone(),
                category: before.category.clone().unwrap_or_default(),
                subcategory: before.subcategory.clone().unwrap_or_default(),
                unit: before.unit.clone(),
                standard_price: before.standard_price.to_string(),
                member_price: before.member_price.map(|p| p.to_string()).unwrap_or_default(),
                cost_price: before.cost_price.to_string(),
                markup: before.markup_percent().unwrap_or_default(),
                low_stock: before.low_stock.map(|q| q.to_string()).unwrap_or_default(),
                notes: before.notes.clone(),
                active: Some(before.active),
                version: None,
            };
            let valid = products::validate(conn, &input, &mut CategoryCache::default()).await?;
            products::update_in(conn, id, &valid).await?;
            sqlx::query("UPDATE products SET version = ? WHERE id = ?")
                .bind(before.version)
                .bind(id)
                .execute(conn)
                .await?;
            Ok(())
        }
        _ => Err(Error::Refused(crate::error::Refusal::NoPreviousValues)),
    }
}
