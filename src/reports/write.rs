//! Writing any report's table: CSV (UTF-8 with a BOM, the key columns as headers, as SPEC §4 fixes them)
//! and a plain-text table for a terminal, headed in the reader's language.

use std::io::Write;

use unicode_width::UnicodeWidthStr;

use super::table::{Cell, ColumnKind, Table};
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
