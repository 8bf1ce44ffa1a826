//! Indicators (baseline, target, measured per semester; the seed's Cap. 6) and the periods of
//! verified service operation that the last tranche needs.

//!
//! - [`rules`]: a value, a new indicator, a period, the months it counts and whether a target is
//!   reached, pure ([`rules::IndicatorError`]);
//! - [`queries`]: the indicators with their measurements, the writes with their audit;
//! - [`json`]: the request and response types;
//! - [`http`]: the endpoints.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use json::Indicator;
pub use queries::{load_all, verified_months};
