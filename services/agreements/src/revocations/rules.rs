//! The revocation's rules, pure: a revocation names CNIPA's act, its reason and, when partial,
//! its tranches.

use super::json::NewRevocation;

apq_platform::db_text_enum!(
    /// How much of the co-financing is revoked.
    Extent { Partial = "partial", Total = "total" }
);

/// What the revocation's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevocationError {
    #[error("name CNIPA's act")]
    NoAct,
    #[error("say why the co-financing is revoked")]
    Unexplained,
    #[error("a partial revocation names the tranches it revokes")]
    PartialWithoutTranches,
}

/// A revocation names CNIPA's act and its reason, and a partial one its tranches.
pub fn check(revocation: &NewRevocation) -> Result<(), RevocationError> {
    if revocation.act_ref.trim().is_empty() {
        return Err(RevocationError::NoAct);
    }
    if revocation.reason.trim().is_empty() {
        return Err(RevocationError::Unexplained);
    }
    if revocation.extent == Extent::Partial && revocation.tranche_ids.is_empty() {
        return Err(RevocationError::PartialWithoutTranches);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use uuid::Uuid;

    #[test]
    fn a_revocation_names_its_act_reason_and_tranches() {
        let on = NaiveDate::from_ymd_opt(2010, 3, 15).unwrap_or_default();
        let total = NewRevocation {
            extent: Extent::Total,
            tranche_ids: vec![],
            decided_on: on,
            act_ref: "nota CNIPA 123".into(),
            reason: "tempi non rispettati".into(),
        };
        let partial = NewRevocation {
            extent: Extent::Partial,
            ..total.clone()
        };
        let cases = [
            (total.clone(), Ok(())),
            (
                partial.clone(),
                Err(RevocationError::PartialWithoutTranches),
            ),
            (
                NewRevocation {
                    tranche_ids: vec![Uuid::nil()],
                    ..partial
                },
                Ok(()),
            ),
            (
                NewRevocation {
                    act_ref: " ".into(),
                    ..total.clone()
                },
                Err(RevocationError::NoAct),
            ),
            (
                NewRevocation {
                    reason: "".into(),
                    ..total
                },
                Err(RevocationError::Unexplained),
            ),
        ];
        for (revocation, expected) in cases {
            assert_eq!(check(&revocation), expected, "{revocation:?}");
        }
    }
}
