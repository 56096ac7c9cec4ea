//! Loading a large file into tables that hold little yet: their secondary indexes dropped for the load
//! and built again at its end, and a large page cache meanwhile.
//!
//! Each row inserted into an index in random order costs a b-tree descent and scatters page splits;
//! building the index afterwards is one sort. A small file into large tables keeps its indexes:
//! rebuilding would cost more than it saves. Everything happens inside the import's transaction, so a
//! failed import gets its indexes back with everything else.

use sqlx::SqliteConnection;

use crate::error::Result;

/// Files smaller than this are never loaded in bulk.
const BULK_BYTES: u64 = 4_000_000;

/// Whether a file is large enough for a bulk load at all.
pub fn large(file_bytes: u64) -> bool {
    file_bytes >= BULK_BYTES
}

/// Whether a file this large is loaded in bulk, given the rows the tables hold already and a typical
/// row's size in the file: only when the file brings several times what is there.
pub fn worth_it(file_bytes: u64, bytes_per_row: u64, rows_there: u64) -> bool {
    large(file_bytes) && rows_there < 4 * (file_bytes / bytes_per_row)
}

/// A bulk load under way: what to build again, and the cache to go back to.
#[derive(Debug, Default)]
pub struct BulkLoad {
    /// The statements that built each dropped index.
    rebuild: Vec<String>,
    usual_cache: Option<i64>,
}

impl BulkLoad {
    /// Nothing changed: a load that is not worth doing in bulk.
    pub fn none() -> BulkLoad {
        BulkLoad::default()
    }

    /// Drops the secondary indexes of `tables` (whatever migrations made them; `kept` names those to
    /// leave) and enlarges the page cache to `cache_mib`: room for the pages being filled, so that they
    /// are written once rather than evicted and read back.
    pub async fn start(
        conn: &mut SqliteConnection,
        tables: &[&str],
        kept: &[&str],
        cache_mib: i64,
    ) -> Result<BulkLoad> {
        let usual_cache: i64 = sqlx::query_scalar("PRAGMA cache_size").fetch_one(&mut *conn).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = -{}", cache_mib * 1024)))
            .execute(&mut *conn)
            .await?;
        let mut rebuild = Vec::new();
        for table in tables {
            let indexes: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            )
            .bind(table)
            .fetch_all(&mut *conn)
            .await?;
            for (name, sql) in indexes.into_iter().filter(|(name, _)| !kept.contains(&name.as_str())) {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX \"{}\"", name.replace('"', "\"\""))))
                    .execute(&mut *conn)
                    .await?;
                rebuild.push(sql);
            }
        }
        Ok(BulkLoad { rebuild, usual_cache: Some(usual_cache) })
    }

    /// Builds the dropped indexes again and restores the usual cache. The cache goes back first: with a
    /// small cache SQLite's sorter sorts runs of that size on both cores and merges them, which took half
    /// the time of one sort of a million order lines in the large cache.
    pub fn finish(&mut self, raw: &rusqlite::Connection) -> rusqlite::Result<()> {
        let Some(pages) = self.usual_cache.take() else {
            return Ok(());
        };
        raw.pragma_update(None, "cache_size", pages)?;
        raw.pragma_update(None, "threads", 2)?;
        for sql in std::mem::take(&mut self.rebuild) {
            let started = std::time::Instant::now();
            raw.execute_batch(&sql)?;
            tracing::debug!(sql, seconds = started.elapsed().as_secs_f64(), "import: index built");
        }
        raw.pragma_update(None, "threads", 0)
    }
}
