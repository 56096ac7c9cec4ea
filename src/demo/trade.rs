//! The demo company's trade: products, suppliers and nearly five years of purchases, orders (with
//! seasons, slow sellers, discounts and cancellations) and the calls and visits around them, written
//! through the importer (as a business moving in from spreadsheets would) so that stock, reservations
//! and moving average costs follow.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, Days, NaiveDate};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use crate::auth::Actor;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::io::import::{self, Entity, ImportOptions, ImportReport};
use crate::money::Money;
use crate::quantity::Quantity;

/// What the orders need to know of a demo customer.
pub struct DemoCustomer {
    pub code: String,
    pub owner: String,
    pub member: bool,
    pub since: NaiveDate,
}

/// What the trade part of the demo wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeSummary {
    pub products: usize,
    pub orders: usize,
    pub order_lines: usize,
    pub purchase_lines: usize,
    pub activities: usize,
}

/// (sku, name, 大分类, 小分类, unit, standard price, member price, cost, low-stock threshold, how often it sells)
type DemoProduct = (&'static str, &'static str, &'static str, &'static str, &'static str, i64, i64, i64, i64, u32);

/// Prices in yuan; a member price of 0 means none. Weights make best sellers and slow products.
const PRODUCTS: [DemoProduct; 24] = [
    // Wanted in quantity before 春节: the demo's low-stock list is not empty.
    ("T-LJ-250", "西湖龙井 250g", "茶叶", "绿茶", "盒", 168, 150, 96, 300, 30),
    ("T-LJ-500", "西湖龙井 500g 礼装", "茶叶", "绿茶", "盒", 328, 298, 190, 20, 12),
    ("T-BLC-250", "洞庭碧螺春 250g", "茶叶", "绿茶", "盒", 138, 125, 80, 30, 18),
    ("T-MF-250", "黄山毛峰 250g", "茶叶", "绿茶", "盒", 98, 0, 55, 30, 14),
    ("T-TGY-250", "安溪铁观音 250g", "茶叶", "乌龙茶", "盒", 158, 140, 88, 30, 24),
    ("T-DHP-250", "武夷大红袍 250g", "茶叶", "乌龙茶", "盒", 268, 240, 150, 15, 10),
    ("T-DHP-SAN", "大红袍（散装）", "茶叶", "乌龙茶", "斤", 420, 380, 240, 10, 6),
    ("T-QM-250", "祁门红茶 250g", "茶叶", "红茶", "盒", 128, 115, 70, 25, 16),
    ("T-DH-250", "滇红金芽 250g", "茶叶", "红茶", "盒", 118, 0, 64, 25, 12),
    ("T-PE-357", "普洱熟茶饼 357g", "茶叶", "普洱", "饼", 198, 180, 105, 20, 14),
    ("T-PE-OLD", "2008 年普洱生茶饼", "茶叶", "普洱", "饼", 1680, 1580, 980, 3, 1),
    ("W-ZSH-01", "宜兴紫砂壶 西施", "茶具", "紫砂壶", "把", 580, 520, 300, 5, 4),
    ("W-ZSH-02", "宜兴紫砂壶 石瓢（名家）", "茶具", "紫砂壶", "把", 3800, 3600, 2200, 2, 1),
    ("W-CB-6", "青花瓷茶杯 6 只装", "茶具", "瓷器", "套", 168, 150, 80, 20, 10),
    ("W-GW-01", "汝窑盖碗", "茶具", "瓷器", "个", 88, 0, 42, 30, 12),
    ("W-BL-01", "耐热玻璃公道杯", "茶具", "玻璃", "个", 45, 0, 18, 40, 9),
    ("W-CP-01", "竹制茶盘", "茶具", "茶盘", "个", 260, 238, 130, 8, 5),
    ("G-ZQ-01", "中秋茶礼盒（龙井+月饼）", "礼盒", "节日礼盒", "盒", 398, 368, 210, 50, 8),
    ("G-CJ-01", "新春茶礼盒", "礼盒", "节日礼盒", "盒", 458, 428, 240, 150, 8),
    ("G-SW-01", "商务茶礼（铁观音双罐）", "礼盒", "商务礼盒", "盒", 588, 548, 320, 20, 7),
    ("G-SW-02", "至尊茶礼（大红袍+紫砂）", "礼盒", "商务礼盒", "盒", 1880, 1780, 1100, 5, 2),
    ("F-CD-01", "桂花糕 500g", "食品", "茶点", "盒", 36, 0, 15, 60, 10),
    ("F-CD-02", "凤梨酥 12 枚", "食品", "茶点", "盒", 58, 52, 26, 60, 9),
    ("F-GZ-01", "坚果拼盘", "食品", "干果", "盒", 88, 0, 40, 0, 1),
];

const SUPPLIERS: [(&str, &str, &str, &str); 5] = [
    ("S001", "杭州龙井茶业有限公司", "0571-88886666", "杭州市西湖区龙井路1号"),
    ("S002", "安溪茶叶合作社", "0595-23456789", "福建省安溪县城厢镇"),
    ("S003", "宜兴陶都紫砂厂", "0510-87654321", "宜兴市丁蜀镇陶都路8号"),
    ("S004", "景德镇瓷业公司", "0798-8223344", "景德镇市珠山区瓷都大道"),
    ("S005", "苏州礼品食品有限公司", "0512-66778899", "苏州市吴中区木渎镇"),
];

/// The supplier of a 大分类 (and of 乌龙茶 in particular).
fn supplier_of(product: &DemoProduct) -> &'static str {
    match (product.2, product.3) {
        (_, "乌龙茶") => "S002",
        ("茶叶", _) => "S001",
        (_, "紫砂壶" | "茶盘") => "S003",
        ("茶具", _) => "S004",
        _ => "S005",
    }
}

/// The demo's history ends here.
pub const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 10, 31) {
    Some(day) => day,
    None => NaiveDate::MAX,
};

/// Orders per month relative to a quiet month: tea and gifts sell before 春节 and 中秋.
const SEASON: [u32; 12] = [150, 130, 80, 90, 85, 80, 75, 85, 140, 120, 95, 125];

/// Writes the trade history: products, suppliers, purchases (into stock), orders (out of it).
pub async fn generate(
    db: &Db,
    owner: &Actor,
    rng: &mut ChaCha8Rng,
    customers: &[DemoCustomer],
    dir: &Path,
) -> Result<TradeSummary> {
    let yuan = |y: i64| Money::yuan(y).to_string();

    let products: Vec<Vec<String>> = PRODUCTS
        .iter()
        .map(|p| {
            vec![
                p.0.into(),
                p.1.into(),
                p.2.into(),
                p.3.into(),
                p.4.into(),
                yuan(p.5),
                if p.6 > 0 { yuan(p.6) } else { String::new() },
                yuan(p.7),
                String::new(),
                if p.8 > 0 { p.8.to_string() } else { String::new() },
                String::new(),
            ]
        })
        .collect();
    import_rows(db, owner, dir, Entity::Products, &products, false).await?;
    let suppliers: Vec<Vec<String>> =
        SUPPLIERS.iter().map(|s| vec![s.0.into(), s.1.into(), s.2.into(), s.3.into()]).collect();
    import_rows(db, owner, dir, Entity::Suppliers, &suppliers, false).await?;

    // Orders month by month, from January 2022 to the end of October 2026, growing ~15% a year.
    let weights: Vec<u32> = PRODUCTS.iter().map(|p| p.9).collect();
    let last_day = LAST_DAY;
    let mut month = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap_or(NaiveDate::MIN);
    let mut order_rows = Vec::new();
    let mut sold: BTreeMap<(NaiveDate, usize), i64> = BTreeMap::new();
    let mut orders = 0;
    let mut activity_rows = Vec::new();
    while month <= last_day {
        let years = i64::from(month.year() - 2022);
        let per_month = customers.len() as i64 * 6 / 100 * i64::from(SEASON[month.month0() as usize]) / 100
            * (100 + 15 * years)
            / 100;
        let days = month.checked_add_months(chrono::Months::new(1)).map_or(28, |next| (next - month).num_days());
        for _ in 0..per_month.max(1) {
            let date = month + Days::new(rng.random_range(0..days as u64));
            let Some(customer) = customers.choose(rng).filter(|c| c.since <= date) else { continue };
            orders += 1;
            let order_no = format!("SO{}{orders:05}", date.format("%y%m"));
            // Most orders follow a call or a visit a few days before; some get a call after delivery.
            if rng.random_range(0..10) < 6 {
                let before = date - Days::new(rng.random_range(1..=10));
                let (kind, minutes, subject) = *[
                    ("call", 10, "电话沟通需求，报价"),
                    ("visit", 90, "上门拜访，带样品试饮"),
                    ("email", 5, "发送产品目录和报价单"),
                    ("meeting", 60, "在展厅洽谈节日采购"),
                ]
                .choose(rng)
                .unwrap_or(&("call", 10, "电话沟通需求，报价"));
                activity_rows.push(vec![
                    before.to_string(),
                    customer.code.clone(),
                    customer.owner.clone(),
                    kind.into(),
                    (minutes + rng.random_range(0..15)).to_string(),
                    subject.into(),
                    String::new(),
                ]);
            }
            if rng.random_range(0..10) < 2 {
                let after = date + Days::new(rng.random_range(7..=20));
                let follow_up = after + Days::new(rng.random_range(20..=60));
                activity_rows.push(vec![
                    after.to_string(),
                    customer.code.clone(),
                    customer.owner.clone(),
                    ["call", "service"][rng.random_range(0..2)].into(),
                    rng.random_range(5..30).to_string(),
                    "回访：确认收货和使用情况".into(),
                    follow_up.to_string(),
                ]);
            }
            let age = (last_day - date).num_days();
            let status = match (rng.random_range(0..100), age) {
                (0..4, _) => "cancelled",
                (_, 0..10) => ["draft", "confirmed"][rng.random_range(0..2)],
                _ => "delivered",
            };
            let due = date + Days::new(if rng.random_range(0..3) == 0 { 60 } else { 30 });
            for _ in 0..rng.random_range(1..=4) {
                let index = pick(rng, &weights);
                let product = &PRODUCTS[index];
                let loose = product.4 == "斤";
                let milli = if loose { rng.random_range(1..=8) * 500 } else { rng.random_range(1..=6) * 1000 };
                let mut price = Money::yuan(if customer.member && product.6 > 0 { product.6 } else { product.5 });
                if rng.random_range(0..10) == 0 {
                    // A 5% discount for a good customer, rounded to the yuan.
                    price = Money::yuan((price.minor() * 95 / 100 + 50) / 100);
                }
                if status != "cancelled" {
                    *sold
                        .entry((NaiveDate::from_ymd_opt(date.year(), date.month(), 1).unwrap_or(date), index))
                        .or_default() += milli;
                }
                order_rows.push(vec![
                    order_no.clone(),
                    date.to_string(),
                    customer.code.clone(),
                    customer.owner.clone(),
                    product.0.into(),
                    Quantity::from_milli(milli).to_string(),
                    price.to_string(),
                    String::new(),
                    due.to_string(),
                    status.into(),
                ]);
            }
        }
        month = month.checked_add_months(chrono::Months::new(1)).unwrap_or(NaiveDate::MAX);
    }

    // An opening stock of everything in December 2021 (slow sellers keep most of theirs), then buying
    // ahead at the start of each month what that month sells and a little more, at a cost that drifts
    // from month to month (so the moving average moves).
    let opening = NaiveDate::from_ymd_opt(2021, 12, 1).unwrap_or(NaiveDate::MIN);
    let mut buys: Vec<(NaiveDate, usize, i64)> =
        PRODUCTS.iter().enumerate().map(|(index, p)| (opening, index, (i64::from(p.9) * 4).max(10) * 1000)).collect();
    buys.extend(sold.iter().map(|((month, index), milli)| (*month, *index, (milli * 103 / 100 + 999) / 1000 * 1000)));
    let mut purchase_rows = Vec::new();
    for (po, (month, index, milli)) in buys.into_iter().enumerate() {
        let product = &PRODUCTS[index];
        let cost = Money::from_minor(Money::yuan(product.7).minor() * rng.random_range(95..=106) / 100);
        let date = month.pred_opt().unwrap_or(month);
        purchase_rows.push(vec![
            format!("PO{}{:05}", date.format("%y%m"), po + 1),
            date.to_string(),
            supplier_of(product).into(),
            product.0.into(),
            Quantity::from_milli(milli).to_string(),
            cost.to_string(),
            (date + Days::new(30)).to_string(),
        ]);
    }
    import_rows(db, owner, dir, Entity::Purchases, &purchase_rows, true).await?;
    import_rows(db, owner, dir, Entity::Orders, &order_rows, true).await?;
    let activities = import_rows(db, owner, dir, Entity::Activities, &activity_rows, false).await?;
    Ok(TradeSummary {
        products: PRODUCTS.len(),
        orders,
        order_lines: order_rows.len(),
        purchase_lines: purchase_rows.len(),
        activities: activities.inserted as usize,
    })
}

/// Writes `rows` as a CSV in `entity`'s import format (its own column list) and imports it; a bad row
/// is a fault of the generator, reported as such.
pub(super) async fn import_rows(
    db: &Db,
    owner: &Actor,
    dir: &Path,
    entity: Entity,
    rows: &[Vec<String>],
    moves_stock: bool,
) -> Result<ImportReport> {
    let path = dir.join(format!("{}.csv", entity.as_str()));
    let fail = |e: csv::Error| Error::Io { path: path.display().to_string(), source: std::io::Error::other(e) };
    let mut writer = csv::Writer::from_path(&path).map_err(fail)?;
    let written: Vec<&str> = entity.columns().iter().filter(|c| c.written()).map(|c| c.key).collect();
    let width = written.len();
    writer.write_record(&written).map_err(fail)?;
    for row in rows {
        // Columns the generator does not fill (a customer's main contact) are left empty.
        let empty = std::iter::repeat_n("", width.saturating_sub(row.len()));
        writer.write_record(row.iter().map(String::as_str).chain(empty)).map_err(fail)?;
    }
    writer.flush().map_err(|source| Error::Io { path: path.display().to_string(), source })?;
    let options = ImportOptions { moves_stock, ..Default::default() };
    let report = import::import_file(db, owner, entity, &path, options).await?;
    match report.errors.first() {
        // The demo's own rows are bad: a fault of the program, told in the log where it can be found.
        Some(error) => {
            tracing::error!(file = %report.file, line = error.line, column = %error.column, "demo import: {}", error.message);
            Err(Error::ImportRefused { bad_rows: report.bad_rows.len() })
        }
        None => Ok(report),
    }
}

/// An index drawn with the given weights.
pub(super) fn pick(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total);
    for (index, weight) in weights.iter().enumerate() {
        if roll < *weight {
            return index;
        }
        roll -= weight;
    }
    0
}
