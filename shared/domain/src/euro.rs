//! Money in euro: exact, two decimals, `{"amount": "1892850.00", "currency": "EUR"}` in JSON.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount in euro with exactly two decimals (cents). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Euro(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EuroError {
    #[error(
        "an amount is a decimal string with at most two decimals (e.g. \"1892850.00\"), got \"{0}\""
    )]
    Syntax(String),
    #[error("an amount has at most two decimals (cents), got \"{0}\"")]
    TooPrecise(String),
    #[error("the currency must be \"EUR\", got \"{0}\"")]
    Currency(String),
    #[error("an amount has at most 13 digits before the decimal point, got \"{0}\"")]
    TooLarge(String),
}

impl Euro {
    pub const ZERO: Euro = Euro(Decimal::ZERO);

    /// Parses a decimal string such as `"584745.76"`; refuses more than two decimals rather than rounding.
    pub fn parse(raw: &str) -> Result<Self, EuroError> {
        let trimmed = raw.trim();
        let valid_chars = !trimmed.is_empty()
            && trimmed
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'));
        if !valid_chars {
            return Err(EuroError::Syntax(raw.to_owned()));
        }
        let value = Decimal::from_str(trimmed).map_err(|_| EuroError::Syntax(raw.to_owned()))?;
        Self::from_decimal(value).map_err(|e| match e {
            EuroError::TooLarge(_) => EuroError::TooLarge(raw.to_owned()),
            _ => EuroError::TooPrecise(raw.to_owned()),
        })
    }

    /// The largest amount the register stores (NUMERIC(15,2)).
    pub const MAX_UNITS: i64 = 9_999_999_999_999;

    /// An exact decimal with at most two decimals and 13 integer digits.
    pub fn from_decimal(value: Decimal) -> Result<Self, EuroError> {
        let normalized = value.normalize();
        if normalized.scale() > 2 {
            return Err(EuroError::TooPrecise(value.to_string()));
        }
        if normalized.abs().trunc() > Decimal::from(Self::MAX_UNITS) {
            return Err(EuroError::TooLarge(value.to_string()));
        }
        let mut cents = normalized;
        cents.rescale(2);
        Ok(Self(cents))
    }

    /// From a whole number of cents.
    pub fn from_cents(cents: i64) -> Self {
        Self(Decimal::new(cents, 2))
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    pub fn checked_add(self, other: Euro) -> Option<Euro> {
        self.0.checked_add(other.0).map(Euro)
    }

    /// `percent`% of this amount, rounded half-even to the cent.
    pub fn percent_of(self, percent: crate::Percent) -> Euro {
        let mut value = self.0 * percent.decimal() / Decimal::ONE_HUNDRED;
        value =
            value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
        value.rescale(2);
        Euro(value)
    }
}

impl Add for Euro {
    type Output = Euro;
    fn add(self, other: Euro) -> Euro {
        Euro(self.0 + other.0)
    }
}

impl Sub for Euro {
    type Output = Euro;
    fn sub(self, other: Euro) -> Euro {
        Euro(self.0 - other.0)
    }
}

impl Sum for Euro {
    fn sum<I: Iterator<Item = Euro>>(iter: I) -> Euro {
        iter.fold(Euro::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Euro> for Euro {
    fn sum<I: Iterator<Item = &'a Euro>>(iter: I) -> Euro {
        iter.copied().sum()
    }
}

/// Italian notation, as the seed prints it: `1.892.850,00`.
impl fmt::Display for Euro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut cents = self.0.abs();
        cents.rescale(2);
        let plain = cents.to_string();
        let (units, cents) = plain.split_once('.').unwrap_or((plain.as_str(), "00"));
        let mut grouped = String::new();
        for (i, digit) in units.chars().enumerate() {
            if i > 0 && (units.len() - i) % 3 == 0 {
                grouped.push('.');
            }
            grouped.push(digit);
        }
        let sign = if self.is_negative() { "-" } else { "" };
        write!(f, "{sign}{grouped},{cents}")
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EuroJson {
    amount: String,
    currency: String,
}

impl Serialize for Euro {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut cents = self.0;
        cents.rescale(2);
        EuroJson {
            amount: cents.to_string(),
            currency: "EUR".to_owned(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Euro {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = EuroJson::deserialize(deserializer)?;
        if json.currency != "EUR" {
            return Err(serde::de::Error::custom(EuroError::Currency(json.currency)));
        }
        Euro::parse(&json.amount).map_err(serde::de::Error::custom)
    }
}

fn euro_schema(
    description: &str,
    pattern: &str,
    max_length: usize,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::ObjectBuilder;
    use utoipa::openapi::schema::Type;
    ObjectBuilder::new()
        .description(Some(description))
        .property(
            "amount",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(pattern))
                .max_length(Some(max_length))
                .examples(["1892850.00"]),
        )
        .required("amount")
        .property(
            "currency",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["EUR"]))
                .max_length(Some(3))
                .examples(["EUR"]),
        )
        .required("currency")
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .into()
}

impl utoipa::PartialSchema for Euro {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        euro_schema(
            "An amount of money in euro (ISO 4217), exact to the cent",
            "^-?[0-9]{1,13}\\.[0-9]{2}$",
            17,
        )
    }
}

impl utoipa::ToSchema for Euro {}

/// The schema of an amount the API refuses below zero (a cost, a commitment, a payment): a
/// [`Euro`] without the sign. A field says it with `#[schema(value_type = NonNegativeEuro)]`.
pub struct NonNegativeEuro;

impl utoipa::PartialSchema for NonNegativeEuro {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        euro_schema(
            "An amount of money in euro (ISO 4217), exact to the cent, not below zero",
            "^[0-9]{1,13}\\.[0-9]{2}$",
            16,
        )
    }
}

impl utoipa::ToSchema for NonNegativeEuro {}

/// The schema of an amount the API refuses unless above zero (an event's amount, whose
/// direction its type says). A field says it with `#[schema(value_type = PositiveEuro)]`.
pub struct PositiveEuro;

impl utoipa::PartialSchema for PositiveEuro {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        euro_schema(
            "An amount of money in euro (ISO 4217), exact to the cent, above zero",
            "^([1-9][0-9]{0,12}\\.[0-9]{2}|0\\.(0[1-9]|[1-9][0-9]))$",
            16,
        )
    }
}

impl utoipa::ToSchema for PositiveEuro {}

/// The schema of a sum of amounts (a budget, a Tavola's total): each amount is within
/// [`Euro`]'s 13 integer digits, their sum may not be. A field says it with
/// `#[schema(value_type = EuroTotal)]`.
pub struct EuroTotal;

impl utoipa::PartialSchema for EuroTotal {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        euro_schema(
            "A sum of amounts in euro (ISO 4217), exact to the cent",
            "^-?[0-9]{1,20}\\.[0-9]{2}$",
            24,
        )
    }
}

impl utoipa::ToSchema for EuroTotal {}

#[cfg(test)]
mod tests {
    use super::*;

    fn euro(raw: &str) -> Euro {
        Euro::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    #[test]
    fn tavola_1_adds_up_to_the_cent() {
        let parts = [
            euro("584745.76"),
            euro("175500"),
            euro("1132604.24"),
            euro("0"),
        ];
        let total: Euro = parts.iter().sum();
        assert_eq!(total, euro("1892850.00"));
        assert_eq!(total.to_string(), "1.892.850,00");
    }

    #[test]
    fn serializes_as_amount_and_currency() {
        let json = serde_json::to_value(euro("1892850")).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"amount": "1892850.00", "currency": "EUR"})
        );
        let back: Euro = serde_json::from_value(json).unwrap_or_default();
        assert_eq!(back, euro("1892850.00"));
    }

    #[test]
    fn refuses_fractions_of_a_cent_and_other_currencies() {
        assert_eq!(
            Euro::parse("1.005"),
            Err(EuroError::TooPrecise("1.005".to_owned()))
        );
        assert!(matches!(Euro::parse("1e3"), Err(EuroError::Syntax(_))));
        assert!(matches!(Euro::parse("12,50"), Err(EuroError::Syntax(_))));
        let usd = serde_json::from_str::<Euro>(r#"{"amount": "1.00", "currency": "USD"}"#);
        assert!(usd.is_err_and(|e| e.to_string().contains("EUR")));
        assert!(serde_json::from_str::<Euro>(r#"{"amount": 1.0, "currency": "EUR"}"#).is_err());
    }

    #[test]
    fn zero_and_sums_serialize_with_cents_and_huge_amounts_are_refused() {
        let json = serde_json::to_value(Euro::ZERO).unwrap_or_default();
        assert_eq!(json["amount"], "0.00");
        let empty: Euro = Vec::<Euro>::new().into_iter().sum();
        assert_eq!(empty.to_string(), "0,00");
        assert!(matches!(
            Euro::parse("747726522043863.05"),
            Err(EuroError::TooLarge(_))
        ));
        assert!(Euro::parse("9999999999999.99").is_ok());
    }

    #[test]
    fn trailing_zeros_beyond_cents_are_fine() {
        assert_eq!(euro("10.500"), euro("10.50"));
    }

    #[test]
    fn percent_of_rounds_to_the_cent() {
        let cap = crate::Percent::parse("50").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(euro("1892850.00").percent_of(cap), euro("946425.00"));
        let third = crate::Percent::parse("33.33").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(euro("100.01").percent_of(third), euro("33.33"));
    }
}
