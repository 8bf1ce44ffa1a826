//! Inadempienze (art. 7): a late or missing obligation opens a case against the party; the
//! soggetto responsabile gives a deadline; when it passes unmet, the case is referred to the
//! Tavolo. Readable by everyone, so the agreements side sees them.
//!
//! - [`rules`]: the obligations missed and how a case moves on ([`rules::DefaultError`]),
//!   pure, unit-tested;
//! - [`queries`]: the cases, their opening with its audit, their steps, the Versioned impl;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
mod queries;
mod rules;

pub use http::{act, detect, list};
pub use json::Default_;
pub use rules::DefaultState;
