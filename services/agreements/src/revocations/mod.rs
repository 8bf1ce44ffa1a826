//! Revocation of CNIPA's co-financing, in part or in whole (art. 4.4 for the ALI, 5.6 for the
//! RIUSO projects): CNIPA's act, not the Tavolo's. A partial revocation revokes the tranches it
//! names; a total one revokes the intervento with every tranche. Through the intervento's write
//! path: locked, applied, bumped and audited in one transaction.
//!
//! An act with no table of its own (it writes the intervento and its tranches with the Tavolo's
//! queries, [`crate::tavolo::queries`]), so it has three layers:
//!
//! - [`rules`]: what a revocation must name ([`rules::RevocationError`]), pure;
//! - [`json`]: the request type of the API;
//! - [`http`]: the endpoint, and the mapping of the rules' refusals to problems.

pub mod http;
pub mod json;
pub mod rules;
