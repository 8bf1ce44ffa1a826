//! The project's and the soggetti's rules, pure: a localisation's ISTAT codes checked together,
//! a soggetto's role, name and IPA code, and what they refuse ([`ProjectError`]).

use std::sync::LazyLock;

use apq_domain::{IstatCode, IstatCodeError};

/// TC24 as shipped (`data/puc/tc24_ruoli.csv`): (code, name).
pub static TC24: LazyLock<Vec<(i16, String)>> = LazyLock::new(|| {
    include_str!("../../data/puc/tc24_ruoli.csv")
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cells = l.splitn(3, ',');
            Some((cells.next()?.parse().ok()?, cells.next()?.to_owned()))
        })
        .collect()
});

/// What the project's and the soggetti's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectError {
    #[error("2 digits (e.g. 02)")]
    NaturaCup,
    #[error("the ISTAT region: 2 digits (09 Toscana)")]
    Regione,
    #[error("the ISTAT province: 3 digits (048 Firenze)")]
    Provincia,
    #[error(transparent)]
    Comune(IstatCodeError),
    #[error("the comune is not in the province given")]
    ComuneOutsideProvince,
    #[error("not a role of TC24 (1 Programmatore, 2 Beneficiario, 3, 4)")]
    Role,
    #[error("1 to 255 characters on one line, without # or |")]
    Name,
    #[error("an IPA code: 1 to 10 letters, digits or _")]
    Ipa,
}

impl ProjectError {
    /// The input field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            ProjectError::NaturaCup => "natura_cup",
            ProjectError::Regione => "cod_regione",
            ProjectError::Provincia => "cod_provincia",
            ProjectError::Comune(_) | ProjectError::ComuneOutsideProvince => "cod_comune",
            ProjectError::Role => "role",
            ProjectError::Name => "name",
            ProjectError::Ipa => "ipa",
        }
    }
}

/// A project's nature and localisation, as given or as they stand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub natura_cup: Option<String>,
    pub cod_regione: Option<String>,
    pub cod_provincia: Option<String>,
    pub cod_comune: Option<String>,
}

/// Everything wrong with a localisation's ISTAT codes, checked together (a comune lies in its
/// province), in field order.
pub fn check_place(place: &Place) -> Vec<ProjectError> {
    let mut errors = Vec::new();
    let digits = |v: &str, n: usize| v.len() == n && v.chars().all(|c| c.is_ascii_digit());
    if place.natura_cup.as_deref().is_some_and(|v| !digits(v, 2)) {
        errors.push(ProjectError::NaturaCup);
    }
    if place.cod_regione.as_deref().is_some_and(|v| !digits(v, 2)) {
        errors.push(ProjectError::Regione);
    }
    let provincia = place.cod_provincia.as_deref();
    if provincia.is_some_and(|v| !digits(v, 3)) {
        errors.push(ProjectError::Provincia);
    }
    if let Some(c) = place.cod_comune.as_deref() {
        match IstatCode::parse(c) {
            Err(e) => errors.push(ProjectError::Comune(e)),
            Ok(c) if provincia.is_some_and(|p| p != c.province()) => {
                errors.push(ProjectError::ComuneOutsideProvince)
            }
            Ok(_) => {}
        }
    }
    errors
}

/// Everything wrong with a new soggetto's role, name and IPA code, in field order.
pub fn check_soggetto(role: i16, name: &str, ipa: Option<&str>) -> Vec<ProjectError> {
    let mut errors = Vec::new();
    if !TC24.iter().any(|(c, _)| *c == role) {
        errors.push(ProjectError::Role);
    }
    errors.extend(check_soggetto_patch(Some(name), ipa));
    errors
}

/// Everything wrong with the fields a patch of a soggetto gives: a name on one line of 1 to
/// 255 characters without `#` or `|`, an IPA code of 1 to 10 letters, digits or `_`.
pub fn check_soggetto_patch(name: Option<&str>, ipa: Option<&str>) -> Vec<ProjectError> {
    let mut errors = Vec::new();
    if name.is_some_and(|n| {
        n.trim().is_empty() || n.chars().count() > 255 || n.contains(['#', '|', '\n', '\r'])
    }) {
        errors.push(ProjectError::Name);
    }
    if ipa.is_some_and(|i| {
        i.is_empty() || i.len() > 10 || !i.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    }) {
        errors.push(ProjectError::Ipa);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProjectError as E;

    fn place(n: Option<&str>, r: Option<&str>, p: Option<&str>, c: Option<&str>) -> Place {
        let own = |v: Option<&str>| v.map(str::to_owned);
        Place {
            natura_cup: own(n),
            cod_regione: own(r),
            cod_provincia: own(p),
            cod_comune: own(c),
        }
    }

    #[test]
    fn a_localisation_is_checked_together() {
        let cases: &[(Place, &[ProjectError])] = &[
            (place(None, None, None, None), &[]),
            (
                place(Some("02"), Some("09"), Some("048"), Some("048017")),
                &[],
            ),
            (place(None, None, None, Some("048017")), &[]),
            (place(Some("2"), None, None, None), &[E::NaturaCup]),
            (
                place(None, Some("9"), Some("48"), None),
                &[E::Regione, E::Provincia],
            ),
            (
                place(None, None, Some("047"), Some("048017")),
                &[E::ComuneOutsideProvince],
            ),
        ];
        for (place, expected) in cases {
            assert_eq!(&check_place(place), expected, "{place:?}");
        }
        let bad = check_place(&place(None, None, None, Some("04801x")));
        assert!(matches!(bad.as_slice(), [E::Comune(_)]), "{bad:?}");
        assert_eq!(bad[0].field(), "cod_comune");
    }

    #[test]
    fn a_soggetto_is_checked_field_by_field() {
        let long = "n".repeat(256);
        let cases: &[(i16, &str, Option<&str>, &[ProjectError])] = &[
            (1, "Regione Toscana", None, &[]),
            (2, "Comune di Prato", Some("c_g999"), &[]),
            (9, "Regione Toscana", None, &[E::Role]),
            (1, "  ", None, &[E::Name]),
            (1, &long, None, &[E::Name]),
            (1, "A|B", None, &[E::Name]),
            (1, "A\nB", None, &[E::Name]),
            (1, "A", Some(""), &[E::Ipa]),
            (1, "A", Some("12345678901"), &[E::Ipa]),
            (0, "#", Some("a-b"), &[E::Role, E::Name, E::Ipa]),
        ];
        for (role, name, ipa, expected) in cases {
            assert_eq!(
                &check_soggetto(*role, name, *ipa),
                expected,
                "{role} {name} {ipa:?}"
            );
        }
    }

    #[test]
    fn a_soggetto_patch_keeps_its_fields_well_formed() {
        for (name, ipa, fields) in [
            (Some("Regione Toscana"), Some("r_toscan"), vec![]),
            (None, None, vec![]),
            (Some(" "), None, vec!["name"]),
            (Some("A|B"), None, vec!["name"]),
            (
                Some("Riga\nnuova"),
                Some("r_toscana_x"),
                vec!["name", "ipa"],
            ),
            (None, Some(""), vec!["ipa"]),
            (None, Some("r-toscan"), vec!["ipa"]),
        ] {
            let errors = check_soggetto_patch(name, ipa);
            let got: Vec<&str> = errors.iter().map(ProjectError::field).collect();
            assert_eq!(got, fields, "{name:?} {ipa:?}");
        }
    }
}
