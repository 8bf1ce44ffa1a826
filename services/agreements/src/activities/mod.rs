//! The activities of an intervento (codes, dates, costs by category, products, validation
//! criteria). The responsabile di intervento changes their own intervento's activities.
//!
//! - [`rules`]: what an activity's dates and costs must be ([`rules::ActivityError`]), pure;
//! - [`queries`]: the rows, the diesel queries, and the activity the write path locks (a child
//!   of its intervento);
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use json::{ActivityCost, NewActivity};
pub use queries::insert;
