//! The analyses (分析报表): each report a function from a [`ReportQuery`] to a [`Table`], within the
//! actor's scope; the catalog of them; and the renderers that write any table.
//!
//! A report computes plain data and knows nothing of how it is shown: the window, CSV, XLSX, PDF and the
//! terminal each render the same table (hledger's split of reports from writers).

pub mod customers;
pub mod expenses;
pub mod people;
pub mod query;
pub mod sales;
pub mod table;
pub mod work;
pub mod write;

use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::auth::{Actor, Permission};
use crate::db::Db;
use crate::error::{Error, Reason, Result};
pub use query::ReportQuery;
pub use table::{Cell, Column, ColumnKind, Table};

/// An order counts in the analyses when it is confirmed or delivered (SPEC §4), over `orders o`.
pub(crate) const COUNTED: &str = "o.status IN ('confirmed', 'delivered')";

/// The cost of a line `l`: quantity (thousandths) × unit cost, rounded half away from zero to the cent,
/// as [`crate::quantity::Quantity::times`] rounds it (both are never negative here).
pub(crate) const LINE_COST: &str = "(l.quantity * coalesce(l.unit_cost, 0) + 500) / 1000";

/// What a report takes for `--by` and `--key`, for the catalog and the CLI's help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Options {
    /// A period only.
    Period,
    /// A granularity (default month) and, as key, a sku or a category.
    Trend,
    /// A dimension among these (the first is the default); a user name as key where `keyed`.
    Dimension { by: &'static [&'static str], keyed: bool },
    /// A ranking: a period and a limit.
    Ranking,
    /// A period and, as key, a user name (required).
    Person,
    /// A year as key.
    Year,
}

/// One report of the catalog: its slug and the question it answers, in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Report {
    pub slug: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub options: Options,
}

/// Every report there is, in the order the window lists them.
pub const CATALOG: [Report; 16] = [
    Report {
        slug: "sales-trend",
        zh: "销售额按月、季、年怎么变化？比上期、比去年同期如何？",
        en: "How do sales move by month, quarter, year, against the period before and last year?",
        options: Options::Trend,
    },
    Report {
        slug: "sales-composition",
        zh: "销售额来自哪些客户来源、商品分类、商品或客户？",
        en: "Where do sales come from: customer sources, categories, products, customers?",
        options: Options::Dimension { by: &sales::COMPOSITION_BY, keyed: false },
    },
    Report {
        slug: "profit",
        zh: "毛利和毛利率是多少？按商品、业务员、分类或客户看",
        en: "What are gross profit and margin, by product, salesperson, category or customer?",
        options: Options::Dimension { by: &sales::PROFIT_BY, keyed: true },
    },
    Report {
        slug: "sales-ranking",
        zh: "业务员销售排行（表彰榜）",
        en: "Which salespeople sold most (the commendation list)?",
        options: Options::Ranking,
    },
    Report {
        slug: "customer-value",
        zh: "哪些客户买得最多？",
        en: "Which customers bought most?",
        options: Options::Ranking,
    },
    Report {
        slug: "key-customer-gifts",
        zh: "节日送礼名单：大客户的爱好和电话",
        en: "The holiday gift list: top customers with their hobbies and phone",
        options: Options::Ranking,
    },
    Report {
        slug: "customer-sources",
        zh: "购买的客户来自哪些渠道？",
        en: "Where did the customers who bought come from?",
        options: Options::Period,
    },
    Report {
        slug: "new-customers",
        zh: "每年有多少新客户？增长多少？",
        en: "How many new customers each year, and how fast is that growing?",
        options: Options::Period,
    },
    Report {
        slug: "salesperson-performance",
        zh: "某位业务员这段时间做了多少：订单、销售、毛利、新客户、活动、费用",
        en: "What did one salesperson do: orders, sales, profit, new customers, activities, expenses?",
        options: Options::Person,
    },
    Report {
        slug: "slow-products",
        zh: "哪些商品卖得最慢？哪个客户来源买得最多？",
        en: "Which products sell least, and which customer source buys each best?",
        options: Options::Ranking,
    },
    Report {
        slug: "lost-orders",
        zh: "每年丢了多少单、多少金额？主要原因是什么？",
        en: "How many deals were lost each year, for how much, and why?",
        options: Options::Period,
    },
    Report {
        slug: "work-time",
        zh: "时间花在哪些活动上？谁花的？",
        en: "Where does the time go, by activity type and by person?",
        options: Options::Dimension { by: &work::WORK_TIME_BY, keyed: false },
    },
    Report {
        slug: "customer-contacts",
        zh: "每个客户联系了几次？最近一次是什么时候？",
        en: "How often was each customer contacted, and when last?",
        options: Options::Ranking,
    },
    Report {
        slug: "expense-composition",
        zh: "费用花在哪些业务员、客户、类别上？",
        en: "Where did the expenses go: salespeople, customers, categories?",
        options: Options::Dimension { by: &expenses::COMPOSITION_BY, keyed: false },
    },
    Report {
        slug: "expense-trend",
        zh: "一年里每个月的费用，比上月如何？",
        en: "Expenses month by month through a year, against the month before",
        options: Options::Year,
    },
    Report {
        slug: "service-feedback",
        zh: "服务请求有多少？客户满意吗？",
        en: "How many service requests, and how satisfied were the customers?",
        options: Options::Dimension { by: &work::FEEDBACK_BY, keyed: false },
    },
];

/// The report of `slug`, or an error naming the reports there are.
pub fn find(slug: &str) -> Result<&'static Report> {
    CATALOG.iter().find(|r| r.slug == slug.trim()).ok_or_else(|| {
        let known: Vec<&str> = CATALOG.iter().map(|r| r.slug).collect();
        query::not_one_of("report", slug, &known)
    })
}

/// Runs the report `slug` for the actor: what they may see of the company's sales, nothing more.
pub async fn run(db: &Db, actor: &Actor, slug: &str, query: &ReportQuery) -> Result<Table> {
    let report = find(slug)?;
    actor.require(Permission::ReadSales)?;
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        let reason = Reason::TooEarly { value: to.to_string(), earliest: from.to_string(), of: "from" };
        return Err(Error::Invalid { field: "to", reason });
    }
    let mut conn = db.pool().acquire().await?;
    let conn = &mut *conn;
    match report.slug {
        "sales-trend" => sales::trend(conn, actor, query).await,
        "sales-composition" => sales::composition(conn, actor, query).await,
        "profit" => sales::profit(conn, actor, query).await,
        "sales-ranking" => sales::ranking(conn, actor, query).await,
        "customer-value" => customers::value(conn, actor, query).await,
        "key-customer-gifts" => customers::gifts(conn, actor, query).await,
        "customer-sources" => customers::sources(conn, actor, query).await,
        "new-customers" => customers::new_customers(conn, actor, query).await,
        "salesperson-performance" => people::performance(conn, actor, query).await,
        "slow-products" => sales::slow_products(conn, actor, query).await,
        "lost-orders" => people::lost_orders(conn, actor, query).await,
        "work-time" => work::work_time(conn, actor, query).await,
        "customer-contacts" => work::customer_contacts(conn, actor, query).await,
        "expense-composition" => expenses::composition(conn, actor, query).await,
        "expense-trend" => expenses::trend(conn, actor, query, chrono::Local::now().date_naive()).await,
        _ => work::service_feedback(conn, actor, query).await,
    }
}

/// Runs the report `slug` and writes it to `out` ([`write_file`]). Returns how many rows the table holds.
pub async fn export(
    db: &Db,
    actor: &Actor,
    slug: &str,
    query: &ReportQuery,
    lang: write::Lang,
    out: &std::path::Path,
) -> Result<usize> {
    let table = run(db, actor, slug, query).await?;
    write_file(db, &table, query, lang, out)?;
    Ok(table.rows.len())
}

/// Writes a report's table to `out`: XLSX when the name ends in `.xlsx` (the company named by its
/// file), else CSV.
pub fn write_file(db: &Db, table: &Table, query: &ReportQuery, lang: write::Lang, out: &std::path::Path) -> Result<()> {
    if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        let company = db.path().file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        write::xlsx(table, query, &company, lang, out)
    } else {
        let file =
            std::fs::File::create(out).map_err(|source| Error::Io { path: out.display().to_string(), source })?;
        write::csv(table, lang, std::io::BufWriter::new(file))
    }
}

/// Appends the actor's scope over `orders o`: the one scope rule, as every list applies it.
fn push_scope(builder: &mut QueryBuilder<Sqlite>, actor: &Actor) {
    crate::sales::salesperson::push_scope(builder, "o", actor.scope());
}

/// Appends the orders that count, in the query's period and the actor's scope, after a `WHERE `.
fn push_counted_orders(builder: &mut QueryBuilder<Sqlite>, actor: &Actor, query: &ReportQuery) {
    builder.push(COUNTED);
    query.push_dates(builder, "o.order_date");
    push_scope(builder, actor);
}

/// The composition reports' table from their sums by key (`columns`: the key, the amount, its share):
/// largest first, ties by key, the first `--limit` of them, each with its share of the whole, and the
/// total of those shown with theirs.
fn shares_table(slug: &'static str, columns: &[Column; 3], mut sums: Vec<(String, i64)>, query: &ReportQuery) -> Table {
    sums.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let whole: i64 = sums.iter().map(|(_, amount)| amount).sum();
    let share = |amount: i64| Cell::Percent(table::percent(amount, whole));
    let mut table = Table::new(slug, columns).with_chart(table::ChartKind::Pie, columns[0].key, &[columns[1].key]);
    for (key, amount) in query.limited(sums) {
        table.rows.push(vec![Cell::Text(key), Cell::Money(crate::Money::from_minor(amount)), share(amount)]);
    }
    let shown = table.money_sum(columns[1].key).minor();
    table.totals = Some(vec![Cell::Empty, Cell::Money(crate::Money::from_minor(shown)), share(shown)]);
    table
}

/// The id of the user named `name` (user name or display name), or an error saying there is none.
async fn user_named(conn: &mut SqliteConnection, name: &str) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT id FROM users WHERE username = ?1 OR display_name = ?1 ORDER BY username = ?1 DESC LIMIT 1",
    )
    .bind(name)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| Error::Invalid { field: "key", reason: Reason::Unknown { value: name.into() } })
}
