//! A percentage between 0 and 100 with at most two decimals, as a string in JSON ("50.00").

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Percent(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PercentError {
    #[error(
        "a percentage is a decimal string between 0 and 100 with at most two decimals (e.g. \"50.00\"), got \"{0}\""
    )]
    Syntax(String),
    #[error("a percentage lies between 0 and 100, got {0}")]
    OutOfRange(String),
}

impl Percent {
    pub const ZERO: Percent = Percent(Decimal::ZERO);
    pub const HUNDRED: Percent = Percent(Decimal::ONE_HUNDRED);

    pub fn parse(raw: &str) -> Result<Self, PercentError> {
        let valid_chars = !raw.is_empty() && raw.chars().all(|c| c.is_ascii_digit() || c == '.');
        let value: Decimal = if valid_chars {
            raw.parse()
                .map_err(|_| PercentError::Syntax(raw.to_owned()))?
        } else {
            return Err(PercentError::Syntax(raw.to_owned()));
        };
        Self::from_decimal(value).map_err(|e| match e {
            PercentError::Syntax(_) => PercentError::Syntax(raw.to_owned()),
            other => other,
        })
    }

    pub fn from_decimal(value: Decimal) -> Result<Self, PercentError> {
        let normalized = value.normalize();
        if normalized.scale() > 2 {
            return Err(PercentError::Syntax(value.to_string()));
        }
        if normalized < Decimal::ZERO || normalized > Decimal::ONE_HUNDRED {
            return Err(PercentError::OutOfRange(value.to_string()));
        }
        let mut scaled = normalized;
        scaled.rescale(2);
        Ok(Self(scaled))
    }

    /// `part / whole` as a percentage, rounded half-even to two decimals; `None` when `whole` is zero
    /// or the ratio falls outside 0..=100.
    pub fn ratio(part: Decimal, whole: Decimal) -> Option<Self> {
        if whole.is_zero() {
            return None;
        }
        let value = (part * Decimal::ONE_HUNDRED / whole)
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
        Self::from_decimal(value).ok()
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }
}

impl TryFrom<String> for Percent {
    type Error = PercentError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Percent> for String {
    fn from(p: Percent) -> Self {
        p.0.to_string()
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl utoipa::PartialSchema for Percent {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^(100(\\.0{1,2})?|[0-9]{1,2}(\\.[0-9]{1,2})?)$"))
            .max_length(Some(6))
            .description(Some("A percentage between 0 and 100, at most two decimals"))
            .examples(["50.00"])
            .into()
    }
}

impl utoipa::ToSchema for Percent {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_bounds() {
        assert_eq!(
            Percent::parse("50").map(String::from),
            Ok("50.00".to_owned())
        );
        assert_eq!(
            Percent::parse("50.01").map(String::from),
            Ok("50.01".to_owned())
        );
        assert!(matches!(
            Percent::parse("100.01"),
            Err(PercentError::OutOfRange(_))
        ));
        assert!(matches!(Percent::parse("-1"), Err(PercentError::Syntax(_))));
        assert!(matches!(
            Percent::parse("50.001"),
            Err(PercentError::Syntax(_))
        ));
    }

    #[test]
    fn ratio_of_comuni() {
        let share = Percent::ratio(Decimal::from(42), Decimal::from(138));
        assert_eq!(share.map(String::from), Some("30.43".to_owned()));
        assert_eq!(Percent::ratio(Decimal::ONE, Decimal::ZERO), None);
    }
}
