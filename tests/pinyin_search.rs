//! Issue 10, "search that misses": customers are found by the initials of the way their names are read
//! (重庆 by `cq`, 厦门 by `xm`, 单 as a surname by `s`), sorted by that reading, in new and older files.

mod common;

use suanpan::crm::contacts::{self, ContactInput};
use suanpan::crm::customer_list::{self, CustomerQuery, CustomerSort};
use suanpan::crm::customers::{self, CustomerInput};
use suanpan::crm::search;
use suanpan::{Actor, Db, auth, users};

/// The names of the customers the list finds for `words`, sorted by name: the engine call behind the
/// window's list and the CLI's `customers list --search`.
async fn found(db: &Db, actor: &Actor, words: &str) -> Vec<String> {
    let query = CustomerQuery { search: words.into(), sort: CustomerSort::Name, ..Default::default() };
    customer_list::list(db, actor, &query).await.expect("list").rows.into_iter().map(|r| r.name).collect()
}

const NAMES: [(&str, &str); 13] = [
    ("重庆长安贸易", "cqca"),
    ("长沙银行", "csyh"),
    ("长春一汽", "cc"),
    ("厦门航空", "xmhk"),
    ("朝阳区五金店", "cyq"),
    ("单伟", "sw"),
    ("单县羊汤馆", "sx"),
    ("曾小明", "zxm"),
    ("解大伟", "xdw"),
    ("仇立", "ql"),
    ("乐山大佛旅游", "ls"),
    ("蚌埠商贸", "bbsm"),
    ("六安茶叶", "la"),
];

#[tokio::test]
async fn place_names_and_surnames_are_found_by_the_initials_people_type() {
    let c = common::company().await;
    for (name, _) in NAMES {
        customers::create(&c.db, &c.owner, &common::input(name, "")).await.expect(name);
    }
    for (name, initials) in NAMES {
        let hits = found(&c.db, &c.owner, initials).await;
        assert!(hits.iter().any(|h| h == name), "{initials} should find {name}, found {hits:?}");
    }
    assert_eq!(found(&c.db, &c.owner, "cq").await, ["重庆长安贸易"]);
    assert_eq!(found(&c.db, &c.owner, "xmhk").await, ["厦门航空"], "厦 is xià in 厦门");
    assert_eq!(found(&c.db, &c.owner, "chongqing").await, ["重庆长安贸易"]);
    assert_eq!(found(&c.db, &c.owner, "zengxiaoming").await, ["曾小明"]);
    // What the first readings gave is still found: nobody loses a search they used to type.
    assert_eq!(found(&c.db, &c.owner, "zqza").await, ["重庆长安贸易"]);
    assert_eq!(found(&c.db, &c.owner, "cxm").await, ["曾小明"]);
}

#[tokio::test]
async fn the_name_sort_files_a_name_under_its_reading() {
    let c = common::company().await;
    for name in ["中山五金", "重庆火锅", "长沙米粉", "曾小明", "厦门鼓浪屿", "上海鼎盛", "单伟"]
    {
        customers::create(&c.db, &c.owner, &common::input(name, "")).await.expect(name);
    }
    // changsha, chongqing, shanghai, shanwei, xiamen, zengxiaoming, zhongshan: under the first readings
    // (zhangsha, zhongqing, shawei/danwei, cengxiaoming) 长沙 and 重庆 sat among the Z's.
    assert_eq!(
        found(&c.db, &c.owner, "").await,
        ["长沙米粉", "重庆火锅", "上海鼎盛", "单伟", "厦门鼓浪屿", "曾小明", "中山五金"]
    );
}

#[tokio::test]
async fn contacts_cities_and_a_long_name_are_found_too() {
    let c = common::company().await;
    let input = CustomerInput { city: "重庆".into(), ..common::input("鼎盛贸易", "") };
    let customer = customers::create(&c.db, &c.owner, &input).await.expect("customer").customer;
    let contact = ContactInput { name: "曾志强".into(), ..Default::default() };
    contacts::add(&c.db, &c.owner, customer.id, &contact).await.expect("contact");
    assert_eq!(found(&c.db, &c.owner, "cq").await, ["鼎盛贸易"], "by its city");
    assert_eq!(found(&c.db, &c.owner, "zzq").await, ["鼎盛贸易"], "by its contact's surname");

    // Twenty polyphonic characters, five times over: a bounded search row, still found by the reading
    // of its start and by one character read another common way.
    let long = "重长行朝单曾解仇乐会藏传调便宿区查种秘折".repeat(5);
    customers::create(&c.db, &c.owner, &common::input(&long, "")).await.expect("long name");
    let code: String = sqlx::query_scalar("SELECT code FROM customers WHERE name = ?")
        .bind(&long)
        .fetch_one(c.db.pool())
        .await
        .unwrap();
    let body = search::body(&[code, long.clone()]);
    assert_eq!(body.lines().count(), 2 + 8 + 1, "code, name, 8 initials strings, 1 spelling: {body}");
    assert!(body.len() < 10 * long.len(), "{} bytes for a name of {}", body.len(), long.len());
    assert_eq!(found(&c.db, &c.owner, "zcxc").await, [long.as_str()], "the chosen readings");
    assert_eq!(found(&c.db, &c.owner, "cc").await, [long.as_str()], "重 read chóng");
}

#[tokio::test]
async fn a_short_word_with_punctuation_is_looked_for_in_the_fields() {
    let c = common::company().await;
    let input = CustomerInput { email: "x@dingsheng.cn".into(), ..common::input("鼎盛贸易", "021-5555") };
    let customer = customers::create(&c.db, &c.owner, &input).await.expect("customer").customer;
    customers::create(&c.db, &c.owner, &common::input("华丰五金", "")).await.expect("other");
    assert_eq!(found(&c.db, &c.owner, "x@").await, ["鼎盛贸易"], "in the e-mail");
    assert_eq!(found(&c.db, &c.owner, "1-").await, ["鼎盛贸易"], "in the phone");
    assert_eq!(found(&c.db, &c.owner, "%").await, Vec::<String>::new(), "a wildcard is a character");
    let contact = ContactInput { name: "王伟".into(), phone: "139-0000".into(), ..Default::default() };
    contacts::add(&c.db, &c.owner, customer.id, &contact).await.expect("contact");
    assert_eq!(found(&c.db, &c.owner, "9-").await, ["鼎盛贸易"], "in a contact's phone");
}

/// A company file from before this change: schema version 7, its customers' keys made from the first
/// reading of every character only, as that release wrote them.
async fn file_with_the_first_readings(path: &std::path::Path) {
    let dir = path.parent().unwrap().join("migrations-v7");
    std::fs::create_dir(&dir).unwrap();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap() {
        let file = entry.unwrap().path();
        let name = file.file_name().unwrap().to_str().unwrap().to_string();
        if name.as_str() <= "0007_~" {
            std::fs::copy(&file, dir.join(&name)).unwrap();
        }
    }
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path).create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(dir.as_path()).await.unwrap().run(&pool).await.unwrap();
    let old = [
        (1, "C000001", "重庆长安贸易", "zhongqingzhanganmaoyi", "c000001\n重庆长安贸易\nzqzamy\nzhongqingzhanganmaoyi"),
        (
            2,
            "C000002",
            "上海鼎盛",
            "shanghaidingsheng",
            "c000002\n上海鼎盛\nshds\nshanghaidingsheng\n曾小明\ncxm\ncengxiaoming",
        ),
        (3, "C000003", "广州华丰", "guangzhouhuafeng", "c000003\n广州华丰\ngzhf\nguangzhouhuafeng"),
    ];
    for (id, code, name, name_pinyin, body) in old {
        sqlx::query(
            "INSERT INTO customers (id, code, name, name_pinyin, kind, created_on, updated_at)
             VALUES (?, ?, ?, ?, 'channel', '2024-01-02', '2024-01-02T00:00:00Z')",
        )
        .bind(id)
        .bind(code)
        .bind(name)
        .bind(name_pinyin)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO customer_search (rowid, body) VALUES (?, ?)")
            .bind(id)
            .bind(body)
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO customer_search_pairs (rowid, pairs) VALUES (?, ?)")
            .bind(id)
            .bind(search::pairs(body))
            .execute(&pool)
            .await
            .unwrap();
    }
    sqlx::query("INSERT INTO contacts (customer_id, name, created_at) VALUES (2, '曾小明', '2024-01-02T00:00:00Z')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[tokio::test]
async fn a_file_made_with_the_first_readings_is_found_by_the_right_ones_once_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("company.sqlite");
    file_with_the_first_readings(&path).await;

    let (db, _) = suanpan::company::open(&path).await.unwrap();
    users::create_owner(&db, "boss", "王老板", common::PASSWORD).await.unwrap();
    let boss = auth::login(&db, "boss", common::PASSWORD).await.unwrap();
    assert_eq!(found(&db, &boss, "cq").await, ["重庆长安贸易"]);
    assert_eq!(found(&db, &boss, "zxm").await, ["上海鼎盛"], "by its contact, 曾 read zēng");
    assert_eq!(found(&db, &boss, "zqza").await, ["重庆长安贸易"], "the old initials still work");
    assert_eq!(found(&db, &boss, "").await, ["重庆长安贸易", "广州华丰", "上海鼎盛"], "sorted by the new key");

    // Done once: the file now records the recipe. A file that records none is from before recipe 3,
    // whose pairs indexes held other text: its three customers' and one contact's rows are written again.
    assert_eq!(search::refresh_keys(&db).await.unwrap(), 0);
    sqlx::query("DELETE FROM derived_keys").execute(db.pool()).await.unwrap();
    assert_eq!(search::refresh_keys(&db).await.unwrap(), 3 + 1);
    assert_eq!(search::refresh_keys(&db).await.unwrap(), 0);
    assert_eq!(found(&db, &boss, "zxm").await, ["上海鼎盛"]);
    let version: i64 =
        sqlx::query_scalar("SELECT version FROM customers WHERE id = 1").fetch_one(db.pool()).await.unwrap();
    assert_eq!(version, 1, "a derived key is not an edit");
}
