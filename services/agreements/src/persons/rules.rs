//! The persons' rules, pure: a person is named, reachable and placed.

use super::json::NewPerson;
use crate::model::ResponsibilityRole;

/// What the persons' rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    #[error("a person has a name")]
    Name,
    #[error("not an e-mail address")]
    Email,
    #[error("this role is held on an intervento")]
    RoleWithoutIntervento,
}

/// A person has a name, an e-mail that looks like one, and every role but the soggetto
/// responsabile's held on an intervento.
pub fn check(person: &NewPerson) -> Result<(), PersonError> {
    if person.name.trim().is_empty() {
        return Err(PersonError::Name);
    }
    if person
        .email
        .as_deref()
        .is_some_and(|e| !e.contains('@') || e.contains(' '))
    {
        return Err(PersonError::Email);
    }
    if person.responsibilities.iter().any(|r| {
        r.role != ResponsibilityRole::SoggettoResponsabileAccordo && r.intervento_id.is_none()
    }) {
        return Err(PersonError::RoleWithoutIntervento);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persons::json::Responsibility;
    use uuid::Uuid;

    #[test]
    fn a_person_is_named_reachable_and_placed() {
        let rup = |intervento_id| Responsibility {
            role: ResponsibilityRole::Rup,
            intervento_id,
            accordo_id: None,
        };
        let person = |name: &str, email: Option<&str>, responsibilities| NewPerson {
            name: name.to_owned(),
            organisation: None,
            email: email.map(str::to_owned),
            responsibilities,
        };
        let cases = [
            (
                person("Anna Rossi", Some("a@b.it"), vec![rup(Some(Uuid::nil()))]),
                Ok(()),
            ),
            (person(" ", None, vec![]), Err(PersonError::Name)),
            (
                person("Anna", Some("a.b.it"), vec![]),
                Err(PersonError::Email),
            ),
            (
                person("Anna", Some("a @b.it"), vec![]),
                Err(PersonError::Email),
            ),
            (
                person("Anna", None, vec![rup(None)]),
                Err(PersonError::RoleWithoutIntervento),
            ),
        ];
        for (new, expected) in cases {
            assert_eq!(check(&new), expected, "{}", new.name);
        }
    }
}
