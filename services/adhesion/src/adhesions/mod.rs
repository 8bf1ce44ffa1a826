//! Adhesions of bodies to the catalogue's services, and their lifecycle:
//! requested -> commitment_signed (the contractual commitment the 30% rule counts) -> active ->
//! ceased, each step with its date and supporting act; no step skipped or undone.
//!
//! - [`rules`]: the lifecycle and what it refuses ([`rules::AdhesionError`]), pure, unit-tested;
//! - [`queries`]: the rows and the diesel queries, and the aggregate the write path locks;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;
