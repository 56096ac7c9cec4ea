//! Products: validate, create, edit, list; prices (standard, member, cost-plus) and the price a customer pays.

use rusqlite::types::Value;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{AssertSqlSafe, QueryBuilder, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::catalog::categories::{self, CategoryCache};
use crate::db::{Db, Page, now_stamp, page_limit, unique_violation};
use crate::error::{Error, FieldError, Reason, Result};
use crate::io::insert::{self, Insertable, Inserting};
use crate::money::{MAX_ENTRY, Money};
use crate::quantity::Quantity;
use crate::text;

/// A product as a form, an import row or the CLI sends it: loose text. Empty means "not given".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductInput {
    pub sku: String,
    pub name: String,
    /// 大分类
    pub category: String,
    /// 小分类
    pub subcategory: String,
    pub unit: String,
    pub standard_price: String,
    /// Empty: members pay the standard price.
    pub member_price: String,
    pub cost_price: String,
    /// Cost-plus markup in percent ("25" or "25%"); when given, it sets the standard price.
    pub markup: String,
    /// Quantity under which the product shows on the low-stock list.
    pub low_stock: String,
    pub notes: String,
    /// Unset for a new product; `Some(false)` hides it from new orders.
    pub active: Option<bool>,
    pub version: Option<i64>,
}

/// A product's fields once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProduct {
    pub sku: String,
    pub name: String,
    pub category_id: Option<i64>,
    pub unit: String,
    pub standard_price: Money,
    pub member_price: Option<Money>,
    pub cost_price: Money,
    pub markup_bp: Option<i64>,
    pub low_stock: Option<Quantity>,
    pub notes: String,
    pub active: bool,
}

/// A product as stored, with its category names and its stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Product {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub subcategory: Option<String>,
    pub unit: String,
    pub standard_price: Money,
    pub member_price: Option<Money>,
    pub cost_price: Money,
    pub markup_bp: Option<i64>,
    pub low_stock: Option<Quantity>,
    pub active: bool,
    pub notes: String,
    pub stock_quantity: Quantity,
    pub stock_value: Money,
    pub version: i64,
    /// Derived, for screens: the moving average cost (None when it does not fit in 64 bits) and the
    /// markup as typed ("25").
    #[sqlx(skip)]
    pub average_cost: Option<Money>,
    #[sqlx(skip)]
    pub markup: Option<String>,
}

impl Product {
    /// What a customer pays: the member price for a member level, else the standard price.
    pub fn price_for(&self, member: bool) -> Money {
        match (member, self.member_price) {
            (true, Some(price)) => price,
            _ => self.standard_price,
        }
    }

    /// The moving average cost of one unit; the cost price while nothing is in stock. None when it
    /// does not fit: a sliver of stock carrying a large value (stock that went below zero and came
    /// back at another cost) can make one unit's share larger than any amount.
    pub fn moving_average_cost(&self) -> Option<Money> {
        if self.stock_quantity.is_positive() {
            Quantity::units(1).share_of(self.stock_quantity, self.stock_value).ok()
        } else {
            Some(self.cost_price)
        }
    }

    /// Fills in what screens show beside the stored fields.
    fn derived(mut self) -> Product {
        self.average_cost = self.moving_average_cost();
        self.markup = self.markup_percent();
        self
    }

    /// The markup as the user typed it: "25", "12.5".
    pub fn markup_percent(&self) -> Option<String> {
        self.markup_bp.map(|bp| Decimal::new(bp, 2).normalize().to_string())
    }
}

pub(crate) const PRODUCT_SELECT: &str = "SELECT p.id, p.sku, p.name,
        coalesce(parent.name, c.name) AS category, CASE WHEN parent.id IS NULL THEN NULL ELSE c.name END AS subcategory,
        p.unit, p.standard_price, p.member_price, p.cost_price, p.markup_bp, p.low_stock, p.active, p.notes,
        p.stock_quantity, p.stock_value, p.version
    FROM products p
    LEFT JOIN product_categories c ON c.id = p.category_id
    LEFT JOIN product_categories parent ON parent.id = c.parent_id";

fn money_field(field: &'static str, value: &str, problems: &mut Vec<FieldError>) -> Option<Money> {
    if value.trim().is_empty() {
        return None;
    }
    match value.parse::<Money>() {
        Ok(money) if money.is_negative() => {
            problems.push(FieldError { field, reason: Reason::NotPositive { value: value.trim().to_string() } });
            None
        }
        Ok(money) => Some(money),
        Err(e) => {
            problems.push(FieldError { field, reason: e.into() });
            None
        }
    }
}

/// Parses "25", "25%", "12.5 %" into basis points.
fn markup_bp(value: &str) -> std::result::Result<Option<i64>, Reason> {
    let trimmed = value.trim().trim_end_matches(['%', '％']).trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let bad = || Reason::NotAPercentage { value: value.trim().to_string() };
    let percent: Decimal = trimmed.parse().map_err(|_| bad())?;
    let bp = percent * Decimal::ONE_HUNDRED;
    if bp.is_sign_negative() || bp.fract() != Decimal::ZERO || bp > Decimal::from(10_000_000) {
        return Err(bad());
    }
    Ok(Some(i64::try_from(bp).map_err(|_| bad())?))
}

/// The cost-plus price: cost × (1 + markup), rounded to the cent; refused beyond what a price typed
/// in may be ([`crate::money::MAX_ENTRY`]), as the price it stands for would be.
pub fn cost_plus(cost: Money, markup_bp: i64) -> std::result::Result<Money, Reason> {
    let price = cost.to_decimal() * (Decimal::ONE + Decimal::new(markup_bp, 4));
    let too_large = || Reason::TooLarge { value: price.round_dp(2).to_string(), max: MAX_ENTRY.to_string() };
    match Money::from_decimal_rounded(price) {
        Ok(price) if price <= MAX_ENTRY => Ok(price),
        _ => Err(too_large()),
    }
}

/// Checks every field and names every problem at once.
pub async fn validate(
    conn: &mut SqliteConnection,
    input: &ProductInput,
    categories: &mut CategoryCache,
) -> Result<ValidProduct> {
    let mut problems = Vec::new();
    let mut keep = |result: Result<String>| match result {
        Ok(value) => value,
        Err(error) => {
            problems.extend(error.field_errors());
            String::new()
        }
    };
    let sku = keep(text::required("sku", &input.sku, 40));
    let name = keep(text::required("name", &input.name, 120));
    let unit = keep(text::bounded("unit", &input.unit, 20));
    let notes = keep(text::bounded("notes", &input.notes, 2_000));
    let cost_price = money_field("cost_price", &input.cost_price, &mut problems).unwrap_or(Money::ZERO);
    let member_price = money_field("member_price", &input.member_price, &mut problems);
    let markup_bp = markup_bp(&input.markup).unwrap_or_else(|reason| {
        problems.push(FieldError { field: "markup", reason });
        None
    });
    let standard_price = match markup_bp {
        Some(bp) => cost_plus(cost_price, bp).unwrap_or_else(|reason| {
            problems.push(FieldError { field: "markup", reason });
            Money::ZERO
        }),
        None => money_field("standard_price", &input.standard_price, &mut problems).unwrap_or(Money::ZERO),
    };
    let low_stock = match input.low_stock.trim() {
        "" => None,
        text => match text.parse::<Quantity>() {
            Ok(q) if q.milli() < 0 => {
                problems.push(FieldError { field: "low_stock", reason: Reason::NotPositive { value: text.into() } });
                None
            }
            Ok(q) => Some(q),
            Err(e) => {
                problems.push(FieldError { field: "low_stock", reason: e.into() });
                None
            }
        },
    };
    let category_id = match categories::ensure(conn, categories, &input.category, &input.subcategory).await {
        Ok(id) => id,
        Err(error) => {
            problems.extend(error.field_errors());
            None
        }
    };
    if !problems.is_empty() {
        return Err(Error::from_fields(problems));
    }
    Ok(ValidProduct {
        sku,
        name,
        category_id,
        unit,
        standard_price,
        member_price,
        cost_price,
        markup_bp,
        low_stock,
        notes,
        active: input.active.unwrap_or(true),
    })
}

pub async fn create(db: &Db, actor: &Actor, input: &ProductInput) -> Result<Product> {
    actor.require(Permission::WriteProducts)?;
    let mut tx = db.write().await?;
    let valid = validate(&mut tx, input, &mut CategoryCache::default()).await?;
    let id = insert_in(&mut tx, actor, &valid).await?;
    let product = fetch_in(&mut tx, id).await?;
    audit::record(&mut tx, actor, "product", id, "create", serde_json::to_value(&product).unwrap_or_default()).await?;
    tx.commit().await?;
    Ok(product)
}

pub async fn update(db: &Db, actor: &Actor, id: i64, input: &ProductInput) -> Result<Product> {
    actor.require(Permission::WriteProducts)?;
    let mut tx = db.write().await?;
    let before = fetch_in(&mut tx, id).await?;
    if input.version.is_some_and(|v| v != before.version) {
        return Err(Error::Conflict { entity: "product" });
    }
    let mut valid = validate(&mut tx, input, &mut CategoryCache::default()).await?;
    if input.active.is_none() {
        valid.active = before.active;
    }
    update_in(&mut tx, id, &valid).await?;
    let after = fetch_in(&mut tx, id).await?;
    audit::record_changes(&mut tx, actor, "product", id, "update", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

type Query<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>;

/// Binds a product's fields in the order both the insert and the update name them.
fn bind_fields<'q>(query: Query<'q>, valid: &'q ValidProduct) -> Query<'q> {
    query
        .bind(&valid.sku)
        .bind(&valid.name)
        .bind(valid.category_id)
        .bind(&valid.unit)
        .bind(valid.standard_price)
        .bind(valid.member_price)
        .bind(valid.cost_price)
        .bind(valid.markup_bp)
        .bind(valid.low_stock)
        .bind(&valid.notes)
        .bind(valid.active)
}

pub(crate) async fn insert_in(conn: &mut SqliteConnection, actor: &Actor, valid: &ValidProduct) -> Result<i64> {
    insert::insert_one(conn, valid, actor, None)
        .await
        .map_err(|e| insert::unique_violation(e, "product", "sku", &valid.sku))
}

impl Insertable for ValidProduct {
    const TABLE: &'static str = "products";
    const INSERTED: &'static [&'static str] = &[
        "sku",
        "name",
        "category_id",
        "unit",
        "standard_price",
        "member_price",
        "cost_price",
        "markup_bp",
        "low_stock",
        "notes",
        "active",
        "updated_at",
    ];
    const CARRIES_BATCH: bool = false;

    fn inserted(&self, inserting: &Inserting) -> Vec<Value> {
        vec![
            insert::text(self.sku.as_str()),
            insert::text(self.name.as_str()),
            insert::optional(self.category_id),
            insert::text(self.unit.as_str()),
            Value::Integer(self.standard_price.minor()),
            insert::optional(self.member_price.map(Money::minor)),
            Value::Integer(self.cost_price.minor()),
            insert::optional(self.markup_bp),
            insert::optional(self.low_stock.map(Quantity::milli)),
            insert::text(self.notes.as_str()),
            Value::Integer(self.active.into()),
            insert::text(inserting.now.as_str()),
        ]
    }
}

pub(crate) async fn update_in(conn: &mut SqliteConnection, id: i64, valid: &ValidProduct) -> Result<()> {
    let update = sqlx::query(
        "UPDATE products SET sku = ?, name = ?, category_id = ?, unit = ?, standard_price = ?, member_price = ?,
             cost_price = ?, markup_bp = ?, low_stock = ?, notes = ?, active = ?, version = version + 1, updated_at = ?
         WHERE id = ?",
    );
    bind_fields(update, valid)
        .bind(now_stamp())
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(|e| unique_violation(e, "product", "sku", &valid.sku))?;
    Ok(())
}

pub(crate) async fn fetch_in(conn: &mut SqliteConnection, id: i64) -> Result<Product> {
    sqlx::query_as(AssertSqlSafe(format!("{PRODUCT_SELECT} WHERE p.id = ?")))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(Product::derived)
        .ok_or_else(|| Error::not_found("product", id))
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Product> {
    actor.require(Permission::ReadProducts)?;
    fetch_in(&mut *db.pool().acquire().await?, id).await
}

pub async fn by_sku(db: &Db, actor: &Actor, sku: &str) -> Result<Product> {
    actor.require(Permission::ReadProducts)?;
    sqlx::query_as(AssertSqlSafe(format!("{PRODUCT_SELECT} WHERE p.sku = ?")))
        .bind(sku.trim())
        .fetch_optional(db.pool())
        .await?
        .map(Product::derived)
        .ok_or_else(|| Error::not_found("product", sku))
}

/// What the products list shows: words, a category (its 小分类 included), inactive ones or not, low stock only.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductQuery {
    pub text: String,
    pub category_id: Option<i64>,
    pub include_inactive: bool,
    pub low_stock_only: bool,
    pub offset: i64,
    pub limit: Option<i64>,
}

pub async fn list(db: &Db, actor: &Actor, query: &ProductQuery) -> Result<Page<Product>> {
    actor.require(Permission::ReadProducts)?;
    let limit = page_limit(query.limit);
    let offset = query.offset.max(0);
    let filter = |builder: &mut QueryBuilder<Sqlite>| {
        builder.push(" WHERE 1 = 1");
        if !query.include_inactive {
            builder.push(" AND p.active = 1");
        }
        if query.low_stock_only {
            builder.push(" AND p.low_stock IS NOT NULL AND p.stock_quantity < p.low_stock");
        }
        if let Some(category) = query.category_id {
            builder.push(" AND (p.category_id = ").push_bind(category);
            builder.push(" OR c.parent_id = ").push_bind(category).push(")");
        }
        for word in query.text.split_whitespace() {
            let pattern = format!("%{}%", word.replace(['%', '_'], ""));
            builder.push(" AND (p.sku LIKE ").push_bind(pattern.clone());
            builder.push(" OR p.name LIKE ").push_bind(pattern).push(")");
        }
    };
    let mut count = QueryBuilder::<Sqlite>::new(
        "SELECT count(*) FROM products p LEFT JOIN product_categories c ON c.id = p.category_id",
    );
    filter(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(db.pool()).await?;
    let mut rows = QueryBuilder::<Sqlite>::new(PRODUCT_SELECT);
    filter(&mut rows);
    rows.push(" ORDER BY p.sku LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows: Vec<Product> = rows.build_query_as().fetch_all(db.pool()).await?;
    Ok(Page { rows: rows.into_iter().map(Product::derived).collect(), total, offset, limit })
}
