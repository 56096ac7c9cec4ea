//! Exporting lists in the import formats (so an export imports back unchanged), within the user's scope.

use std::io::Write;
use std::path::Path;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::auth::{Actor, CUSTOMER_OWNER, Permission, SALES_OWNER, Scope};
use crate::crm::customers::push_scope;
use crate::db::{Db, with_raw};
use crate::error::{Error, Result};
use crate::io::formula;
use crate::io::import::Entity;
use crate::money::Money;
use crate::quantity::Quantity;
use rusqlite::types::ValueRef;

/// The file formats a list exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// UTF-8 with a BOM, so Excel reads Chinese right.
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" | "excel" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

/// Where exported rows go: a CSV writer or a worksheet. `numbers[i]` says that field `i` is money,
/// a quantity or a count written as a number (absent means text).
trait Sink: Send {
    fn row(
        &mut self,
        fields: &[&str],
        numbers: &[bool],
    ) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>;
}

/// Text cells are made safe from running as formulas in a spreadsheet; numbers are written as they are.
impl<W: Write + Send> Sink for csv::Writer<W> {
    fn row(
        &mut self,
        fields: &[&str],
        numbers: &[bool],
    ) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>> {
        for (index, field) in fields.iter().enumerate() {
            if numbers.get(index).copied().unwrap_or(false) {
                self.write_field(field)?;
            } else {
                self.write_field(&*formula::neutralise(field))?;
            }
        }
        Ok(self.write_record(None::<&[u8]>)?)
    }
}

/// A worksheet written row after row (constant memory: rows go to a temporary file, not RAM).
struct Sheet<'a> {
    sheet: &'a mut rust_xlsxwriter::Worksheet,
    next_row: u32,
}

/// Every cell is a string cell, which a spreadsheet never runs as a formula.
impl Sink for Sheet<'_> {
    fn row(
        &mut self,
        fields: &[&str],
        _numbers: &[bool],
    ) -> std::result::Result<(), Box<dyn std::error::Error + Send + Sync>> {
        for (column, field) in fields.iter().enumerate() {
            if !field.is_empty() {
                self.sheet.write_string(self.next_row, column as u16, *field)?;
            }
        }
        self.next_row += 1;
        Ok(())
    }
}

/// Writes every record of `entity` the actor may see to `out`, with the canonical English headers
/// of the import format, so that the file imports back unchanged. Returns how many rows were written.
pub async fn export(db: &Db, actor: &Actor, entity: Entity, format: Format, out: &Path) -> Result<u64> {
    actor.require(match entity {
        Entity::Customers | Entity::Contacts | Entity::Activities | Entity::Service => Permission::ReadCustomers,
        Entity::Products | Entity::Suppliers | Entity::Purchases => Permission::ReadProducts,
        Entity::Orders | Entity::Opportunities | Entity::Expenses => Permission::ReadSales,
    })?;
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| Error::Io {
        path: out.display().to_string(),
        source: std::io::Error::other(e),
    };
    let header: Vec<&str> = entity.columns().iter().filter(|c| c.written()).map(|c| c.key).collect();
    let mut conn = db.pool().acquire().await?;
    match format {
        Format::Csv => {
            let io_error = |e: std::io::Error| Error::Io { path: out.display().to_string(), source: e };
            let mut file = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(out).map_err(io_error)?);
            file.write_all(b"\xEF\xBB\xBF").map_err(io_error)?;
            let mut writer = csv::Writer::from_writer(file);
            writer.row(&header, &[]).map_err(failed)?;
            let rows = write_rows(&mut conn, &mut writer, actor, entity, out).await?;
            writer.flush().map_err(io_error)?;
            Ok(rows)
        }
        Format::Xlsx => {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let rows = {
                let sheet = workbook.add_worksheet_with_constant_memory().map_err(|e| failed(e.into()))?;
                sheet.set_name(entity.as_str()).map_err(|e| failed(e.into()))?;
                let mut sink = Sheet { sheet, next_row: 0 };
                sink.row(&header, &[]).map_err(failed)?;
                write_rows(&mut conn, &mut sink, actor, entity, out).await?
            };
            workbook.save(out).map_err(|e| failed(e.into()))?;
            Ok(rows)
        }
    }
}

/// CSV export (the common case).
pub async fn export_csv(db: &Db, actor: &Actor, entity: Entity, out: &Path) -> Result<u64> {
    export(db, actor, entity, Format::Csv, out).await
}

async fn write_rows(
    conn: &mut SqliteConnection,
    sink: &mut dyn Sink,
    actor: &Actor,
    entity: Entity,
    out: &Path,
) -> Result<u64> {
    let scope = actor.scope();
    let mut chunks = Chunks { conn, sink, scope, out };
    match entity {
        Entity::Orders => write_lines(chunks.conn, chunks.sink, scope, ORDER_LINES_EXPORT, out).await,
        Entity::Purchases => write_lines(chunks.conn, chunks.sink, Scope::All, PURCHASE_LINES_EXPORT, out).await,
        Entity::Activities => write_lines(chunks.conn, chunks.sink, scope, ACTIVITIES_EXPORT, out).await,
        Entity::Opportunities => write_lines(chunks.conn, chunks.sink, scope, OPPORTUNITIES_EXPORT, out).await,
        Entity::Expenses => write_lines(chunks.conn, chunks.sink, scope, EXPENSES_EXPORT, out).await,
        Entity::Service => write_lines(chunks.conn, chunks.sink, scope, SERVICE_EXPORT, out).await,
        Entity::Customers => chunks.write_all(CUSTOMERS_EXPORT, String::new(), push_scope, &[]).await,
        Entity::Contacts => chunks.write_all(CONTACTS_EXPORT, 0_i64, push_scope, &[]).await,
        Entity::Products => chunks.write_all(PRODUCTS_EXPORT, String::new(), company_wide, PRODUCT_NUMBERS).await,
        Entity::Suppliers => chunks.write_all(SUPPLIERS_EXPORT, String::new(), company_wide, &[]).await,
    }
}

/// Products and suppliers belong to the whole company: everyone who may read them sees all.
fn company_wide(_: &mut QueryBuilder<Sqlite>, _: Scope) {}

/// Order or purchase lines, one row per line, straight from SQLite through one prepared statement
/// (a million lines in about a second): the columns are text, or money and quantities as integers
/// that are written exactly as the importer reads them. `export` names its scope's record (the alias
/// and owner column that `auth::Scope` filters on), or none for records of the whole company.
async fn write_lines(
    conn: &mut SqliteConnection,
    sink: &mut dyn Sink,
    scope: Scope,
    export: LinesExport,
    out: &Path,
) -> Result<u64> {
    let (kind, who) = scope.sql_params();
    let sql = match export.owned_by {
        Some((alias, owner_column)) => export.sql.replace("{scope}", &Scope::sql_condition(alias, owner_column)),
        None => export.sql.replace("{scope}", "?1 + ?2 >= 0"),
    };
    let fail = |e: Box<dyn std::error::Error + Send + Sync>| Error::Io {
        path: out.display().to_string(),
        source: std::io::Error::other(e),
    };
    with_raw(conn, |raw| {
        let mut statement = raw.prepare(&sql)?;
        let columns = statement.column_count();
        // Integers are money, except quantities (thousandths) and counts, percentages and scores (plain).
        let kinds: Vec<u8> = statement
            .column_names()
            .iter()
            .map(|name| match *name {
                "quantity" => b'q',
                "minutes" | "probability" | "satisfaction" => b'n',
                _ => b'm',
            })
            .collect();
        let mut rows = statement.query(rusqlite::params![kind, who])?;
        let mut texts: Vec<String> = vec![String::new(); columns];
        let mut numbers: Vec<bool> = vec![false; columns];
        let mut written = 0;
        while let Some(row) = rows.next()? {
            for (index, (text, number)) in texts.iter_mut().zip(numbers.iter_mut()).enumerate() {
                text.clear();
                let value = row.get_ref(index)?;
                *number = matches!(value, ValueRef::Integer(_));
                match (value, kinds[index]) {
                    (ValueRef::Null, _) => {}
                    (ValueRef::Integer(n), b'q') => Quantity::from_milli(n).push_to(text),
                    (ValueRef::Integer(n), b'n') => text.push_str(&n.to_string()),
                    (ValueRef::Integer(n), _) => Money::from_minor(n).push_to(text),
                    (ValueRef::Text(bytes), _) => text.push_str(&String::from_utf8_lossy(bytes)),
                    (other, _) => text.push_str(&format!("{other:?}")),
                }
            }
            let fields: Vec<&str> = texts.iter().map(String::as_str).collect();
            sink.row(&fields, &numbers).map_err(fail)?;
            written += 1;
        }
        Ok(written)
    })
    .await
}

/// A statement for `write_lines`: its SQL, with `{scope}` where the scope's condition goes, and the
/// record it filters on.
struct LinesExport {
    sql: &'static str,
    owned_by: Option<(&'static str, &'static str)>,
}

/// Order lines in the order of `columns::ORDERS`; integers are money except `quantity`.
const ORDER_LINES_EXPORT: LinesExport = LinesExport {
    owned_by: Some(("o", SALES_OWNER)),
    sql: "SELECT o.order_no, o.order_date, c.code, u.username, p.sku, l.quantity, l.unit_price,
        l.unit_cost, o.due_date, o.status
    FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN customers c ON c.id = o.customer_id
    JOIN products p ON p.id = l.product_id LEFT JOIN users u ON u.id = o.salesperson_id
    WHERE {scope}
    ORDER BY l.id",
};

/// Activities in the order of `columns::ACTIVITIES`, within the customers the user sees.
const ACTIVITIES_EXPORT: LinesExport = LinesExport {
    owned_by: Some(("c", CUSTOMER_OWNER)),
    sql: "SELECT a.activity_date, c.code, u.username, a.kind, a.minutes, a.subject, a.next_follow_up
    FROM activities a JOIN customers c ON c.id = a.customer_id LEFT JOIN users u ON u.id = a.operator_id
    WHERE {scope}
    ORDER BY a.id",
};

/// Opportunities in the order of `columns::OPPORTUNITIES`, within the user's sales scope.
const OPPORTUNITIES_EXPORT: LinesExport = LinesExport {
    owned_by: Some(("p", SALES_OWNER)),
    sql: "SELECT p.code, c.code, u.username, p.name, p.amount, s.name, p.probability,
        p.expected_close, p.status, p.closed_on, r.name, p.notes
    FROM opportunities p JOIN customers c ON c.id = p.customer_id JOIN opportunity_stages s ON s.id = p.stage_id
    LEFT JOIN users u ON u.id = p.salesperson_id LEFT JOIN lost_reasons r ON r.id = p.lost_reason_id
    WHERE {scope}
    ORDER BY p.id",
};

/// Expenses in the order of `columns::EXPENSES`, within the user's sales scope.
const EXPENSES_EXPORT: LinesExport = LinesExport {
    owned_by: Some(("e", SALES_OWNER)),
    sql: "SELECT e.expense_date, u.username, c.code, k.name, e.amount, e.note
    FROM expenses e JOIN users u ON u.id = e.salesperson_id JOIN expense_categories k ON k.id = e.category_id
    LEFT JOIN customers c ON c.id = e.customer_id
    WHERE {scope}
    ORDER BY e.id",
};

/// Service requests in the order of `columns::SERVICE`, within the customers the user sees.
const SERVICE_EXPORT: LinesExport = LinesExport {
    owned_by: Some(("c", CUSTOMER_OWNER)),
    sql: "SELECT s.request_date, c.code, s.kind, s.satisfaction, s.status, s.resolution, s.content
    FROM service_requests s JOIN customers c ON c.id = s.customer_id
    WHERE {scope}
    ORDER BY s.id",
};

/// Purchase lines in the order of `columns::PURCHASES`.
const PURCHASE_LINES_EXPORT: LinesExport = LinesExport {
    owned_by: None,
    sql: "SELECT po.po_no, po.po_date, s.code, p.sku, l.quantity, l.unit_cost, po.due_date
    FROM purchase_lines l JOIN purchase_orders po ON po.id = l.purchase_id JOIN suppliers s ON s.id = po.supplier_id
    JOIN products p ON p.id = l.product_id
    WHERE {scope}
    ORDER BY l.id",
};

const EXPORT_CHUNK: i64 = 10_000;

/// Writes rows a chunk at a time, each chunk one JSON array built by SQLite: one round trip per
/// chunk instead of one per row. Chunks follow a key (keyset paging), so the scan never restarts.
struct Chunks<'a> {
    conn: &'a mut SqliteConnection,
    sink: &'a mut dyn Sink,
    scope: Scope,
    out: &'a Path,
}

impl Chunks<'_> {
    /// `sql` selects `(json array of rows, last key)` for the rows after a bound key, within the
    /// scope pushed after it, and leaves `ORDER BY … LIMIT` to be closed by a parenthesis. `numbers`
    /// marks the columns that hold numbers (prices); the rest are text.
    async fn write_all<K>(
        &mut self,
        sql: &'static str,
        mut after: K,
        scope: fn(&mut QueryBuilder<Sqlite>, Scope),
        numbers: &[bool],
    ) -> Result<u64>
    where
        K: for<'q> sqlx::Encode<'q, Sqlite>
            + for<'r> sqlx::Decode<'r, Sqlite>
            + sqlx::Type<Sqlite>
            + Send
            + Unpin
            + Clone
            + 'static,
    {
        let fail = |e: Box<dyn std::error::Error + Send + Sync>| Error::Io {
            path: self.out.display().to_string(),
            source: std::io::Error::other(e),
        };
        let mut rows = 0;
        loop {
            let mut query = QueryBuilder::<Sqlite>::new(sql);
            query.push_bind(after.clone());
            scope(&mut query, self.scope);
            query.push(" ORDER BY 1 LIMIT ").push_bind(EXPORT_CHUNK).push(")");
            let (json, last): (Option<String>, Option<K>) = query.build_query_as().fetch_one(&mut *self.conn).await?;
            let (Some(json), Some(last)) = (json, last) else { return Ok(rows) };
            let chunk: Vec<Vec<Option<String>>> = serde_json::from_str(&json).map_err(|e| fail(e.into()))?;
            let mut fields: Vec<&str> = Vec::new();
            for record in &chunk {
                fields.clear();
                fields.extend(record.iter().map(|f| f.as_deref().unwrap_or("")));
                self.sink.row(&fields, numbers).map_err(fail)?;
            }
            rows += chunk.len() as u64;
            after = last;
        }
    }
}

/// Customers after a code, in the order of `columns::CUSTOMERS`.
const CUSTOMERS_EXPORT: &str =
    "SELECT json_group_array(json_array(code, name, kind, source, level, phone, email, address,
        city, birthday, hobbies, owner, created_on, notes, tags, contact_name, contact_title, contact_phone)
        ORDER BY code), max(code)
 FROM (SELECT c.code, c.name, c.kind, s.name AS source, l.name AS level, c.phone, c.email, c.address, c.city,
        c.birthday, c.hobbies, u.username AS owner, c.created_on, c.notes, c.tags,
        coalesce(m.name, '') AS contact_name, coalesce(m.title, '') AS contact_title,
        coalesce(m.phone, '') AS contact_phone
 FROM customers c
 LEFT JOIN contacts m ON m.id = (SELECT min(id) FROM contacts WHERE customer_id = c.id)
 LEFT JOIN customer_sources s ON s.id = c.source_id
 LEFT JOIN customer_levels l ON l.id = c.level_id
 LEFT JOIN users u ON u.id = c.owner_id
 WHERE c.code > ";

/// Contacts after an id, in the order of `columns::CONTACTS`.
const CONTACTS_EXPORT: &str = "SELECT json_group_array(json_array(customer_code, name, title, phone, email, birthday,
        hobbies) ORDER BY id), max(id)
 FROM (SELECT ct.id, c.code AS customer_code, ct.name, ct.title, ct.phone, ct.email, ct.birthday, ct.hobbies
 FROM contacts ct JOIN customers c ON c.id = ct.customer_id
 WHERE ct.id > ";

/// Which columns of [`PRODUCTS_EXPORT`] are numbers: the three prices, the markup and the low-stock level.
const PRODUCT_NUMBERS: &[bool] = &[false, false, false, false, false, true, true, true, true, true, false];

/// Products after a sku, in the order of `columns::PRODUCTS`; prices as decimal text.
const PRODUCTS_EXPORT: &str = "SELECT json_group_array(json_array(sku, name, category, subcategory, unit, standard_price,
        member_price, cost_price, markup, low_stock, notes) ORDER BY sku), max(sku)
 FROM (SELECT p.sku, p.name, coalesce(parent.name, c.name) AS category,
        CASE WHEN parent.id IS NULL THEN NULL ELSE c.name END AS subcategory, p.unit,
        printf('%d.%02d', p.standard_price / 100, p.standard_price % 100) AS standard_price,
        CASE WHEN p.member_price IS NULL THEN NULL
             ELSE printf('%d.%02d', p.member_price / 100, p.member_price % 100) END AS member_price,
        printf('%d.%02d', p.cost_price / 100, p.cost_price % 100) AS cost_price,
        CASE WHEN p.markup_bp IS NULL THEN NULL ELSE rtrim(rtrim(printf('%d.%02d', p.markup_bp / 100, p.markup_bp % 100), '0'), '.') END AS markup,
        CASE WHEN p.low_stock IS NULL THEN NULL
             ELSE rtrim(rtrim(printf('%d.%03d', p.low_stock / 1000, p.low_stock % 1000), '0'), '.') END AS low_stock,
        p.notes
 FROM products p
 LEFT JOIN product_categories c ON c.id = p.category_id
 LEFT JOIN product_categories parent ON parent.id = c.parent_id
 WHERE p.sku > ";

/// Suppliers after a code, in the order of `columns::SUPPLIERS`.
const SUPPLIERS_EXPORT: &str =
    "SELECT json_group_array(json_array(code, name, phone, address) ORDER BY code), max(code)
 FROM (SELECT code, name, phone, address FROM suppliers WHERE code > ";

/// A template for `entity`: the canonical headers and one example row, for the "download template" button.
pub fn template_csv(entity: Entity, out: &Path) -> Result<()> {
    let io_error = |e: std::io::Error| Error::Io { path: out.display().to_string(), source: e };
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut bytes);
        let csv_error = |e: csv::Error| Error::Io { path: out.display().to_string(), source: std::io::Error::other(e) };
        writer.write_record(entity.columns().iter().filter(|c| c.written()).map(|c| c.key)).map_err(csv_error)?;
        let example: &[&str] = match entity {
            Entity::Customers => &[
                "C000001",
                "上海鼎盛贸易有限公司",
                "中间客户",
                "展会",
                "金牌",
                "13800138000",
                "info@example.cn",
                "上海市人民路1号",
                "上海",
                "1980-05-06",
                "茶道",
                "",
                "2024-01-15",
                "",
                "VIP",
                "王经理",
                "采购经理",
                "13900001111",
            ],
            Entity::Contacts => {
                &["C000001", "王经理", "采购经理", "13900001111", "wang@example.cn", "1978-03-12", "钓鱼"]
            }
            Entity::Products => {
                &["P0001", "西湖龙井 250g", "茶叶", "绿茶", "盒", "168.00", "150.00", "96.00", "", "20", ""]
            }
            Entity::Suppliers => &["S001", "杭州龙井茶厂", "0571-88886666", "杭州市西湖区龙井路1号"],
            Entity::Orders => {
                &["SO000001", "2024-03-15", "C000001", "zhangwei", "P0001", "2", "168.00", "", "2024-04-14", "已发货"]
            }
            Entity::Purchases => &["PO000001", "2024-03-01", "S001", "P0001", "100", "96.00", "2024-03-31"],
            Entity::Activities => {
                &["2024-03-15", "C000001", "zhangwei", "拜访", "90", "介绍新茶，约好下周试饮", "2024-03-22"]
            }
            Entity::Opportunities => &[
                "OP000001",
                "C000001",
                "zhangwei",
                "中秋团购礼盒",
                "36000.00",
                "方案报价",
                "50",
                "2024-08-31",
                "进行中",
                "",
                "",
                "",
            ],
            Entity::Expenses => &["2024-03-15", "zhangwei", "C000001", "招待费", "380.00", "请客户试饮新茶"],
            Entity::Service => &["2024-03-20", "C000001", "投诉", "4", "已解决", "补发两盒并致歉", "礼盒有破损"],
        };
        writer.write_record(example).map_err(csv_error)?;
        writer.flush().map_err(io_error)?;
    }
    std::fs::write(out, bytes).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_text_that_would_run_but_writes_numbers_as_numbers() {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.row(&["-12.50", "-12.50", "=1+1", "2.000"], &[true, false, false, true]).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(text, "-12.50,'-12.50,'=1+1,2.000\n");
    }
}
