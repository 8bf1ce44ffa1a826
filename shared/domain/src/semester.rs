//! Monitoring semesters: "2009-S1" is January to June, "2009-S2" July to December.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Half {
    First,
    Second,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Semester {
    year: i32,
    half: Half,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SemesterError {
    #[error("a semester is written YYYY-S1 or YYYY-S2 (e.g. 2009-S2), got \"{0}\"")]
    Syntax(String),
    #[error("the year {0} is outside the supported range 2000-2100")]
    Year(i32),
}

impl Semester {
    pub fn new(year: i32, half: Half) -> Result<Self, SemesterError> {
        if !(2000..=2100).contains(&year) {
            return Err(SemesterError::Year(year));
        }
        Ok(Self { year, half })
    }

    pub fn parse(raw: &str) -> Result<Self, SemesterError> {
        let syntax = || SemesterError::Syntax(raw.to_owned());
        let (year, half) = raw.split_once("-S").ok_or_else(syntax)?;
        if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
            return Err(syntax());
        }
        let half = match half {
            "1" => Half::First,
            "2" => Half::Second,
            _ => return Err(syntax()),
        };
        Self::new(year.parse().map_err(|_| syntax())?, half)
    }

    /// The semester a date falls in.
    pub fn containing(date: NaiveDate) -> Result<Self, SemesterError> {
        use chrono::Datelike;
        let half = if date.month() <= 6 {
            Half::First
        } else {
            Half::Second
        };
        Self::new(date.year(), half)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn half(self) -> Half {
        self.half
    }

    pub fn first_day(self) -> NaiveDate {
        let month = match self.half {
            Half::First => 1,
            Half::Second => 7,
        };
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        let (month, day) = match self.half {
            Half::First => (6, 30),
            Half::Second => (12, 31),
        };
        NaiveDate::from_ymd_opt(self.year, month, day).unwrap_or(NaiveDate::MAX)
    }

    pub fn next(self) -> Self {
        match self.half {
            Half::First => Self {
                year: self.year,
                half: Half::Second,
            },
            Half::Second => Self {
                year: self.year + 1,
                half: Half::First,
            },
        }
    }
}

impl TryFrom<String> for Semester {
    type Error = SemesterError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<Semester> for String {
    fn from(s: Semester) -> Self {
        s.to_string()
    }
}

impl fmt::Display for Semester {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let half = match self.half {
            Half::First => 1,
            Half::Second => 2,
        };
        write!(f, "{}-S{half}", self.year)
    }
}

impl utoipa::PartialSchema for Semester {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^(20[0-9]{2}|2100)-S[12]$"))
            .max_length(Some(7))
            .description(Some(
                "A semester of the years 2000-2100: S1 is January-June, S2 July-December",
            ))
            .examples(["2009-S2"])
            .into()
    }
}

impl utoipa::ToSchema for Semester {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_bounds_the_semester() {
        let s = Semester::parse("2009-S2").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.to_string(), "2009-S2");
        assert_eq!(
            s.first_day(),
            NaiveDate::from_ymd_opt(2009, 7, 1).unwrap_or_default()
        );
        assert_eq!(
            s.last_day(),
            NaiveDate::from_ymd_opt(2009, 12, 31).unwrap_or_default()
        );
        assert_eq!(s.next().to_string(), "2010-S1");
        assert_eq!(s.next().next().to_string(), "2010-S2");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "2009-S3", "2009S2", "09-S1", "2009-s1", "", "1999-S1", "abcd-S1",
        ] {
            assert!(Semester::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn containing_a_date() {
        let d = NaiveDate::from_ymd_opt(2010, 6, 30).unwrap_or_default();
        assert_eq!(
            Semester::containing(d).map(String::from),
            Ok("2010-S1".to_owned())
        );
    }
}
