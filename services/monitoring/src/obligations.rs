//! The obligations of the monitoring that are checked rules rather than text.
//!
//! Art. 7.2.h: the soggetto responsabile dell'Accordo must "curare, al primo monitoraggio
//! dell'Accordo, l'inserimento del codice unico di progetto (CUP) ove non già inserito"
//! (L589-590). CSTT-ALI has its CUP (D53G07000070002, L1686); the two RIUSO interventi have none
//! in the seed. So a scheda of an intervento without a CUP is not validated (the first
//! monitoring cannot be concluded, and no later one either, without it), and the eligibility
//! answer lists the obligation as pending until the CUP is recorded through agreements' API.

use apq_platform::{ApiError, FieldError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The article that sets the CUP obligation.
pub const CUP_ARTICLE: &str = "art. 7.2.h";

/// The CUP is not recorded: the monitoring cannot be concluded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{code} has no CUP: {CUP_ARTICLE} of the IV Atto requires it inserted at the first monitoring; record it in agreements (PATCH /v1/interventi/{{id}}, field `cup`) before validating the scheda"
)]
pub struct CupMissing {
    pub code: String,
}

impl From<CupMissing> for ApiError {
    fn from(missing: CupMissing) -> Self {
        ApiError::Unprocessable {
            detail: missing.to_string(),
            errors: vec![FieldError::new(
                "cup",
                format!("the intervento's CUP is required at the first monitoring ({CUP_ARTICLE})"),
            )],
        }
    }
}

/// Art. 7.2.h as a rule: a scheda of `code` is validated only once the intervento has a CUP.
pub fn cup_recorded(code: &str, cup: Option<&str>) -> Result<(), CupMissing> {
    match cup.map(str::trim) {
        Some(cup) if !cup.is_empty() => Ok(()),
        _ => Err(CupMissing {
            code: code.to_owned(),
        }),
    }
}

/// An obligation of the monitoring and whether it is still pending.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct InterventoObligation {
    /// What is owed: `cup`.
    pub obligation: String,
    /// Where the Atto sets it.
    pub article: String,
    /// Still to be fulfilled.
    pub pending: bool,
    pub figure: String,
    /// The same, in Italian.
    pub figure_it: String,
}

/// The CUP obligation of an intervento, from the CUP agreements has.
pub fn cup_obligation(code: &str, cup: Option<&str>) -> InterventoObligation {
    let pending = cup_recorded(code, cup).is_err();
    let (figure, figure_it) = match cup {
        Some(cup) if !pending => (
            format!("the CUP of {code} is recorded ({cup})"),
            format!("il CUP di {code} è inserito ({cup})"),
        ),
        _ => (
            format!(
                "{code} has no CUP: it must be inserted at the first monitoring, and no scheda of {code} is validated until it is"
            ),
            format!(
                "{code} non ha un CUP: va inserito al primo monitoraggio, e nessuna scheda di {code} è validata finché non lo è"
            ),
        ),
    };
    InterventoObligation {
        obligation: "cup".to_owned(),
        article: CUP_ARTICLE.to_owned(),
        pending,
        figure,
        figure_it,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scheda_is_validated_only_with_a_cup() {
        for (cup, recorded) in [
            (Some("D53G07000070002"), true),
            (None, false),
            (Some(""), false),
            (Some("   "), false),
        ] {
            assert_eq!(cup_recorded("GEOSIGMA", cup).is_ok(), recorded, "{cup:?}");
            let obligation = cup_obligation("GEOSIGMA", cup);
            assert_eq!(obligation.pending, !recorded, "{cup:?}");
            assert_eq!(obligation.article, "art. 7.2.h");
        }
    }

    #[test]
    fn the_refusal_names_the_field_and_the_article() {
        let refused = ApiError::from(CupMissing {
            code: "GEOSIGMA".to_owned(),
        });
        match refused {
            ApiError::Unprocessable { detail, errors } => {
                assert!(
                    detail.contains("art. 7.2.h") && detail.contains("GEOSIGMA"),
                    "{detail}"
                );
                assert_eq!(errors[0].field, "cup");
            }
            other => panic!("{other:?}"),
        }
    }
}
