//! The monitoring calendar: each semester's deadlines, what is due, by whom, and what is late;
//! and the record of obligations fulfilled.
//!
//! - [`rules`]: where an obligation stands, who records it, and what they refuse
//!   ([`rules::CalendarError`]), pure, unit-tested (the deadlines are in `crate::deadlines`);
//! - [`queries`]: what is done, and the record of a fulfilment with its audit;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
mod queries;
mod rules;

pub use http::{calendar, fulfil, semester};
pub use queries::load_done;
pub use rules::{Done, done_on, semester_key};
