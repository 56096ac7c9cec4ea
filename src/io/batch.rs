//! What every importer shares with the import that runs it: the options, what writing a row did or why
//! it could not, and the batch's record of what it wrote (for undo). The dispatcher (`import`) depends
//! on the importers, and they on this, never on the dispatcher.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::error::{Error, FieldError, Reason, Result};
use crate::io::csv_source::SourceOptions;

/// Insert new records and skip those whose code exists (the default), or update those too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Insert,
    Upsert,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Insert => "insert",
            Mode::Upsert => "upsert",
        }
    }
}

/// How far an import has got, for a progress bar.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Progress {
    pub rows: u64,
    pub bytes: u64,
    pub total_bytes: u64,
}

#[derive(Default)]
pub struct ImportOptions {
    pub source: SourceOptions,
    /// File header → column key, for headers the built-in names do not know.
    pub mapping: HashMap<String, String>,
    /// Values of list-backed columns the person mapped to known entries (`crate::io::values`).
    pub values: crate::io::values::ValueMap,
    pub mode: Mode,
    /// Validate everything, write nothing.
    pub dry_run: bool,
    pub cancel: Option<Arc<AtomicBool>>,
    /// Imported orders and purchases are history: by default they move no stock. When set, delivered
    /// orders take stock out, confirmed ones reserve it and purchases bring it in (never refused for
    /// lack of stock: the past happened).
    pub moves_stock: bool,
    pub progress: Option<Box<dyn Fn(Progress) + Send + Sync>>,
}

/// What writing one row did.
pub enum RowOutcome {
    Inserted {
        id: i64,
        version: i64,
    },
    Updated {
        id: i64,
        version: i64,
        before: serde_json::Value,
    },
    /// Written, and found again by the batch id its record carries (order lines: a million of them).
    InsertedInBatch,
    UpdatedInBatch,
    /// Not written: a record with the row's code exists and the mode is insert ([`SkipReason::Exists`]).
    Skipped,
    /// Not written: an earlier import recorded a row equal in every column ([`SkipReason::AlreadyImported`]).
    AlreadyImported,
}

/// Why rows were skipped, as a stable code the window translates (`skipped.<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// A record with the row's code exists, and the import only inserts.
    Exists,
    /// An earlier import recorded a row equal to this one in every column of the file.
    AlreadyImported,
}

impl SkipReason {
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::Exists => "exists",
            SkipReason::AlreadyImported => "already_imported",
        }
    }

    /// The English words after a count in the command line's summary ("3 already imported").
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Exists => "with a code that exists",
            SkipReason::AlreadyImported => "already imported by an earlier import",
        }
    }

    /// Every reason, for the test that each is translated.
    pub fn examples() -> Vec<SkipReason> {
        let all = vec![SkipReason::Exists, SkipReason::AlreadyImported];
        // A new reason stops compiling here, next to the list it must join.
        for reason in &all {
            match reason {
                SkipReason::Exists | SkipReason::AlreadyImported => {}
            }
        }
        all
    }
}

/// How many rows were skipped for one reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub code: SkipReason,
    pub count: u64,
}

/// Adds one skipped row to `counts` (kept in the order the reasons first occurred).
pub fn count_skip(counts: &mut Vec<Skipped>, reason: SkipReason) {
    match counts.iter_mut().find(|s| s.code == reason) {
        Some(skipped) => skipped.count += 1,
        None => counts.push(Skipped { code: reason, count: 1 }),
    }
}

/// Why a row could not be written: its fields (reported, the import goes on) or a fault (stops it).
pub enum RowFailure {
    Fields(Vec<FieldError>),
    Fault(Error),
}

impl RowFailure {
    /// One field's problem.
    pub fn field(field: &'static str, reason: Reason) -> RowFailure {
        RowFailure::Fields(vec![FieldError { field, reason }])
    }
}

/// A record's fields as a batch kept them before an update, read back for an undo.
pub fn previous_values<T: serde::de::DeserializeOwned>(before: &str) -> Result<T> {
    serde_json::from_str(before)
        .map_err(|e| Error::Io { path: "import batch".into(), source: std::io::Error::other(e) })
}

impl From<Error> for RowFailure {
    fn from(error: Error) -> RowFailure {
        match error {
            Error::Invalid { .. } | Error::Fields(_) | Error::Forbidden { .. } | Error::AlreadyExists { .. } => {
                RowFailure::Fields(error.field_errors())
            }
            fault => RowFailure::Fault(fault),
        }
    }
}

/// The process's peak resident memory so far, for the debug log of an import's phases and the import
/// bench (Linux only; 0 elsewhere).
pub fn peak_memory_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
            line.trim().trim_end_matches("kB").trim().parse::<u64>().ok()
        })
        .map_or(0, |kib| kib / 1024)
}

/// Starts the process's peak resident memory afresh from what it holds now (Linux: clears `VmHWM`), so
/// that [`peak_memory_mib`] read after a piece of work is that work's peak: the import bench measures
/// each import so, apart from the company it set up first.
pub fn reset_peak_memory() {
    // Nothing to do where there is no such file: the peak is then the process's.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Remembers records a batch wrote one by one: `(record id, insert|update, fields before, version after)`.
pub(crate) async fn record_batch_records(
    conn: &mut SqliteConnection,
    batch_id: i64,
    written: &[(i64, &'static str, Option<String>, i64)],
) -> Result<()> {
    for chunk in written.chunks(2_000) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO import_batch_records (batch_id, record_id, action, before, version_after) ",
        );
        insert.push_values(chunk, |mut values, (record_id, action, before, version)| {
            values
                .push_bind(batch_id)
                .push_bind(*record_id)
                .push_bind(*action)
                .push_bind(before.clone())
                .push_bind(*version);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}
