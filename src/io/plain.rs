//! The bulk path of records a file adds without a code to match them (activities, expenses, service
//! requests): each row checked on the reading thread against a [`Directory`] read at the import's start,
//! a row an earlier import recorded skipped by its fingerprint (confirmed by the table), the rest
//! written many to a statement. The batch finds its records again by the batch id they carry.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use rusqlite::types::Value;
use sqlx::SqliteConnection;

use crate::auth::Actor;
use crate::db::with_raw;
use crate::directory::Directory;
use crate::error::{FieldError, Result};
use crate::io::batch::{RowFailure, RowOutcome};
use crate::io::bulk::{self, BulkLoad};
use crate::io::columns::RowFields;
use crate::io::insert::{Insertable, Pending};

/// A checked record, or what is wrong with its row.
pub type Checked<R> = std::result::Result<R, Vec<FieldError>>;

/// A record of a table written by the plain bulk path: found again by the batch id it carries, and
/// compared with what earlier imports recorded.
pub trait PlainRecord: Insertable {
    /// Each column of the file format, and the table's column that stores it: a row equal in all of
    /// them to one an earlier import recorded is that row again.
    const COMPARED: &'static [(&'static str, &'static str)];

    /// The values of [`PlainRecord::COMPARED`], as the table stores them.
    fn compared(&self) -> Vec<Value>;
}

/// A record's fingerprint: its compared values, hashed the same way whether read from the table or
/// made from a row (SipHash with fixed keys: the same in every run).
fn fingerprint(values: &[Value]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for value in values {
        match value {
            Value::Null => 0u8.hash(&mut hasher),
            Value::Integer(i) => (1u8, i).hash(&mut hasher),
            Value::Real(r) => (2u8, r.to_bits()).hash(&mut hasher),
            Value::Text(t) => (3u8, t).hash(&mut hasher),
            Value::Blob(b) => (4u8, b).hash(&mut hasher),
        }
    }
    hasher.finish()
}

/// The records earlier imports made, by fingerprint: a row whose fingerprint is not among them was
/// never imported, and the few that are get asked of the table, so two rows that merely share a
/// fingerprint are never taken for one another.
struct EarlierRows {
    fingerprints: HashSet<u64>,
}

impl EarlierRows {
    async fn read<R: PlainRecord>(conn: &mut SqliteConnection) -> Result<EarlierRows> {
        let columns: Vec<&str> = R::COMPARED.iter().map(|(_, stored)| *stored).collect();
        let sql = format!("SELECT {} FROM {} WHERE import_batch_id IS NOT NULL", columns.join(", "), R::TABLE);
        with_raw(conn, |raw| {
            let mut statement = raw.prepare(&sql)?;
            let mut rows = statement.query([])?;
            let mut fingerprints = HashSet::new();
            let mut values = Vec::with_capacity(columns.len());
            while let Some(row) = rows.next()? {
                values.clear();
                for index in 0..columns.len() {
                    values.push(row.get::<_, Value>(index)?);
                }
                fingerprints.insert(fingerprint(&values));
            }
            Ok(EarlierRows { fingerprints })
        })
        .await
    }

    async fn recorded<R: PlainRecord>(&self, conn: &mut SqliteConnection, record: &R, batch_id: i64) -> Result<bool> {
        let values = record.compared();
        if !self.fingerprints.contains(&fingerprint(&values)) {
            return Ok(false);
        }
        // `IS`: an empty optional value equals a missing one.
        let conditions: Vec<String> = R::COMPARED.iter().map(|(_, stored)| format!(" AND {stored} IS ?")).collect();
        let sql = format!(
            "SELECT 1 FROM {} WHERE import_batch_id IS NOT NULL AND import_batch_id != ?{} LIMIT 1",
            R::TABLE,
            conditions.concat()
        );
        with_raw(conn, |raw| {
            let mut statement = raw.prepare_cached(&sql)?;
            let parameters = std::iter::once(Value::Integer(batch_id)).chain(values);
            Ok(statement.exists(rusqlite::params_from_iter(parameters))?)
        })
        .await
    }
}

/// Checks a row into a record, against what the import read at its start: pure, so it runs on the
/// reading thread.
pub type Check<R> = fn(&Actor, &RowFields<'_>, &Directory) -> Checked<R>;

/// One import of plain records: the directory (kept up to date as the import adds people and list
/// entries), what earlier imports recorded, and the records waiting to be written.
pub struct PlainImport<R: PlainRecord> {
    batch_id: i64,
    check: Check<R>,
    directory: Directory,
    /// Whether the import added a person or an entry since it started: a row the reading thread
    /// found wrong may name it, and is checked again.
    grew: bool,
    earlier: EarlierRows,
    pending: Pending<R>,
    bulk: BulkLoad,
}

impl<R: PlainRecord> PlainImport<R> {
    /// Reads what every row is checked against, inside the import's transaction. `bytes_per_row` is a
    /// typical row's size in a file, to judge whether dropping the table's indexes for the load pays.
    pub async fn start(
        conn: &mut SqliteConnection,
        actor: &Actor,
        batch_id: i64,
        check: Check<R>,
        file_bytes: u64,
        bytes_per_row: u64,
    ) -> Result<PlainImport<R>> {
        let directory = Directory::whole(conn).await?;
        let earlier = EarlierRows::read::<R>(conn).await?;
        let there: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {}", R::TABLE)))
            .fetch_one(&mut *conn)
            .await?;
        let bulk = if bulk::worth_it(file_bytes, bytes_per_row, there as u64) {
            BulkLoad::start(conn, &[R::TABLE], &[], 32).await?
        } else {
            BulkLoad::none()
        };
        Ok(PlainImport {
            batch_id,
            check,
            directory,
            grew: false,
            earlier,
            pending: Pending::unnumbered(actor, batch_id),
            bulk,
        })
    }

    /// What the reading thread checks each row with: the check and the directory as they are now.
    pub fn checker(&self) -> (Check<R>, std::sync::Arc<Directory>) {
        (self.check, std::sync::Arc::new(self.directory.clone()))
    }

    /// Reads the people and list entries again when the import added some (`io::values` adds what a
    /// file names that the lists lack: `added` counts them): rows the reading thread found wrong may
    /// name them, and are checked again.
    pub async fn lists_changed(&mut self, conn: &mut SqliteConnection, added: usize) -> Result<()> {
        if self.directory.catch_up(conn, added).await? {
            self.grew = true;
        }
        Ok(())
    }

    /// Takes a row the reading thread checked (checked here when it was not, or was wrong and the import
    /// has added people or entries since), skips it when an earlier import recorded it, and queues it.
    /// `writing` is false once any row was bad: the rest are only checked.
    pub async fn row(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        row: &RowFields<'_>,
        checked: Option<Checked<R>>,
        writing: bool,
    ) -> Result<RowOutcome, RowFailure> {
        let checked = match checked {
            Some(Err(_)) if self.grew => (self.check)(actor, row, &self.directory),
            Some(checked) => checked,
            None => (self.check)(actor, row, &self.directory),
        };
        let record = checked.map_err(RowFailure::Fields)?;
        // A file that had a bad row is refused whole: what its good rows would do no longer matters.
        if !writing {
            return Ok(RowOutcome::InsertedInBatch);
        }
        if self.earlier.recorded(conn, &record, self.batch_id).await? {
            return Ok(RowOutcome::AlreadyImported);
        }
        self.pending.push(conn, record).await?;
        Ok(RowOutcome::InsertedInBatch)
    }

    /// Writes what is left and builds dropped indexes again.
    pub async fn finish(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        self.pending.flush(conn).await?;
        let bulk = &mut self.bulk;
        with_raw(conn, |raw| Ok(bulk.finish(raw)?)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::activities::ValidActivity;
    use crate::crm::service::ValidService;
    use crate::io::entity::Entity;
    use crate::sales::expenses::ValidExpense;

    /// The skip rule is every column: a record that left one out would skip rows that differ in it.
    #[test]
    fn each_plain_record_compares_every_column_of_its_format() {
        fn covers<R: PlainRecord>(entity: Entity) {
            for column in entity.columns().iter().filter(|c| c.written()) {
                assert!(
                    R::COMPARED.iter().any(|(key, _)| *key == column.key),
                    "{} does not compare {}",
                    R::TABLE,
                    column.key
                );
            }
            assert_eq!(R::COMPARED.len(), R::COMPARED.iter().map(|(_, stored)| stored).collect::<HashSet<_>>().len());
        }
        covers::<ValidActivity>(Entity::Activities);
        covers::<ValidExpense>(Entity::Expenses);
        covers::<ValidService>(Entity::Service);
    }

    #[test]
    fn a_fingerprint_tells_types_and_missing_values_apart() {
        let text = fingerprint(&[Value::Text("1".into())]);
        assert_ne!(text, fingerprint(&[Value::Integer(1)]));
        assert_ne!(fingerprint(&[Value::Null, Value::Integer(1)]), fingerprint(&[Value::Integer(1), Value::Null]));
        assert_eq!(text, fingerprint(&[Value::Text("1".into())]));
    }
}
