//! The registry of public bodies: every Italian comune (ISTAT / Openpolis, CC BY 4.0), the
//! provinces, the Regione, and aggregations (comunità montane, unioni, circondari, gestioni
//! associate) with their member comuni. Public data.
//!
//! - [`rules`]: the kinds of body, what a new aggregation must be ([`rules::EnteError`]), pure;
//! - [`queries`]: the rows and the diesel queries;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use json::CodePath;
pub use queries::{EnteRow, by_code};
pub use rules::EnteKind;

/// The credit the registry's data carries.
pub const DATA_SOURCE: &str =
    "ISTAT / Openpolis, CC BY 4.0 (comuni and population on 1 January 2023)";
