//! The customers list: search words, filters, sort and one page at a time, within the user's scope.

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use crate::auth::{Actor, Permission};
use crate::choice::Choice;
use crate::crm::customers::push_scope;
use crate::crm::kind::CustomerKind;
use crate::crm::search;
use crate::db::Db;
pub use crate::db::Page;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerSort {
    Code,
    #[default]
    Name,
    Kind,
    City,
    CreatedOn,
    Owner,
    Source,
    Level,
}

impl CustomerSort {
    /// The ORDER BY expression: fixed text, never user input.
    fn column(self) -> &'static str {
        match self {
            CustomerSort::Code => "c.code",
            CustomerSort::Name => "c.name_pinyin",
            CustomerSort::Kind => "c.kind",
            CustomerSort::City => "c.city",
            CustomerSort::CreatedOn => "c.created_on",
            CustomerSort::Owner => "u.username",
            CustomerSort::Source => "s.sort_order",
            CustomerSort::Level => "l.sort_order",
        }
    }

    /// The joins the inner, paging query needs for this sort.
    fn joins(self) -> &'static str {
        match self {
            CustomerSort::Owner => "LEFT JOIN users u ON u.id = c.owner_id",
            CustomerSort::Source => "LEFT JOIN customer_sources s ON s.id = c.source_id",
            CustomerSort::Level => "LEFT JOIN customer_levels l ON l.id = c.level_id",
            _ => "",
        }
    }

    pub fn parse(text: &str) -> Option<CustomerSort> {
        serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
    }
}

/// A page request: search words, filters, sort and window.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerQuery {
    pub search: String,
    pub kind: Option<String>,
    pub source_id: Option<i64>,
    pub level_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub city: Option<String>,
    pub tag: Option<String>,
    pub sort: CustomerSort,
    pub descending: bool,
    pub offset: i64,
    /// Rows per page; 0 means the default (100). At most 1000.
    pub limit: i64,
}

/// One row of the customers list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub source: Option<String>,
    pub level: Option<String>,
    pub phone: String,
    pub city: String,
    pub owner_name: Option<String>,
    pub created_on: String,
    pub tags: String,
}

/// The customers the actor may see that match the query, one page of them, and how many match in all.
pub async fn list(db: &Db, actor: &Actor, query: &CustomerQuery) -> Result<Page<CustomerRow>> {
    actor.require(Permission::ReadCustomers)?;
    let limit = match query.limit {
        0 => 100,
        n => n.clamp(1, 1000),
    };
    let offset = query.offset.max(0);
    let mut conn = db.pool().acquire().await?;

    let mut count = QueryBuilder::<Sqlite>::new("SELECT count(*) FROM customers c WHERE 1 = 1");
    push_conditions(&mut count, actor, query);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;

    // Page over ids first, joining only what the sort needs, then fetch the page's rows:
    // skipping 90,000 rows of a covering index is cheap, skipping 90,000 joined rows is not.
    let direction = if query.descending { "DESC" } else { "ASC" };
    let order = format!("{} {direction}, c.id {direction}", query.sort.column());
    let mut rows = QueryBuilder::<Sqlite>::new(format!(
        "SELECT c.id, c.code, c.name, c.kind, s.name AS source, l.name AS level, c.phone, c.city,
                u.display_name AS owner_name, c.created_on, c.tags
         FROM customers c
         LEFT JOIN customer_sources s ON s.id = c.source_id
         LEFT JOIN customer_levels l ON l.id = c.level_id
         LEFT JOIN users u ON u.id = c.owner_id
         WHERE c.id IN (SELECT c.id FROM customers c {joins} WHERE 1 = 1",
        joins = query.sort.joins()
    ));
    push_conditions(&mut rows, actor, query);
    rows.push(format_args!(" ORDER BY {order}"));
    rows.push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    rows.push(format_args!(") ORDER BY {order}"));
    let rows = rows.build_query_as::<CustomerRow>().fetch_all(&mut *conn).await?;
    Ok(Page { rows, total, offset, limit })
}

fn push_conditions(builder: &mut QueryBuilder<Sqlite>, actor: &Actor, query: &CustomerQuery) {
    push_scope(builder, actor.scope());
    if let Some(kind) = query.kind.as_deref().filter(|k| !k.is_empty()) {
        let kind = CustomerKind::parse(kind).map(|k| k.as_str().to_string()).unwrap_or_else(|| kind.to_string());
        builder.push(" AND c.kind = ").push_bind(kind);
    }
    if let Some(source) = query.source_id {
        builder.push(" AND c.source_id = ").push_bind(source);
    }
    if let Some(level) = query.level_id {
        builder.push(" AND c.level_id = ").push_bind(level);
    }
    if let Some(owner) = query.owner_id {
        builder.push(" AND c.owner_id = ").push_bind(owner);
    }
    if let Some(city) = query.city.as_deref().filter(|c| !c.is_empty()) {
        builder.push(" AND c.city = ").push_bind(city.to_string());
    }
    if let Some(tag) = query.tag.as_deref().filter(|t| !t.is_empty()) {
        builder.push(" AND (',' || c.tags || ',') LIKE ").push_bind(format!("%,{},%", tag.trim()));
    }
    if !query.search.trim().is_empty() {
        search::push_filter(builder, "c.id", &query.search);
    }
}
