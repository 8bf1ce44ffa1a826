//! The figures' rule: a share is the committed comuni over the adhering ones, absent when none
//! adheres.

use apq_domain::Percent;
use rust_decimal::Decimal;

use super::json::Counts;

/// The counts of `adhering` comuni of which `committed` have signed, with their share.
pub fn counts(adhering: i64, committed: i64) -> Counts {
    Counts {
        adhering_comuni: adhering,
        committed_comuni: committed,
        committed_share: Percent::ratio(Decimal::from(committed), Decimal::from(adhering)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_is_committed_over_adhering_and_absent_without_adherents() {
        let cases = [
            (138, 42, Some("30.43")),
            (10, 3, Some("30")),
            (0, 0, None),
            (3, 3, Some("100")),
        ];
        for (adhering, committed, share) in cases {
            let c = counts(adhering, committed);
            assert_eq!(
                (c.adhering_comuni, c.committed_comuni),
                (adhering, committed)
            );
            let expected = share.map(|s| Percent::parse(s).unwrap_or_else(|e| panic!("{e}")));
            assert_eq!(c.committed_share, expected, "{adhering} {committed}");
        }
    }
}
