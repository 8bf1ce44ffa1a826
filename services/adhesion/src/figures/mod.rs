//! The programme's figures, as of a date: how many comuni adhere, how many have signed the
//! contractual commitment, and their share (the ALI's second tranche needs at least 30%), by
//! service and overall. Aggregate counts only, so anyone may read them.
//!
//! - [`rules`]: the counts and their share, pure;
//! - [`queries`]: the counting over the adhesions, and the summaries kept per data generation;
//! - [`json`]: the query of the endpoint and the answer (the contract's types);
//! - [`http`]: the endpoint.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;
