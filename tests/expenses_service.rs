//! Expenses and service requests: recorded, summed, scoped; imported once with the pipeline's
//! opportunities, exported back, undone; and all of it on a customer's timeline.

mod common;

use common::company;
use suanpan::Error;
use suanpan::crm::customers::{self, CustomerInput};
use suanpan::crm::picklists::{self, PickList};
use suanpan::crm::service::{self, ServiceBy, ServiceInput, ServiceQuery, ServiceStatus};
use suanpan::io::export;
use suanpan::io::import::{self, Entity, ImportOptions};
use suanpan::money::Money;
use suanpan::sales::expenses::{self, ExpenseBy, ExpenseInput, ExpenseQuery};
use suanpan::sales::pipeline::{self, OpportunityQuery};
use suanpan::sales::timeline;

async fn customer(c: &common::Company, code: &str, owner: &str) -> i64 {
    let input =
        CustomerInput { code: code.into(), name: format!("客户{code}"), owner: owner.into(), ..Default::default() };
    customers::create(&c.db, &c.owner, &input).await.unwrap().customer.id
}

fn expense(date: &str, customer: &str, category: &str, amount: &str) -> ExpenseInput {
    ExpenseInput {
        date: date.into(),
        customer_code: customer.into(),
        category: category.into(),
        amount: amount.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn expenses_are_summed_broken_down_and_scoped() {
    let c = company().await;
    customer(&c, "C1", "zhangwei").await;
    customer(&c, "C2", "liuyang").await;
    expenses::create(&c.db, &c.sales_sh, &expense("2026-03-01", "C1", "招待费", "380.00")).await.unwrap();
    expenses::create(&c.db, &c.sales_sh, &expense("2026-03-05", "", "差旅费", "1200.50")).await.unwrap();
    expenses::create(&c.db, &c.sales_gz, &expense("2026-03-07", "C2", "招待费", "99.99")).await.unwrap();
    // The owner records one for a salesperson by name.
    let for_someone = ExpenseInput { salesperson: "张伟".into(), ..expense("2026-04-01", "C1", "礼品费", "50") };
    let recorded = expenses::create(&c.db, &c.owner, &for_someone).await.unwrap();
    assert_eq!(recorded.salesperson, "zhangwei");

    let bad = ExpenseInput { salesperson: String::new(), ..expense("2026-02-30", "C2", "买彩票", "0") };
    let Err(Error::Fields(problems)) = expenses::create(&c.db, &c.sales_sh, &bad).await else { panic!("accepted") };
    let mut fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
    fields.sort();
    assert_eq!(fields, ["amount", "category", "customer_code", "date"], "C2 is not zhangwei's customer");

    let all = expenses::list(&c.db, &c.owner, &ExpenseQuery::default()).await.unwrap();
    assert_eq!((all.total, all.sum), (4, Money::from_minor(38_000 + 120_050 + 9_999 + 5_000)));
    let march = ExpenseQuery { from: Some("2026-03-01".into()), to: Some("2026-03-31".into()), ..Default::default() };
    let mine = expenses::list(&c.db, &c.sales_sh, &march).await.unwrap();
    assert_eq!((mine.total, mine.sum), (2, Money::from_minor(158_050)), "a salesperson sees their own");

    let by_customer =
        expenses::breakdown(&c.db, &c.owner, &ExpenseQuery::default(), ExpenseBy::Customer).await.unwrap();
    let keys: Vec<(&str, String)> = by_customer.iter().map(|g| (g.key.as_str(), g.amount.to_string())).collect();
    assert_eq!(
        keys,
        [("C1 客户C1", "430.00".to_string()), ("C2 客户C2", "99.99".to_string())],
        "no customer: left out"
    );
    let by_category =
        expenses::breakdown(&c.db, &c.owner, &ExpenseQuery::default(), ExpenseBy::Category).await.unwrap();
    assert_eq!(by_category[0].key, "差旅费");
    let by_person =
        expenses::breakdown(&c.db, &c.manager, &ExpenseQuery::default(), ExpenseBy::Salesperson).await.unwrap();
    assert_eq!(by_person.iter().map(|g| g.key.as_str()).collect::<Vec<_>>(), ["张伟"], "the SH manager sees SH");

    assert!(expenses::delete(&c.db, &c.sales_gz, recorded.id).await.is_err(), "not theirs");
    expenses::delete(&c.db, &c.sales_sh, recorded.id).await.unwrap();
    assert_eq!(expenses::list(&c.db, &c.owner, &ExpenseQuery::default()).await.unwrap().total, 3);
    // A category in use is not deleted.
    let entertainment = picklists::list(&c.db, PickList::ExpenseCategory)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.name == "招待费")
        .unwrap();
    assert_eq!(entertainment.used, 2);
    assert!(picklists::delete(&c.db, &c.owner, PickList::ExpenseCategory, entertainment.id).await.is_err());
}

#[tokio::test]
async fn service_requests_are_handled_rated_and_summarised() {
    let c = company().await;
    let c1 = customer(&c, "C1", "zhangwei").await;
    let request = |kind: &str, satisfaction: &str| ServiceInput {
        date: "2026-05-01".into(),
        customer_id: Some(c1),
        kind: kind.into(),
        satisfaction: satisfaction.into(),
        content: "礼盒破损".into(),
        ..Default::default()
    };
    let complaint = service::create(&c.db, &c.sales_sh, &request("投诉", "")).await.unwrap();
    assert_eq!(
        (complaint.kind.as_str(), complaint.status.as_str(), complaint.satisfaction),
        ("complaint", "open", None)
    );
    service::create(&c.db, &c.sales_sh, &request("complaint", "2")).await.unwrap();
    service::create(&c.db, &c.sales_sh, &request("表扬", "5")).await.unwrap();
    let Err(Error::Fields(problems)) = service::create(&c.db, &c.sales_sh, &request("夸奖", "6")).await else {
        panic!("accepted")
    };
    assert_eq!(problems.iter().map(|p| p.field).collect::<Vec<_>>(), ["type", "satisfaction"]);
    assert!(service::create(&c.db, &c.sales_gz, &request("投诉", "")).await.is_err(), "not their customer");

    let resolved = ServiceInput {
        status: "已解决".into(),
        satisfaction: "4".into(),
        resolution: "补发两盒".into(),
        version: Some(complaint.version),
        ..request("投诉", "")
    };
    let handled = service::update(&c.db, &c.owner, complaint.id, &resolved).await.unwrap();
    assert_eq!((handled.status.as_str(), handled.satisfaction), ("resolved", Some(4)));
    assert_eq!(handled.handler.as_deref(), Some("boss"));
    assert!(handled.resolved_on.is_some());
    let stale = service::update(&c.db, &c.owner, complaint.id, &resolved).await;
    assert!(matches!(stale, Err(Error::Conflict { .. })), "an edit from an old copy is refused");

    let summary = service::summary(&c.db, &c.owner, &ServiceQuery::default(), ServiceBy::Type).await.unwrap();
    let rows: Vec<(&str, i64, i64, Option<&str>)> =
        summary.iter().map(|g| (g.key.as_str(), g.requests, g.rated, g.avg_satisfaction.as_deref())).collect();
    assert_eq!(rows, [("complaint", 2, 2, Some("3.0")), ("praise", 1, 1, Some("5.0"))]);
    let open = ServiceQuery { status: Some(ServiceStatus::Open), ..Default::default() };
    assert_eq!(service::list(&c.db, &c.sales_sh, &open).await.unwrap().total, 2);
    assert_eq!(service::list(&c.db, &c.sales_gz, &ServiceQuery::default()).await.unwrap().total, 0);
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn opportunities_expenses_and_service_import_once_round_trip_undo_and_fill_the_timeline() {
    let c = company().await;
    let c1 = customer(&c, "C1", "zhangwei").await;
    let dir = tempfile::tempdir().unwrap();
    let opportunities = write(
        dir.path(),
        "商机.csv",
        "商机编号,客户编号,业务员,商机名称,金额,阶段,概率,预计成交日期,状态,结束日期,丢单原因\n\
         OP1,C1,zhangwei,中秋团购,36000,方案报价,,2026-09-30,进行中,,\n\
         OP2,C1,zhangwei,春节礼盒,12000,商务谈判,,2026-01-20,丢单,2026-01-25,被同行低价抢走\n\
         OP3,C1,新销售,年会用茶,5000,即将签约,,2026-03-01,赢单,,\n",
    );
    let report = import::import_file(&c.db, &c.owner, Entity::Opportunities, &opportunities, ImportOptions::default())
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.inserted, 3);
    assert!(report.notices.iter().any(|n| n.to_string().contains("被同行低价抢走")), "{:?}", report.notices);
    assert!(report.notices.iter().any(|n| n.to_string().contains("新销售")), "{:?}", report.notices);
    let lost = pipeline::by_code(&c.db, &c.owner, "OP2").await.unwrap();
    assert_eq!((lost.status.as_str(), lost.closed_on.as_deref()), ("lost", Some("2026-01-25")));
    assert_eq!(lost.lost_reason.as_deref(), Some("被同行低价抢走"));
    let won = pipeline::by_code(&c.db, &c.owner, "OP3").await.unwrap();
    assert_eq!((won.closed_on.as_deref(), won.probability), (Some("2026-03-01"), 100), "closed on its expected date");
    assert_eq!(pipeline::by_code(&c.db, &c.owner, "OP1").await.unwrap().probability, 50, "the stage's probability");

    // Bad rows: each named by line and column, and nothing written.
    let bad = write(
        dir.path(),
        "bad.csv",
        "code,customer_code,name,amount,stage,status,lost_reason,closed_on\n\
         OP9,C1,甲,100,幻想阶段,open,,\n\
         OP10,C9,乙,abc,,lost,,\n\
         OP11,C1,丙,100,,open,价格太高,2026-01-01\n\
         OP9,C1,丁,100,,,,\n",
    );
    let refused =
        import::import_file(&c.db, &c.owner, Entity::Opportunities, &bad, ImportOptions::default()).await.unwrap();
    let errors: Vec<(u64, &str)> = refused.errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(
        errors,
        // Line 2's unknown stage is no error: the owner may edit the lists, so it is added (tests/import_values.rs).
        [(3, "amount"), (3, "lost_reason"), (3, "customer_code"), (4, "closed_on"), (4, "lost_reason"), (5, "code")]
    );
    assert_eq!(refused.batch_id, None);
    assert_eq!(pipeline::list(&c.db, &c.owner, &OpportunityQuery::default()).await.unwrap().total, 3);

    let expenses_file = write(
        dir.path(),
        "费用.csv",
        "日期,业务员,客户编号,费用类别,金额,备注\n2026-03-01,zhangwei,C1,招待费,380.00,请客户试饮\n2026-03-02,zhangwei,,茶会场地费,1500,\n",
    );
    let service_file = write(
        dir.path(),
        "服务.csv",
        "日期,客户编号,类型,满意度,状态,处理结果,反馈内容\n2026-03-20,C1,投诉,4,已解决,补发两盒并致歉,礼盒有破损\n",
    );
    for (entity, file, rows) in [(Entity::Expenses, &expenses_file, 2), (Entity::Service, &service_file, 1)] {
        let first = import::import_file(&c.db, &c.owner, entity, file, ImportOptions::default()).await.unwrap();
        assert!(first.errors.is_empty(), "{:?}", first.errors);
        assert_eq!(first.inserted, rows);
        let again = import::import_file(&c.db, &c.owner, entity, file, ImportOptions::default()).await.unwrap();
        assert_eq!((again.inserted, again.skipped), (0, rows), "the same rows are not recorded twice");
    }
    let categories = picklists::list(&c.db, PickList::ExpenseCategory).await.unwrap();
    assert!(categories.iter().any(|k| k.name == "茶会场地费"), "a new category is added to the list");

    // Everything is on the customer's timeline, newest first.
    let events = timeline::timeline(&c.db, &c.owner, c1, 0, None).await.unwrap();
    let kinds: Vec<(&str, &str)> = events.rows.iter().map(|e| (e.date.as_str(), e.kind.as_str())).collect();
    assert!(kinds.contains(&("2026-03-20", "service")), "{kinds:?}");
    assert!(kinds.contains(&("2026-03-01", "expense")), "{kinds:?}");
    assert!(kinds.contains(&("2026-01-25", "opportunity")), "{kinds:?}");
    assert_eq!(
        events.rows.iter().filter(|e| e.kind == "expense").count(),
        1,
        "the expense naming no customer is not on it"
    );
    let service_event = events.rows.iter().find(|e| e.kind == "service").unwrap();
    assert_eq!(
        (service_event.detail.as_deref(), service_event.status.as_deref()),
        (Some("complaint"), Some("resolved"))
    );

    // Export → import into a fresh company gives the same files back.
    let fresh = company().await;
    customer(&fresh, "C1", "zhangwei").await;
    for entity in [Entity::Opportunities, Entity::Expenses, Entity::Service] {
        let out = dir.path().join(format!("{}.csv", entity.as_str()));
        export::export_csv(&c.db, &c.owner, entity, &out).await.unwrap();
        let report =
            import::import_file(&fresh.db, &fresh.owner, entity, &out, ImportOptions::default()).await.unwrap();
        assert!(report.errors.is_empty(), "{entity:?}: {:?}", report.errors);
        let again = dir.path().join(format!("{}-again.csv", entity.as_str()));
        export::export_csv(&fresh.db, &fresh.owner, entity, &again).await.unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), std::fs::read_to_string(&again).unwrap(), "{entity:?}");
    }

    // Undo: refused once a record changed, then done after the change is undone by hand.
    let batch = report.batch_id.unwrap();
    let stages = pipeline::stages(&c.db).await.unwrap();
    pipeline::move_to_stage(&c.db, &c.owner, pipeline::by_code(&c.db, &c.owner, "OP1").await.unwrap().id, stages[4].id)
        .await
        .unwrap();
    assert!(matches!(import::undo(&c.db, &c.owner, batch).await, Err(Error::BatchChanged { changed: 1 })));
    let fresh_batches = import::batches(&fresh.db, &fresh.owner).await.unwrap();
    let service_batch = fresh_batches.iter().find(|b| b.entity == "service").unwrap().id;
    import::undo(&fresh.db, &fresh.owner, service_batch).await.unwrap();
    assert_eq!(service::list(&fresh.db, &fresh.owner, &ServiceQuery::default()).await.unwrap().total, 0);
    let opportunity_batch = fresh_batches.iter().find(|b| b.entity == "opportunities").unwrap().id;
    import::undo(&fresh.db, &fresh.owner, opportunity_batch).await.unwrap();
    assert_eq!(pipeline::list(&fresh.db, &fresh.owner, &OpportunityQuery::default()).await.unwrap().total, 0);
}

#[tokio::test]
async fn imports_keep_to_the_importers_scope_and_lists_and_keep_equal_rows_of_one_file() {
    let c = company().await;
    customer(&c, "C1", "zhangwei").await;
    customer(&c, "C2", "liuyang").await;
    let dir = tempfile::tempdir().unwrap();
    // Two equal taxi fares on one day are two expenses; the same file again adds none.
    let fares = write(
        dir.path(),
        "fares.csv",
        "date,salesperson,customer_code,category,amount,note\n2026-03-01,zhangwei,,交通费,25.00,打车\n2026-03-01,zhangwei,,交通费,25.00,打车\n",
    );
    let first =
        import::import_file(&c.db, &c.sales_sh, Entity::Expenses, &fares, ImportOptions::default()).await.unwrap();
    assert_eq!((first.inserted, first.skipped), (2, 0), "{:?}", first.errors);
    let again =
        import::import_file(&c.db, &c.sales_sh, Entity::Expenses, &fares, ImportOptions::default()).await.unwrap();
    assert_eq!((again.inserted, again.skipped), (0, 2));
    assert_eq!(expenses::list(&c.db, &c.owner, &ExpenseQuery::default()).await.unwrap().sum, Money::yuan(50));

    // A salesperson cannot add to the owner's lists through a file: the category stays unknown.
    let odd = write(dir.path(), "odd.csv", "date,category,amount\n2026-03-02,彩票,10\n");
    let refused =
        import::import_file(&c.db, &c.sales_sh, Entity::Expenses, &odd, ImportOptions::default()).await.unwrap();
    assert_eq!(
        refused.errors.iter().map(|e| (e.line, e.column.as_str(), e.reason)).collect::<Vec<_>>(),
        [(2, "category", "unknown")]
    );
    assert!(!picklists::list(&c.db, PickList::ExpenseCategory).await.unwrap().iter().any(|k| k.name == "彩票"));

    // Nor overwrite another salesperson's deal by its code, nor leave a code out.
    let theirs = write(dir.path(), "theirs.csv", "code,customer_code,name,amount\nOP1,C2,广州的单,5000\n");
    let report = import::import_file(&c.db, &c.sales_gz, Entity::Opportunities, &theirs, ImportOptions::default())
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let takeover = write(dir.path(), "takeover.csv", "code,customer_code,name,amount\nOP1,C1,抢单,1\n,C1,无编号,1\n");
    let upsert = ImportOptions { mode: import::Mode::Upsert, ..Default::default() };
    let refused = import::import_file(&c.db, &c.sales_sh, Entity::Opportunities, &takeover, upsert).await.unwrap();
    let errors: Vec<(u64, &str, &str)> = refused.errors.iter().map(|e| (e.line, e.column.as_str(), e.reason)).collect();
    assert_eq!(errors, [(2, "code", "taken"), (3, "code", "required")]);
    assert_eq!(pipeline::by_code(&c.db, &c.owner, "OP1").await.unwrap().name, "广州的单");
}

#[tokio::test]
async fn a_quote_accepted_after_its_deal_was_lost_leaves_the_deal_lost() {
    let c = company().await;
    let c1 = customer(&c, "C1", "zhangwei").await;
    let product = suanpan::catalog::products::ProductInput {
        sku: "P1".into(),
        name: "龙井".into(),
        standard_price: "100".into(),
        ..Default::default()
    };
    suanpan::catalog::products::create(&c.db, &c.owner, &product).await.unwrap();
    let input = suanpan::sales::pipeline::OpportunityInput {
        customer_id: Some(c1),
        name: "年货".into(),
        amount: "1000".into(),
        ..Default::default()
    };
    let deal = pipeline::create(&c.db, &c.sales_sh, &input).await.unwrap();
    let quote = suanpan::sales::quotes::QuoteInput {
        opportunity_id: Some(deal.id),
        lines: vec![suanpan::sales::orders::OrderLineInput {
            sku: "P1".into(),
            quantity: "1".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let quote = suanpan::sales::quotes::create(&c.db, &c.sales_sh, &quote).await.unwrap();
    let reason = picklists::list(&c.db, PickList::LostReason).await.unwrap()[0].id;
    pipeline::close(&c.db, &c.sales_sh, deal.id, pipeline::Outcome::Lost { reason_id: reason }, None).await.unwrap();
    let order = suanpan::sales::quotes::accept(&c.db, &c.sales_sh, quote.id, None).await.unwrap();
    let after = pipeline::get(&c.db, &c.sales_sh, deal.id).await.unwrap();
    assert_eq!(
        (after.status.as_str(), after.order_id),
        ("lost", None),
        "the order {} is not this deal's",
        order.order_no
    );
    let too_big = suanpan::sales::pipeline::OpportunityInput { amount: "100000000000.01".into(), ..input };
    let Err(Error::Invalid { field, .. }) = pipeline::create(&c.db, &c.sales_sh, &too_big).await else {
        panic!("accepted")
    };
    assert_eq!(field, "amount");
}

/// An expense or a service request is skipped only when an earlier import recorded one equal in every
/// column of the file: one typed in the app does not hide a file row, and a request differing only in
/// its satisfaction or status is another request.
#[tokio::test]
async fn expenses_and_service_are_skipped_only_when_an_earlier_import_recorded_every_column() {
    let c = company().await;
    customer(&c, "C1", "zhangwei").await;
    let dir = tempfile::tempdir().unwrap();
    let typed = ExpenseInput {
        salesperson: "zhangwei".into(),
        note: "打车".into(),
        ..expense("2026-03-01", "", "交通费", "25.00")
    };
    expenses::create(&c.db, &c.owner, &typed).await.unwrap();
    let fares = write(
        dir.path(),
        "fares.csv",
        "date,salesperson,customer_code,category,amount,note\n2026-03-01,zhangwei,,交通费,25.00,打车\n",
    );
    let first = import::import_file(&c.db, &c.owner, Entity::Expenses, &fares, ImportOptions::default()).await.unwrap();
    assert_eq!((first.inserted, first.skipped), (1, 0), "the fare typed in the app is not the file's");
    let again = import::import_file(&c.db, &c.owner, Entity::Expenses, &fares, ImportOptions::default()).await.unwrap();
    assert_eq!((again.inserted, again.skipped), (0, 1));
    assert_eq!(again.skipped_reasons, [import::Skipped { code: import::SkipReason::AlreadyImported, count: 1 }]);

    let typed = ServiceInput {
        date: "2026-03-02".into(),
        customer_code: "C1".into(),
        kind: "repair".into(),
        content: "漏水".into(),
        ..Default::default()
    };
    service::create(&c.db, &c.owner, &typed).await.unwrap();
    let requests = write(
        dir.path(),
        "service.csv",
        "date,customer_code,type,satisfaction,status,resolution,content\n\
         2026-03-02,C1,repair,,open,,漏水\n\
         2026-03-03,C1,complaint,2,resolved,已换货,发错货\n\
         2026-03-03,C1,complaint,4,resolved,已换货,发错货\n\
         2026-03-03,C1,complaint,4,closed,已换货,发错货\n",
    );
    let first =
        import::import_file(&c.db, &c.owner, Entity::Service, &requests, ImportOptions::default()).await.unwrap();
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert_eq!((first.inserted, first.skipped), (4, 0));
    let again =
        import::import_file(&c.db, &c.owner, Entity::Service, &requests, ImportOptions::default()).await.unwrap();
    assert_eq!((again.inserted, again.skipped), (0, 4));
    assert_eq!(again.skipped_reasons, [import::Skipped { code: import::SkipReason::AlreadyImported, count: 4 }]);
}
