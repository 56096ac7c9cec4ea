//! Products, purchases, stock and orders through the engine: prices, moving average cost, reservations,
//! deliveries, cancellations, negative stock per warehouse, scope per role.

mod common;

use common::{Company, company};
use suanpan::catalog::products::{self, ProductInput};
use suanpan::catalog::suppliers::{self, SupplierInput};
use suanpan::crm::customers::{self, CustomerInput};
use suanpan::error::Reason;
use suanpan::inventory::purchases::{self, PurchaseInput, PurchaseLineInput};
use suanpan::inventory::stock::{self, AdjustmentInput};
use suanpan::inventory::warehouses;
use suanpan::quantity::Quantity;
use suanpan::sales::order_list::{self, OrderQuery};
use suanpan::sales::orders::{self, OrderInput, OrderLineInput, OrderStatus};
use suanpan::{Actor, Error, Money};

fn product(sku: &str, standard: &str, member: &str, cost: &str) -> ProductInput {
    ProductInput {
        sku: sku.into(),
        name: format!("产品 {sku}"),
        category: "茶叶".into(),
        subcategory: "绿茶".into(),
        unit: "盒".into(),
        standard_price: standard.into(),
        member_price: member.into(),
        cost_price: cost.into(),
        ..Default::default()
    }
}

fn line(sku: &str, quantity: &str, price: &str) -> OrderLineInput {
    OrderLineInput { sku: sku.into(), quantity: quantity.into(), unit_price: price.into(), ..Default::default() }
}

fn money(text: &str) -> Money {
    text.parse().unwrap()
}

fn quantity(text: &str) -> Quantity {
    text.parse().unwrap()
}

/// Buys `quantity` of `sku` at `cost` from supplier S1 and books the goods received.
async fn buy(c: &Company, sku: &str, quantity: &str, cost: &str) {
    let input = PurchaseInput {
        supplier_code: "S1".into(),
        lines: vec![PurchaseLineInput {
            sku: sku.into(),
            quantity: quantity.into(),
            unit_cost: cost.into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let purchase = purchases::create(&c.db, &c.owner, &input).await.expect("purchase");
    purchases::receive(&c.db, &c.owner, purchase.id, None).await.expect("receive");
}

async fn shop() -> (Company, i64) {
    let c = company().await;
    let supplier = SupplierInput { code: "S1".into(), name: "杭州茶厂".into(), ..Default::default() };
    suppliers::create(&c.db, &c.owner, &supplier).await.unwrap();
    products::create(&c.db, &c.owner, &product("T-1", "100.00", "90.00", "60.00")).await.unwrap();
    products::create(&c.db, &c.owner, &product("T-2", "19.99", "", "10.00")).await.unwrap();
    let customer =
        CustomerInput { name: "上海鼎盛贸易有限公司".into(), owner: "zhangwei".into(), ..Default::default() };
    let customer = customers::create(&c.db, &c.owner, &customer).await.unwrap().customer.id;
    (c, customer)
}

async fn order(c: &Company, actor: &Actor, customer: i64, lines: Vec<OrderLineInput>) -> Result<orders::Order, Error> {
    orders::create(&c.db, actor, &OrderInput { customer_id: Some(customer), lines, ..Default::default() }).await
}

#[tokio::test]
async fn cost_plus_markup_sets_the_price_and_categories_have_two_levels() {
    let c = company().await;
    let input = ProductInput { markup: "25%".into(), ..product("M-1", "", "", "80.00") };
    let made = products::create(&c.db, &c.owner, &input).await.unwrap();
    assert_eq!(made.standard_price, money("100.00"));
    assert_eq!(made.markup_percent().as_deref(), Some("25"));
    assert_eq!((made.category.as_deref(), made.subcategory.as_deref()), (Some("茶叶"), Some("绿茶")));

    let bad =
        ProductInput { markup: "lots".into(), cost_price: "-1".into(), name: String::new(), ..product("", "", "", "") };
    let Err(Error::Fields(problems)) = products::create(&c.db, &c.owner, &bad).await else { panic!("accepted") };
    let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["sku", "name", "cost_price", "markup"]);

    let salesperson_may_not = products::create(&c.db, &c.sales_sh, &product("X", "1", "", "1")).await;
    assert!(matches!(salesperson_may_not, Err(Error::Forbidden { .. })));
}

#[tokio::test]
async fn members_pay_the_member_price_and_totals_are_sums_of_rounded_lines() {
    let (c, customer) = shop().await;
    let regular = order(&c, &c.owner, customer, vec![line("T-1", "1", ""), line("T-2", "3", "")]).await.unwrap();
    assert_eq!(regular.lines[0].unit_price, money("100.00"));
    // 3 × 19.99 = 59.97; 1.005 × 0.5 = 0.5025 → 0.50 on its own line.
    assert_eq!(regular.total, money("159.97"));

    let member = CustomerInput { name: "会员客户".into(), level: "会员".into(), ..Default::default() };
    let member = customers::create(&c.db, &c.owner, &member).await.unwrap().customer.id;
    let order = order(&c, &c.owner, member, vec![line("T-1", "2", ""), line("T-2", "1.005", "0.50")]).await.unwrap();
    assert_eq!(order.lines[0].unit_price, money("90.00"));
    assert_eq!(order.lines[1].amount, money("0.50"));
    assert_eq!(order.total, money("180.50"));
    assert_eq!(order.status(), OrderStatus::Draft);
}

#[tokio::test]
async fn moving_average_cost_follows_receipts_and_sales() {
    let (c, customer) = shop().await;
    buy(&c, "T-1", "10", "60.00").await;
    buy(&c, "T-1", "5", "90.00").await;
    let t1 = products::by_sku(&c.db, &c.owner, "T-1").await.unwrap();
    // (600 + 450) / 15 = 70.00
    assert_eq!(
        (t1.stock_quantity, t1.stock_value, t1.moving_average_cost()),
        (quantity("15"), money("1050.00"), Some(money("70.00")))
    );

    let draft = order(&c, &c.owner, customer, vec![line("T-1", "6", "")]).await.unwrap();
    let confirmed = orders::confirm(&c.db, &c.owner, draft.id).await.unwrap();
    assert_eq!(confirmed.lines[0].unit_cost, Some(money("70.00")));
    assert_eq!(confirmed.cost_total, money("420.00"));
    let delivered = orders::deliver(&c.db, &c.owner, draft.id).await.unwrap();
    assert_eq!(delivered.status(), OrderStatus::Delivered);

    let t1 = products::by_sku(&c.db, &c.owner, "T-1").await.unwrap();
    assert_eq!((t1.stock_quantity, t1.stock_value), (quantity("9"), money("630.00")));
    buy(&c, "T-1", "1", "100.00").await;
    let t1 = products::by_sku(&c.db, &c.owner, "T-1").await.unwrap();
    assert_eq!(t1.moving_average_cost(), Some(money("73.00")));

    // Selling everything leaves exactly nothing worth nothing.
    let all = order(&c, &c.owner, customer, vec![line("T-1", "10", "")]).await.unwrap();
    orders::confirm(&c.db, &c.owner, all.id).await.unwrap();
    orders::deliver(&c.db, &c.owner, all.id).await.unwrap();
    let t1 = products::by_sku(&c.db, &c.owner, "T-1").await.unwrap();
    assert_eq!((t1.stock_quantity, t1.stock_value), (Quantity::ZERO, Money::ZERO));
    let valuation = stock::valuation(&c.db, &c.owner).await.unwrap();
    assert_eq!(valuation.total, Money::ZERO);
}

#[tokio::test]
async fn confirming_reserves_stock_and_refuses_what_is_not_there() {
    let (c, customer) = shop().await;
    buy(&c, "T-1", "5", "60.00").await;
    let first = order(&c, &c.owner, customer, vec![line("T-1", "3", "")]).await.unwrap();
    orders::confirm(&c.db, &c.owner, first.id).await.unwrap();
    let level = &stock::levels(&c.db, &c.owner, Some(first.lines[0].product_id)).await.unwrap()[0];
    assert_eq!((level.on_hand, level.reserved, level.available), (quantity("5"), quantity("3"), quantity("2")));

    // Two lines of the same product count together: 1 + 2 > 2 available.
    let second = order(&c, &c.owner, customer, vec![line("T-1", "1", ""), line("T-1", "2", "")]).await.unwrap();
    let refused = orders::confirm(&c.db, &c.owner, second.id).await;
    let Err(Error::InsufficientStock { sku, available, needed, .. }) = refused else { panic!("{refused:?}") };
    assert_eq!((sku.as_str(), available.as_str(), needed.as_str()), ("T-1", "2", "3"));
    assert_eq!(orders::get(&c.db, &c.owner, second.id).await.unwrap().status(), OrderStatus::Draft);

    // Cancelling the first gives its reservation back; then the second fits.
    orders::cancel(&c.db, &c.owner, first.id).await.unwrap();
    orders::confirm(&c.db, &c.owner, second.id).await.unwrap();
    let delivered = orders::deliver(&c.db, &c.owner, second.id).await.unwrap();
    let level = &stock::levels(&c.db, &c.owner, Some(delivered.lines[0].product_id)).await.unwrap()[0];
    assert_eq!((level.on_hand, level.reserved), (quantity("2"), Quantity::ZERO));
    assert!(matches!(orders::cancel(&c.db, &c.owner, second.id).await, Err(Error::WrongStatus { .. })));
}

#[tokio::test]
async fn cancelled_orders_leave_no_trace_in_stock() {
    let (c, customer) = shop().await;
    buy(&c, "T-2", "10", "10.00").await;
    let before = stock::levels(&c.db, &c.owner, None).await.unwrap();
    let draft = order(&c, &c.owner, customer, vec![line("T-2", "4", "")]).await.unwrap();
    orders::confirm(&c.db, &c.owner, draft.id).await.unwrap();
    orders::cancel(&c.db, &c.owner, draft.id).await.unwrap();
    assert_eq!(stock::levels(&c.db, &c.owner, None).await.unwrap(), before);
    let t2 = products::by_sku(&c.db, &c.owner, "T-2").await.unwrap();
    assert_eq!((t2.stock_quantity, t2.stock_value), (quantity("10"), money("100.00")));
}

#[tokio::test]
async fn stock_goes_negative_only_where_the_warehouse_allows_it() {
    let (c, customer) = shop().await;
    let t2 = products::by_sku(&c.db, &c.owner, "T-2").await.unwrap();
    let remove = AdjustmentInput {
        product_id: t2.id,
        warehouse_id: 1,
        quantity: "-1".into(),
        reason: "破损".into(),
        ..Default::default()
    };
    assert!(matches!(stock::adjust(&c.db, &c.owner, &remove).await, Err(Error::InsufficientStock { .. })));
    let no_reason = AdjustmentInput { reason: String::new(), ..remove.clone() };
    assert!(matches!(stock::adjust(&c.db, &c.owner, &no_reason).await, Err(Error::Invalid { field: "reason", .. })));

    let shop_floor = warehouses::create(&c.db, &c.owner, "SHOP", "门店", None, true).await.unwrap();
    let input = OrderInput {
        customer_id: Some(customer),
        warehouse_id: Some(shop_floor.id),
        lines: vec![line("T-2", "2", "")],
        ..Default::default()
    };
    let draft = orders::create(&c.db, &c.owner, &input).await.unwrap();
    orders::confirm(&c.db, &c.owner, draft.id).await.unwrap();
    orders::deliver(&c.db, &c.owner, draft.id).await.unwrap();
    let levels = stock::levels(&c.db, &c.owner, Some(t2.id)).await.unwrap();
    assert_eq!(levels[0].on_hand, quantity("-2"));

    warehouses::set_allow_negative(&c.db, &c.owner, shop_floor.id, false).await.unwrap();
    let again = orders::create(&c.db, &c.owner, &input).await.unwrap();
    assert!(matches!(orders::confirm(&c.db, &c.owner, again.id).await, Err(Error::InsufficientStock { .. })));
}

#[tokio::test]
async fn adjustments_and_transfers_keep_the_value() {
    let (c, _) = shop().await;
    let t1 = products::by_sku(&c.db, &c.owner, "T-1").await.unwrap();
    let found = AdjustmentInput {
        product_id: t1.id,
        warehouse_id: 1,
        quantity: "4".into(),
        unit_cost: "50.00".into(),
        reason: "盘盈".into(),
        ..Default::default()
    };
    let booked = stock::adjust(&c.db, &c.owner, &found).await.unwrap();
    assert_eq!((booked.kind.as_str(), booked.value), ("adjustment", money("200.00")));
    let second = warehouses::create(&c.db, &c.owner, "GZ", "广州仓", None, false).await.unwrap();
    stock::transfer(&c.db, &c.owner, t1.id, 1, second.id, "1.5", None).await.unwrap();
    let levels = stock::levels(&c.db, &c.owner, Some(t1.id)).await.unwrap();
    let on_hand: Vec<_> = levels.iter().map(|l| l.on_hand.to_string()).collect();
    assert_eq!(on_hand, ["2.5", "1.5"]);
    let t1 = products::by_sku(&c.db, &c.owner, "T-1").await.unwrap();
    assert_eq!((t1.stock_quantity, t1.stock_value), (quantity("4"), money("200.00")));
    let moves = stock::moves(&c.db, &c.owner, t1.id, 10).await.unwrap();
    assert_eq!(moves.len(), 3);
    assert!(stock::transfer(&c.db, &c.owner, t1.id, 1, second.id, "3", None).await.is_err());
}

#[tokio::test]
async fn low_stock_list_names_products_under_their_threshold() {
    let (c, _) = shop().await;
    let t1 = products::by_sku(&c.db, &c.owner, "T-1").await.unwrap();
    let input = ProductInput { low_stock: "5".into(), version: Some(t1.version), ..product("T-1", "100", "90", "60") };
    products::update(&c.db, &c.owner, t1.id, &input).await.unwrap();
    buy(&c, "T-1", "3", "60").await;
    let low = stock::low_stock(&c.db, &c.owner).await.unwrap();
    assert_eq!(low.iter().map(|l| l.sku.as_str()).collect::<Vec<_>>(), ["T-1"]);
    buy(&c, "T-1", "2", "60").await;
    assert!(stock::low_stock(&c.db, &c.owner).await.unwrap().is_empty());
}

#[tokio::test]
async fn inactive_products_are_kept_but_not_sold() {
    let (c, customer) = shop().await;
    let old = order(&c, &c.owner, customer, vec![line("T-2", "1", "")]).await.unwrap();
    let t2 = products::by_sku(&c.db, &c.owner, "T-2").await.unwrap();
    let input = ProductInput { active: Some(false), ..product("T-2", "19.99", "", "10.00") };
    products::update(&c.db, &c.owner, t2.id, &input).await.unwrap();
    let refused = order(&c, &c.owner, customer, vec![line("T-1", "1", ""), line("T-2", "1", "")]).await;
    let Err(Error::Invalid { field: "lines", reason: Reason::OnLine { line: 2, inner } }) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(*inner, Reason::Discontinued { value: "T-2".into() }, "the second line, by a code the UI translates");
    assert_eq!(orders::get(&c.db, &c.owner, old.id).await.unwrap().lines[0].sku, "T-2");
    let listed = products::list(&c.db, &c.owner, &Default::default()).await.unwrap();
    assert_eq!(listed.rows.iter().map(|p| p.sku.as_str()).collect::<Vec<_>>(), ["T-1"]);
}

#[tokio::test]
async fn salespeople_work_on_their_own_orders_and_managers_on_their_branch() {
    let (c, customer) = shop().await;
    // zhangwei owns the customer: his order is his whoever types it.
    let his = order(&c, &c.sales_sh, customer, vec![line("T-1", "1", "")]).await.unwrap();
    assert_eq!(his.salesperson.as_deref(), Some("zhangwei"));
    let gz_customer = c.add(&c.sales_gz, "广州客户", "").await;
    let theirs = order(&c, &c.sales_gz, gz_customer, vec![line("T-1", "1", "")]).await.unwrap();

    let visible = |actor: Actor| {
        let db = c.db.clone();
        async move {
            let page = order_list::list(&db, &actor, &OrderQuery::default()).await.unwrap();
            page.rows.into_iter().map(|r| r.order_no).collect::<Vec<_>>()
        }
    };
    assert_eq!(visible(c.sales_sh.clone()).await, [his.order_no.as_str()]);
    assert_eq!(visible(c.sales_gz.clone()).await, [theirs.order_no.as_str()]);
    assert_eq!(visible(c.manager.clone()).await, [his.order_no.as_str()]);
    assert_eq!(visible(c.owner.clone()).await.len(), 2);
    assert!(matches!(orders::get(&c.db, &c.sales_sh, theirs.id).await, Err(Error::NotFound { .. })));
    assert!(matches!(orders::confirm(&c.db, &c.sales_gz, his.id).await, Err(Error::NotFound { .. })));
    // A salesperson cannot sell to a customer they do not see.
    assert!(order(&c, &c.sales_gz, customer, vec![line("T-1", "1", "")]).await.is_err());
    assert!(matches!(order(&c, &c.accountant, customer, vec![]).await, Err(Error::Forbidden { .. })));
}

#[tokio::test]
async fn the_orders_list_filters_by_status_customer_dates_and_words() {
    let (c, customer) = shop().await;
    for date in ["2026-01-05", "2026-02-10", "2026-03-15"] {
        let input = OrderInput {
            customer_id: Some(customer),
            order_date: date.into(),
            lines: vec![line("T-2", "1", "")],
            ..Default::default()
        };
        orders::create(&c.db, &c.owner, &input).await.unwrap();
    }
    let list = |query: OrderQuery| {
        let db = c.db.clone();
        let owner = c.owner.clone();
        async move { order_list::list(&db, &owner, &query).await.unwrap() }
    };
    let all = list(OrderQuery::default()).await;
    assert_eq!(all.total, 3);
    assert_eq!(all.rows[0].order_date, "2026-03-15");
    let february =
        list(OrderQuery { from: Some("2026-02-01".into()), to: Some("2026-02-28".into()), ..Default::default() }).await;
    assert_eq!(february.total, 1);
    let by_name = list(OrderQuery { text: "鼎盛".into(), ..Default::default() }).await;
    assert_eq!(by_name.total, 3);
    let by_number = list(OrderQuery { text: all.rows[2].order_no.clone(), ..Default::default() }).await;
    assert_eq!(by_number.rows[0].order_no, all.rows[2].order_no);
    let drafts = list(OrderQuery { status: Some(OrderStatus::Confirmed), ..Default::default() }).await;
    assert_eq!(drafts.total, 0);
}

/// Issue 10: a product's stock moves named every order, whoever's it was.
#[tokio::test]
async fn regression_stock_moves_name_only_the_orders_the_reader_may_see() {
    let (c, customer) = shop().await;
    buy(&c, "T-1", "10", "60.00").await;
    let sold = order(&c, &c.sales_sh, customer, vec![line("T-1", "2", "")]).await.unwrap();
    orders::confirm(&c.db, &c.owner, sold.id).await.unwrap();
    orders::deliver(&c.db, &c.owner, sold.id).await.unwrap();
    let product = products::by_sku(&c.db, &c.owner, "T-1").await.unwrap().id;
    let named = |moves: Vec<stock::StockMove>| moves.into_iter().filter_map(|m| m.order_no).collect::<Vec<_>>();
    let expected = vec![sold.order_no.clone()];
    assert_eq!(named(stock::moves(&c.db, &c.sales_sh, product, 100).await.unwrap()), expected);
    assert_eq!(named(stock::moves(&c.db, &c.manager, product, 100).await.unwrap()), expected);
    let theirs = stock::moves(&c.db, &c.sales_gz, product, 100).await.unwrap();
    assert_eq!(theirs.len(), 2, "the receipt and the delivery are there");
    assert!(named(theirs).is_empty(), "but not whose order took the goods");
}

/// Issue 10: the orders list's search looked customers up without scope and stopped at 500 of them,
/// so the orders of the 501st customer a word named were never found.
#[tokio::test]
async fn regression_searching_orders_by_customer_name_finds_past_five_hundred_customers() {
    let (c, _) = shop().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("customers.csv");
    let mut text = String::from("code,name,owner\n");
    for n in 1..=600 {
        text.push_str(&format!("K{n:04},宁波贸易{n:04}号,zhangwei\n"));
    }
    std::fs::write(&file, text).unwrap();
    let imported = suanpan::io::import::import_file(
        &c.db,
        &c.owner,
        suanpan::io::import::Entity::Customers,
        &file,
        Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(imported.inserted, 600);
    let last = customers::get_by_code(&c.db, &c.owner, "K0600").await.unwrap().id;
    let made = order(&c, &c.sales_sh, last, vec![line("T-1", "1", "")]).await.unwrap();
    for actor in [&c.owner, &c.sales_sh] {
        let query = OrderQuery { text: "宁波贸易".into(), ..Default::default() };
        let found = order_list::list(&c.db, actor, &query).await.unwrap();
        assert_eq!(found.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [made.id], "{}", actor.username);
    }
    let query = OrderQuery { text: "宁波贸易".into(), ..Default::default() };
    assert_eq!(order_list::list(&c.db, &c.sales_gz, &query).await.unwrap().total, 0);
}

/// Issue 10: "due 30 days after the order" was written in six places. The company's payment terms are
/// one setting that the order form, a file of orders, the purchase form and a file of purchases obey.
#[tokio::test]
async fn payment_terms_are_one_company_setting_every_door_obeys() {
    use suanpan::settings::{self, PaymentTerms};
    let (c, customer) = shop().await;
    assert_eq!(settings::payment_terms(&c.db).await.unwrap(), PaymentTerms::default());
    let terms = PaymentTerms { customer_days: 45, supplier_days: 60 };
    assert!(matches!(settings::set_payment_terms(&c.db, &c.manager, terms).await, Err(Error::Forbidden { .. })));
    settings::set_payment_terms(&c.db, &c.owner, terms).await.unwrap();
    let too_long = PaymentTerms { customer_days: 10_000, ..terms };
    assert!(matches!(settings::set_payment_terms(&c.db, &c.owner, too_long).await, Err(Error::Invalid { .. })));

    let input = OrderInput {
        customer_id: Some(customer),
        order_date: "2026-01-20".into(),
        lines: vec![line("T-1", "1", "")],
        ..Default::default()
    };
    let typed = orders::create(&c.db, &c.owner, &input).await.unwrap();
    assert_eq!(typed.due_date.as_deref(), Some("2026-03-06"), "20 January + 45 days");

    let dir = tempfile::tempdir().unwrap();
    let code = customers::get(&c.db, &c.owner, customer).await.unwrap().code;
    let file = dir.path().join("orders.csv");
    std::fs::write(
        &file,
        format!(
            "order_no,order_date,customer_code,salesperson,sku,quantity,unit_price\nSO9,2026-01-20,{code},,T-1,1,100\n"
        ),
    )
    .unwrap();
    let imported = suanpan::io::import::import_file(
        &c.db,
        &c.owner,
        suanpan::io::import::Entity::Orders,
        &file,
        Default::default(),
    )
    .await
    .unwrap();
    assert!(imported.errors.is_empty(), "{:?}", imported.errors);
    let from_file = orders::by_number(&c.db, &c.owner, "SO9").await.unwrap();
    assert_eq!(from_file.due_date, typed.due_date);

    let purchase = purchases::create(
        &c.db,
        &c.owner,
        &PurchaseInput {
            supplier_code: "S1".into(),
            po_date: "2026-01-20".into(),
            lines: vec![PurchaseLineInput {
                sku: "T-1".into(),
                quantity: "1".into(),
                unit_cost: "60".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(purchase.due_date.as_deref(), Some("2026-03-21"), "20 January + 60 days");
    let file = dir.path().join("purchases.csv");
    std::fs::write(&file, "po_no,date,supplier_code,sku,quantity,unit_cost\nPO9,2026-01-20,S1,T-1,1,60\n").unwrap();
    let imported = suanpan::io::import::import_file(
        &c.db,
        &c.owner,
        suanpan::io::import::Entity::Purchases,
        &file,
        Default::default(),
    )
    .await
    .unwrap();
    assert!(imported.errors.is_empty(), "{:?}", imported.errors);
    let listed = purchases::list(&c.db, &c.owner, None, 0, None).await.unwrap();
    let from_file = listed.rows.iter().find(|p| p.po_no == "PO9").unwrap();
    assert_eq!(from_file.due_date.as_deref(), Some("2026-03-21"));
}

/// The window's valuation chart draws the engine's per-category sums; they add up to the total, exactly.
#[tokio::test]
async fn the_valuation_sums_each_top_level_category_and_the_whole() {
    use suanpan::inventory::stock::CategoryValue;

    let (c, _) = shop().await;
    let coffee =
        ProductInput { category: "咖啡".into(), subcategory: String::new(), ..product("K-1", "50.00", "", "") };
    products::create(&c.db, &c.owner, &coffee).await.unwrap();
    let loose = ProductInput { category: String::new(), subcategory: String::new(), ..product("X-1", "5.00", "", "") };
    products::create(&c.db, &c.owner, &loose).await.unwrap();
    buy(&c, "T-1", "3", "60.01").await; // 180.03 under 茶叶 (through 绿茶)
    buy(&c, "T-2", "7", "10.11").await; // 70.77 under 茶叶
    buy(&c, "K-1", "10", "25.08").await; // 250.80 under 咖啡
    buy(&c, "X-1", "1", "0.10").await; // 0.10 without a category

    let valuation = stock::valuation(&c.db, &c.owner).await.unwrap();
    let part = |category: Option<&str>, value: &str| CategoryValue {
        category: category.map(str::to_string),
        value: money(value),
    };
    assert_eq!(
        valuation.by_category,
        vec![part(Some("咖啡"), "250.80"), part(Some("茶叶"), "250.80"), part(None, "0.10")],
        "largest first, ties by name"
    );
    assert_eq!(valuation.total, money("501.70"));
    assert_eq!(Money::sum_checked(valuation.by_category.iter().map(|p| p.value)).unwrap(), valuation.total);
    let json = serde_json::to_value(&valuation).unwrap();
    assert_eq!(json["total"], "501.70", "money crosses to the window as a decimal string");
    assert_eq!(json["by_category"][2], serde_json::json!({ "category": null, "value": "0.10" }));
}
