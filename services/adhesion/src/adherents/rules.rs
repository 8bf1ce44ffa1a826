//! The adherents' rules, pure: who may be registered as an intervento's adherent, and the 30%
//! rule's figure (art. 4.2.b) over the count the Atto declares.

use apq_domain::Percent;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::enti::EnteKind;

/// The unit of a declared count whose adherents must be comuni.
pub const COMUNI: &str = "comuni";

/// What the adherents' rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdherentError {
    #[error("name the adhesion letter or delibera")]
    NoAct,
    #[error("the caller may not act for the body {0}")]
    MayNotActFor(String),
    #[error("there is no body {0} in the registry")]
    UnknownBody(String),
    #[error(
        "{name} ({code}) did not exist on {on}: it existed from {} to {}",
        .from.map_or_else(|| "?".to_owned(), |d| d.to_string()),
        .to.map_or_else(|| "today".to_owned(), |d| d.to_string())
    )]
    DidNotExist {
        name: String,
        code: String,
        on: NaiveDate,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
    #[error("the adherents of {intervento} are comuni; {code} is a {kind}")]
    NotAComune {
        intervento: String,
        code: String,
        kind: EnteKind,
    },
    #[error("{code} already adheres to {intervento}")]
    AlreadyAdheres { code: String, intervento: String },
    #[error("comma-separated service numbers")]
    Services,
    #[error(
        "{committed} committed adherents of {intervento} exceed the {declared} declared: the Tavolo must change the declared count"
    )]
    ExceedsDeclared {
        committed: i64,
        intervento: String,
        declared: i32,
    },
}

/// The act of a new adherent is named.
pub fn check_act(act_ref: &str) -> Result<(), AdherentError> {
    if act_ref.trim().is_empty() {
        return Err(AdherentError::NoAct);
    }
    Ok(())
}

/// Admin registers any body; an `ente` token only its own.
pub fn may_act_for(
    admin: bool,
    caller_ente: Option<&str>,
    code: &str,
) -> Result<(), AdherentError> {
    if admin || caller_ente == Some(code) {
        Ok(())
    } else {
        Err(AdherentError::MayNotActFor(code.to_owned()))
    }
}

/// A body as the adherents' rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: EnteKind,
    pub existed_from: Option<NaiveDate>,
    pub ceased_on: Option<NaiveDate>,
}

/// Whether `body` may adhere on `on` to `intervento`, whose declared count is in `unit`: it
/// existed that day, and it is a comune where the adherents are comuni.
pub fn check_adherent(
    body: &Body<'_>,
    on: NaiveDate,
    intervento: &str,
    unit: &str,
) -> Result<(), AdherentError> {
    let existed = body.existed_from.is_none_or(|from| from <= on)
        && body.ceased_on.is_none_or(|ceased| on <= ceased);
    if !existed {
        return Err(AdherentError::DidNotExist {
            name: body.name.to_owned(),
            code: body.code.to_owned(),
            on,
            from: body.existed_from,
            to: body.ceased_on,
        });
    }
    if unit == COMUNI && body.kind != EnteKind::Comune {
        return Err(AdherentError::NotAComune {
            intervento: intervento.to_owned(),
            code: body.code.to_owned(),
            kind: body.kind,
        });
    }
    Ok(())
}

/// The services filter: comma-separated numbers from 1; none when absent or empty.
pub fn parse_services(raw: Option<&str>) -> Result<Vec<i32>, AdherentError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(|n| {
            n.trim()
                .parse::<i32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(AdherentError::Services)
        })
        .collect()
}

/// The 30% rule's share: committed over declared adherents. More committed than declared is
/// for the Tavolo to resolve.
pub fn committed_share(
    intervento: &str,
    committed: i64,
    declared: i32,
) -> Result<Percent, AdherentError> {
    Percent::ratio(Decimal::from(committed), Decimal::from(declared)).ok_or_else(|| {
        AdherentError::ExceedsDeclared {
            committed,
            intervento: intervento.to_owned(),
            declared,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("{y}-{m}-{d}"))
    }

    #[test]
    fn an_adherent_existed_and_is_of_the_declared_unit() {
        let comune = Body {
            code: "048017",
            name: "Firenze",
            kind: EnteKind::Comune,
            existed_from: Some(day(2014, 1, 1)),
            ceased_on: Some(day(2020, 12, 31)),
        };
        let provincia = Body {
            kind: EnteKind::Provincia,
            existed_from: None,
            ceased_on: None,
            ..comune.clone()
        };
        let cases = [
            (&comune, day(2014, 1, 1), COMUNI, true),
            (&comune, day(2020, 12, 31), COMUNI, true),
            (&comune, day(2013, 12, 31), COMUNI, false),
            (&comune, day(2021, 1, 1), COMUNI, false),
            (&provincia, day(2021, 1, 1), COMUNI, false),
            (&provincia, day(2021, 1, 1), "amministrazioni", true),
        ];
        for (body, on, unit, allowed) in cases {
            assert_eq!(
                check_adherent(body, on, "CSTT-ALI", unit).is_ok(),
                allowed,
                "{} on {on} for {unit}",
                body.kind
            );
        }
        let late = check_adherent(&comune, day(2021, 1, 1), "CSTT-ALI", COMUNI);
        assert_eq!(
            late.map_err(|e| e.to_string()),
            Err("Firenze (048017) did not exist on 2021-01-01: it existed from 2014-01-01 to 2020-12-31".to_owned())
        );
        let open = Body {
            existed_from: None,
            ceased_on: None,
            ..comune.clone()
        };
        assert!(check_adherent(&open, day(1990, 1, 1), "X", COMUNI).is_ok());
        let wrong = check_adherent(&provincia, day(2021, 1, 1), "CSTT-ALI", COMUNI);
        assert_eq!(
            wrong.map_err(|e| e.to_string()),
            Err("the adherents of CSTT-ALI are comuni; 048017 is a provincia".to_owned())
        );
    }

    #[test]
    fn who_registers_and_with_which_act() {
        assert!(may_act_for(true, None, "048017").is_ok());
        assert!(may_act_for(false, Some("048017"), "048017").is_ok());
        assert!(may_act_for(false, Some("048001"), "048017").is_err());
        assert!(may_act_for(false, None, "048017").is_err());
        assert_eq!(check_act(" \t"), Err(AdherentError::NoAct));
        assert_eq!(check_act("delibera 12/2009"), Ok(()));
    }

    #[test]
    fn the_services_filter() {
        type Case<'a> = (Option<&'a str>, Result<Vec<i32>, AdherentError>);
        let cases: &[Case<'_>] = &[
            (None, Ok(vec![])),
            (Some(""), Ok(vec![])),
            (Some("1,2, 3"), Ok(vec![1, 2, 3])),
            (Some("1,0"), Err(AdherentError::Services)),
            (Some("1,,2"), Err(AdherentError::Services)),
            (Some("uno"), Err(AdherentError::Services)),
        ];
        for (raw, expected) in cases {
            assert_eq!(&parse_services(*raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn the_share_is_over_the_declared_count() {
        let share = committed_share("CSTT-ALI", 42, 138).map(Percent::decimal);
        assert_eq!(share, Ok(Decimal::new(3043, 2)));
        assert_eq!(
            committed_share("CSTT-ALI", 139, 138),
            Err(AdherentError::ExceedsDeclared {
                committed: 139,
                intervento: "CSTT-ALI".into(),
                declared: 138
            })
        );
        assert!(committed_share("X", 0, 0).is_err());
    }
}
