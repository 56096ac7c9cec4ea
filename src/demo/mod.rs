//! A deterministic, realistic demo company: branches, users, customers with contacts, and their trade.
//!
//! The same scale always gives the same company, so screenshots, tests and benchmarks agree.
//! Later modules add their own history here (books, receivables, payroll).

use chrono::{Duration, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::SqliteConnection;

use crate::audit;
use crate::auth::{self, Actor, Role};
use crate::choice::Choice;
use crate::crm::customers::{CustomerInput, Lookups, insert_in};
use crate::crm::search;
use crate::db::{Db, now_stamp};
use crate::error::{Error, Refusal, Result};
use crate::{settings, users};

mod pipeline;
mod trade;

pub use pipeline::PipelineSummary;
pub use trade::TradeSummary;

/// Set in a demo company's settings, so the app can say so.
pub const MARKER: &str = "demo.scale";
/// Every demo user's password.
pub const PASSWORD: &str = "demo1234";
/// Customers per unit of scale.
pub const CUSTOMERS_PER_SCALE: usize = 1_000;

/// What a demo run wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub users: usize,
    pub customers: usize,
    pub contacts: usize,
    pub trade: TradeSummary,
    pub pipeline: PipelineSummary,
}

const BRANCHES: [(&str, &str, &str); 4] = [
    ("HQ", "总部", "branch"),
    ("SH", "上海分公司", "branch"),
    ("GZ", "广州分公司", "branch"),
    ("FIN", "财务部", "department"),
];

/// (user name, display name, role, branch code)
const USERS: [(&str, &str, Role, &str); 11] = [
    ("boss", "王建国", Role::Owner, "HQ"),
    ("kuaiji", "赵丽", Role::Accountant, "FIN"),
    ("sh_manager", "孙强", Role::BranchManager, "SH"),
    ("gz_manager", "周敏", Role::BranchManager, "GZ"),
    ("zhangwei", "张伟", Role::Salesperson, "SH"),
    ("lina", "李娜", Role::Salesperson, "SH"),
    ("wangfang", "王芳", Role::Salesperson, "SH"),
    ("liuyang", "刘洋", Role::Salesperson, "GZ"),
    ("chenjing", "陈静", Role::Salesperson, "GZ"),
    ("yangfan", "杨帆", Role::Salesperson, "HQ"),
    ("wenyuan", "吴文", Role::Clerk, "SH"),
];

const CITIES: [&str; 12] =
    ["上海", "北京", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "西安", "天津", "重庆"];
const TRADE_NAMES: [&str; 24] = [
    "鼎盛", "华丰", "永泰", "恒通", "金源", "宏达", "瑞祥", "德隆", "新特", "嘉禾", "博远", "天成", "中联", "东方",
    "汇通", "盛世", "锦程", "万达", "信诚", "和信", "隆昌", "泰和", "富华", "创新",
];
const INDUSTRIES: [&str; 10] = ["贸易", "科技", "实业", "电子", "建材", "食品", "服饰", "机电", "医药", "文化"];
const SUFFIXES: [&str; 3] = ["有限公司", "股份有限公司", "商行"];
const INSTITUTIONS: [&str; 6] = ["第一中学", "人民医院", "实验小学", "图书馆", "职业技术学院", "社区服务中心"];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高",
    "罗",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "志强",
];
const HOBBIES: [&str; 12] =
    ["高尔夫", "茶道", "书法", "钓鱼", "摄影", "旅游", "红酒", "登山", "收藏", "围棋", "篮球", "瑜伽"];
const SOURCES: [&str; 7] = ["转介绍", "网站", "展会", "电话陌拜", "广告", "老客户", "其他"];
/// Referrals and old customers bring more business than cold calls: weights per source.
const SOURCE_WEIGHTS: [u32; 7] = [30, 18, 16, 8, 10, 14, 4];
const LEVELS: [&str; 5] = ["普通", "银牌", "金牌", "会员", "VIP"];
const LEVEL_WEIGHTS: [u32; 5] = [50, 20, 12, 14, 4];
const TITLES: [&str; 6] = ["总经理", "采购经理", "财务主管", "行政主管", "校长", "主任"];
const STREETS: [&str; 8] = ["人民路", "中山路", "解放路", "建设路", "南京路", "长江路", "和平路", "新华路"];

/// Fills a new, empty company file with a demo company of `scale` × 1,000 customers.
pub async fn generate(db: &Db, scale: u32) -> Result<DemoSummary> {
    if !users::needs_owner(db).await? {
        return Err(Error::Refused(Refusal::DemoNeedsEmptyFile));
    }
    let scale = scale.max(1);
    let mut rng = ChaCha8Rng::seed_from_u64(0x5a_u64.wrapping_add(u64::from(scale)));
    let hash = auth::hash_password(PASSWORD)?;
    let mut tx = db.write().await?;

    let mut branch_ids = std::collections::HashMap::new();
    for (code, name, kind) in BRANCHES {
        let id = sqlx::query("INSERT INTO branches (code, name, kind, created_at) VALUES (?, ?, ?, ?)")
            .bind(code)
            .bind(name)
            .bind(kind)
            .bind(now_stamp())
            .execute(&mut *tx)
            .await?
            .last_insert_rowid();
        branch_ids.insert(code, id);
    }
    let mut salespeople: Vec<(String, Option<i64>)> = Vec::new();
    let mut owner: Option<Actor> = None;
    for (username, display_name, role, branch) in USERS {
        let branch_id = branch_ids.get(branch).copied();
        let id = sqlx::query(
            "INSERT INTO users (username, display_name, role, branch_id, password_hash, can_login, created_at)
             VALUES (?, ?, ?, ?, ?, 1, ?)",
        )
        .bind(username)
        .bind(display_name)
        .bind(role.as_str())
        .bind(branch_id)
        .bind(&hash)
        .bind(now_stamp())
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
        if role == Role::Salesperson {
            salespeople.push((username.to_string(), branch_id));
        }
        if role == Role::Owner {
            owner = Some(Actor {
                user_id: id,
                username: username.into(),
                display_name: display_name.into(),
                role,
                branch_id,
            });
        }
    }
    let owner = owner.ok_or(Error::Refused(Refusal::DemoHasNoOwner))?;

    let customers = scale as usize * CUSTOMERS_PER_SCALE;
    let mut contacts = 0;
    let first_day = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap_or(NaiveDate::MIN);
    let mut lookups = Lookups::default();
    let mut buyers = Vec::with_capacity(customers);
    for index in 0..customers {
        let (input, contact_count) = customer(&mut rng, index, first_day, &salespeople);
        buyers.push(trade::DemoCustomer {
            code: input.code.clone(),
            owner: input.owner.clone(),
            member: ["会员", "VIP", "金牌"].contains(&input.level.as_str()),
            since: NaiveDate::parse_from_str(&input.created_on, "%Y-%m-%d").unwrap_or(first_day),
        });
        let valid = crate::crm::customers::validate(&mut tx, &owner, &input, &mut lookups).await?;
        let id = insert_in(&mut tx, &valid).await?;
        for _ in 0..contact_count {
            insert_contact(&mut tx, &mut rng, id).await?;
            contacts += 1;
        }
    }
    let mut contacts_search = search::Staging::start(&mut tx, search::Rows::Contacts).await?;
    contacts_search.add_contacts_after(&mut tx, 0).await?;
    contacts_search.finish(&mut tx).await?;
    audit::record(
        &mut tx,
        &owner,
        "company",
        0,
        "demo",
        serde_json::json!({ "scale": scale, "customers": customers, "contacts": contacts }),
    )
    .await?;
    tx.commit().await?;
    let work = std::env::temp_dir().join(format!("suanpan-demo-{}-{scale}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|source| Error::Io { path: work.display().to_string(), source })?;
    let written = async {
        let trade = trade::generate(db, &owner, &mut rng, &buyers, &work).await?;
        let pipeline = pipeline::generate(db, &owner, &mut rng, &buyers, trade::LAST_DAY, &work).await?;
        Ok::<_, Error>((trade, pipeline))
    }
    .await;
    let _ = std::fs::remove_dir_all(&work);
    let (trade, pipeline) = written?;
    settings::set(db, MARKER, &scale.to_string()).await?;
    Ok(DemoSummary { users: USERS.len(), customers, contacts, trade, pipeline })
}

fn customer(
    rng: &mut ChaCha8Rng,
    index: usize,
    first_day: NaiveDate,
    salespeople: &[(String, Option<i64>)],
) -> (CustomerInput, usize) {
    let city = if index == 0 { "上海" } else { *CITIES.choose(rng).unwrap_or(&"上海") };
    let roll: u32 = rng.random_range(0..100);
    let (kind, name, contacts) = if index == 0 {
        ("channel", "上海鼎盛贸易有限公司".to_string(), 2)
    } else if roll < 45 {
        let name = format!("{}{}", SURNAMES.choose(rng).unwrap_or(&"王"), GIVEN.choose(rng).unwrap_or(&"伟"));
        ("consumer", name, 0)
    } else if roll < 90 {
        let name = format!(
            "{city}{}{}{}",
            TRADE_NAMES.choose(rng).unwrap_or(&"鼎盛"),
            INDUSTRIES.choose(rng).unwrap_or(&"贸易"),
            SUFFIXES.choose(rng).unwrap_or(&"有限公司")
        );
        ("channel", name, rng.random_range(1..=3))
    } else {
        let name = format!("{city}市{}", INSTITUTIONS.choose(rng).unwrap_or(&"图书馆"));
        ("institution", name, rng.random_range(1..=2))
    };
    let created_on = first_day + Duration::days(rng.random_range(0..365 * 5));
    let birthday =
        NaiveDate::from_ymd_opt(rng.random_range(1960..2002), rng.random_range(1..=12), rng.random_range(1..=28));
    let owner = match index {
        // The first customer is the one the README and the tests look for: 张伟's.
        0 => "zhangwei".to_string(),
        _ => salespeople.choose(rng).map(|(name, _)| name.clone()).unwrap_or_default(),
    };
    let mut tags = Vec::new();
    if rng.random_range(0..10) == 0 {
        tags.push("VIP");
    }
    if rng.random_range(0..6) == 0 {
        tags.push("老客户");
    }
    if rng.random_range(0..12) == 0 {
        tags.push("重点跟进");
    }
    let input = CustomerInput {
        code: format!("C{:06}", index + 1),
        name,
        kind: kind.into(),
        source: weighted(rng, &SOURCES, &SOURCE_WEIGHTS).into(),
        level: weighted(rng, &LEVELS, &LEVEL_WEIGHTS).into(),
        phone: phone(index),
        email: if kind == "consumer" { String::new() } else { format!("info{}@example.cn", index + 1) },
        address: format!("{city}市{}{}号", STREETS.choose(rng).unwrap_or(&"人民路"), rng.random_range(1..999)),
        city: city.into(),
        birthday: birthday.map(|b| b.to_string()).unwrap_or_default(),
        hobbies: HOBBIES.choose(rng).map(|h| h.to_string()).unwrap_or_default(),
        owner,
        created_on: created_on.to_string(),
        notes: String::new(),
        tags: tags.join(","),
        version: None,
        allow_duplicate: true,
    };
    (input, contacts)
}

async fn insert_contact(conn: &mut SqliteConnection, rng: &mut ChaCha8Rng, customer_id: i64) -> Result<()> {
    let name = format!("{}{}", SURNAMES.choose(rng).unwrap_or(&"王"), GIVEN.choose(rng).unwrap_or(&"伟"));
    let phone = format!("139{:08}", rng.random_range(0..100_000_000u32));
    sqlx::query(
        "INSERT INTO contacts (customer_id, name, title, phone, email, birthday, hobbies, created_at)
         VALUES (?, ?, ?, ?, '', NULL, ?, ?)",
    )
    .bind(customer_id)
    .bind(name)
    .bind(*TITLES.choose(rng).unwrap_or(&"总经理"))
    .bind(phone)
    .bind(*HOBBIES.choose(rng).unwrap_or(&"茶道"))
    .bind(now_stamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// A distinct mobile number per customer (a simple spread over the 138 range).
fn phone(index: usize) -> String {
    format!("138{:08}", (index as u64 * 7_919 + 1_234_567) % 100_000_000)
}

fn weighted<'a>(rng: &mut ChaCha8Rng, items: &[&'a str], weights: &[u32]) -> &'a str {
    let total: u32 = weights.iter().sum();
    let mut pick = rng.random_range(0..total);
    for (item, weight) in items.iter().zip(weights) {
        if pick < *weight {
            return item;
        }
        pick -= weight;
    }
    items[0]
}
