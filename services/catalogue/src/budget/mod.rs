//! The services' costs against the two-year ALI budget: the eight services should add up to the
//! budget minus the 50.000,00 of the management model (seed part 2 § 3b). As the seed writes
//! them they fall 10.000,00 short (ITER.NET's sheet, L3617 against L3634): the check says so, by
//! how much, rather than the data being bent to balance.
//!
//! - [`rules`]: the check, pure; [`queries`]: the loaded budget; [`json`]: the answer;
//!   [`http`]: the endpoint.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;
