//! Importing customers from hostile spreadsheet files: the right rows or the right errors, never half a file.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use common::company;
use suanpan::crm::customers::{self, CustomerInput, CustomerQuery, CustomerSort};
use suanpan::error::{FileProblem, HeaderProblem, Refusal};
use suanpan::io::csv_source::SourceOptions;
use suanpan::io::decode::Encoding;
use suanpan::io::export;
use suanpan::io::import::{self, Entity, ImportOptions, ImportReport, Mode};
use suanpan::io::notice::Notice;
use suanpan::{Actor, Error};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

async fn import(c: &common::Company, actor: &Actor, file: &Path, mode: Mode) -> suanpan::Result<ImportReport> {
    import::import_file(&c.db, actor, Entity::Customers, file, ImportOptions { mode, ..Default::default() }).await
}

async fn count(c: &common::Company) -> i64 {
    customers::list(&c.db, &c.owner, &CustomerQuery::default()).await.unwrap().total
}

async fn customer(c: &common::Company, code: &str) -> customers::Customer {
    customers::get_by_code(&c.db, &c.owner, code).await.unwrap()
}

#[tokio::test]
async fn gbk_with_chinese_headers_and_crlf() {
    let c = company().await;
    let report = import(&c, &c.owner, &fixture("customers_gbk.csv"), Mode::Insert).await.unwrap();
    assert_eq!(report.encoding, "GB18030");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.rows, report.inserted), (3, 3));
    assert!(report.batch_id.is_some());
    let dingsheng = customer(&c, "C1001").await;
    assert_eq!(dingsheng.name, "上海鼎盛贸易有限公司");
    assert_eq!(dingsheng.kind, "channel");
    assert_eq!(dingsheng.source.as_deref(), Some("展会"));
    assert_eq!(dingsheng.birthday.as_deref(), Some("1980-05-06"));
    assert_eq!(dingsheng.created_on, "2023-02-03");
    assert_eq!(customer(&c, "C1003").await.notes, "采购找\"李老师\"");
}

#[tokio::test]
async fn utf8_bom_utf16_and_tabs_give_the_same_rows() {
    for file in ["customers_utf8_bom.csv", "customers_utf16le.txt", "customers_tab.tsv"] {
        let c = company().await;
        let report = import(&c, &c.owner, &fixture(file), Mode::Insert).await.unwrap();
        assert!(report.errors.is_empty(), "{file}: {:?}", report.errors);
        assert_eq!(report.inserted, 2, "{file}");
        let huafeng = customer(&c, "C2001").await;
        assert_eq!(huafeng.name, "广州华丰电子", "{file}");
        assert_eq!(huafeng.level.as_deref(), Some("金牌"), "{file}: English pick-list names are accepted");
        assert_eq!(huafeng.tags, "VIP,重点", "{file}");
        assert_eq!(customer(&c, "C2002").await.name, "Zhang Wei", "{file}");
    }
}

#[tokio::test]
async fn semicolons_embedded_newlines_excel_text_and_trailing_blank_lines() {
    let c = company().await;
    let report = import(&c, &c.owner, &fixture("customers_semicolon_multiline.csv"), Mode::Insert).await.unwrap();
    assert_eq!(report.delimiter, ";");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.rows, 2);
    assert_eq!(customer(&c, "C3001").await.name, "南京博远; 分部");
    assert_eq!(customer(&c, "C3001").await.notes, "第一行\r\n第二行");
    assert_eq!(customer(&c, "C3002").await.name, "零零七号店");
}

#[tokio::test]
async fn every_bad_row_is_reported_by_line_and_column_and_nothing_is_written() {
    let c = company().await;
    let report = import(&c, &c.owner, &fixture("customers_bad.csv"), Mode::Insert).await.unwrap();
    assert_eq!(report.batch_id, None);
    assert_eq!(count(&c).await, 0, "the good first row is not written either");
    let at = |line: u64| -> Vec<(String, &str)> {
        report.errors.iter().filter(|e| e.line == line).map(|e| (e.column.clone(), e.reason)).collect()
    };
    assert!(at(2).is_empty(), "line 2 is good");
    assert_eq!(at(3), [("birthday".to_string(), "bad_date")]);
    assert!(at(4).contains(&("type".to_string(), "not_allowed")), "{:?}", at(4));
    // An unknown source is no row error for someone who may edit the lists: it is added (tests/import_values.rs).
    assert!(!at(4).iter().any(|(column, _)| column == "source"), "{:?}", at(4));
    assert_eq!(report.unknown_values.iter().map(|u| u.value.as_str()).collect::<Vec<_>>(), ["月球"]);
    assert_eq!(at(5), [("code".to_string(), "duplicate_in_file")], "C4001 twice");
    assert!(report.errors.iter().any(|e| e.line == 5 && e.message.contains("also on line 2")));
    let line6: Vec<String> = at(6).into_iter().map(|(column, _)| column).collect();
    assert_eq!(line6, ["phone", "email"], "no code is numbered; the row's own faults are told");
    assert_eq!(at(7), [(String::new(), "wrong_field_count")], "the cut-off last row");
    assert!(report.errors.iter().any(|e| e.line == 7 && e.message.contains("2 fields")));

    let dir = tempfile::tempdir().unwrap();
    let errors_csv = dir.path().join("errors.csv");
    import::write_error_csv(&report, &errors_csv).unwrap();
    let text = std::fs::read_to_string(&errors_csv).unwrap();
    assert!(text.starts_with("\u{feff}code,name,type,source,birthday,email,phone,error"), "{text}");
    assert!(
        text.contains("C4002,坏日期,consumer,展会,2023-02-30,,,line 3: birthday: '2023-02-30' is not a date"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1 + 5, "header and the five bad rows");
}

#[tokio::test]
async fn empty_header_only_and_unmapped_files_are_errors() {
    let c = company().await;
    for (file, expected) in [
        ("empty.csv", FileProblem::Empty),
        ("header_only.csv", FileProblem::NoRows),
        ("missing_name_column.csv", FileProblem::Headers(vec![HeaderProblem::Missing("name")])),
    ] {
        match import(&c, &c.owner, &fixture(file), Mode::Insert).await {
            Err(Error::BadFile { problem, file: path, .. }) => {
                assert_eq!(problem, expected, "{file}");
                assert!(path.ends_with(file));
            }
            other => panic!("{file}: expected a file error, got {other:?}"),
        }
    }
    assert_eq!(count(&c).await, 0);
}

#[tokio::test]
async fn a_ten_megabyte_line_is_one_clear_error() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.csv");
    let notes = "很".repeat(10 * 1024 * 1024 / 3);
    std::fs::write(&file, format!("code,name,notes\nC1,大客户,{notes}\nC2,小客户,\n")).unwrap();
    let report = import(&c, &c.owner, &file, Mode::Insert).await.unwrap();
    assert_eq!(report.rows, 2);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(
        (report.errors[0].line, report.errors[0].column.as_str(), report.errors[0].reason),
        (2, "notes", "too_long")
    );
    assert_eq!(count(&c).await, 0);
}

#[tokio::test]
async fn reimporting_duplicates_nothing_and_upsert_updates() {
    let c = company().await;
    let file = fixture("customers_gbk.csv");
    import(&c, &c.owner, &file, Mode::Insert).await.unwrap();
    let again = import(&c, &c.owner, &file, Mode::Insert).await.unwrap();
    assert_eq!((again.inserted, again.skipped), (0, 3));
    assert_eq!(count(&c).await, 3);

    let edit = CustomerInput { name: "改过的名字".into(), code: "C1002".into(), ..Default::default() };
    let id = customer(&c, "C1002").await.id;
    customers::update(&c.db, &c.owner, id, &edit).await.unwrap();
    let upsert = import(&c, &c.owner, &file, Mode::Upsert).await.unwrap();
    assert_eq!((upsert.inserted, upsert.updated), (0, 3));
    assert_eq!(customer(&c, "C1002").await.name, "王芳");
    assert_eq!(count(&c).await, 3);
}

#[tokio::test]
async fn undo_restores_the_state_before_the_batch() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.csv");
    std::fs::write(&first, "code,name,city\nA1,甲,上海\nA2,乙,北京\n").unwrap();
    import(&c, &c.owner, &first, Mode::Insert).await.unwrap();
    let before = dir.path().join("before.csv");
    export::export_csv(&c.db, &c.owner, Entity::Customers, &before).await.unwrap();

    let second = dir.path().join("second.csv");
    std::fs::write(&second, "code,name,city\nA1,甲改,广州\nA3,丙,深圳\n").unwrap();
    let batch = import(&c, &c.owner, &second, Mode::Upsert).await.unwrap().batch_id.unwrap();
    assert_eq!(customer(&c, "A1").await.city, "广州");
    import::undo(&c.db, &c.owner, batch).await.unwrap();
    let after = dir.path().join("after.csv");
    export::export_csv(&c.db, &c.owner, Entity::Customers, &after).await.unwrap();
    assert_eq!(std::fs::read(&before).unwrap(), std::fs::read(&after).unwrap());
    assert!(
        matches!(import::undo(&c.db, &c.owner, batch).await, Err(Error::Refused(Refusal::AlreadyUndone))),
        "only once"
    );

    // A batch whose records were edited since cannot be undone.
    let third = dir.path().join("third.csv");
    std::fs::write(&third, "code,name\nB1,丁\n").unwrap();
    let batch = import(&c, &c.owner, &third, Mode::Insert).await.unwrap().batch_id.unwrap();
    let id = customer(&c, "B1").await.id;
    let edit = CustomerInput { name: "丁改".into(), ..Default::default() };
    customers::update(&c.db, &c.owner, id, &edit).await.unwrap();
    assert!(matches!(import::undo(&c.db, &c.owner, batch).await, Err(Error::BatchChanged { changed: 1 })));
    assert_eq!(customer(&c, "B1").await.name, "丁改");
    let listed = import::batches(&c.db, &c.owner).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().any(|b| b.undone_at.is_some()));
}

/// Issue 10: undoing a customers import deleted contacts added to its customers afterwards (the delete
/// cascades, and adding a contact is no change of its customer's version).
#[tokio::test]
async fn regression_undo_keeps_customers_that_records_were_added_to_since() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new.csv");
    std::fs::write(&file, "code,name\nN1,新客户一\nN2,新客户二\n").unwrap();
    let batch = import(&c, &c.owner, &file, Mode::Insert).await.unwrap().batch_id.unwrap();
    let id = customer(&c, "N1").await.id;
    let contact = suanpan::crm::contacts::ContactInput { name: "李经理".into(), ..Default::default() };
    suanpan::crm::contacts::add(&c.db, &c.owner, id, &contact).await.unwrap();

    let refused = import::undo(&c.db, &c.owner, batch).await;
    assert!(matches!(refused, Err(Error::BatchChanged { changed: 1 })), "{refused:?}");
    let contacts = suanpan::crm::contacts::list(&c.db, &c.owner, id).await.unwrap();
    assert_eq!(contacts.len(), 1, "the contact is still there");
    assert_eq!(customer(&c, "N2").await.name, "新客户二", "nothing of the batch was undone");
}

#[tokio::test]
async fn export_then_import_round_trips_exactly() {
    let a = company().await;
    import(&a, &a.owner, &fixture("customers_gbk.csv"), Mode::Insert).await.unwrap();
    import(&a, &a.owner, &fixture("customers_utf8_bom.csv"), Mode::Insert).await.unwrap();
    customers::create(
        &a.db,
        &a.sales_sh,
        &CustomerInput { code: "Z9".into(), name: "有负责人".into(), tags: "VIP".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let exported = dir.path().join("a.csv");
    assert_eq!(export::export_csv(&a.db, &a.owner, Entity::Customers, &exported).await.unwrap(), 6);

    let b = company().await;
    let report = import(&b, &b.owner, &exported, Mode::Insert).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let again = dir.path().join("b.csv");
    export::export_csv(&b.db, &b.owner, Entity::Customers, &again).await.unwrap();
    assert_eq!(std::fs::read_to_string(&exported).unwrap(), std::fs::read_to_string(&again).unwrap());
}

#[tokio::test]
async fn exports_and_imports_stay_within_the_scope() {
    let c = company().await;
    customers::create(
        &c.db,
        &c.sales_gz,
        &CustomerInput { code: "G1".into(), name: "广州的".into(), ..Default::default() },
    )
    .await
    .unwrap();
    customers::create(
        &c.db,
        &c.sales_sh,
        &CustomerInput { code: "S1".into(), name: "上海的".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine.csv");
    assert_eq!(export::export_csv(&c.db, &c.sales_sh, Entity::Customers, &mine).await.unwrap(), 1);
    assert!(!std::fs::read_to_string(&mine).unwrap().contains("广州的"));

    let takeover = dir.path().join("takeover.csv");
    std::fs::write(&takeover, "code,name\nG1,抢来的\n").unwrap();
    let report = import(&c, &c.sales_sh, &takeover, Mode::Upsert).await.unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(customer(&c, "G1").await.name, "广州的");
    assert!(matches!(import(&c, &c.accountant, &takeover, Mode::Insert).await, Err(Error::Forbidden { .. })));
}

#[tokio::test]
async fn dry_runs_cancels_overrides_and_new_salespeople() {
    let c = company().await;
    let file = fixture("customers_gbk.csv");
    let dry = ImportOptions { dry_run: true, ..Default::default() };
    let report = import::import_file(&c.db, &c.owner, Entity::Customers, &file, dry).await.unwrap();
    assert_eq!((report.inserted, report.batch_id), (3, None));
    assert_eq!(count(&c).await, 0);

    let cancelled = ImportOptions { cancel: Some(Arc::new(AtomicBool::new(true))), ..Default::default() };
    assert!(import::import_file(&c.db, &c.owner, Entity::Customers, &file, cancelled).await.is_err());
    assert_eq!(count(&c).await, 0);

    let as_utf8 = ImportOptions {
        source: SourceOptions { encoding: Some(Encoding::Utf8), delimiter: None },
        ..Default::default()
    };
    match import::import_file(&c.db, &c.owner, Entity::Customers, &file, as_utf8).await {
        Err(Error::BadFile { .. }) => {}
        Ok(report) => assert!(!report.errors.is_empty(), "GBK read as UTF-8 must not pass silently"),
        Err(other) => panic!("{other:?}"),
    }
    assert_eq!(count(&c).await, 0);

    let dir = tempfile::tempdir().unwrap();
    let owned = dir.path().join("owned.csv");
    std::fs::write(&owned, "客户编号,客户名称,业务员\nK1,新客户,小马\n").unwrap();
    let report = import(&c, &c.owner, &owned, Mode::Insert).await.unwrap();
    assert_eq!(report.notices, [Notice::SalespersonCreated { name: "小马".into() }]);
    assert_eq!(customer(&c, "K1").await.owner.as_deref(), Some("小马"));
}

async fn contacts_import(c: &common::Company, actor: &Actor, text: &str, mode: Mode) -> suanpan::Result<ImportReport> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("contacts.csv");
    std::fs::write(&file, encoding_rs::GB18030.encode(text).0).unwrap();
    import::import_file(&c.db, actor, Entity::Contacts, &file, ImportOptions { mode, ..Default::default() }).await
}

#[tokio::test]
async fn contacts_attach_to_their_customers_by_code() {
    let c = company().await;
    import(&c, &c.owner, &fixture("customers_gbk.csv"), Mode::Insert).await.unwrap();
    let text =
        "客户编号,联系人,职务,手机\r\nC1001,王经理,采购经理,13900001111\r\nC1001,李会计,财务,\r\nC9999,无主,,\r\n";
    let report = contacts_import(&c, &c.owner, text, Mode::Insert).await.unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(
        (report.errors[0].line, report.errors[0].column.as_str(), report.errors[0].reason),
        (4, "客户编号", "unknown")
    );

    let good = "客户编号,联系人,职务,手机\r\nC1001,王经理,采购经理,13900001111\r\nC1001,李会计,财务,\r\n";
    let batch = contacts_import(&c, &c.owner, good, Mode::Insert).await.unwrap();
    assert_eq!(batch.inserted, 2);
    let query = CustomerQuery { search: "王经理".into(), ..Default::default() };
    assert_eq!(
        customers::list(&c.db, &c.owner, &query).await.unwrap().rows[0].code,
        "C1001",
        "contacts are searchable"
    );
    let again = contacts_import(&c, &c.owner, good, Mode::Insert).await.unwrap();
    assert_eq!((again.inserted, again.skipped), (0, 2), "matched by customer and name");

    let retitled = "客户编号,联系人,职务,手机\r\nC1001,王经理,总经理,13511112222\r\n";
    let upsert = contacts_import(&c, &c.owner, retitled, Mode::Upsert).await.unwrap();
    assert_eq!(upsert.updated, 1);
    // C1002 has the contact's first phone as its own.
    let codes = async |phone: &str| -> Vec<String> {
        let query = CustomerQuery { search: phone.into(), sort: CustomerSort::Code, ..Default::default() };
        customers::list(&c.db, &c.owner, &query).await.unwrap().rows.into_iter().map(|r| r.code).collect()
    };
    assert_eq!(codes("13511112222").await, ["C1001"], "found by the contact's new phone");
    assert_eq!(codes("13900001111").await, ["C1002"], "no longer by its old one");
    import::undo(&c.db, &c.owner, upsert.batch_id.unwrap()).await.unwrap();
    assert_eq!(codes("13900001111").await, ["C1001", "C1002"], "undo gave the contact its phone back, in search too");
    let id = customer(&c, "C1001").await.id;
    let listed = suanpan::crm::contacts::list(&c.db, &c.owner, id).await.unwrap();
    assert_eq!(listed.iter().find(|k| k.name == "王经理").unwrap().title, "采购经理", "undo put the title back");

    let dir = tempfile::tempdir().unwrap();
    let exported = dir.path().join("contacts.csv");
    assert_eq!(export::export_csv(&c.db, &c.owner, Entity::Contacts, &exported).await.unwrap(), 2);
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.starts_with("\u{feff}customer_code,name,title,phone,email,birthday,hobbies"), "{text}");
    assert!(text.contains("C1001,王经理,采购经理,13900001111"), "{text}");
}

/// One customer's contact named twice in a file says which customer, which name and which line, and
/// how to fix it, in the report, its translation's values and the error CSV (the message once read
/// "'C000774 / 李桂英 (also on line 1206)' is not allowed here", which told a clerk nothing).
#[tokio::test]
async fn a_contact_named_twice_for_one_customer_says_what_to_do() {
    let c = company().await;
    import(&c, &c.owner, &fixture("customers_gbk.csv"), Mode::Insert).await.unwrap();
    let text = "客户编号,联系人,职务\r\nC1001,李桂英,采购\r\nC1001,王经理,总经理\r\nC1001,李桂英,财务\r\n";
    let report = contacts_import(&c, &c.owner, text, Mode::Insert).await.unwrap();
    assert_eq!(report.batch_id, None);
    let errors: Vec<_> = report.errors.iter().map(|e| (e.line, e.column.as_str(), e.reason)).collect();
    assert_eq!(errors, [(4, "联系人", "contact_twice")]);
    assert_eq!(report.errors[0].params, serde_json::json!({ "customer": "C1001", "name": "李桂英", "first_line": 2 }));
    let message = &report.errors[0].message;
    assert_eq!(
        message,
        "customer 'C1001' has the contact '李桂英' twice in this file (also on line 2): merge the two rows, or \
         give this one a different name"
    );
    let dir = tempfile::tempdir().unwrap();
    let errors_csv = dir.path().join("errors.csv");
    import::write_error_csv(&report, &errors_csv).unwrap();
    let written = std::fs::read_to_string(&errors_csv).unwrap();
    assert!(written.contains(&format!("line 4: 联系人: {message}")), "{written}");

    // The same for a contact the customer has already, and for rows after the first bad one.
    let good = "客户编号,联系人,职务\r\nC1001,李桂英,采购\r\n";
    assert_eq!(contacts_import(&c, &c.owner, good, Mode::Insert).await.unwrap().inserted, 1);
    let text = "客户编号,联系人,职务\r\nC9999,无主,\r\nC1001,李桂英,财务\r\nC1001,王经理,\r\nC1001,李桂英,经理\r\n\
                C1001,王经理,\r\n";
    let report = contacts_import(&c, &c.owner, text, Mode::Upsert).await.unwrap();
    let errors: Vec<_> = report.errors.iter().map(|e| (e.line, e.reason, e.params["first_line"].as_u64())).collect();
    assert_eq!(errors, [(2, "unknown", None), (5, "contact_twice", Some(3)), (6, "contact_twice", Some(4))]);
}

#[tokio::test]
async fn a_salesperson_adds_contacts_only_to_their_own_customers() {
    let c = company().await;
    customers::create(
        &c.db,
        &c.sales_gz,
        &CustomerInput { code: "G1".into(), name: "广州的".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let report = contacts_import(&c, &c.sales_sh, "customer_code,name\nG1,偷偷加的\n", Mode::Insert).await.unwrap();
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].reason, "unknown", "another's customer is as good as missing");
}

#[tokio::test]
async fn a_saved_mapping_reads_headers_the_importer_does_not_know() {
    use std::collections::HashMap;
    use suanpan::io::profiles;

    let c = company().await;
    let file = fixture("customers_odd_headers.csv");
    let plain = import(&c, &c.owner, &file, Mode::Insert).await.unwrap();
    assert_eq!(plain.ignored_columns, ["微信号"]);
    import::undo(&c.db, &c.owner, plain.batch_id.unwrap()).await.unwrap();

    let wrong = HashMap::from([("微信号".to_string(), "wechat".to_string())]);
    assert!(matches!(
        profiles::save(&c.db, &c.owner, Entity::Customers, "微信表", &wrong, &Default::default()).await,
        Err(Error::Invalid { .. })
    ));
    let mapping = HashMap::from([("微信号".to_string(), "notes".to_string())]);
    profiles::save(&c.db, &c.owner, Entity::Customers, "微信表", &mapping, &Default::default()).await.unwrap();
    let loaded = profiles::load(&c.db, Entity::Customers, "微信表").await.unwrap();
    let options = ImportOptions { mapping: loaded, ..Default::default() };
    let report = import::import_file(&c.db, &c.owner, Entity::Customers, &file, options).await.unwrap();
    assert!(report.ignored_columns.is_empty());
    assert_eq!(customer(&c, "W1").await.notes, "wx_123");
    assert_eq!(profiles::list(&c.db, Entity::Customers).await.unwrap().len(), 1);
    assert!(profiles::list(&c.db, Entity::Contacts).await.unwrap().is_empty());
}

#[tokio::test]
async fn exports_to_xlsx_with_the_import_headers() {
    let c = company().await;
    import(&c, &c.owner, &fixture("customers_gbk.csv"), Mode::Insert).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("customers.xlsx");
    let rows = export::export(&c.db, &c.owner, Entity::Customers, export::Format::Xlsx, &out).await.unwrap();
    assert_eq!(rows, 3);
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"), "an XLSX file is a zip");
    // scripts/setup.sh installs unzip for the tests.
    let sheet =
        std::process::Command::new("unzip").arg("-p").arg(&out).arg("xl/worksheets/sheet1.xml").output().unwrap();
    let xml = String::from_utf8(sheet.stdout).unwrap();
    for text in ["code", "created_on", "C1001", "上海鼎盛贸易有限公司", "采购找\"李老师\""] {
        assert!(xml.contains(text) || xml.contains(&text.replace('"', "&quot;")), "{text} missing from the sheet");
    }
}

async fn found(c: &common::Company, text: &str) -> Vec<String> {
    let query = CustomerQuery { search: text.into(), ..Default::default() };
    customers::list(&c.db, &c.owner, &query).await.unwrap().rows.into_iter().map(|r| r.code).collect()
}

#[tokio::test]
async fn imported_customers_are_searchable_at_once_and_a_failed_import_indexes_nothing() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "code,name,phone\nK1,杭州恒通贸易,13812345678\nK2,南京永泰,\nK3,,\n").unwrap();
    let report = import(&c, &c.owner, &bad, Mode::Insert).await.unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert!(found(&c, "恒通").await.is_empty());

    // The search rows of a file's new customers are written at its end, in one go, for every word kind.
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "code,name,phone\nK1,杭州恒通贸易,13812345678\nK2,南京永泰,\n").unwrap();
    for expected in [(2, 0), (0, 2)] {
        let report = import(&c, &c.owner, &good, Mode::Insert).await.unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!((report.inserted, report.skipped), expected);
    }
    for (text, expected) in [("恒通", vec!["K1"]), ("hzht", vec!["K1"]), ("12345678", vec!["K1"]), ("永泰", vec!["K2"])]
    {
        assert_eq!(found(&c, text).await, expected, "{text}");
    }
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM customer_search_pairs").fetch_one(c.db.pool()).await.unwrap();
    assert_eq!(rows, 2, "one search row per customer, none from the failed or the skipping import");
}

#[tokio::test]
async fn a_bulk_load_of_customers_keeps_its_indexes_and_a_failed_one_changes_nothing() {
    let c = company().await;
    let indexes = c.index_names(&["customers"]).await;
    assert!(indexes.contains(&"customers_phone".to_string()), "{indexes:?}");
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, last: &str| {
        let path = dir.path().join(name);
        let mut text = String::from("code,name,phone,city,created_on,notes\n");
        for i in 0..40_000 {
            text.push_str(&format!(
                "B{i:06},杭州恒通贸易{i}号,1391234{i:04},杭州,2024-03-05,老客户，每月初订货，付款及时\n"
            ));
        }
        text.push_str(last);
        std::fs::write(&path, text).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 4_000_000, "large enough for the bulk path");
        path
    };
    let bad = write("bad.csv", "Z1,最后一位,,上海,2024-02-30,\n");
    let report = import(&c, &c.owner, &bad, Mode::Insert).await.unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!((count(&c).await, c.index_names(&["customers"]).await), (0, indexes.clone()));
    // The failed bulk load enlarged its connection's page cache and left CHECK constraints to its own
    // checks: every pooled connection has the usual cache, and checks again.
    pooled_connections_are_as_usual(&c).await;

    let good = write("good.csv", "Z1,最后一位,13900001111,上海,2024-02-03,\n");
    let report = import(&c, &c.owner, &good, Mode::Insert).await.unwrap();
    assert_eq!(report.inserted, 40_001, "{:?}", report.errors.first());
    assert_eq!(c.index_names(&["customers"]).await, indexes);
    assert_eq!(found(&c, "13900001111").await, ["Z1"]);
    let in_shanghai = CustomerQuery { city: Some("上海".into()), ..Default::default() };
    assert_eq!(customers::list(&c.db, &c.owner, &in_shanghai).await.unwrap().total, 1);
    pooled_connections_are_as_usual(&c).await;
    let wrong_kind = sqlx::query("UPDATE customers SET kind = 'alien' WHERE code = 'Z1'").execute(c.db.pool()).await;
    assert!(wrong_kind.is_err(), "the table's CHECK holds again");
}

/// Every connection of the pool has the usual page cache and checks CHECK constraints.
async fn pooled_connections_are_as_usual(c: &common::Company) {
    let mut pooled = Vec::new();
    for _ in 0..4 {
        let mut conn = c.db.pool().acquire().await.unwrap();
        let cache: i64 = sqlx::query_scalar("PRAGMA cache_size").fetch_one(&mut *conn).await.unwrap();
        let unchecked: i64 = sqlx::query_scalar("PRAGMA ignore_check_constraints").fetch_one(&mut *conn).await.unwrap();
        assert_eq!((cache, unchecked), (-8000, 0));
        pooled.push(conn);
    }
}

#[tokio::test]
async fn a_code_twice_in_one_file_is_an_error_whether_new_existing_or_bad_the_first_time() {
    let c = company().await;
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.csv");
    std::fs::write(&first, "code,name\nE1,老客户\n").unwrap();
    import(&c, &c.owner, &first, Mode::Insert).await.unwrap();
    let file = dir.path().join("twice.csv");
    std::fs::write(
        &file,
        "code,name,birthday\nE1,改名,\nN1,新客户,\nE1,再改,\nN1,又一个,\nB1,坏行,2023-02-30\nB1,好行,\n",
    )
    .unwrap();
    for mode in [Mode::Insert, Mode::Upsert] {
        let report = import(&c, &c.owner, &file, mode).await.unwrap();
        let lines: Vec<(u64, &str)> = report.errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(lines, [(4, "code"), (5, "code"), (6, "birthday"), (7, "code")], "{mode:?}");
        assert!(report.errors[0].message.contains("also on line 2"), "{}", report.errors[0].message);
        assert_eq!(count(&c).await, 1, "nothing written");
    }
}

/// The commonest customer sheet in a Chinese office: no code column, saved from Excel as GBK.
const NO_CODE_SHEET: &str = "客户名称,联系人,联系电话,邮箱,地址,备注\r\n\
    上海鼎盛贸易有限公司,王建国,021-66668888,ds@example.cn,上海市人民路1号,老客户\r\n\
    杭州华丰电子,李梅,13900001111,,杭州市西湖区,\r\n";

async fn gbk_import(c: &common::Company, text: &str, mode: Mode) -> ImportReport {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("客户.csv");
    std::fs::write(&file, encoding_rs::GBK.encode(text).0).unwrap();
    import(c, &c.owner, &file, mode).await.unwrap()
}

#[tokio::test]
async fn a_sheet_without_codes_continues_the_forms_numbers_makes_main_contacts_and_reimports_as_skips() {
    let c = company().await;
    let by_form = CustomerInput { name: "先建的客户".into(), allow_duplicate: true, ..Default::default() };
    let first = customers::create(&c.db, &c.owner, &by_form).await.unwrap().customer;
    let number: u32 = first.code[1..].parse().unwrap();

    let report = gbk_import(&c, NO_CODE_SHEET, Mode::Insert).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.rows, report.inserted), (2, 2));
    let dingsheng = customer(&c, &format!("C{:06}", number + 1)).await;
    assert_eq!(dingsheng.name, "上海鼎盛贸易有限公司");
    assert_eq!(dingsheng.phone, "021-66668888", "the one number is the customer's");
    let huafeng = customer(&c, &format!("C{:06}", number + 2)).await;
    assert_eq!(huafeng.name, "杭州华丰电子");
    let contacts = suanpan::crm::contacts::list(&c.db, &c.owner, dingsheng.id).await.unwrap();
    assert_eq!(contacts.len(), 1);
    assert_eq!((contacts[0].name.as_str(), contacts[0].phone.as_str()), ("王建国", "021-66668888"));
    assert_eq!(found(&c, "李梅").await, [huafeng.code.as_str()], "the contact's name finds its customer");
    let next = customers::create(&c.db, &c.owner, &by_form).await.unwrap().customer;
    assert_eq!(next.code, format!("C{:06}", number + 3), "the form goes on after the file");

    let again = gbk_import(&c, NO_CODE_SHEET, Mode::Insert).await;
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!((again.inserted, again.skipped), (0, 2));
    assert_eq!(again.skipped_reasons.len(), 1);
    assert_eq!((again.skipped_reasons[0].code.code(), again.skipped_reasons[0].count), ("exists", 2));
    assert_eq!(count(&c).await, 4);
    let contacts = suanpan::crm::contacts::list(&c.db, &c.owner, dingsheng.id).await.unwrap();
    assert_eq!(contacts.len(), 1, "no contact made twice");

    let undone = import::undo(&c.db, &c.owner, report.batch_id.unwrap()).await;
    assert!(undone.is_ok(), "the batch's own contacts do not hold its undo back: {undone:?}");
    assert_eq!(count(&c).await, 2);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM contacts").fetch_one(c.db.pool()).await.unwrap();
    assert_eq!(left, 0, "the contacts went with their customers");
}

#[tokio::test]
async fn a_customer_phone_and_a_mobile_go_to_the_customer_and_its_contact() {
    let c = company().await;
    let text = "客户名称,联系人,职务,电话,手机\r\n鼎盛贸易,王建国,采购经理,021-66668888,13800138000\r\n\
        只有手机的店,李梅,,,13900001111\r\n";
    let report = gbk_import(&c, text, Mode::Insert).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let rows = customers::list(&c.db, &c.owner, &CustomerQuery::default()).await.unwrap().rows;
    let code_of = |name: &str| rows.iter().find(|r| r.name == name).unwrap().code.clone();
    let dingsheng = customer(&c, &code_of("鼎盛贸易")).await;
    assert_eq!(dingsheng.phone, "021-66668888");
    let contacts = suanpan::crm::contacts::list(&c.db, &c.owner, dingsheng.id).await.unwrap();
    assert_eq!((contacts[0].title.as_str(), contacts[0].phone.as_str()), ("采购经理", "13800138000"));
    assert_eq!(customer(&c, &code_of("只有手机的店")).await.phone, "13900001111");

    // Another customer of the same name and phone makes a row without a code ambiguous.
    let twin = CustomerInput {
        name: "鼎盛贸易".into(),
        phone: "021-66668888".into(),
        allow_duplicate: true,
        ..Default::default()
    };
    customers::create(&c.db, &c.owner, &twin).await.unwrap();
    let again = gbk_import(&c, text, Mode::Upsert).await;
    assert_eq!(again.errors.len(), 1, "{:?}", again.errors);
    assert_eq!((again.errors[0].line, again.errors[0].reason), (2, "ambiguous"));
}
