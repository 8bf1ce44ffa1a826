//! The codice fiscale (DPR 605/1973), checked with its control character: 16 characters for a
//! person (omocodia letters accepted where digits stand), 11 digits for a body (the same number
//! as its partita IVA). A public body without one of its own may be sent with a 16th character
//! `*` by the national monitoring (PUC) and is not a codice fiscale here.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A codice fiscale whose control character holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodiceFiscale(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodiceFiscaleError {
    #[error(
        "a codice fiscale has 16 characters (a person) or 11 digits (a body), this one has {0}"
    )]
    Length(usize),
    #[error("character {position} ('{found}') is not allowed there")]
    Character { position: usize, found: char },
    #[error("the control character is {found}, it should be {expected}")]
    Control { found: char, expected: char },
}

/// The value of a character in an odd position (1st, 3rd, ...) of a person's code.
fn odd_value(c: char) -> u32 {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let index = match c {
        '0'..='9' => c as u32 - '0' as u32,
        _ => c as u32 - 'A' as u32,
    };
    ODD[index as usize % 26]
}

/// The value of a character in an even position of a person's code.
fn even_value(c: char) -> u32 {
    match c {
        '0'..='9' => c as u32 - '0' as u32,
        _ => c as u32 - 'A' as u32,
    }
}

/// Where a person's code has digits (0-based), which omocodia may replace by L-V.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
const OMOCODIA: &str = "LMNPQRSTUV";

fn check_person(code: &[char]) -> Result<(), CodiceFiscaleError> {
    for (i, &c) in code.iter().enumerate() {
        let allowed = if DIGIT_POSITIONS.contains(&i) {
            c.is_ascii_digit() || OMOCODIA.contains(c)
        } else {
            c.is_ascii_uppercase()
        };
        if !allowed {
            return Err(CodiceFiscaleError::Character {
                position: i + 1,
                found: c,
            });
        }
    }
    let sum: u32 = code[..15]
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i % 2 == 0 {
                odd_value(c)
            } else {
                even_value(c)
            }
        })
        .sum();
    let expected = char::from(b'A' + (sum % 26) as u8);
    if code[15] == expected {
        Ok(())
    } else {
        Err(CodiceFiscaleError::Control {
            found: code[15],
            expected,
        })
    }
}

fn check_body(code: &[char]) -> Result<(), CodiceFiscaleError> {
    let mut digits = Vec::with_capacity(11);
    for (i, &c) in code.iter().enumerate() {
        match c.to_digit(10) {
            Some(d) => digits.push(d),
            None => {
                return Err(CodiceFiscaleError::Character {
                    position: i + 1,
                    found: c,
                });
            }
        }
    }
    let sum: u32 = digits[..10]
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                d
            } else {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            }
        })
        .sum();
    let expected = (10 - sum % 10) % 10;
    if digits[10] == expected {
        Ok(())
    } else {
        Err(CodiceFiscaleError::Control {
            found: code[10],
            expected: char::from_digit(expected, 10).unwrap_or('0'),
        })
    }
}

impl CodiceFiscale {
    /// Parses a codice fiscale (letters in any case; spaces around it are ignored).
    pub fn parse(raw: &str) -> Result<Self, CodiceFiscaleError> {
        let code: Vec<char> = raw.trim().to_ascii_uppercase().chars().collect();
        match code.len() {
            16 => check_person(&code)?,
            11 => check_body(&code)?,
            other => return Err(CodiceFiscaleError::Length(other)),
        }
        Ok(Self(code.into_iter().collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is a body's numeric code (11 digits) rather than a person's.
    pub fn is_numeric(&self) -> bool {
        self.0.len() == 11
    }
}

impl fmt::Display for CodiceFiscale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CodiceFiscale {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CodiceFiscale {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for CodiceFiscale {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .pattern(Some(
                "^([A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]|[0-9]{11})$",
            ))
            .description(Some(
                "A codice fiscale: 16 characters for a person, 11 digits for a body; its control character is checked",
            ))
            .examples(["01386030488"])
            .into()
    }
}

impl utoipa::ToSchema for CodiceFiscale {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_by_their_control_character() {
        // (code, valid?)
        let cases = [
            ("01386030488", true),  // Regione Toscana
            ("01386030489", false), // its last digit changed
            ("RSSMRA85T10A562S", true),
            ("rssmra85t10a562s", true),
            ("RSSMRA85T10A562T", false),
            ("RSSMRAURTMLARSNL", true), // omocodia: letters where digits stand
            ("RSSMRAURTMLARSNM", false),
            ("RSSMRA85T10A56", false),
            ("0138603048A", false),
            ("RSSMRA8XT10A562S", false),
        ];
        for (code, valid) in cases {
            assert_eq!(CodiceFiscale::parse(code).is_ok(), valid, "{code}");
        }
        assert_eq!(
            CodiceFiscale::parse("01386030489"),
            Err(CodiceFiscaleError::Control {
                found: '9',
                expected: '8'
            })
        );
        assert!(
            CodiceFiscale::parse("01386030488")
                .map(|c| c.is_numeric())
                .unwrap_or(false)
        );
    }
}
