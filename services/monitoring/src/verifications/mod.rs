//! CNIPA's verifications of an intervento, each with its date, act and who made it: the Piano di
//! monitoraggio approved (ALI tranche 1, art. 4.2.a: **this** intervento's Piano), the ALI
//! admissibility requirements still holding (tranches 2 and 3, art. 4.2), the project's
//! completion (ALI 3, RIUSO 4). The eligibility check reads them; none is assumed.

//!
//! - [`rules`]: what is verified and who records it, and what a verification must say, pure
//!   ([`rules::VerificationError`]);
//! - [`queries`]: the row, the aggregate and the reads;
//! - [`json`]: the request and response types;
//! - [`http`]: the endpoints.

pub mod http;
pub mod json;
pub mod queries;
pub mod rules;

pub use queries::{Verification, of};
pub use rules::VerificationKind;
