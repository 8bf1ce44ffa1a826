//! The atti's rules, pure: a new atto is numbered and titled, a signed one dated.

use chrono::NaiveDate;
use uuid::Uuid;

use super::json::NewAtto;
use crate::model::AttoStatus;

/// What the atti's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttoError {
    #[error("atti are numbered from 1")]
    Number,
    #[error("a title is required")]
    Title,
    #[error("a signed atto has a signature date")]
    SignedUndated,
    #[error("there is no accordo {0}")]
    NoAccordo(Uuid),
}

/// A signed atto has its signature date.
pub fn check_signature(status: AttoStatus, signed_on: Option<NaiveDate>) -> Result<(), AttoError> {
    if status == AttoStatus::Signed && signed_on.is_none() {
        return Err(AttoError::SignedUndated);
    }
    Ok(())
}

/// A new atto's number, title and signature.
pub fn check_new(atto: &NewAtto) -> Result<(), AttoError> {
    if atto.number < 1 {
        return Err(AttoError::Number);
    }
    if atto.title.trim().is_empty() {
        return Err(AttoError::Title);
    }
    check_signature(atto.status, atto.signed_on)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_atto_is_dated_and_numbered() {
        let on = NaiveDate::from_ymd_opt(2009, 7, 30);
        let atto = |number, title: &str, status, signed_on| NewAtto {
            accordo_id: Uuid::nil(),
            number,
            title: title.to_owned(),
            signed_on,
            signatories: vec![],
            status,
        };
        let cases = [
            (atto(4, "IV Atto", AttoStatus::Signed, on), Ok(())),
            (atto(4, "IV Atto", AttoStatus::Draft, None), Ok(())),
            (
                atto(4, "IV Atto", AttoStatus::Signed, None),
                Err(AttoError::SignedUndated),
            ),
            (
                atto(0, "IV Atto", AttoStatus::Draft, None),
                Err(AttoError::Number),
            ),
            (atto(4, " ", AttoStatus::Draft, None), Err(AttoError::Title)),
        ];
        for (new, expected) in cases {
            assert_eq!(check_new(&new), expected, "{new:?}");
        }
    }

    #[test]
    fn a_signed_atto_keeps_its_date() {
        let on = NaiveDate::from_ymd_opt(2009, 7, 30);
        let cases = [
            (AttoStatus::Signed, on, Ok(())),
            (AttoStatus::Signed, None, Err(AttoError::SignedUndated)),
            (AttoStatus::Draft, None, Ok(())),
            (AttoStatus::Closed, None, Ok(())),
        ];
        for (status, signed_on, expected) in cases {
            assert_eq!(check_signature(status, signed_on), expected, "{status}");
        }
    }
}
