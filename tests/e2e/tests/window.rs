//! End-to-end: the real Suanpan window, driven the way a person uses it.

use std::path::Path;

use suanpan::crm::customers::{self, CustomerInput};
use suanpan::users::{self, NewUser};
use suanpan::{Db, auth, branches};
use suanpan_e2e::Window;

async fn log_in(window: &Window, username: &str, password: &str) {
    window.type_into("#login-username", username).await;
    window.type_into("#login-password", password).await;
    window.click("#login-submit").await;
    window.find("#customer-list").await;
}

async fn search(window: &Window, words: &str) {
    window.type_into("#customer-search", words).await;
}

async fn wait_listed(window: &Window, expected: &[&str]) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let names = window.listed_names().await;
        if names == expected {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "listed {names:?}, expected {expected:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn first_start_owner_customer_pinyin_search_english_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");

    let window = Window::open(&company, dir.path()).await;
    // First start of an empty file: create the owner.
    window.type_into("#owner-username", "boss").await;
    window.type_into("#owner-name", "王老板").await;
    window.type_into("#owner-password", "secret-123").await;
    window.type_into("#owner-password2", "secret-123").await;
    window.click("#create-owner").await;
    window.find("#customer-list").await;
    assert_eq!(window.text("#content h2").await, "客户", "Chinese by default");

    // A bad phone gets a readable message in Chinese, naming the field; nothing is saved.
    window.click("#customer-new").await;
    window.type_into("#cf-name", "上海鼎盛").await;
    window.type_into("#cf-phone", "打电话").await;
    window.click("#cf-save").await;
    let message = window.wait_text("#toast", |t| t.contains("电话")).await;
    assert!(message.contains("不是有效的电话号码"), "{message}");

    // Fix it and save: the customer is listed.
    window.type_into("#cf-phone", "13800138000").await;
    window.type_into("#cf-city", "上海").await;
    window.click("#cf-save").await;
    window.wait_text("#customer-form h2", |t| t.contains("C000001")).await;
    window.click("#cf-close").await;
    window.wait_gone("#customer-form").await;
    window.wait_text("#customer-total", |t| t.contains('1')).await;

    // Find it by pinyin initials.
    search(&window, "shds").await;
    wait_listed(&window, &["上海鼎盛"]).await;
    search(&window, "xyz").await;
    wait_listed(&window, &[]).await;

    // Switch to English; the choice is kept.
    window.click("#lang-toggle").await;
    window.wait_text("nav [data-module=customers]", |t| t.contains("Customers")).await;
    search(&window, "shds").await;
    wait_listed(&window, &["上海鼎盛"]).await;
    window.screenshot("customers-list-english.png").await;
    window.close().await;

    // Restart: English login, the customer is still there.
    let window = Window::open(&company, dir.path()).await;
    assert_eq!(window.text("#login-submit").await, "Log in");
    log_in(&window, "boss", "secret-123").await;
    search(&window, "shds").await;
    wait_listed(&window, &["上海鼎盛"]).await;
    // The pipeline and the activities screen speak English too, their lists (stages) included; the only
    // Chinese left is data (the owner's name).
    window.click("button.nav[data-module=sales]").await;
    window.click("#sales-tab-board").await;
    window.wait_text("#pipeline-board", |t| t.contains("Qualification") && t.contains("Lost")).await;
    window.screenshot("pipeline-board-english.png").await;
    window.click("button.nav[data-module=activities]").await;
    window.click("#acts-tab-expenses").await;
    window.wait_text("#exp-category", |t| t.contains("Entertainment")).await;
    let chinese: i64 = window
        .script(
            "return [...document.querySelectorAll('#content *')].filter((e) => e.children.length === 0
                 && /[\\u4e00-\\u9fff]/.test(e.textContent) && !e.textContent.includes('王老板')).length;",
            vec![],
        )
        .await
        .as_i64()
        .unwrap_or(-1);
    let left = window
        .script(
            "return [...document.querySelectorAll('#content *')].filter((e) => e.children.length === 0
                 && /[\\u4e00-\\u9fff]/.test(e.textContent) && !e.textContent.includes('王老板'))
                 .map((e) => e.outerHTML).join(' | ');",
            vec![],
        )
        .await;
    assert_eq!(chinese, 0, "no Chinese left on the English expenses screen: {left}");
    window.screenshot("expenses-english.png").await;
    window.close().await;
}

/// A company with two salespeople, each with a customer.
async fn two_salespeople(path: &Path) {
    let (db, _) = Db::open(path).await.unwrap();
    let owner = users::create_owner(&db, "boss", "老板", "secret-123").await.unwrap();
    branches::create(
        &db,
        &owner,
        &branches::NewBranch { code: "SH".into(), name: "上海".into(), ..Default::default() },
    )
    .await
    .unwrap();
    for (username, name, customer) in [("zhangwei", "张伟", "张伟的客户"), ("liuyang", "刘洋", "刘洋的客户")]
    {
        let new = NewUser {
            username: username.into(),
            display_name: name.into(),
            role: "salesperson".into(),
            branch_code: Some("SH".into()),
            password: Some("secret-123".into()),
        };
        users::create(&db, &owner, &new).await.unwrap();
        let actor = auth::login(&db, username, "secret-123").await.unwrap();
        let input = CustomerInput { name: customer.into(), ..Default::default() };
        customers::create(&db, &actor, &input).await.unwrap();
    }
    db.close().await;
}

#[tokio::test]
async fn a_salesperson_sees_only_their_own_customers() {
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    two_salespeople(&company).await;

    let window = Window::open(&company, dir.path()).await;
    log_in(&window, "zhangwei", "secret-123").await;
    wait_listed(&window, &["张伟的客户"]).await;
    // The form offers what the engine's session allows a salesperson: delete, but not merge; the owner
    // is themselves, fixed.
    window.click("#customer-list .row").await;
    window.find("#cf-delete").await;
    let shown = window
        .script(
            "return [!!document.querySelector('#merge'), document.querySelector('#cf-owner').disabled,
                     document.querySelector('#cf-owner').value];",
            vec![],
        )
        .await;
    assert_eq!(shown, serde_json::json!([false, true, "zhangwei"]));
    window.click("#cf-close").await;
    window.wait_gone("#customer-form").await;
    search(&window, "刘洋").await;
    wait_listed(&window, &[]).await;
    window.close().await;
}

#[tokio::test]
async fn the_demo_company_opens_from_the_first_screen() {
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("empty.sqlite");
    let window = Window::open(&company, dir.path()).await;
    window.click("#open-demo").await;
    // Writing five years of a company takes a debug build several seconds.
    window.wait_present("#demo-hint").await;
    log_in(&window, "boss", suanpan::demo::PASSWORD).await;
    window.wait_text("#customer-total", |t| t.contains("1,000")).await;
    let shot = window.screenshot("customers-list.png").await;
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000, "a real picture of the list");
    search(&window, "shds").await;
    window.wait_text("#customer-list .row[data-code=C000001]", |t| t.contains("上海鼎盛贸易有限公司")).await;
    // The demo's pipeline: open deals on the board, won and lost ones, a forecast for the months ahead.
    window.click("button.nav[data-module=sales]").await;
    window.click("#sales-tab-board").await;
    window.wait_text(".board-column[data-kind=lost]", |t| t.contains("丢单")).await;
    let open_cards: i64 = window
        .script("return document.querySelectorAll('.board-column[data-kind=stage] .opp-card').length;", vec![])
        .await
        .as_i64()
        .unwrap_or(0);
    assert!(open_cards > 5, "{open_cards} open deals on the board");
    window.screenshot("pipeline-demo.png").await;
    window.click("#sales-tab-forecast").await;
    window.find("#forecast-chart").await;
    window.wait_text("#forecast-rows", |t| t.contains("2027")).await;
    window.screenshot("sales-forecast.png").await;
    window.close().await;
}

#[tokio::test]
async fn shortcuts_duplicate_warning_contacts_and_merge_in_the_form() {
    use fantoccini::key::Key;

    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    {
        let (db, _) = Db::open(&company).await.unwrap();
        let owner = users::create_owner(&db, "boss", "老板", "secret-123").await.unwrap();
        let first = CustomerInput { name: "杭州永泰".into(), phone: "13911112222".into(), ..Default::default() };
        customers::create(&db, &owner, &first).await.unwrap();
        let twin =
            CustomerInput {
                name: "杭州永泰".into(), city: "杭州".into(), allow_duplicate: true, ..Default::default()
            };
        customers::create(&db, &owner, &twin).await.unwrap();
        db.close().await;
    }
    let window = Window::open(&company, dir.path()).await;
    log_in(&window, "boss", "secret-123").await;
    window.wait_text("#customer-total", |t| t.contains('2')).await;

    // Ctrl+N opens a new customer; Ctrl+S saves; a same-name customer raises the duplicate dialog.
    let search_box = window.find("#customer-search").await;
    search_box.send_keys(&format!("{}n", char::from(Key::Control))).await.unwrap();
    window.type_into("#cf-name", "杭州 永泰").await;
    window.find("#cf-name").await.send_keys(&format!("{}s", char::from(Key::Control))).await.unwrap();
    let warning = window.wait_text("#confirm", |t| t.contains("C000001")).await;
    assert!(warning.contains("同名"), "{warning}");
    window.click("#confirm-cancel").await;
    window.click("#cf-close").await;
    window.wait_gone("#customer-form").await;
    window.wait_text("#customer-total", |t| t.contains('2')).await;

    // Open the first customer, add a contact.
    window.click("#customer-list .row[data-code=C000001]").await;
    window.wait_text("#customer-form h2", |t| t.contains("C000001")).await;
    window.type_into("#ct-name", "欧阳娜娜").await;
    window.type_into("#ct-phone", "13711112222").await;
    window.click("#ct-save").await;
    window.wait_text("#contacts table", |t| t.contains("欧阳娜娜")).await;
    window.screenshot("customer-form.png").await;

    // Merge the twin into it: one customer is left, with the twin's city.
    window.type_into("#merge-code", "C000002").await;
    window.click("#merge-do").await;
    window.click("#confirm-ok").await;
    window.wait_text("#toast", |t| t.contains("已合并")).await;
    window.wait_text("#customer-total", |t| t.contains("共 1 位")).await;
    let city = window.find("#cf-city").await.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(city, "杭州");
    window.close().await;
}

#[tokio::test]
async fn importing_a_gbk_file_through_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    {
        let (db, _) = Db::open(&company).await.unwrap();
        users::create_owner(&db, "boss", "老板", "secret-123").await.unwrap();
        db.close().await;
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/import");
    let window = Window::open(&company, dir.path()).await;
    log_in(&window, "boss", "secret-123").await;
    window.click("#customer-import").await;

    // A file with bad rows: every problem listed, nothing written.
    type_file(&window, &fixtures.join("customers_bad.csv")).await;
    window.click("#import-check").await;
    window.wait_text("#import-summary", |t| t.contains("有错误")).await;
    let errors = window.text("#import-errors").await;
    assert!(errors.contains("2023-02-30"), "{errors}");
    // Problems the importer finds itself are told in Chinese too, not in the engine's English.
    assert!(errors.contains("“C4001”在第 2 行已经出现过"), "{errors}");
    assert!(errors.contains("这一行有 2 列，表头有 7 列"), "{errors}");
    assert!(!errors.contains("also on line") && !errors.contains("fields"), "{errors}");
    type_file(&window, &fixtures.join("missing_name_column.csv")).await;
    window.click("#import-check").await;
    window.wait_text("#import-header-problems", |t| t.contains("缺少“名称”列")).await;
    window.wait_text("#import-failed", |t| t.contains("文件有误：表头有误：缺少“名称”列")).await;

    // The GBK file with Chinese headers: detected, checked, imported.
    type_file(&window, &fixtures.join("customers_gbk.csv")).await;
    window.click("#import-check").await;
    window.wait_text("#import-detected", |t| t.contains("GB18030")).await;
    window.wait_text("#import-summary", |t| t.contains("检查通过")).await;
    window.click("#import-commit").await;
    window.wait_text("#import-summary", |t| t.contains("导入完成")).await;
    window.wait_text("#import-batches", |t| t.contains("customers_gbk.csv")).await;
    window.screenshot("import-panel.png").await;

    // Their contacts, from a second GBK file, attach by customer code.
    window.click("#import-entity option[value=contacts]").await;
    type_file(&window, &fixtures.join("contacts_gbk.csv")).await;
    window.click("#import-check").await;
    window.wait_text("#import-summary", |t| t.contains("检查通过")).await;
    // An impatient double click on 导入: the panel locks at the first click, so the file is imported
    // once. (It used to lock only after registering for progress events, so the second click, or a
    // file chosen in that moment, started another import.) Two clicks in one go, as a fast mouse
    // sends them, before the app can answer the first.
    window
        .script("const commit = document.querySelector('#import-commit'); commit.click(); commit.click();", vec![])
        .await;
    // Wait for the import's own words: the check's summary ("将新增 2") already holds "新增 2", and
    // matching it let the test change the entity while the import was still running.
    window.wait_text("#import-summary", |t| t.contains("导入完成") && t.contains("新增 2")).await;

    // A header the importer does not know, mapped by hand and saved as a mapping for next time.
    window.click("#import-entity option[value=customers]").await;
    type_file(&window, &fixtures.join("customers_odd_headers.csv")).await;
    window.click("#import-check").await;
    window.wait_text("#import-result", |t| t.contains("忽略了列“微信号”")).await;
    window.click("select.map[data-header='微信号'] option[value=notes]").await;
    window.type_into("#import-profile-name", "微信表").await;
    window.click("#import-profile-save").await;
    window.wait_text("#import-profile", |t| t.contains("微信表")).await;
    window.click("#import-check").await;
    window.wait_text("#import-result", |t| t.contains("检查通过") && !t.contains("忽略了列")).await;
    window.click("#import-commit").await;
    window.wait_text("#import-summary", |t| t.contains("导入完成")).await;
    window.click("#import-close").await;
    window.wait_text("#customer-total", |t| t.contains("共 4 位")).await;
    search(&window, "shds").await;
    wait_listed(&window, &["上海鼎盛贸易有限公司"]).await;
    search(&window, "李老师").await;
    wait_listed(&window, &["北京市第一中学"]).await;

    // The owner's settings: users, branches and the pick lists the import used.
    window.click("nav [data-module=settings]").await;
    let sources = window.wait_text("#source-card", |t| t.contains("展会")).await;
    assert!(!sources.contains("null"), "{sources}");
    assert!(!window.text("#content").await.contains("null"));
    window.screenshot("settings.png").await;
    window.close().await;

    let (db, _) = Db::open(&company).await.unwrap();
    let owner = auth::login(&db, "boss", "secret-123").await.unwrap();
    assert_eq!(customers::get_by_code(&db, &owner, "W1").await.unwrap().notes, "wx_123", "the mapped column landed");
    let files: Vec<String> =
        suanpan::io::import::batches(&db, &owner).await.unwrap().into_iter().map(|b| b.file_name).collect();
    assert_eq!(
        files,
        ["customers_odd_headers.csv", "contacts_gbk.csv", "customers_gbk.csv"],
        "each file imported once, in the order chosen"
    );
}

#[tokio::test]
async fn the_owner_deactivates_a_salesperson_who_then_cannot_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    two_salespeople(&company).await;
    let window = Window::open(&company, dir.path()).await;
    log_in(&window, "boss", "secret-123").await;
    window.click("nav [data-module=settings]").await;
    window.click("#users-card input[data-user=zhangwei]").await;
    window.wait_text("#toast", |t| t.contains("已保存")).await;
    window.click("#logout").await;
    window.type_into("#login-username", "zhangwei").await;
    window.type_into("#login-password", "secret-123").await;
    window.click("#login-submit").await;
    window.wait_text("#toast", |t| t.contains("登录名或密码错误")).await;
    window.close().await;
}

/// The owner sets the payment terms in the settings screen; the engine's one setting holds them, and a
/// new order's due date follows.
#[tokio::test]
async fn the_owner_sets_the_payment_terms_every_due_date_follows() {
    let (_dir, company, window) = shop_window().await;
    window.click("nav [data-module=settings]").await;
    window.wait_present("#terms-card input[name=customer_days]").await;
    window.type_into("#terms-card input[name=customer_days]", "45").await;
    window.click("#terms-save").await;
    window.wait_text("#toast", |t| t.contains("已保存")).await;
    window.screenshot("payment-terms.png").await;
    window.close().await;

    let (db, _) = Db::open(&company).await.unwrap();
    let terms = suanpan::settings::payment_terms(&db).await.unwrap();
    assert_eq!((terms.customer_days, terms.supplier_days), (45, 30));
    let owner = suanpan::auth::login(&db, "boss", "secret-123").await.unwrap();
    let order = suanpan::sales::orders::create(
        &db,
        &owner,
        &suanpan::sales::orders::OrderInput {
            customer_code: "C000001".into(),
            order_date: "2026-01-20".into(),
            lines: vec![suanpan::sales::orders::OrderLineInput {
                sku: "P001".into(),
                quantity: "1".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(order.due_date.as_deref(), Some("2026-03-06"));
    db.close().await;
}

/// Types `file` into the import panel's file field and presses Enter, as a person who knows the path
/// does, then waits for the panel to preview that file: the check clicked next is for the file on
/// screen, whenever WebKit gets round to telling the field's change.
async fn type_file(window: &Window, file: &Path) {
    let file = file.to_str().unwrap();
    window.type_into("#import-path", &format!("{file}\u{E007}")).await;
    window.wait_present(&format!("#import-preview[data-path=\"{file}\"]")).await;
}

/// A fresh shop (see [`shop`]) open in the window, the owner logged in; the folder lives as long as its guard.
async fn shop_window() -> (tempfile::TempDir, std::path::PathBuf, Window) {
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    shop(&company).await;
    let window = Window::open(&company, dir.path()).await;
    log_in(&window, "boss", "secret-123").await;
    (dir, company, window)
}

/// A shop with one product in stock (10 boxes) and one customer, ready for an order.
async fn shop(company: &Path) {
    use suanpan::catalog::products::{self, ProductInput};
    use suanpan::catalog::suppliers::{self, SupplierInput};
    use suanpan::inventory::purchases::{self, PurchaseInput, PurchaseLineInput};
    let (db, _) = Db::open(company).await.unwrap();
    let owner = users::create_owner(&db, "boss", "王老板", "secret-123").await.unwrap();
    let customer =
        CustomerInput { code: "C000001".into(), name: "上海鼎盛贸易有限公司".into(), ..Default::default() };
    customers::create(&db, &owner, &customer).await.unwrap();
    let product = ProductInput {
        sku: "P001".into(),
        name: "西湖龙井".into(),
        category: "茶叶".into(),
        unit: "盒".into(),
        standard_price: "168.00".into(),
        cost_price: "96.00".into(),
        ..Default::default()
    };
    products::create(&db, &owner, &product).await.unwrap();
    suppliers::create(&db, &owner, &SupplierInput { code: "S1".into(), name: "杭州茶厂".into(), ..Default::default() })
        .await
        .unwrap();
    let purchase = PurchaseInput {
        supplier_code: "S1".into(),
        lines: vec![PurchaseLineInput { sku: "P001".into(), quantity: "10".into(), ..Default::default() }],
        ..Default::default()
    };
    let purchase = purchases::create(&db, &owner, &purchase).await.unwrap();
    purchases::receive(&db, &owner, purchase.id, None).await.unwrap();
    db.close().await;
}

#[tokio::test]
async fn an_order_from_a_customers_page_confirmed_and_delivered_takes_stock_out() {
    let (_dir, company, window) = shop_window().await;

    window.click("#customer-list .row[data-code=C000001]").await;
    window.click("#cf-new-order").await;
    window.type_into("#order-form .of-sku", "P001").await;
    window.type_into("#order-form .of-quantity", "3").await;
    window.click("#of-save").await;
    window.wait_text("#order-form h2", |t| t.contains("SO000001")).await;
    // Priced by the engine at the standard price: 3 × 168.00.
    window.wait_text("#of-total", |t| t.contains("504.00")).await;

    window.click("#of-confirm").await;
    window.wait_text("#of-status", |t| t == "已确认").await;
    window.screenshot("order-confirmed.png").await;
    window.click("#of-deliver").await;
    window.wait_text("#of-status", |t| t == "已发货").await;
    window.click("#of-close").await;
    window.wait_text("#customer-orders", |t| t.contains("SO000001") && t.contains("已发货")).await;
    // Log the delivery call: the timeline shows it with the order.
    window.click("#act-kind option[value=call]").await;
    window.type_into("#act-minutes", "10").await;
    window.type_into("#act-subject", "确认收货").await;
    window.click("#act-save").await;
    window
        .wait_text("#cf-timeline", |t| t.contains("确认收货") && t.contains("10 分钟") && t.contains("SO000001"))
        .await;
    // A new deal from the customer's page: the customer is filled in, the deal joins the timeline.
    window.click("#cf-new-opportunity").await;
    window.find("#opp-customer").await;
    let code: String = window
        .script("return document.querySelector('#opp-customer').value;", vec![])
        .await
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(code, "C000001");
    window.type_into("#opp-name", "中秋团购").await;
    window.type_into("#opp-amount", "36000").await;
    window.click("#opp-save").await;
    window.wait_gone("#opp-form").await;
    window.wait_text("#cf-timeline", |t| t.contains("中秋团购") && t.contains("36,000.00") && t.contains("商机")).await;
    window.script("document.querySelector('#customer-timeline').scrollIntoView();", vec![]).await;
    window.screenshot("customer-timeline.png").await;
    window.click("#cf-close").await;

    window.click("nav [data-module=stock]").await;
    window.click("button.tab[data-tab=levels]").await;
    window.wait_text("#level-table tr[data-sku=P001] .on-hand", |t| t == "7").await;
    window.click("button.tab[data-tab=valuation]").await;
    // 7 boxes at 96.00.
    window.wait_text("#valuation-total", |t| t.contains("672.00")).await;
    window.screenshot("stock-valuation.png").await;

    // Buy more from a new supplier at a higher cost: the average moves.
    window.click("button.tab[data-tab=purchases]").await;
    window.click("#supplier-new").await;
    window.type_into("#sf-code", "S2").await;
    window.type_into("#sf-name", "安溪茶叶合作社").await;
    window.click("#sf-save").await;
    window.wait_gone("#supplier-form").await;
    window.click("#purchase-new").await;
    window.click("#po-supplier option[value=S2]").await;
    window.type_into("#purchase-form .po-sku", "P001").await;
    window.type_into("#purchase-form .po-quantity", "3").await;
    window.type_into("#purchase-form .po-cost", "106.00").await;
    window.click("#po-save").await;
    window.wait_gone("#purchase-form").await;
    window.wait_text("#purchase-table", |t| t.contains("PO000002") && t.contains("318.00")).await;
    window.click("#purchase-table button.link").await;
    window.wait_text("#purchase-table", |t| t.contains("已入库") && !t.contains("已下单")).await;
    window.click("button.tab[data-tab=valuation]").await;
    // 7 × 96 + 3 × 106 = 990.00 for 10 boxes: 99.00 each.
    window.wait_text("#valuation-table", |t| t.contains("99.00") && t.contains("990.00")).await;
    // The total and the chart's category sums are the engine's figures, not sums made in the window.
    let valuation = {
        let (db, _) = Db::open(&company).await.unwrap();
        let owner = auth::login(&db, "boss", "secret-123").await.unwrap();
        let valuation = suanpan::inventory::stock::valuation(&db, &owner).await.unwrap();
        db.close().await;
        valuation
    };
    assert_eq!(valuation.total.to_string(), "990.00");
    let total = window.text("#valuation-total").await;
    assert!(total.contains(&valuation.total.grouped()), "{total}");
    let chart = window.text("#valuation-chart").await;
    let parts: Vec<(Option<&str>, String)> =
        valuation.by_category.iter().map(|p| (p.category.as_deref(), p.value.grouped())).collect();
    assert_eq!(parts, [(Some("茶叶"), "990.00".to_string())]);
    assert!(chart.contains("茶叶") && chart.contains("990.00"), "{chart}");
    window.close().await;
}

#[tokio::test]
async fn restoring_a_backup_from_the_window_brings_it_back_and_logs_out() {
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    let backup = dir.path().join("friday.sqlite");
    {
        let (db, _) = Db::open(&company).await.unwrap();
        let owner = users::create_owner(&db, "boss", "王老板", "secret-123").await.unwrap();
        let before = CustomerInput { name: "备份前的客户".into(), ..Default::default() };
        customers::create(&db, &owner, &before).await.unwrap();
        suanpan::backup::backup(&db, &owner, &backup).await.unwrap();
        let after = CustomerInput { name: "备份后的客户".into(), ..Default::default() };
        customers::create(&db, &owner, &after).await.unwrap();
        db.close().await;
    }
    let window = Window::open(&company, dir.path()).await;
    log_in(&window, "boss", "secret-123").await;
    wait_listed(&window, &["备份后的客户", "备份前的客户"]).await;
    window.find("#restore-backup").await;
    // The button opens a native file dialog, which WebDriver cannot drive: call what it calls.
    window
        .script(
            "window.__TAURI__.core.invoke('restore_backup', { path: arguments[0] })
               .then((kept) => { window.__kept = kept; }, (error) => { window.__kept = 'error: ' + error.message; });",
            vec![backup.display().to_string().into()],
        )
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let kept = loop {
        let kept = window.script("return window.__kept ?? null;", vec![]).await;
        if let Some(kept) = kept.as_str() {
            break kept.to_string();
        }
        assert!(std::time::Instant::now() < deadline, "the restore never answered");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(kept.contains("replaced-"), "{kept}");
    assert!(Path::new(&kept).exists());
    // Logged out by the restore: the next list asks for a login.
    let refused = window
        .script(
            "return window.__TAURI__.core.invoke('customers_list', { query: {} }).then(() => 'ok', (e) => e.code);",
            vec![],
        )
        .await;
    assert_eq!(refused.as_str(), Some("not_logged_in"));
    window.close().await;

    let window = Window::open(&company, dir.path()).await;
    log_in(&window, "boss", "secret-123").await;
    wait_listed(&window, &["备份前的客户"]).await;
    window.close().await;
}

#[tokio::test]
async fn expenses_and_service_in_the_activities_screen() {
    let (_dir, _, window) = shop_window().await;

    window.click("button.nav[data-module=activities]").await;
    window.find("#acts-rows").await;

    // An entertainment expense for the customer, in the owner's name (the form's default).
    window.click("#acts-tab-expenses").await;
    window.click("#exp-category option[value='招待费']").await;
    window.type_into("#exp-customer", "C000001").await;
    window.type_into("#exp-amount", "88.50").await;
    window.type_into("#exp-note", "请客户吃饭").await;
    window.click("#exp-save").await;
    window
        .wait_text("#exp-rows", |t| t.contains("88.50") && t.contains("上海鼎盛贸易有限公司") && t.contains("招待费"))
        .await;
    window.wait_text("#exp-sum", |t| t.contains("88.50")).await;
    window.wait_text("#exp-chart", |t| t.contains("招待费") && t.contains("88.50")).await;

    // The same customer complains: recorded open, then resolved with a rating of 4.
    window.click("#acts-tab-service").await;
    window.type_into("#svc-customer", "C000001").await;
    window.click("#svc-type option[value=complaint]").await;
    window.type_into("#svc-content", "茶叶包装破损").await;
    window.click("#svc-save").await;
    window.wait_text("#svc-rows", |t| t.contains("茶叶包装破损") && t.contains("待处理") && t.contains("投诉")).await;
    window.click("#svc-rows tr[data-id] td").await;
    window.click("#svc-edit-status option[value=resolved]").await;
    window.click("#svc-edit-satisfaction option[value='4']").await;
    window.type_into("#svc-edit-resolution", "补发一盒").await;
    window.click("#svc-edit-save").await;
    window.wait_gone("#svc-edit").await;
    let row = window.wait_text("#svc-rows", |t| t.contains("已解决") && t.contains("补发一盒")).await;
    assert!(row.contains("★★★★") && !row.contains("★★★★★"), "{row}");
    assert!(!row.contains("待处理"), "{row}");
    window.wait_text("#svc-summary", |t| t.contains("投诉") && t.contains('4')).await;
    window.screenshot("activities-screen.png").await;
    window.close().await;
}

#[tokio::test]
async fn dragging_an_opportunity_to_lost_asks_for_a_reason() {
    let (_dir, _, window) = shop_window().await;

    window.click("button.nav[data-module=sales]").await;
    window.find("#order-rows").await;
    window.click("#sales-tab-board").await;
    window.find("#pipeline-board .board-column[data-kind=lost]").await;

    // A new opportunity for the shop's customer lands in the first stage.
    window.click("#opp-new").await;
    window.type_into("#opp-customer", "C000001").await;
    window.type_into("#opp-name", "年度茶叶采购").await;
    window.type_into("#opp-amount", "12000").await;
    window.click("#opp-save").await;
    window.wait_gone("#opp-form").await;
    let first = ".board-column[data-kind=stage] .opp-card";
    window.wait_text(first, |t| t.contains("年度茶叶采购") && t.contains("12,000.00")).await;

    // Open it and change its amount: the card follows.
    window.click(&format!("{first} .opp-name")).await;
    window.click("#opp-edit").await;
    window.type_into("#opp-amount", "15000").await;
    window.click("#opp-save").await;
    window.wait_gone("#opp-form").await;
    window.wait_text(first, |t| t.contains("15,000.00")).await;

    // Drag it onto the lost column: the board asks why before it moves.
    window.drag(&format!("{first} .opp-name"), ".board-column[data-kind=lost]").await;
    window.find("#lost-dialog").await;
    window.click("#lost-reason option[data-name='价格太高']").await;
    window.click("#lost-confirm").await;
    window.wait_gone("#lost-dialog").await;
    let card = window
        .wait_text(".board-column[data-kind=lost] .opp-card", |t| t.contains("年度茶叶采购") && t.contains("价格太高"))
        .await;
    assert!(card.contains("丢单"), "{card}");
    let left = window
        .script("return document.querySelectorAll('.board-column[data-kind=stage] .opp-card').length;", vec![])
        .await;
    assert_eq!(left.as_u64(), Some(0), "the card left its stage");
    // Found again by the board's search, closed deals included.
    window.type_into("#opp-search", "年度").await;
    window.wait_text("#opp-found", |t| t.contains("OP000001") && t.contains("丢单") && t.contains("15,000.00")).await;
    // Let the window paint the last change before the picture.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    window.screenshot("pipeline-board.png").await;
    window.close().await;
}

#[tokio::test]
async fn a_lead_becomes_a_customer_and_its_accepted_quote_becomes_the_order() {
    let (_dir, company, window) = shop_window().await;
    window.click("button.nav[data-module=sales]").await;

    // A lead from an exhibition, converted with a deal: customer, contact and opportunity at once.
    window.click("#sales-tab-leads").await;
    window.type_into("#lead-name", "陈经理").await;
    window.type_into("#lead-company", "杭州茗香茶庄").await;
    window.type_into("#lead-phone", "13905710001").await;
    window.click("#lead-save").await;
    window.wait_text("#lead-rows", |t| t.contains("杭州茗香茶庄")).await;
    // A wrong number, corrected.
    window.click("#lead-rows button.lead-edit").await;
    window.wait_text("#lead-form-title", |t| t == "修改线索").await;
    window.type_into("#lead-phone", "13905710002").await;
    window.click("#lead-save").await;
    window.wait_text("#lead-rows", |t| t.contains("13905710002")).await;
    window.click("#lead-rows button.lead-convert").await;
    window.type_into("#convert-name", "首批进货").await;
    window.type_into("#convert-amount", "3360").await;
    window.click("#convert-ok").await;
    window.wait_text("#lead-rows", |t| t.contains("C000002")).await;

    // A quote for the new customer: 20 boxes at the standard price, accepted into a draft order.
    window.click("#sales-tab-quotes").await;
    window.click("#quote-new").await;
    window.type_into("#quote-customer", "C000002").await;
    window.find("#quote-lines tr.quote-line select.ql-product option[value]").await;
    window
        .script(
            "const select = document.querySelector('#quote-lines .ql-product');
             select.value = [...select.options].find((o) => o.text.startsWith('P001')).value;",
            vec![],
        )
        .await;
    window.type_into("#quote-lines .ql-quantity", "20").await;
    window.click("#quote-save").await;
    window.wait_text("#quote-rows", |t| t.contains("QT000001") && t.contains("3,360.00")).await;
    window.wait_text("#quote-detail", |t| t.contains("QT000001")).await;
    window.click("#quote-accept").await;
    window.wait_text("#order-form h2", |t| t.contains("SO000001")).await;
    window.wait_text("#of-total", |t| t.contains("3,360.00")).await;
    window.screenshot("quote-accepted.png").await;
    window.close().await;

    // What the window did, as the engine sees it.
    let (db, _) = Db::open(&company).await.unwrap();
    let owner = suanpan::auth::login(&db, "boss", "secret-123").await.unwrap();
    let customer = customers::get_by_code(&db, &owner, "C000002").await.unwrap();
    assert_eq!(customer.name, "杭州茗香茶庄");
    let deals = suanpan::sales::pipeline::list(&db, &owner, &Default::default()).await.unwrap();
    assert_eq!(
        deals.rows.iter().map(|d| (d.name.as_str(), d.customer_id)).collect::<Vec<_>>(),
        [("首批进货", customer.id)]
    );
    let quote = suanpan::sales::quotes::by_number(&db, &owner, "QT000001").await.unwrap();
    assert_eq!((quote.status.as_str(), quote.order_no.as_deref()), ("accepted", Some("SO000001")));
}

/// Issue 12: 分析报表 lists every report by its question; the sales trend opens on this year's months,
/// switches to quarters, and shows the engine's own figures in its bars and its table.
#[tokio::test]
async fn the_sales_trend_switches_to_quarters_in_the_analyses_screen() {
    use suanpan::reports::{self, Cell, ReportQuery};
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("demo.sqlite");
    let (db, _) = Db::open(&company).await.unwrap();
    suanpan::demo::generate(&db, 1).await.unwrap();
    let boss = auth::login(&db, "boss", suanpan::demo::PASSWORD).await.unwrap();
    let today = chrono::Local::now().date_naive();
    let this_year = ReportQuery {
        from: chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1),
        to: Some(today),
        by: Some("quarter".into()),
        ..Default::default()
    };
    let expected = reports::run(&db, &boss, "sales-trend", &this_year).await.unwrap();
    db.close().await;
    let Cell::Money(first_quarter) = &expected.rows[0][1] else { panic!("{:?}", expected.rows[0]) };
    let first_label = expected.rows[0][0].plain();
    let grouped = suanpan::Money::grouped(*first_quarter);

    let window = Window::open(&company, dir.path()).await;
    log_in(&window, "boss", suanpan::demo::PASSWORD).await;
    window.click("button.nav[data-module=analyses]").await;
    window.wait_text("#report-list", |t| t.contains("销售额按月、季、年怎么变化")).await;
    window.click("#report-list button[data-slug=sales-trend]").await;
    window.wait_text("#report-title", |t| t.contains("销售额")).await;
    let month = format!("{}-01", chrono::Datelike::year(&today));
    window.wait_text("#report-rows", |t| t.contains(&month)).await;

    window.click("#report-by option[value=quarter]").await;
    let rows = window.wait_text("#report-rows", |t| t.contains(&first_label) && !t.contains(&month)).await;
    assert!(rows.contains(&grouped) && rows.contains("合计"), "{first_label} {grouped} missing: {rows}");
    window.wait_text("#report-chart", |t| t.contains(&first_label) && t.contains(&grouped)).await;
    window.screenshot("analyses-sales-trend.png").await;

    // 导出 saves the quarters as shown through the native save dialog, as an Excel file of numbers.
    let saved = dir.path().join("sales-trend.xlsx");
    window.click("#report-export").await;
    suanpan_e2e::answer_file_dialog("Save File", &saved).await;
    window.wait_text("#toast", |t| t.contains(&expected.rows.len().to_string())).await;
    let output =
        std::process::Command::new("unzip").arg("-p").arg(&saved).arg("xl/sharedStrings.xml").output().unwrap();
    let strings = String::from_utf8(output.stdout).unwrap();
    assert!(strings.contains(&first_label) && strings.contains("去年同期"), "{strings}");
    let output =
        std::process::Command::new("unzip").arg("-p").arg(&saved).arg("xl/worksheets/sheet1.xml").output().unwrap();
    let sheet = String::from_utf8(output.stdout).unwrap();
    let number = first_quarter.to_string().trim_end_matches('0').trim_end_matches('.').to_string();
    assert!(sheet.contains(&format!("<v>{number}</v>")), "{number} as a number: {sheet}");
    window.close().await;
}
