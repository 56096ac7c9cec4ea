//! Backups while in use, checked restores that keep the replaced file, daily copies with retention.

mod common;

use common::company;
use suanpan::crm::customers::{self, CustomerQuery};
use suanpan::{Db, Error, auth, backup};

#[tokio::test]
async fn backup_then_restore_brings_back_the_copy_and_keeps_the_replaced_file() {
    let c = company().await;
    c.add(&c.owner, "备份前", "").await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.sqlite");
    backup::backup(&c.db, &c.owner, &copy).await.unwrap();
    assert!(matches!(backup::backup(&c.db, &c.sales_sh, &copy).await, Err(Error::Forbidden { .. })));
    c.add(&c.owner, "备份后", "").await;

    let path = c.db.path().to_path_buf();
    let kept = backup::restore(c.db.clone(), &c.owner, &copy).await.unwrap();
    let (db, _) = Db::open(&path).await.unwrap();
    let owner = auth::login(&db, "boss", common::PASSWORD).await.unwrap();
    assert_eq!(common::customer_names(&db, &owner).await, ["备份前"]);
    let (replaced, _) = Db::open(&kept).await.unwrap();
    assert_eq!(customers::list(&replaced, &owner, &CustomerQuery::default()).await.unwrap().total, 2);
}

#[tokio::test]
async fn restore_refuses_what_is_not_a_whole_company_file() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("text.sqlite");
    std::fs::write(&text, "not a database").unwrap();
    assert!(backup::restore(c.db.clone(), &c.owner, &text).await.is_err());
    let missing = dir.path().join("missing.sqlite");
    assert!(backup::restore(c.db.clone(), &c.owner, &missing).await.is_err());
    assert!(matches!(backup::restore(c.db.clone(), &c.manager, &text).await, Err(Error::Forbidden { .. })));
    assert!(!users_gone(&c).await, "the company file is untouched");
}

async fn users_gone(c: &common::Company) -> bool {
    suanpan::users::needs_owner(&c.db).await.unwrap()
}

#[tokio::test]
async fn daily_backups_are_made_once_a_day_and_pruned() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    for day in ["2026-01-01", "2026-01-02", "2026-01-03"] {
        std::fs::write(dir.path().join(format!("company-{day}.sqlite")), "old").unwrap();
    }
    let made = backup::daily(&c.db, dir.path(), 2).await.unwrap();
    assert!(made.is_some());
    assert!(backup::daily(&c.db, dir.path(), 2).await.unwrap().is_none(), "once a day");
    let mut left: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left.len(), 2);
    assert_eq!(left[0], "company-2026-01-03.sqlite");
    backup::check_company_file(&made.unwrap()).await.unwrap();
}

/// The company's customers, by name, as the owner sees them in the file at `path`.
async fn names_in(path: &std::path::Path) -> Vec<String> {
    let (db, _) = Db::open(path).await.unwrap();
    let owner = auth::login(&db, "boss", common::PASSWORD).await.unwrap();
    let names = customers::list(&db, &owner, &CustomerQuery::default()).await.unwrap().rows;
    db.close().await;
    names.into_iter().map(|r| r.name).collect()
}

#[tokio::test]
async fn restore_refuses_a_file_written_by_a_newer_version_and_leaves_the_company_file() {
    let c = company().await;
    c.add(&c.owner, "现有客户", "").await;
    let dir = tempfile::tempdir().unwrap();
    let newer = dir.path().join("newer.sqlite");
    backup::backup(&c.db, &c.owner, &newer).await.unwrap();
    {
        let pool =
            sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&newer)).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (99990101000000, 'from a later Suanpan', 1, x'00', 0)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let path = c.db.path().to_path_buf();
    match backup::restore(c.db.clone(), &c.owner, &newer).await {
        Err(Error::NewerFile { version, path: named }) => {
            assert_eq!(version, 99990101000000);
            assert!(named.ends_with("newer.sqlite"), "names the user's file, not a copy: {named}");
        }
        other => panic!("expected a newer-file refusal, got {other:?}"),
    }
    assert!(matches!(backup::check_company_file(&newer).await, Err(Error::NewerFile { .. })));
    assert!(matches!(Db::open(&newer).await, Err(Error::NewerFile { .. })), "opening says the same");
    assert_eq!(names_in(&path).await, ["现有客户"], "the company file still opens, unchanged");
    assert!(!path.with_extension("restoring").exists(), "the refused copy is gone");
}

#[tokio::test]
async fn restore_reads_the_backup_once_and_installs_exactly_what_it_checked() {
    let c = company().await;
    c.add(&c.owner, "备份里的客户", "").await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.sqlite");
    backup::backup(&c.db, &c.owner, &copy).await.unwrap();
    c.add(&c.owner, "备份后", "").await;
    // A pipe can be read once: checking one reading and installing another fails here.
    let pipe = dir.path().join("backup-pipe.sqlite");
    assert!(std::process::Command::new("mkfifo").arg(&pipe).status().unwrap().success());
    let bytes = std::fs::read(&copy).unwrap();
    let writer_pipe = pipe.clone();
    std::thread::spawn(move || {
        use std::io::Write;
        if let Ok(mut end) = std::fs::OpenOptions::new().write(true).open(&writer_pipe) {
            let _ = end.write_all(&bytes);
        }
    });
    let path = c.db.path().to_path_buf();
    backup::restore(c.db.clone(), &c.owner, &pipe).await.unwrap();
    assert_eq!(names_in(&path).await, ["备份里的客户"]);
}

#[tokio::test]
async fn the_kept_file_has_what_was_being_written_when_the_restore_began() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.sqlite");
    backup::backup(&c.db, &c.owner, &copy).await.unwrap();

    let mut writing = c.db.write().await.unwrap();
    sqlx::query("INSERT INTO settings (key, value) VALUES ('written_during_restore', 'yes')")
        .execute(&mut *writing)
        .await
        .unwrap();
    let restore = tokio::spawn({
        let (db, owner) = (c.db.clone(), c.owner.clone());
        async move { backup::restore(db, &owner, &copy).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    writing.commit().await.unwrap();
    let kept = restore.await.unwrap().unwrap();

    let (replaced, _) = Db::open(&kept).await.unwrap();
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'written_during_restore'")
        .fetch_optional(replaced.pool())
        .await
        .unwrap();
    assert_eq!(value.as_deref(), Some("yes"), "a write that finished while the restore waited is in the kept file");
}

#[tokio::test]
async fn a_backup_is_never_written_over_the_company_file_or_its_log() {
    let c = company().await;
    c.add(&c.owner, "不能丢", "").await;
    let path = c.db.path().to_path_buf();
    let folder = path.parent().unwrap();
    let link = folder.join("link-to-company.sqlite");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    for target in [
        path.clone(),
        folder.join(".").join("company.sqlite"),
        link,
        folder.join("company.sqlite-wal"),
        folder.join("company.sqlite-shm"),
    ] {
        match backup::backup(&c.db, &c.owner, &target).await {
            Err(Error::TargetIsCompanyFile { .. }) => {}
            other => panic!("{}: expected a refusal, got {other:?}", target.display()),
        }
    }
    c.add(&c.owner, "之后", "").await;
    assert_eq!(customers::list(&c.db, &c.owner, &CustomerQuery::default()).await.unwrap().total, 2);
    c.db.close().await;
    assert_eq!(names_in(&path).await.len(), 2, "the company file and its log are whole");
}

#[tokio::test]
async fn a_failed_backup_leaves_the_previous_backup_whole() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("friday.sqlite");
    backup::backup(&c.db, &c.owner, &target).await.unwrap();
    c.db.close().await;
    assert!(backup::backup(&c.db, &c.owner, &target).await.is_err(), "a closed company file cannot be copied");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["friday.sqlite"], "no half-written copy left beside it");
    backup::check_company_file(&target).await.unwrap();
}
