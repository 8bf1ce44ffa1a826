//! The rules of marking a tranche eligible, pure (the conditions themselves are evaluated in
//! `eligibility.rs`): a tranche is marked only when every condition holds, and the caller's
//! authority is passed on ([`MarkError`]).

use super::TrancheEligibility;

/// What marking a tranche refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkError {
    #[error("tranche {seq} of {code} is not eligible: {}", failing.join("; "))]
    NotEligible {
        seq: i32,
        code: String,
        failing: Vec<String>,
    },
}

/// `Ok` when every condition of `tranche` (of the intervento `code`) holds; else the
/// conditions that do not, with their figures.
pub fn check_eligible(code: &str, tranche: &TrancheEligibility) -> Result<(), MarkError> {
    if tranche.eligible {
        return Ok(());
    }
    Err(MarkError::NotEligible {
        seq: tranche.seq,
        code: code.to_owned(),
        failing: tranche
            .checks
            .iter()
            .filter(|c| !c.holds)
            .map(|c| format!("{}: {} (needs {})", c.condition, c.figure, c.required))
            .collect(),
    })
}

/// The token of an `Authorization` header (`Bearer <token>`), passed on; empty when none.
pub fn bearer(authorization: Option<&str>) -> String {
    authorization
        .and_then(|v| v.split_once(' ').map(|(_, t)| t.trim().to_owned()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::ConditionCheck;
    use super::*;
    use apq_domain::{Euro, Percent};

    fn check(condition: &str, holds: bool) -> ConditionCheck {
        ConditionCheck {
            condition: condition.into(),
            holds,
            figure: "10%".into(),
            required: "30%".into(),
            figure_it: String::new(),
            required_it: String::new(),
        }
    }

    fn tranche(checks: Vec<ConditionCheck>) -> TrancheEligibility {
        TrancheEligibility {
            seq: 2,
            share: Percent::from_decimal(rust_decimal::Decimal::new(30, 0))
                .unwrap_or_else(|e| panic!("{e}")),
            amount: Euro::ZERO,
            state: "planned".into(),
            condition: "SAL 30%".into(),
            eligible: checks.iter().all(|c| c.holds),
            checks,
        }
    }

    #[test]
    fn a_tranche_is_marked_only_when_every_condition_holds() {
        let cases = [
            (vec![], Ok(())),
            (
                vec![check("sal", true), check("plan_approved", true)],
                Ok(()),
            ),
            (
                vec![check("sal", false), check("plan_approved", true)],
                Err("tranche 2 of A1 is not eligible: sal: 10% (needs 30%)"),
            ),
            (
                vec![check("sal", false), check("adhesion_share", false)],
                Err(
                    "tranche 2 of A1 is not eligible: sal: 10% (needs 30%); adhesion_share: 10% (needs 30%)",
                ),
            ),
        ];
        for (checks, expected) in cases {
            let got = check_eligible("A1", &tranche(checks)).map_err(|e| e.to_string());
            assert_eq!(got, expected.map_err(str::to_owned));
        }
    }

    #[test]
    fn the_bearer_token_is_passed_on() {
        let cases = [
            (None, ""),
            (Some("Bearer abc"), "abc"),
            (Some("Bearer  abc "), "abc"),
            (Some("abc"), ""),
        ];
        for (header, expected) in cases {
            assert_eq!(bearer(header), expected, "{header:?}");
        }
    }
}
