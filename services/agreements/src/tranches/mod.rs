//! Tranches: their plan per intervento, and the audited transitions between states.
//!
//! The tranches' rules (the state machine, who moves a tranche where, the plan a kind and a
//! co-financing give, [`crate::tranche_plan::TrancheError`]) are the pure module
//! [`crate::tranche_plan`], so this folder has three layers:
//!
//! - [`queries`]: the rows, the diesel queries, and the tranche the write path locks (a child
//!   of its intervento);
//! - [`json`]: the request and response types of the API (the contract's);
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;

pub use json::Tranche;
pub use queries::{for_intervento, write_plan};
