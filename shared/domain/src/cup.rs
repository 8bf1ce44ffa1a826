//! Codice Unico di Progetto: an opaque identifier assigned by the CUP system.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A CUP (Codice Unico di Progetto), e.g. `D53G07000070002`.
///
/// Validated against `^[A-Z][0-9]{2}[A-Z][0-9]{11}$` and otherwise treated as opaque: it is never
/// computed, upper-cased, trimmed or otherwise "fixed".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cup(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CupError {
    #[error("a CUP has 15 characters, this one has {0}")]
    Length(usize),
    #[error(
        "a CUP is a letter, two digits, a letter and eleven digits (e.g. D53G07000070002); character {position} ('{found}') should be {expected}"
    )]
    Character {
        position: usize,
        found: char,
        expected: &'static str,
    },
}

impl Cup {
    pub fn parse(raw: &str) -> Result<Self, CupError> {
        let count = raw.chars().count();
        if count != 15 {
            return Err(CupError::Length(count));
        }
        for (index, found) in raw.chars().enumerate() {
            let letter = matches!(index, 0 | 3);
            let ok = if letter {
                found.is_ascii_uppercase()
            } else {
                found.is_ascii_digit()
            };
            if !ok {
                return Err(CupError::Character {
                    position: index + 1,
                    found,
                    expected: if letter {
                        "an upper-case letter"
                    } else {
                        "a digit"
                    },
                });
            }
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Cup {
    type Error = CupError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Cup> for String {
    fn from(cup: Cup) -> Self {
        cup.0
    }
}

impl fmt::Display for Cup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl utoipa::PartialSchema for Cup {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[A-Z][0-9]{2}[A-Z][0-9]{11}$"))
            .min_length(Some(15))
            .max_length(Some(15))
            .description(Some("Codice Unico di Progetto"))
            .examples(["D53G07000070002"])
            .into()
    }
}

impl utoipa::ToSchema for Cup {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_cstt_cup() {
        assert_eq!(
            Cup::parse("D53G07000070002").map(|c| c.to_string()),
            Ok("D53G07000070002".to_owned())
        );
    }

    #[test]
    fn rejects_without_fixing() {
        assert_eq!(
            Cup::parse("d53G07000070002"),
            Err(CupError::Character {
                position: 1,
                found: 'd',
                expected: "an upper-case letter"
            })
        );
        assert_eq!(Cup::parse(" D53G07000070002"), Err(CupError::Length(16)));
        assert_eq!(Cup::parse("D53G0700007000"), Err(CupError::Length(14)));
        assert!(matches!(
            Cup::parse("D53G0700007000X"),
            Err(CupError::Character { position: 15, .. })
        ));
        assert!(matches!(
            Cup::parse("D5XG07000070002"),
            Err(CupError::Character { position: 3, .. })
        ));
    }

    #[test]
    fn deserializes_only_valid_values() {
        assert!(serde_json::from_str::<Cup>("\"D53G07000070002\"").is_ok());
        let err = serde_json::from_str::<Cup>("\"D53-G07\"")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("15 characters"), "{err}");
    }
}
