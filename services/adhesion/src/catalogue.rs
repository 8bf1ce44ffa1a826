//! The typed client of the catalogue service: what an adhesion needs to know of a service.

use apq_platform::client::{PeerClient, PeerError};
use apq_platform::{ApiError, FieldError};

// A catalogue entry, read with the type the catalogue answers with (`apq_domain::contracts`):
// a field the catalogue renames or retypes breaks this crate's build.
pub use apq_domain::contracts::catalogue::{
    ServiceEntry as CatalogueService, ServiceRecord as CatalogueRecord, ServiceStatus,
    SubService as CatalogueSubService,
};

#[derive(Clone)]
pub struct CatalogueClient(pub PeerClient);

impl CatalogueClient {
    /// The service an adhesion may refer to: it exists, is not withdrawn, and has the sub-service.
    /// A catalogue that is down or slow gives 503 naming it; an unknown service 422.
    pub async fn adherable(
        &self,
        number: i32,
        sub_service: &str,
    ) -> Result<CatalogueService, ApiError> {
        let service: CatalogueService =
            match self.0.get(&format!("/v1/services/{number}"), None).await {
                Ok(service) => service,
                Err(PeerError::Status { status, .. }) if status.as_u16() == 404 => {
                    return Err(ApiError::Unprocessable {
                        detail: format!("the catalogue has no service {number}"),
                        errors: vec![FieldError::new("service_number", "not in the catalogue")],
                    });
                }
                Err(other) => return Err(other.into()),
            };
        if service.status != ServiceStatus::Active {
            return Err(ApiError::Unprocessable {
                detail: format!(
                    "service {number} ({}) has been withdrawn from the catalogue",
                    service.record.name
                ),
                errors: vec![FieldError::new(
                    "service_number",
                    "withdrawn from the catalogue",
                )],
            });
        }
        if !sub_service.is_empty()
            && !service
                .record
                .sub_services
                .iter()
                .any(|s| s.code == sub_service)
        {
            let known: Vec<&str> = service
                .record
                .sub_services
                .iter()
                .map(|s| s.code.as_str())
                .collect();
            return Err(ApiError::Unprocessable {
                detail: format!(
                    "service {number} has no sub-service \"{sub_service}\"; it has: {}",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
                errors: vec![FieldError::new(
                    "sub_service",
                    "not a sub-service of this service",
                )],
            });
        }
        Ok(service)
    }
}
