//! The procedural iter of an intervento (PUC PR00): the phases of the national table (TC46) for
//! its CUP's nature, each with planned and actual start and end. A change to a planned date
//! keeps the earlier one, so a slip stays visible, and each phase is classed as OpenCoesione's
//! analysts class delays ([`rules::delay`]).

//!
//! - [`rules`]: TC46, the delay classes, the national order and the dates' checks, pure
//!   ([`rules::PhaseError`]);
//! - [`queries`]: the phases and their earlier plans;
//! - [`json`]: the request and response types;
//! - [`http`]: the endpoints.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use queries::PhaseRow;
pub use rules::{in_national_order, required};
