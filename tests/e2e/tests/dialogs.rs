//! End-to-end: the native file dialogs behind the import, export, backup and restore buttons, answered as a person would.

use std::path::Path;

use suanpan::crm::customers::{self, CustomerInput, CustomerQuery};
use suanpan::io::csv_source::{CsvSource, SourceOptions};
use suanpan::{Db, auth, backup, users};
use suanpan_e2e::{Window, answer_file_dialog};

async fn log_in(window: &Window) {
    window.type_into("#login-username", "boss").await;
    window.type_into("#login-password", "secret-123").await;
    window.click("#login-submit").await;
    window.find("#customer-list").await;
}

async fn wait_for_file(path: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !path.exists() {
        assert!(std::time::Instant::now() < deadline, "{} was never written", path.display());
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn import_export_backup_and_restore_go_through_the_native_file_dialogs() {
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    {
        let (db, _) = Db::open(&company).await.unwrap();
        let owner = users::create_owner(&db, "boss", "王老板", "secret-123").await.unwrap();
        let existing = CustomerInput { name: "老客户".into(), ..Default::default() };
        customers::create(&db, &owner, &existing).await.unwrap();
        backup::backup(&db, &owner, &dir.path().join("monday.sqlite")).await.unwrap();
        db.close().await;
    }
    let good = dir.path().join("new-customers.csv");
    std::fs::write(&good, "code,name,city\nN1,杭州茶庄,杭州\nN2,=HYPERLINK(\"x\"),上海\n").unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "code,name,birthday\nB1,坏日期,2023-02-30\n").unwrap();

    let window = Window::open(&company, dir.path()).await;
    log_in(&window).await;

    // Import: 选择文件… opens the file chooser; the chosen file is previewed, checked and imported.
    window.click("#customer-import").await;
    window.click("#import-choose").await;
    answer_file_dialog("Open File", &good).await;
    let chosen = window.script("return document.querySelector('#import-path').value;", vec![]).await;
    assert_eq!(chosen.as_str(), good.to_str(), "the dialog's path reached the page");
    window.click("#import-check").await;
    window.wait_text("#import-summary", |t| t.contains("检查通过")).await;
    window.click("#import-commit").await;
    window.wait_text("#import-summary", |t| t.contains("导入完成") && t.contains("新增 2")).await;

    // A file with a bad row: its errors saved through the save dialog.
    window.click("#import-choose").await;
    answer_file_dialog("Open File", &bad).await;
    window.click("#import-check").await;
    window.wait_text("#import-summary", |t| t.contains("有错误")).await;
    let errors = dir.path().join("errors.csv");
    window.click("#import-save-errors").await;
    answer_file_dialog("Save File", &errors).await;
    wait_for_file(&errors).await;
    window.wait_text("#toast", |t| t.contains("已保存")).await;
    assert!(std::fs::read_to_string(&errors).unwrap().contains("2023-02-30"));

    // Whose the bad rows are (the session that ran the import) is tested on the shell's state itself
    // (`state::tests`): logged out, no button saves them.
    window.click("#import-close").await;

    // Export: the customers list through the save dialog, as CSV.
    let exported = dir.path().join("customers-export.csv");
    window.click("#customer-export").await;
    answer_file_dialog("Save File", &exported).await;
    window.wait_text("#toast", |t| t.contains("已导出 3 位客户")).await;
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "the formula is quoted as text: {text}");
    let mut file = CsvSource::open(&exported, SourceOptions::default()).unwrap();
    let mut names = Vec::new();
    while let Some(row) = file.next_row().unwrap() {
        names.push(row.fields[1].clone());
    }
    names.sort();
    assert_eq!(names, ["=HYPERLINK(\"x\")", "杭州茶庄", "老客户"], "every customer, as the importer reads them");

    // Backup: the sidebar's backup button, through the save dialog, makes a whole company file.
    let copy = dir.path().join("friday-backup.sqlite");
    window.click("#backup-now").await;
    answer_file_dialog("Save File", &copy).await;
    window.wait_text("#toast", |t| t.contains("已备份到")).await;
    window.screenshot("dialogs-after-backup.png").await;

    // Restore: Monday's backup chosen in the open dialog and confirmed; logged out, then back to one customer.
    window.click("#restore-backup").await;
    answer_file_dialog("Open File", &dir.path().join("monday.sqlite")).await;
    window.click("#confirm-ok").await;
    window.find("#login-username").await;
    log_in(&window).await;
    window.wait_text("#customer-total", |t| t.contains("共 1 位")).await;
    window.close().await;

    backup::check_company_file(&copy).await.unwrap();
    let (db, _) = Db::open(&copy).await.unwrap();
    let owner = auth::login(&db, "boss", "secret-123").await.unwrap();
    let listed = customers::list(&db, &owner, &CustomerQuery::default()).await.unwrap();
    assert_eq!(listed.total, 3, "the backup holds the imported customers");
}

/// Opens the customers' import panel, chooses `sheet` through the file dialog, and checks it.
async fn check_in_a_new_import_panel(window: &Window, sheet: &Path) {
    window.click("#customer-import").await;
    window.click("#import-choose").await;
    answer_file_dialog("Open File", sheet).await;
    window.wait_present(&format!("#import-preview[data-path=\"{}\"]", sheet.display())).await;
    window.click("#import-check").await;
}

/// The sheet a clerk saves from Excel as GBK CSV: no code column, and a 来源 column two of whose values
/// the company's list of sources lacks.
#[tokio::test]
async fn unknown_sources_in_a_gbk_sheet_are_mapped_or_added_in_the_preview() {
    use suanpan::crm::contacts;
    use suanpan::crm::picklists::{self, PickList};
    let dir = tempfile::tempdir().unwrap();
    let company = dir.path().join("company.sqlite");
    {
        let (db, _) = Db::open(&company).await.unwrap();
        users::create_owner(&db, "boss", "王老板", "secret-123").await.unwrap();
        db.close().await;
    }
    let sheet = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/import/customers_gbk_sources.csv");
    let sheet = sheet.canonicalize().unwrap();

    let window = Window::open(&company, dir.path()).await;
    log_in(&window).await;
    check_in_a_new_import_panel(&window, &sheet).await;
    window.wait_present("#import-values tr[data-value='抖音'][data-outcome='added']").await;
    let listed = window.text("#import-values").await;
    assert!(listed.contains("未识别的值"), "{listed}");
    let count = |value: &str| format!("#import-values tr[data-value='{value}'] td.num");
    assert_eq!(window.text(&count("抖音")).await, "2");
    assert_eq!(window.text(&count("老客户介绍")).await, "1");

    // 老客户介绍 is the company's 转介绍; 抖音 stays 新增. The choice checks the file again.
    window.click("select.import-value[data-value='老客户介绍'] option[value='转介绍']").await;
    window.wait_present("#import-values tr[data-value='老客户介绍'][data-outcome='mapped_to']").await;
    window.wait_text("#import-summary", |t| t.contains("检查通过")).await;
    let kept = window
        .script("return document.querySelector(\"select.import-value[data-value='老客户介绍']\").value;", vec![])
        .await;
    assert_eq!(kept.as_str(), Some("转介绍"), "the redrawn table shows the choice");
    window.screenshot("import-unknown-values.png").await;

    // Saved with the profile, the choice comes back with it: the panel opened afresh knows nothing of it
    // until the profile is chosen.
    window.type_into("#import-profile-name", "门店客户表").await;
    window.click("#import-profile-save").await;
    window.wait_present("#import-profile option:nth-child(2)").await;
    window.click("#import-close").await;
    check_in_a_new_import_panel(&window, &sheet).await;
    window.wait_present("#import-values tr[data-value='老客户介绍'][data-outcome='added']").await;
    window.wait_present("#import-profile option:nth-child(2)").await;
    window.click("#import-profile option:nth-child(2)").await;
    window.click("#import-check").await;
    window.wait_present("#import-values tr[data-value='老客户介绍'][data-outcome='mapped_to']").await;
    window.wait_text("#import-summary", |t| t.contains("检查通过")).await;
    window.click("#import-commit").await;
    window.wait_text("#import-summary", |t| t.contains("导入完成") && t.contains("新增 5")).await;
    window.close().await;

    let (db, _) = Db::open(&company).await.unwrap();
    let owner = auth::login(&db, "boss", "secret-123").await.unwrap();
    let rows = customers::list(&db, &owner, &CustomerQuery::default()).await.unwrap().rows;
    let mut codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    codes.sort();
    assert_eq!(codes, ["C000001", "C000002", "C000003", "C000004", "C000005"], "numbered as the form numbers them");
    let by_name = async |name: &str| {
        let id = rows.iter().find(|r| r.name == name).unwrap().id;
        customers::get(&db, &owner, id).await.unwrap()
    };
    assert_eq!(by_name("杭州西湖茶庄").await.source.as_deref(), Some("展会"));
    assert_eq!(by_name("苏州丝绸坊").await.source.as_deref(), Some("抖音"), "added");
    let jinling = by_name("南京金陵酒家").await;
    assert_eq!(jinling.source.as_deref(), Some("转介绍"), "mapped");
    let sources: Vec<String> =
        picklists::list(&db, PickList::Source).await.unwrap().into_iter().map(|p| p.name).collect();
    assert!(sources.contains(&"抖音".to_string()) && !sources.contains(&"老客户介绍".to_string()), "{sources:?}");
    let made = contacts::list(&db, &owner, jinling.id).await.unwrap();
    assert_eq!(made.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["赵强"], "the sheet's contact was made");
    db.close().await;
}
