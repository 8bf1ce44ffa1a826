//! The verifications' rules, pure: what is verified and who records it, and a verification
//! names its act and who made it ([`VerificationError`]).

use apq_domain::{Role, text_enum};

text_enum!(
    /// What was verified.
    VerificationKind {
        PianoApproved = "piano_approved",
        Admissibility = "admissibility",
        Completion = "completion",
    }
);

impl VerificationKind {
    /// Who records it: CNIPA approves the Piano and verifies admissibility (admin may record
    /// CNIPA's act); the completion is also the Regione's to record.
    pub fn recorders(self) -> &'static [Role] {
        match self {
            VerificationKind::PianoApproved | VerificationKind::Admissibility => {
                &[Role::Cnipa, Role::Admin]
            }
            VerificationKind::Completion => &[Role::Cnipa, Role::Admin, Role::ResponsabileAccordo],
        }
    }
}

/// What the verifications' rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerificationError {
    #[error("name the act that records it")]
    NoAct,
    #[error("say who made the verification")]
    NoVerifier,
}

impl VerificationError {
    /// The input field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            VerificationError::NoAct => "act_ref",
            VerificationError::NoVerifier => "verified_by",
        }
    }
}

/// A new verification names its act and who made it (the first missing is refused).
pub fn check_new(act_ref: &str, verified_by: &str) -> Result<(), VerificationError> {
    if act_ref.trim().is_empty() {
        return Err(VerificationError::NoAct);
    }
    if verified_by.trim().is_empty() {
        return Err(VerificationError::NoVerifier);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verification_names_its_act_and_who_made_it() {
        use VerificationError as E;
        let cases = [
            ("DD 123/2010", "CNIPA", Ok(())),
            (" ", "CNIPA", Err(E::NoAct)),
            ("DD 123/2010", "", Err(E::NoVerifier)),
            ("", "\t", Err(E::NoAct)),
        ];
        for (act_ref, verified_by, expected) in cases {
            assert_eq!(
                check_new(act_ref, verified_by),
                expected,
                "{act_ref:?} {verified_by:?}"
            );
        }
    }
}
