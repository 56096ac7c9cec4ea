//! Customers through the engine calls the window and the CLI use.

mod common;

use common::{company, input};
use suanpan::Error;
use suanpan::crm::contacts::{self, ContactInput};
use suanpan::crm::customers::{self, CustomerInput, CustomerQuery, CustomerSort};
use suanpan::crm::merge;
use suanpan::crm::picklists::{self, PickList};
use suanpan::error::Reason;

async fn search(c: &common::Company, actor: &suanpan::Actor, words: &str) -> Vec<String> {
    let query = CustomerQuery { search: words.into(), sort: CustomerSort::Code, ..Default::default() };
    customers::list(&c.db, actor, &query).await.unwrap().rows.into_iter().map(|r| r.name).collect()
}

#[tokio::test]
async fn creates_with_a_generated_code_and_finds_by_pinyin_initials() {
    let c = company().await;
    let full = CustomerInput {
        name: "上海鼎盛".into(),
        kind: "中间客户".into(),
        source: "展会".into(),
        level: "Gold".into(),
        phone: "138-0013-8000".into(),
        city: "上海".into(),
        birthday: "1980年5月6日".into(),
        tags: "VIP、重点".into(),
        owner: "zhangwei".into(),
        ..Default::default()
    };
    let saved = customers::create(&c.db, &c.owner, &full).await.unwrap().customer;
    assert_eq!(saved.code, "C000001");
    assert_eq!(saved.kind, "channel");
    assert_eq!(saved.level.as_deref(), Some("金牌"));
    assert_eq!(saved.birthday.as_deref(), Some("1980-05-06"));
    assert_eq!(saved.tags, "VIP,重点");
    c.add(&c.owner, "广州华丰", "13900000000").await;

    assert_eq!(search(&c, &c.owner, "shds").await, ["上海鼎盛"]);
    assert_eq!(search(&c, &c.owner, "SHDS").await, ["上海鼎盛"]);
    assert_eq!(search(&c, &c.owner, "鼎盛").await, ["上海鼎盛"]);
    assert_eq!(search(&c, &c.owner, "dingsheng").await, ["上海鼎盛"]);
    assert_eq!(search(&c, &c.owner, "ds").await, ["上海鼎盛"], "two letters: initials");
    assert!(search(&c, &c.owner, "an").await.is_empty(), "not any two letters of a spelling (shanghai, guangzhou)");
    assert_eq!(search(&c, &c.owner, "ang").await.len(), 2, "three are read in spellings too");
    assert_eq!(search(&c, &c.owner, "13800138000").await, ["上海鼎盛"]);
    assert_eq!(search(&c, &c.owner, "0013").await, ["上海鼎盛"]);
    assert_eq!(search(&c, &c.owner, "C000002").await, ["广州华丰"]);
    assert_eq!(search(&c, &c.owner, "VIP").await, ["上海鼎盛"]);
    assert_eq!(search(&c, &c.owner, "上海 VIP").await, ["上海鼎盛"]);
    assert!(search(&c, &c.owner, "上海 广州").await.is_empty());
    assert!(search(&c, &c.owner, "100%").await.is_empty());
    assert_eq!(search(&c, &c.owner, "").await.len(), 2);
}

#[tokio::test]
async fn finds_a_customer_by_its_contacts() {
    let c = company().await;
    let id = c.add(&c.owner, "杭州永泰", "").await;
    let contact = ContactInput { name: "欧阳娜娜".into(), phone: "13711112222".into(), ..Default::default() };
    contacts::add(&c.db, &c.owner, id, &contact).await.unwrap();
    assert_eq!(search(&c, &c.owner, "欧阳").await, ["杭州永泰"]);
    assert_eq!(search(&c, &c.owner, "oynn").await, ["杭州永泰"]);
    assert_eq!(search(&c, &c.owner, "13711112222").await, ["杭州永泰"]);
    assert_eq!(search(&c, &c.owner, "永泰 欧阳").await, ["杭州永泰"], "words from the customer and a contact");

    // A contact renamed is found by its new name only; a contact deleted is not found at all.
    let saved = contacts::list(&c.db, &c.owner, id).await.unwrap().remove(0);
    let renamed = ContactInput { name: "司马光".into(), ..contact };
    contacts::update(&c.db, &c.owner, saved.id, &renamed).await.unwrap();
    assert!(search(&c, &c.owner, "欧阳").await.is_empty());
    assert_eq!(search(&c, &c.owner, "smg").await, ["杭州永泰"]);
    contacts::delete(&c.db, &c.owner, saved.id).await.unwrap();
    assert!(search(&c, &c.owner, "司马").await.is_empty());
    assert!(search(&c, &c.owner, "13711112222").await.is_empty());
}

#[tokio::test]
async fn every_bad_field_is_reported_by_name() {
    let c = company().await;
    let bad = CustomerInput {
        name: " ".into(),
        kind: "vip".into(),
        phone: "call me".into(),
        email: "wang@".into(),
        birthday: "2023-02-30".into(),
        source: "月球".into(),
        owner: "nobody".into(),
        ..Default::default()
    };
    let Err(Error::Fields(fields)) = customers::create(&c.db, &c.owner, &bad).await else {
        panic!("expected field errors");
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field).collect();
    for field in ["name", "type", "phone", "email", "birthday", "source", "owner"] {
        assert!(names.contains(&field), "{field} missing from {names:?}");
    }
    let total = customers::list(&c.db, &c.owner, &CustomerQuery::default()).await.unwrap().total;
    assert_eq!(total, 0, "nothing is written");
}

#[tokio::test]
async fn warns_of_a_duplicate_name_or_phone_and_saves_when_told() {
    let c = company().await;
    c.add(&c.owner, "上海鼎盛（集团）", "021-6288 1234").await;
    let same_name = customers::create(&c.db, &c.owner, &input("上海鼎盛(集团)", "")).await;
    match same_name {
        Err(Error::PossibleDuplicate { matches }) => {
            assert_eq!(matches.len(), 1);
            assert_eq!(matches[0].field, "name");
            assert_eq!(matches[0].code, "C000001");
        }
        other => panic!("expected a duplicate warning, got {other:?}"),
    }
    let same_phone = customers::create(&c.db, &c.owner, &input("另一家", "02162881234")).await;
    assert!(matches!(same_phone, Err(Error::PossibleDuplicate { ref matches }) if matches[0].field == "phone"));
    let forced = CustomerInput { allow_duplicate: true, ..input("上海鼎盛(集团)", "") };
    assert!(customers::create(&c.db, &c.owner, &forced).await.is_ok());
    let taken_code = CustomerInput { code: "C000001".into(), allow_duplicate: true, ..input("新客户", "") };
    assert!(matches!(
        customers::create(&c.db, &c.owner, &taken_code).await,
        Err(Error::AlreadyExists { field: "code", .. })
    ));
}

#[tokio::test]
async fn edits_are_audited_old_to_new_and_stale_edits_refused() {
    let c = company().await;
    let id = c.add(&c.owner, "南京博远", "13912345678").await;
    let loaded = customers::get(&c.db, &c.owner, id).await.unwrap();
    let edit =
        CustomerInput { city: "南京".into(), version: Some(loaded.version), ..input("南京博远", "13912345678") };
    let saved = customers::update(&c.db, &c.owner, id, &edit).await.unwrap().customer;
    assert_eq!(saved.city, "南京");
    assert_eq!(saved.code, loaded.code, "an edit without a code keeps the code");
    assert_eq!(saved.version, loaded.version + 1);

    let stale = customers::update(&c.db, &c.owner, id, &edit).await;
    assert!(matches!(stale, Err(Error::Conflict { .. })));

    let history = customers::history(&c.db, &c.owner, id).await.unwrap();
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(actions, ["create", "update"]);
    let changes: serde_json::Value = serde_json::from_str(&history[1].changes).unwrap();
    assert_eq!(changes["city"], serde_json::json!(["", "南京"]));
    assert_eq!(history[1].username.as_deref(), Some("boss"));
}

#[tokio::test]
async fn lists_page_and_sort_by_pinyin() {
    let c = company().await;
    for name in ["张三", "阿里", "北京", "成都", "Zeta"] {
        c.add(&c.owner, name, "").await;
    }
    let by_name = CustomerQuery { sort: CustomerSort::Name, limit: 2, offset: 1, ..Default::default() };
    let page = customers::list(&c.db, &c.owner, &by_name).await.unwrap();
    assert_eq!(page.total, 5);
    let names: Vec<String> = page.rows.into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["北京", "成都"], "a-li, bei-jing, cheng-du, zeta, zhang-san");
    let descending = CustomerQuery { sort: CustomerSort::Code, descending: true, limit: 1, ..Default::default() };
    assert_eq!(customers::list(&c.db, &c.owner, &descending).await.unwrap().rows[0].code, "C000005");
}

#[tokio::test]
async fn delete_removes_contacts_but_is_refused_while_referenced() {
    let c = company().await;
    let free = c.add(&c.owner, "可删除", "").await;
    contacts::add(&c.db, &c.owner, free, &ContactInput { name: "李四".into(), ..Default::default() }).await.unwrap();
    customers::delete(&c.db, &c.owner, free).await.unwrap();
    assert!(matches!(customers::get(&c.db, &c.owner, free).await, Err(Error::NotFound { .. })));
    assert!(search(&c, &c.owner, "可删除").await.is_empty(), "gone from search too");
    assert!(search(&c, &c.owner, "李四").await.is_empty(), "its contacts too");
    let contact_rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM contact_search").fetch_one(c.db.pool()).await.unwrap();
    assert_eq!(contact_rows, 0, "no search row is left of a contact its customer took with it");

    // Any table a later module adds with a key to customers (orders, activities…) blocks deletion.
    let used = c.add(&c.owner, "有订单", "").await;
    sqlx::query("CREATE TABLE orders_probe (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id))")
        .execute(c.db.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO orders_probe (customer_id) VALUES (?)").bind(used).execute(c.db.pool()).await.unwrap();
    match customers::delete(&c.db, &c.owner, used).await {
        Err(Error::InUse { by, .. }) => assert_eq!(by, "1 orders_probe"),
        other => panic!("expected in use, got {other:?}"),
    }
    assert!(customers::get(&c.db, &c.owner, used).await.is_ok());
}

#[tokio::test]
async fn merge_moves_contacts_references_and_history_to_the_survivor() {
    let c = company().await;
    let survivor = c.add(&c.owner, "上海鼎盛", "").await;
    let merged = customers::create(
        &c.db,
        &c.owner,
        &CustomerInput {
            phone: "13800138000".into(),
            tags: "VIP".into(),
            notes: "老板爱喝茶".into(),
            allow_duplicate: true,
            ..input("上海鼎盛", "")
        },
    )
    .await
    .unwrap()
    .customer;
    contacts::add(&c.db, &c.owner, merged.id, &ContactInput { name: "王经理".into(), ..Default::default() })
        .await
        .unwrap();
    sqlx::query(
        "CREATE TABLE activities_probe (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id))",
    )
    .execute(c.db.pool())
    .await
    .unwrap();
    sqlx::query("INSERT INTO activities_probe (customer_id) VALUES (?)")
        .bind(merged.id)
        .execute(c.db.pool())
        .await
        .unwrap();

    let after = merge::merge(&c.db, &c.owner, survivor, merged.id).await.unwrap();
    assert_eq!(after.phone, "13800138000", "gaps filled from the merged customer");
    assert_eq!(after.tags, "VIP");
    assert!(after.notes.contains("老板爱喝茶"));
    let moved = contacts::list(&c.db, &c.owner, survivor).await.unwrap();
    assert_eq!(moved.len(), 1);
    let pointing: i64 =
        sqlx::query_scalar("SELECT customer_id FROM activities_probe").fetch_one(c.db.pool()).await.unwrap();
    assert_eq!(pointing, survivor);
    assert!(customers::get(&c.db, &c.owner, merged.id).await.is_err());
    let history = customers::history(&c.db, &c.owner, survivor).await.unwrap();
    assert!(history.iter().any(|h| h.entity_id == Some(merged.id) && h.action == "create"), "merged history follows");
    assert!(history.iter().any(|h| h.action == "merge"));
    assert_eq!(search(&c, &c.owner, "13800138000").await, ["上海鼎盛"]);
    assert_eq!(search(&c, &c.owner, "王经理").await, ["上海鼎盛"], "the survivor by the contact it took over");
    assert_eq!(search(&c, &c.owner, "").await.len(), 1);
    assert!(merge::merge(&c.db, &c.owner, survivor, survivor).await.is_err());
}

#[tokio::test]
async fn pick_lists_are_editable_and_used_entries_cannot_be_deleted() {
    let c = company().await;
    let added = picklists::add(&c.db, &c.owner, PickList::Source, "抖音", "Douyin").await.unwrap();
    let customer = CustomerInput { source: "douyin".into(), ..input("网红店", "") };
    let saved = customers::create(&c.db, &c.owner, &customer).await.unwrap().customer;
    assert_eq!(saved.source.as_deref(), Some("抖音"));
    let renamed =
        picklists::update(&c.db, &c.owner, PickList::Source, added.id, "抖音直播", "Douyin live", true).await.unwrap();
    assert_eq!(renamed.used, 1);
    assert_eq!(customers::get(&c.db, &c.owner, saved.id).await.unwrap().source.as_deref(), Some("抖音直播"));
    assert!(matches!(picklists::delete(&c.db, &c.owner, PickList::Source, added.id).await, Err(Error::InUse { .. })));
    let unused = picklists::add(&c.db, &c.owner, PickList::Level, "钻石", "").await.unwrap();
    picklists::delete(&c.db, &c.owner, PickList::Level, unused.id).await.unwrap();
    assert!(matches!(
        picklists::add(&c.db, &c.sales_sh, PickList::Level, "黑金", "").await,
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        picklists::add(&c.db, &c.owner, PickList::Level, "", "").await,
        Err(Error::Invalid { field: "name", reason: Reason::Required })
    ));
}
