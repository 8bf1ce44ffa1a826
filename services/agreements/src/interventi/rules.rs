//! The intervento's rules, pure: what a new intervento and a change of its fields must be.

use apq_domain::Euro;

/// What the intervento's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterventoError {
    #[error("a code is 1-50 upper-case letters, digits and dashes")]
    Code,
    #[error("a title is 1-500 characters")]
    Title,
    #[error("a cost cannot be negative")]
    NegativeCost,
    #[error("there is no atto integrativo {0}")]
    NoAtto(uuid::Uuid),
}

impl InterventoError {
    /// The input field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            InterventoError::Code => "code",
            InterventoError::Title => "title",
            InterventoError::NegativeCost => "total_cost",
            InterventoError::NoAtto(_) => "atto_id",
        }
    }
}

/// An intervento's code: 1-50 upper-case letters, digits and dashes.
fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 50
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

/// A title: 1-500 characters, not blank.
pub fn check_title(title: &str) -> Result<(), InterventoError> {
    if title.trim().is_empty() || title.chars().count() > 500 {
        return Err(InterventoError::Title);
    }
    Ok(())
}

/// Everything wrong with a new intervento's code, title and cost, in field order.
pub fn check_new(code: &str, title: &str, total_cost: Euro) -> Vec<InterventoError> {
    let mut errors = Vec::new();
    if !valid_code(code) {
        errors.push(InterventoError::Code);
    }
    if let Err(error) = check_title(title) {
        errors.push(error);
    }
    if total_cost.is_negative() {
        errors.push(InterventoError::NegativeCost);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn euro(raw: &str) -> Euro {
        Euro::parse(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_new_intervento_is_checked_field_by_field() {
        use InterventoError as E;
        let long_title = "t".repeat(501);
        let cases: &[(&str, &str, &str, &[InterventoError])] = &[
            ("CSTT-ALI", "Centro servizi", "1892850.00", &[]),
            ("A1", &"è".repeat(500), "0.00", &[]),
            ("", "x", "1.00", &[E::Code]),
            ("cstt", "x", "1.00", &[E::Code]),
            ("CSTT ALI", "x", "1.00", &[E::Code]),
            (&"A".repeat(51), "x", "1.00", &[E::Code]),
            ("A", "  ", "1.00", &[E::Title]),
            ("A", &long_title, "1.00", &[E::Title]),
            ("A", "x", "-0.01", &[E::NegativeCost]),
            ("a", "", "-1.00", &[E::Code, E::Title, E::NegativeCost]),
        ];
        for (code, title, cost, expected) in cases {
            assert_eq!(
                check_new(code, title, euro(cost)),
                expected.to_vec(),
                "{code} {cost}"
            );
        }
    }
}
