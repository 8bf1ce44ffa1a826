//! An intervento's money: the financing plan (checked against the cost and the co-financing
//! cap), the cost table (cells by category and funding, totals derived), and the financial
//! summary front-ends show.
//!
//! - [`rules`]: what sources and cells must be, what a cost table adds up to, what CNIPA has
//!   paid and owes ([`rules::FinancingError`]), pure (the plan's sum and cap are
//!   [`crate::model::check_plan`]);
//! - [`queries`]: the rows, the diesel queries, and the plan and cost table the write path locks
//!   (children of the intervento);
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use json::FinancingSource;
pub use queries::{load_sources, store_plan};
