//! Interventi: the projects of an atto, with their identity, section, state and maturity.
//!
//! - [`rules`]: what a new intervento and a change must be ([`rules::InterventoError`]), pure
//!   (the money rules are in [`crate::model`], the tranche plans in [`crate::tranche_plan`]);
//! - [`queries`]: the row, the diesel queries, and the aggregate the write path locks;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use json::{IdPath, Intervento, NonActivation, ProgettoEsecutivoApproval};
pub use queries::{InterventoRow, bump, load, load_by_code};
