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

/// A measured value, a baseline or a target: a non-negative decimal with at most 13 integer
/// digits and two decimals (what the column holds), written without a sign.
pub fn parse_value(raw: &str) -> Result<Decimal, IndicatorError> {
    let digits = |part: &str, max: usize| {
        (1..=max).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
    };
    let shaped = match raw.split_once('.') {
        Some((units, cents)) => digits(units, 13) && digits(cents, 2),
        None => digits(raw, 13),
    };
    if !shaped {
        return Err(IndicatorError::Value);
    }
    raw.parse().map_err(|_| IndicatorError::Value)
}

/// What is wrong with a new indicator, by field.
pub fn new_indicator_errors(new: &super::json::NewIndicator) -> Vec<apq_platform::FieldError> {
    use apq_platform::FieldError;
    let one_line = |v: &str, max: usize| {
        !v.trim().is_empty() && v.chars().count() <= max && !v.contains(['\n', '\r', '\0'])
    };
    let mut errors = Vec::new();
    if new.code.is_empty()
        || new.code.len() > 20
        || !new
            .code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        errors.push(FieldError::new("code", "1 to 20 letters, digits or -"));
    }
    if !one_line(&new.name, 255) {
        errors.push(FieldError::new("name", "1 to 255 characters on one line"));
    }
    if !one_line(&new.unit, 40) {
        errors.push(FieldError::new("unit", "1 to 40 characters on one line"));
    }
    for (field, value) in [("baseline", &new.baseline), ("target", &new.target)] {
        if value.as_deref().is_some_and(|v| parse_value(v).is_err()) {
            errors.push(FieldError::new(field, IndicatorError::Value));
        }
    }
    errors
}

/// A period of verified operation does not end before it starts.
pub fn check_period(from: NaiveDate, to: NaiveDate) -> Result<(), IndicatorError> {
    if to < from {
        Err(IndicatorError::PeriodEnds)
    } else {
        Ok(())
    }
}

/// Whole months in [from, to]: the largest m with from + m months <= the day after `to` (a
/// period from 1 January to 31 December is 12 months).
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> i32 {
    let end = to.succ_opt().unwrap_or(to);
    let mut months = 0;
    while months < 1200
        && from
            .checked_add_months(chrono::Months::new(months + 1))
            .is_some_and(|d| d <= end)
    {
        months += 1;
    }
    i32::try_from(months).unwrap_or(0)
}

/// Whether the latest value reaches the target: never when either is unknown.
pub fn target_reached(latest: Option<Decimal>, target: Option<Decimal>) -> bool {
    latest.zip(target).is_some_and(|(v, t)| v >= t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::json::NewIndicator;

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
            ("+1", Err(IndicatorError::Value)),
            ("1234567890123.99", Ok(Decimal::new(123_456_789_012_399, 2))),
            ("12345678901234", Err(IndicatorError::Value)),
            ("1_000", Err(IndicatorError::Value)),
            ("1.", Err(IndicatorError::Value)),
            (".5", Err(IndicatorError::Value)),
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

    #[test]
    fn a_new_indicator_is_checked_field_by_field() {
        let good = NewIndicator {
            code: "IND-17".to_owned(),
            name: "Comuni con il servizio attivo".to_owned(),
            unit: "numero".to_owned(),
            intervento_code: "GEOSIGMA".to_owned(),
            baseline: Some("0".to_owned()),
            target: Some("286".to_owned()),
        };
        assert!(new_indicator_errors(&good).is_empty());
        for (field, change) in [
            (
                "code",
                (|n: &mut NewIndicator| n.code = "IND 17".to_owned()) as fn(&mut NewIndicator),
            ),
            ("name", |n| n.name = " ".to_owned()),
            ("unit", |n| n.unit = "a\nb".to_owned()),
            ("baseline", |n| n.baseline = Some("-1".to_owned())),
            ("target", |n| n.target = Some("1.005".to_owned())),
            ("target", |n| n.target = Some("12345678901234".to_owned())),
        ] {
            let mut bad = good.clone();
            change(&mut bad);
            let errors = new_indicator_errors(&bad);
            assert_eq!(errors.len(), 1, "{field}: {errors:?}");
            assert_eq!(errors[0].field, field);
        }
    }

    #[test]
    fn twelve_months_of_operation() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(whole_months(d(2010, 1, 1), d(2010, 12, 31)), 12);
        assert_eq!(whole_months(d(2010, 1, 1), d(2010, 12, 30)), 11);
        assert_eq!(whole_months(d(2010, 3, 15), d(2011, 3, 14)), 12);
        assert_eq!(whole_months(d(2010, 3, 15), d(2011, 3, 13)), 11);
        assert_eq!(whole_months(d(2010, 1, 1), d(2010, 1, 31)), 1);
    }

    #[test]
    fn a_target_is_reached_only_when_both_values_are_known() {
        let v = |n: i64| Some(Decimal::new(n, 0));
        let cases = [
            (v(10), v(8), true),
            (v(8), v(8), true),
            (v(7), v(8), false),
            (None, v(8), false),
            (v(10), None, false),
            (None, None, false),
        ];
        for (latest, target, reached) in cases {
            assert_eq!(
                target_reached(latest, target),
                reached,
                "{latest:?} {target:?}"
            );
        }
    }
}
