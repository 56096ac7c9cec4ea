//! The `suanpan` command line, run as a user runs it: exit codes, one-line errors, the demo.

use std::path::Path;
use std::process::{Command, Output};

fn suanpan(db: &Path, user: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_suanpan"));
    command.arg("--db").arg(db).args(args).env("SUANPAN_PASSWORD", "secret-123").env_remove("SUANPAN_USER");
    if let Some(user) = user {
        command.args(["--user", user]);
    }
    command.output().expect("the suanpan binary runs")
}

/// Runs the command line as the owner `boss` and returns what it printed; any failure fails the test.
fn as_boss(db: &Path, args: &[&str]) -> String {
    let output = suanpan(db, Some("boss"), args);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    stdout(&output)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn init_add_list_show() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("company.sqlite");
    let init = suanpan(&db, None, &["init", "--owner", "boss", "--display-name", "王老板"]);
    assert!(init.status.success(), "{}", stderr(&init));
    let again = suanpan(&db, None, &["init", "--owner", "other"]);
    assert_eq!(again.status.code(), Some(1), "one owner per company file");

    let add = suanpan(
        &db,
        Some("boss"),
        &["customers", "add", "--name", "上海鼎盛", "--type", "中间客户", "--phone", "13800138000", "--city", "上海"],
    );
    assert!(add.status.success(), "{}", stderr(&add));
    assert_eq!(stdout(&add).trim(), "added C000001 上海鼎盛");

    let list = suanpan(&db, Some("boss"), &["customers", "list", "--search", "shds", "--format", "csv"]);
    assert!(list.status.success(), "{}", stderr(&list));
    let lines: Vec<String> = stdout(&list).lines().map(String::from).collect();
    assert_eq!(lines[0], "code,name,type,source,level,phone,city,owner,created_on,tags");
    assert!(lines[1].starts_with("C000001,上海鼎盛,channel,,,13800138000,上海"), "{}", lines[1]);
    assert_eq!(lines.len(), 2);

    let show = suanpan(&db, Some("boss"), &["customers", "show", "C000001"]);
    assert!(stdout(&show).contains("上海鼎盛"), "{}", stdout(&show));
}

#[test]
fn bad_input_exits_1_with_one_line_naming_the_fields() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("company.sqlite");
    assert!(suanpan(&db, None, &["init", "--owner", "boss"]).status.success());

    let bad = suanpan(
        &db,
        Some("boss"),
        &["customers", "add", "--name", "某公司", "--birthday", "2023-02-30", "--phone", "abc"],
    );
    assert_eq!(bad.status.code(), Some(1));
    let message = stderr(&bad);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("birthday: '2023-02-30' is not a date"), "{message}");
    assert!(message.contains("phone: 'abc' is not a phone number"), "{message}");
    assert!(!message.contains("panicked"));

    let wrong_password = Command::new(env!("CARGO_BIN_EXE_suanpan"))
        .arg("--db")
        .arg(&db)
        .args(["--user", "boss", "customers", "list"])
        .env("SUANPAN_PASSWORD", "wrong-one")
        .output()
        .unwrap();
    assert_eq!(wrong_password.status.code(), Some(1));
    assert_eq!(stderr(&wrong_password).trim(), "error: wrong user name or password");

    let garbage = dir.path().join("notes.txt");
    std::fs::write(&garbage, "not a database at all, just some words long enough to fill a header").unwrap();
    let refused = suanpan(&garbage, Some("boss"), &["customers", "list"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("not a Suanpan company file"), "{}", stderr(&refused));
}

#[test]
fn demo_company_and_scopes_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let demo = suanpan(&db, None, &["demo", "--scale", "1"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    assert!(stdout(&demo).contains("1000 customers"), "{}", stdout(&demo));

    let run_as = |user: &str| count_as(&db, user, "customers");
    let everyone = run_as("boss");
    let mine = run_as("zhangwei");
    assert_eq!(everyone, 1000);
    assert!(mine > 0 && mine < everyone, "a salesperson sees only their own: {mine} of {everyone}");
    // Its trade: thousands of orders, a salesperson's share of them, something low on stock.
    let orders = count_as(&db, "boss", "orders");
    let his = count_as(&db, "zhangwei", "orders");
    assert!(orders > 2_000 && his > 0 && his < orders / 3, "{his} of {orders}");
    let low = Command::new(env!("CARGO_BIN_EXE_suanpan"))
        .arg("--db")
        .arg(&db)
        .args(["--user", "boss", "stock", "low"])
        .env("SUANPAN_PASSWORD", suanpan::demo::PASSWORD)
        .output()
        .unwrap();
    assert!(stdout(&low).contains("新春茶礼盒"), "{}", stdout(&low));
    // Its pipeline and after-sales: deals for every salesperson, expenses and service requests.
    let deals = count_as(&db, "boss", "opportunities");
    let his_deals = count_as(&db, "zhangwei", "opportunities");
    assert!(deals > 300 && his_deals > 0 && his_deals < deals / 3, "{his_deals} of {deals}");
    assert!(count_as(&db, "boss", "expenses") > 1_000);
    assert!(count_as(&db, "boss", "service") > 100);
    let again = suanpan(&db, None, &["demo"]);
    assert_eq!(again.status.code(), Some(1), "the demo needs an empty file");
}

/// How many records of a list (`customers`, `orders`) a user sees, from the list's last line.
fn count_as(db: &Path, user: &str, list: &str) -> u32 {
    let output = Command::new(env!("CARGO_BIN_EXE_suanpan"))
        .arg("--db")
        .arg(db)
        .args(["--user", user, list, "list", "--limit", "1"])
        .env("SUANPAN_PASSWORD", suanpan::demo::PASSWORD)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let last = stdout(&output).lines().last().unwrap_or_default().to_string();
    last.split(" of ").nth(1).and_then(|rest| rest.split(' ').next()).and_then(|n| n.parse::<u32>().ok()).unwrap()
}

#[test]
fn import_export_backup_and_restore_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("company.sqlite");
    assert!(suanpan(&db, None, &["init", "--owner", "boss"]).status.success());
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");

    let gbk = fixtures.join("customers_gbk.csv");
    let imported = suanpan(&db, Some("boss"), &["import", "customers", gbk.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(stderr(&imported).contains("encoding GB18030"), "{}", stderr(&imported));
    assert!(stdout(&imported).contains("3 inserted"), "{}", stdout(&imported));

    let bad = fixtures.join("customers_bad.csv");
    let errors = dir.path().join("errors.csv");
    let refused = suanpan(
        &db,
        Some("boss"),
        &["import", "customers", bad.to_str().unwrap(), "--errors", errors.to_str().unwrap()],
    );
    assert_eq!(refused.status.code(), Some(1));
    let report = stderr(&refused);
    assert!(report.contains("line 3, birthday: '2023-02-30' is not a date"), "{report}");
    assert!(report.contains("line 7"), "every bad line is listed: {report}");
    assert!(report.trim_end().ends_with("5 rows are bad; nothing was imported"), "{report}");
    assert!(std::fs::read_to_string(&errors).unwrap().contains("坏日期"));

    let exported = dir.path().join("customers.csv");
    let export = suanpan(&db, Some("boss"), &["export", "customers", "--out", exported.to_str().unwrap()]);
    assert!(export.status.success(), "{}", stderr(&export));
    assert!(std::fs::read(&exported).unwrap().starts_with(b"\xEF\xBB\xBFcode,name,type"));

    let odd = fixtures.join("customers_odd_headers.csv");
    let saved = suanpan(
        &db,
        Some("boss"),
        &[
            "import",
            "customers",
            odd.to_str().unwrap(),
            "--map",
            "微信号=notes",
            "--save-profile",
            "微信表",
            "--dry-run",
        ],
    );
    assert!(saved.status.success(), "{}", stderr(&saved));
    assert!(!stderr(&saved).contains("ignored column"), "{}", stderr(&saved));
    let reused =
        suanpan(&db, Some("boss"), &["import", "customers", odd.to_str().unwrap(), "--profile", "微信表", "--dry-run"]);
    assert!(reused.status.success() && !stderr(&reused).contains("ignored column"), "{}", stderr(&reused));

    let list = suanpan(&db, Some("boss"), &["imports", "list"]);
    assert!(stdout(&list).contains("customers_gbk.csv"), "{}", stdout(&list));
    let undo = suanpan(&db, Some("boss"), &["imports", "undo", "1"]);
    assert!(undo.status.success(), "{}", stderr(&undo));

    let copy = dir.path().join("backup.sqlite");
    let backup = suanpan(&db, Some("boss"), &["backup", copy.to_str().unwrap()]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    let again = suanpan(&db, Some("boss"), &["import", "customers", gbk.to_str().unwrap()]);
    assert!(again.status.success());
    let restore = suanpan(&db, Some("boss"), &["restore", copy.to_str().unwrap()]);
    assert!(restore.status.success(), "{}", stderr(&restore));
    assert!(stdout(&restore).contains("replaced file is kept"), "{}", stdout(&restore));
    let list = suanpan(&db, Some("boss"), &["customers", "list"]);
    assert!(stdout(&list).contains("0 of 0 customers"), "the backup was taken after the undo: {}", stdout(&list));

    let not_a_backup = dir.path().join("notes.txt");
    std::fs::write(&not_a_backup, "hello").unwrap();
    let refused = suanpan(&db, Some("boss"), &["restore", not_a_backup.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
}

#[test]
fn buy_sell_and_watch_the_stock_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("company.sqlite");
    assert!(suanpan(&db, None, &["init", "--owner", "boss"]).status.success());
    let run = |args: &[&str]| as_boss(&db, args);
    run(&["customers", "add", "--code", "C1", "--name", "上海鼎盛"]);
    let added = run(&[
        "products",
        "add",
        "--sku",
        "P1",
        "--name",
        "西湖龙井",
        "--category",
        "茶叶",
        "--cost",
        "80",
        "--markup",
        "25",
    ]);
    assert_eq!(added.trim(), "added P1 西湖龙井 at 100.00");
    run(&["suppliers", "add", "--code", "S1", "--name", "杭州茶厂"]);
    let purchase = run(&["purchases", "add", "--supplier", "S1", "--line", "P1=10@80"]);
    assert!(purchase.contains("PO000001"), "{purchase}");
    run(&["purchases", "receive", "PO000001"]);

    let order = run(&["orders", "add", "--customer", "C1", "--line", "P1=3", "--line", "P1=0.5@90"]);
    assert!(order.contains("SO000001") && order.contains("total 345.00"), "{order}");
    run(&["orders", "confirm", "SO000001"]);
    let short = suanpan(&db, Some("boss"), &["orders", "add", "--customer", "C1", "--line", "P1=7"]);
    assert!(short.status.success());
    let refused = suanpan(&db, Some("boss"), &["orders", "confirm", "SO000002"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("not enough P1"), "{}", stderr(&refused));
    run(&["orders", "deliver", "SO000001"]);

    let levels = run(&["stock", "levels"]);
    assert!(
        levels.lines().nth(1).is_some_and(|l| l.split_whitespace().collect::<Vec<_>>()[3..] == ["6.5", "0", "6.5"]),
        "{levels}"
    );
    let adjusted = run(&["stock", "adjust", "--sku", "P1", "--quantity", "-0.5", "--reason", "破损"]);
    assert!(adjusted.contains("-0.5"), "{adjusted}");
    let valuation = run(&["stock", "valuation"]);
    assert!(valuation.contains("total 480.00"), "{valuation}");
    let list = run(&["orders", "list", "--status", "delivered"]);
    assert!(list.contains("1 of 1 orders"), "{list}");
}

#[test]
fn activities_and_the_timeline_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("company.sqlite");
    assert!(suanpan(&db, None, &["init", "--owner", "boss"]).status.success());
    assert!(suanpan(&db, Some("boss"), &["customers", "add", "--code", "C1", "--name", "上海鼎盛"]).status.success());
    let added = suanpan(
        &db,
        Some("boss"),
        &[
            "activities",
            "add",
            "--customer",
            "C1",
            "--type",
            "拜访",
            "--minutes",
            "45",
            "--subject",
            "送样品",
            "--date",
            "2024-05-06",
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let bad = suanpan(&db, Some("boss"), &["activities", "add", "--customer", "C1", "--type", "飞鸽传书"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("type"), "{}", stderr(&bad));
    let timeline = suanpan(&db, Some("boss"), &["activities", "timeline", "C1"]);
    let text = stdout(&timeline);
    assert!(
        text.contains("2024-05-06") && text.contains("visit") && text.contains("送样品") && text.contains("45"),
        "{text}"
    );
    assert!(text.contains("1 of 1 events"), "{text}");

    // The summary says why rows were skipped.
    let file = dir.path().join("activities.csv");
    std::fs::write(&file, "date,customer_code,type,subject\n2024-05-07,C1,call,回访\n2024-05-07,C1,call,回访\n")
        .unwrap();
    let first = suanpan(&db, Some("boss"), &["import", "activities", file.to_str().unwrap()]);
    assert!(stdout(&first).contains("2 inserted, 0 updated, 0 skipped\n"), "{}", stdout(&first));
    let again = suanpan(&db, Some("boss"), &["import", "activities", file.to_str().unwrap()]);
    assert!(
        stdout(&again).contains("0 inserted, 0 updated, 2 skipped (2 already imported by an earlier import)"),
        "{}",
        stdout(&again)
    );
}

#[test]
fn a_deal_from_lead_to_order_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("company.sqlite");
    assert!(suanpan(&db, None, &["init", "--owner", "boss"]).status.success());
    let run = |args: &[&str]| as_boss(&db, args);
    run(&["products", "add", "--sku", "P1", "--name", "新春茶礼盒", "--price", "458"]);
    run(&["leads", "add", "--name", "陈经理", "--company", "杭州茗香茶庄", "--phone", "13905710001"]);
    let converted = run(&["leads", "convert", "1", "--opportunity", "首批进货", "--amount", "9160"]);
    assert!(converted.contains("customer C000001, opportunity OP000001"), "{converted}");
    let moved = run(&["opportunities", "move", "OP000001", "--stage", "Negotiation"]);
    assert!(moved.contains("商务谈判") && moved.contains("70%"), "{moved}");
    let forecast = run(&["opportunities", "forecast", "--months", "3"]);
    assert!(forecast.contains("forecast 6,412.00"), "9,160.00 × 70 %: {forecast}");

    let quote = run(&["quotes", "add", "--opportunity", "OP000001", "--line", "P1=20"]);
    assert!(quote.contains("QT000001") && quote.contains("9,160.00"), "{quote}");
    let accepted = run(&["quotes", "accept", "QT000001"]);
    assert!(accepted.contains("draft order SO000001"), "{accepted}");
    let won = run(&["opportunities", "list", "--status", "won"]);
    assert!(won.contains("OP000001") && won.contains("1 of 1"), "{won}");

    run(&["opportunities", "add", "--customer", "C000001", "--name", "中秋团购", "--amount", "3000"]);
    let lost = run(&["opportunities", "lose", "OP000002", "--reason", "价格太高"]);
    assert!(lost.contains("lost") && lost.contains("价格太高"), "{lost}");
    let no_reason = suanpan(&db, Some("boss"), &["opportunities", "lose", "OP000002", "--reason", "天气"]);
    assert_eq!(no_reason.status.code(), Some(1));
    assert!(stderr(&no_reason).contains("lost_reason"), "{}", stderr(&no_reason));
    let board = run(&["opportunities", "board"]);
    assert!(board.contains("丢单") && board.contains("3,000.00"), "{board}");

    run(&[
        "expenses",
        "add",
        "--category",
        "招待费",
        "--amount",
        "380",
        "--customer",
        "C000001",
        "--date",
        "2026-03-01",
    ]);
    let expenses = run(&["expenses", "list"]);
    assert!(expenses.contains("招待费") && expenses.contains("total 380.00"), "{expenses}");
    let bad = suanpan(&db, Some("boss"), &["expenses", "add", "--category", "招待费", "--amount=-1"]);
    assert_eq!(bad.status.code(), Some(1));

    run(&["service", "add", "--customer", "C000001", "--type", "投诉", "--content", "礼盒破损"]);
    let resolved = run(&["service", "resolve", "1", "--resolution", "补发", "--satisfaction", "4"]);
    assert!(resolved.contains("resolved on"), "{resolved}");
    let service = run(&["service", "list", "--status", "已解决"]);
    assert!(service.contains("complaint") && service.contains("补发") && service.contains("1 of 1"), "{service}");
    let timeline = run(&["activities", "timeline", "C000001"]);
    for kind in ["order", "opportunity", "expense", "service"] {
        assert!(timeline.contains(kind), "{kind}: {timeline}");
    }
}

#[test]
fn payment_terms_are_shown_and_set_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("company.sqlite");
    assert!(suanpan(&db, None, &["init", "--owner", "boss"]).status.success());
    let shown = suanpan(&db, Some("boss"), &["settings", "terms"]);
    assert!(stdout(&shown).contains("30 days after an order"), "{}", stdout(&shown));
    let set = suanpan(&db, Some("boss"), &["settings", "terms", "--customer-days", "45"]);
    assert!(set.status.success(), "{}", stderr(&set));
    assert!(stdout(&set).contains("45 days after an order") && stdout(&set).contains("30 days after a purchase"));
    let bad = suanpan(&db, Some("boss"), &["settings", "terms", "--supplier-days", "99999"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
}

/// The binary run with a new user's password given, as a script adding users runs it.
fn add_user(db: &Path, username: &str, role: &str) {
    let output = Command::new(env!("CARGO_BIN_EXE_suanpan"))
        .arg("--db")
        .arg(db)
        .args(["--user", "boss", "users", "add", username, "--name", username, "--role", role])
        .env("SUANPAN_PASSWORD", "secret-123")
        .env("SUANPAN_NEW_PASSWORD", "secret-123")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

/// The cells of the `stock levels` row of a product in a warehouse: on hand, reserved, available.
fn stock_in(levels: &str, sku: &str, warehouse: &str) -> Vec<String> {
    let row = levels
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|cells| cells.first() == Some(&sku) && cells.get(2) == Some(&warehouse));
    row.map(|cells| cells[3..].iter().map(|c| c.to_string()).collect()).unwrap_or_default()
}

#[test]
fn a_scripted_set_up_of_lists_warehouses_and_transfers_needs_no_sql() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("company.sqlite");
    assert!(suanpan(&db, None, &["init", "--owner", "boss"]).status.success());
    let run = |args: &[&str]| as_boss(&db, args);

    let added = run(&["lists", "add", "sources", "抖音", "--en", "Douyin"]);
    assert_eq!(added.trim(), "added 客户来源 抖音 (Douyin), active");
    let renamed = run(&["lists", "rename", "客户来源", "douyin", "--to", "抖音直播"]);
    assert_eq!(renamed.trim(), "renamed 客户来源 抖音直播 (Douyin), active");
    run(&["customers", "add", "--name", "上海鼎盛", "--source", "抖音直播"]);
    let shown = run(&["lists", "show", "sources"]);
    let row: Vec<&str> =
        shown.lines().find(|l| l.starts_with("抖音直播")).unwrap_or_default().split_whitespace().collect();
    assert_eq!(row, ["抖音直播", "Douyin", "yes", "1"], "{shown}");
    let deactivated = run(&["lists", "deactivate", "sources", "抖音直播"]);
    assert_eq!(deactivated.trim(), "deactivated 客户来源 抖音直播 (Douyin), inactive");
    run(&["lists", "add", "lost-reasons", "预算取消"]);
    assert!(run(&["lists", "show", "丢单原因"]).contains("预算取消"));

    let warehouse = run(&["warehouses", "add", "GZ", "--name", "广州仓"]);
    assert_eq!(warehouse.trim(), "added GZ 广州仓: negative stock refused, active");
    let renamed = run(&["warehouses", "rename", "gz", "--to", "广州一号仓"]);
    assert_eq!(renamed.trim(), "renamed GZ 广州一号仓: negative stock refused, active");
    run(&["warehouses", "set", "广州一号仓", "--allow-negative", "true"]);
    let warehouses = run(&["warehouses", "list"]);
    let gz: Vec<&str> =
        warehouses.lines().find(|l| l.starts_with("GZ")).unwrap_or_default().split_whitespace().collect();
    assert_eq!(gz, ["GZ", "广州一号仓", "yes", "yes"], "{warehouses}");

    run(&["products", "add", "--sku", "P1", "--name", "西湖龙井", "--cost", "80", "--price", "100"]);
    run(&["suppliers", "add", "--code", "S1", "--name", "杭州茶厂"]);
    run(&["purchases", "add", "--supplier", "S1", "--line", "P1=10@80"]);
    run(&["purchases", "receive", "PO000001"]);
    let moved = run(&[
        "stock",
        "transfer",
        "--product",
        "P1",
        "--from",
        "MAIN",
        "--to",
        "广州一号仓",
        "--quantity",
        "4",
        "--date",
        "2024-05-01",
    ]);
    assert_eq!(moved.trim(), "moved 4 of P1 from 主仓库 to 广州一号仓");
    let levels = run(&["stock", "levels"]);
    assert_eq!(stock_in(&levels, "P1", "主仓库"), ["6", "0", "6"], "{levels}");
    assert_eq!(stock_in(&levels, "P1", "广州一号仓"), ["4", "0", "4"], "{levels}");
    let moves = run(&["stock", "moves", "P1"]);
    assert_eq!(moves.lines().filter(|l| l.starts_with("2024-05-01") && l.contains("transfer")).count(), 2, "{moves}");
    let valuation = run(&["stock", "valuation"]);
    assert!(valuation.contains("total 800.00"), "a transfer keeps the value: {valuation}");

    run(&["stock", "adjust", "--sku", "P1", "--warehouse", "gz", "--quantity", "-1", "--reason", "破损"]);
    assert_eq!(stock_in(&run(&["stock", "levels"]), "P1", "广州一号仓"), ["3", "0", "3"]);
}

#[test]
fn lists_and_warehouses_refuse_what_the_engine_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("company.sqlite");
    assert!(suanpan(&db, None, &["init", "--owner", "boss"]).status.success());
    add_user(&db, "clerk", "clerk");
    add_user(&db, "sales", "salesperson");
    let refused = |user: &str, args: &[&str], why: &str| {
        let output = suanpan(&db, Some(user), args);
        assert_eq!(output.status.code(), Some(1), "{user} {args:?}: {}", stderr(&output));
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(message.contains(why), "{user} {args:?}: {message}");
    };

    refused("clerk", &["lists", "add", "sources", "抖音"], "your role may not");
    refused("sales", &["lists", "add", "levels", "VIP"], "your role may not");
    refused("sales", &["lists", "rename", "sources", "网站", "--to", "官网"], "your role may not");
    refused("sales", &["warehouses", "add", "GZ", "--name", "广州仓"], "your role may not");
    refused("boss", &["lists", "add", "stages", "初步接触"], "list: 'stages' is not one of");

    assert!(
        suanpan(&db, Some("sales"), &["customers", "add", "--name", "上海鼎盛", "--source", "网站"]).status.success()
    );
    refused("boss", &["lists", "delete", "sources", "网站"], "still used");
    let unused = suanpan(&db, Some("boss"), &["lists", "delete", "sources", "广告"]);
    assert!(unused.status.success(), "{}", stderr(&unused));
    assert!(!stdout(&suanpan(&db, Some("boss"), &["lists", "show", "sources"])).contains("广告"));

    refused("boss", &["warehouses", "set", "MAIN", "--active", "false"], "last active warehouse");
    refused(
        "boss",
        &["stock", "transfer", "--product", "P9", "--from", "MAIN", "--to", "MAIN", "--quantity", "1"],
        "P9",
    );
    assert!(suanpan(&db, Some("boss"), &["products", "add", "--sku", "P1", "--name", "龙井"]).status.success());
    refused(
        "boss",
        &["stock", "transfer", "--product", "P1", "--from", "MAIN", "--to", "MAIN", "--quantity", "1"],
        "two different warehouses",
    );
    refused(
        "boss",
        &["stock", "transfer", "--product", "P1", "--from", "MAIN", "--to", "nowhere", "--quantity", "1"],
        "nowhere",
    );
    assert!(suanpan(&db, Some("clerk"), &["warehouses", "add", "GZ", "--name", "广州仓"]).status.success());
    refused(
        "sales",
        &["stock", "transfer", "--product", "P1", "--from", "MAIN", "--to", "GZ", "--quantity", "1"],
        "your role may not",
    );
    refused(
        "clerk",
        &["stock", "transfer", "--product", "P1", "--from", "MAIN", "--to", "GZ", "--quantity", "1"],
        "not enough P1",
    );
}

#[test]
fn unknown_list_values_are_added_with_a_notice_or_mapped_with_map_value() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("company.sqlite");
    assert!(suanpan(&db, None, &["init", "--owner", "boss"]).status.success());
    let file = dir.path().join("customers.csv");
    std::fs::write(
        &file,
        "客户名称,联系电话,来源\n甲,13800000001,抖音\n乙,13800000002,抖音\n丙,13800000003,老客户介绍\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();

    let checked = suanpan(&db, Some("boss"), &["import", "customers", file, "--dry-run"]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    let said = stderr(&checked);
    assert!(said.contains("source '抖音': 2 rows, added to its list"), "{said}");
    assert!(said.contains("added '老客户介绍' to the list of source"), "{said}");

    let mapped = suanpan(
        &db,
        Some("boss"),
        &["import", "customers", file, "--map-value", "来源:抖音=展会", "--map-value", "source:老客户介绍=Referral"],
    );
    assert!(mapped.status.success(), "{}", stderr(&mapped));
    let said = stderr(&mapped);
    assert!(said.contains("source '抖音': 2 rows, read as '展会'"), "{said}");
    assert!(!said.contains("added"), "nothing is added: {said}");
    let list = as_boss(&db, &["customers", "list", "--format", "csv"]);
    assert!(list.lines().any(|l| l.contains(",甲,") && l.contains(",展会,")), "{list}");
    assert!(list.lines().any(|l| l.contains(",丙,") && l.contains(",转介绍,")), "{list}");
    let sources = as_boss(&db, &["lists", "show", "sources"]);
    assert!(!sources.contains("抖音"), "{sources}");

    // Saved with the profile, the value map comes back with it.
    let saved = suanpan(
        &db,
        Some("boss"),
        &["import", "customers", file, "--dry-run", "--map-value", "来源:抖音=网站", "--save-profile", "抖音表"],
    );
    assert!(saved.status.success(), "{}", stderr(&saved));
    let reused = suanpan(&db, Some("boss"), &["import", "customers", file, "--dry-run", "--profile", "抖音表"]);
    assert!(stderr(&reused).contains("source '抖音': 2 rows, read as '网站'"), "{}", stderr(&reused));

    for bad in ["来源=展会", "来源:抖音", "电话:1=2"] {
        let refused = suanpan(&db, Some("boss"), &["import", "customers", file, "--dry-run", "--map-value", bad]);
        assert_eq!(refused.status.code(), Some(1), "{bad}");
        let said = stderr(&refused);
        assert!(said.contains("map_value") && said.contains(bad.split([':', '=']).next().unwrap()), "{bad}: {said}");
        assert_eq!(said.trim().lines().count(), 1, "one line: {said}");
    }
    let unknown =
        suanpan(&db, Some("boss"), &["import", "customers", file, "--dry-run", "--map-value", "来源:抖音=火星"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("火星"), "{}", stderr(&unknown));
}

/// Issue 12: `report --list`, a report as a terminal table and as CSV with the key columns first, a
/// salesperson's ranking holding only themselves, and one-line reasons naming what is accepted.
#[test]
fn reports_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    assert!(suanpan(&db, None, &["demo", "--scale", "1"]).status.success());
    let report = |user: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_suanpan"))
            .arg("--db")
            .arg(&db)
            .args(["--user", user, "report"])
            .args(args)
            .env("SUANPAN_PASSWORD", suanpan::demo::PASSWORD)
            .output()
            .unwrap()
    };
    let list = report("boss", &["--list"]);
    assert!(stdout(&list).contains("sales-trend") && stdout(&list).contains("回答的问题"), "{}", stdout(&list));

    let table = report("boss", &["sales-trend", "--by", "quarter", "--from", "2026-01-01", "--to", "2026-06-30"]);
    let text = stdout(&table);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "heading, two quarters, the total: {text}");
    assert!(lines[0].starts_with("期间") && lines[1].starts_with("2026-Q1") && lines[3].starts_with("合计"), "{text}");

    let csv = report("boss", &["sales-ranking", "--format", "csv", "--from", "2026-01-01"]);
    let csv = stdout(&csv);
    assert!(csv.starts_with("\u{feff}rank,salesperson,sales,profit,orders,customers"), "{csv}");
    let salespeople = csv.lines().count() - 2;
    assert!(salespeople >= 5, "{csv}");
    let his = report("zhangwei", &["sales-ranking", "--format", "csv", "--from", "2026-01-01"]);
    let his = stdout(&his);
    assert_eq!(his.lines().count(), 3, "the heading, himself, the total: {his}");
    assert!(his.lines().nth(1).unwrap().starts_with("1,张伟,"), "{his}");

    let xlsx = dir.path().join("sources.xlsx");
    let written = report("boss", &["customer-sources", "--format", "xlsx", "--out", xlsx.to_str().unwrap()]);
    assert!(written.status.success(), "{}", stderr(&written));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"), "an XLSX file is a zip");

    let bad = report("boss", &["sales-trend", "--by", "fortnight"]);
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(stderr(&bad).trim(), "error: by: 'fortnight' is not one of: day, week, month, quarter, year");
    let unknown = report("boss", &["sales-forecast"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("sales-trend, sales-composition"), "{}", stderr(&unknown));
    assert_eq!(stderr(&unknown).lines().count(), 1);
}
