//! What a report is asked: its period, granularity or dimension, what it is about, how many rows; and the
//! checks that turn loose options into what each report accepts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use crate::error::{Error, Reason, Result};
use crate::period::Granularity;

/// The options of a report as the window, the CLI and the tests give them (SPEC §5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    /// First day counted (inclusive); None: from the beginning.
    pub from: Option<NaiveDate>,
    /// Last day counted (inclusive); None: to the end.
    pub to: Option<NaiveDate>,
    /// The day receivables are reckoned on; None: today.
    pub as_of: Option<NaiveDate>,
    /// A granularity (trend reports) or a dimension (composition reports).
    pub by: Option<String>,
    /// What the report is about: a user name, a sku or a category, a year.
    pub key: Option<String>,
    /// How many rows a ranking keeps; None: all.
    pub limit: Option<usize>,
}

impl ReportQuery {
    /// Appends ` AND <column> BETWEEN from AND to` for the ends that are given.
    pub fn push_dates(&self, builder: &mut QueryBuilder<Sqlite>, column: &'static str) {
        if let Some(from) = self.from {
            builder.push(format_args!(" AND {column} >= ")).push_bind(from.to_string());
        }
        if let Some(to) = self.to {
            builder.push(format_args!(" AND {column} <= ")).push_bind(to.to_string());
        }
    }

    /// The granularity of `--by`, `default` when absent; anything else is refused naming what is accepted.
    pub fn granularity(&self, default: Granularity) -> Result<Granularity> {
        match self.by.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            None => Ok(default),
            Some(by) => Granularity::parse(by).ok_or_else(|| not_one_of("by", by, &GRANULARITIES)),
        }
    }

    /// The dimension of `--by` among `accepted` (the first is the default).
    pub fn dimension(&self, accepted: &[&'static str]) -> Result<&'static str> {
        match self.by.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            None => Ok(accepted[0]),
            Some(by) => accepted
                .iter()
                .find(|a| a.eq_ignore_ascii_case(by))
                .copied()
                .ok_or_else(|| not_one_of("by", by, accepted)),
        }
    }

    /// `--key`, trimmed, when given.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref().map(str::trim).filter(|k| !k.is_empty())
    }

    /// Keeps the first `limit` rows when a limit is given.
    pub fn limited<T>(&self, mut rows: Vec<T>) -> Vec<T> {
        if let Some(limit) = self.limit {
            rows.truncate(limit);
        }
        rows
    }
}

const GRANULARITIES: [&str; 5] = ["day", "week", "month", "quarter", "year"];

/// The error of an option whose value is not among those accepted.
pub fn not_one_of(option: &'static str, value: &str, accepted: &[&str]) -> Error {
    Error::Invalid { field: option, reason: Reason::NotAllowed { value: value.into(), allowed: accepted.join(", ") } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_by_names_what_is_accepted() {
        let query = ReportQuery { by: Some("fortnight".into()), ..Default::default() };
        let error = query.granularity(Granularity::Month).unwrap_err();
        assert_eq!(error.to_string(), "by: 'fortnight' is not one of: day, week, month, quarter, year");
        let error = query.dimension(&["source", "category"]).unwrap_err();
        assert!(error.to_string().contains("source, category"), "{error}");
        let quarter = ReportQuery { by: Some("Quarter".into()), ..Default::default() };
        assert_eq!(quarter.granularity(Granularity::Month).unwrap(), Granularity::Quarter);
        assert_eq!(ReportQuery::default().dimension(&["source", "category"]).unwrap(), "source");
    }
}
