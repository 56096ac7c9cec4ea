//! Generated files the benchmarks load: a million order lines and the customers and products they name.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// Order lines: ~4 lines an order, 5,000 customers, 500 products, a few years of dates.
pub fn write_orders_file(path: &Path, rows: usize) {
    write_orders_file_for(path, rows, 5_000);
}

/// Order lines as [`write_orders_file`] writes them, for `customers` customers.
pub fn write_orders_file_for(path: &Path, rows: usize, customers: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("file"));
    writeln!(out, "订单号,订单日期,客户编号,业务员,商品编号,数量,单价,成本单价,付款到期日,状态").expect("write");
    let statuses = ["已发货", "已发货", "已发货", "已确认", "草稿", "已取消"];
    let (mut written, mut order) = (0, 0usize);
    while written < rows {
        order += 1;
        let lines = 1 + (order * 7919) % 7;
        let day = order % 1_000;
        let date = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Days::new(day as u64);
        let due = date + chrono::Days::new(30);
        let customer = 1 + (order * 31) % customers;
        let status = statuses[order % statuses.len()];
        for line in 0..lines.min(rows - written) {
            let sku = 1 + (order * 13 + line * 101) % 500;
            writeln!(
                out,
                "SO{order:08},{date},C{customer:06},sales{},P{sku:04},{},{}.{:02},,{due},{status}",
                customer % 8,
                1 + line % 5,
                10 + sku,
                (order + line) % 100
            )
            .expect("write");
            written += 1;
        }
    }
}

/// The customers and products the order lines refer to.
pub fn write_reference_files(dir: &Path) -> (PathBuf, PathBuf) {
    let customers = dir.join("ref-customers.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&customers).expect("file"));
    writeln!(out, "code,name,owner").expect("write");
    for i in 1..=5_000 {
        writeln!(out, "C{i:06},客户{i}有限公司,sales{}", i % 8).expect("write");
    }
    drop(out);
    let products = dir.join("ref-products.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&products).expect("file"));
    writeln!(out, "sku,name,category,subcategory,unit,standard_price,cost_price").expect("write");
    for i in 1..=500 {
        writeln!(out, "P{i:04},商品{i},大类{},小类{},个,{}.00,{}.00", i % 10, i % 40, 10 + i, 5 + i / 2)
            .expect("write");
    }
    (customers, products)
}

/// `count` customers with a source each, owned by the eight salespeople of the order files.
pub fn write_customers_with_sources(path: &Path, count: usize) {
    let sources = ["转介绍", "网站", "展会", "电话陌拜", "老客户", "广告", "其他"];
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("file"));
    writeln!(out, "code,name,owner,source,hobbies,phone").expect("write");
    for i in 1..=count {
        let source = sources[(i * 3) % sources.len()];
        writeln!(out, "C{i:06},客户{i}有限公司,sales{},{source},茶道,1380{i:07}", i % 8).expect("write");
    }
}

/// Rows of a plain-record file (activities, expenses, service requests) for the 5,000 customers and
/// eight salespeople of [`write_reference_files`]; `bad_every` > 0 names an unknown customer on every
/// so many rows (a file the import refuses).
pub fn write_plain_file(path: &Path, entity: &str, rows: usize, bad_every: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("file"));
    let header = match entity {
        "activities" => "日期,客户编号,经办人,类型,时长,主题,下次跟进",
        "expenses" => "日期,业务员,客户编号,费用类别,金额,备注",
        _ => "日期,客户编号,类型,满意度,状态,处理结果,内容",
    };
    writeln!(out, "{header}").expect("write");
    let kinds = ["call", "visit", "email", "meeting"];
    let categories = ["差旅费", "招待费", "交通费", "通讯费", "礼品费"];
    let services = ["complaint", "consultation", "repair", "suggestion", "praise"];
    let statuses = ["open", "resolved", "closed"];
    for i in 0..rows {
        let date = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new((i % 2_000) as u64);
        let customer = if bad_every > 0 && i % bad_every == bad_every / 2 {
            "NOSUCH".to_string()
        } else {
            format!("C{:06}", 1 + (i * 31) % 5_000)
        };
        let who = format!("sales{}", i % 8);
        match entity {
            "activities" => writeln!(
                out,
                "{date},{customer},{who},{},{},第{i}次跟进：报价与交期,{}",
                kinds[i % 4],
                5 + i % 60,
                date + chrono::Days::new(7)
            ),
            "expenses" => writeln!(
                out,
                "{date},{who},{customer},{},{}.{:02},出租车 {i}",
                categories[i % 5],
                20 + i % 500,
                i % 100
            ),
            _ => writeln!(
                out,
                "{date},{customer},{},{},{},已电话回复,客户反馈第{i}号问题",
                services[i % 5],
                1 + i % 5,
                statuses[i % 3]
            ),
        }
        .expect("write");
    }
}

/// Whether row `i` of a file with a bad row every `bad_every` (0: none) is one of them.
fn bad(i: usize, bad_every: usize) -> bool {
    bad_every > 0 && i % bad_every == bad_every / 2
}

/// Customers a file of `contacts` contacts belongs to: two contacts a customer, coded as
/// [`write_customers_file`] codes them.
pub fn customers_for_contacts(contacts: usize) -> usize {
    contacts.div_ceil(2)
}

/// Customers `C0000000`… with a name, type, source, level, phone, city and the rest.
pub fn write_customers_file(path: &Path, rows: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("file"));
    writeln!(out, "客户编号,客户名称,客户类型,客户来源,客户等级,手机,城市,生日,爱好,建档日期,备注").expect("write");
    let cities = ["上海", "北京", "广州", "深圳", "杭州", "南京"];
    let trades = ["鼎盛", "华丰", "永泰", "恒通", "金源", "宏达", "瑞祥", "德隆"];
    for i in 0..rows {
        let city = cities[i % cities.len()];
        let trade = trades[(i / 7) % trades.len()];
        writeln!(
            out,
            "C{i:07},{city}{trade}贸易有限公司{i},中间客户,展会,金牌,138{:08},{city},1980-05-{:02},茶道,2023-02-03,第{i}位客户",
            i % 100_000_000,
            i % 28 + 1
        )
        .expect("write");
    }
}

/// Contacts, two for each customer of [`write_customers_file`]; a bad row names no such customer.
pub fn write_contacts_file(path: &Path, rows: usize, bad_every: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("file"));
    writeln!(out, "客户编号,联系人,职务,手机,邮箱").expect("write");
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"];
    let titles = ["采购经理", "总经理", "财务", "仓库主管"];
    for i in 0..rows {
        let customer = if bad(i, bad_every) { "NOSUCH".to_string() } else { format!("C{:07}", i / 2) };
        writeln!(
            out,
            "{customer},{}经理{i},{},139{:08},contact{i}@example.cn",
            surnames[i % surnames.len()],
            titles[i % titles.len()],
            i % 100_000_000
        )
        .expect("write");
    }
}

/// Products in ten categories of forty subcategories; a bad row has a price that is no amount.
pub fn write_products_file(path: &Path, rows: usize, bad_every: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("file"));
    writeln!(out, "商品编号,商品名称,大类,小类,单位,标准售价,会员价,成本价,库存下限,备注").expect("write");
    for i in 0..rows {
        let price = if bad(i, bad_every) { "abc".to_string() } else { format!("{}.{:02}", 10 + i % 900, i % 100) };
        writeln!(
            out,
            "Q{i:07},商品{i} 型号{},大类{},小类{},个,{price},{}.00,{}.50,{},第{i}号商品",
            i % 97,
            i % 10,
            i % 40,
            8 + i % 800,
            5 + i % 600,
            i % 50
        )
        .expect("write");
    }
}

/// Suppliers; a bad row has no name.
pub fn write_suppliers_file(path: &Path, rows: usize, bad_every: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("file"));
    writeln!(out, "供应商编号,供应商名称,电话,地址").expect("write");
    for i in 0..rows {
        let name = if bad(i, bad_every) { String::new() } else { format!("供应商{i}实业有限公司") };
        writeln!(out, "S{i:07},{name},0571-{:08},浙江省杭州市余杭区第{i}号", i % 100_000_000).expect("write");
    }
}

/// Opportunities for the 5,000 customers and eight salespeople of [`write_reference_files`], open, won
/// and lost; a bad row has an amount that is no amount.
pub fn write_opportunities_file(path: &Path, rows: usize, bad_every: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("file"));
    writeln!(out, "商机编号,客户编号,业务员,商机名称,预计金额,阶段,预计成交日期,状态,成交日期,丢单原因")
        .expect("write");
    let stages = ["初步接洽", "需求确认", "方案报价", "商务谈判"];
    for i in 0..rows {
        let date = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap() + chrono::Days::new((i % 1_500) as u64);
        let amount = if bad(i, bad_every) { "abc".to_string() } else { format!("{}.00", 1_000 + i % 90_000) };
        let (status, closed, reason) = match i % 5 {
            0 => ("won", date.to_string(), ""),
            1 => ("lost", date.to_string(), "价格"),
            _ => ("open", String::new(), ""),
        };
        writeln!(
            out,
            "OP{i:08},C{:06},sales{},第{i}号项目,{amount},{},{date},{status},{closed},{reason}",
            1 + (i * 31) % 5_000,
            i % 8,
            stages[i % stages.len()]
        )
        .expect("write");
    }
}

/// Suppliers the purchase lines of [`write_purchases_file`] name: `S0000000`… (see [`write_suppliers_file`]).
pub const PURCHASE_SUPPLIERS: usize = 200;

/// Purchase lines, four a purchase order, for [`PURCHASE_SUPPLIERS`] suppliers and the 500 products of
/// [`write_reference_files`], over four years; a bad row names no such product.
pub fn write_purchases_file(path: &Path, rows: usize, bad_every: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("file"));
    writeln!(out, "采购单号,采购日期,供应商编号,商品编号,数量,单价").expect("write");
    for i in 0..rows {
        let po = i / 4;
        let date = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap() + chrono::Days::new((po % 1_460) as u64);
        let sku = if bad(i, bad_every) { "NOSUCH".to_string() } else { format!("P{:04}", 1 + (i * 7) % 500) };
        writeln!(
            out,
            "PO{po:07},{date},S{:07},{sku},{},{}.{:02}",
            po % PURCHASE_SUPPLIERS,
            1 + i % 50,
            3 + i % 400,
            i % 100
        )
        .expect("write");
    }
}
