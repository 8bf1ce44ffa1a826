//! The catalogue's rules, pure: a service's status and what a change of it must respect.

use crate::record::ServiceRecord;

apq_platform::db_text_enum!(
    /// Whether a service can still be adhered to.
    ServiceStatus { Active = "active", Withdrawn = "withdrawn" } => apq_domain::contracts::catalogue::ServiceStatus
);

/// The longest full-text search accepted, in bytes.
pub const SEARCH_MAX: usize = 200;

/// What the catalogue's rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("a search is at most 200 characters")]
    SearchTooLong,
    #[error("service {0} already exists; change it with PUT")]
    Taken(i32),
    #[error("the record's number must be the service's")]
    NumberChanged,
    #[error("say why the service is withdrawn")]
    NoReason,
    #[error("service {0} is already withdrawn")]
    AlreadyWithdrawn(i32),
}

/// A full-text search is at most [`SEARCH_MAX`] long.
pub fn check_search(q: Option<&str>) -> Result<(), ServiceError> {
    if q.is_some_and(|q| q.len() > SEARCH_MAX) {
        return Err(ServiceError::SearchTooLong);
    }
    Ok(())
}

/// A new version of service `number` keeps its number.
pub fn check_replacement(number: i32, record: &ServiceRecord) -> Result<(), ServiceError> {
    if record.number != number {
        return Err(ServiceError::NumberChanged);
    }
    Ok(())
}

/// A withdrawal says why.
pub fn check_withdrawal(reason: &str) -> Result<(), ServiceError> {
    if reason.trim().is_empty() {
        return Err(ServiceError::NoReason);
    }
    Ok(())
}

/// The status after withdrawing service `number` from `status`: withdrawn once only.
pub fn withdraw(number: i32, status: ServiceStatus) -> Result<ServiceStatus, ServiceError> {
    match status {
        ServiceStatus::Active => Ok(ServiceStatus::Withdrawn),
        ServiceStatus::Withdrawn => Err(ServiceError::AlreadyWithdrawn(number)),
    }
}

/// The pricing models a record offers, each once, in order: the column the `pricing` filter
/// searches.
pub fn pricing_models(record: &ServiceRecord) -> Vec<&'static str> {
    let mut models: Vec<&'static str> = record.pricing.iter().map(|p| p.model.as_str()).collect();
    models.sort_unstable();
    models.dedup();
    models
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_is_withdrawn_once() {
        let cases = [
            (ServiceStatus::Active, Ok(ServiceStatus::Withdrawn)),
            (
                ServiceStatus::Withdrawn,
                Err(ServiceError::AlreadyWithdrawn(3)),
            ),
        ];
        for (from, expected) in cases {
            assert_eq!(withdraw(3, from), expected, "{from}");
        }
        assert_eq!(
            ServiceError::AlreadyWithdrawn(3).to_string(),
            "service 3 is already withdrawn"
        );
    }

    #[test]
    fn inputs_are_checked() {
        assert_eq!(check_search(None), Ok(()));
        assert_eq!(check_search(Some(&"a".repeat(200))), Ok(()));
        assert_eq!(
            check_search(Some(&"a".repeat(201))),
            Err(ServiceError::SearchTooLong)
        );
        assert_eq!(check_withdrawal("  "), Err(ServiceError::NoReason));
        assert_eq!(check_withdrawal("superseded by 9"), Ok(()));
        assert_eq!(
            ServiceError::Taken(4).to_string(),
            "service 4 already exists; change it with PUT"
        );
    }
}
