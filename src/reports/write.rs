//! Writing any report's table: CSV (UTF-8 with a BOM, the key columns as headers, as SPEC §4 fixes them),
//! XLSX (real numbers and dates, a header block naming the report and its filters, the heading row
//! frozen) and a plain-text table for a terminal, headed in the reader's language.

use std::io::Write;
use std::path::Path;

use chrono::Datelike;

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

use unicode_width::UnicodeWidthStr;

use super::query::ReportQuery;
use super::table::{Cell, ColumnKind, Table};
use super::{CATALOG, Report};
use crate::error::{Error, Result};

/// The language headings and the totals row are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    fn total(self) -> &'static str {
        match self {
            Lang::Zh => "合计",
            Lang::En => "Total",
        }
    }

    fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// What the report was asked, as a line of the header block: "期间 2026-01-01 — 2026-03-31 · 按 quarter".
pub fn filters(query: &ReportQuery, lang: Lang) -> String {
    let day = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "…".to_string(), |d| d.to_string());
    let mut parts = vec![format!("{} {} — {}", lang.pick("期间", "Period"), day(query.from), day(query.to))];
    if let Some(by) = query.by.as_deref().filter(|b| !b.is_empty()) {
        parts.push(format!("{} {by}", lang.pick("按", "By")));
    }
    if let Some(key) = query.key() {
        parts.push(format!("{} {key}", lang.pick("对象", "Of")));
    }
    if let Some(limit) = query.limit {
        parts.push(format!("{} {limit}", lang.pick("前", "Top")));
    }
    parts.join(" · ")
}

/// The rows a worksheet holds below its header block; longer tables go on to the next sheet.
const ROWS_PER_SHEET: usize = 1_048_576 - 4;

/// The table as an XLSX workbook at `out`: the company, the report's question and its filters above the
/// headings, money and quantities as numbers with their formats, percentages as numbers to one decimal,
/// dates as dates; a table longer than a sheet goes on to the next.
pub fn xlsx(table: &Table, query: &ReportQuery, company: &str, lang: Lang, out: &Path) -> Result<()> {
    let failed =
        |e: rust_xlsxwriter::XlsxError| Error::Io { path: out.display().to_string(), source: std::io::Error::other(e) };
    let report: Option<&Report> = CATALOG.iter().find(|r| r.slug == table.slug);
    let title = report.map_or(table.slug, |r| lang.pick(r.zh, r.en));
    let bold = Format::new().set_bold();
    let heading = Format::new().set_bold().set_align(FormatAlign::Center).set_background_color("#E8EEF4");
    let formats: Vec<Format> = table
        .columns
        .iter()
        .map(|c| match c.kind {
            ColumnKind::Money => Format::new().set_num_format("#,##0.00"),
            ColumnKind::Quantity => Format::new().set_num_format("#,##0.###"),
            ColumnKind::Integer => Format::new().set_num_format("0"),
            ColumnKind::Percent | ColumnKind::Decimal => Format::new().set_num_format("0.0"),
            ColumnKind::Date => Format::new().set_num_format("yyyy-mm-dd"),
            _ => Format::new(),
        })
        .collect();
    let mut workbook = Workbook::new();
    let mut rows: Vec<(&[Cell], bool)> = table.rows.iter().map(|r| (r.as_slice(), false)).collect();
    if let Some(totals) = &table.totals {
        rows.push((totals.as_slice(), true));
    }
    let chunks: Vec<&[(&[Cell], bool)]> =
        if rows.is_empty() { vec![&rows[..]] } else { rows.chunks(ROWS_PER_SHEET).collect() };
    for (number, chunk) in chunks.into_iter().enumerate() {
        let sheet = workbook.add_worksheet();
        let name = if number == 0 { table.slug.to_string() } else { format!("{} ({})", table.slug, number + 1) };
        sheet.set_name(&name).map_err(failed)?;
        sheet.write_string_with_format(0, 0, format!("{company} · {title}"), &bold).map_err(failed)?;
        sheet.write_string(1, 0, filters(query, lang)).map_err(failed)?;
        for (column, c) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(3, column as u16, lang.pick(c.zh, c.en), &heading).map_err(failed)?;
            sheet.set_column_width(column as u16, if c.kind == ColumnKind::Text { 24 } else { 14 }).map_err(failed)?;
        }
        sheet.set_freeze_panes(4, 0).map_err(failed)?;
        for (at, (cells, total)) in chunk.iter().enumerate() {
            let row = 4 + at as u32;
            for (column, cell) in cells.iter().enumerate() {
                let format = if *total { formats[column].clone().set_bold() } else { formats[column].clone() };
                write_cell(sheet, row, column as u16, cell, lang, &format).map_err(failed)?;
            }
            if *total && let Some(first) = cells.iter().position(|c| *c == Cell::Empty) {
                sheet.write_string_with_format(row, first as u16, lang.total(), &bold).map_err(failed)?;
            }
        }
    }
    workbook.save(out).map_err(failed)
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    cell: &Cell,
    lang: Lang,
    format: &Format,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    let number = |value: rust_decimal::Decimal| value.to_string().parse::<f64>().unwrap_or_default();
    match cell {
        // Spreadsheet numbers are binary fractions: a cent amount is exact to 15 digits, far beyond any
        // company's books; the engine's arithmetic never goes through them.
        Cell::Money(money) => sheet.write_number_with_format(row, column, number(money.to_decimal()), format)?,
        Cell::Quantity(quantity) => {
            sheet.write_number_with_format(row, column, quantity.milli() as f64 / 1000.0, format)?
        }
        Cell::Integer(n) => sheet.write_number_with_format(row, column, *n as f64, format)?,
        Cell::Percent(Some(value)) | Cell::Decimal(Some(value)) => {
            sheet.write_number_with_format(row, column, number(*value), format)?
        }
        Cell::Date(date) => {
            let date =
                ExcelDateTime::from_ymd(date.year_ce().1 as u16, date.month0() as u8 + 1, date.day0() as u8 + 1)?;
            sheet.write_datetime_with_format(row, column, date, format)?
        }
        Cell::Percent(None) | Cell::Decimal(None) | Cell::Empty => sheet,
        other => sheet.write_string(row, column, other.plain_in(lang == Lang::En))?,
    };
    Ok(())
}

/// The table as CSV: a header of the columns' keys, the rows, then the totals row labelled in `lang`.
/// Money and quantities are plain decimals, so a spreadsheet reads them as numbers.
pub fn csv(table: &Table, lang: Lang, out: impl Write) -> Result<()> {
    let io = |e: csv::Error| Error::Io { path: "report".into(), source: std::io::Error::other(e) };
    let mut out = out;
    out.write_all(b"\xEF\xBB\xBF").map_err(|source| Error::Io { path: "report".into(), source })?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(table.columns.iter().map(|c| c.key)).map_err(io)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|c| c.plain_in(lang == Lang::En))).map_err(io)?;
    }
    if let Some(totals) = &table.totals {
        writer.write_record(labelled(totals, lang)).map_err(io)?;
    }
    writer.flush().map_err(|source| Error::Io { path: "report".into(), source })
}

/// The table as aligned text: headings in `lang`, numbers to the right, the totals row last.
pub fn text(table: &Table, lang: Lang) -> String {
    let heading = |c: &super::table::Column| match lang {
        Lang::Zh => c.zh,
        Lang::En => c.en,
    };
    let mut lines: Vec<Vec<String>> = vec![table.columns.iter().map(|c| heading(c).to_string()).collect()];
    lines.extend(table.rows.iter().map(|row| row.iter().map(|c| c.plain_in(lang == Lang::En)).collect()));
    if let Some(totals) = &table.totals {
        lines.push(labelled(totals, lang));
    }
    let widths: Vec<usize> =
        (0..table.columns.len()).map(|i| lines.iter().map(|l| l[i].width()).max().unwrap_or(0)).collect();
    let mut text = String::new();
    for line in &lines {
        let cells: Vec<String> = line
            .iter()
            .zip(&table.columns)
            .zip(&widths)
            .map(|((cell, column), width)| {
                let pad = " ".repeat(width - cell.width());
                if right_aligned(column.kind) { format!("{pad}{cell}") } else { format!("{cell}{pad}") }
            })
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

fn right_aligned(kind: ColumnKind) -> bool {
    matches!(
        kind,
        ColumnKind::Money | ColumnKind::Quantity | ColumnKind::Integer | ColumnKind::Percent | ColumnKind::Decimal
    )
}

/// The totals row's cells, the first empty one carrying the word for total.
fn labelled(totals: &[Cell], lang: Lang) -> Vec<String> {
    let mut cells: Vec<String> = totals.iter().map(|c| c.plain_in(lang == Lang::En)).collect();
    if let Some(first) = cells.iter_mut().find(|c| c.is_empty()) {
        *first = lang.total().to_string();
    }
    cells
}
