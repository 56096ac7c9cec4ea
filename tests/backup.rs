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
    let names: Vec<String> = customers::list(&db, &owner, &CustomerQuery::default())
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["备份前"]);
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
