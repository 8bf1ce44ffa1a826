//! Italian formatting, as a ministry reads it: `€ 1.892.850,00`, `30,89%`, `31 gennaio 2010`,
//! counts without decimals. Pure functions; the report never prints a number any other way.

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

const MONTHS: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

/// Groups the digits of a non-negative integer by thousands with dots.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A decimal with `places` decimals, Italian separators (`1.892.850,00`); never `-0,00`.
pub fn number(value: Decimal, places: u32) -> String {
    let rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = rounded.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&group(int));
    if places > 0 {
        out.push(',');
        let mut frac = frac.to_owned();
        while frac.len() < places as usize {
            frac.push('0');
        }
        out.push_str(&frac[..places as usize]);
    }
    out
}

/// An amount in euro: `€ 1.892.850,00`.
pub fn euro(value: Decimal) -> String {
    format!("€ {}", number(value, 2))
}

/// A percentage with two decimals: `30,89%`.
pub fn percent(value: Decimal) -> String {
    format!("{}%", number(value, 2))
}

/// A measure with no more decimals than it needs (`111`, `12,5`), Italian separators.
pub fn quantity(value: Decimal) -> String {
    let normal = value.normalize();
    number(normal, normal.scale())
}

/// A count, without decimals: `8`, `1.250`.
pub fn count(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    if value < 0 {
        format!("-{}", group(&digits))
    } else {
        group(&digits)
    }
}

/// A date in words: `31 gennaio 2010`, `1º luglio 2009`.
pub fn date(value: NaiveDate) -> String {
    let month = MONTHS
        .get(value.month0() as usize)
        .copied()
        .unwrap_or_default();
    let day = if value.day() == 1 {
        "1º".to_owned()
    } else {
        value.day().to_string()
    };
    format!("{day} {month} {}", value.year())
}

/// A semester in words: `2009-S2` is `secondo semestre 2009`.
pub fn semester(value: apq_domain::Semester) -> String {
    let text = value.to_string();
    let (year, half) = text.split_once("-S").unwrap_or((&text, ""));
    match half {
        "1" => format!("primo semestre {year}"),
        _ => format!("secondo semestre {year}"),
    }
}

/// `part` as a percentage of `whole`, absent when the whole is zero or unknown.
pub fn ratio(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        None
    } else {
        Some(part * Decimal::ONE_HUNDRED / whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn amounts_in_euro() {
        for (value, expected) in [
            ("1892850", "€ 1.892.850,00"),
            ("1892850.00", "€ 1.892.850,00"),
            ("584745.76", "€ 584.745,76"),
            ("0", "€ 0,00"),
            ("-0.001", "€ 0,00"),
            ("999.995", "€ 1.000,00"),
            ("12", "€ 12,00"),
            ("123456789.5", "€ 123.456.789,50"),
            ("-1500", "€ -1.500,00"),
        ] {
            assert_eq!(euro(d(value)), expected, "{value}");
        }
    }

    #[test]
    fn percentages() {
        for (value, expected) in [
            ("30.892", "30,89%"),
            ("30.8925", "30,89%"),
            ("50", "50,00%"),
            ("0", "0,00%"),
            ("-0.004", "0,00%"),
            ("100", "100,00%"),
            ("1234.5", "1.234,50%"),
        ] {
            assert_eq!(percent(d(value)), expected, "{value}");
        }
    }

    #[test]
    fn quantities_and_counts() {
        for (value, expected) in [
            ("111.00", "111"),
            ("12.50", "12,5"),
            ("0", "0"),
            ("1250", "1.250"),
        ] {
            assert_eq!(quantity(d(value)), expected, "{value}");
        }
        for (value, expected) in [
            (0, "0"),
            (8, "8"),
            (138, "138"),
            (1250, "1.250"),
            (-3, "-3"),
        ] {
            assert_eq!(count(value), expected, "{value}");
        }
    }

    #[test]
    fn dates_in_words() {
        for ((y, m, day), expected) in [
            ((2010, 1, 31), "31 gennaio 2010"),
            ((2010, 2, 28), "28 febbraio 2010"),
            ((2009, 7, 1), "1º luglio 2009"),
            ((2009, 12, 15), "15 dicembre 2009"),
            ((2009, 9, 30), "30 settembre 2009"),
        ] {
            let value = NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
            assert_eq!(date(value), expected);
        }
    }

    #[test]
    fn semesters_in_words() {
        for (value, expected) in [
            ("2009-S2", "secondo semestre 2009"),
            ("2010-S1", "primo semestre 2010"),
        ] {
            let s = apq_domain::Semester::parse(value).unwrap_or_else(|_| panic!("{value}"));
            assert_eq!(semester(s), expected);
        }
    }

    #[test]
    fn ratios() {
        assert_eq!(
            ratio(d("584745.76"), d("1892850")).map(percent).as_deref(),
            Some("30,89%")
        );
        assert_eq!(ratio(d("1"), Decimal::ZERO), None);
    }
}
