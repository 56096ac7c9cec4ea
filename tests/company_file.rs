//! Opening company files: creating, reopening, refusing what is not ours.

use suanpan::db::{Db, Opened};
use suanpan::{Error, users};

#[tokio::test]
async fn creates_then_reopens_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/company.sqlite");
    let (db, opened) = Db::open(&path).await.unwrap();
    assert_eq!(opened, Opened::Created);
    assert!(users::needs_owner(&db).await.unwrap());
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(db.pool()).await.unwrap();
    assert_eq!(mode, "wal");
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(db.pool()).await.unwrap();
    assert_eq!(foreign_keys, 1);
    users::create_owner(&db, "boss", "老板", "secret-123").await.unwrap();
    db.close().await;

    let (db, opened) = Db::open(&path).await.unwrap();
    assert_eq!(opened, Opened::UpToDate);
    assert!(!users::needs_owner(&db).await.unwrap());
}

#[tokio::test]
async fn refuses_a_file_that_is_not_a_company_file() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("notes.sqlite");
    std::fs::write(&garbage, "this is a text file, not a database, and it is long enough to have a header....")
        .unwrap();
    assert!(matches!(Db::open(&garbage).await, Err(Error::NotACompanyFile { .. })));

    let foreign = dir.path().join("other.sqlite");
    let (db, _) = Db::open(&dir.path().join("scratch.sqlite")).await.unwrap();
    db.close().await;
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&foreign).create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        sqlx::query("CREATE TABLE recipes (id INTEGER)").execute(&pool).await.unwrap();
        pool.close().await;
    }
    assert!(matches!(Db::open(&foreign).await, Err(Error::NotACompanyFile { .. })));
}

#[tokio::test]
async fn refuses_a_file_from_a_newer_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("company.sqlite");
    let (db, _) = Db::open(&path).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (99999, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .execute(db.pool())
    .await
    .unwrap();
    db.close().await;
    match Db::open(&path).await {
        Err(Error::NewerFile { version, .. }) => assert_eq!(version, 99999),
        other => panic!("expected refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn copies_a_consistent_snapshot_while_open() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = Db::open(&dir.path().join("company.sqlite")).await.unwrap();
    users::create_owner(&db, "boss", "老板", "secret-123").await.unwrap();
    let copy = dir.path().join("copy.sqlite");
    db.copy_to(&copy).await.unwrap();
    let (copied, opened) = Db::open(&copy).await.unwrap();
    assert_eq!(opened, Opened::UpToDate);
    assert!(!users::needs_owner(&copied).await.unwrap());
}

#[tokio::test]
async fn upgrading_an_older_file_keeps_a_copy_of_it_first() {
    let dir = tempfile::tempdir().unwrap();
    // An "older" company file: only the first migration applied, as an earlier release left it.
    let first_only = dir.path().join("migrations-v1");
    std::fs::create_dir(&first_only).unwrap();
    let first = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("0001_"))
        .unwrap();
    std::fs::copy(&first, first_only.join(first.file_name().unwrap())).unwrap();
    let path = dir.path().join("company.sqlite");
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        sqlx::migrate::Migrator::new(first_only.as_path()).await.unwrap().run(&pool).await.unwrap();
        sqlx::query("INSERT INTO settings (key, value) VALUES ('marker', 'old')").execute(&pool).await.unwrap();
        pool.close().await;
    }

    let (db, opened) = Db::open(&path).await.unwrap();
    let Opened::Upgraded { from_version, safety_copy } = opened else { panic!("expected an upgrade, got {opened:?}") };
    assert_eq!(from_version, 1);
    assert!(users::needs_owner(&db).await.unwrap());
    let customers: i64 = sqlx::query_scalar("SELECT count(*) FROM customers").fetch_one(db.pool()).await.unwrap();
    assert_eq!(customers, 0, "the new tables exist");

    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&safety_copy).read_only(true);
    let copy = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let marker: String =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'marker'").fetch_one(&copy).await.unwrap();
    assert_eq!(marker, "old");
    let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 'customers'")
        .fetch_one(&copy)
        .await
        .unwrap();
    assert_eq!(tables, 0, "the copy is the file as it was before the upgrade");
}
