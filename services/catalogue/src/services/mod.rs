//! The catalogue: public reads (filters, Italian full-text search, one service in full, any past
//! version), and versioned changes by `admin` only.
//!
//! - [`rules`]: a service's status and what a change must respect ([`rules::ServiceError`]),
//!   pure (the record's own field rules are in [`crate::record`]);
//! - [`queries`]: the rows and the diesel queries, and the aggregate the write path locks;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use queries::write_version;
pub use rules::ServiceStatus;
