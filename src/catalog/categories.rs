//! Product categories: a 大分类 and, under it, an optional 小分类, found or created by name.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::SqliteConnection;

use crate::auth::{Actor, Permission};
use crate::db::Db;
use crate::error::{Error, Reason, Result};
use crate::text;

/// One category with its parent's name when it is a 小分类.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub parent_name: Option<String>,
    pub products: i64,
}

/// Categories already looked up in one transaction (an import names the same few thousands of times).
#[derive(Default)]
pub struct CategoryCache {
    known: HashMap<(String, String), Option<i64>>,
}

/// The id of the category a product goes in: the 小分类 when given, else the 大分类; created when new.
/// A 小分类 without a 大分类 is an error.
pub async fn ensure(
    conn: &mut SqliteConnection,
    cache: &mut CategoryCache,
    category: &str,
    subcategory: &str,
) -> Result<Option<i64>> {
    let category = text::bounded("category", category, 60)?;
    let subcategory = text::bounded("subcategory", subcategory, 60)?;
    let key = (category.clone(), subcategory.clone());
    if let Some(id) = cache.known.get(&key) {
        return Ok(*id);
    }
    let id = match (category.is_empty(), subcategory.is_empty()) {
        (true, true) => None,
        (true, false) => return Err(Error::invalid("category", Reason::Required)),
        (false, true) => Some(find_or_create(conn, None, &category).await?),
        (false, false) => {
            let parent = find_or_create(conn, None, &category).await?;
            Some(find_or_create(conn, Some(parent), &subcategory).await?)
        }
    };
    cache.known.insert(key, id);
    Ok(id)
}

async fn find_or_create(conn: &mut SqliteConnection, parent: Option<i64>, name: &str) -> Result<i64> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM product_categories WHERE coalesce(parent_id, 0) = ? AND name = ?")
            .bind(parent.unwrap_or(0))
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(id) = found {
        return Ok(id);
    }
    Ok(sqlx::query("INSERT INTO product_categories (parent_id, name) VALUES (?, ?)")
        .bind(parent)
        .bind(name)
        .execute(&mut *conn)
        .await?
        .last_insert_rowid())
}

/// Every category, 大分类 first then each one's 小分类, with how many products each holds directly.
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<Category>> {
    actor.require(Permission::ReadProducts)?;
    Ok(sqlx::query_as(
        "SELECT c.id, c.parent_id, c.name, p.name AS parent_name,
                (SELECT count(*) FROM products WHERE category_id = c.id) AS products
         FROM product_categories c LEFT JOIN product_categories p ON p.id = c.parent_id
         ORDER BY coalesce(p.name, c.name), c.parent_id IS NOT NULL, c.name",
    )
    .fetch_all(db.pool())
    .await?)
}
