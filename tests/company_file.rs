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
        Err(Error::NotACompanyFile { why, .. }) => assert!(why.contains("newer")),
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
