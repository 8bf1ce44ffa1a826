//! The events' rules, pure: one event checked on its own, the closed semesters, the net totals
//! (disimpegni and rettifiche subtract) and what a scheda can hold of them, and what they refuse
//! ([`MovementError`]).

use apq_domain::{Euro, Semester, text_enum};
use chrono::NaiveDate;
use serde::Serialize;

use super::json::Movement;
use crate::puc::format::fits;

text_enum!(
    /// Which register an event belongs to.
    MovementKind { Impegno = "impegno", Pagamento = "pagamento" }
);

text_enum!(
    /// TIPOLOGIA_IMPEGNO: I impegno, D disimpegno (it reduces the commitments).
    TipologiaImpegno { Impegno = "I", Disimpegno = "D" }
);

text_enum!(
    /// TIPOLOGIA_PAG: P pagamento, R rettifica (it reduces the payments).
    TipologiaPagamento { Pagamento = "P", Rettifica = "R" }
);

impl MovementKind {
    /// The register's name in the API's paths and messages: `impegni`, `pagamenti`.
    pub fn register(self) -> &'static str {
        match self {
            MovementKind::Impegno => "impegni",
            MovementKind::Pagamento => "pagamenti",
        }
    }
}

/// What both registers record.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub kind: MovementKind,
    pub code: String,
    pub tipologia: &'static str,
    pub reversal: bool,
    pub date: NaiveDate,
    pub amount: Euro,
    pub causale: Option<String>,
    pub note: Option<String>,
}

/// What the events' rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MovementError {
    #[error("1 to 20 letters, digits or . _ / -")]
    Code,
    #[error("must be positive (the tipologia says the direction)")]
    Amount,
    #[error("cannot be in the future")]
    Date,
    #[error("a disimpegno needs its causale")]
    DisimpegnoWithoutCausale,
    #[error("a rettifica needs its causale")]
    RettificaWithoutCausale,
    #[error("at most 100 characters, on one line, without # or |")]
    Causale,
    #[error("at most 500 characters, on one line, without # or |")]
    Note,
    /// The event falls in a semester whose scheda is submitted or validated.
    #[error(
        "the scheda of {intervento} for {semester} is submitted: an event dated {date} falls in a closed semester (record a correction with a later date)"
    )]
    Closed {
        intervento: String,
        semester: Semester,
        date: NaiveDate,
    },
    /// The register already has the event's code.
    #[error("{intervento} already has the {kind} {code}")]
    Taken {
        intervento: String,
        kind: MovementKind,
        code: String,
    },
    /// The disimpegni would bring the commitments below zero (IGRUE check 050).
    #[error("the disimpegni would exceed what was recorded (IGRUE check 050)")]
    Disimpegni,
    /// The rettifiche would bring the payments below zero (IGRUE check 052).
    #[error("the rettifiche would exceed what was recorded (IGRUE check 052)")]
    Rettifiche,
    /// The register's net total would not fit a scheda at some date.
    #[error(
        "the {} would add up past {}.99 euro, the largest total a scheda holds",
        .0.register(),
        Euro::MAX_UNITS
    )]
    Unstorable(MovementKind),
}

impl MovementError {
    /// The input field the refusal is about; `None` for a conflict with what is recorded.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            MovementError::Code => Some("code"),
            MovementError::Amount
            | MovementError::Disimpegni
            | MovementError::Rettifiche
            | MovementError::Unstorable(_) => Some("amount"),
            MovementError::Date => Some("date"),
            MovementError::DisimpegnoWithoutCausale
            | MovementError::RettificaWithoutCausale
            | MovementError::Causale => Some("causale"),
            MovementError::Note => Some("note"),
            MovementError::Closed { .. } | MovementError::Taken { .. } => None,
        }
    }
}

/// The checks of one event on its own (the field names are the body's): everything wrong, in
/// field order.
pub fn validate(draft: &Draft, today: NaiveDate) -> Vec<MovementError> {
    let mut errors = Vec::new();
    let code_ok = (1..=20).contains(&draft.code.len())
        && draft
            .code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'));
    if !code_ok {
        errors.push(MovementError::Code);
    }
    if draft.amount <= Euro::ZERO {
        errors.push(MovementError::Amount);
    }
    if draft.date > today {
        errors.push(MovementError::Date);
    }
    if draft.reversal && draft.causale.as_deref().is_none_or(|c| c.trim().is_empty()) {
        errors.push(match draft.kind {
            MovementKind::Impegno => MovementError::DisimpegnoWithoutCausale,
            MovementKind::Pagamento => MovementError::RettificaWithoutCausale,
        });
    }
    if draft.causale.as_deref().is_some_and(|c| !fits(c, 100)) {
        errors.push(MovementError::Causale);
    }
    if draft.note.as_deref().is_some_and(|n| !fits(n, 500)) {
        errors.push(MovementError::Note);
    }
    errors
}

/// Refuses an event of `intervento` dated within `closed`, the latest semester whose scheda is
/// submitted or validated (its totals were declared on the events then recorded).
pub fn check_open(
    intervento: &str,
    closed: Option<Semester>,
    date: NaiveDate,
) -> Result<(), MovementError> {
    match closed {
        Some(semester) if date <= semester.last_day() => Err(MovementError::Closed {
            intervento: intervento.to_owned(),
            semester,
            date,
        }),
        _ => Ok(()),
    }
}

/// Net commitments and net payments of `events` dated on or before `up_to` (disimpegni and
/// rettifiche subtract).
pub fn totals(events: &[Movement], up_to: NaiveDate) -> (Euro, Euro) {
    let mut commitments = Euro::ZERO;
    let mut payments = Euro::ZERO;
    for e in events.iter().filter(|e| e.date <= up_to) {
        let total = if e.kind == MovementKind::Impegno.as_str() {
            &mut commitments
        } else {
            &mut payments
        };
        *total = if e.reversal() {
            *total - e.amount()
        } else {
            *total + e.amount()
        };
    }
    (commitments, payments)
}

/// The net total of the register `kind` of `events`, every date.
pub fn net(events: &[Movement], kind: MovementKind) -> Euro {
    let (commitments, payments) = totals(events, NaiveDate::MAX);
    match kind {
        MovementKind::Impegno => commitments,
        MovementKind::Pagamento => payments,
    }
}

/// Whether the net totals of `events` fit what a scheda stores (NUMERIC(15,2)) at every date:
/// a scheda takes the totals of the events up to the end of its semester.
pub fn storable_at_every_date(events: &[Movement]) -> bool {
    let fits = |total: Euro| Euro::from_decimal(total.decimal()).is_ok();
    events.iter().all(|e| {
        let (commitments, payments) = totals(events, e.date);
        fits(commitments) && fits(payments)
    })
}

/// The checks of the register `kind` once an event of it is added to `events`: a reversal
/// does not bring the net total below zero (checks 050 and 052), and the totals fit a scheda at
/// every date.
pub fn check_totals(kind: MovementKind, events: &[Movement]) -> Result<(), MovementError> {
    if net(events, kind).is_negative() {
        return Err(match kind {
            MovementKind::Impegno => MovementError::Disimpegni,
            MovementKind::Pagamento => MovementError::Rettifiche,
        });
    }
    if !storable_at_every_date(events) {
        return Err(MovementError::Unstorable(kind));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use uuid::Uuid;

    use super::*;
    use MovementError as E;

    fn event(kind: &str, tipologia: &str, date: &str, amount: i64) -> Movement {
        Movement {
            id: Uuid::nil(),
            intervento_code: "CSTT-ALI".into(),
            kind: kind.into(),
            code: "X".into(),
            tipologia: tipologia.into(),
            date: date.parse().unwrap_or_default(),
            amount: Euro::from_cents(amount * 100),
            causale: None,
            note: None,
            recorded_by: "t".into(),
            version: 1,
            created_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    fn day(raw: &str) -> NaiveDate {
        raw.parse().unwrap_or_default()
    }

    #[test]
    fn totals_net_the_reversals_up_to_the_date() {
        let events = vec![
            event("impegno", "I", "2009-03-01", 500_000),
            event("pagamento", "P", "2009-05-01", 200_000),
            event("impegno", "D", "2009-09-01", 50_000),
            event("pagamento", "R", "2010-02-01", 10_000),
            event("pagamento", "P", "2010-07-01", 100_000),
        ];
        let euro = |n: i64| Euro::from_cents(n * 100);
        let table = [
            ("2009-01-01", 0, 0),
            ("2009-06-30", 500_000, 200_000),
            ("2009-12-31", 450_000, 200_000),
            ("2010-06-30", 450_000, 190_000),
            ("2010-12-31", 450_000, 290_000),
        ];
        for (up_to, c, p) in table {
            let up_to: NaiveDate = up_to.parse().unwrap_or_default();
            assert_eq!(totals(&events, up_to), (euro(c), euro(p)), "up to {up_to}");
        }
        assert_eq!(net(&events, MovementKind::Impegno), euro(450_000));
        assert_eq!(net(&events, MovementKind::Pagamento), euro(290_000));
    }

    #[test]
    fn totals_past_what_a_scheda_stores_are_caught_at_any_date() {
        let max = Euro::MAX_UNITS;
        let fitting = vec![
            event("impegno", "I", "2009-03-01", max),
            event("impegno", "D", "2009-09-01", max),
            event("impegno", "I", "2010-03-01", max),
        ];
        assert!(storable_at_every_date(&fitting));
        // The net total fits, but up to 2009-06-30 the impegni add up to twice the maximum.
        let past = vec![
            event("impegno", "I", "2009-03-01", max),
            event("impegno", "I", "2009-04-01", max),
            event("impegno", "D", "2010-09-01", max),
        ];
        assert!(!storable_at_every_date(&past));
        let paid = vec![
            event("pagamento", "P", "2009-03-01", max),
            event("pagamento", "P", "2009-04-01", 1),
        ];
        assert!(!storable_at_every_date(&paid));
    }

    #[test]
    fn the_totals_once_an_event_is_added_stay_within_what_was_recorded_and_a_scheda_holds() {
        let max = Euro::MAX_UNITS;
        let cases = [
            (
                MovementKind::Impegno,
                vec![event("impegno", "I", "2009-03-01", 10)],
                Ok(()),
            ),
            (
                MovementKind::Impegno,
                vec![
                    event("impegno", "I", "2009-03-01", 10),
                    event("impegno", "D", "2009-04-01", 10),
                ],
                Ok(()),
            ),
            (
                MovementKind::Impegno,
                vec![
                    event("impegno", "I", "2009-03-01", 10),
                    event("impegno", "D", "2009-04-01", 11),
                ],
                Err(E::Disimpegni),
            ),
            (
                MovementKind::Pagamento,
                vec![
                    event("impegno", "I", "2009-03-01", 100),
                    event("pagamento", "R", "2009-04-01", 1),
                ],
                Err(E::Rettifiche),
            ),
            (
                MovementKind::Pagamento,
                vec![
                    event("pagamento", "P", "2009-03-01", max),
                    event("pagamento", "P", "2009-04-01", 1),
                ],
                Err(E::Unstorable(MovementKind::Pagamento)),
            ),
        ];
        for (kind, events, expected) in cases {
            assert_eq!(check_totals(kind, &events), expected, "{kind} {events:?}");
        }
        assert_eq!(E::Disimpegni.field(), Some("amount"));
        assert_eq!(
            E::Unstorable(MovementKind::Impegno).to_string(),
            "the impegni would add up past 9999999999999.99 euro, the largest total a scheda holds"
        );
    }

    #[test]
    fn an_event_in_a_closed_semester_is_refused() {
        let s2 = Semester::parse("2009-S2").ok();
        let cases = [
            (None, "2009-03-01", true),
            (s2, "2009-12-31", false),
            (s2, "2009-03-01", false),
            (s2, "2010-01-01", true),
        ];
        for (closed, date, open) in cases {
            let got = check_open("CSTT-ALI", closed, day(date));
            assert_eq!(got.is_ok(), open, "{closed:?} {date}: {got:?}");
        }
        let refused = check_open("CSTT-ALI", s2, day("2009-12-31")).err();
        assert_eq!(
            refused.map(|e| e.to_string()).unwrap_or_default(),
            "the scheda of CSTT-ALI for 2009-S2 is submitted: an event dated 2009-12-31 falls in a closed semester (record a correction with a later date)"
        );
    }

    #[test]
    fn an_event_is_checked_field_by_field() {
        let today = day("2010-06-30");
        let good = Draft {
            kind: MovementKind::Impegno,
            code: "IMP-2009/01".into(),
            tipologia: "I",
            reversal: false,
            date: day("2009-03-01"),
            amount: Euro::from_cents(100),
            causale: None,
            note: None,
        };
        let rettifica = Draft {
            kind: MovementKind::Pagamento,
            tipologia: "R",
            reversal: true,
            ..good.clone()
        };
        let cases: Vec<(Draft, &[MovementError])> = vec![
            (good.clone(), &[]),
            (
                Draft {
                    code: String::new(),
                    ..good.clone()
                },
                &[E::Code],
            ),
            (
                Draft {
                    code: "A".repeat(21),
                    ..good.clone()
                },
                &[E::Code],
            ),
            (
                Draft {
                    code: "A#1".into(),
                    ..good.clone()
                },
                &[E::Code],
            ),
            (
                Draft {
                    amount: Euro::ZERO,
                    ..good.clone()
                },
                &[E::Amount],
            ),
            (
                Draft {
                    date: day("2010-07-01"),
                    ..good.clone()
                },
                &[E::Date],
            ),
            (
                Draft {
                    tipologia: "D",
                    reversal: true,
                    ..good.clone()
                },
                &[E::DisimpegnoWithoutCausale],
            ),
            (
                Draft {
                    causale: Some(" ".into()),
                    ..rettifica.clone()
                },
                &[E::RettificaWithoutCausale],
            ),
            (
                Draft {
                    causale: Some("Ribasso".into()),
                    ..rettifica
                },
                &[],
            ),
            (
                Draft {
                    causale: Some("c".repeat(101)),
                    ..good.clone()
                },
                &[E::Causale],
            ),
            (
                Draft {
                    note: Some("a|b".into()),
                    ..good.clone()
                },
                &[E::Note],
            ),
            (
                Draft {
                    code: String::new(),
                    amount: Euro::ZERO,
                    note: Some("\n".into()),
                    ..good
                },
                &[E::Code, E::Amount, E::Note],
            ),
        ];
        for (draft, expected) in cases {
            assert_eq!(validate(&draft, today), expected, "{draft:?}");
        }
    }
}
