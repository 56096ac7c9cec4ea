//! Each role sees and changes only what it may, enforced by the engine for every call.

mod common;

use common::{company, input};
use suanpan::Error;
use suanpan::crm::customers::{self, CustomerInput, CustomerQuery};
use suanpan::crm::merge;
use suanpan::users::{self, NewUser};
use suanpan::{Actor, auth};

async fn visible(c: &common::Company, actor: &Actor) -> Vec<String> {
    common::customer_names(&c.db, actor).await
}

/// Three customers: one of each salesperson and one the owner keeps unassigned.
async fn three(c: &common::Company) -> (i64, i64, i64) {
    let sh = c.add(&c.sales_sh, "上海客户", "").await;
    let gz = c.add(&c.sales_gz, "广州客户", "").await;
    let none = c.add(&c.owner, "总部客户", "").await;
    (sh, gz, none)
}

#[tokio::test]
async fn each_role_lists_only_its_scope() {
    let c = company().await;
    three(&c).await;
    assert_eq!(visible(&c, &c.owner).await, ["上海客户", "广州客户", "总部客户"]);
    assert_eq!(visible(&c, &c.accountant).await, ["上海客户", "广州客户", "总部客户"]);
    assert_eq!(visible(&c, &c.manager).await, ["上海客户"]);
    assert_eq!(visible(&c, &c.clerk).await, ["上海客户"]);
    assert_eq!(visible(&c, &c.sales_sh).await, ["上海客户"]);
    assert_eq!(visible(&c, &c.sales_gz).await, ["广州客户"]);
}

#[tokio::test]
async fn search_never_reaches_past_the_scope() {
    let c = company().await;
    three(&c).await;
    let query = CustomerQuery { search: "广州".into(), ..Default::default() };
    assert_eq!(customers::list(&c.db, &c.sales_sh, &query).await.unwrap().total, 0);
    assert_eq!(customers::list(&c.db, &c.sales_gz, &query).await.unwrap().total, 1);
}

#[tokio::test]
async fn a_salesperson_cannot_read_edit_or_delete_anothers_customer() {
    let c = company().await;
    let (_, gz, _) = three(&c).await;
    assert!(matches!(customers::get(&c.db, &c.sales_sh, gz).await, Err(Error::NotFound { .. })));
    let edit = input("改名", "");
    assert!(matches!(customers::update(&c.db, &c.sales_sh, gz, &edit).await, Err(Error::NotFound { .. })));
    assert!(matches!(customers::delete(&c.db, &c.sales_sh, gz).await, Err(Error::NotFound { .. })));
    assert_eq!(customers::get(&c.db, &c.owner, gz).await.unwrap().name, "广州客户");
}

#[tokio::test]
async fn a_salesperson_owns_what_they_create_and_cannot_give_it_away() {
    let c = company().await;
    let mine = customers::create(&c.db, &c.sales_sh, &input("自己的", "")).await.unwrap().customer;
    assert_eq!(mine.owner.as_deref(), Some("zhangwei"));
    let for_other = CustomerInput { owner: "liuyang".into(), ..input("别人的", "") };
    assert!(matches!(
        customers::create(&c.db, &c.sales_sh, &for_other).await,
        Err(Error::Invalid { field: "owner", .. })
    ));
}

#[tokio::test]
async fn a_branch_manager_works_within_the_branch() {
    let c = company().await;
    let (sh, gz, _) = three(&c).await;
    let edit = CustomerInput { city: "上海".into(), ..input("上海客户", "") };
    assert!(customers::update(&c.db, &c.manager, sh, &edit).await.is_ok());
    assert!(customers::update(&c.db, &c.manager, gz, &edit).await.is_err());
    let to_gz = CustomerInput { owner: "liuyang".into(), ..input("转走", "") };
    assert!(customers::create(&c.db, &c.manager, &to_gz).await.is_err(), "cannot place a customer outside the branch");
}

#[tokio::test]
async fn accountants_read_and_clerks_enter_but_neither_deletes() {
    let c = company().await;
    let (sh, _, _) = three(&c).await;
    assert!(matches!(
        customers::create(&c.db, &c.accountant, &input("会计建的", "")).await,
        Err(Error::Forbidden { .. })
    ));
    let entered = customers::create(&c.db, &c.clerk, &input("文员录入", "")).await.unwrap().customer;
    assert_eq!(entered.branch_id, c.clerk.branch_id);
    assert!(matches!(customers::delete(&c.db, &c.clerk, sh).await, Err(Error::Forbidden { .. })));
    assert!(matches!(customers::delete(&c.db, &c.accountant, sh).await, Err(Error::Forbidden { .. })));
    assert!(matches!(merge::merge(&c.db, &c.sales_sh, sh, entered.id).await, Err(Error::Forbidden { .. })));
}

#[tokio::test]
async fn only_the_owner_manages_users_and_logins_are_checked() {
    let c = company().await;
    let new = NewUser {
        username: "newbie".into(),
        display_name: "新人".into(),
        role: "salesperson".into(),
        branch_code: Some("SH".into()),
        password: Some("another-pass".into()),
    };
    assert!(matches!(users::create(&c.db, &c.manager, &new).await, Err(Error::Forbidden { .. })));
    users::create(&c.db, &c.owner, &new).await.unwrap();
    assert!(auth::login(&c.db, "newbie", "another-pass").await.is_ok());
    assert!(matches!(auth::login(&c.db, "newbie", "wrong-pass").await, Err(Error::BadLogin)));
    assert!(matches!(auth::login(&c.db, "ghost", "another-pass").await, Err(Error::BadLogin)));
    assert!(matches!(users::create(&c.db, &c.owner, &new).await, Err(Error::AlreadyExists { .. })));
    assert!(users::create_owner(&c.db, "second", "二号", "password-2").await.is_err(), "one first owner only");
}

#[tokio::test]
async fn a_record_only_salesperson_cannot_log_in() {
    let c = company().await;
    let mut tx = c.db.write().await.unwrap();
    let (_, created) = users::ensure_salesperson(&mut tx, &c.owner, "小马").await.unwrap();
    tx.commit().await.unwrap();
    assert!(created);
    assert!(matches!(auth::login(&c.db, "小马", "").await, Err(Error::BadLogin)));
}

#[tokio::test]
async fn the_owner_edits_deactivates_and_resets_users_but_keeps_an_owner() {
    use suanpan::users::UserChange;

    let c = company().await;
    let zhang = c.sales_sh.user_id;
    let off = UserChange { active: Some(false), ..Default::default() };
    assert!(matches!(users::update(&c.db, &c.manager, zhang, &off).await, Err(Error::Forbidden { .. })));
    users::update(&c.db, &c.owner, zhang, &off).await.unwrap();
    assert!(matches!(auth::login(&c.db, "zhangwei", common::PASSWORD).await, Err(Error::BadLogin)));
    let on = UserChange { active: Some(true), role: Some("branch_manager".into()), ..Default::default() };
    let promoted = users::update(&c.db, &c.owner, zhang, &on).await.unwrap();
    assert_eq!(promoted.role, "branch_manager");
    assert_eq!(auth::login(&c.db, "zhangwei", common::PASSWORD).await.unwrap().role, suanpan::Role::BranchManager);

    let demote_owner = UserChange { role: Some("clerk".into()), ..Default::default() };
    assert!(users::update(&c.db, &c.owner, c.owner.user_id, &demote_owner).await.is_err(), "the last owner stays");
    assert_eq!(users::get(&c.db, c.owner.user_id).await.unwrap().role, "owner", "nothing was changed");

    // A salesperson named by an import gets a password and can log in; people change their own.
    let mut tx = c.db.write().await.unwrap();
    let (ma, _) = users::ensure_salesperson(&mut tx, &c.owner, "xiaoma").await.unwrap();
    tx.commit().await.unwrap();
    assert!(users::set_password(&c.db, &c.sales_gz, ma, "new-password").await.is_err());
    users::set_password(&c.db, &c.owner, ma, "new-password").await.unwrap();
    assert!(auth::login(&c.db, "xiaoma", "new-password").await.is_ok());
    users::set_password(&c.db, &c.sales_gz, c.sales_gz.user_id, "mine-only").await.unwrap();
    assert!(auth::login(&c.db, "liuyang", "mine-only").await.is_ok());
}

/// Issue 10: typing a phone number told a salesperson another salesperson's customer's code and name.
#[tokio::test]
async fn regression_duplicate_checks_stay_within_the_scope() {
    let c = company().await;
    c.add(&c.sales_sh, "上海鼎盛贸易", "13800138000").await;
    let theirs = customers::find_duplicates(&c.db, &c.sales_gz, "上海鼎盛贸易", "13800138000", None).await.unwrap();
    assert!(theirs.is_empty(), "{theirs:?}");
    let mine = customers::find_duplicates(&c.db, &c.owner, "", "138-0013-8000", None).await.unwrap();
    assert_eq!(mine.len(), 1);
    // Saving is not held back by a customer the salesperson cannot see, nor told about it.
    let saved = customers::create(&c.db, &c.sales_gz, &input("上海鼎盛贸易", "13800138000")).await;
    assert!(saved.is_ok(), "{saved:?}");
    let refused = customers::create(&c.db, &c.owner, &input("上海鼎盛贸易", "")).await;
    assert!(matches!(refused, Err(Error::PossibleDuplicate { ref matches }) if matches.len() == 2), "{refused:?}");
}

/// Issue 10: an insert-mode import reported "skipped" for a code outside the importer's scope,
/// telling them it existed and was theirs.
#[tokio::test]
async fn regression_an_import_does_not_skip_a_code_it_may_not_see() {
    let c = company().await;
    let sh = customers::create(
        &c.db,
        &c.sales_sh,
        &CustomerInput { code: "C100".into(), name: "上海客户".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.csv");
    std::fs::write(&file, "code,name\nC100,广州冒名客户\n").unwrap();
    for mode in [suanpan::io::import::Mode::Insert, suanpan::io::import::Mode::Upsert] {
        let options = suanpan::io::import::ImportOptions { mode, ..Default::default() };
        let report = suanpan::io::import::import_file(
            &c.db,
            &c.sales_gz,
            suanpan::io::import::Entity::Customers,
            &file,
            options,
        )
        .await
        .unwrap();
        let found: Vec<(u64, &str)> = report.errors.iter().map(|e| (e.line, e.reason)).collect();
        assert_eq!(found, [(2, "taken")], "{mode:?}");
        assert_eq!(report.skipped, 0);
    }
    let kept = customers::get(&c.db, &c.owner, sh.customer.id).await.unwrap();
    assert_eq!(kept.name, "上海客户");
}

/// The window decides what to show from the session alone, so the session must say exactly what the
/// engine would allow: every key listed is a call `can` accepts, and none it refuses.
#[tokio::test]
async fn the_session_lists_what_the_engine_allows_and_whose_records_are_seen() {
    use suanpan::api;
    use suanpan::auth::Permission;

    let c = company().await;
    for actor in [&c.owner, &c.accountant, &c.manager, &c.sales_sh, &c.clerk] {
        let session = api::session(&c.db, actor.clone()).await.unwrap();
        for permission in Permission::ALL {
            assert_eq!(
                session.permissions.contains(&permission.key()),
                actor.can(permission),
                "{:?} {}",
                actor.role,
                permission.key()
            );
        }
    }
    let clerk = api::session(&c.db, c.clerk.clone()).await.unwrap();
    assert!(clerk.permissions.contains(&"write_customers"));
    assert!(!clerk.permissions.contains(&"delete_customers"), "a clerk deletes nothing");
    assert_eq!(clerk.scope, "branch");
    assert_eq!(clerk.language, "zh-CN");
    assert_eq!(api::session(&c.db, c.sales_sh.clone()).await.unwrap().scope, "own");
    assert_eq!(api::session(&c.db, c.owner.clone()).await.unwrap().scope, "all");
}

/// The customer form offers as owners the people who sell, whoever asks for the list.
#[tokio::test]
async fn the_user_list_marks_who_keeps_customers() {
    let c = company().await;
    let listed = users::list(&c.db, &c.clerk).await.unwrap();
    let keepers: Vec<&str> = listed.iter().filter(|u| u.keeps_customers).map(|u| u.username.as_str()).collect();
    assert_eq!(keepers, ["boss", "liuyang", "sh_manager", "zhangwei"]);
    assert!(users::get(&c.db, c.sales_sh.user_id).await.unwrap().keeps_customers);
    assert!(!users::get(&c.db, c.accountant.user_id).await.unwrap().keeps_customers);
}
