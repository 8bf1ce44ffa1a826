//! How values are written inside a PUC record.

use apq_domain::Euro;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A date as the PUC writes it: `dd/mm/YYYY`.
pub fn date(on: NaiveDate) -> String {
    on.format("%d/%m/%Y").to_string()
}

/// An optional date: empty when absent.
pub fn maybe_date(on: Option<NaiveDate>) -> String {
    on.map(date).unwrap_or_default()
}

/// An amount with two decimals, a comma as decimal separator and no thousands separator:
/// `1892850,00`.
pub fn amount(value: Euro) -> String {
    number(value.decimal(), 2)
}

/// A number with `scale` decimals and a comma (indicator values).
pub fn number(value: Decimal, scale: u32) -> String {
    let mut rounded = value.round_dp(scale);
    rounded.rescale(scale);
    rounded.to_string().replace('.', ",")
}

/// A text field: at most `max` characters, without the framing's separators (`#`, `|`) and line
/// breaks, which would break the record; runs of white space become one space.
pub fn text(value: &str, max: usize) -> String {
    let cleaned: String = value
        .chars()
        .map(|c| match c {
            '#' | '|' | '\r' | '\n' | '\t' => ' ',
            other => other,
        })
        .collect();
    cleaned
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}

/// Whether a recorded text goes into a PUC text field as it is: at most `max` characters, on one
/// line, without the framing's separators (`#`, `|`).
pub fn fits(value: &str, max: usize) -> bool {
    value.chars().count() <= max && !value.contains(['#', '|', '\r', '\n'])
}

/// `S` or `N`.
pub fn flag(value: bool) -> String {
    if value { "S" } else { "N" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_the_puc_reads_them() {
        let on = NaiveDate::from_ymd_opt(2010, 1, 31).unwrap_or_default();
        assert_eq!(date(on), "31/01/2010");
        assert_eq!(maybe_date(None), "");
        for (cents, written) in [
            (189_285_000, "1892850,00"),
            (58_474_576, "584745,76"),
            (5, "0,05"),
            (0, "0,00"),
        ] {
            assert_eq!(amount(Euro::from_cents(cents)), written);
        }
        assert_eq!(number(Decimal::new(1115, 1), 2), "111,50");
        assert_eq!(number(Decimal::from(60), 2), "60,00");
        assert_eq!(text("Fase #1 | A\r\nB   C", 500), "Fase 1 A B C");
        assert_eq!(text("àèìòù", 3), "àèì");
        assert_eq!(flag(true), "S");
    }

    #[test]
    fn a_text_fits_on_one_line_within_its_length() {
        for (value, max, fits_it) in [
            ("Ribasso d'asta", 500, true),
            ("", 0, true),
            ("àèì", 3, true),
            ("àèìò", 3, false),
            ("a#b", 500, false),
            ("a|b", 500, false),
            ("a\rb", 500, false),
            ("a\nb", 500, false),
        ] {
            assert_eq!(fits(value, max), fits_it, "{value:?} {max}");
        }
    }
}
