//! Issue 12: the analyses. A small company whose figures are worked out by hand below, each report run
//! through the engine call the window and the CLI make; the same figures again by plain SQL over the
//! demo company; each role sees only what its scope holds.

mod common;

use suanpan::io::import::{self, Entity, ImportOptions};
use suanpan::reports::{self, Cell, ReportQuery, Table};
use suanpan::sales::order_list::{self, OrderQuery};
use suanpan::{Actor, Db, Money};

/// Four customers, two products, and orders whose counted ones are:
///
/// | order | date       | customer | salesperson | lines (qty × price, unit cost)  | sales | cost |
/// |-------|------------|----------|-------------|---------------------------------|-------|------|
/// | O1    | 2025-03-10 | C1 展会  | zhangwei    | P1 2 × 100 (50), P2 1 × 300 (100) | 500   | 200  |
/// | O2    | 2025-12-31 | C2 转介绍 | liuyang    | P1 1 × 80 (50)                  | 80    | 50   |
/// | O3    | 2026-01-05 | C1       | zhangwei    | P2 2 × 250 (100)                | 500   | 200  |
/// | O5    | 2024-02-29 | C2       | liuyang     | P2 1 × 400 (100)                | 400   | 100  |
/// | O7    | 2026-03-01 | C3 展会  | zhangwei    | P1 1 × 100 (50)                 | 100   | 50   |
/// | O8    | 2026-03-02 | C4 网站  | liuyang     | P1 1 × 100 (50)                 | 100   | 50   |
///
/// O4 is a draft and O6 cancelled: neither counts. P1 龙井 is 茶叶 / 绿茶, P2 茶壶 is 茶具 (no 小分类),
/// P3 茶杯 never sold. Activities, expenses, service requests and lost deals are in the files below.
async fn hand_made_company() -> common::Company {
    let c = common::company().await;
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            Entity::Customers,
            "code,name,source,owner,phone,hobbies\n\
             C1,鼎盛贸易,展会,zhangwei,13800000001,茶道\n\
             C2,华丰电子,转介绍,liuyang,13800000002,书法\n\
             C3,恒通五金,展会,zhangwei,,\n\
             C4,长安商行,网站,liuyang,,钓鱼\n",
        ),
        (
            Entity::Products,
            "sku,name,category,subcategory,cost_price,standard_price\n\
             P1,龙井,茶叶,绿茶,50.00,100.00\n\
             P2,茶壶,茶具,,100.00,300.00\n\
             P3,茶杯,茶具,,10.00,20.00\n",
        ),
        (
            Entity::Orders,
            "order_no,order_date,customer_code,salesperson,sku,quantity,unit_price,unit_cost,status\n\
             O1,2025-03-10,C1,zhangwei,P1,2,100.00,50.00,delivered\n\
             O1,2025-03-10,C1,zhangwei,P2,1,300.00,100.00,delivered\n\
             O2,2025-12-31,C2,liuyang,P1,1,80.00,50.00,confirmed\n\
             O3,2026-01-05,C1,zhangwei,P2,2,250.00,100.00,delivered\n\
             O4,2026-01-20,C3,zhangwei,P1,3,100.00,50.00,draft\n\
             O5,2024-02-29,C2,liuyang,P2,1,400.00,100.00,delivered\n\
             O6,2026-02-10,C3,zhangwei,P1,1,1000.00,50.00,cancelled\n\
             O7,2026-03-01,C3,zhangwei,P1,1,100.00,50.00,delivered\n\
             O8,2026-03-02,C4,liuyang,P1,1,100.00,50.00,delivered\n",
        ),
        (
            Entity::Activities,
            "date,customer_code,operator,type,minutes,subject\n\
             2026-01-10,C1,zhangwei,call,10,问候\n\
             2026-01-12,C1,zhangwei,visit,60,拜访\n\
             2026-02-01,C2,liuyang,call,20,报价\n\
             2025-12-20,C3,zhangwei,email,5,资料\n",
        ),
        (
            Entity::Expenses,
            "date,salesperson,customer_code,category,amount\n\
             2025-12-15,zhangwei,C1,差旅费,100.00\n\
             2026-01-15,zhangwei,C1,招待费,300.00\n\
             2026-01-20,liuyang,,交通费,50.00\n\
             2026-03-05,liuyang,C2,招待费,150.00\n",
        ),
        (
            Entity::Service,
            "date,customer_code,type,satisfaction,status\n\
             2026-01-05,C1,complaint,2,resolved\n\
             2026-01-06,C1,complaint,,open\n\
             2026-02-01,C2,praise,5,closed\n\
             2026-02-02,C2,consultation,4,closed\n",
        ),
        (
            Entity::Opportunities,
            "code,customer_code,salesperson,name,amount,status,closed_on,lost_reason,expected_close\n\
             D1,C1,zhangwei,大单,1000.00,lost,2025-05-01,价格太高,2025-05-01\n\
             D2,C2,liuyang,中单,500.00,lost,2025-06-01,预算不足,2025-06-01\n\
             D3,C3,zhangwei,小单,200.00,lost,2025-07-01,预算不足,2025-07-01\n\
             D4,C1,zhangwei,新单,300.00,lost,2026-02-01,价格太高,2026-02-01\n\
             D5,C4,liuyang,急单,900.00,lost,2026-03-01,交期太长,2026-03-01\n\
             D6,C4,liuyang,在谈,800.00,open,,,2026-12-01\n",
        ),
    ];
    for (entity, text) in files {
        let path = dir.path().join(format!("{}.csv", entity.as_str()));
        std::fs::write(&path, text).unwrap();
        let report = import::import_file(&c.db, &c.owner, entity, &path, ImportOptions::default()).await.unwrap();
        assert!(report.errors.is_empty(), "{entity:?}: {:?}", report.errors);
    }
    c
}

async fn run(db: &Db, actor: &Actor, slug: &str, query: ReportQuery) -> Table {
    reports::run(db, actor, slug, &query).await.unwrap_or_else(|e| panic!("{slug}: {e}"))
}

/// The table as plain text rows, the totals row last (labelled "合计"): what the CSV holds.
fn rows(table: &Table) -> Vec<String> {
    let mut csv = Vec::new();
    reports::write::csv(table, reports::write::Lang::Zh, &mut csv).unwrap();
    String::from_utf8(csv).unwrap().trim_start_matches('\u{feff}').lines().skip(1).map(String::from).collect()
}

fn dates(from: &str, to: &str) -> ReportQuery {
    ReportQuery { from: Some(from.parse().unwrap()), to: Some(to.parse().unwrap()), ..Default::default() }
}

fn by(mut query: ReportQuery, by: &str) -> ReportQuery {
    query.by = Some(by.into());
    query
}

#[tokio::test]
async fn sales_trend_by_month_compares_with_the_month_before_and_last_year() {
    let c = hand_made_company().await;
    let table = run(&c.db, &c.owner, "sales-trend", dates("2026-01-01", "2026-03-31")).await;
    assert_eq!(
        rows(&table),
        [
            "2026-01,500.00,80.00,525.0,0.00,",
            "2026-02,0.00,500.00,-100.0,0.00,",
            "2026-03,200.00,0.00,,500.00,-60.0",
            "合计,700.00,580.00,20.7,500.00,40.0",
        ],
        "an empty month is listed; a comparison against zero is empty"
    );
    // The header is the key columns of SPEC §4, in order.
    let keys: Vec<&str> = table.columns.iter().map(|c| c.key).collect();
    assert_eq!(keys, ["period", "sales", "prev", "prev_pct", "last_year", "yoy_pct"]);
}

#[tokio::test]
async fn sales_trend_of_a_category_by_quarter_and_by_iso_week_across_the_year_end() {
    let c = hand_made_company().await;
    let tea = ReportQuery { key: Some("茶叶".into()), ..by(ReportQuery::default(), "quarter") };
    let expected = [
        "2025-Q1,200.00,0.00,,0.00,",
        "2025-Q2,0.00,200.00,-100.0,0.00,",
        "2025-Q3,0.00,0.00,,0.00,",
        "2025-Q4,80.00,0.00,,0.00,",
        "2026-Q1,200.00,80.00,150.0,200.00,0.0",
        "合计,480.00,280.00,71.4,200.00,140.0",
    ];
    assert_eq!(rows(&run(&c.db, &c.owner, "sales-trend", tea.clone()).await), expected, "all time: first to last sale");
    let green = ReportQuery { key: Some("绿茶".into()), ..tea.clone() };
    assert_eq!(rows(&run(&c.db, &c.owner, "sales-trend", green).await), expected, "its 小分类 the same");
    let sku = ReportQuery { key: Some("P1".into()), ..tea };
    assert_eq!(rows(&run(&c.db, &c.owner, "sales-trend", sku).await), expected, "its one product the same");

    // 2025-12-31 lies in ISO week 2026-W01, which began on Monday 2025-12-29.
    let weeks = by(dates("2025-12-29", "2026-01-11"), "week");
    let table = run(&c.db, &c.owner, "sales-trend", weeks).await;
    assert_eq!(rows(&table)[..2], ["2026-W01,80.00,0.00,,0.00,", "2026-W02,500.00,80.00,525.0,0.00,"]);
    // The leap day's sale is last year's February for February 2025.
    let february = run(&c.db, &c.owner, "sales-trend", dates("2025-02-01", "2025-02-28")).await;
    assert_eq!(rows(&february)[0], "2025-02,0.00,0.00,,400.00,-100.0");
}

#[tokio::test]
async fn shares_of_sales_by_source_category_and_subcategory() {
    let c = hand_made_company().await;
    let all = ReportQuery::default();
    let sources = run(&c.db, &c.owner, "sales-composition", all.clone()).await;
    assert_eq!(rows(&sources), ["展会,1100.00,65.5", "转介绍,480.00,28.6", "网站,100.00,6.0", "合计,1680.00,100.0"]);
    let categories = run(&c.db, &c.owner, "sales-composition", by(all.clone(), "category")).await;
    assert_eq!(rows(&categories), ["茶具,1200.00,71.4", "茶叶,480.00,28.6", "合计,1680.00,100.0"]);
    let subcategories = run(&c.db, &c.owner, "sales-composition", by(all.clone(), "subcategory")).await;
    assert_eq!(rows(&subcategories), ["—,1200.00,71.4", "绿茶,480.00,28.6", "合计,1680.00,100.0"]);
    let error = reports::run(&c.db, &c.owner, "sales-composition", &by(all, "colour")).await.unwrap_err();
    assert_eq!(error.to_string(), "by: 'colour' is not one of: source, category, subcategory, product, customer");
    let backwards = dates("2026-03-01", "2026-01-01");
    let error = reports::run(&c.db, &c.owner, "sales-composition", &backwards).await.unwrap_err();
    assert_eq!(error.to_string(), "to: '2026-01-01' is before the from 2026-03-01");
}

#[tokio::test]
async fn gross_profit_by_product_and_for_one_salesperson() {
    let c = hand_made_company().await;
    let table = run(&c.db, &c.owner, "profit", ReportQuery::default()).await;
    assert_eq!(
        rows(&table),
        ["P2 茶壶,1200.00,400.00,800.00,66.7", "P1 龙井,480.00,250.00,230.00,47.9", "合计,1680.00,650.00,1030.00,61.3"]
    );
    let liuyang = ReportQuery { key: Some("liuyang".into()), ..Default::default() };
    let table = run(&c.db, &c.owner, "profit", liuyang).await;
    assert_eq!(
        rows(&table),
        ["P2 茶壶,400.00,100.00,300.00,75.0", "P1 龙井,180.00,100.00,80.00,44.4", "合计,580.00,200.00,380.00,65.5"]
    );
    let nobody = ReportQuery { key: Some("nobody".into()), ..Default::default() };
    let error = reports::run(&c.db, &c.owner, "profit", &nobody).await.unwrap_err();
    assert_eq!(error.to_string(), "key: 'nobody' does not exist");
}

#[tokio::test]
async fn rankings_of_salespeople_and_customers_break_ties_by_code() {
    let c = hand_made_company().await;
    let table = run(&c.db, &c.owner, "sales-ranking", ReportQuery::default()).await;
    assert_eq!(
        rows(&table),
        ["1,张伟,1100.00,650.00,3,2,zhangwei", "2,刘洋,580.00,380.00,3,2,liuyang", "合计,,1680.00,1030.00,6,,"]
    );
    let table = run(&c.db, &c.owner, "customer-value", ReportQuery::default()).await;
    assert_eq!(
        rows(&table),
        [
            "1,C1,鼎盛贸易,1000.00,2",
            "2,C2,华丰电子,480.00,2",
            "3,C3,恒通五金,100.00,1",
            "4,C4,长安商行,100.00,1",
            "合计,,,1680.00,6"
        ],
        "C3 and C4 bought alike: by code"
    );
    let top_two = ReportQuery { limit: Some(2), ..Default::default() };
    let gifts = run(&c.db, &c.owner, "key-customer-gifts", top_two).await;
    assert_eq!(rows(&gifts), ["1,鼎盛贸易,1000.00,茶道,13800000001,C1", "2,华丰电子,480.00,书法,13800000002,C2"]);
}

#[tokio::test]
async fn buyers_by_source_and_new_customers_by_year() {
    let c = hand_made_company().await;
    let table = run(&c.db, &c.owner, "customer-sources", ReportQuery::default()).await;
    assert_eq!(rows(&table), ["展会,2,1100.00", "转介绍,1,480.00", "网站,1,100.00", "合计,4,1680.00"]);
    let in_2026 = run(&c.db, &c.owner, "customer-sources", dates("2026-01-01", "2026-12-31")).await;
    assert_eq!(rows(&in_2026), ["展会,2,600.00", "网站,1,100.00", "合计,3,700.00"]);

    // C2 first bought on the leap day of 2024, C1 in 2025, C3 (its draft of January does not count)
    // and C4 in 2026.
    let table = run(&c.db, &c.owner, "new-customers", ReportQuery::default()).await;
    assert_eq!(rows(&table), ["2024,1,", "2025,1,0.0", "2026,2,100.0", "合计,4,"]);
    let from_2025 = ReportQuery { from: Some("2025-01-01".parse().unwrap()), ..Default::default() };
    assert_eq!(
        rows(&run(&c.db, &c.owner, "new-customers", from_2025).await),
        ["2025,1,0.0", "2026,2,100.0", "合计,3,"]
    );
}

#[tokio::test]
async fn slow_products_include_the_unsold_and_name_the_source_that_buys_most() {
    let c = hand_made_company().await;
    let table = run(&c.db, &c.owner, "slow-products", ReportQuery::default()).await;
    assert_eq!(rows(&table), ["P3,茶杯,0,0.00,", "P2,茶壶,4,1200.00,展会", "P1,龙井,5,480.00,展会"]);
}

#[tokio::test]
async fn lost_deals_by_the_year_they_closed_with_the_commonest_reason() {
    let c = hand_made_company().await;
    let table = run(&c.db, &c.owner, "lost-orders", ReportQuery::default()).await;
    // 2026 has one deal lost on price and one on delivery: the tie goes to the reason listed first.
    assert_eq!(rows(&table), ["2025,3,1700.00,预算不足", "2026,2,1200.00,价格太高", "合计,5,2900.00,"]);
    let his = run(&c.db, &c.sales_sh, "lost-orders", ReportQuery::default()).await;
    assert_eq!(rows(&his), ["2025,2,1200.00,价格太高", "2026,1,300.00,价格太高", "合计,3,1500.00,"]);
}

#[tokio::test]
async fn work_time_contacts_and_service_feedback() {
    let c = hand_made_company().await;
    let all = ReportQuery::default();
    assert_eq!(
        rows(&run(&c.db, &c.owner, "work-time", all.clone()).await),
        ["拜访,1,60", "电话,2,30", "邮件,1,5", "合计,4,95"]
    );
    assert_eq!(
        rows(&run(&c.db, &c.owner, "work-time", by(all.clone(), "operator")).await),
        ["张伟,3,75", "刘洋,1,20", "合计,4,95"]
    );
    let mut english = Vec::new();
    let table = run(&c.db, &c.owner, "work-time", all.clone()).await;
    reports::write::csv(&table, reports::write::Lang::En, &mut english).unwrap();
    let english = String::from_utf8(english).unwrap();
    assert!(
        english.contains("visit,1,60\ncall,2,30\nemail,1,5\nTotal,4,95"),
        "types and the total in English: {english}"
    );

    let in_2026 = dates("2026-01-01", "2026-12-31");
    let contacts = run(&c.db, &c.owner, "customer-contacts", in_2026).await;
    assert_eq!(rows(&contacts), ["C1,鼎盛贸易,2,2026-01-12", "C2,华丰电子,1,2026-02-01", "合计,,3,"]);

    // Every request counts; the average is of the rated ones (the open complaint has none).
    let feedback = run(&c.db, &c.owner, "service-feedback", all.clone()).await;
    assert_eq!(rows(&feedback), ["投诉,2,2.0", "咨询,1,4.0", "表扬,1,5.0", "合计,4,3.7"]);
    let by_customer = run(&c.db, &c.owner, "service-feedback", by(all, "customer")).await;
    assert_eq!(rows(&by_customer), ["C1 鼎盛贸易,2,2.0", "C2 华丰电子,2,4.5", "合计,4,3.7"]);
}

#[tokio::test]
async fn expenses_by_whom_and_month_by_month() {
    let c = hand_made_company().await;
    let all = ReportQuery::default();
    let people = run(&c.db, &c.owner, "expense-composition", all.clone()).await;
    assert_eq!(rows(&people), ["张伟,400.00,66.7", "刘洋,200.00,33.3", "合计,600.00,100.0"]);
    // The transport expense names no customer: left out of the shares by customer.
    let customers = run(&c.db, &c.owner, "expense-composition", by(all.clone(), "customer")).await;
    assert_eq!(rows(&customers), ["C1 鼎盛贸易,400.00,72.7", "C2 华丰电子,150.00,27.3", "合计,550.00,100.0"]);
    let categories = run(&c.db, &c.owner, "expense-composition", by(all, "category")).await;
    assert_eq!(
        rows(&categories),
        ["招待费,450.00,75.0", "差旅费,100.00,16.7", "交通费,50.00,8.3", "合计,600.00,100.0"]
    );

    // All twelve months of 2026; January against December 2025.
    let year = ReportQuery { key: Some("2026".into()), ..Default::default() };
    let trend = rows(&run(&c.db, &c.owner, "expense-trend", year).await);
    assert_eq!(trend.len(), 13, "{trend:?}");
    assert_eq!(trend[..4], ["2026-01,350.00,250.0", "2026-02,0.00,-100.0", "2026-03,150.00,", "2026-04,0.00,-100.0"]);
    assert_eq!(
        trend[4..],
        [
            "2026-05,0.00,",
            "2026-06,0.00,",
            "2026-07,0.00,",
            "2026-08,0.00,",
            "2026-09,0.00,",
            "2026-10,0.00,",
            "2026-11,0.00,",
            "2026-12,0.00,",
            "合计,500.00,"
        ]
    );
    let from = ReportQuery { from: Some("2025-03-01".parse().unwrap()), ..Default::default() };
    assert_eq!(rows(&run(&c.db, &c.owner, "expense-trend", from).await)[11], "2025-12,100.00,", "the year of --from");
    let bad = ReportQuery { key: Some("twenty".into()), ..Default::default() };
    assert!(reports::run(&c.db, &c.owner, "expense-trend", &bad).await.is_err());
}

#[tokio::test]
async fn one_salespersons_work_in_a_period() {
    let c = hand_made_company().await;
    let his = ReportQuery { key: Some("zhangwei".into()), ..Default::default() };
    let table = run(&c.db, &c.owner, "salesperson-performance", his.clone()).await;
    assert_eq!(
        rows(&table),
        [
            "订单数,3",
            "销售额,1100.00",
            "毛利,650.00",
            "新客户数,2",
            "活动数,3",
            "活动分钟,75",
            "联系客户数,2",
            "回款,收款功能尚未启用",
            "费用,400.00"
        ]
    );
    let in_2026 = ReportQuery { from: Some("2026-01-01".parse().unwrap()), ..his };
    let table = run(&c.db, &c.owner, "salesperson-performance", in_2026).await;
    // C1 first bought in 2025: only C3 is new to him in 2026.
    assert_eq!(
        rows(&table),
        [
            "订单数,2",
            "销售额,600.00",
            "毛利,350.00",
            "新客户数,1",
            "活动数,2",
            "活动分钟,70",
            "联系客户数,1",
            "回款,收款功能尚未启用",
            "费用,300.00"
        ]
    );
    let nobody = reports::run(&c.db, &c.owner, "salesperson-performance", &ReportQuery::default()).await;
    assert_eq!(nobody.unwrap_err().to_string(), "key: is required");
}

/// What `actor` may list of the counted orders, summed: the figure every sales report must add up to.
async fn listed_sales(db: &Db, actor: &Actor) -> Money {
    let page = order_list::list(db, actor, &OrderQuery { limit: Some(1_000), ..Default::default() }).await.unwrap();
    let counted = page.rows.iter().filter(|o| o.status == "confirmed" || o.status == "delivered");
    Money::from_minor(counted.map(|o| o.total.minor()).sum())
}

#[tokio::test]
async fn each_role_sees_the_totals_of_what_it_may_list() {
    let c = hand_made_company().await;
    let roles = [
        (&c.owner, "1680.00"),
        (&c.manager, "1100.00"),
        (&c.sales_sh, "1100.00"),
        (&c.sales_gz, "580.00"),
        (&c.accountant, "1680.00"),
        (&c.clerk, "1100.00"),
    ];
    for (actor, expected) in roles {
        let listed = listed_sales(&c.db, actor).await;
        assert_eq!(listed.to_string(), expected, "{}", actor.username);
        for slug in ["sales-trend", "sales-composition", "profit", "customer-value", "customer-sources"] {
            let table = run(&c.db, actor, slug, ReportQuery::default()).await;
            assert_eq!(table.money_sum("sales"), listed, "{slug} as {}", actor.username);
        }
    }
    let own = run(&c.db, &c.sales_gz, "sales-ranking", ReportQuery::default()).await;
    assert_eq!(rows(&own), ["1,刘洋,580.00,380.00,3,2,liuyang", "合计,,580.00,380.00,3,,"]);
}

/// The demo company's figures, computed again from the raw rows by plain SQL and a direct fold.
#[tokio::test]
async fn the_demo_company_agrees_with_plain_sql() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = Db::open(&dir.path().join("demo.sqlite")).await.unwrap();
    suanpan::demo::generate(&db, 1).await.unwrap();
    let boss = suanpan::auth::login(&db, "boss", "demo1234").await.unwrap();
    let pool = db.pool();

    let by_month: Vec<(String, i64)> = sqlx::query_as(
        "SELECT substr(order_date, 1, 7), sum(total) FROM orders WHERE status IN ('confirmed', 'delivered')
         GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let table = run(&db, &boss, "sales-trend", ReportQuery::default()).await;
    let from_report: Vec<(String, i64)> = table
        .rows
        .iter()
        .filter(|row| row[1] != Cell::Money(Money::ZERO))
        .map(|row| (row[0].plain(), if let Cell::Money(m) = &row[1] { m.minor() } else { 0 }))
        .collect();
    assert_eq!(from_report, by_month);

    let by_category: Vec<(String, i64)> = sqlx::query_as(
        "SELECT coalesce(parent.name, category.name), sum(l.amount) FROM order_lines l
         JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
         JOIN product_categories category ON category.id = p.category_id
         LEFT JOIN product_categories parent ON parent.id = category.parent_id
         WHERE o.status IN ('confirmed', 'delivered') GROUP BY 1 ORDER BY 2 DESC",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let table = run(&db, &boss, "sales-composition", by(ReportQuery::default(), "category")).await;
    let from_report: Vec<(String, i64)> = table
        .rows
        .iter()
        .map(|row| (row[0].plain(), if let Cell::Money(m) = &row[1] { m.minor() } else { 0 }))
        .collect();
    assert_eq!(from_report, by_category);

    // Profit by salesperson from the lines equals the ranking's from the orders' kept costs.
    let lines: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT o.salesperson_id, l.quantity, l.unit_cost FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.status IN ('confirmed', 'delivered') AND o.salesperson_id IS NOT NULL",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(id, q, c): (i64, i64, Option<i64>)| (id.to_string(), q, c.unwrap_or(0)))
    .collect();
    let folded_cost: i64 = lines
        .iter()
        .map(|(_, q, c)| suanpan::quantity::Quantity::from_milli(*q).times(Money::from_minor(*c)).unwrap().minor())
        .sum();
    let ranking = run(&db, &boss, "sales-ranking", ReportQuery::default()).await;
    let profit = run(&db, &boss, "profit", by(ReportQuery::default(), "salesperson")).await;
    let ranked_profit = ranking.money_sum("profit");
    assert_eq!(ranking.money_sum("sales").minor() - folded_cost, ranked_profit.minor());
    let with_salesperson: i64 = profit
        .rows
        .iter()
        .filter(|row| row[0].plain() != "—")
        .map(|row| if let Cell::Money(m) = &row[3] { m.minor() } else { 0 })
        .sum();
    assert_eq!(Money::from_minor(with_salesperson), ranked_profit);
}

#[tokio::test]
async fn xlsx_holds_numbers_and_dates_under_headings_a_person_reads() {
    let c = hand_made_company().await;
    let dir = tempfile::tempdir().unwrap();
    let query = dates("2026-01-01", "2026-03-31");
    let trend = run(&c.db, &c.owner, "sales-trend", query.clone()).await;
    let out = dir.path().join("trend.xlsx");
    reports::write::xlsx(&trend, &query, "鼎盛茶业", reports::write::Lang::Zh, &out).unwrap();
    // scripts/setup.sh installs unzip for the tests.
    let unzip = |part: &str| {
        let output = std::process::Command::new("unzip").arg("-p").arg(&out).arg(part).output().unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let sheet = unzip("xl/worksheets/sheet1.xml");
    let strings = unzip("xl/sharedStrings.xml");
    for text in ["鼎盛茶业 · 销售额按月", "期间 2026-01-01 — 2026-03-31", "去年同期", "2026-03", "合计"]
    {
        assert!(strings.contains(text), "{text} missing: {strings}");
    }
    // January: 500 sold, 80 the month before, +525.0 %: numbers, not text.
    assert!(sheet.contains("<v>500</v>") && sheet.contains("<v>80</v>") && sheet.contains("<v>525</v>"), "{sheet}");
    assert!(sheet.contains("state=\"frozen\""), "the headings stay in view");

    let contacts = run(&c.db, &c.owner, "customer-contacts", dates("2026-01-01", "2026-12-31")).await;
    let out_contacts = dir.path().join("contacts.xlsx");
    reports::write::xlsx(&contacts, &ReportQuery::default(), "鼎盛茶业", reports::write::Lang::En, &out_contacts)
        .unwrap();
    let output = std::process::Command::new("unzip")
        .arg("-p")
        .arg(&out_contacts)
        .arg("xl/worksheets/sheet1.xml")
        .output()
        .unwrap();
    let sheet = String::from_utf8(output.stdout).unwrap();
    // 2026-01-12 is day 46,034 of Excel's calendar.
    assert!(sheet.contains("<v>46034</v>"), "the last contact is a date: {sheet}");
}
