//! Opening a company file: location, pragmas, migrations, and a safety copy before upgrading an older file.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::{Error, NotCompany, Result};

static MIGRATOR: Migrator = sqlx::migrate!();

/// An open company file. Cheap to clone: it shares one connection pool.
#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
    path: PathBuf,
}

/// A window onto a longer list: one page of rows and how many match in all.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// One page of a filtered list, and how many rows match in all. `count_from` is `SELECT count(*) FROM …`
/// and `select` the rows' query, each before the `WHERE …` that `filter` appends; `order` is the
/// `ORDER BY …` clause. All three are fixed text from the engine.
pub(crate) async fn fetch_page<T>(
    db: &Db,
    count_from: &'static str,
    select: &'static str,
    filter: impl Fn(&mut sqlx::QueryBuilder<Sqlite>),
    order: &'static str,
    offset: i64,
    limit: Option<i64>,
) -> Result<Page<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    let mut conn = db.pool().acquire().await?;
    let limit = page_limit(limit);
    let offset = offset.max(0);
    let mut count = sqlx::QueryBuilder::<Sqlite>::new(count_from);
    filter(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    let mut rows = sqlx::QueryBuilder::<Sqlite>::new(select);
    filter(&mut rows);
    rows.push(" ").push(order).push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows = rows.build_query_as().fetch_all(&mut *conn).await?;
    Ok(Page { rows, total, offset, limit })
}

/// Clamps a requested page size: 1..=1000, default 200.
pub fn page_limit(requested: Option<i64>) -> i64 {
    requested.unwrap_or(200).clamp(1, 1_000)
}

/// The next free generated number of a kind of record: `prefix` and six digits (`C000124`, `SO000031`),
/// one above the highest such number, skipping any a file or a person already took.
/// `table` and `column` are fixed names from the engine, never user input.
pub async fn next_number(
    conn: &mut sqlx::SqliteConnection,
    table: &'static str,
    column: &'static str,
    prefix: &'static str,
) -> Result<String> {
    let pattern = format!("{prefix}{}", "[0-9]".repeat(6));
    let highest: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT {column} FROM {table} WHERE {column} GLOB ? ORDER BY {column} DESC LIMIT 1"
    )))
    .bind(&pattern)
    .fetch_optional(&mut *conn)
    .await?;
    let mut next = highest.and_then(|c| c[prefix.len()..].parse::<u32>().ok()).unwrap_or(0) + 1;
    loop {
        let number = numbered(prefix, next);
        let taken: Option<i64> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT 1 FROM {table} WHERE {column} = ?")))
                .bind(&number)
                .fetch_optional(&mut *conn)
                .await?;
        if taken.is_none() {
            return Ok(number);
        }
        next += 1;
    }
}

/// A generated number: `prefix` and `n` in six digits (`C000124`).
pub fn numbered(prefix: &str, n: u32) -> String {
    format!("{prefix}{n:06}")
}

/// Runs `work` on the connection's raw SQLite handle through rusqlite, inside whatever transaction the
/// connection has open: the bulk path (a million imported or exported rows), where a round trip to
/// sqlx's worker per statement costs more than SQLite's own work.
pub async fn with_raw<T>(
    conn: &mut sqlx::SqliteConnection,
    work: impl FnOnce(&rusqlite::Connection) -> Result<T>,
) -> Result<T> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is locked for as long as `raw` lives, so sqlx issues nothing on it meanwhile;
    // a connection made by `from_handle` does not own the handle: dropping it finalizes only its own
    // statements and never closes the database.
    let raw = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }?;
    let result = work(&raw);
    drop(raw);
    result
}

/// What happened while opening: the UI and CLI tell the user about an upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    Created,
    UpToDate,
    Upgraded { from_version: i64, safety_copy: PathBuf },
}

/// Where the desktop app keeps its company file: the platform's data directory
/// (`~/.local/share/suanpan/company.sqlite` on Linux), unless `SUANPAN_DB` says otherwise.
pub fn default_path() -> PathBuf {
    if let Some(path) = std::env::var_os("SUANPAN_DB") {
        return PathBuf::from(path);
    }
    data_dir().join("company.sqlite")
}

/// The folder for company files, backups and the demo company.
pub fn data_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("suanpan")
}

/// A path as the text SQLite is handed (`VACUUM INTO ?`); one that is not valid UTF-8 is refused.
pub(crate) fn path_text(path: &Path) -> Result<&str> {
    path.to_str().ok_or(Error::Refused(crate::error::Refusal::PathNotText))
}

impl Db {
    /// Opens (creating if needed) the company file at `path` and brings its schema up to date. The app
    /// and the CLI open through `company::open`, which also brings the derived keys up to date.
    pub async fn open(path: &Path) -> Result<(Db, Opened)> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| Error::Io { path: parent.display().to_string(), source })?;
        }
        let existed = path.exists() && std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false);
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // temp_store stays at its default (a file, used only once a sort outgrows the cache): with
            // temp_store=memory SQLite sorts record by record in separate allocations, which made
            // building an index over a million order lines take twice as long.
            .pragma("cache_size", "-8000");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options)
            .await
            .map_err(|e| not_a_company_file(path, &e).unwrap_or(Error::Db(e)))?;
        let db = Db { pool, path: path.to_path_buf() };
        let opened = db.migrate(existed).await?;
        Ok((db, opened))
    }

    async fn migrate(&self, existed: bool) -> Result<Opened> {
        let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let applied = self.applied_version().await?;
        if existed && applied.is_none() {
            let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
                .fetch_one(&self.pool)
                .await?;
            if tables > 0 {
                return Err(self.not_company(NotCompany::OtherTables));
            }
        }
        if let Some(version) = unknown_migration(&self.pool).await? {
            return Err(Error::NewerFile { path: self.path.display().to_string(), version });
        }
        let applied = applied.unwrap_or(0);
        if applied == latest {
            return Ok(if existed { Opened::UpToDate } else { Opened::Created });
        }
        let safety_copy = if applied > 0 {
            let copy = self.path.with_extension(format!("before-v{latest}.sqlite"));
            self.copy_to(&copy).await?;
            Some(copy)
        } else {
            None
        };
        MIGRATOR.run(&self.pool).await?;
        Ok(match safety_copy {
            Some(safety_copy) => Opened::Upgraded { from_version: applied, safety_copy },
            None => Opened::Created,
        })
    }

    async fn applied_version(&self) -> Result<Option<i64>> {
        let has_table: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
                .fetch_one(&self.pool)
                .await?;
        if has_table == 0 {
            return Ok(None);
        }
        let version: Option<i64> =
            sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success").fetch_one(&self.pool).await?;
        Ok(Some(version.unwrap_or(0)))
    }

    /// A consistent copy of the whole file while others may be writing (`VACUUM INTO`). It is written
    /// beside `target` and then renamed over it, so a copy that fails half-way leaves whatever was at
    /// `target` (yesterday's backup) whole. The company file itself and its `-wal`/`-shm` are refused.
    pub async fn copy_to(&self, target: &Path) -> Result<()> {
        self.refuse_own_file(target)?;
        let io_error = |path: &Path, source| Error::Io { path: path.display().to_string(), source };
        let mut partial_name = target.file_name().unwrap_or_default().to_os_string();
        partial_name.push(".partial");
        let partial = target.with_file_name(partial_name);
        self.refuse_own_file(&partial)?;
        // VACUUM INTO refuses an existing file: this one can only be left over from a failed copy.
        if partial.exists() {
            std::fs::remove_file(&partial).map_err(|e| io_error(&partial, e))?;
        }
        let partial_text = path_text(&partial)?;
        let copied = match sqlx::query("VACUUM INTO ?").bind(partial_text).execute(&self.pool).await {
            Ok(_) => std::fs::rename(&partial, target).map_err(|e| io_error(target, e)),
            Err(e) => Err(Error::Db(e)),
        };
        if copied.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        copied
    }

    /// Refuses `path` when it names this company file or its write-ahead log or shared-memory file,
    /// however it is spelt (relative, through `..` or a symbolic link): a copy written there would
    /// destroy the file it copies.
    fn refuse_own_file(&self, path: &Path) -> Result<()> {
        let Some(company) = canonical(&self.path) else { return Ok(()) };
        let Some(path) = canonical(path) else { return Ok(()) };
        let own = ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
            let mut name = company.clone().into_os_string();
            name.push(suffix);
            path == Path::new(&name)
        });
        if own { Err(Error::TargetIsCompanyFile { path: self.path.display().to_string() }) } else { Ok(()) }
    }

    fn not_company(&self, why: NotCompany) -> Error {
        Error::NotACompanyFile { path: self.path.display().to_string(), why }
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A write transaction that takes the write lock up front, so a read-then-write
    /// never fails half-way because another connection wrote in between.
    pub async fn write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `path` with every symbolic link and `..` resolved; for a file that does not exist yet, its folder
/// resolved and its name appended. None when even the folder does not exist.
fn canonical(path: &Path) -> Option<PathBuf> {
    if let Ok(path) = std::fs::canonicalize(path) {
        return Some(path);
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(folder).ok()?.join(path.file_name()?))
}

/// The highest schema version recorded in a company file that this build does not know (a newer
/// Suanpan wrote the file), or None when it knows every one. Opening and restoring both ask.
pub(crate) async fn unknown_migration(pool: &SqlitePool) -> Result<Option<i64>> {
    let has_table: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_one(pool)
            .await?;
    if has_table == 0 {
        return Ok(None);
    }
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version DESC").fetch_all(pool).await?;
    Ok(applied.into_iter().find(|version| !MIGRATOR.iter().any(|m| m.version == *version)))
}

fn not_a_company_file(path: &Path, error: &sqlx::Error) -> Option<Error> {
    let message = error.as_database_error()?.message().to_string();
    message
        .contains("not a database")
        .then(|| Error::NotACompanyFile { path: path.display().to_string(), why: NotCompany::NotADatabase })
}

/// Appends the bounds a list's date filter sets on `column` (a fixed name or expression from the
/// engine): `from` and `to` are inclusive ISO dates; absent or empty, no bound.
pub(crate) fn push_between(
    builder: &mut sqlx::QueryBuilder<Sqlite>,
    column: &'static str,
    from: &Option<String>,
    to: &Option<String>,
) {
    if let Some(from) = from.as_deref().filter(|d| !d.is_empty()) {
        builder.push(format_args!(" AND {column} >= ")).push_bind(from.to_string());
    }
    if let Some(to) = to.as_deref().filter(|d| !d.is_empty()) {
        builder.push(format_args!(" AND {column} <= ")).push_bind(to.to_string());
    }
}

/// Appends ` AND (a LIKE ? ESCAPE '\' OR b LIKE ? …)`: any of `columns` (fixed names from the engine)
/// contains `text` as typed, its `%` and `_` meaning themselves.
pub(crate) fn push_contains(builder: &mut sqlx::QueryBuilder<Sqlite>, columns: &[&'static str], text: &str) {
    let pattern = format!("%{}%", crate::text::escape_like(text));
    builder.push(" AND (");
    for (index, column) in columns.iter().enumerate() {
        if index > 0 {
            builder.push(" OR ");
        }
        builder.push(*column).push(" LIKE ").push_bind(pattern.clone()).push(" ESCAPE '\\'");
    }
    builder.push(")");
}

/// Maps a UNIQUE constraint failure to a friendly error naming the field; anything else passes through.
pub fn unique_violation(error: sqlx::Error, entity: &'static str, field: &'static str, value: &str) -> Error {
    match error.as_database_error() {
        Some(db) if db.is_unique_violation() => Error::AlreadyExists { entity, field, value: value.to_string() },
        _ => Error::Db(error),
    }
}

/// Maps a FOREIGN KEY failure on delete to "still in use"; anything else passes through.
pub fn in_use_violation(error: sqlx::Error, entity: &'static str, by: &str) -> Error {
    match error.as_database_error() {
        Some(db) if db.is_foreign_key_violation() => Error::InUse { entity, by: by.to_string() },
        _ => Error::Db(error),
    }
}

/// Now, as the UTC ISO-8601 time stamp every table stores.
pub fn now_stamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Today's date in the user's local time zone.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
