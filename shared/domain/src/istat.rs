//! ISTAT code of a comune: six digits (two of region or province, then the comune).

use std::fmt;

use serde::{Deserialize, Serialize};

/// ISTAT code of a comune, e.g. `048017` (Firenze). Always six ASCII digits, leading zeros kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IstatCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IstatCodeError {
    #[error("an ISTAT code has exactly 6 digits (e.g. 048017), got {0} characters")]
    Length(usize),
    #[error("an ISTAT code has only digits (e.g. 048017), found '{0}'")]
    NotDigit(char),
}

impl IstatCode {
    pub fn parse(raw: &str) -> Result<Self, IstatCodeError> {
        if let Some(bad) = raw.chars().find(|c| !c.is_ascii_digit()) {
            return Err(IstatCodeError::NotDigit(bad));
        }
        if raw.len() != 6 {
            return Err(IstatCodeError::Length(raw.len()));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The three-digit province code (e.g. `048` for Firenze).
    pub fn province(&self) -> &str {
        &self.0[..3]
    }
}

impl TryFrom<String> for IstatCode {
    type Error = IstatCodeError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<IstatCode> for String {
    fn from(code: IstatCode) -> Self {
        code.0
    }
}

impl fmt::Display for IstatCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl utoipa::PartialSchema for IstatCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9]{6}$"))
            .min_length(Some(6))
            .max_length(Some(6))
            .description(Some("ISTAT code of a comune (6 digits)"))
            .examples(["048017"])
            .into()
    }
}

impl utoipa::ToSchema for IstatCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_six_digits() {
        let code = IstatCode::parse("048017").map(|c| c.province().to_owned());
        assert_eq!(code, Ok("048".to_owned()));
    }

    #[test]
    fn rejects_others() {
        assert_eq!(IstatCode::parse("48017"), Err(IstatCodeError::Length(5)));
        assert_eq!(IstatCode::parse("0480170"), Err(IstatCodeError::Length(7)));
        assert_eq!(
            IstatCode::parse("04801A"),
            Err(IstatCodeError::NotDigit('A'))
        );
        assert_eq!(IstatCode::parse(""), Err(IstatCodeError::Length(0)));
    }
}
