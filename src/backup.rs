//! Backups: a consistent copy of the open company file, checked restores that keep the replaced file, daily copies.

use std::path::{Path, PathBuf};

use sqlx::Connection;
use sqlx::sqlite::SqliteConnectOptions;

use crate::auth::{Actor, Permission};
use crate::db::{Db, unknown_migration};
use crate::error::{Error, NotCompany, Result};

/// Copies the company file to `target` while it is in use (`VACUUM INTO`: one consistent snapshot).
pub async fn backup(db: &Db, actor: &Actor, target: &Path) -> Result<()> {
    actor.require(Permission::Backup)?;
    db.copy_to(target).await
}

/// Checks that `file` is a whole, readable Suanpan company file that this version can open, without
/// changing it.
pub async fn check_company_file(file: &Path) -> Result<()> {
    check_as(file, file).await
}

/// Checks `file`, naming `shown` in what it reports (a restore checks its own copy of the user's file).
async fn check_as(file: &Path, shown: &Path) -> Result<()> {
    let not_company = |why: NotCompany| Error::NotACompanyFile { path: shown.display().to_string(), why };
    if !file.is_file() {
        return Err(Error::Io {
            path: shown.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let options = SqliteConnectOptions::new().filename(file).read_only(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.map_err(|_| not_company(NotCompany::CannotOpen))?;
    let check = async {
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await
            .map_err(|_| not_company(NotCompany::NotADatabase))?;
        if integrity != "ok" {
            return Err(not_company(NotCompany::Damaged { detail: integrity }));
        }
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'users', 'audit_log')",
        )
        .fetch_one(&pool)
        .await?;
        if tables != 3 {
            return Err(not_company(NotCompany::NoSuanpanTables));
        }
        match unknown_migration(&pool).await? {
            Some(version) => Err(Error::NewerFile { path: shown.display().to_string(), version }),
            None => Ok(()),
        }
    };
    let result = check.await;
    pool.close().await;
    result
}

/// Replaces the company file at `company` with the backup `from`. The backup is read once, into
/// `<company>.restoring` beside the company file, and that copy is what is checked and moved into
/// place; the company file is closed first (its log written back into it) and then kept beside
/// itself (`<name>.replaced-<time>.sqlite`), whose path is returned. Until the last step the company
/// file is untouched, so any failure leaves it as it was. Only the owner of the current file may
/// restore: `actor` was logged in there.
pub async fn restore(db: Db, actor: &Actor, from: &Path) -> Result<PathBuf> {
    actor.require(Permission::Restore)?;
    let company = db.path().to_path_buf();
    let incoming = company.with_extension("restoring");
    let result = replace(db, from, &company, &incoming).await;
    // The check may leave a log beside the copy; a failed restore leaves the copy itself.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", incoming.display()));
    }
    if result.is_err() {
        let _ = std::fs::remove_file(&incoming);
    }
    result
}

/// A consistent copy of the closed company file at `kept`, through a connection of its own.
async fn keep_copy(company: &Path, kept: &Path) -> Result<()> {
    let kept_text = crate::db::path_text(kept)?;
    let mut conn = sqlx::SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(company)).await?;
    let copied = sqlx::query("VACUUM INTO ?").bind(kept_text).execute(&mut conn).await;
    conn.close().await?;
    copied?;
    Ok(())
}

async fn replace(db: Db, from: &Path, company: &Path, incoming: &Path) -> Result<PathBuf> {
    let io_error = |path: &Path, source| Error::Io { path: path.display().to_string(), source };
    copy_file(from, incoming).map_err(|e| io_error(from, e))?;
    check_as(incoming, from).await?;

    // Every connection of ours returned and closed: whatever we were still writing is committed. The
    // replaced file is kept through SQLite (`VACUUM INTO` on a connection of its own) rather than by
    // copying bytes: a log another process has not folded back into the file yet is in the copy too.
    db.close().await;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    // A name no earlier restore used (two in one second keep two files).
    let kept = (1..)
        .map(|n| match n {
            1 => company.with_extension(format!("replaced-{stamp}.sqlite")),
            n => company.with_extension(format!("replaced-{stamp}-{n}.sqlite")),
        })
        .find(|name| !name.exists())
        .unwrap_or_else(|| company.with_extension("replaced.sqlite"));
    let partial = kept.with_extension("sqlite.partial");
    // Only a restore killed while keeping its copy leaves one; it was never the kept file.
    let _ = std::fs::remove_file(&partial);
    if let Err(e) = keep_copy(company, &partial).await {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &kept).map_err(|e| io_error(&kept, e))?;
    // SQLite names them by appending to the whole file name, whatever its extension; a stale log
    // beside the restored file would be replayed into it.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", company.display()));
    }
    std::fs::rename(incoming, company).map_err(|e| io_error(company, e))?;
    Ok(kept)
}

/// Copies `from` to `to` by reading it once from start to end (so a source that changes, or can
/// only be read once, gives one whole copy) and flushing it to disk before anything relies on it.
fn copy_file(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut source = std::fs::File::open(from)?;
    let mut target = std::fs::File::create(to)?;
    std::io::copy(&mut source, &mut target)?;
    target.sync_all()
}

/// Makes today's automatic backup in `dir` if there is none yet, and keeps only the newest `keep`.
/// Returns the new backup's path when one was made.
pub async fn daily(db: &Db, dir: &Path, keep: usize) -> Result<Option<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.display().to_string(), source })?;
    let stem = db.path().file_stem().map_or("company".into(), |s| s.to_string_lossy().into_owned());
    let today = dir.join(format!("{stem}-{}.sqlite", chrono::Local::now().format("%Y-%m-%d")));
    let made = if today.exists() {
        None
    } else {
        db.copy_to(&today).await?;
        Some(today)
    };
    let prefix = format!("{stem}-");
    let mut existing: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| Error::Io { path: dir.display().to_string(), source })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".sqlite"))
        })
        .collect();
    existing.sort();
    let surplus = existing.len().saturating_sub(keep.max(1));
    for old in existing.into_iter().take(surplus) {
        let _ = std::fs::remove_file(old);
    }
    Ok(made)
}
