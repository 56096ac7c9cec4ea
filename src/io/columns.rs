//! The columns of each import format (SPEC §3) and matching a file's headers to them: English, Chinese, or a saved mapping.

use std::collections::HashMap;

use serde::Serialize;

pub use crate::error::HeaderProblem;

/// One column of an import format.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Column {
    /// The canonical English header, also the export header.
    pub key: &'static str,
    /// Chinese headers that mean the same; the first is what templates and Chinese exports use.
    pub chinese: &'static [&'static str],
    pub required: bool,
    pub kind: Kind,
}

/// What a column is to its format: part of it (SPEC §3), or only read from files as clerks have them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Part of the format: exports and templates write it.
    Canonical,
    /// Another way to give the canonical column named (a customer by its name instead of its code): a
    /// file gives either; never written.
    InsteadOf(&'static str),
    /// A figure the importer computes itself, checked when a file gives it; never stored or written.
    Checked,
}

impl Column {
    /// Whether exports and templates write this column: only the format's own columns are.
    pub fn written(&self) -> bool {
        self.kind == Kind::Canonical
    }
}

const fn col(key: &'static str, chinese: &'static [&'static str], required: bool) -> Column {
    Column { key, chinese, required, kind: Kind::Canonical }
}

const fn instead_of(key: &'static str, chinese: &'static [&'static str], canonical: &'static str) -> Column {
    Column { key, chinese, required: false, kind: Kind::InsteadOf(canonical) }
}

const fn checked(key: &'static str, chinese: &'static [&'static str]) -> Column {
    Column { key, chinese, required: false, kind: Kind::Checked }
}

pub const CUSTOMERS: &[Column] = &[
    // Optional: the commonest sheet has none, and its rows are numbered as the form numbers them.
    col("code", &["客户编号", "编号", "客户代码", "客户编码"], false),
    col("name", &["客户名称", "名称", "客户名", "客户"], true),
    col("type", &["客户类型", "类型"], false),
    col("source", &["客户来源", "来源"], false),
    col("level", &["客户等级", "等级", "级别"], false),
    // The customer's own number; with no 电话 a row's 手机 is the customer's too (the office has one number).
    col("phone", &["电话", "联系电话", "固定电话", "座机"], false),
    col("email", &["电子邮件", "邮箱", "电子邮箱"], false),
    col("address", &["地址", "联系地址"], false),
    col("city", &["城市", "所在城市"], false),
    col("birthday", &["生日", "出生日期"], false),
    col("hobbies", &["爱好", "兴趣爱好"], false),
    col("owner", &["负责销售", "负责人", "业务员", "销售员"], false),
    col("created_on", &["建档日期", "创建日期", "录入日期"], false),
    col("notes", &["备注"], false),
    col("tags", &["标签"], false),
    // The customer's main contact, made with it; with no 手机 the contact's phone is the customer's.
    col("contact_name", &["联系人", "联系人姓名"], false),
    col("contact_title", &["职务", "职位"], false),
    col("contact_phone", &["手机", "手机号", "联系人电话", "联系人手机"], false),
];

pub const CONTACTS: &[Column] = &[
    col("customer_code", &["客户编号", "客户代码", "客户编码"], true),
    col("name", &["联系人", "姓名", "联系人姓名"], true),
    col("title", &["职务", "职位"], false),
    col("phone", &["电话", "联系电话", "手机", "手机号"], false),
    col("email", &["电子邮件", "邮箱", "电子邮箱"], false),
    col("birthday", &["生日", "出生日期"], false),
    col("hobbies", &["爱好", "兴趣爱好"], false),
];

pub const PRODUCTS: &[Column] = &[
    col("sku", &["商品编号", "商品编码", "货号", "产品编号", "产品编码", "编码"], true),
    col("name", &["商品名称", "产品名称", "品名", "名称"], true),
    col("category", &["大分类", "大类", "类别", "分类", "商品类别"], false),
    col("subcategory", &["小分类", "小类", "子分类", "细类"], false),
    col("unit", &["单位", "计量单位"], false),
    col("standard_price", &["标准价", "标准售价", "售价", "零售价", "销售价"], false),
    col("member_price", &["会员价"], false),
    col("cost_price", &["成本价", "进价", "进货价"], false),
    col("markup", &["加成率", "加价率", "成本加成"], false),
    col("low_stock", &["库存下限", "最低库存", "安全库存"], false),
    col("notes", &["备注"], false),
];

pub const SUPPLIERS: &[Column] = &[
    col("code", &["供应商编号", "供应商编码", "供应商代码", "编号"], true),
    col("name", &["供应商名称", "供应商", "名称"], true),
    col("phone", &["电话", "联系电话", "手机"], false),
    col("address", &["地址", "联系地址"], false),
];

pub const ORDERS: &[Column] = &[
    col("order_no", &["订单号", "订单编号", "单号", "销售单号"], true),
    col("order_date", &["订单日期", "下单日期", "销售日期", "日期"], true),
    col("customer_code", &["客户编号", "客户代码", "客户编码"], true),
    col("salesperson", &["业务员", "销售员", "销售人员", "负责销售"], false),
    col("sku", &["商品编号", "商品编码", "货号", "产品编号"], true),
    col("quantity", &["数量", "销售数量"], true),
    col("unit_price", &["单价", "销售单价", "售价"], true),
    col("unit_cost", &["成本单价", "单位成本", "成本价"], false),
    col("due_date", &["付款到期日", "到期日", "收款日期", "账期"], false),
    col("status", &["状态", "订单状态"], false),
    // As the bookkeeping tools Chinese offices use export sales: customers and goods by name, with the
    // line's amount.
    instead_of("customer_name", &["客户名称", "客户名", "客户"], "customer_code"),
    instead_of("product_name", &["商品名称", "产品名称", "品名"], "sku"),
    checked("amount", &["金额", "销售金额"]),
];

pub const PURCHASES: &[Column] = &[
    col("po_no", &["采购单号", "采购单编号", "单号"], true),
    col("date", &["采购日期", "日期"], true),
    col("supplier_code", &["供应商编号", "供应商编码", "供应商代码"], true),
    col("sku", &["商品编号", "商品编码", "货号", "产品编号"], true),
    col("quantity", &["数量", "采购数量"], true),
    col("unit_cost", &["单价", "进价", "采购单价", "成本单价"], true),
    col("due_date", &["付款到期日", "到期日", "账期"], false),
];

pub const ACTIVITIES: &[Column] = &[
    col("date", &["日期", "活动日期", "时间"], true),
    col("customer_code", &["客户编号", "客户代码", "客户编码"], true),
    col("operator", &["操作者", "记录人", "业务员", "负责人"], false),
    col("type", &["类型", "活动类型", "方式"], false),
    col("minutes", &["分钟", "用时", "时长", "用时（分钟）"], false),
    col("subject", &["主题", "内容", "摘要", "事项"], false),
    col("next_follow_up", &["下次跟进", "下次跟进日期", "跟进日期"], false),
];

pub const OPPORTUNITIES: &[Column] = &[
    col("code", &["商机编号", "商机编码", "编号"], true),
    col("customer_code", &["客户编号", "客户代码", "客户编码"], true),
    col("salesperson", &["业务员", "销售员", "销售人员", "负责销售"], false),
    col("name", &["商机名称", "项目名称", "名称"], true),
    col("amount", &["金额", "预计金额", "商机金额"], true),
    col("stage", &["阶段", "销售阶段", "商机阶段"], false),
    col("probability", &["概率", "成交概率", "赢率"], false),
    col("expected_close", &["预计成交日期", "预计签约日期", "预计成交"], false),
    col("status", &["状态", "商机状态"], false),
    col("closed_on", &["结束日期", "关闭日期", "成交日期"], false),
    col("lost_reason", &["丢单原因", "失败原因"], false),
    col("notes", &["备注"], false),
];

pub const EXPENSES: &[Column] = &[
    col("date", &["日期", "费用日期", "发生日期"], true),
    col("salesperson", &["业务员", "销售员", "报销人", "经办人"], false),
    col("customer_code", &["客户编号", "客户代码", "客户编码"], false),
    col("category", &["费用类别", "类别", "费用类型"], true),
    col("amount", &["金额", "费用金额"], true),
    col("note", &["备注", "说明", "摘要"], false),
];

pub const SERVICE: &[Column] = &[
    col("date", &["日期", "反馈日期", "服务日期"], true),
    col("customer_code", &["客户编号", "客户代码", "客户编码"], true),
    col("type", &["类型", "服务类型", "反馈类型"], true),
    col("satisfaction", &["满意度", "满意度评分", "评分"], false),
    col("status", &["状态", "处理状态"], false),
    col("resolution", &["处理结果", "解决方案", "处理意见"], false),
    col("content", &["内容", "反馈内容", "问题描述"], false),
];

/// Where each column of a format sits in the file (None: the file has no such column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    pub positions: Vec<Option<usize>>,
    /// File headers that matched no column: ignored, and the import says so.
    pub ignored: Vec<String>,
}

fn fold(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The column a header or key names, as [`map_headers`] would match it (`来源` is `source`).
pub fn find<'c>(columns: &'c [Column], name: &str) -> Option<&'c Column> {
    let folded = fold(name);
    columns.iter().find(|c| c.key == folded || c.chinese.iter().any(|z| fold(z) == folded))
}

/// Matches headers to columns. `manual` maps a file header to a column key and wins over
/// the built-in names.
pub fn map_headers(
    columns: &[Column],
    headers: &[String],
    manual: &HashMap<String, String>,
) -> Result<ColumnMap, Vec<HeaderProblem>> {
    let mut positions = vec![None; columns.len()];
    let mut ignored = Vec::new();
    let mut problems = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        let folded = fold(header);
        let chosen = manual.get(header.trim()).map(|k| fold(k)).unwrap_or(folded);
        let found = columns.iter().position(|c| c.key == chosen || c.chinese.iter().any(|z| fold(z) == chosen));
        match found {
            Some(column) if positions[column].is_some() => problems.push(HeaderProblem::Twice(columns[column].key)),
            Some(column) => positions[column] = Some(index),
            None if header.trim().is_empty() => {}
            None => ignored.push(header.clone()),
        }
    }
    let given = |key: &'static str| {
        columns.iter().zip(&positions).any(|(c, p)| p.is_some() && (c.key == key || c.kind == Kind::InsteadOf(key)))
    };
    for column in columns {
        if column.required && !given(column.key) {
            problems.push(HeaderProblem::Missing(column.key));
        }
    }
    if problems.is_empty() { Ok(ColumnMap { positions, ignored }) } else { Err(problems) }
}

/// A data row seen through the column map: fields by column key.
pub struct RowFields<'a> {
    pub columns: &'a [Column],
    pub map: &'a ColumnMap,
    pub fields: &'a [String],
    /// What a column reads as instead of the file's field (a value the person mapped to a list's entry);
    /// usually empty.
    pub overrides: &'a [(&'static str, String)],
}

impl RowFields<'_> {
    /// The field of column `key`, or "" when the file has no such column or the row is short.
    pub fn get(&self, key: &str) -> &str {
        if let Some((_, value)) = self.overrides.iter().find(|(k, _)| *k == key) {
            return value;
        }
        self.columns
            .iter()
            .position(|c| c.key == key)
            .and_then(|i| self.map.positions[i])
            .and_then(|p| self.fields.get(p))
            .map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn english_chinese_and_manual_headers() {
        let map = map_headers(CUSTOMERS, &headers(&["客户编号", " Name ", "手机", "微信"]), &HashMap::new()).unwrap();
        assert_eq!(map.positions[0], Some(0));
        assert_eq!(map.positions[1], Some(1));
        assert_eq!(map.positions[17], Some(2));
        assert_eq!(map.ignored, ["微信"]);

        let manual = HashMap::from([("微信".to_string(), "notes".to_string())]);
        let map = map_headers(CUSTOMERS, &headers(&["*编号", "客户", "微信"]), &manual).unwrap();
        assert_eq!(map.positions[13], Some(2));
        assert!(map.ignored.is_empty());
    }

    #[test]
    fn missing_and_doubled_columns_are_reported() {
        let problems = map_headers(CUSTOMERS, &headers(&["名称", "客户名称"]), &HashMap::new()).unwrap_err();
        assert!(problems.contains(&HeaderProblem::Twice("name")));
        assert!(!problems.contains(&HeaderProblem::Missing("code")));
    }

    #[test]
    fn a_name_column_stands_in_for_its_code_column_and_is_never_written() {
        let sales = headers(&["日期", "单号", "客户名称", "商品名称", "数量", "单价", "金额", "业务员"]);
        let map = map_headers(ORDERS, &sales, &HashMap::new()).unwrap();
        assert!(map.ignored.is_empty(), "{:?}", map.ignored);
        let problems = map_headers(ORDERS, &headers(&["日期", "单号", "商品名称", "数量", "单价"]), &HashMap::new());
        assert_eq!(problems.unwrap_err(), [HeaderProblem::Missing("customer_code")]);
        let written: Vec<_> = ORDERS.iter().filter(|c| c.written()).map(|c| c.key).collect();
        assert!(!written.contains(&"customer_name") && !written.contains(&"amount"), "{written:?}");
    }
}
