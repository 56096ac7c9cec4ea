//! What an import of records found by a key (a code, a SKU, a customer and a name) knows of its table:
//! each key's record, and the id the next new record gets, so that new records are numbered before
//! they are written.

use std::collections::HashMap;
use std::hash::Hash;

use sqlx::SqliteConnection;

use crate::error::Result;

pub struct Numbering<K = String> {
    ids: HashMap<K, i64>,
    next_id: i64,
}

impl Numbering<String> {
    /// Reads every key of `table` (fixed names), inside the import's transaction: no one else adds
    /// records while it holds the write lock, so the ids after the largest are free.
    pub async fn read(conn: &mut SqliteConnection, table: &'static str, key: &'static str) -> Result<Numbering> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {key}, id FROM {table}"))).fetch_all(&mut *conn).await?;
        Ok(Numbering::of(rows))
    }
}

impl<K: Hash + Eq> Numbering<K> {
    /// The records of a table read as `(key, id)`, every one of them; where two share a key, the later
    /// in `rows` is the one found.
    pub fn of(rows: Vec<(K, i64)>) -> Numbering<K> {
        let next_id = rows.iter().map(|(_, id)| id + 1).max().unwrap_or(1);
        Numbering { ids: rows.into_iter().collect(), next_id }
    }

    /// How many records there are (the table's and the import's).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The record with this key, if there is one (or the import gave one).
    pub fn get<Q>(&self, key: &Q) -> Option<i64>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.ids.get(key).copied()
    }

    /// Numbers a new record with `key`: the next free id.
    pub fn give(&mut self, key: K) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.ids.insert(key, id);
        id
    }
}
