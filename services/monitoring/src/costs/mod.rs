//! The annual cost plan of an intervento (PUC FN03: per year, the cost realised and the cost
//! still to realise) and its economies (FN10: savings ascertained at the semestral monitoring,
//! art. 4.3 of the IV Atto, one amount per source of financing). Both are recorded data: the
//! seed gives neither for the IV Atto's interventi, so nothing is seeded and an unknown plan is
//! absent (check 011 says so), never zero. Each year and each economy is versioned (`If-Match`,
//! ETag), each write audited, and recorded by the intervento's responsabile or admin, as the
//! impegni and pagamenti are. The national check 039 reads them: plan + economies = financing.
//!
//! - [`rules`]: a year's and an economy's checks and the totals, and what they refuse
//!   ([`rules::CostError`]), pure, unit-tested;
//! - [`queries`]: the diesel queries, and the aggregates the write path locks;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
mod queries;
pub mod rules;

pub use http::{
    create_economy, create_year, list_economies, list_plan, update_economy, update_year,
};
pub use json::{CostYear, Economy};
