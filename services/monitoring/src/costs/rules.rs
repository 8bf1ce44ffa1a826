//! The cost plan's and the economies' rules, pure: a year of the plan and an economy checked on
//! their own, the plan's and the economies' totals, and what they refuse ([`CostError`]).

use apq_domain::{Euro, text_enum};
use chrono::{Datelike, NaiveDate};

use crate::puc::format::fits;

text_enum!(
    /// A source of an intervento's financing, as the agreements register names its contributors.
    Fund { Stato = "stato", RegioneToscana = "regione_toscana", Eell = "eell", Altro = "altro" }
);

/// What the cost plan's and the economies' rules refuse, each about one field of the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CostError {
    #[error("a year between 1990 and 2100")]
    Year,
    #[error("cannot be negative")]
    RealisedNegative,
    #[error("nothing is realised in a year that has not begun")]
    RealisedAhead,
    #[error("cannot be negative")]
    ToRealiseNegative,
    #[error("must be positive")]
    AmountNotPositive,
    #[error("cannot be in the future")]
    AscertainedAhead,
    #[error("at most 500 characters, on one line, without # or |")]
    Note,
}

impl CostError {
    /// The input field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            CostError::Year => "year",
            CostError::RealisedNegative | CostError::RealisedAhead => "realised",
            CostError::ToRealiseNegative => "to_realise",
            CostError::AmountNotPositive => "amount",
            CostError::AscertainedAhead => "ascertained_on",
            CostError::Note => "note",
        }
    }
}

/// The checks of one year of the plan: a year of the programme's span, amounts not negative,
/// and nothing realised in a year that has not begun; everything wrong, in field order.
pub fn check_year(year: i32, realised: Euro, to_realise: Euro, today: NaiveDate) -> Vec<CostError> {
    let mut errors = Vec::new();
    if !(1990..=2100).contains(&year) {
        errors.push(CostError::Year);
    }
    if realised.is_negative() {
        errors.push(CostError::RealisedNegative);
    } else if year > today.year() && realised > Euro::ZERO {
        errors.push(CostError::RealisedAhead);
    }
    if to_realise.is_negative() {
        errors.push(CostError::ToRealiseNegative);
    }
    errors
}

/// The checks of one economy: a positive amount, ascertained by today, a one-line note;
/// everything wrong, in field order.
pub fn check_economy(
    amount: Euro,
    ascertained_on: NaiveDate,
    note: Option<&str>,
    today: NaiveDate,
) -> Vec<CostError> {
    let mut errors = Vec::new();
    if amount <= Euro::ZERO {
        errors.push(CostError::AmountNotPositive);
    }
    if ascertained_on > today {
        errors.push(CostError::AscertainedAhead);
    }
    if note.is_some_and(|n| !fits(n, 500)) {
        errors.push(CostError::Note);
    }
    errors
}

/// The plan's total: realised plus to realise (each pair a year), every year.
pub fn plan_total(years: impl IntoIterator<Item = (Euro, Euro)>) -> Euro {
    years
        .into_iter()
        .map(|(realised, to_realise)| realised + to_realise)
        .sum()
}

/// The economies' total.
pub fn economies_total(amounts: impl IntoIterator<Item = Euro>) -> Euro {
    amounts.into_iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use CostError as E;

    fn day(raw: &str) -> NaiveDate {
        raw.parse().unwrap_or_default()
    }

    fn eur(cents: i64) -> Euro {
        Euro::from_cents(cents)
    }

    #[test]
    fn a_year_of_the_plan_is_checked_on_its_own() {
        let today = day("2010-06-30");
        let cases: &[(i32, i64, i64, &[CostError])] = &[
            (2009, 100, 0, &[]),
            // Planned ahead.
            (2011, 0, 100, &[]),
            (1900, 0, 0, &[E::Year]),
            (2101, 0, 0, &[E::Year]),
            (2009, -1, 0, &[E::RealisedNegative]),
            (2009, 0, -1, &[E::ToRealiseNegative]),
            // Nothing realised in a year to come.
            (2011, 1, 0, &[E::RealisedAhead]),
            (
                2200,
                -1,
                -1,
                &[E::Year, E::RealisedNegative, E::ToRealiseNegative],
            ),
        ];
        for (year, realised, to_realise, expected) in cases {
            let got = check_year(*year, eur(*realised), eur(*to_realise), today);
            assert_eq!(&got, expected, "{year} {realised} {to_realise}");
        }
        let fields: Vec<_> = check_year(1900, eur(-1), eur(-1), today)
            .iter()
            .map(CostError::field)
            .collect();
        assert_eq!(fields, ["year", "realised", "to_realise"]);
        assert_eq!(E::RealisedAhead.field(), "realised");
    }

    #[test]
    fn an_economy_is_positive_ascertained_and_on_one_line() {
        let today = day("2010-06-30");
        let long = "n".repeat(501);
        let cases: &[(i64, &str, Option<&str>, &[CostError])] = &[
            (1, "2010-06-30", Some("Ribasso"), &[]),
            (1, "2010-01-01", Some(&long[..500]), &[]),
            (0, "2010-01-01", None, &[E::AmountNotPositive]),
            (-1, "2010-01-01", None, &[E::AmountNotPositive]),
            (1, "2010-07-01", None, &[E::AscertainedAhead]),
            (1, "2010-01-01", Some("a|b"), &[E::Note]),
            (1, "2010-01-01", Some("a#b"), &[E::Note]),
            (1, "2010-01-01", Some("a\nb"), &[E::Note]),
            (1, "2010-01-01", Some(&long), &[E::Note]),
            (
                0,
                "2011-01-01",
                Some("\r"),
                &[E::AmountNotPositive, E::AscertainedAhead, E::Note],
            ),
        ];
        for (cents, on, note, expected) in cases {
            let got = check_economy(eur(*cents), day(on), *note, today);
            assert_eq!(&got, expected, "{cents} {on} {note:?}");
        }
        let fields: Vec<_> = [E::AmountNotPositive, E::AscertainedAhead, E::Note]
            .iter()
            .map(CostError::field)
            .collect();
        assert_eq!(fields, ["amount", "ascertained_on", "note"]);
    }

    #[test]
    fn the_totals_add_every_year_and_every_fund() {
        let cases: &[(&[(i64, i64)], i64)] = &[
            (&[(100, 0), (50, 25)], 175),
            (&[], 0),
            (&[(0, 0)], 0),
            (&[(1, 2), (3, 4), (5, 6)], 21),
        ];
        for (years, total) in cases {
            let years = years.iter().map(|(r, t)| (eur(*r), eur(*t)));
            assert_eq!(plan_total(years), eur(*total));
        }
        assert_eq!(economies_total([eur(30), eur(30)]), eur(60));
        assert_eq!(economies_total([]), Euro::ZERO);
    }
}
