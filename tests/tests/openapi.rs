//! The committed contracts under `openapi/` match the handlers of each service.

use apq_e2e::SERVICES;

#[test]
fn openapi_spec_is_committed() {
    let drift: Vec<String> = SERVICES
        .iter()
        .filter_map(|service| {
            apq_platform::openapi::check_committed(service.info.name, &service.openapi()).err()
        })
        .collect();
    assert!(drift.is_empty(), "{}", drift.join("\n\n"));
}
