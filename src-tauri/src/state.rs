//! What the running app holds: the open company file and who is logged in.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use suanpan::api::ErrorPayload;
use suanpan::error::Refusal;
use suanpan::io::import::{self, ImportReport};
use suanpan::{Actor, Db, Error};
use tokio::sync::RwLock;

pub type Reply<T> = Result<T, ErrorPayload>;

pub fn fail(error: Error) -> ErrorPayload {
    ErrorPayload::from(&error)
}

pub struct AppState {
    company_file: RwLock<PathBuf>,
    db: RwLock<Option<Db>>,
    actor: RwLock<Option<Actor>>,
    /// Set by the cancel button of a running import.
    pub import_cancel: Arc<AtomicBool>,
    /// The last import's report, for saving its bad rows as an error CSV; only the user who ran it,
    /// while still logged in, can save it.
    last_import: RwLock<Option<ImportReport>>,
}

impl AppState {
    pub fn new(company_file: PathBuf) -> AppState {
        AppState {
            company_file: RwLock::new(company_file),
            db: RwLock::new(None),
            actor: RwLock::new(None),
            import_cancel: Arc::new(AtomicBool::new(false)),
            last_import: RwLock::new(None),
        }
    }

    /// The open company file, opening it on first use.
    pub async fn db(&self) -> Reply<Db> {
        if let Some(db) = self.db.read().await.as_ref() {
            return Ok(db.clone());
        }
        let mut slot = self.db.write().await;
        if let Some(db) = slot.as_ref() {
            return Ok(db.clone());
        }
        let path = self.company_file.read().await.clone();
        let (db, _) = suanpan::company::open(&path).await.map_err(fail)?;
        daily_backup(&db).await;
        *slot = Some(db.clone());
        Ok(db)
    }

    /// Switches to another company file (the demo company); logs out.
    pub async fn switch_to(&self, path: PathBuf) -> Reply<Db> {
        let (db, _) = suanpan::company::open(&path).await.map_err(fail)?;
        if let Some(old) = self.db.write().await.replace(db.clone()) {
            old.close().await;
        }
        *self.company_file.write().await = path;
        self.set_actor(None).await;
        Ok(db)
    }

    /// Replaces the company file with a backup (checked first; the replaced file is kept beside it and
    /// its path returned) and logs out: the restored file has its own users.
    pub async fn restore_from(&self, from: PathBuf) -> Reply<PathBuf> {
        let (_, actor) = self.session().await?;
        let mut slot = self.db.write().await;
        let db = match slot.take() {
            Some(db) => db,
            None => suanpan::company::open(&self.company_file.read().await.clone()).await.map_err(fail)?.0,
        };
        let kept = suanpan::backup::restore(db, &actor, &from).await.map_err(fail)?;
        self.set_actor(None).await;
        Ok(kept)
    }

    /// The company file and the logged-in user, or "not logged in".
    pub async fn session(&self) -> Reply<(Db, Actor)> {
        let actor = self.actor.read().await.clone().ok_or_else(|| fail(Error::NotLoggedIn))?;
        Ok((self.db().await?, actor))
    }

    pub async fn actor(&self) -> Option<Actor> {
        self.actor.read().await.clone()
    }

    /// Keeps an import's report, whose bad rows the same user may then save.
    pub async fn remember_import(&self, report: ImportReport) {
        *self.last_import.write().await = Some(report);
    }

    /// Writes the last import's bad rows to `path` as an error CSV: only for someone logged in, and only
    /// the report of their own session.
    pub async fn save_import_errors(&self, path: &Path) -> Reply<()> {
        self.session().await?;
        let report =
            self.last_import.read().await.clone().ok_or_else(|| fail(Error::Refused(Refusal::NoImportErrors)))?;
        import::write_error_csv(&report, path).map_err(fail)
    }

    /// Logs someone in or (with `None`) out. The last import's report goes either way: its bad rows
    /// are the previous user's data, which the next one may not be allowed to see.
    pub async fn set_actor(&self, actor: Option<Actor>) {
        *self.actor.write().await = actor;
        *self.last_import.write().await = None;
    }
}

/// Today's automatic copy of the company file, beside it in `backups/`, keeping two weeks.
/// A failed backup must not stop the app from opening: it is logged and tried again tomorrow.
async fn daily_backup(db: &Db) {
    let folder = db.path().parent().map(|p| p.join("backups")).unwrap_or_else(|| PathBuf::from("backups"));
    if let Err(error) = suanpan::backup::daily(db, &folder, 14).await {
        eprintln!("suanpan-app: daily backup to {} failed: {error}", folder.display());
    }
}

/// `--db PATH` on the command line wins over `SUANPAN_DB` and the default location.
pub fn company_file_from_args(args: impl Iterator<Item = String>) -> PathBuf {
    let args: Vec<String> = args.collect();
    args.windows(2)
        .find(|pair| pair[0] == "--db")
        .map(|pair| PathBuf::from(&pair[1]))
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("--db=").map(PathBuf::from)))
        .unwrap_or_else(suanpan::db::default_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A company file in a folder of its own under the system's temporary folder, removed at the end.
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Issue 10: saving the bad rows needed no login, and the report survived a logout, so the next
    /// user (or nobody) could save the previous user's rows.
    #[tokio::test]
    async fn the_bad_rows_of_an_import_belong_to_the_session_that_ran_it() {
        let folder = Scratch(std::env::temp_dir().join(format!("suanpan-state-{}", std::process::id())));
        std::fs::create_dir_all(&folder.0).unwrap();
        let state = AppState::new(folder.0.join("company.sqlite"));
        let db = state.db().await.unwrap();
        let owner = suanpan::users::create_owner(&db, "boss", "王老板", "secret-123").await.unwrap();
        let bad = folder.0.join("bad.csv");
        std::fs::write(&bad, "code,name,birthday\nB1,甲,2023-02-30\n").unwrap();
        let entity = suanpan::io::import::Entity::Customers;
        let report = import::import_file(&db, &owner, entity, &bad, Default::default()).await.unwrap();
        assert_eq!(report.errors.len(), 1);

        let saved = folder.0.join("errors.csv");
        assert_eq!(state.save_import_errors(&saved).await.unwrap_err().code, "not_logged_in");
        state.set_actor(Some(owner.clone())).await;
        state.remember_import(report).await;
        state.save_import_errors(&saved).await.unwrap();
        assert!(std::fs::read_to_string(&saved).unwrap().contains("2023-02-30"));

        std::fs::remove_file(&saved).unwrap();
        state.set_actor(None).await;
        assert_eq!(state.save_import_errors(&saved).await.unwrap_err().code, "not_logged_in");
        state.set_actor(Some(owner)).await;
        assert_eq!(state.save_import_errors(&saved).await.unwrap_err().code, "refused", "logging out dropped it");
        assert!(!saved.exists());
    }
}
