//! The responsible persons and their roles (soggetto responsabile dell'Accordo, responsabile di
//! intervento, RUP, referente). Names and roles are public; e-mail addresses are shown only to
//! authenticated callers.
//!
//! - [`rules`]: what a new person must be ([`rules::PersonError`]), pure;
//! - [`queries`]: the rows and the diesel queries;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, who reads the e-mail addresses, and the mapping of the rules'
//!   refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use json::{NewPerson, Responsibility};
pub use queries::insert;
