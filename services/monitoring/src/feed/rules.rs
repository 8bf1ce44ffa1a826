//! The feed's rules, pure: what a page and a batch of acknowledgements may hold ([`FeedError`]),
//! the indicators and events an item carries, what became of a transmitted scheda ([`Outcome`])
//! and the order a batch is recorded in.

use apq_domain::{Semester, text_enum};
use chrono::NaiveDate;

use super::json::{FeedIndicator, NewAcknowledgement};
use crate::indicators::Indicator;
use crate::movements::Movement;

text_enum!(
    /// What became of a transmitted scheda.
    Outcome { Transmitted = "transmitted", Validated = "validated", Rejected = "rejected" }
);

/// The largest batch: a feed page.
pub const MAX_BATCH: usize = 200;

/// What the feed's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("a cursor is a change_seq, 0 or more")]
    Cursor,
    #[error("the limit is between 1 and 200")]
    Limit,
    #[error("from 1 to 200 acknowledgements")]
    Batch,
}

impl FeedError {
    /// The query parameter the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            FeedError::Cursor => "cursor",
            FeedError::Limit => "limit",
            FeedError::Batch => "items",
        }
    }
}

/// The cursor (default 0) and the limit (default 50) of a page, checked.
pub fn check_page(cursor: Option<i64>, limit: Option<u32>) -> Result<(i64, u32), FeedError> {
    let cursor = cursor.unwrap_or(0);
    if cursor < 0 {
        return Err(FeedError::Cursor);
    }
    let limit = limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(FeedError::Limit);
    }
    Ok((cursor, limit))
}

/// The indicators of the intervento `code` (its own and the programme's), each with its value
/// for `semester`.
pub fn indicators_for(
    indicators: &[Indicator],
    code: &str,
    semester: Semester,
) -> Vec<FeedIndicator> {
    indicators
        .iter()
        .filter(|i| i.intervento_code.as_deref().is_none_or(|c| c == code))
        .map(|i| FeedIndicator {
            code: i.code.clone(),
            name: i.name.clone(),
            unit: i.unit.clone(),
            baseline: i.baseline.clone(),
            target: i.target.clone(),
            value: i
                .measurements
                .iter()
                .find(|m| m.semester == semester)
                .map(|m| m.value.clone()),
        })
        .collect()
}

/// A batch of acknowledgements holds 1 to [`MAX_BATCH`].
pub fn check_batch(len: usize) -> Result<(), FeedError> {
    if (1..=MAX_BATCH).contains(&len) {
        Ok(())
    } else {
        Err(FeedError::Batch)
    }
}

/// The order a batch's items are recorded in: by key, whatever the order given, so two batches
/// lock their rows in the same order and never deadlock.
pub fn lock_order(items: &[NewAcknowledgement]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| (items[i].scheda_id, items[i].change_seq));
    order
}

/// The intervento's events dated up to `last_day` (a semester's), in their order.
pub fn movements_up_to(events: Option<&Vec<Movement>>, last_day: NaiveDate) -> Vec<Movement> {
    (events.into_iter().flatten())
        .filter(|m| m.date <= last_day)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::json::Measurement;

    #[test]
    fn pages_are_checked() {
        let cases = [
            ((None, None), Ok((0, 50))),
            ((Some(7), Some(1)), Ok((7, 1))),
            ((Some(0), Some(200)), Ok((0, 200))),
            ((Some(-1), None), Err(FeedError::Cursor)),
            ((None, Some(0)), Err(FeedError::Limit)),
            ((None, Some(201)), Err(FeedError::Limit)),
            ((Some(-1), Some(0)), Err(FeedError::Cursor)),
        ];
        for ((cursor, limit), expected) in cases {
            assert_eq!(check_page(cursor, limit), expected, "{cursor:?} {limit:?}");
        }
    }

    #[test]
    fn an_item_carries_its_interventos_and_the_programmes_indicators() {
        let s1 = Semester::parse("2009-S1").unwrap_or_else(|e| panic!("{e}"));
        let s2 = Semester::parse("2009-S2").unwrap_or_else(|e| panic!("{e}"));
        let indicator = |code: &str, of: Option<&str>| Indicator {
            code: code.into(),
            name: format!("{code} name"),
            unit: "n".into(),
            intervento_code: of.map(str::to_owned),
            baseline: None,
            target: Some("10".into()),
            source_ref: None,
            measurements: vec![Measurement {
                semester: s1,
                value: "4".into(),
            }],
            latest: Some("4".into()),
            target_reached: false,
        };
        let all = [
            indicator("I1", None),
            indicator("I2", Some("A1")),
            indicator("I3", Some("B2")),
        ];
        let got = indicators_for(&all, "A1", s1);
        let codes: Vec<_> = got
            .iter()
            .map(|i| (i.code.as_str(), i.value.as_deref()))
            .collect();
        assert_eq!(codes, [("I1", Some("4")), ("I2", Some("4"))]);
        let later = indicators_for(&all, "A1", s2);
        assert!(later.iter().all(|i| i.value.is_none()));
    }

    #[test]
    fn a_batch_holds_one_to_a_page_and_is_recorded_in_key_order() {
        assert_eq!(check_batch(0), Err(FeedError::Batch));
        assert_eq!(check_batch(1), Ok(()));
        assert_eq!(check_batch(MAX_BATCH), Ok(()));
        assert_eq!(check_batch(MAX_BATCH + 1), Err(FeedError::Batch));
        let ack = |id: u128, seq: i64| NewAcknowledgement {
            scheda_id: uuid::Uuid::from_u128(id),
            change_seq: seq,
            transmitted_at: chrono::DateTime::UNIX_EPOCH,
            outcome: Outcome::Transmitted,
            message: None,
        };
        let items = [ack(2, 1), ack(1, 9), ack(1, 3), ack(2, 0)];
        assert_eq!(lock_order(&items), [2, 1, 3, 0]);
    }
}
