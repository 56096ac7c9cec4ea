//! Exporting lists in the import formats (so an export imports back unchanged), within the user's scope.

use std::io::Write;
use std::path::Path;

use sqlx::{QueryBuilder, Sqlite};

use crate::auth::{Actor, Permission};
use crate::crm::customers::push_scope;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::io::import::Entity;

/// Writes every record of `entity` the actor may see to `out` as CSV, UTF-8 with a BOM so that
/// Excel reads it right, with the canonical English headers. Returns how many rows were written.
pub async fn export_csv(db: &Db, actor: &Actor, entity: Entity, out: &Path) -> Result<u64> {
    let io_error = |e: std::io::Error| Error::Io { path: out.display().to_string(), source: e };
    let csv_error = |e: csv::Error| Error::Io { path: out.display().to_string(), source: std::io::Error::other(e) };
    let mut file = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(out).map_err(io_error)?);
    file.write_all(b"\xEF\xBB\xBF").map_err(io_error)?;
    let mut writer = csv::Writer::from_writer(file);
    let columns = entity.columns();
    writer.write_record(columns.iter().map(|c| c.key)).map_err(csv_error)?;
    let mut rows = 0;
    let mut conn = db.pool().acquire().await?;
    match entity {
        Entity::Customers => {
            actor.require(Permission::ReadCustomers)?;
            // Rows come in chunks, each one JSON array built by SQLite: one round trip per
            // chunk instead of per row. Chunks follow the code (keyset), so the scan never restarts.
            let mut after = String::new();
            loop {
                let mut query = QueryBuilder::<Sqlite>::new(CUSTOMERS_EXPORT);
                query.push_bind(after.clone());
                push_scope(&mut query, actor.scope());
                query.push(" ORDER BY c.code LIMIT ").push_bind(EXPORT_CHUNK).push(")");
                let (json, last): (Option<String>, Option<String>) =
                    query.build_query_as().fetch_one(&mut *conn).await?;
                let (Some(json), Some(last)) = (json, last) else { break };
                let chunk: Vec<Vec<Option<String>>> = serde_json::from_str(&json)
                    .map_err(|e| Error::Io { path: out.display().to_string(), source: std::io::Error::other(e) })?;
                for record in &chunk {
                    writer
                        .write_record(record.iter().map(|field| field.as_deref().unwrap_or("")))
                        .map_err(csv_error)?;
                }
                rows += chunk.len() as u64;
                after = last;
            }
        }
    }
    writer.flush().map_err(io_error)?;
    Ok(rows)
}

const EXPORT_CHUNK: i64 = 10_000;

/// One chunk of customers after a code, as a JSON array of rows in the order of
/// `columns::CUSTOMERS`, and the chunk's last code. The caller closes the parenthesis.
const CUSTOMERS_EXPORT: &str =
    "SELECT json_group_array(json_array(code, name, kind, source, level, phone, email, address,
        city, birthday, hobbies, owner, created_on, notes, tags) ORDER BY code), max(code)
 FROM (SELECT c.code, c.name, c.kind, s.name AS source, l.name AS level, c.phone, c.email, c.address, c.city,
        c.birthday, c.hobbies, u.username AS owner, c.created_on, c.notes, c.tags
 FROM customers c
 LEFT JOIN customer_sources s ON s.id = c.source_id
 LEFT JOIN customer_levels l ON l.id = c.level_id
 LEFT JOIN users u ON u.id = c.owner_id
 WHERE c.code > ";

/// A template for `entity`: the canonical headers and one example row, for the "download template" button.
pub fn template_csv(entity: Entity, out: &Path) -> Result<()> {
    let io_error = |e: std::io::Error| Error::Io { path: out.display().to_string(), source: e };
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        let csv_error = |e: csv::Error| Error::Io { path: out.display().to_string(), source: std::io::Error::other(e) };
        writer.write_record(entity.columns().iter().map(|c| c.key)).map_err(csv_error)?;
        let example: &[&str] = match entity {
            Entity::Customers => &[
                "C000001",
                "上海鼎盛贸易有限公司",
                "中间客户",
                "展会",
                "金牌",
                "13800138000",
                "info@example.cn",
                "上海市人民路1号",
                "上海",
                "1980-05-06",
                "茶道",
                "",
                "2024-01-15",
                "",
                "VIP",
            ],
        };
        writer.write_record(example).map_err(csv_error)?;
        writer.flush().map_err(io_error)?;
    }
    std::fs::write(out, bytes).map_err(io_error)
}
