//! The rules of issuing a Rapporto, pure: when a new version may be issued ([`IssueError`]),
//! its reason, and the hashes that freeze it.

use apq_domain::Semester;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

/// What the rules of a new issue refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error("a report cannot be issued in the future")]
    Future,
    #[error("the semester ends on {0}: its report is issued after it")]
    BeforeSemesterEnds(NaiveDate),
    #[error("a correction says why it replaces the earlier version")]
    NoReason,
    #[error("at most 2000 characters")]
    LongReason,
}

impl IssueError {
    /// The input field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            IssueError::Future | IssueError::BeforeSemesterEnds(_) => "issued_on",
            IssueError::NoReason | IssueError::LongReason => "reason",
        }
    }
}

/// The hex SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The reason as kept: trimmed, and none when blank.
pub fn reason(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
}

/// The date a new issue bears (`issued_on`, default `today`), or everything wrong with it
/// against the `existing` versions already issued, in field order.
pub fn check_new_issue(
    issued_on: Option<NaiveDate>,
    reason: Option<&str>,
    today: NaiveDate,
    semester: Semester,
    existing: i32,
) -> Result<NaiveDate, Vec<IssueError>> {
    let on = issued_on.unwrap_or(today);
    let mut errors = Vec::new();
    if on > today {
        errors.push(IssueError::Future);
    }
    let ends = crate::deadlines::for_semester(semester).ends_on;
    if on <= ends {
        errors.push(IssueError::BeforeSemesterEnds(ends));
    }
    let reason = reason.map(str::trim).unwrap_or_default();
    if existing > 0 && reason.is_empty() {
        errors.push(IssueError::NoReason);
    }
    if reason.chars().count() > 2000 {
        errors.push(IssueError::LongReason);
    }
    if errors.is_empty() {
        Ok(on)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn new_issues_are_checked() {
        use IssueError as E;
        let s = Semester::parse("2009-S2").unwrap_or_else(|_| panic!("semester"));
        let today = day(2010, 2, 20);
        let ends = day(2009, 12, 31);
        let long = "r".repeat(2001);
        type Case<'a> = (
            Option<NaiveDate>,
            Option<&'a str>,
            i32,
            Result<NaiveDate, Vec<E>>,
        );
        let cases: &[Case] = &[
            (None, None, 0, Ok(today)),
            (Some(day(2010, 2, 1)), None, 0, Ok(day(2010, 2, 1))),
            (Some(day(2010, 3, 1)), None, 0, Err(vec![E::Future])),
            (Some(ends), None, 0, Err(vec![E::BeforeSemesterEnds(ends)])),
            (None, None, 1, Err(vec![E::NoReason])),
            (None, Some("  "), 1, Err(vec![E::NoReason])),
            (None, Some("importi corretti"), 1, Ok(today)),
            (None, Some(&long), 1, Err(vec![E::LongReason])),
            (
                Some(day(2009, 7, 1)),
                None,
                2,
                Err(vec![E::BeforeSemesterEnds(ends), E::NoReason]),
            ),
        ];
        for (issued_on, reason, existing, expected) in cases {
            assert_eq!(
                &check_new_issue(*issued_on, *reason, today, s, *existing),
                expected,
                "{issued_on:?} {reason:?} {existing}"
            );
        }
    }

    #[test]
    fn a_blank_reason_is_none() {
        assert_eq!(reason(None), None);
        assert_eq!(reason(Some("  ")), None);
        assert_eq!(reason(Some(" importi ")), Some("importi".to_owned()));
    }

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
