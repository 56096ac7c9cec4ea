//! Calendar periods for reports: day, ISO week, month, quarter, year; previous period and same period last year.

use std::fmt;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// How finely a report splits time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Granularity {
    pub fn parse(text: &str) -> Option<Granularity> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "day" | "日" => Granularity::Day,
            "week" | "周" => Granularity::Week,
            "month" | "月" => Granularity::Month,
            "quarter" | "季" | "季度" => Granularity::Quarter,
            "year" | "年" => Granularity::Year,
            _ => return None,
        })
    }
}

/// One whole period, e.g. the ISO week 2026-W05 or the quarter 2026-Q1.
/// Built only through [`Period::containing`], so `start` is always the period's first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    start: NaiveDate,
    granularity: Granularity,
}

impl Period {
    /// The period of the given granularity that contains `date`.
    pub fn containing(date: NaiveDate, granularity: Granularity) -> Period {
        let start = match granularity {
            Granularity::Day => date,
            Granularity::Week => date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
            Granularity::Month => first_of_month(date.year(), date.month()),
            Granularity::Quarter => first_of_month(date.year(), (date.month() - 1) / 3 * 3 + 1),
            Granularity::Year => first_of_month(date.year(), 1),
        };
        Period { start, granularity }
    }

    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day of the period (inclusive).
    pub fn end(&self) -> NaiveDate {
        self.next().start - Duration::days(1)
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end()
    }

    pub fn next(&self) -> Period {
        let start = match self.granularity {
            Granularity::Day => self.start + Duration::days(1),
            Granularity::Week => self.start + Duration::days(7),
            Granularity::Month => add_months(self.start, 1),
            Granularity::Quarter => add_months(self.start, 3),
            Granularity::Year => add_months(self.start, 12),
        };
        Period { start, granularity: self.granularity }
    }

    pub fn previous(&self) -> Period {
        let day_before = self.start - Duration::days(1);
        Period::containing(day_before, self.granularity)
    }

    /// The same period one year earlier: the same day, ISO week number, month, quarter.
    /// 29 February maps to 28 February; ISO week 53 maps to week 52 when the previous
    /// ISO year has no week 53.
    pub fn same_period_last_year(&self) -> Period {
        match self.granularity {
            Granularity::Week => {
                let iso = self.start.iso_week();
                let year = iso.year() - 1;
                let week = NaiveDate::from_isoywd_opt(year, iso.week(), Weekday::Mon)
                    .or_else(|| NaiveDate::from_isoywd_opt(year, 52, Weekday::Mon))
                    .unwrap_or(self.start - Duration::days(364));
                Period { start: week, granularity: Granularity::Week }
            }
            _ => Period::containing(add_months(self.start, -12), self.granularity),
        }
    }

    /// Every period of this granularity from the one containing `from` to the one containing `to`.
    pub fn range(from: NaiveDate, to: NaiveDate, granularity: Granularity) -> Vec<Period> {
        let mut periods = Vec::new();
        let mut period = Period::containing(from, granularity);
        while period.start <= to {
            periods.push(period);
            period = period.next();
        }
        periods
    }

    /// Parses the labels that [`Display`](fmt::Display) writes.
    pub fn parse(label: &str) -> Option<Period> {
        let label = label.trim();
        if let Some((year, week)) = label.split_once("-W") {
            let date = NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)?;
            return Some(Period::containing(date, Granularity::Week));
        }
        if let Some((year, quarter)) = label.split_once("-Q") {
            let quarter: u32 = quarter.parse().ok()?;
            if !(1..=4).contains(&quarter) {
                return None;
            }
            let date = NaiveDate::from_ymd_opt(year.parse().ok()?, (quarter - 1) * 3 + 1, 1)?;
            return Some(Period::containing(date, Granularity::Quarter));
        }
        let parts: Vec<&str> = label.split('-').collect();
        match parts.as_slice() {
            [year] => {
                let date = NaiveDate::from_ymd_opt(year.parse().ok()?, 1, 1)?;
                Some(Period::containing(date, Granularity::Year))
            }
            [year, month] => {
                let date = NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)?;
                Some(Period::containing(date, Granularity::Month))
            }
            [_, _, _] => {
                let date = NaiveDate::parse_from_str(label, "%Y-%m-%d").ok()?;
                Some(Period::containing(date, Granularity::Day))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Period {
    /// "2026-03-05", "2026-W10", "2026-03", "2026-Q1", "2026".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.start;
        match self.granularity {
            Granularity::Day => write!(f, "{}", d.format("%Y-%m-%d")),
            Granularity::Week => {
                let iso = d.iso_week();
                write!(f, "{}-W{:02}", iso.year(), iso.week())
            }
            Granularity::Month => write!(f, "{}-{:02}", d.year(), d.month()),
            Granularity::Quarter => write!(f, "{}-Q{}", d.year(), (d.month() - 1) / 3 + 1),
            Granularity::Year => write!(f, "{}", d.year()),
        }
    }
}

fn first_of_month(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

/// Moves by whole months, clamping the day to the end of a shorter month (31 Mar − 1 month = 28/29 Feb).
fn add_months(date: NaiveDate, months: i32) -> NaiveDate {
    let index = date.year() * 12 + date.month0() as i32 + months;
    let (year, month0) = (index.div_euclid(12), index.rem_euclid(12) as u32);
    let mut day = date.day();
    loop {
        if let Some(moved) = NaiveDate::from_ymd_opt(year, month0 + 1, day) {
            return moved;
        }
        day -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn check(date: &str, granularity: Granularity, label: &str, start: &str, end: &str) {
        let period = Period::containing(day(date), granularity);
        assert_eq!(period.to_string(), label);
        assert_eq!(period.start(), day(start));
        assert_eq!(period.end(), day(end));
        assert_eq!(Period::parse(label), Some(period));
    }

    #[test]
    fn periods_containing_a_date() {
        check("2026-03-05", Granularity::Day, "2026-03-05", "2026-03-05", "2026-03-05");
        check("2026-03-05", Granularity::Week, "2026-W10", "2026-03-02", "2026-03-08");
        check("2027-01-01", Granularity::Week, "2026-W53", "2026-12-28", "2027-01-03");
        check("2024-02-10", Granularity::Month, "2024-02", "2024-02-01", "2024-02-29");
        check("2026-08-19", Granularity::Quarter, "2026-Q3", "2026-07-01", "2026-09-30");
        check("2026-08-19", Granularity::Year, "2026", "2026-01-01", "2026-12-31");
    }

    #[test]
    fn previous_and_last_year() {
        let month = Period::containing(day("2026-01-15"), Granularity::Month);
        assert_eq!(month.previous().to_string(), "2025-12");
        assert_eq!(month.same_period_last_year().to_string(), "2025-01");
        let leap_day = Period::containing(day("2024-02-29"), Granularity::Day);
        assert_eq!(leap_day.same_period_last_year().to_string(), "2023-02-28");
        let week53 = Period::containing(day("2026-12-30"), Granularity::Week);
        assert_eq!(week53.same_period_last_year().to_string(), "2025-W52");
        let quarter = Period::containing(day("2026-02-01"), Granularity::Quarter);
        assert_eq!(quarter.previous().to_string(), "2025-Q4");
    }

    #[test]
    fn range_lists_every_period_including_empty_ones() {
        let months = Period::range(day("2025-11-20"), day("2026-02-01"), Granularity::Month);
        let labels: Vec<String> = months.iter().map(ToString::to_string).collect();
        assert_eq!(labels, ["2025-11", "2025-12", "2026-01", "2026-02"]);
    }

    #[test]
    fn rejects_bad_labels() {
        for label in ["2026-13", "2026-Q5", "2026-W60", "abc", "2023-02-30", ""] {
            assert_eq!(Period::parse(label), None, "{label}");
        }
    }

    fn granularity() -> impl Strategy<Value = Granularity> {
        prop_oneof![
            Just(Granularity::Day),
            Just(Granularity::Week),
            Just(Granularity::Month),
            Just(Granularity::Quarter),
            Just(Granularity::Year),
        ]
    }

    proptest! {
        #[test]
        fn periods_tile_time(days in 0i64..40_000, g in granularity()) {
            let date = day("1990-01-01") + Duration::days(days);
            let period = Period::containing(date, g);
            prop_assert!(period.contains(date));
            prop_assert_eq!(period.next().start(), period.end() + Duration::days(1));
            prop_assert_eq!(period.previous().next(), period);
            prop_assert_eq!(Period::parse(&period.to_string()), Some(period));
            prop_assert_eq!(period.same_period_last_year().granularity(), g);
        }
    }
}
