//! What every report returns: typed columns with stable keys and headings in both languages, rows, a
//! totals row, and how to chart it. Nothing here knows how it will be shown.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::money::Money;
use crate::period::Period;
use crate::quantity::Quantity;

/// What a column holds, which decides how each renderer writes it (a money column stays a number
/// until then: XLSX gets numbers, the screen grouping, CSV plain decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Text,
    /// A record's code (customer code, sku, user name): text that identifies.
    Code,
    Money,
    Quantity,
    Integer,
    /// A percentage to one decimal place; empty when it compares against zero.
    Percent,
    /// An average to one decimal place; empty when there was nothing to average.
    Decimal,
    Date,
    Period,
}

/// One column: its key (the CSV header, SPEC §4), its heading in Chinese and English, its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Column {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub kind: ColumnKind,
}

impl Column {
    pub const fn new(key: &'static str, zh: &'static str, en: &'static str, kind: ColumnKind) -> Column {
        Column { key, zh, en, kind }
    }
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Cell {
    Text(String),
    /// A word the engine names, in Chinese and English (a metric, an activity type).
    Label {
        zh: &'static str,
        en: &'static str,
    },
    Money(Money),
    Quantity(Quantity),
    Integer(i64),
    /// None: a comparison against zero, shown empty.
    Percent(Option<Decimal>),
    /// None: nothing to average, shown empty.
    Decimal(Option<Decimal>),
    Date(NaiveDate),
    Period(#[serde(serialize_with = "period_label")] Period),
    Empty,
}

fn period_label<S: serde::Serializer>(period: &Period, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(period)
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    /// The value as a person reads it in a plain file or a terminal: money with two decimals and no
    /// grouping, percentages with one decimal, empty for nothing.
    pub fn plain(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Label { zh, .. } => zh.to_string(),
            Cell::Money(money) => money.to_string(),
            Cell::Quantity(quantity) => quantity.to_string(),
            Cell::Integer(n) => n.to_string(),
            Cell::Percent(Some(value)) | Cell::Decimal(Some(value)) => format!("{value:.1}"),
            Cell::Percent(None) | Cell::Decimal(None) | Cell::Empty => String::new(),
            Cell::Date(date) => date.to_string(),
            Cell::Period(period) => period.to_string(),
        }
    }

    /// [`Cell::plain`], with labels in English when `english`.
    pub fn plain_in(&self, english: bool) -> String {
        match self {
            Cell::Label { en, .. } if english => en.to_string(),
            other => other.plain(),
        }
    }
}

/// Where a totals row says "total": its first empty cell.
pub fn total_label_at(totals: &[Cell]) -> Option<usize> {
    totals.iter().position(|c| *c == Cell::Empty)
}

/// How a report is best looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    Bar,
    /// A line per value column over the label column (a trend against its comparisons).
    Line,
    /// Shares of a whole.
    Pie,
}

/// A chart of the table: labels from one column, one series per value column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chart {
    pub kind: ChartKind,
    pub label: &'static str,
    pub values: Vec<&'static str>,
}

/// A report's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub slug: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// The sums of the rows where summing makes sense, under the same columns.
    pub totals: Option<Vec<Cell>>,
    pub chart: Option<Chart>,
}

impl Table {
    pub fn new(slug: &'static str, columns: &[Column]) -> Table {
        Table { slug, columns: columns.to_vec(), rows: Vec::new(), totals: None, chart: None }
    }

    /// The position of the column `key`, if the report has one.
    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }

    /// The cells of column `key`, row by row; none when the report has no such column.
    pub fn cells<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a Cell> + 'a {
        let at = self.column(key);
        self.rows.iter().filter_map(move |row| row.get(at?))
    }

    /// The money of column `key` in every row, summed.
    pub fn money_sum(&self, key: &str) -> Money {
        Money::from_minor(
            self.cells(key)
                .map(|cell| match cell {
                    Cell::Money(m) => m.minor(),
                    _ => 0,
                })
                .sum(),
        )
    }

    pub fn with_chart(mut self, kind: ChartKind, label: &'static str, values: &[&'static str]) -> Table {
        self.chart = Some(Chart { kind, label, values: values.to_vec() });
        self
    }
}

/// `part` as a percentage of `whole`, to one decimal, half away from zero; None against zero.
pub fn percent(part: i64, whole: i64) -> Option<Decimal> {
    if whole == 0 {
        return None;
    }
    let pct = Decimal::from(part) * Decimal::from(100) / Decimal::from(whole);
    Some(pct.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
}

/// `sum / count` to one decimal, half away from zero; None when there is nothing to average.
pub fn average(sum: i64, count: i64) -> Option<Decimal> {
    (count != 0).then(|| {
        (Decimal::from(sum) / Decimal::from(count)).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
    })
}

/// The change from `before` to `now` as a percentage of `before`; None when `before` is zero.
pub fn change_percent(now: i64, before: i64) -> Option<Decimal> {
    percent(now - before, before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_away_from_zero_and_are_empty_against_zero() {
        assert_eq!(percent(1, 8), Some(Decimal::new(125, 1)), "12.5 exactly");
        assert_eq!(percent(1, 3), Some(Decimal::new(333, 1)));
        assert_eq!(percent(1, 16), Some(Decimal::new(63, 1)), "6.25 rounds up");
        assert_eq!(percent(-1, 16), Some(Decimal::new(-63, 1)), "and away from zero below it");
        assert_eq!(change_percent(5, 0), None);
        assert_eq!(change_percent(0, 4), Some(Decimal::new(-1000, 1)));
        assert_eq!(Cell::Percent(percent(1, 3)).plain(), "33.3");
        assert_eq!(Cell::Percent(percent(2, 1)).plain(), "200.0");
    }
}
