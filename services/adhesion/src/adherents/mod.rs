//! The adherents of each intervento: the bodies that adhere to it (art. 4.2.b counts "i Comuni
//! aderenti"; a later adhesion to the Accordo, art. 10.3, is registered the same way), each with
//! its date, act and priority flag, against the count the Atto declares (138 comuni for CSTT-ALI,
//! 114 of them with priority; 286 administrations for GEOSIGMA). The 30% rule divides by the
//! declared count; where the registered adherents differ from it, the answer says so with both
//! figures.
//!
//! - [`rules`]: who may adhere, the services filter, the share ([`rules::AdherentError`]), pure;
//! - [`queries`]: the diesel queries, and the aggregate the write path creates;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use json::Declared;
pub use queries::registered_against_declared;

/// The inconsistency between registered and declared adherents, if any.
fn inconsistency(declared: &Declared, registered: i64) -> Option<String> {
    (registered != i64::from(declared.count)).then(|| {
        format!(
            "{registered} adherents of {} are registered; the Atto declares {} {} ({}); the rule's denominator is the declared count",
            declared.intervento_code, declared.count, declared.unit, declared.source_ref
        )
    })
}
