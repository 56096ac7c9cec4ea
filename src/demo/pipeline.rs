//! The demo company's pipeline and after-sales: opportunities won and lost over the years (with their
//! reasons), open ones for the months ahead, a few quotes and leads, the salespeople's expenses, and
//! service requests with their ratings. Bulk history goes through the importer; the rest through the
//! same calls the window makes.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use crate::auth::Actor;
use crate::db::Db;
use crate::demo::trade::{DemoCustomer, import_rows, pick};
use crate::error::Result;
use crate::io::import::Entity;
use crate::money::Money;
use crate::sales::leads::{self, LeadInput};
use crate::sales::orders::OrderLineInput;
use crate::sales::pipeline::{self, OpportunityQuery, OpportunityStatus};
use crate::sales::quotes::{self, QuoteInput};

/// What the pipeline part of the demo wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineSummary {
    pub opportunities: usize,
    pub open: usize,
    pub lost: usize,
    pub quotes: usize,
    pub leads: usize,
    pub expenses: usize,
    pub service: usize,
}

/// (stage, weight among open deals)
const STAGES: [(&str, u32); 5] =
    [("初步接洽", 30), ("需求确认", 25), ("方案报价", 20), ("商务谈判", 15), ("即将签约", 10)];
/// Why deals were lost, and how often.
const LOST_REASONS: [(&str, u32); 6] =
    [("价格太高", 35), ("选择了竞争对手", 25), ("预算不足", 15), ("需求取消", 10), ("交期太长", 8), ("其他", 7)];

/// A deal's name for the month it starts in: festivals bring group gift orders.
fn deal_name(rng: &mut ChaCha8Rng, month: u32) -> &'static str {
    let seasonal = match month {
        11 | 12 | 1 => Some("春节礼盒团购"),
        7..=9 => Some("中秋礼盒团购"),
        _ => None,
    };
    match seasonal {
        Some(name) if rng.random_range(0..2) == 0 => name,
        _ => ["办公室用茶年度采购", "年会茶礼", "茶室开业茶具", "员工福利茶叶", "商务接待用茶", "紫砂壶收藏"]
            .choose(rng)
            .unwrap_or(&"办公室用茶年度采购"),
    }
}

pub async fn generate(
    db: &Db,
    owner: &Actor,
    rng: &mut ChaCha8Rng,
    customers: &[DemoCustomer],
    last_day: NaiveDate,
    dir: &Path,
) -> Result<PipelineSummary> {
    let stage_weights: Vec<u32> = STAGES.iter().map(|s| s.1).collect();
    let reason_weights: Vec<u32> = LOST_REASONS.iter().map(|r| r.1).collect();
    let per_month = (customers.len() / 100).max(3);
    let mut opportunity_rows = Vec::new();
    let (mut open, mut lost) = (0, 0);
    let mut month = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap_or(NaiveDate::MIN);
    let horizon = last_day + Days::new(1);
    while month < horizon {
        let days = month.checked_add_months(Months::new(1)).map_or(28, |next| (next - month).num_days());
        for _ in 0..per_month {
            let start = month + Days::new(rng.random_range(0..days as u64));
            let Some(customer) = customers.choose(rng).filter(|c| c.since <= start) else { continue };
            let expected_close = start + Days::new(rng.random_range(20..=120));
            let amount = Money::yuan(rng.random_range(20..=800) * 100);
            let code = format!("OP{}{:04}", start.format("%y%m"), opportunity_rows.len() + 1);
            let stage = STAGES[pick(rng, &stage_weights)].0;
            let (status, closed_on, reason) = if expected_close > last_day {
                open += 1;
                ("open", String::new(), String::new())
            } else {
                let closed_on = (expected_close + Days::new(rng.random_range(0..10))).min(last_day);
                if rng.random_range(0..100) < 42 {
                    ("won", closed_on.to_string(), String::new())
                } else {
                    lost += 1;
                    ("lost", closed_on.to_string(), LOST_REASONS[pick(rng, &reason_weights)].0.to_string())
                }
            };
            opportunity_rows.push(vec![
                code,
                customer.code.clone(),
                customer.owner.clone(),
                deal_name(rng, start.month()).into(),
                amount.to_string(),
                stage.into(),
                String::new(),
                expected_close.to_string(),
                status.into(),
                closed_on,
                reason,
                String::new(),
            ]);
        }
        month = month.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX);
    }
    import_rows(db, owner, dir, Entity::Opportunities, &opportunity_rows, false).await?;

    // Quotes for the deals furthest along: priced from the catalogue, one of them already accepted.
    let query = OpportunityQuery { status: Some(OpportunityStatus::Open), limit: Some(1_000), ..Default::default() };
    let mut quoted = 0;
    for opportunity in pipeline::list(db, owner, &query).await?.rows.iter().filter(|o| o.probability >= 70).take(4) {
        let lines = [("G-CJ-01", "20"), ("T-LJ-250", "12"), ("W-CB-6", "5")]
            .iter()
            .take(rng.random_range(1..=3))
            .map(|(sku, quantity)| OrderLineInput {
                sku: (*sku).into(),
                quantity: (*quantity).into(),
                ..Default::default()
            })
            .collect();
        let input = QuoteInput { opportunity_id: Some(opportunity.id), lines, ..Default::default() };
        let quote = quotes::create(db, owner, &input).await?;
        quoted += 1;
        if quoted == 1 {
            quotes::accept(db, owner, quote.id, None).await?;
        }
    }

    // Leads from exhibitions, the website and referrals, some already worth pursuing.
    let people = [
        ("陈经理", "杭州茗香茶庄", "13905710001", "展会", "qualified"),
        ("林小姐", "", "13816620002", "网站", "new"),
        ("黄总", "深圳华强电子有限公司", "13602330003", "转介绍", "qualified"),
        ("吴先生", "", "13524560004", "网站", "new"),
        ("郑女士", "南京金陵文化传媒", "13770110005", "展会", "new"),
        ("许经理", "成都天府酒店", "13980850006", "电话陌拜", "disqualified"),
        ("何老师", "苏州实验小学", "13962110007", "转介绍", "new"),
        ("马总", "武汉长江物流有限公司", "13871230008", "广告", "qualified"),
    ];
    let owners: Vec<&str> = customers.iter().map(|c| c.owner.as_str()).take(50).collect();
    for (name, company, phone, source, status) in people {
        let salesperson = owners.choose(rng).copied().unwrap_or_default().to_string();
        let input = LeadInput {
            name: name.into(),
            company: company.into(),
            phone: phone.into(),
            source: source.into(),
            salesperson,
            ..Default::default()
        };
        let lead = leads::create(db, owner, &input).await?;
        if status != "new" {
            leads::set_status(db, owner, lead.id, status).await?;
        }
    }

    // Each salesperson's expenses month by month: travel, transport and phone, entertaining and gifts
    // for their own customers (more before the festivals), samples.
    let mut by_owner: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for customer in customers {
        by_owner.entry(customer.owner.as_str()).or_default().push(customer.code.as_str());
    }
    let mut expense_rows = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap_or(NaiveDate::MIN);
    while month < horizon {
        let festive = matches!(month.month(), 1 | 2 | 8 | 9);
        for (salesperson, codes) in &by_owner {
            let day = |rng: &mut ChaCha8Rng| (month + Days::new(rng.random_range(0..28))).min(last_day).to_string();
            expense_rows.push(vec![
                day(rng),
                (*salesperson).into(),
                String::new(),
                "通讯费".into(),
                "168.00".into(),
                "手机话费".into(),
            ]);
            for _ in 0..rng.random_range(1..=3) {
                let yuan = rng.random_range(20..=180);
                expense_rows.push(vec![
                    day(rng),
                    (*salesperson).into(),
                    String::new(),
                    "交通费".into(),
                    Money::yuan(yuan).to_string(),
                    "打车拜访客户".into(),
                ]);
            }
            if rng.random_range(0..3) == 0 {
                let yuan = rng.random_range(5..=30) * 100;
                expense_rows.push(vec![
                    day(rng),
                    (*salesperson).into(),
                    String::new(),
                    "差旅费".into(),
                    Money::yuan(yuan).to_string(),
                    "外地客户出差".into(),
                ]);
            }
            for _ in 0..rng.random_range(if festive { 2..=5 } else { 0..=2 }) {
                let customer = codes.choose(rng).copied().unwrap_or_default();
                let (category, note, low, high) =
                    *[("招待费", "请客户吃饭", 2, 15), ("礼品费", "节日礼品", 3, 20), ("样品费", "试饮样品", 1, 6)]
                        .choose(rng)
                        .unwrap_or(&("招待费", "请客户吃饭", 2, 15));
                let yuan = rng.random_range(low..=high) * 100;
                expense_rows.push(vec![
                    day(rng),
                    (*salesperson).into(),
                    customer.into(),
                    category.into(),
                    Money::yuan(yuan).to_string(),
                    note.into(),
                ]);
            }
        }
        month = month.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX);
    }
    let expenses = import_rows(db, owner, dir, Entity::Expenses, &expense_rows, false).await?;

    // Service requests: questions, complaints in the busy months, repairs of teaware, and praise; the
    // latest ones still being handled.
    let mut service_rows = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap_or(NaiveDate::MIN);
    while month < horizon {
        let busy = matches!(month.month(), 1 | 2 | 9 | 10);
        for _ in 0..(customers.len() / 200).max(2) * if busy { 2 } else { 1 } {
            let date = (month + Days::new(rng.random_range(0..28))).min(last_day);
            let Some(customer) = customers.choose(rng).filter(|c| c.since <= date) else { continue };
            let (kind, content, resolution, ratings): (&str, &str, &str, &[&str]) = *[
                ("consultation", "咨询冲泡方法和保存", "电话讲解并寄送冲泡卡片", &["4", "5", "5", ""][..]),
                ("consultation", "询问团购价格和发票", "发送报价单", &["4", "5", ""][..]),
                ("complaint", "礼盒外包装破损", "补发两盒并致歉", &["2", "3", "4", "4", ""][..]),
                ("complaint", "送货比约定晚了三天", "赠送茶点并改进配送安排", &["1", "2", "3", ""][..]),
                ("repair", "紫砂壶盖口松动", "返厂修复", &["3", "4", "5"][..]),
                ("suggestion", "希望增加小包装", "已转采购部门评估", &["4", "", ""][..]),
                ("praise", "新茶口感很好，员工很喜欢", "致谢并赠送试饮装", &["5"][..]),
            ]
            .choose(rng)
            .unwrap_or(&("consultation", "咨询冲泡方法和保存", "电话讲解并寄送冲泡卡片", &["5"][..]));
            let recent = (last_day - date).num_days() < 20;
            let status = match (recent, rng.random_range(0..3)) {
                (true, 0) => "open",
                (true, 1) => "in_progress",
                (_, 2) => "closed",
                _ => "resolved",
            };
            let (rating, resolution) = match status {
                "open" | "in_progress" => ("", ""),
                _ => (*ratings.choose(rng).unwrap_or(&""), resolution),
            };
            service_rows.push(vec![
                date.to_string(),
                customer.code.clone(),
                kind.into(),
                rating.into(),
                status.into(),
                resolution.into(),
                content.into(),
            ]);
        }
        month = month.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX);
    }
    let service = import_rows(db, owner, dir, Entity::Service, &service_rows, false).await?;
    Ok(PipelineSummary {
        opportunities: opportunity_rows.len(),
        open,
        lost,
        quotes: quoted,
        leads: people.len(),
        expenses: expenses.inserted as usize,
        service: service.inserted as usize,
    })
}
