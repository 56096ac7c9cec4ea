//! The rules every line of a trade document keeps (an order's, a quote's, a purchase's), whether it is
//! typed in a form or read from a file: what a quantity, a price and an amount may be, and a total.

use crate::error::Reason;
use crate::money::Money;
use crate::quantity::Quantity;

/// A line's quantity: a number greater than zero (returns are their own documents), within the bound
/// of what may be entered.
pub fn quantity(text: &str) -> Result<Quantity, Reason> {
    match text.trim().parse::<Quantity>() {
        Ok(quantity) if quantity.is_positive() => Ok(quantity),
        Ok(quantity) => Err(Reason::NotPositive { value: quantity.to_string() }),
        Err(e) => Err(e.into()),
    }
}

/// A unit price or cost: not negative, within the bound; `None` when left empty, so the document's own
/// default applies (the customer's price, the product's cost), or the caller says it is required.
pub fn price(text: &str) -> Result<Option<Money>, Reason> {
    match text.trim() {
        "" => Ok(None),
        text => match text.parse::<Money>() {
            Ok(money) if money.is_negative() => Err(Reason::Negative { value: money.to_string() }),
            Ok(money) => Ok(Some(money)),
            Err(e) => Err(e.into()),
        },
    }
}

/// A line's amount: quantity × price, rounded once (half away from zero); refused when it does not fit.
pub fn amount(quantity: Quantity, price: Money) -> Result<Money, Reason> {
    quantity.times(price).map_err(Reason::from)
}

/// A document's total: the sum of its rounded lines; refused when it does not fit.
pub fn total(amounts: impl IntoIterator<Item = Money>) -> Result<Money, Reason> {
    Money::sum_checked(amounts).map_err(Reason::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_positive_and_bounded() {
        assert_eq!(quantity(" 1.5 ").unwrap(), "1.5".parse().unwrap());
        assert_eq!(quantity("0").unwrap_err().code(), "not_positive");
        assert_eq!(quantity("-2").unwrap_err().code(), "not_positive");
        assert_eq!(quantity("abc").unwrap_err().code(), "bad_quantity");
        assert_eq!(quantity("900000000000").unwrap_err().code(), "too_large");
    }

    #[test]
    fn prices_are_not_negative_may_be_empty_and_are_bounded() {
        assert_eq!(price("").unwrap(), None);
        assert_eq!(price("0").unwrap(), Some(Money::ZERO));
        assert_eq!(price("1,280.00").unwrap(), Some("1280".parse().unwrap()));
        assert_eq!(price("-1").unwrap_err().code(), "negative");
        assert_eq!(price("x").unwrap_err().code(), "bad_money");
        assert_eq!(price("900000000000").unwrap_err().code(), "too_large");
    }

    #[test]
    fn amounts_round_once_and_totals_are_checked() {
        let third: Quantity = "0.333".parse().unwrap();
        assert_eq!(amount(third, "168".parse().unwrap()).unwrap(), "55.94".parse().unwrap());
        assert_eq!(total([Money::MAX, "0.01".parse().unwrap()]).unwrap_err().code(), "too_large");
    }
}
