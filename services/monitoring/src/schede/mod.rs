//! Schede: per intervento and semester, the physical, financial and procedural progress (SAL,
//! commitments and payments, activity states, obstacles and corrective actions), entered by the
//! responsabile di intervento, then submitted, validated or returned; the history is kept.
//!
//! - [`rules`]: the review's steps, the totals and the progress, and what they refuse
//!   ([`rules::SchedaError`]), pure, unit-tested;
//! - [`queries`]: the rows and the diesel queries, and the aggregate the write path locks;
//! - [`json`]: the request and response types of the API;
//! - [`http`]: the endpoints, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use http::{create, get_one, history, list, review, update};
pub use json::{Scheda, SchedaFilter};
pub use queries::{SchedaRow, find};
pub use rules::{ActivityState, SchedaState};
