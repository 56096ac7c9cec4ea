//! The sales pipeline: opportunities through stages to won or lost, the board, the forecast, quotes
//! that become orders, leads that become customers; all within the salesperson's scope.

mod common;

use chrono::NaiveDate;
use common::company;
use suanpan::Error;
use suanpan::catalog::products::{self, ProductInput};
use suanpan::crm::customers::{self, CustomerInput};
use suanpan::crm::picklists::{self, PickList};
use suanpan::error::{RangeUnit, Reason};
use suanpan::money::Money;
use suanpan::sales::leads::{self, Conversion, LeadInput};
use suanpan::sales::orders::OrderLineInput;
use suanpan::sales::pipeline::{self, OpportunityInput, OpportunityQuery, OpportunityStatus, Outcome};
use suanpan::sales::quotes::{self, QuoteInput};

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn customer(c: &common::Company, code: &str, owner: &str) -> i64 {
    let input =
        CustomerInput { code: code.into(), name: format!("客户{code}"), owner: owner.into(), ..Default::default() };
    customers::create(&c.db, &c.owner, &input).await.unwrap().customer.id
}

fn deal(customer_id: i64, name: &str, amount: &str, expected_close: &str) -> OpportunityInput {
    OpportunityInput {
        customer_id: Some(customer_id),
        name: name.into(),
        amount: amount.into(),
        expected_close: expected_close.into(),
        ..Default::default()
    }
}

async fn reason(c: &common::Company, name: &str) -> i64 {
    picklists::list(&c.db, PickList::LostReason).await.unwrap().into_iter().find(|r| r.name == name).unwrap().id
}

#[tokio::test]
async fn an_opportunity_moves_through_stages_and_a_lost_one_keeps_amount_date_and_reason() {
    let c = company().await;
    let customer = customer(&c, "C1", "zhangwei").await;
    let opened =
        pipeline::create(&c.db, &c.sales_sh, &deal(customer, "中秋礼盒团购", "36000", "2026-09-30")).await.unwrap();
    assert_eq!((opened.code.as_str(), opened.stage.as_str(), opened.probability), ("OP000001", "初步接洽", 10));
    assert_eq!(opened.salesperson.as_deref(), Some("zhangwei"));
    assert_eq!(opened.status, "open");

    let stages = pipeline::stages(&c.db).await.unwrap();
    let negotiation = stages.iter().find(|s| s.name == "商务谈判").unwrap();
    let moved = pipeline::move_to_stage(&c.db, &c.sales_sh, opened.id, negotiation.id).await.unwrap();
    assert_eq!((moved.stage_id, moved.probability, moved.version), (negotiation.id, 70, 2));

    // Lost needs a reason the list knows; it keeps its amount and gets its date.
    let unknown = pipeline::close(&c.db, &c.sales_sh, opened.id, Outcome::Lost { reason_id: 999 }, None).await;
    assert!(matches!(unknown, Err(Error::Invalid { field: "lost_reason", .. })), "{unknown:?}");
    let price = reason(&c, "价格太高").await;
    let lost =
        pipeline::close(&c.db, &c.sales_sh, opened.id, Outcome::Lost { reason_id: price }, Some(date("2026-08-15")))
            .await
            .unwrap();
    assert_eq!(lost.status, "lost");
    assert_eq!(lost.amount, Money::yuan(36_000));
    assert_eq!(lost.closed_on.as_deref(), Some("2026-08-15"));
    assert_eq!(lost.lost_reason.as_deref(), Some("价格太高"));
    assert_eq!(lost.probability, 0);
    // The reason is now in use: it cannot be deleted, only deactivated.
    assert!(picklists::delete(&c.db, &c.owner, PickList::LostReason, price).await.is_err());

    // Dragged back onto a stage, it is open again with that stage's probability.
    let reopened = pipeline::move_to_stage(&c.db, &c.sales_sh, opened.id, negotiation.id).await.unwrap();
    assert_eq!((reopened.status.as_str(), reopened.closed_on, reopened.lost_reason), ("open", None, None));
    assert_eq!(reopened.probability, 70);

    // A branch manager cannot hand a deal to another branch's salesperson.
    let elsewhere = OpportunityInput { salesperson: "liuyang".into(), ..deal(customer, "转单", "100", "") };
    let refused = pipeline::create(&c.db, &c.manager, &elsewhere).await;
    assert!(matches!(refused, Err(Error::Invalid { field: "salesperson", .. })), "{refused:?}");

    // Bad input names every field.
    let bad = OpportunityInput {
        amount: "-5".into(),
        probability: "150".into(),
        stage: "幻想".into(),
        expected_close: "2026-02-30".into(),
        ..deal(customer, "", "", "")
    };
    let Err(Error::Fields(problems)) = pipeline::create(&c.db, &c.sales_sh, &bad).await else { panic!("accepted") };
    let mut fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
    fields.sort();
    assert_eq!(fields, ["amount", "expected_close", "name", "probability", "stage"]);
    // The range travels as numbers and a unit the window translates, not as English text.
    let probability = problems.iter().find(|p| p.field == "probability").map(|p| &p.reason);
    assert_eq!(
        probability,
        Some(&Reason::OutOfRange { value: "150".into(), min: 0, max: 100, unit: RangeUnit::Percent })
    );

    // An open opportunity has no closing date; a won one no lost reason: each said by its own code.
    let mixed = OpportunityInput { closed_on: "2026-03-01".into(), ..deal(customer, "开着的", "100", "") };
    let Err(error) = pipeline::create(&c.db, &c.sales_sh, &mixed).await else { panic!("accepted") };
    let codes: Vec<_> = error.field_errors().iter().map(|p| (p.field, p.reason.code())).collect();
    assert_eq!(codes, [("closed_on", "open_has_no_close_date")]);
}

#[tokio::test]
async fn the_board_and_the_forecast_weigh_amounts_by_probability() {
    let c = company().await;
    let customer = customer(&c, "C1", "zhangwei").await;
    let stages = pipeline::stages(&c.db).await.unwrap();
    let with = |stage: usize, name: &str, amount: &str, close: &str, probability: &str| OpportunityInput {
        stage_id: Some(stages[stage].id),
        probability: probability.into(),
        ..deal(customer, name, amount, close)
    };
    // 333.33 × 50 % = 166.665 → 166.67 (half away from zero, per opportunity).
    pipeline::create(&c.db, &c.sales_sh, &with(2, "A", "333.33", "2026-12-10", "")).await.unwrap();
    pipeline::create(&c.db, &c.sales_sh, &with(2, "B", "1000", "2026-12-20", "35")).await.unwrap();
    pipeline::create(&c.db, &c.sales_sh, &with(0, "C", "200", "2027-02-01", "")).await.unwrap();
    let overdue = pipeline::create(&c.db, &c.sales_sh, &with(0, "D", "80", "2026-10-01", "")).await.unwrap();
    let won = pipeline::create(&c.db, &c.sales_sh, &with(3, "E", "5000", "2026-12-31", "")).await.unwrap();
    pipeline::close(&c.db, &c.sales_sh, won.id, Outcome::Won, Some(date("2026-12-05"))).await.unwrap();

    let forecast = pipeline::forecast(&c.db, &c.owner, Some(date("2026-12-15")), 3).await.unwrap();
    let months: Vec<(&str, i64, String, String, String)> = forecast
        .months
        .iter()
        .map(|m| {
            (
                m.month.as_str(),
                m.open_count,
                m.open_amount.to_string(),
                m.weighted.to_string(),
                m.won_amount.to_string(),
            )
        })
        .collect();
    assert_eq!(
        months,
        [
            ("2026-12", 2, "1333.33".into(), "516.67".into(), "5000.00".into()),
            ("2027-01", 0, "0.00".into(), "0.00".into(), "0.00".into()),
            ("2027-02", 1, "200.00".into(), "20.00".into(), "0.00".into()),
        ]
    );
    assert_eq!((forecast.overdue_count, forecast.overdue_weighted), (1, Money::from_minor(800)));
    assert_eq!(pipeline::weighted(Money::from_minor(33_333), 50), Money::from_minor(16_667));

    let board = pipeline::board(&c.db, &c.sales_sh, Some(date("2026-01-01"))).await.unwrap();
    let first = &board[0];
    assert_eq!((first.kind, first.count, first.amount), ("stage", 2, Money::yuan(280)));
    assert_eq!(first.cards.first().map(|o| o.id), Some(overdue.id), "soonest expected close first");
    let won_column = board.iter().find(|col| col.kind == "won").unwrap();
    assert_eq!((won_column.count, won_column.amount), (1, Money::yuan(5000)));
    assert_eq!(board.len(), stages.len() + 2);

    // Another branch's salesperson sees none of it.
    let theirs = pipeline::board(&c.db, &c.sales_gz, None).await.unwrap();
    assert!(theirs.iter().all(|col| col.count == 0));
    let none = pipeline::forecast(&c.db, &c.sales_gz, Some(date("2026-12-01")), 1).await.unwrap();
    assert_eq!(none.months[0].open_count, 0);
    assert!(matches!(pipeline::get(&c.db, &c.sales_gz, won.id).await, Err(Error::NotFound { .. })));
    assert!(pipeline::move_to_stage(&c.db, &c.sales_gz, won.id, stages[0].id).await.is_err());
    let query = OpportunityQuery { status: Some(OpportunityStatus::Open), ..Default::default() };
    assert_eq!(pipeline::list(&c.db, &c.manager, &query).await.unwrap().total, 4, "the SH manager sees SH's deals");
    assert_eq!(pipeline::list(&c.db, &c.sales_gz, &query).await.unwrap().total, 0);
}

#[tokio::test]
async fn an_accepted_quote_becomes_the_order_and_wins_its_opportunity_in_one_step() {
    let c = company().await;
    let customer = customer(&c, "C1", "zhangwei").await;
    let product =
        ProductInput { sku: "P1".into(), name: "龙井".into(), standard_price: "100".into(), ..Default::default() };
    products::create(&c.db, &c.owner, &product).await.unwrap();
    let opportunity =
        pipeline::create(&c.db, &c.sales_sh, &deal(customer, "年货", "1000", "2026-12-31")).await.unwrap();
    let input = QuoteInput {
        opportunity_id: Some(opportunity.id),
        quote_date: "2026-11-01".into(),
        lines: vec![
            OrderLineInput { sku: "P1".into(), quantity: "3".into(), unit_price: "95.50".into(), ..Default::default() },
            OrderLineInput { sku: "P1".into(), quantity: "1.5".into(), ..Default::default() },
        ],
        ..Default::default()
    };
    let quote = quotes::create(&c.db, &c.sales_sh, &input).await.unwrap();
    assert_eq!((quote.quote_no.as_str(), quote.valid_until.as_str()), ("QT000001", "2026-12-01"));
    assert_eq!(quote.customer_id, customer, "the customer comes from the opportunity");
    assert_eq!(quote.total, Money::from_minor(28_650 + 15_000));

    let order = quotes::accept(&c.db, &c.sales_sh, quote.id, Some(date("2026-11-05"))).await.unwrap();
    assert_eq!(order.status, "draft");
    assert_eq!(order.total, quote.total);
    let prices: Vec<String> = order.lines.iter().map(|l| format!("{}×{}", l.quantity, l.unit_price)).collect();
    assert_eq!(prices, ["3×95.50", "1.5×100.00"]);
    let quote = quotes::get(&c.db, &c.sales_sh, quote.id).await.unwrap();
    assert_eq!((quote.status.as_str(), quote.order_no.as_deref()), ("accepted", Some(order.order_no.as_str())));
    let won = pipeline::get(&c.db, &c.sales_sh, opportunity.id).await.unwrap();
    assert_eq!((won.status.as_str(), won.closed_on.as_deref()), ("won", Some("2026-11-05")));
    assert_eq!(won.order_no.as_deref(), Some(order.order_no.as_str()));
    assert!(matches!(quotes::accept(&c.db, &c.sales_sh, quote.id, None).await, Err(Error::WrongStatus { .. })));

    // A quote for an inactive product fails whole: no order, the quote stays open.
    let second = quotes::create(
        &c.db,
        &c.sales_sh,
        &QuoteInput { opportunity_id: None, customer_id: Some(customer), ..input.clone() },
    )
    .await
    .unwrap();
    let retired = ProductInput { active: Some(false), ..product.clone() };
    let p1 = products::list(&c.db, &c.owner, &Default::default()).await.unwrap().rows[0].id;
    products::update(&c.db, &c.owner, p1, &retired).await.unwrap();
    assert!(quotes::accept(&c.db, &c.sales_sh, second.id, None).await.is_err());
    assert_eq!(quotes::get(&c.db, &c.sales_sh, second.id).await.unwrap().status, "open");
    assert_eq!(quotes::list(&c.db, &c.sales_sh, Some(customer), None).await.unwrap().len(), 2);
    assert!(quotes::list(&c.db, &c.sales_gz, None, None).await.unwrap().is_empty());
    let rejected = quotes::reject(&c.db, &c.sales_sh, second.id).await.unwrap();
    assert_eq!(rejected.status, "rejected");
}

#[tokio::test]
async fn a_converted_lead_makes_the_customer_its_contact_and_an_opportunity_together() {
    let c = company().await;
    let lead = LeadInput {
        name: "陈经理".into(),
        company: "杭州茗香茶庄".into(),
        phone: "13900002222".into(),
        source: "展会".into(),
        ..Default::default()
    };
    let created = leads::create(&c.db, &c.sales_sh, &lead).await.unwrap();
    assert_eq!((created.status.as_str(), created.salesperson.as_deref()), ("new", Some("zhangwei")));
    leads::set_status(&c.db, &c.sales_sh, created.id, "qualified").await.unwrap();
    let moved = LeadInput { phone: "13900003333".into(), version: Some(created.version + 1), ..lead.clone() };
    let changed = leads::update(&c.db, &c.sales_sh, created.id, &moved).await.unwrap();
    assert_eq!((changed.phone.as_str(), changed.status.as_str()), ("13900003333", "qualified"));
    let stale = leads::update(&c.db, &c.sales_sh, created.id, &moved).await;
    assert!(matches!(stale, Err(Error::Conflict { .. })), "{stale:?}");
    let lead = LeadInput { phone: "13900002222".into(), ..lead };
    leads::update(&c.db, &c.sales_sh, created.id, &lead).await.unwrap();
    let conversion =
        Conversion { opportunity_name: "茶庄首批进货".into(), amount: "8800".into(), ..Default::default() };
    let converted = leads::convert(&c.db, &c.sales_sh, created.id, &conversion).await.unwrap();
    let customer = customers::get(&c.db, &c.sales_sh, converted.customer_id).await.unwrap();
    assert_eq!((customer.name.as_str(), customer.kind.as_str()), ("杭州茗香茶庄", "channel"));
    assert_eq!(customer.source.as_deref(), Some("展会"));
    let contacts = suanpan::crm::contacts::list(&c.db, &c.sales_sh, customer.id).await.unwrap();
    assert_eq!(contacts.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(), ["陈经理"]);
    // The contact is searchable at once: the customer is found by the person's name.
    let query = suanpan::crm::CustomerQuery { search: "陈经理".into(), ..Default::default() };
    let found = customers::list(&c.db, &c.sales_sh, &query).await.unwrap();
    assert_eq!(found.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [customer.id]);
    let opportunity = converted.opportunity.unwrap();
    assert_eq!((opportunity.customer_id, opportunity.amount), (customer.id, Money::yuan(8800)));
    assert_eq!(converted.lead.status, "converted");
    assert!(matches!(
        leads::convert(&c.db, &c.sales_sh, created.id, &conversion).await,
        Err(Error::WrongStatus { .. })
    ));
    let after = leads::update(&c.db, &c.sales_sh, created.id, &lead).await;
    assert!(matches!(after, Err(Error::WrongStatus { .. })), "a converted lead is history: {after:?}");

    // A second lead with the same phone looks like the same customer: refused, and nothing of it is written.
    let twin = leads::create(&c.db, &c.sales_sh, &LeadInput { company: String::new(), ..lead }).await.unwrap();
    let refused = leads::convert(&c.db, &c.sales_sh, twin.id, &conversion).await;
    assert!(matches!(refused, Err(Error::PossibleDuplicate { .. })), "{refused:?}");
    assert_eq!(leads::get(&c.db, &c.sales_sh, twin.id).await.unwrap().status, "new");
    assert_eq!(pipeline::list(&c.db, &c.owner, &Default::default()).await.unwrap().total, 1);
    // Linking it to the existing customer instead works.
    let linked = Conversion { customer_id: Some(customer.id), ..Conversion::default() };
    let done = leads::convert(&c.db, &c.sales_sh, twin.id, &linked).await.unwrap();
    assert_eq!((done.customer_id, done.opportunity), (customer.id, None));
    assert!(leads::list(&c.db, &c.sales_gz, None, "").await.unwrap().is_empty(), "leads are the salesperson's own");
}
