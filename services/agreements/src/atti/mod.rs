//! The accordo (APQ) and its atti integrativi.
//!
//! - [`rules`]: what a new atto and a change of its signature must be ([`rules::AttoError`]),
//!   pure;
//! - [`queries`]: the rows, the diesel queries, and the atto the write path locks;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;
