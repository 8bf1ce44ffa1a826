//! The feed's rules, pure: what a page may ask for ([`FeedError`]), and the indicators an item
//! carries.

use apq_domain::Semester;

use super::FeedIndicator;
use crate::indicators::Indicator;

/// What the feed's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("a cursor is a change_seq, 0 or more")]
    Cursor,
    #[error("the limit is between 1 and 200")]
    Limit,
}

impl FeedError {
    /// The query parameter the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            FeedError::Cursor => "cursor",
            FeedError::Limit => "limit",
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
}
