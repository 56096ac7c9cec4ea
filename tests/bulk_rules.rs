//! The bulk import of customers, contacts, products, suppliers and opportunities keeps the form's rules: each case below gets the
//! same verdict from the form and from a file, and a file larger than one write chunk lands whole,
//! searchable, and undoes whole.

mod common;

use std::path::{Path, PathBuf};

use suanpan::catalog::{products, suppliers};
use suanpan::crm::contacts::{self, ContactInput};
use suanpan::crm::customers::{self, CustomerInput, CustomerQuery};
use suanpan::io::import::{self, Entity, ImportOptions, ImportReport, Mode};
use suanpan::{Actor, Error};

fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

async fn import(c: &common::Company, actor: &Actor, entity: Entity, path: &Path, mode: Mode) -> ImportReport {
    import::import_file(&c.db, actor, entity, path, ImportOptions { mode, ..Default::default() }).await.unwrap()
}

/// What a form said: "ok", or the first problem's field and reason.
fn form_verdict<T>(result: Result<T, Error>) -> (String, String) {
    match result {
        Ok(_) => ("".into(), "ok".into()),
        Err(error) => {
            let payload = suanpan::api::ErrorPayload::from(&error);
            let problem = payload.fields.first().unwrap_or_else(|| panic!("no field in {error:?}"));
            (problem.field.to_string(), problem.reason.to_string())
        }
    }
}

/// What an import said of its one row, in the same terms (the column as the file's header names it).
fn file_verdict(report: &ImportReport) -> (String, String) {
    match report.errors.first() {
        None => ("".into(), "ok".into()),
        Some(error) => (error.column.clone(), error.reason.to_string()),
    }
}

/// The form and the file said the same of case `n`: the reason, then the field (the file's header is
/// the field's key in these files).
fn assert_same_verdict(n: usize, form: &(String, String), report: &ImportReport) {
    let from_file = file_verdict(report);
    assert_eq!(from_file.1, form.1, "case {n}: {:?}", report.errors);
    assert_eq!(from_file.0, form.0, "case {n}");
}

#[tokio::test]
async fn a_contact_gets_the_same_verdict_from_the_form_and_from_a_file() {
    let c = common::company().await;
    let customer = customers::create(
        &c.db,
        &c.owner,
        &CustomerInput { code: "C1".into(), name: "鼎盛贸易".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("王经理", "13900001111", "wang@example.cn", "1980-05-06"),
        ("", "13900001111", "", ""),
        ("李会计", "call me", "", ""),
        ("赵主管", "", "not-an-address", ""),
        ("钱出纳", "", "", "1980-13-45"),
        (&"长".repeat(61), "", "", ""),
    ];
    for (n, (name, phone, email, birthday)) in cases.into_iter().enumerate() {
        let input = ContactInput {
            name: name.into(),
            phone: phone.into(),
            email: email.into(),
            birthday: birthday.into(),
            ..Default::default()
        };
        let form = form_verdict(contacts::add(&c.db, &c.owner, customer.customer.id, &input).await);
        // Each case under a name of its own, so a good one is not matched to the form's.
        let name = if name.is_empty() { String::new() } else { format!("{name}{n}") };
        let text = format!("customer_code,name,phone,email,birthday\nC1,{name},{phone},{email},{birthday}\n");
        let report = import(&c, &c.owner, Entity::Contacts, &file(dir.path(), "c.csv", &text), Mode::Insert).await;
        assert_same_verdict(n, &form, &report);
    }
}

#[tokio::test]
async fn a_customer_gets_the_same_verdict_from_the_form_and_from_a_file() {
    let c = common::company().await;
    let dir = tempfile::tempdir().unwrap();
    // code, name, type, phone, email, birthday, created on, tags
    let long_tags = "标签".repeat(101);
    let cases = [
        ("K1", "上海鼎盛", "中间客户", "138-0013-8000", "a@b.cn", "1980-05-06", "2024-01-02", "VIP"),
        ("K2", "", "", "", "", "", "", ""),
        ("K 3", "华丰", "", "", "", "", "", ""),
        ("K4", "永泰", "大客户", "", "", "", "", ""),
        ("K5", "恒通", "", "call me", "", "", "", ""),
        ("K6", "金源", "", "", "not-an-address", "", "", ""),
        ("K7", "宏达", "", "", "", "1980-13-45", "", ""),
        ("K8", "瑞祥", "", "", "", "", "yesterday", ""),
        ("K9", "德隆", "", "", "", "", "", &long_tags),
        ("", "无编号", "", "", "", "1980-02-30", "", ""),
    ];
    for (n, (code, name, kind, phone, email, birthday, created_on, tags)) in cases.into_iter().enumerate() {
        let input = CustomerInput {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            phone: phone.into(),
            email: email.into(),
            birthday: birthday.into(),
            created_on: created_on.into(),
            tags: tags.into(),
            allow_duplicate: true,
            ..Default::default()
        };
        let form = form_verdict(customers::create(&c.db, &c.owner, &input).await);
        // A code and a name of the file's own, so that a good case is not matched to the form's.
        let code = if code.is_empty() { String::new() } else { format!("F{code}") };
        let name = if name.is_empty() { String::new() } else { format!("{name}{n}") };
        let text = format!(
            "code,name,type,phone,email,birthday,created_on,tags
\
             {code},{name},{kind},{phone},{email},{birthday},{created_on},{tags}
"
        );
        let report = import(&c, &c.owner, Entity::Customers, &file(dir.path(), "k.csv", &text), Mode::Insert).await;
        assert_same_verdict(n, &form, &report);
    }
}

#[tokio::test]
async fn a_product_gets_the_same_verdict_from_the_form_and_from_a_file() {
    let c = common::company().await;
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("P1", "茶杯", "12.50", "", "5"),
        ("", "茶杯", "12.50", "", ""),
        ("P3", "", "12.50", "", ""),
        ("P4", "茶壶", "abc", "", ""),
        ("P5", "茶壶", "-1", "", ""),
        ("P6", "茶壶", "900000000000", "", ""),
        ("P7", "茶壶", "1", "abc", ""),
        ("P8", "茶壶", "1", "", "-3"),
        ("P9", "茶壶", "12.505", "", ""),
    ];
    for (n, (sku, name, price, markup, low_stock)) in cases.into_iter().enumerate() {
        let input = products::ProductInput {
            sku: sku.into(),
            name: name.into(),
            standard_price: price.into(),
            markup: markup.into(),
            low_stock: low_stock.into(),
            ..Default::default()
        };
        let form = form_verdict(products::create(&c.db, &c.owner, &input).await);
        let sku = if sku.is_empty() { String::new() } else { format!("F{sku}") };
        let text = format!("sku,name,standard_price,markup,low_stock\n{sku},{name},{price},{markup},{low_stock}\n");
        let report = import(&c, &c.owner, Entity::Products, &file(dir.path(), "p.csv", &text), Mode::Insert).await;
        assert_same_verdict(n, &form, &report);
    }
}

#[tokio::test]
async fn a_supplier_gets_the_same_verdict_from_the_form_and_from_a_file() {
    let c = common::company().await;
    let dir = tempfile::tempdir().unwrap();
    let cases =
        [("S1", "华东纸业", "0571-88886666"), ("", "华东纸业", ""), ("S3", "", ""), ("S4", "华东纸业", "call me")];
    for (n, (code, name, phone)) in cases.into_iter().enumerate() {
        let input = suppliers::SupplierInput {
            code: code.into(),
            name: name.into(),
            phone: phone.into(),
            ..Default::default()
        };
        let form = form_verdict(suppliers::create(&c.db, &c.owner, &input).await);
        let code = if code.is_empty() { String::new() } else { format!("F{code}") };
        let text = format!("code,name,phone\n{code},{name},{phone}\n");
        let report = import(&c, &c.owner, Entity::Suppliers, &file(dir.path(), "s.csv", &text), Mode::Insert).await;
        assert_same_verdict(n, &form, &report);
    }
}

async fn found(c: &common::Company, words: &str) -> Vec<String> {
    let query = CustomerQuery { search: words.into(), ..Default::default() };
    customers::list(&c.db, &c.owner, &query).await.unwrap().rows.into_iter().map(|r| r.code).collect()
}

/// Ten thousand contacts (more than one chunk of writes) for 300 customers: every one lands, each
/// customer is found by its contacts' names and phones whether it had contacts before or not, a second
/// file updates rather than doubles, and undoing the first batch takes its contacts and their search
/// words away again.
#[tokio::test]
async fn a_large_contacts_file_lands_whole_searchable_and_undoes_whole() {
    let c = common::company().await;
    let dir = tempfile::tempdir().unwrap();
    let mut customers_csv = String::from("code,name\n");
    for i in 0..300 {
        customers_csv.push_str(&format!("K{i:03},客户{i}\n"));
    }
    import(&c, &c.owner, Entity::Customers, &file(dir.path(), "k.csv", &customers_csv), Mode::Insert).await;
    let earlier = "customer_code,name,phone\nK007,老联系人,13311112222\n";
    import(&c, &c.owner, Entity::Contacts, &file(dir.path(), "e.csv", earlier), Mode::Insert).await;

    let mut contacts_csv = String::from("customer_code,name,title,phone\n");
    for i in 0..10_000 {
        contacts_csv.push_str(&format!("K{:03},联系人{i},采购,139{i:08}\n", i % 300));
    }
    let path = file(dir.path(), "many.csv", &contacts_csv);
    let report = import(&c, &c.owner, Entity::Contacts, &path, Mode::Insert).await;
    assert_eq!((report.inserted, report.errors.len()), (10_000, 0), "{:?}", report.errors.first());
    assert_eq!(found(&c, "联系人9999").await, ["K099"], "the last row's customer is found by its contact");
    assert_eq!(found(&c, "13900000307").await, ["K007"], "by a contact's phone");
    assert_eq!(found(&c, "老联系人").await, ["K007"], "an earlier contact stays searchable");
    let k007 = customers::list(&c.db, &c.owner, &CustomerQuery { search: "K007".into(), ..Default::default() })
        .await
        .unwrap()
        .rows[0]
        .id;
    assert_eq!(contacts::list(&c.db, &c.owner, k007).await.unwrap().len(), 1 + 34);

    let again = import(&c, &c.owner, Entity::Contacts, &path, Mode::Upsert).await;
    assert_eq!((again.inserted, again.updated), (0, 10_000));
    import::undo(&c.db, &c.owner, again.batch_id.unwrap()).await.unwrap();
    import::undo(&c.db, &c.owner, report.batch_id.unwrap()).await.unwrap();
    assert_eq!(contacts::list(&c.db, &c.owner, k007).await.unwrap().len(), 1);
    assert!(found(&c, "联系人9999").await.is_empty(), "undone contacts are no longer searched");
    assert_eq!(found(&c, "老联系人").await, ["K007"]);
}

#[tokio::test]
async fn an_opportunity_gets_the_same_verdict_from_the_form_and_from_a_file() {
    use suanpan::sales::pipeline::{self, OpportunityInput};
    let c = common::company().await;
    for (code, actor) in [("C1", &c.owner), ("G1", &c.sales_gz)] {
        let input = CustomerInput { code: code.into(), name: format!("客户{code}"), ..Default::default() };
        customers::create(&c.db, actor, &input).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    // customer, name, amount, probability, status, closed_on, lost_reason
    let cases = [
        ("C1", "年度采购", "50000", "", "", "", ""),
        ("C1", "", "50000", "", "", "", ""),
        ("C9", "年度采购", "50000", "", "", "", ""),
        ("C1", "年度采购", "abc", "", "", "", ""),
        ("C1", "年度采购", "-5", "", "", "", ""),
        ("C1", "年度采购", "900000000000", "", "", "", ""),
        ("C1", "年度采购", "100", "120", "", "", ""),
        ("C1", "年度采购", "100", "", "open", "2024-01-05", ""),
        ("C1", "年度采购", "100", "", "lost", "2024-01-05", ""),
        ("C1", "年度采购", "100", "", "won", "2024-01-05", "价格"),
        ("C1", "年度采购", "100", "", "maybe", "", ""),
    ];
    for (n, (customer, name, amount, probability, status, closed_on, lost_reason)) in cases.into_iter().enumerate() {
        let input = OpportunityInput {
            customer_code: customer.into(),
            name: name.into(),
            amount: amount.into(),
            probability: probability.into(),
            status: status.into(),
            closed_on: closed_on.into(),
            lost_reason: lost_reason.into(),
            ..Default::default()
        };
        let form = form_verdict(pipeline::create(&c.db, &c.owner, &input).await);
        let text = format!(
            "code,customer_code,name,amount,probability,status,closed_on,lost_reason\n\
             F{n},{customer},{name},{amount},{probability},{status},{closed_on},{lost_reason}\n"
        );
        let path = file(dir.path(), "o.csv", &text);
        let report = import(&c, &c.owner, Entity::Opportunities, &path, Mode::Insert).await;
        assert_same_verdict(n, &form, &report);
    }
    // A salesperson's file cannot reach another's customer, as their form cannot.
    let input =
        OpportunityInput {
            customer_code: "G1".into(), name: "越界".into(), amount: "0".into(), ..Default::default()
        };
    let form = form_verdict(pipeline::create(&c.db, &c.sales_sh, &input).await);
    let path = file(dir.path(), "o.csv", "code,customer_code,name,amount\nX1,G1,越界,0\n");
    let report = import(&c, &c.sales_sh, Entity::Opportunities, &path, Mode::Insert).await;
    assert_eq!(file_verdict(&report), form);
    assert_eq!(form.1, "unknown");
}
