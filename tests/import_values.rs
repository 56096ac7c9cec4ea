//! Values an editable list does not know yet, in imported files: listed once with their count, mapped to
//! a known entry or added to the list (SPEC §2.9), and the mapping kept with a saved profile.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::company;
use suanpan::crm::customers;
use suanpan::crm::picklists::{self, PickList};
use suanpan::io::import::{self, Entity, ImportOptions, ImportReport};
use suanpan::io::notice::Notice;
use suanpan::io::profiles;
use suanpan::io::values::{ValueMap, ValueOutcome};
use suanpan::sales::pipeline;
use suanpan::{Actor, Error};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// 60 customers without codes: 20 from 抖音, 10 from 老客户介绍 (both unknown), the rest from 展会;
/// 15 of level 钻石 (unknown).
fn customers_file(dir: &Path) -> PathBuf {
    let mut text = String::from("客户名称,联系人,联系电话,来源,等级\n");
    for i in 0..60 {
        let source = match i % 6 {
            0 | 1 => "抖音",
            2 => "老客户介绍",
            _ => "展会",
        };
        let level = if i % 4 == 0 { "钻石" } else { "金牌" };
        text.push_str(&format!("客户{i},联系人{i},1380000{i:04},{source},{level}\n"));
    }
    write(dir, "customers.csv", &text)
}

async fn run(c: &common::Company, actor: &Actor, entity: Entity, file: &Path, options: ImportOptions) -> ImportReport {
    import::import_file(&c.db, actor, entity, file, options).await.unwrap()
}

/// (column, value, count, outcome) of each value listed.
fn listed(report: &ImportReport) -> Vec<(&str, &str, u64, ValueOutcome)> {
    report.unknown_values.iter().map(|u| (u.column, u.value.as_str(), u.count, u.outcome.clone())).collect()
}

async fn names(c: &common::Company, list: PickList) -> Vec<String> {
    picklists::list(&c.db, list).await.unwrap().into_iter().map(|p| p.name).collect()
}

fn pick_added(report: &ImportReport) -> Vec<String> {
    report
        .notices
        .iter()
        .filter_map(|n| match n {
            Notice::PickAdded { name, .. } | Notice::StageAdded { name } => Some(name.clone()),
            Notice::SalespersonCreated { .. } => None,
        })
        .collect()
}

#[tokio::test]
async fn unknown_sources_and_levels_are_listed_with_their_counts_and_added_once_each() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let file = customers_file(dir.path());
    let sources_before = names(&c, PickList::Source).await;

    let checked =
        run(&c, &c.owner, Entity::Customers, &file, ImportOptions { dry_run: true, ..Default::default() }).await;
    assert!(checked.errors.is_empty(), "{:?}", checked.errors);
    let expected = vec![
        ("source", "抖音", 20, ValueOutcome::Added),
        ("level", "钻石", 15, ValueOutcome::Added),
        ("source", "老客户介绍", 10, ValueOutcome::Added),
    ];
    assert_eq!(listed(&checked), expected);
    assert_eq!(checked.batch_id, None);
    assert_eq!(names(&c, PickList::Source).await, sources_before, "a dry run adds nothing");
    assert_eq!(customers::list(&c.db, &c.owner, &Default::default()).await.unwrap().total, 0);

    let imported = run(&c, &c.owner, Entity::Customers, &file, ImportOptions::default()).await;
    assert!(imported.errors.is_empty(), "{:?}", imported.errors);
    assert_eq!(imported.inserted, 60);
    assert_eq!(listed(&imported), expected);
    assert_eq!(pick_added(&imported), ["抖音", "钻石", "老客户介绍"], "one notice per value, not per row");
    assert!(names(&c, PickList::Source).await.contains(&"老客户介绍".to_string()));
    assert!(names(&c, PickList::Level).await.contains(&"钻石".to_string()));
    let listed = customers::list(&c.db, &c.owner, &Default::default()).await.unwrap();
    let first = listed.rows.iter().find(|r| r.name == "客户0").unwrap();
    let first = customers::get(&c.db, &c.owner, first.id).await.unwrap();
    assert_eq!((first.source.as_deref(), first.level.as_deref()), (Some("抖音"), Some("钻石")));
}

#[tokio::test]
async fn a_mapped_value_becomes_the_entry_it_names_and_nothing_is_added() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let file = customers_file(dir.path());
    let mut values = ValueMap::default();
    values.add_spec(Entity::Customers, "来源:抖音=网站").unwrap();
    values.add_spec(Entity::Customers, "source:老客户介绍=Referral").unwrap();
    values.add_spec(Entity::Customers, "等级：钻石=金牌").unwrap();
    let report = run(&c, &c.owner, Entity::Customers, &file, ImportOptions { values, ..Default::default() }).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        listed(&report),
        [
            ("source", "抖音", 20, ValueOutcome::MappedTo { mapped_to: "网站".into() }),
            ("level", "钻石", 15, ValueOutcome::MappedTo { mapped_to: "金牌".into() }),
            ("source", "老客户介绍", 10, ValueOutcome::MappedTo { mapped_to: "Referral".into() }),
        ]
    );
    assert!(pick_added(&report).is_empty(), "{:?}", report.notices);
    assert!(!names(&c, PickList::Source).await.contains(&"抖音".to_string()));
    assert!(!names(&c, PickList::Level).await.contains(&"钻石".to_string()));
    let by_name = async |name: &'static str| {
        let rows = customers::list(&c.db, &c.owner, &Default::default()).await.unwrap().rows;
        let id = rows.iter().find(|r| r.name == name).unwrap().id;
        customers::get(&c.db, &c.owner, id).await.unwrap()
    };
    let douyin = by_name("客户0").await;
    assert_eq!((douyin.source.as_deref(), douyin.level.as_deref()), (Some("网站"), Some("金牌")));
    assert_eq!(by_name("客户2").await.source.as_deref(), Some("转介绍"));
}

#[tokio::test]
async fn a_value_map_that_is_malformed_or_names_no_entry_is_refused() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let file = customers_file(dir.path());
    let mut values = ValueMap::default();
    for bad in ["来源", "来源:抖音", "来源:=网站", "电话:1=2", "客户名称:甲=乙"] {
        let refused = values.add_spec(Entity::Customers, bad);
        assert!(matches!(refused, Err(Error::Invalid { field: "map_value", .. })), "{bad}: {refused:?}");
    }
    values.add_spec(Entity::Customers, "来源:抖音=没有这个来源").unwrap();
    let refused =
        import::import_file(&c.db, &c.owner, Entity::Customers, &file, ImportOptions { values, ..Default::default() })
            .await;
    assert!(matches!(refused, Err(Error::Invalid { field: "map_value", .. })), "{refused:?}");
}

#[tokio::test]
async fn a_salesperson_who_may_not_edit_the_lists_gets_row_errors_not_additions() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let file = customers_file(dir.path());
    let sources_before = names(&c, PickList::Source).await;
    let report = run(&c, &c.sales_sh, Entity::Customers, &file, ImportOptions::default()).await;
    assert_eq!(report.batch_id, None);
    let unknown_rows = report.errors.iter().filter(|e| e.reason == "unknown").count();
    assert_eq!(unknown_rows, 20 + 10 + 15, "each row naming an unknown source or level");
    assert!(
        listed(&report).iter().all(|(_, _, _, outcome)| *outcome == ValueOutcome::Refused),
        "{:?}",
        listed(&report)
    );
    assert_eq!(listed(&report).len(), 3);
    assert!(pick_added(&report).is_empty());
    assert_eq!(names(&c, PickList::Source).await, sources_before);

    // Mapped, the same file goes in.
    let mut values = ValueMap::default();
    values.add_spec(Entity::Customers, "来源:抖音=网站").unwrap();
    values.add_spec(Entity::Customers, "来源:老客户介绍=网站").unwrap();
    values.add_spec(Entity::Customers, "等级:钻石=金牌").unwrap();
    let report = run(&c, &c.sales_sh, Entity::Customers, &file, ImportOptions { values, ..Default::default() }).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.inserted, 60);
}

#[tokio::test]
async fn stages_named_differently_are_added_and_a_closed_deal_s_stage_is_read_as_its_outcome() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    customers::create(&c.db, &c.owner, &common::input("甲公司", "13800000001")).await.unwrap();
    let code = customers::list(&c.db, &c.owner, &Default::default()).await.unwrap().rows[0].code.clone();
    let file = write(
        dir.path(),
        "商机.csv",
        &format!(
            "商机编号,客户编号,商机名称,金额,阶段,结束日期,丢单原因\n\
             OP1,{code},一,1000,初步接触,,\n\
             OP2,{code},二,2000,需求分析,,\n\
             OP3,{code},三,3000,初步接触,,\n\
             OP4,{code},四,4000,赢单,2026-03-01,\n\
             OP5,{code},五,5000,丢单,2026-03-02,价格太高\n\
             OP6,{code},六,6000,成交,2026-03-03,\n\
             OP7,{code},七,7000,方案报价,,\n"
        ),
    );
    let report = run(&c, &c.owner, Entity::Opportunities, &file, ImportOptions::default()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        listed(&report),
        [("stage", "初步接触", 2, ValueOutcome::Added), ("stage", "需求分析", 1, ValueOutcome::Added)],
        "the outcomes are no stages, and 方案报价 is known"
    );
    assert_eq!(pick_added(&report), ["初步接触", "需求分析"]);
    let stages = pipeline::stages(&c.db).await.unwrap();
    let closing = stages.iter().find(|s| s.name == "即将签约").unwrap();
    let added = stages.iter().find(|s| s.name == "初步接触").unwrap();
    assert!(added.sort_order > closing.sort_order, "a new stage goes after the open stages, before won and lost");
    assert_eq!(added.probability, stages.iter().map(|s| s.probability).min().unwrap());
    assert!(!stages.iter().any(|s| ["赢单", "丢单", "成交"].contains(&s.name.as_str())));

    let deal = async |code: &str| pipeline::by_code(&c.db, &c.owner, code).await.unwrap();
    assert_eq!(deal("OP1").await.stage, "初步接触");
    let won = deal("OP4").await;
    assert_eq!((won.status.as_str(), won.stage.as_str(), won.probability), ("won", "即将签约", 100));
    let lost = deal("OP5").await;
    assert_eq!((lost.status.as_str(), lost.lost_reason.as_deref()), ("lost", Some("价格太高")));
    assert_eq!(deal("OP6").await.status, "won");
    assert_eq!(deal("OP7").await.status, "open");
}

#[tokio::test]
async fn expense_categories_alike_added_once_or_mapped() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "费用.csv",
        "日期,业务员,费用类别,金额\n2026-03-01,zhangwei,停车费,20\n2026-03-02,zhangwei,停车费,30\n2026-03-03,zhangwei,交通费,40\n",
    );
    let mut values = ValueMap::default();
    values.add_spec(Entity::Expenses, "费用类别:停车费=交通费").unwrap();
    let mapped =
        run(&c, &c.owner, Entity::Expenses, &file, ImportOptions { values, dry_run: true, ..Default::default() }).await;
    assert!(mapped.errors.is_empty(), "{:?}", mapped.errors);
    assert_eq!(listed(&mapped), [("category", "停车费", 2, ValueOutcome::MappedTo { mapped_to: "交通费".into() })]);
    assert!(pick_added(&mapped).is_empty());

    let refused = run(&c, &c.sales_sh, Entity::Expenses, &file, ImportOptions::default()).await;
    assert_eq!(refused.errors.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 3]);

    let added = run(&c, &c.owner, Entity::Expenses, &file, ImportOptions::default()).await;
    assert!(added.errors.is_empty(), "{:?}", added.errors);
    assert_eq!(listed(&added), [("category", "停车费", 2, ValueOutcome::Added)]);
    assert_eq!(pick_added(&added), ["停车费"]);
    assert!(names(&c, PickList::ExpenseCategory).await.contains(&"停车费".to_string()));
}

#[tokio::test]
async fn unknown_salespeople_are_listed_and_may_be_mapped() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "费用.csv",
        "日期,业务员,费用类别,金额\n2026-03-01,小李,交通费,20\n2026-03-02,小李,交通费,30\n2026-03-03,老周,交通费,40\n",
    );
    let mut values = ValueMap::default();
    values.add_spec(Entity::Expenses, "业务员:小李=zhangwei").unwrap();
    let report = run(&c, &c.owner, Entity::Expenses, &file, ImportOptions { values, ..Default::default() }).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(
        listed(&report),
        [
            ("salesperson", "小李", 2, ValueOutcome::MappedTo { mapped_to: "zhangwei".into() }),
            ("salesperson", "老周", 1, ValueOutcome::Added),
        ]
    );
    assert_eq!(report.notices, [Notice::SalespersonCreated { name: "老周".into() }]);
}

#[tokio::test]
async fn a_profile_keeps_its_value_map_and_old_profiles_load_without_one() {
    let c = company().await;
    let mut values = ValueMap::default();
    values.add_spec(Entity::Customers, "来源:抖音=网站").unwrap();
    let headers = HashMap::from([("渠道".to_string(), "source".to_string())]);
    profiles::save(&c.db, &c.owner, Entity::Customers, "抖音表", &headers, &values).await.unwrap();
    let loaded = profiles::find(&c.db, Entity::Customers, "抖音表").await.unwrap();
    assert_eq!(loaded.values, values);
    assert_eq!(loaded.mapping.get("渠道").map(String::as_str), Some("source"));

    let mut wrong = ValueMap::default();
    wrong.insert("phone", "1", "2");
    let refused = profiles::save(&c.db, &c.owner, Entity::Customers, "错", &headers, &wrong).await;
    assert!(matches!(refused, Err(Error::Invalid { field: "map_value", .. })), "{refused:?}");

    profiles::save(&c.db, &c.owner, Entity::Customers, "旧表", &headers, &ValueMap::default()).await.unwrap();
    assert!(profiles::find(&c.db, Entity::Customers, "旧表").await.unwrap().values.is_empty());
}

#[tokio::test]
async fn a_value_too_long_for_any_list_is_a_row_error_not_a_failed_import() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let long = "很".repeat(31);
    let file = write(dir.path(), "long.csv", &format!("客户名称,来源\n甲,{long}\n乙,展会\n"));
    let report = run(&c, &c.owner, Entity::Customers, &file, ImportOptions::default()).await;
    assert_eq!(report.errors.iter().map(|e| (e.line, e.reason)).collect::<Vec<_>>(), [(2, "unknown")]);
    assert_eq!(listed(&report), [("source", long.as_str(), 1, ValueOutcome::Refused)]);
}
