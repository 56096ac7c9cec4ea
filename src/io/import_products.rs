//! Products from a file: matched by SKU, categories created as they are named, new ones written many
//! to a statement; undoing a batch's products.

use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::catalog::categories::CategoryCache;
use crate::catalog::products::{self, Product, ProductInput, ValidProduct};
use crate::error::{Error, Result};
use crate::io::batch::{Mode, RowFailure, RowOutcome, previous_values};
use crate::io::columns::RowFields;
use crate::io::insert::Pending;
use crate::io::numbering::Numbering;

pub struct ProductImport {
    existing: Numbering,
    categories: CategoryCache,
    pending: Pending<ValidProduct>,
}

impl ProductImport {
    pub async fn start(conn: &mut SqliteConnection, actor: &Actor, batch_id: i64) -> Result<ProductImport> {
        Ok(ProductImport {
            existing: Numbering::read(conn, "products", "sku").await?,
            categories: CategoryCache::default(),
            pending: Pending::numbered(actor, batch_id),
        })
    }

    pub async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        row: &RowFields<'_>,
        mode: Mode,
        writing: bool,
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
        let mut valid = products::validate(conn, &input, &mut self.categories).await?;
        if !writing {
            return Ok(RowOutcome::InsertedInBatch);
        }
        match self.existing.get(&valid.sku) {
            None => {
                let id = self.existing.give(valid.sku.clone());
                self.pending.push_numbered(conn, id, valid).await?;
                Ok(RowOutcome::Inserted { id, version: 1 })
            }
            Some(_) if mode == Mode::Insert => Ok(RowOutcome::Skipped),
            Some(id) => {
                let before = products::fetch_in(conn, id).await?;
                valid.active = before.active;
                products::update_in(conn, id, &valid).await?;
                let before_json = serde_json::to_value(&before)
                    .map_err(|e| Error::Io { path: "product".into(), source: std::io::Error::other(e) })?;
                Ok(RowOutcome::Updated { id, version: before.version + 1, before: before_json })
            }
        }
    }

    /// Writes the last products. Call after the last row.
    pub async fn finish(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        self.pending.flush(conn).await
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
