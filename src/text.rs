//! Checking and normalising typed text: required fields, lengths, dates as people write them, e-mail, phone,
//! and which field a bad figure on a document line names.

use chrono::NaiveDate;

use crate::error::{Error, FieldError, Reason, Result};

/// A trimmed, non-empty value of at most `max` characters.
pub fn required(field: &'static str, value: &str, max: usize) -> Result<String> {
    match bounded(field, value, max)? {
        value if value.is_empty() => Err(Error::invalid(field, Reason::Required)),
        value => Ok(value),
    }
}

/// A trimmed value of at most `max` characters; empty is fine.
pub fn bounded(field: &'static str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Error::invalid(field, Reason::TooLong { max }));
    }
    Ok(value.to_string())
}

/// Some(trimmed) when there is anything but white space.
pub fn optional(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// A calendar date as Chinese spreadsheets write it: `2023-02-03`, `2023/2/3`, `2023.2.3`,
/// `2023年2月3日`, `20230203`. Impossible dates (2023-02-30) are errors, never rolled over.
pub fn parse_date(field: &'static str, value: &str) -> Result<NaiveDate> {
    let value = value.trim();
    let bad = || Error::invalid(field, Reason::BadDate { value: value.to_string() });
    if let Some(date) = iso_date(value) {
        return date.ok_or_else(bad);
    }
    if value.len() == 8 && value.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(value, "%Y%m%d").map_err(|_| bad());
    }
    let unified: String = value
        .trim_end_matches('日')
        .chars()
        .map(|c| if matches!(c, '年' | '月' | '/' | '.' | '-') { '-' } else { c })
        .collect();
    let parts: Vec<&str> = unified.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return Err(bad());
    };
    if year.len() != 4 || !(1..=2).contains(&month.len()) || !(1..=2).contains(&day.len()) {
        return Err(bad());
    }
    let number = |s: &str| s.parse::<u32>().map_err(|_| bad());
    let year = i32::try_from(number(year)?).map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(year, number(month)?, number(day)?).ok_or_else(bad)
}

/// `YYYY-MM-DD` exactly, read without allocating (a million imported rows have two dates each):
/// Some(None) when it has that shape but is no date (2023-02-30), None when it has another shape.
fn iso_date(value: &str) -> Option<Option<NaiveDate>> {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    Some(NaiveDate::from_ymd_opt(year as i32, month, day))
}

/// Text for a `LIKE … ESCAPE '\'` pattern that matches it literally: `%`, `_` and `\` lose their meaning.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// A date, or `default` when none is typed.
pub fn date_or(field: &'static str, value: &str, default: NaiveDate) -> Result<NaiveDate> {
    if value.trim().is_empty() { Ok(default) } else { parse_date(field, value) }
}

/// A check's value, or `fallback` after noting what was wrong: a form or a row then reports every
/// bad field at once instead of the first.
pub fn collect<T>(checked: Result<T>, fallback: T, problems: &mut Vec<FieldError>) -> T {
    checked.unwrap_or_else(|e| {
        problems.extend(e.field_errors());
        fallback
    })
}

/// An optional date: empty text is None.
pub fn optional_date(field: &'static str, value: Option<&str>) -> Result<Option<NaiveDate>> {
    optional(value).map(|v| parse_date(field, &v)).transpose()
}

pub fn email(field: &'static str, value: &str) -> Result<String> {
    let value = bounded(field, value, 120)?;
    if value.is_empty() {
        return Ok(value);
    }
    let valid = value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
    }) && !value.chars().any(char::is_whitespace);
    if valid { Ok(value) } else { Err(Error::invalid(field, Reason::BadEmail { value })) }
}

/// A phone number: digits with the usual separators, an optional leading +, and an
/// extension ("转123"). At least five digits.
pub fn phone(field: &'static str, value: &str) -> Result<String> {
    let value = bounded(field, value, 40)?;
    if value.is_empty() {
        return Ok(value);
    }
    let allowed = |c: char| c.is_ascii_digit() || " -+()（）转#,/".contains(c) || c == 'x';
    if !value.chars().all(allowed) || digits(&value).len() < 5 {
        return Err(Error::invalid(field, Reason::BadPhone { value }));
    }
    Ok(value)
}

pub fn digits(value: &str) -> String {
    value.chars().filter(char::is_ascii_digit).collect()
}

/// A name folded for comparison: full-width to half-width, lower case, no white space or
/// punctuation, so "上海 鼎盛（集团）" and "上海鼎盛(集团)" compare equal.
pub fn name_key(value: &str) -> String {
    value.chars().map(half_width).filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// A problem with a figure on line `index` (from 0) of a document. One too large names its field and the
/// bound, so the window can say which figure and by how much; any other names the line.
pub fn line_figure(field: &'static str, index: usize, reason: Reason) -> FieldError {
    match reason {
        Reason::TooLarge { .. } => FieldError { field, reason },
        other => {
            FieldError { field: "lines", reason: Reason::OnLine { line: index as u64 + 1, inner: Box::new(other) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_spreadsheets_write_them() {
        let expected = NaiveDate::from_ymd_opt(2023, 2, 3).unwrap();
        for text in ["2023-02-03", "2023/2/3", "2023.2.3", "2023年2月3日", "20230203", " 2023-2-03 "] {
            assert_eq!(parse_date("birthday", text).unwrap(), expected, "{text}");
        }
        for text in ["2023-02-30", "2023-13-01", "23-2-3", "2023-02", "tomorrow", "2023-02-03T00:00", ""] {
            assert!(parse_date("birthday", text).is_err(), "{text}");
        }
    }

    #[test]
    fn errors_name_the_field() {
        let err = parse_date("birthday", "2023-02-30").unwrap_err();
        assert_eq!(err.to_string(), "birthday: '2023-02-30' is not a date (use YYYY-MM-DD)");
        assert!(matches!(required("name", "   ", 10), Err(Error::Invalid { field: "name", reason: Reason::Required })));
        assert!(matches!(
            required("name", "abcdef", 5),
            Err(Error::Invalid { reason: Reason::TooLong { max: 5 }, .. })
        ));
    }

    #[test]
    fn phones_and_emails() {
        assert!(phone("phone", "138-0013-8000").is_ok());
        assert!(phone("phone", "(021) 6288 1234转8").is_ok());
        assert!(phone("phone", "call me").is_err());
        assert!(phone("phone", "123").is_err());
        assert!(email("email", "wang@dingsheng.cn").is_ok());
        assert!(email("email", "wang@").is_err());
        assert!(email("email", "").is_ok());
    }

    #[test]
    fn names_fold_for_duplicate_detection() {
        assert_eq!(name_key("上海 鼎盛（集团）"), name_key("上海鼎盛(集团)"));
        assert_eq!(name_key("ＡＢＣ Trading"), "abctrading");
    }
}
