//! The indicators' rules, pure: what a measured value and a period of verified operation must
//! be ([`IndicatorError`]).

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// What the indicators' rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    #[error("a non-negative decimal with at most two decimals")]
    Value,
    #[error("a period cannot end before it starts")]
    PeriodEnds,
}

impl IndicatorError {
    /// The input field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            IndicatorError::Value => "value",
            IndicatorError::PeriodEnds => "verified_to",
        }
    }
}

/// A measured value: a non-negative decimal with at most two decimals.
pub fn parse_value(raw: &str) -> Result<Decimal, IndicatorError> {
    raw.parse()
        .ok()
        .filter(|v: &Decimal| !v.is_sign_negative() && v.scale() <= 2)
        .ok_or(IndicatorError::Value)
}

/// A period of verified operation does not end before it starts.
pub fn check_period(from: NaiveDate, to: NaiveDate) -> Result<(), IndicatorError> {
    if to < from {
        Err(IndicatorError::PeriodEnds)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_non_negative_with_two_decimals_at_most() {
        let cases = [
            ("42", Ok(Decimal::new(42, 0))),
            ("30.5", Ok(Decimal::new(305, 1))),
            ("0.25", Ok(Decimal::new(25, 2))),
            ("0.125", Err(IndicatorError::Value)),
            ("-1", Err(IndicatorError::Value)),
            ("abc", Err(IndicatorError::Value)),
            ("", Err(IndicatorError::Value)),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse_value(raw), expected, "{raw}");
        }
    }

    #[test]
    fn a_period_does_not_end_before_it_starts() {
        let day = |d| NaiveDate::from_ymd_opt(2010, 1, d).unwrap_or_default();
        assert_eq!(check_period(day(1), day(31)), Ok(()));
        assert_eq!(check_period(day(1), day(1)), Ok(()));
        assert_eq!(
            check_period(day(2), day(1)),
            Err(IndicatorError::PeriodEnds)
        );
    }
}
