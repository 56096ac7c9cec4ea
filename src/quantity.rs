//! Exact quantities of goods: integer thousandths (up to 3 decimals), and line amounts from them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::money::{AmountTooLarge, Money};

/// A quantity in thousandths of a unit (1 = 0.001). Stored as INTEGER; sent as a decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, sqlx::Type)]
#[sqlx(transparent)]
pub struct Quantity(i64);

/// Why a piece of text is not a quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityParseError {
    #[error("empty quantity")]
    Empty,
    #[error("'{0}' is not a quantity")]
    NotANumber(String),
    #[error("'{0}' has more than three decimal places")]
    TooPrecise(String),
    #[error("'{0}' is too large (at most {max})", max = MAX_ENTRY)]
    TooLarge(String),
}

impl QuantityParseError {
    /// The kind of problem, stable: the UI translates it as `quantity_problem.<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            QuantityParseError::Empty => "empty",
            QuantityParseError::NotANumber(_) => "not_a_number",
            QuantityParseError::TooPrecise(_) => "too_many_decimals",
            QuantityParseError::TooLarge(_) => "too_large",
        }
    }

    /// What was typed (empty for an empty quantity).
    pub fn typed(&self) -> &str {
        match self {
            QuantityParseError::Empty => "",
            QuantityParseError::NotANumber(typed)
            | QuantityParseError::TooPrecise(typed)
            | QuantityParseError::TooLarge(typed) => typed,
        }
    }

    /// One of each kind, for the test that every code is translated.
    pub fn examples() -> Vec<QuantityParseError> {
        use QuantityParseError::*;
        let all = vec![Empty, NotANumber("x".into()), TooPrecise("1.2345".into()), TooLarge("1e20".into())];
        // A new kind stops compiling here, next to the list it must join.
        for error in &all {
            match error {
                Empty | NotANumber(_) | TooPrecise(_) | TooLarge(_) => {}
            }
        }
        all
    }
}

const SCALE: i64 = 1_000;

/// The largest quantity a person or a file may enter: a billion units. With [`crate::money::MAX_ENTRY`]
/// a line can still exceed 64 bits, so [`Quantity::times`] checks its product as well.
pub const MAX_ENTRY: Quantity = Quantity::units(1_000_000_000);

impl Quantity {
    pub const ZERO: Quantity = Quantity(0);

    pub const fn from_milli(milli: i64) -> Quantity {
        Quantity(milli)
    }

    pub const fn milli(self) -> i64 {
        self.0
    }

    /// Whole units, for fixtures and demo data.
    pub const fn units(units: i64) -> Quantity {
        Quantity(units * SCALE)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// quantity × unit price, rounded half away from zero to the cent, once (SPEC §1); refused when
    /// the amount does not fit rather than saturated or wrapped.
    pub fn times(self, unit_price: Money) -> Result<Money, AmountTooLarge> {
        Money::from_i128(round_div(i128::from(self.0) * i128::from(unit_price.minor()), i128::from(SCALE)))
    }

    /// The share `self / of` of `value`, rounded to the cent: what part of a stock's value leaves with
    /// part of its quantity (moving average cost). A share larger than the whole (the price of one unit
    /// when less than one is in stock) may not fit, and is refused.
    pub fn share_of(self, of: Quantity, value: Money) -> Result<Money, AmountTooLarge> {
        if of.0 == 0 {
            return Ok(Money::ZERO);
        }
        Money::from_i128(round_div(i128::from(value.minor()) * i128::from(self.0), i128::from(of.0)))
    }
}

/// a / b rounded half away from zero. Both come from 64-bit values, so neither the product before nor
/// the rounding here leaves 128 bits.
fn round_div(a: i128, b: i128) -> i128 {
    let (a, b) = if b < 0 { (-a, -b) } else { (a, b) };
    let half = b / 2;
    if a >= 0 { (a + half) / b } else { (a - half) / b }
}

impl Quantity {
    /// Appends the plain form ("1.5") to `out`.
    pub fn push_to(self, out: &mut String) {
        crate::money::push_fixed(out, self.0, 3, true);
    }
}

impl fmt::Display for Quantity {
    /// "2", "1.5", "0.125", "-3": no trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, fraction) = (abs / SCALE as u64, abs % SCALE as u64);
        if fraction == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let digits = format!("{fraction:03}");
            write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl FromStr for Quantity {
    type Err = QuantityParseError;

    /// Accepts "3", "1.5", "1,000.125", "-2" and full-width digits; more than three decimals is an error,
    /// and so is more than [`MAX_ENTRY`] either way.
    fn from_str(text: &str) -> Result<Quantity, QuantityParseError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(QuantityParseError::Empty);
        }
        let bad = || QuantityParseError::NotANumber(trimmed.to_string());
        let too_large = || QuantityParseError::TooLarge(trimmed.to_string());
        let mut negative = false;
        let mut whole: i64 = 0;
        let mut fraction: i64 = 0;
        let mut fraction_digits = 0;
        let mut seen_point = false;
        let mut seen_digit = false;
        for (i, c) in trimmed.chars().enumerate() {
            let c = match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                '．' => '.',
                '，' => ',',
                '－' => '-',
                _ => c,
            };
            match c {
                '-' if i == 0 => negative = true,
                '+' if i == 0 => {}
                ',' if !seen_point && seen_digit => {}
                '.' if !seen_point => seen_point = true,
                '0'..='9' => {
                    seen_digit = true;
                    let digit = i64::from(c as u8 - b'0');
                    if seen_point {
                        fraction_digits += 1;
                        if fraction_digits > 3 {
                            if digit != 0 {
                                return Err(QuantityParseError::TooPrecise(trimmed.to_string()));
                            }
                            continue;
                        }
                        fraction = fraction * 10 + digit;
                    } else {
                        whole = whole.checked_mul(10).and_then(|w| w.checked_add(digit)).ok_or_else(too_large)?;
                    }
                }
                _ => return Err(bad()),
            }
        }
        if !seen_digit {
            return Err(bad());
        }
        let fraction = fraction * 10_i64.pow(3 - fraction_digits.min(3));
        let milli = whole.checked_mul(SCALE).and_then(|w| w.checked_add(fraction)).ok_or_else(too_large)?;
        if milli > MAX_ENTRY.0 {
            return Err(too_large());
        }
        Ok(Quantity(if negative { -milli } else { milli }))
    }
}

impl std::ops::Add for Quantity {
    type Output = Quantity;
    fn add(self, other: Quantity) -> Quantity {
        Quantity(self.0 + other.0)
    }
}

impl std::ops::Sub for Quantity {
    type Output = Quantity;
    fn sub(self, other: Quantity) -> Quantity {
        Quantity(self.0 - other.0)
    }
}

impl std::ops::Neg for Quantity {
    type Output = Quantity;
    fn neg(self) -> Quantity {
        Quantity(-self.0)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Quantity, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn q(text: &str) -> Quantity {
        text.parse().unwrap()
    }

    #[test]
    fn parses_what_spreadsheets_write() {
        assert_eq!(q("3"), Quantity::units(3));
        assert_eq!(q(" 1.5 "), Quantity::from_milli(1_500));
        assert_eq!(q("1,000.125"), Quantity::from_milli(1_000_125));
        assert_eq!(q("２．５"), Quantity::from_milli(2_500));
        assert_eq!(q("-2"), Quantity::units(-2));
        assert_eq!(q("0.5000"), Quantity::from_milli(500));
        assert!(matches!("1.2345".parse::<Quantity>(), Err(QuantityParseError::TooPrecise(_))));
        assert!(matches!("abc".parse::<Quantity>(), Err(QuantityParseError::NotANumber(_))));
        assert!(matches!("1.2.3".parse::<Quantity>(), Err(QuantityParseError::NotANumber(_))));
        assert!(matches!("".parse::<Quantity>(), Err(QuantityParseError::Empty)));
        assert!(matches!("99999999999999999999".parse::<Quantity>(), Err(QuantityParseError::TooLarge(_))));
    }

    #[test]
    fn entries_are_bounded_both_ways() {
        assert_eq!(q("1,000,000,000"), MAX_ENTRY);
        assert_eq!(q("-1000000000"), -MAX_ENTRY);
        for too_large in ["1000000000.001", "-1000000000.001", "900000000000"] {
            assert!(matches!(too_large.parse::<Quantity>(), Err(QuantityParseError::TooLarge(_))), "{too_large}");
        }
    }

    #[test]
    fn a_line_beyond_64_bits_is_refused_not_saturated() {
        // Issue 10: 900,000,000,000 × ¥900,000,000,000 was stored as ¥92,233,720,368,547,758.07.
        let huge = Quantity::from_milli(900_000_000_000_000);
        let price = Money::from_minor(90_000_000_000_000);
        assert_eq!(huge.times(price), Err(AmountTooLarge(81_000_000_000_000_000_000_000_000)));
        assert_eq!(MAX_ENTRY.times(crate::money::MAX_ENTRY), Err(AmountTooLarge(10_i128.pow(22))));
        // Less than one unit in stock worth a lot: one unit's share does not fit either.
        assert!(Quantity::units(1).share_of(Quantity::from_milli(1), Money::MAX).is_err());
    }

    #[test]
    fn line_amounts_round_half_away_from_zero() {
        assert_eq!(q("3").times(Money::from_minor(1_999)), Ok(Money::from_minor(5_997)));
        // 0.005 × ¥1.00 = ¥0.005 → ¥0.01
        assert_eq!(q("0.005").times(Money::from_minor(100)), Ok(Money::from_minor(1)));
        assert_eq!(q("0.004").times(Money::from_minor(100)), Ok(Money::from_minor(0)));
        assert_eq!(q("1.5").times(Money::from_minor(-3)), Ok(Money::from_minor(-5)));
        assert_eq!(q("1.333").times(Money::from_minor(1_000)), Ok(Money::from_minor(1_333)));
    }

    #[test]
    fn moving_average_shares() {
        // 3 of 7 units worth ¥10.00 leave with ¥4.29.
        assert_eq!(q("3").share_of(q("7"), Money::from_minor(1_000)), Ok(Money::from_minor(429)));
        assert_eq!(q("7").share_of(q("7"), Money::from_minor(1_000)), Ok(Money::from_minor(1_000)));
        assert_eq!(q("1").share_of(Quantity::ZERO, Money::from_minor(1_000)), Ok(Money::ZERO));
    }

    proptest! {
        #[test]
        fn display_round_trips(milli in -1_000_000_000_000i64..1_000_000_000_000) {
            let quantity = Quantity::from_milli(milli);
            prop_assert_eq!(quantity.to_string().parse::<Quantity>().unwrap(), quantity);
            let mut pushed = String::new();
            quantity.push_to(&mut pushed);
            prop_assert_eq!(pushed, quantity.to_string());
            let money = Money::from_minor(milli);
            let mut pushed = String::new();
            money.push_to(&mut pushed);
            prop_assert_eq!(pushed, money.to_string());
        }

        #[test]
        fn line_amount_matches_decimal_rounding(milli in 1i64..10_000_000, price in -10_000_000i64..10_000_000) {
            let exact = rust_decimal::Decimal::new(milli, 3) * rust_decimal::Decimal::new(price, 2);
            let expected = Money::from_decimal_rounded(exact).unwrap();
            prop_assert_eq!(Quantity::from_milli(milli).times(Money::from_minor(price)), Ok(expected));
        }

        /// Line amounts and their total never wrap: each is exact (the same figure in 128-bit arithmetic)
        /// or an error, over quantities and prices up to and far beyond what may be entered.
        #[test]
        fn line_amounts_and_totals_are_exact_or_refused(
            lines in proptest::collection::vec((any::<i64>(), any::<i64>()), 1..20),
            small in any::<bool>(),
        ) {
            let lines: Vec<(i64, i64)> = if small {
                lines.into_iter().map(|(q, p)| (q % 1_000_000_000_000_001, p % 10_000_000_000_001)).collect()
            } else {
                lines
            };
            let mut amounts = Vec::new();
            for (milli, price) in &lines {
                let exact = i128::from(*milli) * i128::from(*price);
                let rounded = if exact >= 0 { (exact + 500) / 1000 } else { (exact - 500) / 1000 };
                let amount = Quantity::from_milli(*milli).times(Money::from_minor(*price));
                match i64::try_from(rounded) {
                    Ok(fits) => prop_assert_eq!(amount, Ok(Money::from_minor(fits))),
                    Err(_) => prop_assert_eq!(amount, Err(AmountTooLarge(rounded))),
                }
                if let Ok(amount) = amount {
                    amounts.push(amount);
                }
            }
            let exact_total: i128 = amounts.iter().map(|a| i128::from(a.minor())).sum();
            let total = Money::sum_checked(amounts.iter().copied());
            match i64::try_from(exact_total) {
                Ok(fits) => prop_assert_eq!(total, Ok(Money::from_minor(fits))),
                Err(_) => prop_assert_eq!(total, Err(AmountTooLarge(exact_total))),
            }
            let folded = amounts.iter().try_fold(Money::ZERO, |sum, a| sum.checked_add(*a));
            if let Ok(folded) = folded {
                prop_assert_eq!(Ok(folded), total);
            }
        }
    }
}
