//! The registry's rules, pure: the kinds of body, what makes a new aggregation valid, and the
//! filters' input.

apq_platform::db_text_enum!(
    /// The kinds of public body.
    EnteKind {
        Comune = "comune",
        Provincia = "provincia",
        Regione = "regione",
        ComunitaMontana = "comunita_montana",
        Unione = "unione",
        Circondario = "circondario",
        GestioneAssociata = "gestione_associata",
    }
);

impl EnteKind {
    pub fn is_aggregation(self) -> bool {
        matches!(
            self,
            EnteKind::ComunitaMontana
                | EnteKind::Unione
                | EnteKind::Circondario
                | EnteKind::GestioneAssociata
        )
    }

    /// The kinds registered through the API: the aggregations of comuni.
    pub const AGGREGATIONS: [EnteKind; 4] = [
        EnteKind::ComunitaMontana,
        EnteKind::Unione,
        EnteKind::Circondario,
        EnteKind::GestioneAssociata,
    ];
}

/// What the registry's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnteError {
    #[error(
        "only aggregations are registered here (comunita_montana, unione, circondario, gestione_associata)"
    )]
    NotAnAggregation,
    #[error("a code is upper-case letters, digits and dashes, starting with a letter")]
    Code,
    #[error("an aggregation has members")]
    NoMembers,
    #[error("{0} is not a comune of the registry")]
    UnknownMember(String),
    #[error("a region code is two digits (Toscana is 09)")]
    RegionCode,
}

impl EnteError {
    /// The input field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            EnteError::NotAnAggregation => "kind",
            EnteError::Code => "code",
            EnteError::NoMembers | EnteError::UnknownMember(_) => "members",
            EnteError::RegionCode => "region_code",
        }
    }
}

/// A chosen code: upper-case letters, digits and dashes, starting with a letter, at most 40.
fn valid_code(code: &str) -> bool {
    code.len() <= 40
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

/// Everything wrong with a new aggregation's kind, code and member count, in field order.
pub fn check_new_aggregation(kind: EnteKind, code: &str, members: usize) -> Vec<EnteError> {
    let mut errors = Vec::new();
    if !kind.is_aggregation() {
        errors.push(EnteError::NotAnAggregation);
    }
    if !valid_code(code) {
        errors.push(EnteError::Code);
    }
    if members == 0 {
        errors.push(EnteError::NoMembers);
    }
    errors
}

/// A region code filter: two digits.
pub fn check_region_code(region: Option<&str>) -> Result<(), EnteError> {
    match region {
        Some(r) if r.len() != 2 || !r.chars().all(|c| c.is_ascii_digit()) => {
            Err(EnteError::RegionCode)
        }
        _ => Ok(()),
    }
}

/// The `ILIKE` pattern of a "name contains" filter, its wildcards escaped; none for a blank one.
pub fn name_pattern(q: Option<&str>) -> Option<String> {
    let q = q.filter(|q| !q.trim().is_empty())?;
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Some(format!("%{escaped}%"))
}

/// Every wanted member is among the comuni `found` in the registry; else the first that is not.
pub fn check_members(wanted: &[&str], found: &[String]) -> Result<(), EnteError> {
    match wanted.iter().find(|c| !found.iter().any(|f| f == *c)) {
        Some(missing) => Err(EnteError::UnknownMember((*missing).to_owned())),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_aggregation_is_checked_field_by_field() {
        use EnteError as E;
        let cases: &[(EnteKind, &str, usize, &[EnteError])] = &[
            (EnteKind::Unione, "UC-CASENTINO", 3, &[]),
            (EnteKind::GestioneAssociata, "G1", 1, &[]),
            (EnteKind::Comune, "UC-CASENTINO", 3, &[E::NotAnAggregation]),
            (EnteKind::Unione, "uc-casentino", 3, &[E::Code]),
            (EnteKind::Unione, "1UC", 3, &[E::Code]),
            (EnteKind::Unione, "", 3, &[E::Code]),
            (EnteKind::Unione, "UC CASENTINO", 3, &[E::Code]),
            (EnteKind::Unione, &"A".repeat(41), 3, &[E::Code]),
            (EnteKind::Unione, &"A".repeat(40), 3, &[]),
            (EnteKind::Unione, "UC", 0, &[E::NoMembers]),
            (
                EnteKind::Regione,
                "x",
                0,
                &[E::NotAnAggregation, E::Code, E::NoMembers],
            ),
        ];
        for (kind, code, members, expected) in cases {
            assert_eq!(
                check_new_aggregation(*kind, code, *members),
                expected.to_vec(),
                "{kind} {code} {members}"
            );
        }
    }

    #[test]
    fn only_the_aggregations_are_aggregations() {
        for kind in EnteKind::ALL {
            assert_eq!(
                kind.is_aggregation(),
                EnteKind::AGGREGATIONS.contains(kind),
                "{kind}"
            );
        }
    }

    #[test]
    fn filters_are_checked_and_escaped() {
        assert_eq!(check_region_code(Some("09")), Ok(()));
        assert_eq!(check_region_code(None), Ok(()));
        for bad in ["9", "090", "A9", ""] {
            assert_eq!(
                check_region_code(Some(bad)),
                Err(EnteError::RegionCode),
                "{bad}"
            );
        }
        assert_eq!(name_pattern(Some("Poppi")), Some("%Poppi%".to_owned()));
        assert_eq!(
            name_pattern(Some("50%_a\\b")),
            Some("%50\\%\\_a\\\\b%".to_owned())
        );
        assert_eq!(name_pattern(Some("  ")), None);
        assert_eq!(name_pattern(None), None);
    }

    #[test]
    fn every_member_is_a_comune_of_the_registry() {
        let found = ["048017".to_owned(), "051030".to_owned()];
        assert_eq!(check_members(&["048017", "051030"], &found), Ok(()));
        assert_eq!(
            check_members(&["048017", "999999", "888888"], &found),
            Err(EnteError::UnknownMember("999999".to_owned()))
        );
        assert_eq!(
            EnteError::UnknownMember("999999".to_owned()).to_string(),
            "999999 is not a comune of the registry"
        );
    }
}
