//! Exact money: integer minor units (分), parsed from what people type and rounded half away from zero.

use std::fmt;
use std::ops::Neg;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of money in minor units (1 = ¥0.01). Stored as INTEGER in SQLite and
/// sent as a decimal string everywhere else, so no float ever holds money.
///
/// It has no `+`, `-` or `Sum`: in a release build those would wrap silently. Amounts add through
/// [`Money::checked_add`], [`Money::checked_sub`] and [`Money::sum_checked`], which refuse what does
/// not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, sqlx::Type)]
#[sqlx(transparent)]
pub struct Money(i64);

/// Why a piece of text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyParseError {
    #[error("empty amount")]
    Empty,
    #[error("'{0}' is not an amount")]
    NotANumber(String),
    #[error("'{0}' has more than two decimal places")]
    TooPrecise(String),
    #[error("'{0}' is too large (at most {max})", max = MAX_ENTRY)]
    TooLarge(String),
}

impl MoneyParseError {
    /// The kind of problem, stable: the UI translates it as `money_problem.<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyParseError::Empty => "empty",
            MoneyParseError::NotANumber(_) => "not_a_number",
            MoneyParseError::TooPrecise(_) => "too_many_decimals",
            MoneyParseError::TooLarge(_) => "too_large",
        }
    }

    /// What was typed (empty for an empty amount).
    pub fn typed(&self) -> &str {
        match self {
            MoneyParseError::Empty => "",
            MoneyParseError::NotANumber(typed)
            | MoneyParseError::TooPrecise(typed)
            | MoneyParseError::TooLarge(typed) => typed,
        }
    }

    /// One of each kind, for the test that every code is translated.
    pub fn examples() -> Vec<MoneyParseError> {
        use MoneyParseError::*;
        let all = vec![Empty, NotANumber("x".into()), TooPrecise("1.234".into()), TooLarge("1e20".into())];
        // A new kind stops compiling here, next to the list it must join.
        for error in &all {
            match error {
                Empty | NotANumber(_) | TooPrecise(_) | TooLarge(_) => {}
            }
        }
        all
    }
}

/// The largest amount a person or a file may enter (a price, a cost, an opportunity, an expense):
/// 100 billion yuan, the bound migration 0006 puts on opportunities. Far beyond any real figure, and
/// small enough that a sum of ninety thousand of them still fits in 64 bits.
pub const MAX_ENTRY: Money = Money::yuan(100_000_000_000);

/// A computed amount (a line, a total, a stock's value) that does not fit in 64 bits: refused rather
/// than wrapped or saturated. It keeps the exact figure so the message can say what it would have been.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{} is too large (at most {})", format_minor(*.0), Money::MAX)]
pub struct AmountTooLarge(pub i128);

/// "-12.05" for any number of minor units, even one beyond `Money`'s range.
pub fn format_minor(minor: i128) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

impl Money {
    pub const ZERO: Money = Money(0);
    /// The largest amount a computation may reach (92,233,720,368,547,758.07).
    pub const MAX: Money = Money(i64::MAX);

    pub const fn from_minor(minor: i64) -> Money {
        Money(minor)
    }

    pub const fn minor(self) -> i64 {
        self.0
    }

    /// Whole yuan, for fixtures and demo data.
    pub const fn yuan(yuan: i64) -> Money {
        Money(yuan * 100)
    }

    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Rounds an exact decimal to the cent, half away from zero (SPEC §1).
    pub fn from_decimal_rounded(value: Decimal) -> Result<Money, MoneyParseError> {
        let rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let minor = rounded * Decimal::ONE_HUNDRED;
        i64::try_from(minor).map(Money).map_err(|_| MoneyParseError::TooLarge(value.to_string()))
    }

    /// Amount of a line: quantity × unit price, rounded once.
    pub fn line_amount(quantity: Decimal, unit_price: Money) -> Result<Money, MoneyParseError> {
        Money::from_decimal_rounded(quantity * unit_price.to_decimal())
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Minor units computed wider than 64 bits, if they fit.
    pub fn from_i128(minor: i128) -> Result<Money, AmountTooLarge> {
        i64::try_from(minor).map(Money).map_err(|_| AmountTooLarge(minor))
    }

    pub fn checked_add(self, other: Money) -> Result<Money, AmountTooLarge> {
        Money::from_i128(i128::from(self.0) + i128::from(other.0))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, AmountTooLarge> {
        Money::from_i128(i128::from(self.0) - i128::from(other.0))
    }

    /// The total of `amounts`, or the exact figure it would have been when that does not fit. Summed in
    /// 128 bits, so only the total is judged: 2^64 amounts of any size cannot overflow the sum itself.
    pub fn sum_checked(amounts: impl IntoIterator<Item = Money>) -> Result<Money, AmountTooLarge> {
        Money::from_i128(amounts.into_iter().map(|m| i128::from(m.0)).sum())
    }

    /// "1,234.50": with thousands separators, for screens and printed reports.
    pub fn grouped(self) -> String {
        let plain = self.to_string();
        let (sign, rest) = plain.strip_prefix('-').map_or(("", plain.as_str()), |r| ("-", r));
        let (whole, cents) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        format!("{sign}{grouped}.{cents}")
    }
}

/// Appends `minor` with `decimals` digits after the point ("-12.05"); with `trim`, trailing zeros of the
/// fraction (and a bare point) go ("1.5", "2"). Hand-rolled because a million exported rows format
/// three numbers each.
pub(crate) fn push_fixed(out: &mut String, minor: i64, decimals: u32, trim: bool) {
    let scale = 10_u64.pow(decimals);
    if minor < 0 {
        out.push('-');
    }
    let abs = minor.unsigned_abs();
    let (whole, mut fraction) = (abs / scale, abs % scale);
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = whole;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
    let mut width = decimals;
    if trim {
        while width > 0 && fraction % 10 == 0 {
            fraction /= 10;
            width -= 1;
        }
    }
    if width > 0 {
        out.push('.');
        for position in (0..width).rev() {
            out.push(char::from(b'0' + (fraction / 10_u64.pow(position) % 10) as u8));
        }
    }
}

impl Money {
    /// Appends the plain form ("1234.50") to `out`.
    pub fn push_to(self, out: &mut String) {
        push_fixed(out, self.0, 2, false);
    }
}

impl fmt::Display for Money {
    /// Plain "1234.50" / "-0.01": what files and the UI exchange.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Money {
    type Err = MoneyParseError;

    /// Accepts what a clerk or a spreadsheet writes: "1234.5", "1,234.50", "¥1234", "￥ 12",
    /// "-0.01", "(12.00)" for a negative amount, full-width digits. Rejects everything else,
    /// including more than two decimal places: silently rounding typed money hides mistakes, and
    /// anything beyond [`MAX_ENTRY`] either way: no real price is that large, and a typo that is stays
    /// out of every product and total computed from it.
    fn from_str(text: &str) -> Result<Money, MoneyParseError> {
        let money = match plain_amount(text.as_bytes()) {
            Some(money) => money,
            None => parse_amount(text)?,
        };
        if money.0.unsigned_abs() > MAX_ENTRY.0.unsigned_abs() {
            return Err(MoneyParseError::TooLarge(text.trim().to_string()));
        }
        Ok(money)
    }
}

/// The long way of [`Money::from_str`], without its bound.
fn parse_amount(text: &str) -> Result<Money, MoneyParseError> {
    let normalized: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '，' => ',',
            '－' => '-',
            _ => c,
        })
        .filter(|c| !c.is_whitespace())
        .collect();
    if normalized.is_empty() {
        return Err(MoneyParseError::Empty);
    }
    let bad = || MoneyParseError::NotANumber(text.trim().to_string());
    let (negative_paren, body) = match normalized.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        Some(inner) => (true, inner),
        None => (false, normalized.as_str()),
    };
    let (negative_sign, body) = match body.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, body.strip_prefix('+').unwrap_or(body)),
    };
    let body = body.strip_prefix(['¥', '￥']).unwrap_or(body);
    let body = body.strip_suffix('元').unwrap_or(body);
    if negative_paren && negative_sign {
        return Err(bad());
    }
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(bad());
    }
    if !valid_grouping(whole) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if fraction.len() > 2 {
        return Err(MoneyParseError::TooPrecise(text.trim().to_string()));
    }
    let digits: String = whole.chars().filter(|c| *c != ',').collect();
    let too_large = || MoneyParseError::TooLarge(text.trim().to_string());
    let whole_value: i64 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| too_large())? };
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    let minor = whole_value.checked_mul(100).and_then(|v| v.checked_add(cents)).ok_or_else(too_large)?;
    Ok(Money(if negative_paren || negative_sign { -minor } else { minor }))
}

/// "1234.5" or "12": the plain shape files hold, read without allocating; anything else is None
/// and goes the long way.
fn plain_amount(bytes: &[u8]) -> Option<Money> {
    if bytes.is_empty() || bytes.len() > 15 {
        return None;
    }
    let (whole, fraction) = match bytes.iter().position(|b| *b == b'.') {
        Some(point) => (&bytes[..point], &bytes[point + 1..]),
        None => (bytes, &[][..]),
    };
    if whole.is_empty() || fraction.len() > 2 || !whole.iter().chain(fraction).all(u8::is_ascii_digit) {
        return None;
    }
    let digits = |part: &[u8]| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
    let cents = digits(fraction) * if fraction.len() == 1 { 10 } else { 1 };
    Some(Money(digits(whole) * 100 + cents))
}

/// Digits, optionally grouped by commas in threes ("1,234,567"); a lone run of digits is fine too.
fn valid_grouping(whole: &str) -> bool {
    if !whole.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return false;
    }
    if !whole.contains(',') {
        return true;
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    first_ok && groups[1..].iter().all(|g| g.len() == 3)
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(input: &str, expected_minor: i64) {
        assert_eq!(input.parse::<Money>(), Ok(Money::from_minor(expected_minor)), "parsing {input:?}");
    }

    #[test]
    fn parses_what_people_type() {
        check("1,234.50", 123_450);
        check("¥1234.5", 123_450);
        check("￥ 12", 1_200);
        check("-0.01", -1);
        check("(12.00)", -1_200);
        check("0", 0);
        check(".5", 50);
        check("１２３．４", 12_340);
        check("100元", 10_000);
        check("+7", 700);
    }

    #[test]
    fn rejects_garbage_instead_of_reading_zero() {
        for garbage in ["", "  ", "abc", "1.2.3", "12a", "1,23", "--1", "-(1)", "¥", ".", "1.234", "1e5"] {
            assert!(garbage.parse::<Money>().is_err(), "{garbage:?} should be rejected");
        }
        assert!(matches!("99999999999999999999".parse::<Money>(), Err(MoneyParseError::TooLarge(_))));
    }

    #[test]
    fn entries_are_bounded_both_ways_on_every_path() {
        check("100,000,000,000.00", MAX_ENTRY.minor());
        check("-100000000000", -MAX_ENTRY.minor());
        // The plain fast path, the long way, negatives and full-width digits alike.
        for too_large in [
            "100000000000.01",
            "999999999999999",
            "-100000000000.01",
            "(100,000,000,000.01)",
            "¥９００００００００００００",
        ] {
            assert!(matches!(too_large.parse::<Money>(), Err(MoneyParseError::TooLarge(_))), "{too_large}");
        }
    }

    #[test]
    fn sums_are_checked_and_keep_the_exact_figure() {
        let max = Money::MAX;
        assert_eq!(max.checked_add(Money::from_minor(1)), Err(AmountTooLarge(i128::from(i64::MAX) + 1)));
        assert_eq!(
            Money::from_minor(i64::MIN).checked_sub(Money::from_minor(1)),
            Err(AmountTooLarge(i128::from(i64::MIN) - 1))
        );
        assert_eq!(Money::sum_checked([max, max, -max]), Ok(max), "only the total has to fit");
        assert_eq!(Money::sum_checked([max, max]), Err(AmountTooLarge(2 * i128::from(i64::MAX))));
        assert_eq!(AmountTooLarge(-12_345).to_string(), "-123.45 is too large (at most 92233720368547758.07)");
    }

    #[test]
    fn formats_plain_and_grouped() {
        assert_eq!(Money::from_minor(-1).to_string(), "-0.01");
        assert_eq!(Money::from_minor(123_456_789).to_string(), "1234567.89");
        assert_eq!(Money::from_minor(123_456_789).grouped(), "1,234,567.89");
        assert_eq!(Money::from_minor(-100_000).grouped(), "-1,000.00");
        assert_eq!(Money::from_minor(99).grouped(), "0.99");
    }

    #[test]
    fn rounds_line_amounts_half_away_from_zero() {
        let price = Money::from_minor(333); // 3.33
        assert_eq!(Money::line_amount(Decimal::new(15, 1), price), Ok(Money::from_minor(500))); // 4.995 → 5.00
        assert_eq!(Money::from_decimal_rounded(Decimal::new(-4995, 3)), Ok(Money::from_minor(-500)));
        assert_eq!(Money::from_decimal_rounded(Decimal::new(4994, 3)), Ok(Money::from_minor(499)));
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(minor in -1_000_000_000_000i64..1_000_000_000_000) {
            let money = Money::from_minor(minor);
            prop_assert_eq!(money.to_string().parse::<Money>(), Ok(money));
            prop_assert_eq!(money.grouped().parse::<Money>(), Ok(money));
        }

        #[test]
        fn serde_round_trips_as_a_string(minor in any::<i32>()) {
            let money = Money::from_minor(i64::from(minor));
            let json = serde_json::to_string(&money).unwrap();
            prop_assert!(json.starts_with('"'));
            prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money);
        }
    }
}
