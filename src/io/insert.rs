//! Writing records to their table: one at a time for a form, many to a statement for an import, from
//! one list of columns, so that a form and an import that make the same record write it alike.

use rusqlite::types::Value;
use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::db::{now_stamp, today, with_raw};
use crate::error::{Error, Result};

/// What the insert of a record fills besides the record's own fields.
pub struct Inserting {
    pub now: String,
    /// Today in the user's time zone, for records dated the day they are made.
    pub today: chrono::NaiveDate,
    /// Who records it.
    pub user_id: i64,
}

impl Inserting {
    pub fn by(actor: &Actor) -> Inserting {
        Inserting { now: now_stamp(), today: today(), user_id: actor.user_id }
    }
}

/// A record a table stores: the columns its insert fills and their values.
pub trait Insertable: Send + Sized + 'static {
    /// A fixed table name.
    const TABLE: &'static str;
    /// The columns an insert fills, the id and `import_batch_id` aside.
    const INSERTED: &'static [&'static str];
    /// Whether the table's records carry the import batch that made them (`import_batch_id`).
    const CARRIES_BATCH: bool = true;

    /// The values of [`Insertable::INSERTED`].
    fn inserted(&self, inserting: &Inserting) -> Vec<Value>;
}

/// The insert of `rows` records, with their ids when `numbered` (the import gave them), and the batch
/// when the table keeps it.
fn insert_sql<R: Insertable>(rows: usize, numbered: bool) -> String {
    let mut columns: Vec<&str> = Vec::with_capacity(R::INSERTED.len() + 2);
    if numbered {
        columns.push("id");
    }
    columns.extend(R::INSERTED);
    if R::CARRIES_BATCH {
        columns.push("import_batch_id");
    }
    let one = format!("({})", vec!["?"; columns.len()].join(", "));
    format!("INSERT INTO {} ({}) VALUES {}", R::TABLE, columns.join(", "), vec![one; rows].join(", "))
}

/// Inserts one record (a form's, or an import's few) and returns its id.
pub async fn insert_one<R: Insertable>(
    conn: &mut SqliteConnection,
    record: &R,
    actor: &Actor,
    batch: Option<i64>,
) -> Result<i64> {
    let inserting = Inserting::by(actor);
    with_raw(conn, |raw| {
        let mut statement = raw.prepare_cached(&insert_sql::<R>(1, false))?;
        let mut values = record.inserted(&inserting);
        if R::CARRIES_BATCH {
            values.push(batch.map_or(Value::Null, Value::Integer));
        }
        statement.execute(rusqlite::params_from_iter(values))?;
        Ok(raw.last_insert_rowid())
    })
    .await
}

/// Maps a UNIQUE failure of an insert to "already exists"; anything else passes through.
pub fn unique_violation(error: Error, entity: &'static str, field: &'static str, value: &str) -> Error {
    match error {
        Error::RawDb(rusqlite::Error::SqliteFailure(failure, _))
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            Error::AlreadyExists { entity, field, value: value.to_string() }
        }
        other => other,
    }
}

/// Records written in one statement: SQLite opens the table and its indexes once per statement.
const ROWS_PER_INSERT: usize = 32;
/// Records kept before they are written.
const CHUNK: usize = 8_192;

/// New records an import has checked, waiting to be written many to a statement: with the ids the
/// import gave them (which it reports and records for undo before they are written), or numbered by
/// the table.
pub struct Pending<R: Insertable> {
    records: Vec<R>,
    /// The records' ids, one each; empty when the table numbers them.
    ids: Vec<i64>,
    numbered: bool,
    batch_id: i64,
    inserting: Inserting,
}

impl<R: Insertable> Pending<R> {
    /// Records the table numbers (found again by the batch id they carry).
    pub fn unnumbered(actor: &Actor, batch_id: i64) -> Pending<R> {
        Pending::new(actor, batch_id, false)
    }

    /// Records the import numbers: each [`Pending::push_numbered`] gives the id.
    pub fn numbered(actor: &Actor, batch_id: i64) -> Pending<R> {
        Pending::new(actor, batch_id, true)
    }

    fn new(actor: &Actor, batch_id: i64, numbered: bool) -> Pending<R> {
        Pending {
            records: Vec::with_capacity(CHUNK),
            ids: Vec::new(),
            numbered,
            batch_id,
            inserting: Inserting::by(actor),
        }
    }

    /// Queues a record the table numbers.
    pub async fn push(&mut self, conn: &mut SqliteConnection, record: R) -> Result<()> {
        debug_assert!(!self.numbered);
        self.records.push(record);
        self.flush_when_full(conn).await
    }

    /// Queues a record with the id the import gave it.
    pub async fn push_numbered(&mut self, conn: &mut SqliteConnection, id: i64, record: R) -> Result<()> {
        debug_assert!(self.numbered);
        self.ids.push(id);
        self.records.push(record);
        self.flush_when_full(conn).await
    }

    async fn flush_when_full(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        if self.records.len() >= CHUNK {
            self.flush(conn).await?;
        }
        Ok(())
    }

    /// Writes what is waiting.
    pub async fn flush(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        if self.records.is_empty() {
            return Ok(());
        }
        let (records, ids) = (std::mem::take(&mut self.records), std::mem::take(&mut self.ids));
        let ids_given = self.numbered.then_some(ids.as_slice());
        let (batch_id, inserting) = (self.batch_id, &self.inserting);
        with_raw(conn, |raw| write_many(raw, &records, ids_given, batch_id, inserting)).await?;
        // The vectors keep their room for the next chunk.
        self.records = records;
        self.records.clear();
        self.ids = ids;
        self.ids.clear();
        Ok(())
    }
}

/// Writes records the table numbers, many to a statement: an import's few that do not wait in a
/// [`Pending`].
pub async fn insert_all<R: Insertable>(
    conn: &mut SqliteConnection,
    records: &[R],
    inserting: &Inserting,
    batch_id: i64,
) -> Result<()> {
    with_raw(conn, |raw| write_many(raw, records, None, batch_id, inserting)).await
}

/// Writes `records`, with their `ids` when the import gave them, `ROWS_PER_INSERT` to a statement.
fn write_many<R: Insertable>(
    raw: &rusqlite::Connection,
    records: &[R],
    ids: Option<&[i64]>,
    batch_id: i64,
    inserting: &Inserting,
) -> Result<()> {
    let numbered = ids.is_some();
    let mut many = raw.prepare_cached(&insert_sql::<R>(ROWS_PER_INSERT, numbered))?;
    let mut one = raw.prepare_cached(&insert_sql::<R>(1, numbered))?;
    let values = |from: usize, to: usize| -> Vec<Value> {
        let mut values = Vec::with_capacity((to - from) * (R::INSERTED.len() + 2));
        for index in from..to {
            if let Some(ids) = ids {
                values.push(Value::Integer(ids[index]));
            }
            values.extend(records[index].inserted(inserting));
            if R::CARRIES_BATCH {
                values.push(Value::Integer(batch_id));
            }
        }
        values
    };
    let whole = records.len() - records.len() % ROWS_PER_INSERT;
    for from in (0..whole).step_by(ROWS_PER_INSERT) {
        many.execute(rusqlite::params_from_iter(values(from, from + ROWS_PER_INSERT)))?;
    }
    for from in whole..records.len() {
        one.execute(rusqlite::params_from_iter(values(from, from + 1)))?;
    }
    Ok(())
}

/// Text as a table stores it.
pub fn text(value: impl Into<String>) -> Value {
    Value::Text(value.into())
}

/// An optional value as a table stores it: missing is NULL.
pub fn optional<T: Into<Value>>(value: Option<T>) -> Value {
    value.map_or(Value::Null, Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Thing;

    impl Insertable for Thing {
        const TABLE: &'static str = "things";
        const INSERTED: &'static [&'static str] = &["a", "b"];
        fn inserted(&self, _: &Inserting) -> Vec<Value> {
            vec![]
        }
    }

    #[test]
    fn an_insert_names_the_id_only_when_the_import_numbers_records() {
        assert_eq!(insert_sql::<Thing>(1, false), "INSERT INTO things (a, b, import_batch_id) VALUES (?, ?, ?)");
        assert_eq!(
            insert_sql::<Thing>(2, true),
            "INSERT INTO things (id, a, b, import_batch_id) VALUES (?, ?, ?, ?), (?, ?, ?, ?)"
        );
    }
}
